#!/usr/bin/env python3
"""wordcount_oracle.py - the oracle for examples/wordcount.expected.

Bytewax's wordcount in plain Python: lines split on '\\n', each lowercased,
words found with re.findall(r'[^\\s!,.?":;0-9]+'), counted, printed as
str((word, count)) in ascending UTF-8 byte order of the words (the order in
which count_final emits its keys at EOF).

    python3 tests/examples/wordcount_oracle.py examples/wordcount.txt > examples/wordcount.expected
"""
import collections
import re
import sys

counts = collections.Counter()
with open(sys.argv[1], "rb") as f:
    lines = f.read().decode("utf-8").split("\n")
if lines and lines[-1] == "":
    lines.pop()
for line in lines:
    counts.update(re.findall(r'[^\s!,.?":;0-9]+', line.lower()))
for word in sorted(counts, key=lambda w: w.encode("utf-8")):
    sys.stdout.write(str((word, counts[word])) + "\n")
