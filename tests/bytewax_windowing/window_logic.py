"""The Bytewax 0.21.1 twin of tests/bytewax_windowing/window_logic.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax_windowing/window_logic.flow from the repository root."""
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

align_to = datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc)

flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource([(0, 5), (4, 1), (3, 2), (12, 7), (15, 4), (9, 10), (7, 1)]))
keyed = op.key_on("keyed", inp, (lambda _x: 'ALL'))
clock = win.EventClock((lambda e: fp.add(align_to, (timedelta(seconds=1) * e[0]))), wait_for_system_duration=timedelta(seconds=345600000000), now_getter=fp.now)
tumbling10 = win.TumblingWindower(length=timedelta(seconds=10), align_to=align_to)
sums = win.window("sums", keyed, clock, tumbling10, lambda _resume: fp.WinLogic((0, 0), on_value=(lambda s, e: ((fp.add(s[0], 1), fp.add(s[1], e[1])), [('running ' + format(fp.add(s[1], e[1]), ''))])), on_close=(lambda s: [('closed: ' + format(s[0], '') + ' values, sum ' + format(s[1], ''))])))
sums_out = op.output("sums_out", sums.down, StdOutSink())
sums_meta = op.output("sums_meta", sums.meta, StdOutSink())
sessions = win.SessionWindower(gap=timedelta(seconds=2))
clock2 = win.EventClock((lambda e: fp.add(align_to, (timedelta(seconds=1) * e[0]))), wait_for_system_duration=timedelta(seconds=345600000000), now_getter=fp.now)
merged = win.window("merged", keyed, clock2, sessions, lambda _resume: fp.WinLogic((0, 0), on_value=(lambda s, e: ((fp.add(s[0], 1), fp.add(s[1], e[1])), [])), on_merge=(lambda s, orig: ((fp.add(s[0], orig[0]), fp.add(s[1], orig[1])), [('merged ' + format(orig[0], '') + ' values')])), on_close=(lambda s: [('closed: ' + format(s[0], '') + ' values, sum ' + format(s[1], ''))])))
merged_out = op.output("merged_out", merged.down, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
