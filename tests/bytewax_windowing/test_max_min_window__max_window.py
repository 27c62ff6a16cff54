"""The Bytewax 0.21.1 twin of tests/bytewax_windowing/test_max_min_window__max_window.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax_windowing/test_max_min_window__max_window.flow from the repository root."""
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

# record E: a dict with the fields time, user, val
align_to = datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc)

flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource([{'time': align_to, 'user': 'a', 'val': 1}, {'time': (align_to + timedelta(seconds=4)), 'user': 'a', 'val': 9}, {'time': (align_to + timedelta(seconds=8)), 'user': 'a', 'val': 3}, {'time': (align_to + timedelta(seconds=12)), 'user': 'a', 'val': 10}, {'time': (align_to + timedelta(seconds=13)), 'user': 'a', 'val': 4}]))
key_on_user = op.key_on("key_on_user", inp, (lambda e: e['user']))
clock = win.EventClock((lambda e: e['time']), wait_for_system_duration=timedelta(seconds=0), now_getter=fp.now)
windower = win.TumblingWindower(length=timedelta(seconds=10), align_to=align_to)
max = win.max_window("max", key_on_user, clock, windower, by=(lambda e: e['val']))
out = op.output("out", max.down, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
