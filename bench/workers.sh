#!/usr/bin/env bash
# bench/workers.sh - -w 1 against -w 2 (docs/workers.md): wall-clock and
# CPU seconds of W1 (as a file source: a keyed running sum over 10 M
# integers, one a line), W2 (wordcount, ~100 MB), W3 (~2 M CSV rows), W4
# (5 M JSON lines) and Nexmark q5 (500,000 events), each output checked
# against the -w 1 run (sorted lines). Best and median wall time of RUNS
# runs (3), and the CPU time of the median run. Not part of make test or
# make bench: make bench (bench/run.sh) has flowc -w 2 rows of its own,
# on its inputs, in CPU seconds beside the peers'; this script is for the
# wall clock (a speed-up shows only on idle cores). bench/notes.md has the
# figures and what they mean.
#
#   bench/workers.sh            inputs generated into build/bench-workers
# Env: FLOWC (build/flowc), RUNS (3), DATA (../shared/data).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
RUNS=${RUNS:-3}
DATA=${DATA:-$(cd "$root/.." && pwd)/shared/data}
out=$root/build/bench-workers
mkdir -p "$out"
cd "$out" || exit 1

# ---- inputs ---------------------------------------------------------------
[ -s w1.txt ] || seq 0 9999999 >w1.txt
if [ ! -s w2.txt ]; then
    for _ in $(seq 1 72); do cat "$DATA/collected-works.txt"; done >w2.txt
fi
if [ ! -s w3.csv ]; then   # the EC2 metrics 62 times, each copy 6 hours later
    gawk -F, 'NR == 1 { print; next } { row[NR] = $0 }
        END { for (c = 0; c < 62; c++) for (i = 2; i <= NR; i++) {
                  split(row[i], f, ","); gsub(/[-:]/, " ", f[2])
                  t = strftime("%Y-%m-%d %H:%M:%S", mktime(f[2], 1) + c * 21600, 1)
                  print f[1] "," t "," f[3] "," f[4] } }' "$DATA/ec2_metrics.csv" >w3.csv
fi
if [ ! -s w4.jsonl ]; then   # event i at 20 us * i, user (i * 7919) % 100000
    mawk 'BEGIN { for (i = 0; i < 5000000; i++) { us = i * 20; s = int(us / 1000000)
        printf("{\"time\": \"2022-01-01T%02d:%02d:%02d.%06dZ\", \"user\": \"u%d\", \"val\": %d}\n",
               int(s / 3600), int(s / 60) % 60, s % 60, us % 1000000, (i * 7919) % 100000, i % 1000) } }' >w4.jsonl
fi
cat >w1file.flow <<'END'
flow w1file
inp = input(file("w1.txt"))
keyed = key_on(inp, |l| str(int(l) % 10000))
sums = stateful_map(keyed, init = 0, |acc, l| (acc + int(l), acc + int(l)))
out = output(sums, discard)
END
sed 's/(events = [0-9]*/(events = 500000/' "$root/bench/nexmark/q5.flow" >q5.flow

# ---- programs -------------------------------------------------------------
"$FLOWC" w1file.flow -o w1 &&
    "$FLOWC" "$root/examples/wordcount.flow" -o w2 &&
    "$FLOWC" "$root/bench/w3.flow" -o w3 &&
    "$FLOWC" "$root/bench/w4.flow" -o w4 &&
    "$FLOWC" q5.flow -o q5 || exit 1

# run NAME ARGS...: the rows of -w 1 and -w 2
run() {
    local name=$1 w i
    shift
    for w in 1 2; do
        : >"$name.times"
        for ((i = 0; i < RUNS; i++)); do
            /usr/bin/time -f '%e %U %S' -a -o "$name.times" "./$name" -w "$w" "$@" >"$name.$w.out" ||
                echo "FAIL $name -w $w"
        done
        sort -n "$name.times" | awk -v n="$name" -v w="$w" '{ wall[NR] = $1; cpu[NR] = $2 + $3 }
            END { m = int((NR + 1) / 2); printf("%-3s -w %d  wall best %6.2f s  median %6.2f s  cpu %6.2f s\n",
                  n, w, wall[1], wall[m], cpu[m]) }'
    done
    cmp -s <(LC_ALL=C sort "$name.1.out") <(LC_ALL=C sort "$name.2.out") ||
        echo "FAIL $name: -w 2 printed other lines than -w 1"
}

echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run w1
run w2 --input inp="$out/w2.txt"
run w3 --clock 2022-02-24T00:00:00Z --input inp="$out/w3.csv"
run w4 --clock 2022-01-01T00:00:00Z --input inp="$out/w4.jsonl"
run q5
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
