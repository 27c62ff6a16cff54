#!/usr/bin/env python3
"""harness - flowc against the real Bytewax 0.21.1, byte for byte.

Runs under the Python of the Bytewax virtual environment that `make deps`
makes (build/bytewax-venv). Modes:

  harness.py random [--n N] [--seed S] [--jobs J] [--keep DIR] [--no-reduce]
      (--keep: the failing programs go to DIR, not to a temporary folder)
      N random programs from gen.py (seeds S..S+N-1): each is compiled by
      flowc and run, its twin (flow2py.py) run by Bytewax in this process,
      and the two stdouts compared byte for byte. When Bytewax raises, flowc
      must stop with `error: step 'FLOW.STEP'` on the same step, after the
      same output. A failing case prints both programs and the diff, and is
      reduced (delta debugging over steps and input items) to a small one.
  harness.py twins DIR...
      every NAME.flow with a NAME.py twin beside it (examples, tests/bytewax,
      tests/bytewax_windowing, tests/differential/cases): the twin must be
      what flow2py.py writes, and flowc's stdout, Bytewax's stdout and
      NAME.expected must agree; where NAME.bytewax exists (a documented
      difference), Bytewax must print it instead.
  harness.py reduce PROG.flow [--args '...']
      reduce one failing program.

Ends with "N passed, N failed".
"""

import concurrent.futures as cf
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import flow2py  # noqa: E402
import gen  # noqa: E402

FLOWC = os.environ.get("FLOWC", os.path.join(ROOT, "build", "flowc"))
# a guard against a hung program, not a time limit: each runs in well under
# a second, but under a load of 15 on two cores one took over 20 s (seed
# 1001879 of the second 20,000 run; it passes alone)
RUN_TIMEOUT = 60


# ---------------------------------------------------------------- running

class Result:
    def __init__(self, out, status, step=None, kind=None, msg=""):
        self.out = out          # stdout text
        self.status = status    # ok | error | compile | crash | timeout | notwin
        self.step = step        # the failing step, for errors
        self.kind = kind
        self.msg = msg


