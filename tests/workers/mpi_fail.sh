#!/bin/sh
# tests/workers/mpi_fail.sh - a job of several processes stops as a whole
# when one of them fails (docs/workers.md §9): run by `make mpi-test`.
#
# 1. mpi_div0.flow (a division by zero on a key that the second of two
#    workers owns) and mpi_badrec.flow (a bad record in the part of a
#    batch that the second of two workers reads), built with --mpi and run
#    as `mpirun -n 2 PROG -w 1` and `-w 2`: rank 1 fails; the job exits
#    with status 1, the one-worker run's message on stderr once, and every
#    line that one worker writes before the error on stdout.
#    With --stats, rank 0's table shows both processes' workers.
# 2. redistribute (mpi_spread.flow): `mpirun -n 2 -w 2` spreads the items
#    over the 4 workers as -w 4 does (the same --stats table per worker).
# 3. A process killed (SIGKILL to rank 1 of a job waiting on stdin): mpirun
#    stops the job and exits non-zero, naming rank 1.
#
# Environment: FLOWC (default build/flowc), CC (as flowc reads it).
# Prints one line per check; exits 1 if any failed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FLOWC=${FLOWC:-$ROOT/build/flowc}
MPIRUN="mpirun -n 2 --allow-run-as-root --oversubscribe"
if ! command -v mpirun >/dev/null 2>&1; then
    echo "mpi_fail: mpirun is missing (Debian: openmpi-bin): FAILED"
    exit 1
fi
tmp=$(mktemp -d /tmp/flowc-mpifail.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

cd "$ROOT/tests/workers" || exit 1

# the key "a" of mpi_div0 belongs to worker 1 of 2 (the key hash, fixed):
# checked here with threads, so that a change of the hash shows
check_owner() {
    echo "a 1" >"$tmp/a.txt"
    "$tmp/mpi_div0" -w 2 --stats --input inp="$tmp/a.txt" 2>&1 >/dev/null |
        awk '$1 == "quot" && NF == 7 { f = ($4 == 0 && $7 == 1) } END { exit !f }'
}
# --stats under mpirun: rank 0 prints every process's workers (worker 1
# is rank 1's), the same table as with threads
check_stats() {
    timeout 120 $MPIRUN "$tmp/mpi_div0-mpi" -w 1 --stats --input inp="$tmp/a.txt" 2>&1 >/dev/null |
        awk '$1 == "quot" && NF == 7 { f = ($4 == 0 && $7 == 1) } END { exit !f }'
}

# redistribute across processes: the per-worker table equal to threads'
if "$FLOWC" mpi_spread.flow -o "$tmp/mpi_spread" && "$FLOWC" --mpi mpi_spread.flow -o "$tmp/mpi_spread-mpi"; then
    table() { sed -n '/per worker:/,$p'; }
    "$tmp/mpi_spread" -w 4 --stats 2>&1 >/dev/null | table >"$tmp/spread.w4"
    timeout 120 $MPIRUN "$tmp/mpi_spread-mpi" -w 2 --stats 2>&1 >/dev/null | table >"$tmp/spread.mpi"
    if [ -s "$tmp/spread.w4" ] && cmp -s "$tmp/spread.w4" "$tmp/spread.mpi"; then
        ok "redistribute: mpirun -n 2 -w 2 spreads items as -w 4"
    else
        bad "redistribute: mpirun -n 2 -w 2's table differs from -w 4's: $(diff "$tmp/spread.w4" "$tmp/spread.mpi" | head -5)"
    fi
else
    bad "mpi_spread: does not compile"
fi

for prog in mpi_div0 mpi_badrec; do
    if ! "$FLOWC" "$prog.flow" -o "$tmp/$prog" || ! "$FLOWC" --mpi "$prog.flow" -o "$tmp/$prog-mpi"; then
        bad "$prog: does not compile"
        continue
    fi
    "$tmp/$prog" >"$tmp/ref.out" 2>"$tmp/ref.err"
    ref_rc=$?
    msg=$(tail -n 1 "$tmp/ref.err")
    if [ "$ref_rc" -ne 1 ] || [ -z "$msg" ]; then
        bad "$prog: the one-worker run should fail (status $ref_rc)"
        continue
    fi
    if [ "$prog" = mpi_div0 ] && ! check_owner; then
        bad "$prog: key 'a' is no longer worker 1's of 2: pick another key"
    elif [ "$prog" = mpi_div0 ]; then
        check_stats && ok "--stats under mpirun: every process's workers" ||
            bad "--stats under mpirun: worker 1 (rank 1) missing or wrong"
    fi
    for w in 1 2; do
        timeout 120 $MPIRUN "$tmp/$prog-mpi" -w "$w" >"$tmp/got.out" 2>"$tmp/got.err"
        rc=$?
        what="$prog: mpirun -n 2 -w $w"
        if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
            bad "$what: exit status $rc, want non-zero"
            continue
        fi
        n=$(grep -cxF "$msg" "$tmp/got.err")
        if [ "$n" -ne 1 ]; then
            bad "$what: the message '$msg' is on stderr $n times"
            sed 's/^/    /' "$tmp/got.err" | head -n 5
            continue
        fi
        missing=$(sort "$tmp/ref.out" | comm -23 - "$(sort "$tmp/got.out" >"$tmp/got.sorted"; echo "$tmp/got.sorted")")
        if [ -n "$missing" ]; then
            bad "$what: stdout lacks lines of one worker's: $(echo "$missing" | head -n 1)"
            continue
        fi
        ok "$what: status $rc, '$msg'"
    done
done

# a process that dies: mpirun stops the job
printf 'flow waits\ninp = input(file("-"))\nk = key_on(inp, |l| l)\ns = stateful_map(k, init = 0, |n, l| (n + 1, n))\nout = output(s, stdout)\n' >"$tmp/waits.flow"
if "$FLOWC" --mpi "$tmp/waits.flow" -o "$tmp/waits"; then
    mkfifo "$tmp/in"
    timeout 120 $MPIRUN "$tmp/waits" -w 1 <"$tmp/in" >"$tmp/w.out" 2>"$tmp/w.err" &
    job=$!
    exec 3>"$tmp/in"    # stdin stays open: the job waits
    victim=""
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        mp=$(pgrep -P "$job" -x mpirun)
        [ -n "$mp" ] || mp=$job
        victim=$(pgrep -P "$mp" -x waits | sed -n 2p)
        [ -n "$victim" ] && break
        sleep 0.5
    done
    if [ -z "$victim" ]; then
        bad "a killed process: rank 1 never started"
        exec 3>&-
        wait "$job"
    else
        sleep 1
        kill -9 "$victim"
        wait "$job"
        rc=$?
        exec 3>&-
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "rank 1" "$tmp/w.err"; then
            ok "a killed process: mpirun stops the job, status $rc, names rank 1"
        else
            bad "a killed process: status $rc, stderr: $(head -c 300 "$tmp/w.err")"
        fi
    fi
else
    bad "waits.flow does not compile"
fi

if [ "$fails" -ne 0 ]; then
    echo "mpi_fail: $fails FAILED"
    exit 1
fi
echo "mpi_fail: all passed"
