"""The Bytewax 0.21.1 twin of examples/reduce_window_meta.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python examples/reduce_window_meta.flow from the repository root."""
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../tests/differential'))
import flowpy as fp  # noqa: E402

RUN = {}

# record Event: a dict with the fields time, user, val
align_to = datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc)

flow = Dataflow("reduce_window_meta")
inp = op.input("inp", flow, TestingSource([{'time': align_to, 'user': 'a', 'val': 1}, {'time': (align_to + timedelta(seconds=4)), 'user': 'a', 'val': 1}, {'time': (align_to + timedelta(seconds=5)), 'user': 'b', 'val': 1}, {'time': (align_to + timedelta(seconds=8)), 'user': 'a', 'val': 1}, {'time': (align_to + timedelta(seconds=12)), 'user': 'a', 'val': 1}, {'time': (align_to + timedelta(seconds=13)), 'user': 'a', 'val': 1}, {'time': (align_to + timedelta(seconds=14)), 'user': 'b', 'val': 1}]))
keyed = op.key_on("keyed", inp, (lambda e: e['user']))
clock = win.EventClock((lambda e: e['time']), wait_for_system_duration=timedelta(seconds=0), now_getter=fp.now)
windower = win.TumblingWindower(length=timedelta(seconds=10), align_to=align_to)
win_ = win.reduce_window("win", keyed, clock, windower, (lambda acc, e: {**acc, 'val': fp.add(acc['val'], e['val'])}))
win__with_meta = fp.with_meta("win_with_meta", win_.down, timedelta(seconds=10), timedelta(seconds=10), align_to)
out = op.output("out", win__with_meta, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
