"""The Bytewax 0.21.1 twin of tests/window_timers/eof_after_due_wakeup.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/window_timers/eof_after_due_wakeup.flow from the repository root."""
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
fp.CLOCK.pin(datetime(2023, 1, 1, 0, 0, tzinfo=timezone.utc), timedelta(seconds=2))


flow = Dataflow("eof_after_due_wakeup")
inp = op.input("inp", flow, fp.ClockedSource([(datetime(2022, 1, 1, 0, 0, 30, 500000, tzinfo=timezone.utc), False)], index=0))
keyed = op.key_on("keyed", inp, (lambda _p1: 'k'))
clock = win.EventClock((lambda x: x[0]), wait_for_system_duration=timedelta(seconds=1), now_getter=fp.now)
wdw = win.SlidingWindower(length=timedelta(seconds=4), offset=timedelta(seconds=1), align_to=datetime(2022, 1, 1, 0, 0, 1, tzinfo=timezone.utc))
counts = win.fold_window("counts", keyed, clock, wdw, lambda: 0, (lambda a, v: fp.add(a, 1)), (lambda a, b: fp.add(a, b)))
down = op.output("down", counts.down, StdOutSink())
meta = op.output("meta", counts.meta, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
