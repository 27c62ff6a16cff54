"""The Bytewax 0.21.1 twin of examples/1brc.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python examples/1brc.flow from the repository root."""
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

# record Stats: a dict with the fields min, max, sum, count

flow = Dataflow("brc")
inp = op.input("inp", flow, FileSource('examples/data/measurements.txt', batch_size=4096))
keyed = op.map("keyed", inp, (lambda line: (lambda parts: (lambda x: (parts[0], {'min': x, 'max': x, 'sum': x, 'count': 1}))(fp.b_float(parts[1])))(fp.b_split(line, ';'))))
reduce = op.reduce_final("reduce", keyed, (lambda a, b: {'min': fp.b_min(a['min'], b['min']), 'max': fp.b_max(a['max'], b['max']), 'sum': fp.add(a['sum'], b['sum']), 'count': fp.add(a['count'], b['count'])}))
fmt = op.map("fmt", reduce, (lambda _p1: (lambda key, s: (format(key, '') + '=' + format(s['min'], '.1f') + '/' + format(s['max'], '.1f') + '/' + format((s['sum'] / fp.b_float(s['count'])), '.1f')))(*_p1)))
out = op.output("out", fmt, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
