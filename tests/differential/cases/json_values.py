"""The Bytewax 0.21.1 twin of tests/differential/cases/json_values.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/json_values.flow from the repository root."""
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


flow = Dataflow("json_values")
events = op.input("events", flow, TestingSource([fp.b_parse_json('{"user": "ann", "n": 3, "tags": ["home", "cart"], "score": 2.50, "ok": true, "note": null}'), fp.b_parse_json('{"user": "bob", "n": 12345678901234567890123, "tags": [], "score": 1e3, "ok": false, "meta": {"k": [1, {"z": "it\'s"}], "e": {}}}'), fp.b_parse_json('  {"user":"ann","n":-0,"a":1,"tags":["help"],"a":2,"b":"\\u00e9\\t\\"q\\" \\ud83d\\ude00","score":NaN,"ok":1}'), fp.b_parse_json('{"user": "cat", "n": "17", "tags": ["x", "x"], "score": -Infinity, "ok": "", "big": 1E400, "small": 5e-324}'), fp.b_parse_json('[1, 2.5, null]')]))
objs = op.filter("objs", events, (lambda j: ('user' in j)))
all = op.output("all", events, StdOutSink())
fields = op.map("fields", objs, (lambda j: (j['user'], j['tags'], j.get('note'), fp.b_get(j, 'zz', 0), j.get('zz', 'd'), fp.b_len(j), ('a' in j), ('meta' not in j), fp.b_keys(j)[-1], fp.b_values(j)[0], fp.b_items(j)[1])))
o1 = op.output("o1", fields, StdOutSink())
conv = op.map("conv", objs, (lambda j: (fp.b_str(j['user']), fp.b_str(j['n']), fp.b_float(j['score']), fp.b_bool(j['ok']), fp.b_len(j['tags']), (j['tags'] == fp.b_parse_json('["home", "cart"]')), (j['n'] == fp.b_json(3)), fp.b_dumps(j['tags']))))
o2 = op.output("o2", conv, StdOutSink())
tags = op.flat_map("tags", objs, (lambda j: j['tags']))
o3 = op.output("o3", tags, StdOutSink())
ks = op.flat_map("ks", events, (lambda j: j))
o4 = op.output("o4", ks, StdOutSink())
keyed = op.key_on("keyed", objs, (lambda j: fp.b_str(j['user'])))
seen = op.stateful_map("seen", keyed, lambda state, v: (lambda acc, j: (lambda s: (s, (s, (s == fp.b_json(1.0)), (fp.b_json(1) in j['tags']), ('x' in j['tags']), ('a' in j['user']))))(fp.b_json(fp.add(fp.b_int(acc), 1))))(fp.b_json(0) if state is None else state, v))
o5 = op.output("o5", seen, StdOutSink())
hist = op.stateful_map("hist", keyed, lambda state, v: (lambda acc, j: ((acc + [j['score']]), (acc + [j['score']])))([] if state is None else state, v))
o6 = op.output("o6", hist, StdOutSink())
deep = op.map("deep", objs, (lambda j: (j['meta']['k'][-1]['z'] if ((fp.b_str(j['user']) == 'bob') or (fp.b_str(j['user']) == 'cat')) else fp.b_json('-'))))
o7 = op.output("o7", deep, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
