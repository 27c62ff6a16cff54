"""The Bytewax 0.21.1 twin of tests/bytewax_windowing/test_event_clock__watermark_is_item_timestamp_minus_wait.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax_windowing/test_event_clock__watermark_is_item_timestamp_minus_wait.flow from the repository root."""
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
fp.CLOCK.pin(datetime(2024, 1, 1, 0, 0, tzinfo=timezone.utc), timedelta(seconds=0))

t0 = datetime(2024, 1, 1, 0, 0, tzinfo=timezone.utc)

flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource([('a', (t0 + timedelta(seconds=7))), ('a', (t0 + timedelta(seconds=2))), ('a', datetime(2024, 1, 1, 0, 0, 1, 999999, tzinfo=timezone.utc))]))
clock = win.EventClock((lambda t: t), wait_for_system_duration=timedelta(seconds=5), now_getter=fp.now)
windower = win.TumblingWindower(length=timedelta(seconds=60), align_to=t0)
w = win.collect_window("w", inp, clock, windower)
late = op.output("late", w.late, StdOutSink())
down = op.output("down", w.down, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
