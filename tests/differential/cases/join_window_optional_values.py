"""The Bytewax 0.21.1 twin of tests/differential/cases/join_window_optional_values.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/join_window_optional_values.flow from the repository root."""
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import flowpy as fp  # noqa: E402

RUN = {}
fp.CLOCK.pin(datetime(2023, 1, 1, 0, 0, tzinfo=timezone.utc), timedelta(seconds=0))


flow = Dataflow("join_window_optional_values")
a = op.input("a", flow, TestingSource([1, None]))
ka = op.key_on("ka", a, (lambda _p1: 'k'))
b = op.input("b", flow, TestingSource([None, 3]))
kb = op.key_on("kb", b, (lambda _p2: 'k'))
clock = win.EventClock((lambda _p3: datetime(2022, 1, 1, 0, 0, 1, tzinfo=timezone.utc)), wait_for_system_duration=timedelta(seconds=0), now_getter=fp.now)
wdw = win.TumblingWindower(length=timedelta(seconds=10), align_to=datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc))
j = win.join_window("j", clock, wdw, ka, kb, insert_mode='product', emit_mode='final')
out = op.output("out", j.down, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
