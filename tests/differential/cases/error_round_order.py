"""The Bytewax 0.21.1 twin of tests/differential/cases/error_round_order.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/error_round_order.flow from the repository root."""
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import flowpy as fp  # noqa: E402

RUN = {}


flow = Dataflow("error_round_order")
a = op.input("a", flow, TestingSource([1, 0, 3]))
b = op.input("b", flow, TestingSource([5, 6, 7]))
seen = op.inspect("seen", b)
inv = op.map("inv", a, (lambda x: fp.floordiv(10, x)))
out = op.output("out", inv, StdOutSink())
c = op.input("c", flow, TestingSource([8, 9]))
out_c = op.output("out_c", c, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
