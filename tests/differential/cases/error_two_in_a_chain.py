"""The Bytewax 0.21.1 twin of tests/differential/cases/error_two_in_a_chain.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/error_two_in_a_chain.flow from the repository root."""
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


flow = Dataflow("error_two_in_a_chain")
inp = op.input("inp", flow, TestingSource([0, 1], batch_size=2))
first = op.map("first", inp, (lambda x: fp.floordiv(10, fp.sub(1, x))))
second = op.map("second", first, (lambda y: fp.floordiv(100, fp.sub(y, 10))))
out = op.output("out", second, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
