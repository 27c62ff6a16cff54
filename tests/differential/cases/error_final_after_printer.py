"""The Bytewax 0.21.1 twin of tests/differential/cases/error_final_after_printer.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/error_final_after_printer.flow from the repository root."""
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


flow = Dataflow("error_final_after_printer")
a = op.input("a", flow, TestingSource([9223372036854775792]))
b = op.input("b", flow, TestingSource([9223372036854775792]))
c = op.input("c", flow, TestingSource([1, 2], batch_size=2))
both = op.merge("both", a, b, c)
keyed = op.key_on("keyed", both, (lambda _p1: 'k'))
seen = op.inspect("seen", keyed)
total = op.reduce_final("total", seen, (lambda x, y: fp.add(x, y)))
out = op.output("out", total, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
