#!/usr/bin/env bash
# tests/run/run.sh - golden end-to-end tests of compiled .flow programs.
#
# Each case is NAME.flow with:
#   NAME.expected  exact stdout (required)
#   NAME.args      extra program arguments, e.g. --clock ... (optional)
#   NAME.stderr    exact stderr (optional; default: stderr must be empty)
#   NAME.status    expected exit status (optional; default 0)
#   NAME.stdin     the program's standard input (optional; default /dev/null)
# Every case is compiled with $FLOWC into a temporary directory and run from
# inside the case directory (so relative paths such as data/lines.txt
# resolve there). For tests/run the expected files come from the Python
# oracle in gen/ (see gen/make_expected.py), never from flowc itself.
#
# Usage: tests/run/run.sh [NAME...]
# Environment:
#   DIR     the case directory (default: tests/run, where this script is);
#           tests/bytewax/run.sh runs its cases with DIR=tests/bytewax
#   FLOWC   the compiler (default: build/flowc of this repository)
#   RUNNER  a command prefix for the compiled programs (e.g. valgrind ...)
#   JOBS    parallel compiles (default: number of CPUs)
#   UPDATE=1  rewrite NAME.expected/.stderr/.status from the actual results,
#             for reviewing a change with git diff only; the oracle in gen/
#             stays the reference.
# Prints one line per failure with a diff and ends with "N passed, N failed".
set -u
script_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$script_dir/../.." && pwd)
if ! here=$(cd "${DIR:-$script_dir}" 2>/dev/null && pwd); then
    echo "run.sh: no case directory $DIR" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
FLOWC=${FLOWC:-$root/build/flowc}
case $FLOWC in /*) ;; *) FLOWC=$root/$FLOWC ;; esac
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
RUNNER=${RUNNER:-}

if [ ! -x "$FLOWC" ]; then
    echo "run.sh: no compiler at $FLOWC (build it with make, or set FLOWC)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

cd "$here"
if [ $# -gt 0 ]; then
    cases=("$@")
else
    cases=()
    for f in *.flow; do cases+=("${f%.flow}"); done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run_case NAME: compile and run one case; leaves its results in $tmp/NAME.*
run_case() {
    local name=$1 args=() in=/dev/null
    if ! "$FLOWC" "$name.flow" -o "$tmp/$name.bin" >"$tmp/$name.cc" 2>&1; then
        echo compile >"$tmp/$name.fail"
        return
    fi
    if [ -f "$name.args" ]; then
        read -r -a args <"$name.args"
    fi
    [ -f "$name.stdin" ] && in=$name.stdin
    $RUNNER "$tmp/$name.bin" ${args[@]+"${args[@]}"} \
        >"$tmp/$name.out" 2>"$tmp/$name.err" <"$in"
    echo $? >"$tmp/$name.rc"
}

running=0
for name in "${cases[@]}"; do
    if [ ! -f "$name.flow" ]; then
        echo "no such case: $name.flow" >"$tmp/$name.fail"
        continue
    fi
    run_case "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n 2>/dev/null || wait
        running=$((running - 1))
    fi
done
wait

passed=0 failed=0
for name in "${cases[@]}"; do
    if [ -f "$tmp/$name.fail" ]; then
        if [ "$(cat "$tmp/$name.fail")" = compile ]; then
            echo "FAIL $name: does not compile:"
            sed 's/^/    /' "$tmp/$name.cc"
        else
            echo "FAIL $name: $(cat "$tmp/$name.fail")"
        fi
        failed=$((failed + 1))
        continue
    fi
    want_status=0
    [ -f "$name.status" ] && want_status=$(cat "$name.status")
    got_status=$(cat "$tmp/$name.rc")
    want_err=/dev/null
    [ -f "$name.stderr" ] && want_err=$name.stderr
    if [ "${UPDATE:-}" = 1 ]; then
        cp "$tmp/$name.out" "$name.expected"
        if [ -s "$tmp/$name.err" ] || [ -f "$name.stderr" ]; then
            cp "$tmp/$name.err" "$name.stderr"
        fi
        if [ "$got_status" != 0 ] || [ -f "$name.status" ]; then
            echo "$got_status" >"$name.status"
        fi
    fi
    ok=1 why=""
    if [ ! -f "$name.expected" ]; then
        ok=0 why="no $name.expected"
    elif ! cmp -s "$name.expected" "$tmp/$name.out"; then
        ok=0 why="stdout differs"
    fi
    if ! cmp -s "$want_err" "$tmp/$name.err"; then
        ok=0 why="${why:+$why, }stderr differs"
    fi
    if [ "$got_status" != "$want_status" ]; then
        ok=0 why="${why:+$why, }exit status $got_status, expected $want_status"
    fi
    if [ $ok = 1 ]; then
        passed=$((passed + 1))
        continue
    fi
    failed=$((failed + 1))
    echo "FAIL $name: $why"
    if [ -f "$name.expected" ]; then
        diff -u --label "$name.expected" --label "actual stdout" \
            "$name.expected" "$tmp/$name.out" | head -40 | sed 's/^/    /'
    fi
    diff -u --label "expected stderr" --label "actual stderr" \
        "$want_err" "$tmp/$name.err" | head -20 | sed 's/^/    /'
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