def run_flowc(flow_path, argv, workdir, cwd=None):
    exe = os.path.join(workdir, os.path.basename(flow_path)[:-5] + ".bin")
    cc = subprocess.run([FLOWC, flow_path, "-o", exe], capture_output=True, text=True)
    if cc.returncode != 0:
        return Result("", "compile", msg=cc.stderr + cc.stdout)
    try:
        p = subprocess.run([exe] + argv, capture_output=True, cwd=cwd or os.path.dirname(flow_path),
                           stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return Result("", "timeout")
    finally:
        if os.path.exists(exe):
            os.unlink(exe)
    out = p.stdout.decode("utf-8", errors="surrogateescape")
    err = p.stderr.decode("utf-8", errors="replace")
    if p.returncode == 0 and not err:
        return Result(out, "ok")
    # FILE:LINE:COL: error: step 'FLOW.STEP': MESSAGE (the step and the place)
    m = re.search(r"^\S+:\d+:\d+: error: step '([^']+)': (.*)", err, re.M)
    if p.returncode == 1 and m:
        return Result(out, "error", step=m.group(1), msg=m.group(2))
    return Result(out, "crash", msg="exit %d: %s" % (p.returncode, err[-2000:]))


_BW = None


def run_bytewax(py_path, cwd=None):
    """Runs a twin in this process (bwrun.run_one), fd 2 silenced."""
    global _BW
    if _BW is None:
        import bwrun
        import signal
        signal.signal(signal.SIGALRM, bwrun._alarm)
        _BW = bwrun
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(devnull, 2)
    try:
        _name, out, status = _BW.run_one(py_path, cwd)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    if status == "ok":
        return Result(out, "ok")
    if status.startswith("error "):
        _, step, rest = status.split(" ", 2)
        kind, _, msg = rest.partition(": ")
        if kind == "Timeout":
            return Result(out, "timeout", msg=msg)
        return Result(out, "error", step=step, kind=kind, msg=msg)
    return Result(out, "crash", msg=status)


def compare(fr, br):
    """None when flowc's result fr agrees with Bytewax's br, else why not."""
    if fr.status in ("compile", "crash", "timeout"):
        return "flowc: %s %s" % (fr.status, fr.msg.strip()[:3000])
    if br.status in ("crash", "timeout"):
        return "bytewax twin: %s %s" % (br.status, br.msg[:3000])
    if fr.status != br.status:
        if br.status == "error":
            return "Bytewax raised %s: %s in step %s; flowc did not stop" % (br.kind, br.msg, br.step)
        return "flowc stopped in step %s (%s); Bytewax did not" % (fr.step, fr.msg)
    if fr.status == "error" and not (br.step == fr.step or br.step.startswith(fr.step + ".")):
        return "the error is in step %s for flowc (%s) and %s for Bytewax (%s: %s)" % (
            fr.step, fr.msg, br.step, br.kind, br.msg)
    if fr.out != br.out:
        return "stdout differs"
    return None


def show_diff(a, b, la="flowc", lb="bytewax", limit=60):
    d = list(difflib.unified_diff(b.splitlines(True), a.splitlines(True), lb, la))
    text = "".join(d[:limit])
    if len(d) > limit:
        text += "... (%d more diff lines)\n" % (len(d) - limit)
    return text


# ---------------------------------------------------------------- one case

def check_case(flow_path, argv, workdir, cwd=None, py_path=None):
    """Compile and run both sides; returns (why-or-None, fr, br)."""
    if py_path is None:
        py_path = flow_path[:-5] + ".py"
        src = open(flow_path, encoding="utf-8").read()
        try:
            py = flow2py.translate(src, argv, helpers=os.path.relpath(HERE, os.path.dirname(py_path)))
        except flow2py.NoTwin as e:
            return "no twin: %s" % e, None, None
        with open(py_path, "w", encoding="utf-8") as f:
            f.write(py)
    fr = run_flowc(flow_path, argv, workdir, cwd)
    br = run_bytewax(py_path, cwd)
    return compare(fr, br), fr, br


def report(flow_path, argv, why, fr, br, py_path=None):
    py_path = py_path or flow_path[:-5] + ".py"
    print("FAIL %s %s: %s" % (flow_path, " ".join(argv), why))
    print("---- %s" % flow_path)
    print(open(flow_path, encoding="utf-8").read().rstrip())
    if os.path.exists(py_path):
        print("---- %s (the Bytewax twin)" % py_path)
        print(open(py_path, encoding="utf-8").read().rstrip())
    if fr is not None and br is not None:
        print("---- diff (bytewax -> flowc)%s" % (
            "; flowc: %s %s" % (fr.status, fr.msg) if fr.status != "ok" else ""))
        if br.status == "error":
            print("     Bytewax raised %s: %s in step %s" % (br.kind, br.msg, br.step))
        print(show_diff(fr.out, br.out).rstrip())
    print("----")


# ---------------------------------------------------------------- reduction

def _split_items(body):
    """Top-level comma-separated items of a list literal's inside."""
    items, depth, cur, q = [], 0, [], None
    i = 0
    while i < len(body):
        c = body[i]
        if q:
            cur.append(c)
            if c == "\\" and q == '"':
                cur.append(body[i + 1])
                i += 1
            elif c == q:
                q = None
        elif c in "\"":
            q = c
            cur.append(c)
        elif c in "([{":
            depth += 1
            cur.append(c)
        elif c in ")]}":
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            items.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if "".join(cur).strip():
        items.append("".join(cur).strip())
    return items


_TESTING = re.compile(r"(testing<.*?>\(\[)(.*)(\](?:, batch_size = \d+)?\)\))$")


def reduce_case(flow_path, argv, why, workdir, log=print):
    """Delta debugging: the smallest program (fewest steps, input items,
    options) that still fails the same way. Writes FLOW.min.flow."""
    kind = why.split(":")[0] if why else ""
    lines = open(flow_path, encoding="utf-8").read().split("\n")
    tmp_flow = flow_path[:-5] + "_r.flow"
    tries = [0]

    def fails(ls, av):
        tries[0] += 1
        with open(tmp_flow, "w", encoding="utf-8") as f:
            f.write("\n".join(ls))
        try:
            w, _, _ = check_case(tmp_flow, av, workdir)
        except flow2py.ParseError:
            return False    # a candidate flow2py cannot read (a record's use kept, its declaration dropped)
        return w is not None and w.split(":")[0] == kind

    # options first
    for opt in (["-s", "0"], ["--clock-step"]):
        if opt[0] in argv:
            i = argv.index(opt[0])
            cand = argv[:i] + argv[i + 2:]
            if fails(lines, cand):
                argv = cand
    changed = True
    while changed:
        changed = False
        # drop whole lines (steps, records)
        i = 0
        while i < len(lines):
            if lines[i].strip() and not lines[i].startswith(("flow ", "#")):
                cand = lines[:i] + lines[i + 1:]
                if fails(cand, argv):
                    lines = cand
                    changed = True
                    continue
            i += 1
        # bypass a one-input step: X = op(S, ...) -> uses of X become S
        for i, ln in enumerate(lines):
            m = re.match(r"(\w+) = (\w+)\((\w+(?:\.\w+)?)[,)]", ln)
            if not m or m.group(2) in ("input", "output"):
                continue
            x, s = m.group(1), m.group(3)
            rest = [re.sub(r"\b%s\b(?!\.\w)" % x, s, o) for o in lines[i + 1:]]
            cand = lines[:i] + rest
            if fails(cand, argv):
                lines = cand
                changed = True
                break
        # fewer input items (ddmin by halves, then one by one)
        for i, ln in enumerate(lines):
            m = _TESTING.search(ln)
            if not m:
                continue
            items = _split_items(m.group(2))
            n = 2
            while len(items) >= 1:
                chunk = max(1, len(items) // n)
                removed = False
                for start in range(0, len(items), chunk):
                    cand_items = items[:start] + items[start + chunk:]
                    new = ln[:m.start(2)] + ", ".join(cand_items) + ln[m.end(2):]
                    cand = lines[:i] + [new] + lines[i + 1:]
                    if fails(cand, argv):
                        items, lines, ln = cand_items, cand, new
                        m = _TESTING.search(ln)
                        removed = changed = True
                        break
                if not removed:
                    if chunk == 1:
                        break
                    n *= 2
    out = flow_path[:-5] + ".min.flow"
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    with open(out[:-5] + ".args", "w") as f:
        f.write(" ".join(argv) + "\n")
    for p in (tmp_flow, tmp_flow[:-5] + ".py"):
        if os.path.exists(p):
            os.unlink(p)
    log("reduced in %d tries to %s (args: %s):" % (tries[0], out, " ".join(argv) or "none"))
    why, fr, br = check_case(out, argv, workdir)
    report(out, argv, why, fr, br)
    return out


# ---------------------------------------------------------------- modes

CHUNK = 500


def run_chunk(seeds, work, jobs):
    """Generates, runs and compares the programs of SEEDS in WORK; returns
    (passed, errors agreed, failures as (flow, argv, why))."""
    cases = []
    failures = []
    for s in seeds:
        src, args = gen.generate(s)
        fp = os.path.join(work, "p%d.flow" % s)
        with open(fp, "w", encoding="utf-8") as f:
            f.write(src)
        argv = args.split()
        with open(fp[:-5] + ".args", "w") as f:
            f.write(args + "\n")
        try:
            py = flow2py.translate(src, argv, helpers=os.path.relpath(HERE, work))
        except Exception as e:  # noqa: B902 - a generator or flow2py bug
            why = "the generator wrote a program without a twin: %s: %s" % (type(e).__name__, e)
            print("FAIL %s: %s" % (fp, why))
            failures.append((fp, argv, why))
            continue
        with open(fp[:-5] + ".py", "w", encoding="utf-8") as f:
            f.write(py)
        cases.append((fp, argv))
    # flowc: compile and run in parallel, while Bytewax runs here
    with cf.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = {fp: ex.submit(run_flowc, fp, argv, work) for fp, argv in cases}
        bres = {fp: run_bytewax(fp[:-5] + ".py") for fp, _ in cases}
        fres = {fp: f.result() for fp, f in futs.items()}
    passed = errors_agreed = 0
    for fp, argv in cases:
        why = compare(fres[fp], bres[fp])
        if why is None:
            passed += 1
            errors_agreed += bres[fp].status == "error"
            for ext in (".flow", ".args", ".py"):
                os.unlink(fp[:-5] + ext)
            continue
        failures.append((fp, argv, why))
        report(fp, argv, why, fres[fp], bres[fp])
    return passed, errors_agreed, failures


def mode_random(n, seed, jobs, keep, do_reduce, max_reduce=3):
    """N programs from SEED on, CHUNK at a time (one Bytewax process runs
    them all; a chunk's passing programs are deleted as it ends)."""
    work = os.path.abspath(keep) if keep else tempfile.mkdtemp(prefix="flowc-diff.")
    os.makedirs(work, exist_ok=True)
    t0 = time.time()
    passed = errors_agreed = 0
    failures = []
    for lo in range(seed, seed + n, CHUNK):
        p, e, f = run_chunk(range(lo, min(lo + CHUNK, seed + n)), work, jobs)
        passed, errors_agreed, failures = passed + p, errors_agreed + e, failures + f
        if n > CHUNK:
            print("differential: seeds %d..%d: %d passed, %d failed (%.0f s)"
                  % (seed, min(lo + CHUNK, seed + n) - 1, passed, len(failures), time.time() - t0),
                  flush=True)
    if do_reduce:
        for fp, argv, why in failures[:max_reduce]:
            if not why.startswith("the generator"):
                reduce_case(fp, argv, why, work)
    dt = time.time() - t0
    print("differential: %d random programs (seeds %d..%d) in %.1f s; %d stopped on an error in both"
          % (n, seed, seed + n - 1, dt, errors_agreed))
    if failures:
        print("differential: the failing programs are in %s" % work)
    elif not keep:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, len(failures)))
    return not failures


