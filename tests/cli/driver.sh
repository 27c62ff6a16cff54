#!/usr/bin/env bash
# tests/cli/driver.sh - one check per flowc driver flag (chibicc style), and
# checks of the options every compiled program takes.
#
# flowc:    --help, --version, --check (good and bad file), -S and --emit-c
#           to a file and to '-', -o, -c (then linked by hand), exit codes
#           0 (success) / 1 (errors in the program, unreadable input) /
#           2 (usage), a missing input file.
# program:  --help lists the inputs, --input STEP=PATH, --clock and
#           FLOW_CLOCK / FLOW_CLOCK_STEP, a bad option or input name exits 2,
#           an unreadable input file exits 1 naming the file; --help lists
#           the outputs; --stats counts items per step; --progress lines,
#           and (with script(1) giving it a terminal) progress in place.
# Ends with "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
case $FLOWC in /*) ;; *) FLOWC=$root/$FLOWC ;; esac
BUILD=$(dirname "$FLOWC")
CC=${CC:-cc}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

passed=0 failed=0
# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
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
# status WANT COMMAND...: runs COMMAND, stdout to out, stderr to err, and
# succeeds when its exit status is WANT.
status() {
    local want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "exit status $got, expected $want; stderr:"
        cat "$tmp/err"
        return 1
    fi
}
has() { grep -q -e "$1" "$2" || { echo "'$1' not found in $2:"; head -20 "$2"; return 1; }; }
empty() { [ ! -s "$1" ] || { echo "$1 is not empty:"; head -20 "$1"; return 1; }; }

if [ ! -x "$FLOWC" ]; then
    echo "driver: no compiler at $FLOWC (build it with make, or set FLOWC)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

cat >good.flow <<'FLOW'
# A small valid flow with a file input named inp.
flow good

inp = input(file("in.txt", format = "lines"))
upper_lines = map(inp, |l| upper(l) + "!")
out = output(upper_lines, stdout)
FLOW
printf 'a\nb\n' >in.txt
printf 'x\ny\nz\n' >other.txt
cat >bad.flow <<'FLOW'
flow bad

nums = input(testing([1, 2, 3]))
out = output(nosuch_stream, stdout)
FLOW
cat >clock.flow <<'FLOW'
flow clock

nums = input(testing([1, 2]))
stamped = map(nums, |x| (x, now()))
out = output(stamped, stdout)
FLOW

# Each check below is a small script run with eval (so it can use the
# helpers above); stdout and stderr of the command under test are in out, err.

# ---- flowc ------------------------------------------------------------------
check "flowc --help: exit 0, usage on stdout" eval \
    'status 0 "$FLOWC" --help && has "usage" out && empty err'
check "flowc --version: exit 0, prints flowc and a version" eval \
    'status 0 "$FLOWC" --version && has "flowc" out && has "[0-9]\.[0-9]" out'
check "flowc --check on a good file: exit 0, no output, no files" eval \
    'status 0 "$FLOWC" --check good.flow && empty out && empty err && [ ! -e a.out ] && [ ! -e good ]'
check "flowc --check on a bad file: exit 1, GCC-style error naming the file" eval \
    'status 1 "$FLOWC" --check bad.flow && has "^bad.flow:4:[0-9]*: error: " err'
check "flowc on a bad file writes no program" eval \
    'status 1 "$FLOWC" bad.flow -o badprog && [ ! -e badprog ]'
check "flowc -S -o FILE writes C that includes flowrt_gen.h" eval \
    'status 0 "$FLOWC" -S good.flow -o good.c && has "#include <flowrt_gen.h>" good.c && empty out'
check "flowc --emit-c -o - writes the same C to stdout" eval \
    'status 0 "$FLOWC" --emit-c good.flow -o - && cmp out good.c'
check "the emitted C compiles with -Wall -Wextra -Werror" eval \
    '"$CC" -std=c11 -Wall -Wextra -Werror -I"$root/runtime/include" -c good.c -o emitted.o'
check "flowc -o PROG builds a program that runs" eval \
    'status 0 "$FLOWC" good.flow -o prog && status 0 ./prog && printf "A!\nB!\n" | cmp - out'
check "flowc -c writes an object file that links with libflowrt.a" eval \
    'status 0 "$FLOWC" -c good.flow -o good.o && [ "$(head -c 4 good.o | od -An -c | tr -d " ")" = "177ELF" ] &&
     "$CC" good.o "$BUILD/libflowrt.a" -lpcre2-8 -lxxhash -lsimdjson -ljansson -lrdkafka -lstdc++ -lm -o linked && status 0 ./linked && printf "A!\nB!\n" | cmp - out'
check "flowc with an unknown option: exit 2" eval \
    'status 2 "$FLOWC" --no-such-option good.flow && has "no-such-option" err'
check "flowc with no input file: exit 2" eval \
    'status 2 "$FLOWC"'
check "flowc with a missing input file: exit 1, names the file" eval \
    'status 1 "$FLOWC" missing.flow -o prog2 && has "missing.flow" err && [ ! -e prog2 ]'

# ---- a compiled program ------------------------------------------------------
check "PROG --help: exit 0, lists the input and its default path" eval \
    'status 0 ./prog --help && has "inp" out && has "in.txt" out && has "[-]-input" out'
check "PROG --input STEP=PATH reads another file" eval \
    'status 0 ./prog --input inp=other.txt && printf "X!\nY!\nZ!\n" | cmp - out && empty err'
check "PROG with a bad option: exit 2" eval \
    'status 2 ./prog --bogus && has "bogus" err && empty out'
check "PROG --input with an unknown step: exit 2" eval \
    'status 2 ./prog --input nosuch=other.txt && has "nosuch" err'
check "PROG --input with a missing file: exit 1, names the file" eval \
    'status 1 ./prog --input inp=missing.txt && has "missing.txt" err'
check "PROG --clock/--clock-step pin now()" eval \
    'status 0 "$FLOWC" clock.flow -o clockprog && status 0 ./clockprog --clock 2022-01-01T00:00:00Z --clock-step 1s &&
     printf "%s\n" "(1, datetime.datetime(2022, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))" \
        "(2, datetime.datetime(2022, 1, 1, 0, 0, 1, tzinfo=datetime.timezone.utc))" | cmp - out'
check "FLOW_CLOCK / FLOW_CLOCK_STEP pin now() like --clock" eval \
    'status 0 env FLOW_CLOCK=2022-01-01T00:00:00Z FLOW_CLOCK_STEP=2s ./clockprog &&
     printf "%s\n" "(1, datetime.datetime(2022, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))" \
        "(2, datetime.datetime(2022, 1, 1, 0, 0, 2, tzinfo=datetime.timezone.utc))" | cmp - out'
check "PROG with a bad --clock: exit 2" eval \
    'status 2 ./clockprog --clock yesterday && has "yesterday" err'

# ---- a compiled program: --help outputs, --stats, progress ------------------
cat >stats.flow <<'FLOW'
flow stats

nums = input(testing(range(10)))
parts = branch(nums, |x| x % 3 == 0)
threes = map(parts.trues, |x| x * 10)
out = output(threes, stdout)
rest = output(parts.falses, discard)
FLOW
cat >long.flow <<'FLOW'
flow long

nums = input(testing(range(3000000)))
evens = filter(nums, |x| x % 2 == 0)
out = output(evens, discard)
FLOW
check "PROG --help lists the outputs with their sinks, and --stats" eval \
    'status 0 "$FLOWC" stats.flow -o statsprog && status 0 ./statsprog --help &&
     has "^outputs:" out && has "^  out  *stdout" out && has "^  rest  *discard" out && has "[-]-stats" out'
check "PROG --stats: items in and out per step on stderr, stdout unchanged" eval \
    'status 0 ./statsprog --stats && printf "0\n30\n60\n90\n" | cmp - out &&
     has "^  nums  *input  *-  *10  *-\$" err && has "^  parts  *branch  *10  *10 " err &&
     has "^  threes  *map  *4  *4 " err && has "^  out  *output  *4  *- " err &&
     has "^  rest  *output  *6  *- " err && has "11 rounds, .* s, 10 items read, .* items/s" err'
check "PROG without --stats, stderr not a terminal: nothing on stderr" eval \
    'status 0 ./statsprog && empty err'
check "PROG --progress=DUR, stderr not a terminal: a progress line each time" eval \
    'status 0 "$FLOWC" long.flow -o longprog && status 0 ./longprog --progress=1ms &&
     has "^long: [0-9]* rounds, [0-9]* items in, [0-9]* items/s\$" err'
check "PROG --progress with a bad duration: exit 2" eval \
    'status 2 ./longprog --progress=soon && has "soon" err'
if command -v script >/dev/null 2>&1; then
    # script(1) gives the program a terminal: progress rewrites one line
    # (carriage return, clear to end of line) and is cleared at the end.
    check "PROG with stderr on a terminal: progress rewritten in place" eval \
        'script -qec "./longprog --progress=1ms" /dev/null >tty.log 2>&1 </dev/null &&
         has "$(printf "\r\033")\[Klong: [0-9]* rounds" tty.log'
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
