"""The Bytewax 0.21.1 twin of tests/differential/cases/eof_two_finals.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/eof_two_finals.flow from the repository root."""
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


flow = Dataflow("eof_two_finals")
inp = op.input("inp", flow, TestingSource(['a', 'bb']))
keyed = op.key_on("keyed", inp, (lambda w: w))
lens = op.map_value("lens", keyed, (lambda w: fp.b_len(w)))
total = op.fold_final("total", lens, lambda: 0, (lambda acc, n: fp.add(acc, n)))
firsts = op.fold_final("firsts", keyed, lambda: '', (lambda acc, w: fp.add(acc, w)))
out = op.output("out", total, StdOutSink())
out2 = op.output("out2", firsts, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
