"""The Bytewax 0.21.1 twin of tests/bytewax/test_join__join_last_final.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax/test_join__join_last_final.flow from the repository root."""
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


flow = Dataflow("test_df")
inp_l = op.input("inp_l", flow, TestingSource([1]))
key_l = op.key_on("key_l", inp_l, (lambda _p1: 'ALL'))
inp_r = op.input("inp_r", flow, TestingSource([2, 3]))
key_r = op.key_on("key_r", inp_r, (lambda _p2: 'ALL'))
join = op.join("join", key_l, key_r, insert_mode='last', emit_mode='final')
unkey = op.key_rm("unkey", join)
out = op.output("out", unkey, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
