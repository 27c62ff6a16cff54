#!/bin/sh
# tests/embed/run.sh - embedding (flowc --lib): examples/embed (the host
# program against its expected output, with two instances and an error
# returned as a code), tests/embed/test_api.c (the API's codes and rules),
# strict compiles of the generated files (the hosts and the generated
# header against flowrt.h alone, also from C++), byte-reproducible output, #line
# directives and -P, and the diagnostics for `extern` without --lib.
#
# Env: FLOWC (default build/flowc), BUILD (default build), CC (default cc),
# RUNNER (e.g. valgrind) for the compiled programs.
set -u
cd "$(dirname "$0")/../.."
FLOWC=${FLOWC:-build/flowc}
BUILD=${BUILD:-build}
CC=${CC:-cc}
RUNNER=${RUNNER:-}
OUT=$BUILD/embed
rm -rf "$OUT" && mkdir -p "$OUT/again" "$OUT/p"
STRICT="-std=c11 -Wall -Wextra -Werror -pedantic"
LIBS="$BUILD/libflowrt.a -lpcre2-8 -lxxhash -lsimdjson -ljansson -lrdkafka -lstdc++ -lm"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() {   # check NAME COMMAND...: the command succeeds
    name=$1
    shift
    if "$@" >"$OUT/log" 2>&1; then ok; else bad "$name"; sed 's/^/    /' "$OUT/log" | head -20; fi
}

# generation: NAME.h and NAME.c, byte for byte the same twice, #line on/off
check "flowc --lib sensors" "$FLOWC" --lib examples/embed/sensors.flow -o "$OUT/sensors"
check "flowc --lib sensors (again)" "$FLOWC" --lib examples/embed/sensors.flow -o "$OUT/again/sensors.c"
sed "s|$OUT/again/|$OUT/|" "$OUT/again/sensors.c" >"$OUT/again/sensors.c.n"
sed "s|$OUT/again/|$OUT/|" "$OUT/again/sensors.h" >"$OUT/again/sensors.h.n"
check "reproducible .c" cmp "$OUT/sensors.c" "$OUT/again/sensors.c.n"
check "reproducible .h" cmp "$OUT/sensors.h" "$OUT/again/sensors.h.n"
check "#line to the .flow in .c" grep -q '^#line [0-9]* "examples/embed/sensors.flow"' "$OUT/sensors.c"
check "#line to the .flow in .h" grep -q '^#line [0-9]* "examples/embed/sensors.flow"' "$OUT/sensors.h"
check "#line back in .h" grep -q "^#line [0-9]* \"$OUT/sensors.h\"" "$OUT/sensors.h"
check "flowc --lib -P" "$FLOWC" --lib -P examples/embed/sensors.flow -o "$OUT/p/sensors"
check "-P: no #line" sh -c "! grep -q '^#line' '$OUT/p/sensors.c' '$OUT/p/sensors.h'"
check "no timestamps" sh -c "! grep -Eqi '20[0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9]|generated (on|at)' '$OUT/sensors.c' '$OUT/sensors.h'"
# every #line back to the header names the line that follows it
check "#line numbers in .h" awk -v h="\"$OUT/sensors.h\"" '$1 == "#line" && $3 == h && $2 != NR + 1 { exit 1 }' "$OUT/sensors.h"

# strict compiles (gcc, and clang when present), the host program
check "sensors.c strict" $CC $STRICT -Iruntime/include -c "$OUT/sensors.c" -o "$OUT/sensors.o"
check "sensors.c -P strict" $CC $STRICT -Iruntime/include -c "$OUT/p/sensors.c" -o "$OUT/p/sensors.o"
if command -v clang >/dev/null 2>&1; then
    check "sensors.c clang strict" clang $STRICT -Iruntime/include -c "$OUT/sensors.c" -o "$OUT/sensors-clang.o"
