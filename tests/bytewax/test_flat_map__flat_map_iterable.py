"""The Bytewax 0.21.1 twin of tests/bytewax/test_flat_map__flat_map_iterable.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax/test_flat_map__flat_map_iterable.flow from the repository root."""
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


def repeat_val(val, count):
    return ([] if (count <= 0) else ([val] + repeat_val(val, fp.sub(count, 1))))


flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource([('a', 2), ('b', 4)]))
repeat = op.flat_map("repeat", inp, (lambda _p1: (lambda val, count: repeat_val(val, count))(*_p1)))
out = op.output("out", repeat, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
