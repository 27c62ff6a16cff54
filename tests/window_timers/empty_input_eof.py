"""The Bytewax 0.21.1 twin of tests/window_timers/empty_input_eof.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/window_timers/empty_input_eof.flow from the repository root."""
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

# record E: a dict with the fields at, user

flow = Dataflow("empty_input_eof")
inp = op.input("inp", flow, TestingSource([]))
keyed = op.key_on("keyed", inp, (lambda e: e['user']))
clock = win.EventClock((lambda e: e['at']), wait_for_system_duration=timedelta(seconds=0), now_getter=fp.now)
windower = win.TumblingWindower(length=timedelta(seconds=10), align_to=datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc))
counts = win.count_window("counts", inp, clock, windower, (lambda e: e['user']))
sums = win.collect_window("sums", keyed, clock, windower)
a = op.output("a", counts.down, StdOutSink())
b = op.output("b", sums.down, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
