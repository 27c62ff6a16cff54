"""The Bytewax 0.21.1 twin of examples/running_sum.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python examples/running_sum.flow from the repository root."""
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../tests/differential'))
import flowpy as fp  # noqa: E402

RUN = {}


flow = Dataflow("running_sum")
points_a = op.input("points_a", flow, TestingSource([2, 2, 3, 2, 3, 3]))
points_b = op.input("points_b", flow, TestingSource([2, 3, 2, 2, 2, 2]))
key_a = op.key_on("key_a", points_a, (lambda _p1: 'A'))
key_b = op.key_on("key_b", points_b, (lambda _p2: 'B'))
points = op.merge("points", key_a, key_b)
running_sum = op.stateful_map("running_sum", points, lambda state, v: (lambda sum, pts: (fp.add(sum, pts), fp.add(sum, pts)))(0 if state is None else state, v))
out = op.output("out", running_sum, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
