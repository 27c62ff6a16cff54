"""The Bytewax 0.21.1 twin of tests/differential/cases/nan_in_container_eq.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/nan_in_container_eq.flow from the repository root."""
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


flow = Dataflow("nan_in_container_eq")
inp = op.input("inp", flow, TestingSource([[fp.b_float('nan'), 1.0], [2.0]]))
same = op.map("same", inp, (lambda x: (x, (x == x), (x[0] == x[0]))))
out = op.output("out", same, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
