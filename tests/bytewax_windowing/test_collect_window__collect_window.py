"""The Bytewax 0.21.1 twin of tests/bytewax_windowing/test_collect_window__collect_window.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax_windowing/test_collect_window__collect_window.flow from the repository root."""
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
inp = op.input("inp", flow, TestingSource([{'timestamp': align_to, 'value': 1}, {'timestamp': (align_to + timedelta(seconds=8)), 'value': 3}, {'timestamp': (align_to + timedelta(seconds=4)), 'value': 2}, {'timestamp': (align_to + timedelta(seconds=13)), 'value': 5}, {'timestamp': (align_to + timedelta(seconds=12)), 'value': 4}]))
key = op.key_on("key", inp, (lambda _x: 'ALL'))
clock = win.EventClock((lambda e: e['timestamp']), wait_for_system_duration=timedelta(seconds=345600000000), now_getter=fp.now)
windower = win.TumblingWindower(length=timedelta(seconds=10), align_to=align_to)
collect_window = win.collect_window("collect_window", key, clock, windower)
unkey = op.key_rm("unkey", collect_window.down)
out = op.output("out", unkey, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
