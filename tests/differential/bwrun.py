#!/usr/bin/env python3
"""bwrun - runs Bytewax twins (written by flow2py.py) in one Python process.

    bwrun.py --out DIR TWIN.py...        (or --list FILE, one path a line)

For each TWIN.py: runs its dataflow with bytewax.testing.run_main (the
options in its RUN dict), from the twin's folder, with sys.stdout captured,
and writes DIR/NAME.out (what StdOutSink and inspect printed) and
DIR/NAME.status: `ok`, or `error STEP TYPE: MESSAGE` when the run raised
(STEP is the step Bytewax names, TYPE and MESSAGE the innermost Python
exception), or `crash TYPE: MESSAGE` when the twin itself could not be
built. A process start costs ~0.2 s; a dataflow here ~1 ms.
"""

import io
import os
import re
import signal
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import flowpy  # noqa: E402  (also points SystemClock at flowpy.CLOCK)
from bytewax.testing import run_main  # noqa: E402

TIMEOUT = float(os.environ.get("BWRUN_TIMEOUT", "20"))


class Timeout(Exception):
    pass


def _alarm(_sig, _frame):
    raise Timeout("the dataflow ran for more than %g s" % TIMEOUT)


def innermost(e):
    seen = set()
    while id(e) not in seen:
        seen.add(id(e))
        nxt = e.__cause__ or e.__context__
        if nxt is None:
            break
        e = nxt
    return e


def run_one(path, cwd=None):
    name = os.path.splitext(os.path.basename(path))[0]
    src = open(path, encoding="utf-8").read()
    flowpy.CLOCK.pin(None)
    flowpy.ROUNDS.reset()
    g = {"__name__": "twin", "__file__": os.path.abspath(path)}
    here = os.getcwd()
    buf = io.StringIO()
    old = sys.stdout
    status = "ok"
    try:
        os.chdir(cwd or os.path.dirname(os.path.abspath(path)))
        try:
            exec(compile(src, path, "exec"), g)
        except Exception as e:
            return name, "", "crash %s: %s" % (type(e).__name__, str(e).replace("\n", " "))
        sys.stdout = buf
        signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
        try:
            run_main(g["flow"], **g.get("RUN", {}))
        except BaseException as e:  # noqa: B902 - Bytewax wraps user errors
            # "error calling `mapper` in step "FLOW.STEP..."", or the
            # message of the `raises` operator itself
            root = innermost(e)
            # (a StatefulBatchLogic callback: 'in "FLOW.STEP.stateful_batch" for key')
            m = re.search(r'in (?:step )?"([^"]+)"', str(e)) or re.search(r"`raises` step '([^']+)'", str(root))
            msg = str(root).replace("\n", " ")
            status = "error %s %s: %s" % (m.group(1) if m else "?", type(root).__name__, msg)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        sys.stdout = old
        os.chdir(here)
    return name, buf.getvalue(), status


def main():
    args = sys.argv[1:]
    out = None
    paths = []
    while args:
        a = args.pop(0)
        if a == "--out":
            out = args.pop(0)
        elif a == "--list":
            with open(args.pop(0)) as f:
                paths += [ln.strip() for ln in f if ln.strip()]
        else:
            paths.append(a)
    if out is None:
        print(__doc__, file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    signal.signal(signal.SIGALRM, _alarm)
    # Bytewax's Rust side prints panics on fd 2: keep them out of the log.
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved_err = os.dup(2)
    os.dup2(devnull, 2)
    try:
        for p in paths:
            try:
                name, text, status = run_one(p)
            except Exception:
                name = os.path.splitext(os.path.basename(p))[0]
                text, status = "", "crash " + traceback.format_exc().replace("\n", " | ")
            with open(os.path.join(out, name + ".out"), "w", encoding="utf-8",
                      errors="surrogateescape") as f:
                f.write(text)
            with open(os.path.join(out, name + ".status"), "w") as f:
                f.write(status + "\n")
    finally:
        os.dup2(saved_err, 2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
