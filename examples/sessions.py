"""The Bytewax 0.21.1 twin of examples/sessions.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python examples/sessions.flow from the repository root."""
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
fp.CLOCK.pin(datetime(2023, 12, 14, 9, 0, tzinfo=timezone.utc), timedelta(seconds=300))

# record Click: a dict with the fields user, page
# record Session: a dict with the fields start, last, pages
# record Summary: a dict with the fields user, start, end, clicks, pages

def summary(user, s):
    return {'user': user, 'start': s['start'], 'end': s['last'], 'clicks': fp.b_len(s['pages']), 'pages': s['pages']}


flow = Dataflow("sessions")
clicks = op.input("clicks", flow, fp.ClockedSource([{'user': 'ada', 'page': '/home'}, {'user': 'bob', 'page': '/home'}, {'user': 'ada', 'page': '/docs'}, {'user': 'ada', 'page': '/docs/join'}, {'user': 'bob', 'page': '/pricing'}, {'user': 'cy', 'page': '/home'}, {'user': 'cy', 'page': '/blog'}, {'user': 'cy', 'page': '/blog/1'}, {'user': 'cy', 'page': '/blog/2'}, {'user': 'cy', 'page': '/blog/3'}, {'user': 'cy', 'page': '/blog/4'}, {'user': 'ada', 'page': '/home'}, {'user': 'cy', 'page': '/about'}], index=0))
by_user = op.key_on("by_user", clicks, (lambda c: c['user']))
sessions = op.stateful("sessions", by_user, lambda _resume: fp.Logic({'start': fp.now(), 'last': fp.now(), 'pages': []}, on_item=(lambda s, c: ({**s, 'last': fp.now(), 'pages': (s['pages'] + [c['page']])}, [])), on_notify=(lambda s: (None, [s])), on_eof=(lambda s: (None, [s])), notify_at=(lambda s: (s['last'] + timedelta(seconds=1800)))))
summaries = op.map("summaries", sessions, (lambda _p1: (lambda user, s: summary(user, s))(*_p1)))
out = op.output("out", summaries, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
