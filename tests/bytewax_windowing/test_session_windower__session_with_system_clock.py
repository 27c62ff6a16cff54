"""The Bytewax 0.21.1 twin of tests/bytewax_windowing/test_session_windower__session_with_system_clock.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax_windowing/test_session_windower__session_with_system_clock.flow from the repository root."""
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


flow = Dataflow("test_df")
inp = op.input("inp", flow, fp.ClockedSource(range(10), index=0))
keyed_nums = op.key_on("keyed_nums", inp, (lambda _x: 'ALL'))
clock = win.SystemClock()
windower = win.SessionWindower(gap=timedelta(seconds=10))
fold_out = win.fold_window("fold_out", keyed_nums, clock, windower, lambda: [], (lambda s, v: (s + [v])), (lambda a, b: fp.add(a, b)))
unkeyed = op.key_rm("unkeyed", fold_out.down)
out = op.output("out", unkeyed, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
