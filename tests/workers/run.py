#!/usr/bin/env python3
"""tests/workers/run.py - results independent of the number of workers
(docs/workers.md): every runnable .flow program of the repository, run
with -w 1, 2, 3 and 4, must give the same multiset of output lines, and
for each key its lines in the same order; the same exit status and the
same stderr; and the same file and dir sink contents (compared the same
way, file by file).

A program with an input read with split = "bytes" (each worker reads a
byte range of the file, docs/workers.md §3) keeps no order between the
workers' records: its outputs and its stderr are compared as multisets
of lines only, and a run stopped by an error only by its status and
stderr (the other workers' ranges are read in other rounds than with one
worker).

Each program is compiled once, then run from its own folder (examples/:
from the repository root, as tests/examples/run.sh runs them) with its
.args and .stdin as the golden runners give them, file and dir outputs
redirected with --output into a temporary folder per run.

With --mpi P each program is also built with `flowc --mpi`, and the runs
with several workers are jobs of P processes, `mpirun -n P PROG -w N`
(docs/workers.md §9), compared with the one-worker run of the program
built without MPI; mpirun's own report of a process that exited with a
non-zero status is left out of stderr, and so is the second report of a
usage error (each process finds it before MPI starts).

Usage: tests/workers/run.py [-w 2,3,4] [--transport encode] [--mpi P] [PATH.flow...]
Environment: FLOWC (default build/flowc), JOBS (parallel programs,
default the CPU count), RUNNER (a command prefix for the programs, e.g.
for a sanitizer's environment), CC (as flowc reads it).
Prints one line per failure and ends with "N passed, N failed".
"""
import argparse
import concurrent.futures
from decimal import Decimal
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# folders of runnable programs (tests/errors do not compile; tests/kafka
# needs a broker; bench/ reads large generated inputs)
DIRS = ["examples", "examples/embed", "tests/run", "tests/bytewax", "tests/bytewax_windowing",
        "tests/window_timers", "tests/io", "tests/compile", "tests/graph", "tests/parse", "tests/embed",
        "tests/workers"]
TIMEOUT = 120

# A line's key: an inspect's "FLOW.STEP: " prefix, then the first element
# of a tuple or JSON array when it is a string: ('k', ...), ("k", ...), ["k", ...].
KEY_RE = re.compile(r"""^((?:[\w.]+: )?)[(\[](?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")[,)\]]""")


# Programs whose reduce_final adds floats. With several workers each
# worker reduces its share of a round per key before the exchange
# (Bytewax's pre_reduce, docs/workers.md §1), so the floats are added in
# another grouping than with one worker: a mean whose exact value is a
# decimal tie (32.65) may then print with the other last digit. For these
# programs a line of -w N may stand for a line of -w 1 that differs from it
# only in numbers, each by one unit of its last printed digit; every such
# line is printed (NOTE), and the rest is compared as for any program.
FLOAT_PARTIALS = {"examples/1brc.flow"}
NUM_RE = re.compile(r"-?\d+\.\d+")


def last_digit_close(a, b):
    """Whether lines A and B differ only in numbers, by one unit of their
    last digit."""
    if NUM_RE.split(a) != NUM_RE.split(b):
        return False
    for x, y in zip(NUM_RE.findall(a), NUM_RE.findall(b)):
        d = len(x.split(".")[1])
        if x != y and (len(y.split(".")[1]) != d or abs(Decimal(x) - Decimal(y)) != Decimal(1).scaleb(-d)):
            return False
    return True


def align_float_partials(ref, got, what):
    """GOT with each line that -w 1 lacks replaced by the line of REF that
    GOT lacks and it is last_digit_close to; the notes on those lines."""
    a, b = ref.splitlines(), got.splitlines()
    only_a = list(a)
    for l in b:
        if l in only_a:
            only_a.remove(l)
    notes, out = [], []
    for l in b:
        if l in a:
            out.append(l)
            continue
        m = next((r for r in only_a if last_digit_close(r, l)), None)
        if m is None:
            out.append(l)
            continue
        only_a.remove(m)
        out.append(m)
        notes.append("%s: %r for -w 1's %r (float sums of partials)" % (what, l, m))
    return "".join(l + "\n" for l in out), notes


def line_key(line):
    m = KEY_RE.match(line)
    if not m:
        return None
    return m.group(1) + (m.group(2) if m.group(2) is not None else m.group(3))


BYTES_RE = re.compile(r'\bsplit\s*=\s*"bytes"')


