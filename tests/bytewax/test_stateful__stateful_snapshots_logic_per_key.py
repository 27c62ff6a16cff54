"""The Bytewax 0.21.1 twin of tests/bytewax/test_stateful__stateful_snapshots_logic_per_key.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax/test_stateful__stateful_snapshots_logic_per_key.flow from the repository root."""
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

RUN = {'epoch_interval': timedelta(seconds=0)}

# record Last: a dict with the fields value

flow = Dataflow("test_df")
inp = op.input("inp", flow, TestingSource([('a', 'a1'), ('b', 'b1'), TestingSource.ABORT(), ('a', 'a2'), ('b', 'b2')]))
stateful = op.stateful("stateful", inp, lambda _resume: fp.Logic({'value': None}, on_item=(lambda s, value: ((None if (value == 'DISCARD') else {'value': value}), [(s['value'], value)])), on_notify=(lambda s: (s, [])), on_eof=(lambda s: (s, [])), notify_at=(lambda _s: None)))
out = op.output("out", stateful, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
