"""The Bytewax 0.21.1 twin of tests/bytewax/test_max_min_final__max_final.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax/test_max_min_final__max_final.flow from the repository root."""
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

# record Event: a dict with the fields user, val

flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource([{'user': 'a', 'val': 1}, {'user': 'a', 'val': 9}, {'user': 'a', 'val': 3}]))
key_on_user = op.key_on("key_on_user", inp, (lambda e: e['user']))
max = op.max_final("max", key_on_user, by=(lambda e: e['val']))
out = op.output("out", max, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
