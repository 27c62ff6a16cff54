#!/bin/bash
# tests/recovery/mpi.sh - recovery under mpirun (docs/recovery.md,
# "Several workers and rescaling"), run by make mpi-test: programs built
# with --mpi, killed with SIGKILL at random moments (fixed seeds) mid-run,
# either mpirun itself or one rank, and resumed with another processes ×
# workers shape each time (mpirun -n 2 -w 1, -n 2 -w 2, one process -w 2,
# -w 1, ...) until done; their file outputs must hold the lines of an
# uninterrupted one-worker run in the same order per key (exactly-once
# file sinks, keys re-routed to their new owners). Also: a second job on
# the store of a running one is refused. FLOWC=... as the other runners.
cd "$(dirname "$0")" || exit 1
FLOWC=${FLOWC:-../../build/flowc}
MPIRUN="mpirun --allow-run-as-root --oversubscribe"
tmp=$(mktemp -d)
[ -n "$KEEP" ] || trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

for p in mpi_rec lists words; do
    $FLOWC "$p.flow" -o "$tmp/$p-w1" && $FLOWC --mpi "$p.flow" -o "$tmp/$p" || bad "compile $p"
done

# keysorted FILE: its lines grouped by key (the text before the first ':'
# or "', "), each key's lines in file order
keysorted() {
    awk '{ i = index($0, "\047, "); if (!i) i = index($0, ":"); k = i ? substr($0, 1, i) : $0
           printf "%s\t%09d\t%s\n", k, NR, $0 }' "$1" | LC_ALL=C sort -t"$(printf '\t')" -k1,1 -k2,2 | cut -f3-
}

# rank_pid MPIRUN_PID RANK: the pid of that rank (a child of mpirun)
rank_pid() {
    local c
    for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
        tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2" && { echo "$c"; return; }
    done
}

# crash PROG SEED PARTS SHAPES VICTIM OUTS...: SHAPES "PxN ..." are the
# executions' shapes in turn (P 1: the program without mpirun); VICTIM
# "mpirun" or "rank" (rank 1, or 0 on odd tries) is killed after a random
# delay; then the OUTS are compared with the uninterrupted -w 1 run's.
crash() {
    local prog=$1 seed=$2 parts=$3 shapes=($4) victim=$5 what="$4, kill $5"; shift 5
    local d=$tmp/$prog.$seed
    mkdir -p "$d/ref" "$d/run"
    for x in ref run; do
        cp words.txt "$d/$x/" && mkdir "$d/$x/in" && split -l 500 words.txt "$d/$x/in/part_"
    done
    (cd "$d/ref" && "$tmp/$prog-w1" -s 0 >/dev/null) || { bad "$prog: reference run"; return; }
    (cd "$d/run" && "$tmp/$prog" --recovery-init st "$parts" >/dev/null) || { bad "$prog: init"; return; }
    RANDOM=$seed
    local tries=0 kills=0 rc codes=""
    while :; do
        local shape=${shapes[$((tries % ${#shapes[@]}))]}
        local np=${shape%x*} nw=${shape#*x}
        tries=$((tries + 1))
        if [ "$np" -gt 1 ]; then
            (cd "$d/run" && exec $MPIRUN -n "$np" "$tmp/$prog" -r st -s 0 -b 1 -w "$nw" >/dev/null 2>"$d/err") &
        else
            (cd "$d/run" && exec "$tmp/$prog" -r st -s 0 -b 1 -w "$nw" >/dev/null 2>"$d/err") &
        fi
        local pid=$!
        sleep "0.$(printf '%03d' $((100 + RANDOM % 600)))"
        local target=$pid ranks=""
        if [ "$np" -gt 1 ]; then
            ranks=$(cat /proc/"$pid"/task/*/children 2>/dev/null)
            [ "$victim" = rank ] && target=$(rank_pid "$pid" $((1 - tries % 2)))
        fi
        [ -n "$target" ] && kill -9 "$target" 2>/dev/null && kills=$((kills + 1))
        wait $pid 2>/dev/null
        rc=$?
        codes="$codes $rc"
        # mpirun killed: its ranks notice and stop (wait for them, as a
        # new job would find the store in use)
        local r n=0
        for r in $ranks; do
            while kill -0 "$r" 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
            kill -0 "$r" 2>/dev/null && { bad "$prog seed $seed: rank pid $r outlived mpirun"; kill -9 "$r"; }
        done
        [ $rc -eq 0 ] && break
        [ -n "$(sqlite3 "$d/run/st/part-0.sqlite3" "SELECT value FROM meta WHERE name = 'ended_ex'")" ] && break
        grep -q "error:" "$d/err" && { bad "$prog seed $seed ($shape): exit $rc: $(grep error: "$d/err")"; return; }
        [ $tries -ge 40 ] && { bad "$prog seed $seed: not done after $tries runs"; return; }
    done
    for o in "$@"; do
        [ "$(keysorted "$d/ref/$o")" = "$(keysorted "$d/run/$o")" ] ||
            { bad "$prog seed $seed ($kills kills, $what): $o differs per key"; return; }
    done
    [ -n "$VERBOSE" ] && echo "ok $prog seed $seed: $tries runs (exit$codes), $kills kills ($what)"
    ok
}
crash mpi_rec 1 2 "2x1 1x2 2x2 1x1" mpirun running.out top.out
crash mpi_rec 2 3 "2x2 2x1 1x3" rank running.out top.out
crash lists 3 3 "2x1 1x1 2x2" rank groups.out joined.out top.out
crash lists 4 2 "1x2 2x1" mpirun groups.out joined.out top.out
# count_final: each process counts its share; rank 0 keeps every
# process's count per key and stores the total, which a resume gives to
# the key's owner (in another shape)
crash words 5 2 "2x1 1x2 2x2 1x1" rank running.out totals.out
crash words 6 3 "2x2 2x1 1x3" mpirun running.out totals.out
crash words 7 2 "2x1 2x2 2x1" rank running.out totals.out
crash words 8 2 "2x2 2x1 1x2" rank running.out totals.out

# a job on a store in use (its lock held, as a running job's rank 0 holds
# it): refused
d=$tmp/lock
mkdir -p "$d" && cp words.txt "$d/" && mkdir "$d/in" && split -l 500 words.txt "$d/in/part_"
(cd "$d" && "$tmp/mpi_rec" --recovery-init st 2 >/dev/null)
(cd "$d" && exec flock st/lock sleep 30) &
holder=$!
sleep 0.5
(cd "$d" && $MPIRUN -n 2 "$tmp/mpi_rec" -r st -s 0 -b 1 -w 1 >/dev/null 2>err)
rc=$?
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
[ $rc -ne 0 ] && grep -q "in use by another process" "$d/err" && ok || bad "a second job on a store in use: exit $rc: $(cat "$d/err")"
echo "recovery under mpirun: $pass passed, $fail failed"
[ $fail -eq 0 ]
