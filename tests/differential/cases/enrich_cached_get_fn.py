"""The Bytewax 0.21.1 twin of tests/differential/cases/enrich_cached_get_fn.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/enrich_cached_get_fn.flow from the repository root."""
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

sizes = {'a': 1, 'bb': 2}

flow = Dataflow("enrich_cached_get_fn")
inp = op.input("inp", flow, TestingSource([-2, 3, -2]))
named = op.enrich_cached("named", inp, (lambda k: fp.coalesce(fp.b_get(sizes, k), lambda: 0)), (lambda cache, x: (x, fp.b_get(cache, 'tab\there'), cache.get('bb'))))
halves = op.enrich_cached("halves", named, (lambda k: fp.floordiv(k, 2)), (lambda cache, t: fp.add(fp.b_get(cache, t[0]), cache.get(t[2]))))
out = op.output("out", halves, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
