#!/usr/bin/env bash
# tests/install/run.sh - `make install` into a temporary DESTDIR, used from
# there (make install-test).
#
# Installs with PREFIX=/opt/flowc-test (a prefix that does not exist, so
# nothing can come from it) under a fresh DESTDIR, then checks:
#   - every file is in place (flowc, libflowrt.a, flowrt.h, flowrt_gen.h, flowrt.pc,
#     flowc.1, flow.7) and the man pages render without warnings;
#   - libflowrt.a defines no global symbol outside flow_* and flowi_* (weak
#     C++ ones from simdjson's inline code aside), so it cannot clash with
#     a host program's own;
#   - the installed flowc, run from outside the source tree and without
#     FLOWRT_HOME, compiles and links tests/run/op_branch.flow against the
#     installed runtime (found beside flowc), and the program's output is
#     the golden one; the same with FLOWRT_HOME pointing at the install;
#   - pkg-config --cflags --libs flowrt (with PKG_CONFIG_SYSROOT_DIR) names
#     the include dir, -lflowrt, -lpcre2-8, -lxxhash, -lsimdjson, -ljansson,
#     -lstdc++ and -lm, and builds the generated C of
#     examples/running_sum.flow into a program that runs;
#   - make uninstall removes every installed file.
# Ends with "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
MAKE=${MAKE:-make}
prefix=/opt/flowc-test
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
inst=$dest$prefix
unset FLOWRT_HOME

passed=0 failed=0
check() {
    local what=$1
    shift
    if "$@" >"$tmp/check.log" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $what"
        sed 's/^/    /' "$tmp/check.log" | head -20
    fi
}
same() { cmp -s "$1" "$2" || { diff -u "$1" "$2" | head -20; return 1; }; }

if ! $MAKE --no-print-directory -C "$root" install PREFIX=$prefix DESTDIR="$dest" >"$tmp/make.log" 2>&1; then
    echo "FAIL make install"
    tail -20 "$tmp/make.log" | sed 's/^/    /'
    echo "0 passed, 1 failed"
    exit 1
fi

for f in bin/flowc lib/libflowrt.a include/flowrt.h include/flowrt_gen.h lib/pkgconfig/flowrt.pc \
         share/man/man1/flowc.1 share/man/man7/flow.7; do
    check "installed $f" test -s "$inst/$f"
done
check "bin/flowc is executable" test -x "$inst/bin/flowc"
for m in man1/flowc.1 man7/flow.7; do
    check "man page $m renders" sh -c "man --warnings -l '$inst/share/man/$m' 2>&1 >/dev/null | { ! grep .; }"
done

# nm: "ADDRESS TYPE NAME" per definition; W/V are weak (the linker merges
# them with a host's copies), _Z... and DW.ref.__gxx_personality_v0 are C++
foreign_symbols() {
    nm -g --defined-only "$1" | awk 'NF == 3 && $3 !~ /^flowi?_/ &&
        !($2 ~ /^[WVwv]$/ && $3 ~ /^(_Z|DW\.ref\.)/) { print; bad = 1 } END { exit bad }'
}
check "libflowrt.a defines only flow_/flowi_ symbols" foreign_symbols "$inst/lib/libflowrt.a"

cd "$tmp" || exit 1
cp "$root/tests/run/op_branch.flow" "$root/tests/run/op_branch.expected" .
check "installed flowc builds a program (runtime beside flowc)" \
    sh -c "'$inst/bin/flowc' op_branch.flow -o prog1 && ./prog1 >out1 && cmp op_branch.expected out1"
check "installed flowc with FLOWRT_HOME" \
    sh -c "FLOWRT_HOME='$inst' '$inst/bin/flowc' op_branch.flow -o prog2 && ./prog2 >out2 && cmp op_branch.expected out2"
check "installed flowc --version" sh -c "'$inst/bin/flowc' --version | grep -q '^flowc '"

export PKG_CONFIG_PATH=$inst/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
flags=$(pkg-config --cflags --libs flowrt 2>"$tmp/pc.err")
echo "$flags" >pc.flags
for want in "-I$inst/include" "-L$inst/lib" -lflowrt -lpcre2-8 -lxxhash -lsimdjson -ljansson -lstdc++ -lm; do
    check "pkg-config gives $want" grep -q -e " $want\( \|\$\)" <(echo " $flags")
done
check "pkg-config --modversion" sh -c "pkg-config --modversion flowrt | grep -q '^[0-9]'"
check "cc with pkg-config flags builds generated C" \
    sh -c "'$inst/bin/flowc' -S '$root/examples/running_sum.flow' -o rs.c &&
           ${CC:-cc} -std=c11 rs.c \$(cat pc.flags) -o rs && ./rs | head -1 | grep -q \"('A', 2)\""

cd "$root" || exit 1
$MAKE --no-print-directory uninstall PREFIX=$prefix DESTDIR="$dest" >"$tmp/make.log" 2>&1
check "make uninstall removes every file" sh -c "test -z \"\$(find '$dest' -type f)\" || find '$dest' -type f"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
