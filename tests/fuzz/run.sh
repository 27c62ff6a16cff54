#!/bin/sh
# tests/fuzz/run.sh DIR SECONDS MODE HARNESS... - runs the libFuzzer
# harnesses built in DIR (make fuzz, make fuzz-long) for SECONDS each,
# all at once (MODE parallel: make fuzz, so that the group takes SECONDS)
# or one after the other (MODE serial: make fuzz-long, each on a whole
# CPU). HARNESS fuzz_parse reads DIR/seed, fuzz_csv DIR/seed-csv and
# fuzz_jsonl DIR/seed-jsonl; each keeps its corpus (DIR/corpus, corpus-csv,
# corpus-jsonl) from run to run, logs to DIR/fuzz.log, fuzz-csv.log,
# fuzz-jsonl.log, and writes what crashed or leaked to DIR/crash-*,
# leak-*, timeout-* (rerun one with `DIR/HARNESS FILE`). Prints each
# harness's final line (#RUNS, cov:) and fails when one found anything.
set -u
dir=$1 secs=$2 mode=$3
shift 3

# the arguments of harness $1: suffix, max_len
suffix() { case $1 in fuzz_parse) echo "" ;; *) echo "-${1#fuzz_}" ;; esac; }
maxlen() { case $1 in fuzz_parse) echo 4096 ;; *) echo 8192 ;; esac; }

start() {
    h=$1 s=$(suffix "$1")
    mkdir -p "$dir/corpus$s"
    # UBSan reports end the run as crashes (-fno-sanitize-recover at build)
    "$dir/$h" -max_total_time="$secs" -max_len="$(maxlen "$h")" -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="$dir/" -print_final_stats=1 \
        "$dir/corpus$s" "$dir/seed$s" > "$dir/fuzz$s.log" 2>&1
}

report() {
    h=$1 rc=$2 log="$dir/fuzz$(suffix "$1").log"
    if [ "$rc" -eq 0 ]; then
        runs=$(grep -a '^stat::number_of_executed_units' "$log" | awk '{print $2}')
        last=$(grep -a '^#[0-9]' "$log" | tail -n 1)
        echo "$h: $secs s, $runs runs, no crash, no leak; last: $last"
    else
        tail -n 60 "$log"
        echo "$h: FAILED (a crash, a leak or a timeout, above; log $log)"
    fi
}

fail=0
if [ "$mode" = parallel ]; then
    echo "fuzzing $* for $secs s each, at once (logs: $dir/fuzz*.log)"
    i=0
    for h in "$@"; do
        start "$h" &
        eval "pid_$i=$!"
        i=$((i + 1))
    done
    i=0
    for h in "$@"; do
        eval "pid=\$pid_$i"
        wait "$pid"
        rc=$?
        report "$h" "$rc"
        [ "$rc" -eq 0 ] || fail=1
        i=$((i + 1))
    done
else
    for h in "$@"; do
        echo "fuzzing $h for $secs s (log: $dir/fuzz$(suffix "$h").log)"
        start "$h"
        rc=$?
        report "$h" "$rc"
        [ "$rc" -eq 0 ] || fail=1
    done
fi
exit $fail
