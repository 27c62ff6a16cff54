"""The Bytewax 0.21.1 twin of tests/differential/cases/json_lines.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python tests/differential/cases/json_lines.flow from the repository root."""
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


flow = Dataflow("json_lines")
events = op.flat_map("events_json", op.input("events", flow, FileSource('data/events.jsonl')), fp.json_line)
all = op.output("all", events, StdOutSink())
fields = op.map("fields", events, (lambda j: (j['user'], j['tags'], j.get('note'), fp.b_get(j, 'zz', 0), fp.b_get(j, 'zz', 'd'), j.get('ok', False), fp.b_len(j), ('a' in j), ('meta' not in j))))
o1 = op.output("o1", fields, StdOutSink())
conv = op.map("conv", events, (lambda j: (fp.b_str(j['user']), fp.b_str(j['n']), fp.b_float(j['score']), fp.b_bool(j['ok']), fp.b_len(j['tags']), (j['tags'] == fp.b_parse_json('["home", "cart"]')), (j['n'] == fp.b_json(3)))))
o2 = op.output("o2", conv, StdOutSink())
nums = op.map("nums", events, (lambda j: (0 if (j['user'] == fp.b_json('bob')) else fp.add(fp.b_int(j['n']), 1))))
o3 = op.output("o3", nums, StdOutSink())
views = op.map("views", events, (lambda j: (fp.b_keys(j), fp.b_values(j)[0], fp.b_items(j)[1], fp.b_keys(j)[-1])))
o4 = op.output("o4", views, StdOutSink())
tags = op.flat_map("tags", events, (lambda j: j['tags']))
o5 = op.output("o5", tags, StdOutSink())
ks = op.flat_map("ks", events, (lambda j: j))
o6 = op.output("o6", ks, StdOutSink())
deep = op.filter_map("deep", events, (lambda j: (j['meta']['k'][-1]['z'] if ('meta' in j) else fp.b_json(fp.coalesce(None, lambda: 'none')))))
o7 = op.output("o7", deep, StdOutSink())
fs = op.map("fs", events, (lambda j: (lambda u: (lambda t: (lambda sc: (format(u, '') + ': ' + format(repr(t), '') + ' ' + format(sc, '') + ' ' + format(fp.b_float(sc), '.1f') + ' ' + format(j, '')))(j['score']))(j['tags']))(j['user'])))
o8 = op.output("o8", fs, StdOutSink())
keyed = op.key_on("keyed", events, (lambda j: fp.b_str(j['user'])))
seen = op.stateful_map("seen", keyed, lambda state, v: (lambda acc, j: (lambda n: (lambda s: (s, (s, (s['n'] == fp.b_json(1.0)), (fp.b_json(1) in j['tags']), ('x' in j['tags']), ('a' in j['user']))))(fp.b_parse_json(('{"n": ' + format(n, '') + ', "last": ' + format(fp.b_len(j), '') + '}'))))(fp.add(fp.b_int(acc['n']), 1)))(fp.b_parse_json('{"n": 0, "last": null}') if state is None else state, v))
o9 = op.output("o9", seen, StdOutSink())
made = op.map("made", events, (lambda j: [fp.b_json(1), fp.b_json(2.5), fp.b_json('é\n'), fp.b_json(True), fp.b_json(1e+22), fp.b_json(-0.0), fp.b_json(float("inf")), fp.b_parse_json(' [ ] '), fp.b_parse_json('{"a": [1, 2], "a": {}, "b": 1}')]))
o10 = op.output("o10", made, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
