"""The Bytewax 0.21.1 twin of tests/bytewax_windowing/test_fold_window__fold_window_session.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax_windowing/test_fold_window__fold_window_session.flow from the repository root."""
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import bytewax.operators as op
import bytewax.operators.windowing as win
from bytewax.connectors.files import DirSource, FileSource
from bytewax.connectors.stdio import StdOutSink
from bytewax.dataflow import Dataflow
from bytewax.testing import TestingSource, run_main

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../differential'))
import flowpy as fp  # noqa: E402

RUN = {}

# record Event: a dict with the fields timestamp, value
align_to = datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc)

flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource([{'timestamp': (align_to + timedelta(seconds=1)), 'value': 'a'}, {'timestamp': (align_to + timedelta(seconds=5)), 'value': 'b'}, {'timestamp': (align_to + timedelta(seconds=11)), 'value': 'c'}, {'timestamp': (align_to + timedelta(seconds=12)), 'value': 'd'}, {'timestamp': (align_to + timedelta(seconds=13)), 'value': 'e'}, {'timestamp': (align_to + timedelta(seconds=14)), 'value': 'f'}, {'timestamp': (align_to + timedelta(seconds=20)), 'value': 'g'}, {'timestamp': (align_to + timedelta(seconds=1)), 'value': 'h'}]))
key = op.key_on("key", inp, (lambda _x: 'ALL'))
clock = win.EventClock((lambda e: e['timestamp']), wait_for_system_duration=timedelta(seconds=0), now_getter=fp.now)
windower = win.SessionWindower(gap=timedelta(seconds=5))
sum = win.fold_window("sum", key, clock, windower, lambda: [], (lambda acc, e: (acc + [e['value']])), (lambda a, b: fp.add(a, b)))
unkey = op.key_rm("unkey", sum.down)
out = op.output("out", unkey, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
