"""The Bytewax 0.21.1 twin of examples/ec2_hot.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python examples/ec2_hot.flow from the repository root."""
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

# record Reading: a dict with the fields timestamp, value, instance
# record Hot: a dict with the fields instance, at, cpu, over

flow = Dataflow("ec2_hot")
inp = op.filter_map("inp_record", op.input("inp", flow, FileSource('examples/data/ec2_sample.jsonl')), fp.jsonl_record([('timestamp', ('name', 'timestamp')), ('value', ('name', 'float')), ('instance', ('name', 'string'))]))
hot = op.filter("hot", inp, (lambda r: (r['value'] >= 90.0)))
marked = op.map("marked", hot, (lambda r: {'instance': r['instance'], 'at': r['timestamp'], 'cpu': r['value'], 'over': (r['value'] - 90.0)}))
out = op.output("out", marked, fp.FormatSink(fp.to_json))

if __name__ == "__main__":
    run_main(flow, **RUN)
