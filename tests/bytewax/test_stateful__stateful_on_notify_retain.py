"""The Bytewax 0.21.1 twin of tests/bytewax/test_stateful__stateful_on_notify_retain.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/bytewax/test_stateful__stateful_on_notify_retain.flow from the repository root."""
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
fp.CLOCK.pin(datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc), timedelta(seconds=1))

# record Logic: a dict with the fields state, notify_at

flow = Dataflow("test_df")
inp = op.input("inp", flow, fp.ClockedSource([1, 2, TestingSource.ABORT()], index=0))
key = op.key_on("key", inp, (lambda _x: 'ALL'))
stateful = op.stateful("stateful", key, lambda _resume: fp.Logic({'state': 'NEW', 'notify_at': None}, on_item=(lambda s, _value: ({**s, 'state': 'ITEM', 'notify_at': fp.now()}, [(s['state'], 'ITEM')])), on_notify=(lambda s: ({**s, 'state': 'NOTIFY', 'notify_at': None}, [(s['state'], 'NOTIFY')])), on_eof=(lambda s: ({**s, 'state': 'EOF'}, [(s['state'], 'EOF')])), notify_at=(lambda s: s['notify_at'])))
out = op.output("out", stateful, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
