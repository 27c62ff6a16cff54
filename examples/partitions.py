"""The Bytewax 0.21.1 twin of examples/partitions.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python examples/partitions.flow from the repository root."""
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../tests/differential'))
import flowpy as fp  # noqa: E402

RUN = {}


flow = Dataflow("partitions")
inp = op.input("inp", flow, DirSource(Path('../shared/data/partitions'), glob_pat='partition-*.txt', batch_size=4))
parsed = op.map("parsed", inp, (lambda line: (fp.b_findall(line, '[a-z]+')[0], fp.b_int(fp.b_findall(line, '[0-9]+')[0]))))
by_word = op.key_on("by_word", parsed, (lambda p: p[0]))
running = op.stateful_map("running", by_word, lambda state, v: (lambda total, p: (fp.add(total, p[1]), (p[1], fp.add(total, p[1]))))(0 if state is None else state, v))
out = op.output("out", running, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
