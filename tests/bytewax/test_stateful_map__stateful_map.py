"""The Bytewax 0.21.1 twin of tests/bytewax/test_stateful_map__stateful_map.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax/test_stateful_map__stateful_map.flow from the repository root."""
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


flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource([2, 5, 8, 1, 3]))
key = op.key_on("key", inp, (lambda _x: 'ALL'))
running_mean = op.stateful_map("running_mean", key, lambda state, v: (lambda last_3, new: (lambda last_3: (lambda last_3: (last_3, (fp.b_sum(last_3) / fp.b_len(last_3))))(([last_3[0]] if (fp.b_len(last_3) > 3) else last_3)))((last_3 + [new])))([] if state is None else state, v))
out = op.output("out", running_mean, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
