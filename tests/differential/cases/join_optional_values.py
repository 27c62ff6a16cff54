"""The Bytewax 0.21.1 twin of tests/differential/cases/join_optional_values.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/join_optional_values.flow from the repository root."""
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


flow = Dataflow("join_optional_values")
a = op.input("a", flow, TestingSource([1, 2]))
ka = op.key_on("ka", a, (lambda _p1: 'k'))
b = op.input("b", flow, TestingSource([3, None]))
kb = op.key_on("kb", b, (lambda _p2: 'k'))
j = op.join("j", ka, kb, emit_mode='running')
out = op.output("out", j, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
