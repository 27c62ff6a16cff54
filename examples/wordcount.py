"""The Bytewax 0.21.1 twin of examples/wordcount.flow, written by
tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).
`make twins-test` runs both and compares their output; run it alone with
build/bytewax-venv/bin/python examples/wordcount.flow from the repository root."""
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


flow = Dataflow("wordcount")
inp = op.input("inp", flow, FileSource('examples/wordcount.txt'))
lowercase_words = op.map("lowercase_words", inp, (lambda line: fp.b_lower(line)))
tokenize_input = op.flat_map("tokenize_input", lowercase_words, (lambda line: fp.b_findall(line, '[^\\s!,.?":;0-9]+')))
count_words = op.count_final("count_words", tokenize_input, (lambda word: word))
out = op.output("out", count_words, StdOutSink())

if __name__ == "__main__":
    run_main(flow, **RUN)
