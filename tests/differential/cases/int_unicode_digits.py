"""The Bytewax 0.21.1 twin of tests/differential/cases/int_unicode_digits.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/int_unicode_digits.flow from the repository root."""
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


flow = Dataflow("int_unicode_digits")
inp = op.input("inp", flow, TestingSource(['٣', '12', ' -٣٤ ', '１_２']))
n = op.map("n", inp, (lambda s: fp.b_int(s)))
out = op.output("out", n, StdOutSink())
f = op.map("f", inp, (lambda s: (fp.b_float(s) + 0.5)))
out_f = op.output("out_f", f, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
