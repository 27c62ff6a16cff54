"""The Bytewax 0.21.1 twin of examples/join_logins.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python examples/join_logins.flow from the repository root."""
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

# record Login: a dict with the fields at, device

flow = Dataflow("join_logins")
users = op.input("users", flow, FileSource('examples/data/users.txt'))
logins = op.input("logins", flow, FileSource('examples/data/logins.txt'))
user_fields = op.map("user_fields", users, (lambda line: fp.b_split(line, ',')))
keyed_users = op.key_on("keyed_users", user_fields, (lambda f: f[0]))
names = op.map_value("names", keyed_users, (lambda f: f[1]))
login_fields = op.map("login_fields", logins, (lambda line: fp.b_split(line, ',')))
keyed_logins = op.key_on("keyed_logins", login_fields, (lambda f: f[0]))
last_login = op.map_value("last_login", keyed_logins, (lambda f: {'at': fp.b_timestamp(f[1]), 'device': f[2]}))
joined = op.join("joined", names, last_login, insert_mode='last', emit_mode='final')
report = op.map_value("report", joined, (lambda _p1: (lambda name, login: (fp.coalesce(name, lambda: '<unknown user>'), fp.coalesce(fp.optfld(login, 'device'), lambda: 'never logged in')))(*_p1)))
out = op.output("out", report, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
