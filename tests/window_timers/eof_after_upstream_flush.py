"""The Bytewax 0.21.1 twin of tests/window_timers/eof_after_upstream_flush.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/window_timers/eof_after_upstream_flush.flow from the repository root."""
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
fp.CLOCK.pin(datetime(2023, 1, 1, 0, 0, tzinfo=timezone.utc), timedelta(seconds=0))


flow = Dataflow("eof_after_upstream_flush")
inp = op.input("inp", flow, TestingSource([(datetime(2022, 1, 1, 0, 0, 1, tzinfo=timezone.utc), 1), (datetime(2022, 1, 1, 0, 0, 12, tzinfo=timezone.utc), 2), (datetime(2022, 1, 1, 0, 0, 25, tzinfo=timezone.utc), 3)]))
keyed = op.key_on("keyed", inp, (lambda _p1: 'k'))
held = op.stateful("held", keyed, lambda _resume: fp.Logic(0, on_item=(lambda s, v: (fp.add(s, 1), [])), on_eof=(lambda s: (None, [(datetime(2022, 1, 1, 0, 0, 31, tzinfo=timezone.utc), s), (datetime(2022, 1, 1, 0, 0, 45, tzinfo=timezone.utc), s)]))))
clock = win.EventClock((lambda x: x[0]), wait_for_system_duration=timedelta(seconds=0), now_getter=fp.now)
wdw = win.TumblingWindower(length=timedelta(seconds=10), align_to=datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc))
w = win.collect_window("w", held, clock, wdw)
down = op.output("down", w.down, StdOutSink())
meta = op.output("meta", w.meta, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