def flow_files(dirs):
    """(folder, path, path without .flow, program arguments) of every
    NAME.flow in DIRS, NAME.args giving the arguments."""
    for d in dirs:
        d = os.path.abspath(d)
        for name in sorted(os.listdir(d)):
            if name.endswith(".flow"):
                fp = os.path.join(d, name)
                base = fp[:-5]
                argv = open(base + ".args").read().split() if os.path.exists(base + ".args") else []
                yield d, fp, base, argv


def mode_twins(dirs, jobs):
    work = tempfile.mkdtemp(prefix="flowc-twins.")
    passed = failed = 0
    cases = []
    for d, fp, base, argv in flow_files(dirs):
        cwd = ROOT if os.path.basename(d) == "examples" else d
        if not os.path.exists(base + ".py"):
            try:
                flow2py.translate(open(fp, encoding="utf-8").read(), argv)
            except flow2py.NoTwin as e:
                print("no twin: %s: %s" % (os.path.relpath(fp, ROOT), e))
                continue
            except Exception as e:  # noqa: B902
                print("FAIL %s: flow2py: %s" % (os.path.relpath(fp, ROOT), e))
                failed += 1
                continue
            print("FAIL %s: no twin %s.py (write it: tests/differential/flow2py.py)"
                  % (os.path.relpath(fp, ROOT), os.path.basename(base)))
            failed += 1
            continue
        cases.append((fp, argv, cwd))
    with cf.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = {c[0]: ex.submit(run_flowc, c[0], c[1], work, c[2]) for c in cases}
        for fp, argv, cwd in cases:
            base = fp[:-5]
            rel = os.path.relpath(fp, ROOT)
            want_py = flow2py.translate(open(fp, encoding="utf-8").read(), argv,
                                        helpers=os.path.relpath(HERE, os.path.dirname(fp)),
                                        header=_twin_header(fp))
            if open(base + ".py", encoding="utf-8").read() != want_py:
                print("FAIL %s: %s.py is not what flow2py.py writes (harness.py write-twins rewrites it)"
                      % (rel, os.path.basename(base)))
                failed += 1
                futs[fp].result()
                continue
            br = run_bytewax(base + ".py", cwd)
            fr = futs[fp].result()
            expected = None
            for cand in (base + ".expected", os.path.join(ROOT, "..", "shared", "conformance",
                                                          os.path.basename(base) + ".expected")):
                if os.path.exists(cand):
                    expected = open(cand, encoding="utf-8").read()
                    break
            known = base + ".bytewax"
            if os.path.exists(known):
                want_bw = open(known, encoding="utf-8").read()
                # a documented difference: each side prints what is recorded
                # (flowc may stop on an error there), and they still differ
                ok = br.status in ("ok", "error") and br.out == want_bw and \
                    fr.status in ("ok", "error") and (expected is None or fr.out == expected) and \
                    (fr.out != br.out or fr.status != br.status)
                if ok:
                    passed += 1
                else:
                    failed += 1
                    print("FAIL %s: a documented difference changed (%s.bytewax, %s.expected); "
                          "if flowc now agrees with Bytewax, remove %s.bytewax and the entry of "
                          "docs/semantics.md §17.3" % (rel, os.path.basename(base), os.path.basename(base),
                                                       os.path.basename(base)))
                    print(show_diff(br.out, want_bw, "bytewax now", "recorded").rstrip())
                    print(show_diff(fr.out, expected or "", "flowc now", "recorded").rstrip())
                continue
            why = compare(fr, br)
            if why is None and expected is not None and fr.out != expected:
                why = "flowc and Bytewax agree but differ from %s.expected" % os.path.basename(base)
            if why is None:
                passed += 1
            else:
                failed += 1
                report(fp, argv, why, fr, br, base + ".py")
    shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return failed == 0


