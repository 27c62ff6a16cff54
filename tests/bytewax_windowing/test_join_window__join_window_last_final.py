"""The Bytewax 0.21.1 twin of tests/bytewax_windowing/test_join_window__join_window_last_final.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax_windowing/test_join_window__join_window_last_final.flow from the repository root."""
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

# record Event: a dict with the fields timestamp, value
align_to = datetime(2024, 1, 1, 0, 0, tzinfo=timezone.utc)

flow = Dataflow("test_df")
inp_l = op.input("inp_l", flow, TestingSource([{'timestamp': (align_to + timedelta(seconds=0)), 'value': 1}]))
key_l = op.key_on("key_l", inp_l, (lambda _x: 'ALL'))
inp_r = op.input("inp_r", flow, TestingSource([{'timestamp': (align_to + timedelta(seconds=1)), 'value': 2}, {'timestamp': (align_to + timedelta(seconds=2)), 'value': 3}]))
key_r = op.key_on("key_r", inp_r, (lambda _x: 'ALL'))
clock = win.EventClock((lambda e: e['timestamp']), wait_for_system_duration=timedelta(seconds=345600000000), now_getter=fp.now)
windower = win.SessionWindower(gap=timedelta(seconds=10))
join = win.join_window("join", clock, windower, key_l, key_r, insert_mode='last', emit_mode='final')
unkey = op.key_rm("unkey", join.down)
clean = op.map("clean", unkey, (lambda _p1: (lambda _win_id, row: (fp.optfld(row[0], 'value'), fp.optfld(row[1], 'value')))(*_p1)))
out = op.output("out", clean, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