fi
# a host sees flowrt.h only (flowrt_gen.h is for the generated .c): its
# code and the generated header compile with an include dir holding just
# flowrt.h, and a C++ host includes the generated header as it is
mkdir -p "$OUT/hostinc" && cp runtime/include/flowrt.h "$OUT/hostinc/"
HOSTINC="-I$OUT -I$OUT/hostinc"
printf '#include <flowrt.h>\n' >"$OUT/flowrt_alone.c"
check "flowrt.h alone strict" $CC $STRICT -fsyntax-only $HOSTINC "$OUT/flowrt_alone.c"
printf '#include "sensors.h"\nint main() { return 0; }\n' >"$OUT/host_cxx.cc"
check "sensors.h from C++" g++ -std=c++17 -Wall -Wextra -Werror -pedantic -fsyntax-only $HOSTINC "$OUT/host_cxx.cc"
check "host.c strict" $CC $STRICT -O2 $HOSTINC examples/embed/host.c "$OUT/sensors.o" $LIBS -o "$OUT/host"

run_host() {   # run_host NAME STATUS ARGS...: stdout vs NAME.expected (stderr vs NAME.stderr)
    name=$1 want=$2
    shift 2
    $RUNNER "$OUT/host" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
    st=$?
    if [ "$st" = "$want" ] && cmp -s "$OUT/$name.out" "examples/embed/$name.expected"; then ok; else
        bad "examples/embed host $* (status $st, want $want)"; diff "examples/embed/$name.expected" "$OUT/$name.out" | head -10; fi
    if [ -f "examples/embed/$name.stderr" ]; then
        if cmp -s "$OUT/$name.err" "examples/embed/$name.stderr"; then ok; else
            bad "examples/embed host $* stderr"; diff "examples/embed/$name.stderr" "$OUT/$name.err" | head -10; fi
    elif [ -s "$OUT/$name.err" ]; then
        bad "examples/embed host $*: unexpected stderr"; head -5 "$OUT/$name.err"
    fi
}
[ -x "$OUT/host" ] && run_host host 0
[ -x "$OUT/host" ] && run_host host-bad-probe 1 --bad-probe

# the API's codes, messages and rules
check "flowc --lib api" "$FLOWC" --lib tests/embed/api.flow -o "$OUT/api"
check "api.c strict" $CC $STRICT -g -Iruntime/include -c "$OUT/api.c" -o "$OUT/api.o"
check "test_api strict" $CC $STRICT -g $HOSTINC tests/embed/test_api.c "$OUT/api.o" $LIBS -o "$OUT/test_api"
if [ -x "$OUT/test_api" ]; then
    if $RUNNER "$OUT/test_api" >"$OUT/test_api.out" 2>&1; then ok; else bad "test_api"; fi
    grep -v ' 0 failed' "$OUT/test_api.out" | sed 's/^/    /'
fi

# diagnostics: extern needs --lib to run; --check and --graph accept it
NO_COLOR=1 "$FLOWC" examples/embed/sensors.flow -o "$OUT/nolib" 2>"$OUT/nolib.err"
st=$?
if [ "$st" = 1 ] && grep -q "error: \`readings\` is an extern input: it needs a host program; compile with \`flowc --lib\`" "$OUT/nolib.err" \
    && grep -q "error: \`windows\` is an extern output" "$OUT/nolib.err"; then ok; else bad "extern without --lib"; cat "$OUT/nolib.err"; fi
check "--check with extern" "$FLOWC" --check examples/embed/sensors.flow
check "--graph with extern" sh -c "'$FLOWC' --graph=dot examples/embed/sensors.flow | grep -q 'input: extern'"
for case in tests/embed/err_*.flow; do
    NO_COLOR=1 "$FLOWC" --check "$case" 2>"$OUT/err.out"
    if cmp -s "$OUT/err.out" "${case%.flow}.err"; then ok; else bad "$case"; diff "${case%.flow}.err" "$OUT/err.out"; fi
done

echo "embed: $pass passed, $fail failed"
[ "$fail" = 0 ]
