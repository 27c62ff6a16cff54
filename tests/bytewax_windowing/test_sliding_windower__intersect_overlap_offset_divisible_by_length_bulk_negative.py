"""The Bytewax 0.21.1 twin of tests/bytewax_windowing/test_sliding_windower__intersect_overlap_offset_divisible_by_length_bulk_negative.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax_windowing/test_sliding_windower__intersect_overlap_offset_divisible_by_length_bulk_negative.flow from the repository root."""
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
fp.CLOCK.pin(datetime(2023, 3, 16, 9, 0, tzinfo=timezone.utc), timedelta(seconds=0))


flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource([('a', datetime(2023, 3, 16, 8, 59, 57, tzinfo=timezone.utc))]))
clock = win.EventClock((lambda t: t), wait_for_system_duration=timedelta(seconds=0), now_getter=fp.now)
windower = win.SlidingWindower(length=timedelta(seconds=10), offset=timedelta(seconds=5), align_to=datetime(2023, 3, 16, 9, 0, tzinfo=timezone.utc))
w = win.collect_window("w", inp, clock, windower)
down = op.output("down", w.down, StdOutSink())
meta = op.output("meta", w.meta, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
