"""The Bytewax 0.21.1 twin of examples/ec2_cpu.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python examples/ec2_cpu.flow from the repository root."""
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import bytewax.operators as op
import bytewax.operators.windowing as win
from bytewax.connectors.files import CSVSource, DirSource, FileSource
from bytewax.connectors.stdio import StdOutSink
from bytewax.dataflow import Dataflow
from bytewax.testing import TestingSource, run_main

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../tests/differential'))
import flowpy as fp  # noqa: E402

RUN = {}

# record Metric: a dict with the fields timestamp, value, instance
# record Stat: a dict with the fields instance, stat, open_time, close_time, value
align_to = datetime(2022, 2, 24, 0, 0, tzinfo=timezone.utc)

flow = Dataflow("ec2_cpu")
inp = op.map("inp_record", op.input("inp", flow, CSVSource(Path('../shared/data/ec2_metrics.csv'))), fp.csv_record([('timestamp', ('name', 'timestamp')), ('value', ('name', 'float')), ('instance', ('name', 'string'))]))
by_instance = op.key_on("by_instance", inp, (lambda m: m['instance']))
clock = win.EventClock((lambda m: m['timestamp']), wait_for_system_duration=timedelta(seconds=0), now_getter=fp.now)
one_minute = win.TumblingWindower(length=timedelta(seconds=60), align_to=align_to)
sums = win.fold_window("sums", by_instance, clock, one_minute, lambda: (0.0, 0), (lambda acc, m: (fp.add(acc[0], m['value']), fp.add(acc[1], 1))), fp.no_merge)
sums_with_meta = fp.with_meta("sums_with_meta", sums.down, timedelta(seconds=60), timedelta(seconds=60), align_to)
means = op.map("means", sums_with_meta, (lambda kv: {'instance': kv[0], 'stat': 'mean_1m', 'open_time': fp.fld(kv[1][0], 'open_time'), 'close_time': fp.fld(kv[1][0], 'close_time'), 'value': (kv[1][1][0] / fp.b_float(kv[1][1][1]))}))
five_minutes = win.SlidingWindower(length=timedelta(seconds=300), offset=timedelta(seconds=60), align_to=align_to)
highest = win.max_window("highest", by_instance, clock, five_minutes, by=(lambda m: m['value']))
highest_with_meta = fp.with_meta("highest_with_meta", highest.down, timedelta(seconds=300), timedelta(seconds=60), align_to)
maxes = op.map("maxes", highest_with_meta, (lambda kv: {'instance': kv[0], 'stat': 'max_5m', 'open_time': fp.fld(kv[1][0], 'open_time'), 'close_time': fp.fld(kv[1][0], 'close_time'), 'value': kv[1][1]['value']}))
stats = op.merge("stats", means, maxes)
out = op.output("out", stats, fp.FormatSink(fp.to_csv([(('instance',), ('name', 'string')), (('stat',), ('name', 'string')), (('open_time',), ('name', 'timestamp')), (('close_time',), ('name', 'timestamp')), (('value',), ('name', 'float'))]), header='instance,stat,open_time,close_time,value'))

if __name__ == "__main__":
    run_main(flow, **RUN)