def compare_lines(ref, got, what, ordered=True):
    """Differences between two outputs: as multisets, and per key in order
    (unless not ORDERED)."""
    a, b = ref.splitlines(), got.splitlines()
    if sorted(a) != sorted(b):
        extra = sorted(set(b) - set(a))[:3]
        missing = sorted(set(a) - set(b))[:3]
        return ["%s: lines differ (%d vs %d lines; only with -w 1: %s; only here: %s)"
                % (what, len(a), len(b), missing, extra)]
    if not ordered:
        return []
    per_a, per_b = {}, {}
    for l in a:
        per_a.setdefault(line_key(l), []).append(l)
    for l in b:
        per_b.setdefault(line_key(l), []).append(l)
    for k, la in per_a.items():
        if k is None:
            continue
        if la != per_b.get(k):
            lb = per_b.get(k, [])
            i = next((i for i in range(min(len(la), len(lb))) if la[i] != lb[i]), 0)
            return ["%s: key %r in another order (line %d of the key: %r vs %r)"
                    % (what, k, i, la[i] if i < len(la) else None, lb[i] if i < len(lb) else None)]
    return []


def outputs_of(binary):
    """The program's file and dir outputs, from its --help."""
    h = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30).stdout
    outs, inside = [], False
    for line in h.splitlines():
        if line.startswith("outputs:"):
            inside = True
            continue
        if inside and not line.startswith("  "):
            break
        if inside:
            f = line.split()
            if len(f) == 2 and f[1] in ("file", "dir"):
                outs.append((f[0], f[1]))
    return outs


def read_tree(path):
    """A file's text, or a dir's files' texts by name; None when absent."""
    if os.path.isdir(path):
        return {n: open(os.path.join(path, n), errors="replace").read() for n in sorted(os.listdir(path))}
    if os.path.exists(path):
        return open(path, errors="replace").read()
    return None


# mpirun's report of a process that exited with a non-zero status: a block
# of lines between two lines of dashes
MPIRUN_NOTE = re.compile(r"-{20,}\n(?:.*\n)*?-{20,}\n")


def mpirun(procs):
    return ["mpirun", "-n", str(procs), "--allow-run-as-root", "--oversubscribe"]


