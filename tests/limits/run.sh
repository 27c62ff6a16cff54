#!/usr/bin/env bash
# tests/limits/run.sh - programs at sizes where a cost that grows faster
# than the work shows up as a time-out (make limits-test): each case would
# take many times its limit if its part of the compiler or runtime went
# quadratic again (the figures before the fix are in docs/benchmarks.md,
# "Costs that grow with the program"). The limits are generous for this
# machine and CI's; no case asserts a speed, only that it finishes.
# Ends with "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-limits.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
pass=0 fail=0
# run NAME SECONDS CMD...: CMD must succeed within SECONDS
run() {
    local name=$1 secs=$2
    shift 2
    if timeout "$secs" "$@" >"$name.out" 2>"$name.err"; then
        echo "ok   $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name (status $?; limit ${secs}s)"
        head -5 "$name.err" | sed 's/^/    /'
        fail=$((fail + 1))
    fi
}

# 100,000 steps: checking them (name lookups were a linear scan: 16x the
# time for 4x the steps)
python3 - <<'PY'
n = 100000
with open("steps.flow", "w") as f:
    f.write("flow steps\nx0 = input(testing([1, 2, 3]))\n")
    for i in range(1, n):
        f.write("x%d = map(x%d, |v| v + 1)\n" % (i, i - 1))
    f.write("out = output(x%d, stdout)\n" % (n - 1))
PY
run "check 100,000 steps" 10 "$FLOWC" --check steps.flow
# ... and writing their C (the --stats counters were numbered per use)
run "emit C for 100,000 steps" 20 "$FLOWC" -S steps.flow -o steps.c

# a type nested 3,000 deep: its C (types were interned by comparing each
# with every other, and every level's comment held the whole type)
python3 - <<'PY'
d = 3000
with open("deep.flow", "w") as f:
    f.write("flow deep\nxs = input(testing([1]))\nm = map(xs, |x| %sx%s)\nout = output(m, stdout)\n" % ("[" * d, "]" * d))
PY
run "emit C for a type nested 3,000 deep" 10 "$FLOWC" -S deep.flow -o deep.c
size=$(wc -c <deep.c)
if [ "$size" -lt 5000000 ]; then echo "ok   its C is ${size} bytes (linear in the depth)"; pass=$((pass + 1));
else echo "FAIL its C is ${size} bytes"; fail=$((fail + 1)); fi

# a list of 10,000,000 elements built by `acc + [x]` in a fold_final, one
# key (each item copied the whole list: 80,000 elements took 39 s and
# 3.7 GB), and a string state grown the same way
cat >append.flow <<'FLOW'
flow append
inp = input(testing(range(10000000), batch_size = 1000))
k = key_on(inp, |x| "all")
f = fold_final(k, init = [], |acc, x| acc + [x])
n = map(f, |kv| (kv.0, len(kv.1), kv.1[0], kv.1[-1]))
o = output(n, stdout)
s = stateful_map(k, init = "", |acc, x| (acc + "ab", x))
last = filter(s, |kv| kv.1 == 9999999)
o2 = output(last, stdout)
FLOW
"$FLOWC" append.flow -o append
run "a 10,000,000-element list by acc + [x]" 30 ./append
if [ "$(sort "a 10,000,000-element list by acc + [x].out" | tr '\n' ' ')" = "('all', 10000000, 0, 9999999) ('all', 9999999) " ]; then
    echo "ok   its result"; pass=$((pass + 1))
else echo "FAIL its result"; fail=$((fail + 1)); fi

# a testing input of 100,000 records: compiled and run (each element was
# a statement of the generated C: 105 s in the C compiler)
python3 - <<'PY'
n = 100000
items = ", ".join('R { k: "k%d", v: %d, x: %s }' % (i % 100, i, "none" if i % 3 == 0 else "-%d.5" % i) for i in range(n))
with open("biglist.flow", "w") as f:
    f.write("flow biglist\nrecord R { k: string, v: int, x: float? }\n")
    f.write("inp = input(testing([%s]))\n" % items)
    f.write("k = key_on(inp, |r| r.k)\ns = stateful_map(k, init = 0, |a, r| (a + r.v, a + r.v))\n")
    f.write("out = output(s, stdout)\n")
PY
run "compile a testing list of 100,000 records" 60 "$FLOWC" biglist.flow -o biglist
run "run it" 20 ./biglist
if [ "$(tail -n 1 "run it.out")" = "('k99', 50049000)" ]; then echo "ok   its last line"; pass=$((pass + 1));
else echo "FAIL its last line: $(tail -n 1 "run it.out")"; fail=$((fail + 1)); fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
