"""The Bytewax 0.21.1 twin of tests/bytewax_windowing/test_fold_window__fold_window_tumbling.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax_windowing/test_fold_window__fold_window_tumbling.flow from the repository root."""
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

# record UserEvent: a dict with the fields timestamp, typ
# record Counts: a dict with the fields login, post
align_to = datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc)

flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource([{'timestamp': align_to, 'typ': 'login'}, {'timestamp': (align_to + timedelta(seconds=4)), 'typ': 'post'}, {'timestamp': (align_to + timedelta(seconds=8)), 'typ': 'post'}, {'timestamp': (align_to + timedelta(seconds=16)), 'typ': 'post'}]))
key = op.key_on("key", inp, (lambda _x: 'ALL'))
clock = win.EventClock((lambda e: e['timestamp']), wait_for_system_duration=timedelta(seconds=0), now_getter=fp.now)
windower = win.TumblingWindower(length=timedelta(seconds=10), align_to=align_to)
count = win.fold_window("count", key, clock, windower, lambda: {'login': 0, 'post': 0}, (lambda c, e: ({**c, 'login': fp.add(c['login'], 1)} if (e['typ'] == 'login') else {**c, 'post': fp.add(c['post'], 1)})), (lambda a, b: {'login': fp.add(a['login'], b['login']), 'post': fp.add(a['post'], b['post'])}))
key_rm = op.key_rm("key_rm", count.down)
out = op.output("out", key_rm, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
