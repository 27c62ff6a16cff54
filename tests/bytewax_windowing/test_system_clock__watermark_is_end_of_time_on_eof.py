"""The Bytewax 0.21.1 twin of tests/bytewax_windowing/test_system_clock__watermark_is_end_of_time_on_eof.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax_windowing/test_system_clock__watermark_is_end_of_time_on_eof.flow from the repository root."""
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
fp.CLOCK.pin(datetime(2024, 1, 1, 0, 0, tzinfo=timezone.utc), timedelta(seconds=1))

t0 = datetime(2024, 1, 1, 0, 0, tzinfo=timezone.utc)

flow = Dataflow("test_df")
inp = op.input("inp", flow, fp.ClockedSource([('a', 'x'), ('a', 'y')], index=0))
clock = win.SystemClock()
windower = win.TumblingWindower(length=(datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc) - t0), align_to=t0)
w = win.collect_window("w", inp, clock, windower)
down = op.output("down", w.down, StdOutSink())
meta = op.output("meta", w.meta, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
