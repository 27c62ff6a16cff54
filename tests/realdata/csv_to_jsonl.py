#!/usr/bin/env python3
"""csv_to_jsonl.py CSV [EVERY] - the EC2 metrics CSV (index,timestamp,value,
instance) as JSON lines on stdout, one object per row with the value as a
JSON number and the other cells as they are (index an int); with EVERY,
only the rows whose index is a multiple of EVERY. Used by tests/realdata
to make the JSON-lines input of examples/ec2_hot.flow, and to make
examples/data/ec2_sample.jsonl (EVERY = 336)."""
import csv
import json
import sys

every = int(sys.argv[2]) if len(sys.argv) > 2 else 1
with open(sys.argv[1], newline="") as f:
    for row in csv.DictReader(f):
        if int(row["index"]) % every:
            continue
        print(json.dumps({"index": int(row["index"]), "timestamp": row["timestamp"],
                          "value": float(row["value"]), "instance": row["instance"]}))
