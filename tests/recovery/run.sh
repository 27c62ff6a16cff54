#!/bin/bash
# tests/recovery/run.sh - recovery (docs/recovery.md), run by make
# recovery-test: programs killed with SIGKILL at random moments (fixed
# seeds) and resumed until they finish, whose file output must be
# byte-identical to an uninterrupted run; broken, foreign, locked and
# full stores; Bytewax's pytests/test_recovery.py ported with the testing
# source's ABORT and EOF markers. FLOWC=... BUILD=... as the other runners.
cd "$(dirname "$0")" || exit 1
here=$(pwd)
FLOWC=${FLOWC:-../../build/flowc}
tmp=$(mktemp -d)
[ -n "$KEEP" ] || trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# check NAME CMD...: the command succeeds
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

for p in words lists timers ptimers alarm wtumble wslide wsession bw_abort bw_continue bw_delayed bw_rescale bw_other km_int km_float rescale dirs bytes csvbom jsons finals_resume; do
    $FLOWC "$p.flow" -o "$tmp/$p" || { bad "compile $p"; }
done

# ---- crashes: kill -9 at random moments, resume until done ---------------
# keysorted FILE: its lines grouped by key (the text before the first
# "', "), each key's lines in file order: equal for two outputs with the
# same lines and the same order per key
keysorted() {
    awk '{ i = index($0, "\047, "); k = i ? substr($0, 1, i) : $0; printf "%s\t%09d\t%s\n", k, NR, $0 }' "$1" |
        LC_ALL=C sort -t"$(printf '\t')" -k1,1 -k2,2 | cut -f3-
}
# crash PROG SEED PARTS OUTS...: in a fresh directory, the uninterrupted run
# (no recovery) and the crashed one; their OUTS must be identical. Both
# runs get the options in $ARGS (a pinned clock: a resumed run goes on
# with the system time the interrupted one had reached, docs/recovery.md).
# With RESCALE="N1 N2 ...", the crashed run's executions take -w N1, N2,
# ... in turn (rescaling at every resume): the OUTS must then hold the
# same lines in the same order per key (keysorted), as the order across
# keys within a round follows the workers (docs/workers.md §2). With
# SORTED set, the OUTS must hold the same lines, in any order (an input
# read with split = "bytes" keeps no order between workers).
crash() {
    local prog=$1 seed=$2 parts=$3; shift 3
    local d=$tmp/$prog.$seed
    mkdir -p "$d/ref" "$d/run"
    cp words.txt words.jsonl "$d/ref/" && cp words.txt words.jsonl "$d/run/"
    if [ "$prog" = dirs ]; then   # dirs.flow's input: words.txt in 12 files
        mkdir "$d/ref/in" "$d/run/in" && split -l 500 words.txt "$d/ref/in/part_" && split -l 500 words.txt "$d/run/in/part_"
    fi
    if [ "$prog" = csvbom ]; then   # csvbom.flow's: words.txt as a CSV column after a byte order mark
        { printf '\357\273\277text\n'; tr -d ',"' <words.txt; } >"$d/ref/in.csv" && cp "$d/ref/in.csv" "$d/run/in.csv"
    fi
    (cd "$d/ref" && "$tmp/$prog" -s 0 $ARGS >/dev/null) || { bad "$prog: reference run"; return; }
    (cd "$d/run" && "$tmp/$prog" --recovery-init st "$parts" >/dev/null) || { bad "$prog: init"; return; }
    RANDOM=$seed
    local tries=0 kills=0 rc
    while :; do
        tries=$((tries + 1))
        local w=""
        [ -n "$RESCALE" ] && { local ws=($RESCALE); w="-w ${ws[$(((tries - 1) % ${#ws[@]}))]}"; }
        (cd "$d/run" && exec "$tmp/$prog" -r st -s 0 -b "$((seed % 2))" $ARGS $w >/dev/null 2>"$d/err") &
        local pid=$!
        sleep "0.$(printf '%03d' $((RANDOM % 250)))"
        kill -9 $pid 2>/dev/null && kills=$((kills + 1))
        wait $pid 2>/dev/null
        rc=$?
        [ $rc -eq 0 ] && break
        # killed after its last snapshot: done (a run now would be a
        # continuation, and on_eof would emit again, as in Bytewax)
        [ -n "$(sqlite3 "$d/run/st/part-0.sqlite3" "SELECT value FROM meta WHERE name = 'ended_ex'")" ] && break
        if [ $rc -ne 137 ]; then bad "$prog seed $seed: exit $rc: $(cat "$d/err")"; return; fi
        [ $tries -ge 60 ] && { bad "$prog seed $seed: not done after $tries runs"; return; }
    done
    for o in "$@"; do
        if [ -n "$SORTED" ]; then
            [ "$(LC_ALL=C sort "$d/ref/$o")" = "$(LC_ALL=C sort "$d/run/$o")" ] ||
                { bad "$prog seed $seed ($kills kills, -w ${RESCALE:-$ARGS}): $o differs as a multiset"; return; }
        elif [ -n "$RESCALE" ]; then
            [ "$(keysorted "$d/ref/$o")" = "$(keysorted "$d/run/$o")" ] ||
                { bad "$prog seed $seed ($kills kills, -w $RESCALE): $o differs per key"; return; }
        else
            cmp -s "$d/ref/$o" "$d/run/$o" || { bad "$prog seed $seed ($kills kills): $o differs"; return; }
        fi
    done
    ok
}
[ -n "$ONLY" ] || for seed in 1 2 3 4 5 6 7 8; do crash words $seed 2 running.out totals.out; done
[ -n "$ONLY" ] || for seed in 11 12 13 14 15 16 17; do crash lists $seed 3 groups.out joined.out top.out; done
# json values: items exchanged by key, json and list<json> states, collect
for seed in 18 19 20; do crash jsons $seed 2 sums.out recent.out groups.out words.out; done
# garbage collection (-b 0, seed 2): a key's older rows go with every fourth
# state written, so no key keeps more than five
[ -n "$ONLY" ] || { most=$(sqlite3 "$tmp/words.2/run/st/part-0.sqlite3" \
    "SELECT MAX(c) FROM (SELECT count(*) AS c FROM snaps GROUP BY step_id, state_key)")
    [ "${most:-99}" -le 5 ] && ok || bad "gc: a key keeps $most rows"; }
