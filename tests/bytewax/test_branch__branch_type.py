"""The Bytewax 0.21.1 twin of tests/bytewax/test_branch__branch_type.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax/test_branch__branch_type.flow from the repository root."""
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../differential'))
import flowpy as fp  # noqa: E402

RUN = {}

# record IntOrStr: a dict with the fields i, s

flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource([{'i': 1, 's': None}, {'i': None, 's': 'a'}, {'i': 2, 's': None}, {'i': None, 's': 'b'}]))
branch = op.branch("branch", inp, (lambda x: (x['i'] != None)))
ints = op.map("ints", branch.trues, (lambda x: fp.coalesce(x['i'], lambda: 0)))
strs = op.map("strs", branch.falses, (lambda x: fp.coalesce(x['s'], lambda: '')))
out_ints = op.output("out_ints", ints, StdOutSink())
out_strs = op.output("out_strs", strs, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