def run_once(case, binary, args, stdin, tmp, n, env, procs=0):
    outdir = os.path.join(tmp, "w%d" % n)
    os.makedirs(outdir, exist_ok=True)
    extra = []
    for name, kind in case["outputs"]:
        extra += ["--output", "%s=%s" % (name, os.path.join(outdir, name))]
    cmd = shlex.split(os.environ.get("RUNNER", "")) + (mpirun(procs) if procs else []) + [binary, "-w", str(n)] + args + extra
    with open(stdin, "rb") as inp:
        try:
            p = subprocess.run(cmd, stdin=inp, capture_output=True, cwd=case["dir"], timeout=TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            return {"timeout": True}
    files = {name: read_tree(os.path.join(outdir, name)) for name, _ in case["outputs"]}
    err = p.stderr.decode(errors="replace")
    if procs:
        err = MPIRUN_NOTE.sub("", err)
        if p.returncode == 2:
            # a usage error: every process reports it, before MPI starts
            err = "".join(dict.fromkeys(err.splitlines(True)))
    return {"rc": p.returncode, "out": p.stdout.decode(errors="replace"), "err": err, "files": files}


def check(path, workers, transport, procs=0):
    d, base = os.path.dirname(path), os.path.basename(path)[:-5]
    # the examples run from the repository root, as tests/examples/run.sh
    # runs them: their inputs are named from there
    case = {"dir": ROOT if os.path.abspath(d) == os.path.join(ROOT, "examples") else d}
    ordered = not BYTES_RE.search(open(path).read())
    tmp = tempfile.mkdtemp(prefix="flowc-workers.")
    try:
        binary = os.path.join(tmp, "prog")
        c = subprocess.run([FLOWC, base + ".flow", "-o", binary], cwd=d, capture_output=True, timeout=300)
        if c.returncode != 0:
            return path, None, []    # does not compile: not this test's business
        mpibin = binary
        if procs:
            os.makedirs(os.path.join(tmp, "mpi"))
            mpibin = os.path.join(tmp, "mpi", "prog")    # the same name in messages
            c = subprocess.run([FLOWC, "--mpi", base + ".flow", "-o", mpibin], cwd=d, capture_output=True, timeout=300)
            if c.returncode != 0:
                return path, ["flowc --mpi failed: %s" % c.stderr.decode(errors="replace")[-300:]], []
        case["outputs"] = outputs_of(binary)
        args = []
        if os.path.exists(os.path.join(d, base + ".args")):
            args = open(os.path.join(d, base + ".args")).read().split()
        stdin = os.path.join(d, base + ".stdin")
        if not os.path.exists(stdin):
            stdin = "/dev/null"
        env = dict(os.environ)
        env.pop("FLOW_WORKERS", None)
        ref = run_once(case, binary, args, stdin, tmp, 1, env)
        if ref.get("timeout"):
            return path, ["-w 1 timed out"], []
        if transport:
            env["FLOW_TRANSPORT"] = transport
        fails, notes = [], []
        for n in workers:
            got = run_once(case, mpibin, args, stdin, tmp, n, env, procs)
            w = ("mpirun -n %d " % procs if procs else "") + "-w %d" % n
            if got.get("timeout"):
                fails.append(w + ": timed out")
                continue
            if got["rc"] != ref["rc"]:
                fails.append("%s: exit status %d, with -w 1 %d (stderr: %s)" % (w, got["rc"], ref["rc"], got["err"][-300:]))
            if got["err"] != ref["err"] and (ordered or sorted(got["err"].splitlines()) != sorted(ref["err"].splitlines())):
                fails.append("%s: stderr differs:\n  -w 1: %r\n  here: %r" % (w, ref["err"][-400:], got["err"][-400:]))
            if ref["rc"] != 0 and not ordered:
                continue    # the other ranges are read in other rounds
            if ref["rc"] != 0:
                # a run stopped by an error: other workers may have gone
                # on past the failing item in that round (docs/workers.md)
                a, b = ref["out"].splitlines(), got["out"].splitlines()
                for l in b:
                    if l in a:
                        a.remove(l)
                if a:
                    fails.append("%s: stdout lacks %d lines of -w 1's, e.g. %r" % (w, len(a), a[0]))
                continue
            out = got["out"]
            if os.path.relpath(path, ROOT) in FLOAT_PARTIALS:
                out, n = align_float_partials(ref["out"], out, w + " stdout")
                notes += n
            fails += compare_lines(ref["out"], out, w + " stdout", ordered)
            for name, want in ref["files"].items():
                have = got["files"].get(name)
                if isinstance(want, dict):
                    if not isinstance(have, dict) or sorted(want) != sorted(have):
                        fails.append("%s: output %s: other files" % (w, name))
                        continue
                    for fn in want:
                        fails += compare_lines(want[fn], have[fn], "%s output %s/%s" % (w, name, fn), ordered)
                elif want is None or have is None:
                    if want != have:
                        fails.append("%s: output %s written by one run only" % (w, name))
                else:
                    fails += compare_lines(want, have, "%s output %s" % (w, name), ordered)
        return path, fails, notes
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    global FLOWC
    ap = argparse.ArgumentParser()
    ap.add_argument("-w", default="2,3,4", help="worker counts to compare with -w 1")
    ap.add_argument("--transport", default=None, help="FLOW_TRANSPORT for the runs with several workers")
    ap.add_argument("--mpi", type=int, default=0, metavar="P", help="run the several-worker runs as P processes (mpirun)")
    ap.add_argument("files", nargs="*")
    o = ap.parse_args()
    FLOWC = os.environ.get("FLOWC", os.path.join(ROOT, "build", "flowc"))
    workers = [int(x) for x in o.w.split(",")]
    files = [os.path.abspath(f) for f in o.files]
    if not files:
        for d in DIRS:
            full = os.path.join(ROOT, d)
            files += sorted(os.path.join(full, f) for f in os.listdir(full) if f.endswith(".flow"))
    jobs = int(os.environ.get("JOBS", os.cpu_count() or 2))
    passed = failed = skipped = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for path, fails, notes in ex.map(lambda f: check(f, workers, o.transport, o.mpi), files):
            rel = os.path.relpath(path, ROOT)
            for n in notes:
                print("NOTE %s: %s" % (rel, n))
            if fails is None:
                skipped += 1
            elif fails:
                failed += 1
                print("FAIL %s" % rel)
                for f in fails[:6]:
                    print("  " + f)
                sys.stdout.flush()
            else:
                passed += 1
    print("workers (-w 1 vs %s%s%s): %d programs not compiled" % ("mpirun -n %d, " % o.mpi if o.mpi else "", o.w,
                                                               ", " + o.transport if o.transport else "", skipped))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
