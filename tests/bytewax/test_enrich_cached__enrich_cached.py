"""The Bytewax 0.21.1 twin of tests/bytewax/test_enrich_cached__enrich_cached.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax/test_enrich_cached__enrich_cached.flow from the repository root."""
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

lookup = {'a': 1, 'b': 2}

flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource(['a', 'b', 'a']))
enrich = op.enrich_cached("enrich", inp, (lambda item: lookup[item]), (lambda cache, item: cache.get(item)))
out = op.output("out", enrich, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