def _twin_header(fp):
    rel = os.path.relpath(fp, ROOT)
    return ('"""The Bytewax 0.21.1 twin of %s, written by\n'
            'tests/differential/flow2py.py (`harness.py write-twins DIR` rewrites it).\n'
            '`make twins-test` runs both and compares their output; run it alone with\n'
            'build/bytewax-venv/bin/python %s from the repository root."""\n' % (rel, rel))


def write_twins(dirs):
    n = 0
    for d, fp, base, argv in flow_files(dirs):
        try:
            py = flow2py.translate(open(fp, encoding="utf-8").read(), argv,
                                   helpers=os.path.relpath(HERE, d), header=_twin_header(fp))
        except flow2py.NoTwin as e:
            print("no twin: %s: %s" % (os.path.relpath(fp, ROOT), e))
            continue
        with open(base + ".py", "w", encoding="utf-8") as f:
            f.write(py)
        n += 1
    print("wrote %d twins" % n)


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    mode = args.pop(0)
    opts = {"--n": "300", "--seed": "1", "--jobs": str(os.cpu_count() or 2), "--keep": None,
            "--args": ""}
    flags = set()
    rest = []
    while args:
        a = args.pop(0)
        if a in opts:
            opts[a] = args.pop(0)
        elif a.startswith("--no-"):
            flags.add(a)
        else:
            rest.append(a)
    jobs = int(opts["--jobs"])
    if not os.access(FLOWC, os.X_OK):
        print("harness: no compiler at %s (make all)" % FLOWC)
        print("0 passed, 1 failed")
        return 1
    if mode == "random":
        ok = mode_random(int(opts["--n"]), int(opts["--seed"]), jobs, opts["--keep"],
                         "--no-reduce" not in flags)
    elif mode == "twins":
        ok = mode_twins(rest, jobs)
    elif mode == "write-twins":
        write_twins(rest)
        ok = True
    elif mode == "reduce":
        work = tempfile.mkdtemp(prefix="flowc-reduce.")
        argv = shlex.split(opts["--args"])
        why, fr, br = check_case(os.path.abspath(rest[0]), argv, work)
        if why is None:
            print("%s: flowc and Bytewax agree" % rest[0])
            ok = True
        else:
            report(os.path.abspath(rest[0]), argv, why, fr, br)
            reduce_case(os.path.abspath(rest[0]), argv, why, work)
            ok = False
    else:
        print(__doc__)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
