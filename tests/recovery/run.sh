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

for p in words lists timers bw_abort bw_continue bw_rescale bw_other km_int km_float; do
    $FLOWC "$p.flow" -o "$tmp/$p" || { bad "compile $p"; }
done

# ---- crashes: kill -9 at random moments, resume until done ---------------
# crash PROG SEED PARTS OUTS...: in a fresh directory, the uninterrupted run
# (no recovery) and the crashed one; their OUTS must be identical.
crash() {
    local prog=$1 seed=$2 parts=$3; shift 3
    local d=$tmp/$prog.$seed
    mkdir -p "$d/ref" "$d/run"
    cp words.txt "$d/ref/" && cp words.txt "$d/run/"
    (cd "$d/ref" && "$tmp/$prog" -s 0 >/dev/null) || { bad "$prog: reference run"; return; }
    (cd "$d/run" && "$tmp/$prog" --recovery-init st "$parts" >/dev/null) || { bad "$prog: init"; return; }
    RANDOM=$seed
    local tries=0 kills=0 rc
    while :; do
        tries=$((tries + 1))
        (cd "$d/run" && exec "$tmp/$prog" -r st -s 0 -b "$((seed % 2))" >/dev/null 2>"$d/err") &
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
        cmp -s "$d/ref/$o" "$d/run/$o" || { bad "$prog seed $seed ($kills kills): $o differs"; return; }
    done
    ok
}
[ -n "$ONLY" ] || for seed in 1 2 3 4 5 6 7 8; do crash words $seed 2 running.out totals.out; done
[ -n "$ONLY" ] || for seed in 11 12 13 14 15 16 17; do crash lists $seed 3 groups.out joined.out top.out; done
for seed in 21 22 23 24 25; do crash timers $seed 1 timers.out; done

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
# test_rescale (one worker: flowc has no -w yet): keep_max across continuations
./bw_rescale --recovery-init s5 3 >/dev/null
expect rescale.1 "('a', 4)${nl}('b', 4)" ./bw_rescale -r s5 -s 0 -b 0
expect rescale.2 "('a', 4)${nl}('b', 5)" ./bw_rescale -r s5 -s 0 -b 0
expect rescale.3 "('a', 8)${nl}('b', 5)" ./bw_rescale -r s5 -s 0 -b 0
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
