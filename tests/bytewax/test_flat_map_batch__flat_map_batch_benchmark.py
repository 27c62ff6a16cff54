"""The Bytewax 0.21.1 twin of tests/bytewax/test_flat_map_batch__flat_map_batch_benchmark.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax/test_flat_map_batch__flat_map_batch_benchmark.flow from the repository root."""
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


flow = Dataflow("flat_map_batch")
inp = op.input("inp", flow, TestingSource(range(100000), batch_size=10))
flat_map = op.flat_map_batch("flat_map", inp, (lambda xs: xs))
out = op.output("out", flat_map, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
