#!/usr/bin/env bash
# tests/examples/run.sh - compiles every examples/*.flow with $FLOWC, runs it
# from the repository root and compares its stdout byte for byte:
#   running_sum, collect, batch, collect_window, reduce_window_meta
#                                with ../shared/conformance/NAME.expected
#                                (the outputs Bytewax prints; CONFORMANCE=DIR
#                                overrides the folder)
#   wordcount                    with examples/wordcount.expected (made by
#                                tests/examples/wordcount_oracle.py)
#   any other NAME               with examples/NAME.expected
#   ec2_cpu, ec2_hot, partitions not here: tests/realdata/run.sh checks them
#                                against its Python oracle (make realdata-test)
# A program runs with the arguments in examples/NAME.args, if present.
# RUNNER=CMD runs each program under CMD (e.g. valgrind ...).
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
case $FLOWC in /*) ;; *) FLOWC=$root/$FLOWC ;; esac
CONFORMANCE=${CONFORMANCE:-$(cd "$root/.." && pwd)/shared/conformance}
cd "$root"

passed=0 failed=0
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

if [ ! -x "$FLOWC" ]; then
    echo "examples: no compiler at $FLOWC (build it with make, or set FLOWC)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -d "$CONFORMANCE" ]; then
    echo "examples: the conformance outputs are missing: $CONFORMANCE does not exist." >&2
    echo "examples: this test needs the shared folder beside the repository (../shared/conformance)." >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-examples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for flow in examples/*.flow; do
    name=$(basename "$flow" .flow)
    case $name in
        ec2_cpu|ec2_hot|partitions) continue ;;
        running_sum|collect|batch|collect_window|reduce_window_meta) want=$CONFORMANCE/$name.expected ;;
        *) want=examples/$name.expected ;;
    esac
    if [ ! -f "$want" ]; then
        fail "$name: no expected output $want"
        continue
    fi
    if ! "$FLOWC" "$flow" -o "$tmp/$name" 2>"$tmp/$name.cc"; then
        fail "$name: does not compile:"
        sed 's/^/    /' "$tmp/$name.cc"
        continue
    fi
    args=()
    [ -f "examples/$name.args" ] && read -r -a args < "examples/$name.args"
    ${RUNNER:-} "$tmp/$name" "${args[@]}" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
    rc=$?
    if [ $rc -ne 0 ] || [ -s "$tmp/$name.err" ]; then
        fail "$name: exit status $rc, stderr:"
        sed 's/^/    /' "$tmp/$name.err"
    elif ! cmp -s "$want" "$tmp/$name.out"; then
        fail "$name: stdout differs from $want"
        diff -u --label "$want" --label "actual" "$want" "$tmp/$name.out" | head -40 | sed 's/^/    /'
    else
        passed=$((passed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
