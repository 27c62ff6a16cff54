"""The Bytewax 0.21.1 twin of tests/window_timers/ordered_queue_least_ts.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/window_timers/ordered_queue_least_ts.flow from the repository root."""
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
fp.CLOCK.pin(datetime(2025, 1, 1, 0, 0, tzinfo=timezone.utc), timedelta(seconds=1))

t0 = datetime(2024, 1, 1, 0, 0, tzinfo=timezone.utc)

flow = Dataflow("test_df")
inp = op.input("inp", flow, fp.ClockedSource([('q', (t0 + timedelta(seconds=10))), ('q', (t0 + timedelta(seconds=8))), ('tick', t0), ('tick', t0), ('tick', t0), ('tick', t0), ('tick', t0)], batch_size=2, index=0))
seen = op.inspect("seen", inp)
items = op.filter("items", inp, (lambda _p1: (lambda k, _t: (k != 'tick'))(*_p1)))
clock = win.EventClock((lambda t: t), wait_for_system_duration=timedelta(seconds=3), now_getter=fp.now)
windower = win.TumblingWindower(length=timedelta(seconds=1), align_to=t0)
w = win.collect_window("w", items, clock, windower)
down = op.output("down", w.down, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
