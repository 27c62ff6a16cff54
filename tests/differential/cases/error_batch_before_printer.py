"""The Bytewax 0.21.1 twin of tests/differential/cases/error_batch_before_printer.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/error_batch_before_printer.flow from the repository root."""
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


flow = Dataflow("error_batch_before_printer")
inp = op.input("inp", flow, TestingSource([1, 2, 0, 4, 5], batch_size=4))
seen = op.inspect("seen", inp)
inv = op.map("inv", seen, (lambda x: (10 / x)))
out = op.output("out", inv, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
