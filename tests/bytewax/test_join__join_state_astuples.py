"""The Bytewax 0.21.1 twin of tests/bytewax/test_join__join_state_astuples.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax/test_join__join_state_astuples.flow from the repository root."""
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
inp_0 = op.input("inp_0", flow, TestingSource([1, 2]))
key_0 = op.key_on("key_0", inp_0, (lambda _p1: 'ALL'))
inp_1 = op.input("inp_1", flow, TestingSource([]))
key_1 = op.key_on("key_1", inp_1, (lambda _p2: 'ALL'))
inp_2 = op.input("inp_2", flow, TestingSource([3, 4]))
key_2 = op.key_on("key_2", inp_2, (lambda _p3: 'ALL'))
join = op.join("join", key_0, key_1, key_2, insert_mode='product', emit_mode='final')
unkey = op.key_rm("unkey", join)
out = op.output("out", unkey, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
