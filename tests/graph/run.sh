#!/bin/sh
# tests/graph/run.sh - `flowc --graph=mermaid|dot` (make graph-test).
#
# 1. Golden: for each NAME.flow here, `flowc --graph=mermaid NAME.flow`
#    must equal NAME.mmd and `flowc --graph=dot NAME.flow` NAME.dot, byte
#    for byte. UPDATE=1 rewrites them (review with git diff).
# 2. Graphviz: the DOT of every examples/*.flow, tests/run/*.flow and
#    tests/graph/*.flow renders with `dot -Tsvg` (Debian package graphviz,
#    installed by `make deps`) into a non-empty SVG.
# 3. Usage: an unknown format exits 2.
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
case $FLOWC in /*) ;; *) FLOWC=$root/$FLOWC ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-graph.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
cd "$here" || exit 1

for f in *.flow; do
    name=${f%.flow}
    for fmt in mermaid dot; do
        ext=$([ $fmt = mermaid ] && echo mmd || echo dot)
        if ! "$FLOWC" --graph=$fmt "$f" >"$tmp/$name.$ext" 2>"$tmp/err"; then
            echo "FAIL golden $name.$ext: flowc --graph=$fmt failed"
            sed 's/^/    /' "$tmp/err"
            fail=$((fail + 1))
            continue
        fi
        [ "${UPDATE:-}" = 1 ] && cp "$tmp/$name.$ext" "$name.$ext"
        if cmp -s "$tmp/$name.$ext" "$name.$ext"; then
            pass=$((pass + 1))
        else
            echo "FAIL golden $name.$ext: output differs"
            diff -u "$name.$ext" "$tmp/$name.$ext" | head -30 | sed 's/^/    /'
            fail=$((fail + 1))
        fi
    done
done

if ! command -v dot >/dev/null 2>&1; then
    echo "FAIL graphviz: no 'dot' program (make deps installs the graphviz package)"
    fail=$((fail + 1))
else
    for f in "$root"/examples/*.flow "$root"/tests/run/*.flow "$here"/*.flow; do
        name=$(basename "$f" .flow)
        if (cd "$(dirname "$f")" && "$FLOWC" --graph=dot "$name.flow") >"$tmp/g.dot" 2>"$tmp/err" &&
            dot -Tsvg "$tmp/g.dot" -o "$tmp/g.svg" 2>>"$tmp/err" && grep -q '<svg' "$tmp/g.svg"; then
            pass=$((pass + 1))
        else
            echo "FAIL graphviz $name: the DOT does not render"
            head -20 "$tmp/err" | sed 's/^/    /'
            fail=$((fail + 1))
        fi
    done
fi

"$FLOWC" --graph=svg branch_merge.flow >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q "unknown graph format" "$tmp/err"; then
    pass=$((pass + 1))
else
    echo "FAIL usage: --graph=svg should exit 2 naming the format"
    fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
