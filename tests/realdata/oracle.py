#!/usr/bin/env python3
"""oracle.py EXAMPLE INPUT - what the real-data examples print, computed
from their input with Python alone (no flowc), from the rules in
docs/io.md, docs/windowing.md and docs/semantics.md:

  ec2_cpu     INPUT = ec2_metrics.csv: per instance, the mean of each 1-minute
              tumbling window and the max of each 5-minute sliding window
              (offset 1 minute), windows aligned to 2022-02-24T00:00:00Z,
              as CSV rows (header first, then the rows sorted: the order in
              which windows close is the runtime's business)
  ec2_hot     INPUT = JSON lines: the readings with value >= 90, in input
              order, as JSON with how far over 90 they are
  partitions  INPUT = a directory: partition-*.txt in name order, up to 4
              lines of each per poll; in each poll the items are grouped by
              key (ascending) for stateful_map's running sum per word
"""
import csv
import json
import os
import re
import sys
from datetime import datetime, timedelta, timezone

ALIGN = datetime(2022, 2, 24, tzinfo=timezone.utc)


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def ec2_cpu(path):
    per = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            t = datetime.strptime(row["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
            per.setdefault(row["instance"], []).append((t, float(row["value"])))
    rows = []
    minute, five = timedelta(minutes=1), timedelta(minutes=5)
    for inst, readings in per.items():
        readings.sort(key=lambda r: r[0])   # stable: ties keep file order
        sums = {}
        for t, v in readings:
            k = (t - ALIGN) // minute
            s, n = sums.get(k, (0.0, 0))
            sums[k] = (s + v, n + 1)
        for k, (s, n) in sums.items():
            o = ALIGN + k * minute
            rows.append((inst, "mean_1m", rfc3339(o), rfc3339(o + minute), repr(s / n)))
        maxes = {}
        for t, v in readings:
            last = (t - ALIGN) // minute                 # the newest window holding t
            first = (t - ALIGN - five) // minute + 1     # the oldest
            for k in range(first, last + 1):
                if k not in maxes or v > maxes[k]:
                    maxes[k] = v
        for k, v in maxes.items():
            o = ALIGN + k * minute
            rows.append((inst, "max_5m", rfc3339(o), rfc3339(o + five), repr(v)))
    print("instance,stat,open_time,close_time,value")
    for r in sorted(",".join(r) for r in rows):
        print(r)


def ec2_hot(path):
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            v = float(r["value"])
            if v >= 90.0:
                t = datetime.strptime(r["timestamp"], "%Y-%m-%d %H:%M:%S")
                print(json.dumps({"instance": r["instance"], "at": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                  "cpu": v, "over": v - 90.0}, ensure_ascii=False))


def partitions(path, batch=4):
    names = sorted(n for n in os.listdir(path) if re.fullmatch(r"partition-.*\.txt", n))
    files = []
    for n in names:
        with open(os.path.join(path, n), encoding="utf-8") as f:
            text = f.read()
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        files.append(lines)
    totals = {}
    pos = [0] * len(files)
    while any(pos[i] < len(files[i]) for i in range(len(files))):
        polled = []
        for i, lines in enumerate(files):
            polled += lines[pos[i]:pos[i] + batch]
            pos[i] += batch
        items = []
        for line in polled:
            word = re.findall(r"[a-z]+", line)[0]
            n = int(re.findall(r"[0-9]+", line)[0])
            items.append((word, n))
        for word, n in sorted(items, key=lambda x: x[0].encode()):   # stable
            totals[word] = totals.get(word, 0) + n
            print((word, (n, totals[word])))


if __name__ == "__main__":
    {"ec2_cpu": ec2_cpu, "ec2_hot": ec2_hot, "partitions": partitions}[sys.argv[1]](sys.argv[2])
