#!/usr/bin/env python3
"""make_expected.py - write tests/run/NAME.expected (and NAME.stderr,
NAME.status for run-time error cases) from the oracle in cases.py.

    python3 tests/run/gen/make_expected.py          # every case
    python3 tests/run/gen/make_expected.py NAME...  # some cases
    python3 tests/run/gen/make_expected.py --check  # compare, write nothing

Never produce expected files by running flowc: this script and flowsim.py
are the independent oracle the compiler is measured against.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import CASES, RUN  # noqa: E402


def files_for(name):
    f = CASES[name]().run()
    out = {name + ".expected": f.stdout()}
    if f.status:
        out[name + ".stderr"] = f.err
        out[name + ".status"] = "%d\n" % f.status
    return out


def main(argv):
    check = "--check" in argv
    names = [a for a in argv if not a.startswith("--")] or sorted(CASES)
    bad = 0
    flows = sorted(n[:-5] for n in os.listdir(RUN) if n.endswith(".flow"))
    missing = [n for n in flows if n not in CASES]
    for n in missing:
        print("no oracle for %s.flow" % n)
        bad += 1
    for name in names:
        if not os.path.exists(os.path.join(RUN, name + ".flow")):
            print("no %s.flow for oracle case %s" % (name, name))
            bad += 1
            continue
        for fname, text in files_for(name).items():
            path = os.path.join(RUN, fname)
            old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
            if old == text:
                continue
            if check:
                print("out of date: %s" % fname)
                bad += 1
            else:
                with open(path, "w", encoding="utf-8") as fp:
                    fp.write(text)
                print("wrote %s" % fname)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