for seed in 21 22 23 24 25; do crash timers $seed 1 timers.out; done
# timers on system time: collect's timeout, stateful's notify_at
ARGS="--clock 2022-01-01T00:00:00Z --clock-step 30ms"
for seed in 26 27 28 29 30; do crash ptimers $seed 2 groups.out idle.out; done
# windows: tumbling, sliding (and a system-clock window), session
ARGS="--clock 2022-01-01T00:00:00Z --clock-step 100ms"
for seed in 31 32 33 34 35; do crash wtumble $seed 2 down.out late.out meta.out count.out; done
ARGS="--clock 2022-01-01T00:00:00Z --clock-step 250ms"
for seed in 41 42 43 44 45; do crash wslide $seed 1 lists.out late.out top.out red.out meta.out; done
ARGS="--clock 2022-01-01T00:00:00Z --clock-step 0s"
for seed in 51 52 53 54 55; do crash wsession $seed 3 red.out meta.out col.out late.out join.out logic.out; done
ARGS=

# ---- several workers (-w N, docs/workers.md) ---------------------------------
# at -w 2, the uninterrupted run and every execution of the crashed one:
# byte-identical outputs (workers run rounds in lockstep; a snapshot is
# taken at a round's end with every worker waiting)
ARGS="-w 2"
for seed in 61 62 63; do crash words $seed 2 running.out totals.out; done
for seed in 64 65 66; do crash lists $seed 3 groups.out joined.out top.out; done
crash jsons 82 2 sums.out recent.out groups.out words.out
ARGS="-w 2 --clock 2022-01-01T00:00:00Z --clock-step 100ms"
for seed in 67 68; do crash wtumble $seed 2 down.out late.out meta.out count.out; done
ARGS="-w 2 --clock 2022-01-01T00:00:00Z --clock-step 30ms"
crash ptimers 69 2 groups.out idle.out
ARGS="-w 2 --clock 2022-01-01T00:00:00Z --clock-step 0s"
crash wsession 70 3 red.out meta.out col.out late.out join.out logic.out
ARGS="-w 3"
crash dirs 79 2 running.out totals.out
# rescaling: each resume with another -w, keys re-routed (each worker
# loads the keys it owns now); compared per key with a -w 1 run
ARGS=
RESCALE="1 3 2"
for seed in 71 72; do crash words $seed 2 running.out totals.out; done
crash lists 73 3 groups.out joined.out top.out
crash jsons 83 2 sums.out recent.out groups.out words.out
RESCALE="3 1 2"
for seed in 74 75; do crash words $seed 2 running.out totals.out; done
crash lists 76 3 groups.out joined.out top.out
for seed in 80 81; do crash dirs $seed 2 running.out totals.out; done
ARGS="--clock 2022-01-01T00:00:00Z --clock-step 100ms"
RESCALE="2 1 3"
crash wtumble 77 2 down.out late.out meta.out count.out
ARGS="--clock 2022-01-01T00:00:00Z --clock-step 0s"
crash wsession 78 3 red.out meta.out col.out late.out join.out logic.out
RESCALE=
ARGS=
# split = "bytes": byte ranges per worker, their unread bytes divided
# among the workers of each resume (-w 2 throughout, then rescaled); the
# reference is a -w 1 run, compared as multisets of lines
SORTED=1
ARGS="-w 2"
for seed in 82 83; do crash bytes $seed 2 running.out totals.out sums.out; done
ARGS=
RESCALE="1 3 2"
for seed in 84 85; do crash bytes $seed 2 running.out totals.out sums.out; done
RESCALE="3 1 2"
for seed in 86 87; do crash bytes $seed 2 running.out totals.out sums.out; done
RESCALE="4 2 3 1"
crash bytes 88 2 running.out totals.out sums.out
RESCALE=
SORTED=
# a CSV file with a byte order mark: the header read again on resume
for seed in 89 90; do crash csvbom $seed 2 running.out totals.out; done
# rescaling at chosen points: rescale.flow's two ABORT markers end the
# first two executions; -w 1 for all three, against (1, 3, 2), (3, 1, 2),
# (2, 2, 2): the same lines in the same order per key
stages() {   # stages DIR N1 N2 N3
    local d=$tmp/rescale.$1; shift
    mkdir -p "$d" && (cd "$d" && "$tmp/rescale" --recovery-init st 2 >/dev/null &&
        for w in "$@"; do "$tmp/rescale" -r st -s 0 -b 0 -w "$w" || exit 1; done)
}
stages ref 1 1 1 || bad "rescale: the -w 1 executions"
for ws in "1 3 2" "3 1 2" "2 2 2"; do
    if ! stages "${ws// /}" $ws; then bad "rescale -w $ws: an execution failed"; continue; fi
    same=true
    for o in running counts groups joined top; do
        [ "$(keysorted "$tmp/rescale.ref/$o.out")" = "$(keysorted "$tmp/rescale.${ws// /}/$o.out")" ] || same=false
    done
    $same && ok || bad "rescale -w $ws: outputs differ per key from -w 1"
done

# the finals built on reduce_final, resumed after an ABORT: the restored
# state takes the next rounds' values (it was replaced by them)
d=$tmp/finals_resume.d && mkdir -p "$d" && (cd "$d" && "$tmp/finals_resume" --recovery-init st 1 >/dev/null &&
    "$tmp/finals_resume" -r st -s 0 -b 0 && "$tmp/finals_resume" -r st -s 0 -b 0) &&
    [ "$(cat "$d/sums.out" "$d/top.out" "$d/low.out")" = "$(printf "('a', 6)\n('b', 3)\n('a', 5)\n('b', 2)\n('a', 1)\n('b', 1)")" ] &&
    ok || bad "finals_resume: $(cat "$d/sums.out" "$d/top.out" "$d/low.out" 2>&1 | tr '\n' ' ')"

# ---- epochs on the real clock: the interval timer ----------------------------
# alarm reads a FIFO fed in three parts 1.2 s apart, with -s 1: epochs
# end by the timer (SIGALRM) while the source waits in read(), which
# goes on (SA_RESTART); killed in the third part, then resumed on the
# whole file put in the FIFO's place (the saved byte offset is the
# position in it), the output equals an uninterrupted run's.
d=$tmp/alarm.d && mkdir -p "$d/ref" "$d/run" && cp words.txt "$d/ref/" && cp words.txt "$d/run/"
(cd "$d/ref" && "$tmp/alarm" >/dev/null)
(cd "$d/run" && "$tmp/alarm" --recovery-init st 1 >/dev/null && mkfifo feed)
(cd "$d/run" && exec "$tmp/alarm" -r st -s 1 -b 0 --input inp=feed >/dev/null 2>"$d/err") &
pid=$!
(head -n 2000 "$d/run/words.txt"; sleep 1.2; sed -n '2001,4000p' "$d/run/words.txt"; sleep 1.2
 sed -n '4001,4500p' "$d/run/words.txt"; sleep 3) >"$d/run/feed" &
feeder=$!
sleep 3
{ kill -9 $pid; wait $pid; kill $feeder; wait $feeder; } 2>/dev/null
epochs=$(sqlite3 "$d/run/st/part-0.sqlite3" "SELECT MAX(worker_frontier) - 1 FROM fronts")
[ "${epochs:-0}" -ge 2 ] && ok || bad "alarm: $epochs epochs in 3 s with -s 1: $(cat "$d/err")"
# the resume reads a regular file of the same name (positions are per path)
rm "$d/run/feed" && cp "$d/run/words.txt" "$d/run/feed"
(cd "$d/run" && "$tmp/alarm" -r st -s 1 -b 0 --input inp=feed >/dev/null) &&
    cmp -s "$d/ref/lines.out" "$d/run/lines.out" && ok || bad "alarm: resumed output differs"

# ---- Bytewax's pytests/test_recovery.py ---------------------------------------
# each: run PROG with recovery in DIR, stdout compared with EXPECTED
cd "$tmp" || exit 1
expect() {   # expect NAME EXPECTED CMD...
    local name=$1 want=$2; shift 2
    local got
    got=$("$@" 2>&1)
    [ "$got" = "$want" ] && ok || bad "$name: got [$got], want [$want]"
}
nl='
'
# test_abort_no_snapshots: -s 5, no epoch ends before the ABORT: all replayed
./bw_abort --recovery-init s1 1 >/dev/null
expect abort_no_snapshots "0${nl}1${nl}2" ./bw_abort -r s1 -s 5 -b 0
expect abort_no_snapshots.resume "0${nl}1${nl}2${nl}3${nl}4" ./bw_abort -r s1 -s 5 -b 0
# test_abort_with_snapshots: -s 0, each item its epoch: resume after 2
./bw_abort --recovery-init s2 1 >/dev/null
expect abort_with_snapshots "0${nl}1${nl}2" ./bw_abort -r s2 -s 0 -b 0
expect abort_with_snapshots.resume "3${nl}4" ./bw_abort -r s2 -s 0 -b 0
# test_continuation: an EOF marker, each run continues after it
./bw_continue --recovery-init s3 1 >/dev/null
expect continuation.1 "0${nl}1${nl}2" ./bw_continue -r s3 -s 5 -b 0
expect continuation.2 "3${nl}4" ./bw_continue -r s3 -s 5 -b 0
expect continuation.3 "" ./bw_continue -r s3 -s 5 -b 0
expect continuation.4 "" ./bw_continue -r s3 -s 5 -b 0
# test_continuation_with_delayed_backup: -s 5 -b 10 keeps two more epochs
# before GC; each run's snapshot is one epoch, GC starts at the fifth
./bw_delayed --recovery-init s4 1 >/dev/null
for i in 0 1 2 3 4; do expect delayed_backup.$i "$i" ./bw_delayed -r s4 -s 5 -b 10; done
expect delayed_backup.5 "" ./bw_delayed -r s4 -s 5 -b 10
expect delayed_backup.gc "3,4,5,6" sqlite3 s4/part-0.sqlite3 \
    "SELECT group_concat(snap_epoch) FROM (SELECT snap_epoch FROM snaps WHERE step_id = 'inp' ORDER BY 1)"
# test_rescale: keep_max across continuations with 2, then 1, then 3 workers
./bw_rescale --recovery-init s5 3 >/dev/null
expect rescale.1 "('a', 4)${nl}('b', 4)" ./bw_rescale -r s5 -s 0 -b 0 -w 2
expect rescale.2 "('a', 4)${nl}('b', 5)" ./bw_rescale -r s5 -s 0 -b 0 -w 1
expect rescale.3 "('a', 8)${nl}('b', 5)" ./bw_rescale -r s5 -s 0 -b 0 -w 3
expect rescale.workers "2,1,3" sqlite3 s5/part-0.sqlite3 \
    "SELECT group_concat(worker_count) FROM (SELECT worker_count FROM exs ORDER BY ex_num)"
# test_no_parts, test_missing_parts
mkdir empty
expect no_parts "bw_rescale: error: recovery store empty: no partitions (create them with ./bw_rescale --recovery-init empty N)" \
    ./bw_rescale -r empty -s 0 -b 0
./bw_rescale --recovery-init s6 3 >/dev/null && rm s6/part-0.sqlite3
expect missing_parts "bw_rescale: error: recovery store s6: partition 0 of 3 is missing" ./bw_rescale -r s6 -s 0 -b 0
# test_inconsistent_parts: part 0 put back as it was before the first run
./bw_rescale --recovery-init s7 3 >/dev/null && cp s7/part-0.sqlite3 part-0.run0
./bw_rescale -r s7 -s 0 -b 0 >/dev/null
cp part-0.run0 s7/part-0.sqlite3 && rm -f s7/part-0.sqlite3-wal s7/part-0.sqlite3-shm
got=$(./bw_rescale -r s7 -s 0 -b 0 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $got == *"partitions are inconsistent"* ]] && ok || bad "inconsistent_parts: $rc $got"

# ---- broken stores ---------------------------------------------------------
# errors: exit 1 and one clear line naming the store (never a crash)
err_case() {   # err_case NAME PATTERN CMD...
    local name=$1 pat=$2; shift 2
    local got rc
    got=$("$@" 2>&1 >/dev/null); rc=$?
    [ $rc -eq 1 ] && [[ $got == *"$pat"* ]] && ok || bad "$name: exit $rc: $got"
}
./bw_rescale --recovery-init s8 1 >/dev/null && ./bw_rescale -r s8 -s 0 -b 0 >/dev/null
err_case other_flow "it belongs to flow 'bw_rescale', not 'bw_other'" ./bw_other -r s8 -s 0 -b 0
./km_int --recovery-init s9 1 >/dev/null && ./km_int -r s9 -s 0 -b 0 >/dev/null
err_case fingerprint "step 'km.mx' keeps state of type stateful_map int in the store, the program's is stateful_map float" \
    ./km_float -r s9 -s 0 -b 0
cp -r s8 s10 && printf 'garbage garbage garbage garbage' | dd of=s10/part-0.sqlite3 bs=1 seek=0 conv=notrunc 2>/dev/null
err_case corrupted "not a valid flowc recovery store" ./bw_rescale -r s10 -s 0 -b 0
cp -r s8 s11 && truncate -s 3000 s11/part-0.sqlite3
err_case truncated "part-0.sqlite3" ./bw_rescale -r s11 -s 0 -b 0
cp -r s8 s12 && : >s12/part-0.sqlite3
err_case empty_file "not a valid flowc recovery store" ./bw_rescale -r s12 -s 0 -b 0
# a state row whose bytes were changed: decoding fails cleanly
cp -r s9 s13 && sqlite3 s13/part-0.sqlite3 "UPDATE snaps SET ser_change = x'00ff' WHERE step_id = 'mx'"
err_case bad_row "corrupted state of step 'km.mx'" ./km_int -r s13 -s 0 -b 0
# the lock: a second process on the same store
./bw_rescale --recovery-init s14 1 >/dev/null
exec 9>s14/lock && flock 9 && echo 4242 >&9
err_case locked "in use by another process (pid 4242)" ./bw_rescale -r s14 -s 0 -b 0
exec 9>&-
check lock_released ./bw_rescale -r s14 -s 0 -b 0 >/dev/null

# ---- a full disk during a snapshot -------------------------------------------
# RLIMIT_FSIZE (SIGXFSZ ignored): writes past the limit fail with EFBIG as
# on a full disk; the run stops with a clear error, the store keeps the
# previous snapshot and a run without the limit finishes it identically.
d=$tmp/full && mkdir -p "$d/ref" "$d/run" && cp "$here/words.txt" "$d/ref/" && cp "$here/words.txt" "$d/run/"
(cd "$d/ref" && "$tmp/words" -s 0 >/dev/null)
(cd "$d/run" && "$tmp/words" --recovery-init st 1 >/dev/null)
got=$(cd "$d/run" && trap '' XFSZ && ulimit -f 120 && exec "$tmp/words" -r st -s 0 -b 0 2>&1 >/dev/null); rc=$?
[ $rc -eq 1 ] && [[ $got == *"error"* ]] && ok || bad "full disk: exit $rc: $got"
(cd "$d/run" && "$tmp/words" -r st -s 0 -b 0 >/dev/null) && cmp -s "$d/ref/running.out" "$d/run/running.out" &&
    cmp -s "$d/ref/totals.out" "$d/run/totals.out" && ok || bad "full disk: resume differs"

echo "recovery: $pass passed, $fail failed"
[ $fail -eq 0 ]
