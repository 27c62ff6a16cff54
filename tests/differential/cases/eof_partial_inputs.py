"""The Bytewax 0.21.1 twin of tests/differential/cases/eof_partial_inputs.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/eof_partial_inputs.flow from the repository root."""
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


flow = Dataflow("eof_partial_inputs")
a = op.input("a", flow, TestingSource([1, 2]))
keyed = op.key_on("keyed", a, (lambda _p1: 'k'))
total = op.fold_final("total", keyed, lambda: 0, (lambda s, x: fp.add(s, x)))
out_a = op.output("out_a", total, StdOutSink())
b = op.input("b", flow, TestingSource([10, 20, 30, 40, 50, 60, 70, 80]))
out_b = op.output("out_b", b, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
