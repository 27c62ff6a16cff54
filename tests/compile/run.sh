#!/usr/bin/env bash
# tests/compile/run.sh - checks of the C that flowc generates.
#
# 1. Strict: every examples/*.flow and tests/run/*.flow compiles to C that
#    passes `cc -std=c11 -Wall -Wextra -Werror -pedantic` (the house rule
#    for generated code).
# 2. Golden: for each tests/compile/NAME.flow, `flowc -S --no-version`
#    (run inside tests/compile) must equal NAME.c.expected byte for byte,
#    so any change to the emitter's output is seen in review. A case whose
#    first line is `# flowc --lib` is compiled with `--lib --no-version`
#    instead, and both NAME.h.expected and NAME.c.expected are compared.
#    UPDATE=1 rewrites the expected files (review them with git diff).
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
CC_STRICT=${CC_STRICT:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

for f in "$root"/examples/*.flow "$root"/tests/run/*.flow; do
    name=$(basename "$f" .flow)
    if ! (cd "$(dirname "$f")" && "$FLOWC" -S "$name.flow" -o "$tmp/$name.c") 2>"$tmp/err"; then
        echo "FAIL strict $name: flowc -S failed"; sed 's/^/    /' "$tmp/err"; fail=$((fail + 1)); continue
    fi
    if $CC_STRICT -std=c11 -Wall -Wextra -Werror -pedantic -Wno-overlength-strings \
        -I"$root/runtime/include" -c "$tmp/$name.c" -o "$tmp/$name.o" 2>"$tmp/err"; then
        pass=$((pass + 1))
    else
        echo "FAIL strict $name: the generated C does not compile cleanly"
        head -20 "$tmp/err" | sed 's/^/    /'
        fail=$((fail + 1))
    fi
done

cd "$here"
for f in *.flow; do
    name=${f%.flow}
    # compile a copy inside $tmp so both #line file names are relative
    cp "$f" "$tmp/$f"
    outs=c mode=(-S --no-version "$f" -o "$name.c")
    if [ "$(head -n 1 "$f")" = "# flowc --lib" ]; then
        outs="h c" mode=(--lib --no-version "$f" -o "$name")
    fi
    if ! (cd "$tmp" && "$FLOWC" "${mode[@]}") 2>"$tmp/err"; then
        echo "FAIL golden $name: flowc ${mode[0]} failed"; sed 's/^/    /' "$tmp/err"; fail=$((fail + 1)); continue
    fi
    for ext in $outs; do
        if [ "${UPDATE:-}" = 1 ]; then
            cp "$tmp/$name.$ext" "$name.$ext.expected"
        fi
        if cmp -s "$tmp/$name.$ext" "$name.$ext.expected"; then
            pass=$((pass + 1))
        else
            echo "FAIL golden $name: generated $ext differs from $name.$ext.expected"
            diff -u "$name.$ext.expected" "$tmp/$name.$ext" | head -40 | sed 's/^/    /'
            fail=$((fail + 1))
        fi
    done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
