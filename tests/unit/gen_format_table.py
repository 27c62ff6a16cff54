#!/usr/bin/env python3
"""gen_format_table.py - writes tests/unit/format_table.jsonl, the table
test_format.c checks runtime/src/format.c against: Python's format(value,
spec) for every format spec of at most two parts ([[fill]align], sign,
z, #, 0, width, grouping, .precision, type) and a random sample of fuller
ones, for each kind of value (int, float, str), and CPython's error
message for each spec it rejects.

    python3 tests/unit/gen_format_table.py     # rewrites the table

Each line is a JSON array [kind, spec, value, result, error]: kind "i"
(int), "f" (float) or "s" (str); value an int, a float as float.hex()
(or "inf", "-inf", "nan"), a str; result the string Python's format()
returns, or null when it raises; error then its message. The output is
deterministic (a fixed random seed).
"""
import itertools
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))

INTS = [0, 1, -1, 7, 42, -42, 255, 1234, -1234567, 65, 2 ** 31, 10 ** 15 + 7, -(2 ** 63), 2 ** 63 - 1, 0x10FFFF]
FLOATS = [0.0, -0.0, 1.0, -1.5, 0.1, 2.675, 0.125, 1234.5678, -1234567.891, 1e16, 1.5e-7, 123456789.125,
          1e300, 5e-324, 0.5, 9.995, 1e-5, 99999.5, 3.0e22, float("inf"), float("-inf"), float("nan"), -0.0004]
STRS = ["", "a", "abc", "héllo", "😀x", "a longer string", "tab\there"]

FILLS = ["", "<", ">", "^", "=", "*<", "*>", "*^", "*=", "0=", "0<", "é^", " >"]
SIGNS = ["", "+", "-", " "]
ZS = ["", "z"]
ALTS = ["", "#"]
ZEROS = ["", "0"]
WIDTHS = ["", "1", "7", "12", "25"]
GROUPS = ["", ",", "_"]
PRECS = ["", ".0", ".1", ".2", ".3", ".6", ".12", ".17"]
TYPES = {
    "i": ["", "b", "c", "d", "o", "x", "X", "n", "e", "f", "g", "%", "E", "F", "G", "s"],
    "f": ["", "e", "E", "f", "F", "g", "G", "n", "%", "d", "x"],
    "s": ["", "s", "d"],
}


def fmt_value(kind, v):
    if kind == "f":
        if v != v:
            return "nan"
        if v in (float("inf"), float("-inf")):
            return "inf" if v > 0 else "-inf"
        return v.hex()
    return v


def main():
    rnd = random.Random(17)
    rows = []
    seen = set()
    for kind, values in (("i", INTS), ("f", FLOATS), ("s", STRS)):
        parts = [FILLS, SIGNS, ZS, ALTS, ZEROS, WIDTHS, GROUPS, PRECS, TYPES[kind]]
        # every spec of at most two parts, and a random sample of fuller ones
        chosen = []
        for a, b in itertools.combinations(range(len(parts)), 2):
            for x in parts[a][1:]:
                for y in parts[b][1:] + [""]:
                    comps = [""] * len(parts)
                    comps[a], comps[b] = x, y
                    chosen.append("".join(comps))
        chosen += ["".join(rnd.choice(p) for p in parts) for _ in range(700)]
        chosen = [""] + chosen
        for spec in chosen:
            if (kind, spec) in seen:
                continue
            seen.add((kind, spec))
            vals = values if spec == "" or len(spec) == 1 else rnd.sample(values, 2)
            for i, v in enumerate(vals):
                try:
                    res, err = format(v, spec), None
                except (ValueError, OverflowError) as e:
                    res, err = None, str(e)
                    if "%c arg" not in err and i > 0:
                        continue   # a spec's error: once is enough
                rows.append([kind, spec, fmt_value(kind, v), res, err])
    with open(os.path.join(HERE, "format_table.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("wrote %d rows" % len(rows))


if __name__ == "__main__":
    main()
