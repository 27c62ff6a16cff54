#!/usr/bin/env bash
# tests/process/run.sh - how compiled programs and flowc itself behave as
# processes (make process-test): signals stop a run with its output
# flushed (130/143, a second signal at once), an idle pipeline flushes,
# write errors are reported (stdout and sinks), inputs are never
# overwritten (by the program or by flowc -o), --output needs a path, and
# flowc's driver: one error for a missing $CC, every $CC word passed, a
# killed flowc leaves no temporary file and no running cc, a source too
# large is refused. Ends with "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-process.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# wait_for N FILE: until FILE has N lines (at most 5 s)
wait_for() { for _ in $(seq 50); do [ -e "$2" ] && [ "$(wc -l <"$2")" -ge "$1" ] && return 0; sleep 0.1; done; return 1; }

cat >pipe.flow <<'FLOW'
flow pipe
inp = input(stdin(format = "lines"))
up = map(inp, |l| upper(l))
saved = output(up, file("saved.txt"))
shown = output(inp, stdout)
FLOW
"$FLOWC" pipe.flow -o pipe || { echo "pipe.flow does not compile"; echo "0 passed, 1 failed"; exit 1; }

# an idle pipeline: 100 lines in, the input kept open; then SIGINT / SIGTERM
for sig in INT TERM; do
    rm -f fifo saved.txt shown.txt err.txt
    mkfifo fifo
    ./pipe <fifo >shown.txt 2>err.txt &
    pid=$!
    exec 3>fifo
    for i in $(seq 100); do echo "line $i" >&3; done
    check "idle pipe ($sig run): the file sink has all 100 lines while the input stays open" wait_for 100 saved.txt
    check "idle pipe ($sig run): stdout has all 100 lines while the input stays open" wait_for 100 shown.txt
    kill -$sig $pid
    wait $pid
    status=$?
    exec 3>&-
    want=$([ $sig = INT ] && echo 130 || echo 143)
    check "SIG$sig: exit status $want (got $status)" [ "$status" = "$want" ]
    check "SIG$sig: one note on stderr" grep -qx "pipe: stopped by SIG$sig after round [0-9]*; output flushed" err.txt
    check "SIG$sig: no torn record in the file sink" [ "$(tail -n 1 saved.txt)" = "LINE 100" ]
done

# a second signal exits at once, even while a write blocks (nobody reads)
cat >flood.flow <<'FLOW'
flow flood
inp = input(testing(range(10000000)))
out = output(inp, stdout)
FLOW
"$FLOWC" flood.flow -o flood
rm -f fifo
mkfifo fifo
exec 4<>fifo    # a reader that never reads: the pipe fills and write blocks
./flood >fifo 2>err2.txt &
pid=$!
sleep 0.5
kill -INT $pid
sleep 0.3
check "a first SIGINT while a write blocks: still running" kill -0 $pid
kill -INT $pid
wait $pid
status=$?
exec 4>&-
check "a second SIGINT exits at once with 130 (got $status)" [ "$status" = 130 ]
check "a second SIGINT: says so" grep -q "interrupted again" err2.txt

# write errors
cat >sink_full.flow <<'FLOW'
flow sink_full
inp = input(testing([1, 2, 3]))
out = output(inp, file("/dev/full"))
FLOW
"$FLOWC" sink_full.flow -o sink_full
./pipe </dev/null >/dev/null 2>/dev/null
printf 'a\nb\n' >in.txt
./pipe <in.txt >/dev/full 2>err.txt
status=$?
check "stdout is /dev/full: exit 1 (got $status)" [ "$status" = 1 ]
check "stdout is /dev/full: the error says so" grep -qx "stdout: error: write error: No space left on device" err.txt
./sink_full 2>err.txt
status=$?
check "a file sink on /dev/full: exit 1 (got $status)" [ "$status" = 1 ]
check "a file sink on /dev/full: the error names it" grep -qx "/dev/full: error: write error: No space left on device" err.txt

# inputs are never overwritten; --output needs a path
cat >copy.flow <<'FLOW'
flow copy
inp = input(file("in.txt", format = "lines"))
out = output(inp, file("out.txt"))
FLOW
"$FLOWC" copy.flow -o copy
./copy --output out=in.txt 2>err.txt
status=$?
check "--output onto the input file: usage error 2 (got $status)" [ "$status" = 2 ]
check "--output onto the input file: the input is intact" [ "$(cat in.txt)" = "$(printf 'a\nb')" ]
check "--output onto the input file: the error says why" grep -q "would overwrite the file of input 'inp'" err.txt
ln -s in.txt link.txt
./copy --input inp=link.txt --output out=./in.txt 2>/dev/null
check "--input and --output naming one file two ways: refused (by inode)" [ "$?" = 2 ]
./copy --output out= 2>err.txt
status=$?
check "--output out= (empty): usage error 2 (got $status)" [ "$status" = 2 ]
check "--output out= (empty): the error says what is expected" grep -q "expects STEP=PATH" err.txt
./copy --help >help.txt
check "--help ends with a newline" [ "$(tail -c 1 help.txt | od -An -c | tr -d ' ')" = '\n' ]

# flowc: the input is never overwritten
cp copy.flow keep.flow
"$FLOWC" keep.flow -o keep.flow 2>err.txt
status=$?
check "flowc F -o F: error 1 (got $status)" [ "$status" = 1 ]
check "flowc F -o F: F intact" cmp -s copy.flow keep.flow
"$FLOWC" -S keep.flow -o ./keep.flow 2>/dev/null
check "flowc -S F -o ./F: refused, F intact" cmp -s copy.flow keep.flow
check "flowc -o F: the error says why" grep -q "is the input file: refusing to overwrite it" err.txt

# flowc's C compiler: one error when it cannot run; every word of $CC passed
CC=/nonexistent "$FLOWC" copy.flow -o x 2>err.txt
check "CC=/nonexistent: one error line" [ "$(wc -l <err.txt)" = 1 ]
check "CC=/nonexistent: it names the C compiler" grep -q "cannot run the C compiler /nonexistent" err.txt
CC="cc -O1 -O1 -O1 -O1 -O1 -O1 -O1 -O1 -O1 -O1 -O1 -O1 -O1 -O1 -O1 -O1 -O1 -O1 -Wl,--no-such-flag-at-word-20" \
    "$FLOWC" copy.flow -o x 2>err.txt
check "the 20th word of \$CC reaches the C compiler" grep -q "no-such-flag-at-word-20" err.txt

# a killed flowc removes its temporary C file and stops its C compiler
printf '#!/bin/sh\necho $$ >"%s/cc.pid"\nsleep 3\nexec cc "$@"\n' "$tmp" >slowcc
chmod +x slowcc
mkdir -p t
TMPDIR=$tmp/t CC=$tmp/slowcc "$FLOWC" copy.flow -o killed 2>kerr.txt &
pid=$!
wait_for 1 cc.pid
kill -TERM $pid
wait $pid
check "a killed flowc: no temporary file left" [ -z "$(ls t)" ]
check "a killed flowc: says nothing (its compiling thread does not report the reaped cc)" [ ! -s kerr.txt ]
check "a killed flowc: its C compiler is gone" sh -c "! kill -0 $(cat cc.pid) 2>/dev/null"
sleep 3.2
check "a killed flowc: no output written later" [ ! -e killed ]

# a source too large is refused (not read until memory runs out)
timeout 60 "$FLOWC" /dev/zero 2>err.txt
status=$?
check "flowc /dev/zero: error 1 (got $status)" [ "$status" = 1 ]
check "flowc /dev/zero: says the file is too large" grep -q "larger than 64 MiB" err.txt

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
