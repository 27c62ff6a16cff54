#!/bin/sh
# tests/errors/run.sh - golden diagnostics for syntax, lexical and checker
# errors (the checker's cases are named sema_*).
#
# Each NAME.flow here is a bad program; NAME.err is the exact stderr of
#     NO_COLOR=1 flowc --check NAME.flow
# run from this directory (so paths print as NAME.flow). A case passes when
# flowc exits with status 1 and stderr matches byte for byte.
#
#   FLOWC=path/to/flowc sh tests/errors/run.sh [NAME...]
#   UPDATE=1 sh tests/errors/run.sh      rewrite the .err files (review the diff!)
#
# The last line is "N passed, N failed"; the exit status is non-zero when
# any case failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
case $FLOWC in /*) ;; *) FLOWC=$root/$FLOWC ;; esac
cd "$here" || exit 1

passed=0
failed=0
tmp=$(mktemp "${TMPDIR:-/tmp}/flowc-errors.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT

if [ $# -eq 0 ]; then
    set -- $(ls *.flow | sed 's/\.flow$//')
fi
for name in "$@"; do
    NO_COLOR=1 "$FLOWC" --check "$name.flow" >/dev/null 2>"$tmp"
    status=$?
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$tmp" "$name.err"
    fi
    if [ "$status" -ne 1 ]; then
        echo "FAIL $name: exit status $status, expected 1"
        failed=$((failed + 1))
    elif ! cmp -s "$tmp" "$name.err"; then
        echo "FAIL $name: stderr differs from $name.err"
        diff -u "$name.err" "$tmp" | sed 's/^/    /' | head -30
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
