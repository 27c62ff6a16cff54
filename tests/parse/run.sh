#!/bin/sh
# tests/parse/run.sh - parser golden tests: each NAME.flow here is a valid
# program and NAME.ast the exact stdout of `flowc --emit=ast NAME.flow`.
# UPDATE=1 rewrites the .ast files. Last line: "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
case $FLOWC in /*) ;; *) FLOWC=$root/$FLOWC ;; esac
cd "$here" || exit 1
passed=0
failed=0
tmp=$(mktemp "${TMPDIR:-/tmp}/flowc-parse.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT
for f in *.flow; do
    name=${f%.flow}
    if ! "$FLOWC" --emit=ast "$f" >"$tmp"; then
        echo "FAIL $name: flowc --emit=ast failed"
        failed=$((failed + 1))
        continue
    fi
    [ "${UPDATE:-0}" = 1 ] && cp "$tmp" "$name.ast"
    if cmp -s "$tmp" "$name.ast"; then
        passed=$((passed + 1))
    else
        echo "FAIL $name: output differs from $name.ast"
        diff -u "$name.ast" "$tmp" | sed 's/^/    /' | head -30
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
