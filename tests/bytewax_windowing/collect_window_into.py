"""The Bytewax 0.21.1 twin of tests/bytewax_windowing/collect_window_into.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax_windowing/collect_window_into.flow from the repository root."""
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
nums = op.input("nums", flow, TestingSource([5, 8, 5, 1, 9, 3, 12, 11, 12, 100, 17]))
keyed_nums = op.key_on("keyed_nums", nums, (lambda _x: 'ALL'))
num_clock = win.EventClock((lambda n: fp.add(align_to, (timedelta(seconds=1) * n))), wait_for_system_duration=timedelta(seconds=345600000000), now_getter=fp.now)
windower = win.TumblingWindower(length=timedelta(seconds=10), align_to=align_to)
sets = win.collect_window("sets", keyed_nums, num_clock, windower, into=set)
sets_out = op.output("sets_out", sets.down, StdOutSink())
pairs = op.input("pairs", flow, TestingSource([('a', 1), ('b', 2), ('a', 3), ('c', 12), ('c', 11), ('b', 4)]))
keyed_pairs = op.key_on("keyed_pairs", pairs, (lambda _x: 'ALL'))
pair_clock = win.EventClock((lambda kv: fp.add(align_to, (timedelta(seconds=1) * kv[1]))), wait_for_system_duration=timedelta(seconds=345600000000), now_getter=fp.now)
dicts = win.collect_window("dicts", keyed_pairs, pair_clock, windower, into=dict)
dicts_out = op.output("dicts_out", dicts.down, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
