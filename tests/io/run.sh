#!/usr/bin/env bash
# tests/io/run.sh - sources, sinks, formats and bad data (make io-test).
# Makes the generated inputs (data/gen: a line over 1 MiB, CSV records over
# 1 MiB inside quoted cells), runs the golden
# cases of this directory with tests/run/run.sh (NAME.flow, NAME.expected,
# NAME.stderr, NAME.status), then compares what the file and dir sinks
# wrote (out/) with expected_out/. Cases that read ../shared/data say so
# and are skipped when it is absent.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"
FLOWC_RT=${FLOWC:-$root/build/flowc}
rm -rf out data/gen
mkdir -p out data/gen
{ echo short; head -c 1100000 /dev/zero | tr '\0' a; echo; echo after; } > data/gen/long.txt
# CSV records longer than the record limit inside a quoted cell: 200,000
# lines that look like records (csv_long_cell), or a first line over 1 MiB
# (csv_long_first); skip mode must drop each as one record
{ printf 'user,val\na,1\nb,"'; seq -f 'fake,%g' 0 199999; printf '"\nc,3\n'; } > data/gen/long_cell.csv
{ printf 'user,val\na,1\nb,"'; head -c 1100000 /dev/zero | tr '\0' x; printf '\nfake,2\nfake,3"\nc,4\n'; } > data/gen/long_first.csv
cases=()
for f in *.flow; do
    n=${f%.flow}
    if grep -q 'shared/data' "$f" && [ ! -d "$root/../shared/data" ]; then
        echo "io: skipping $n: ../shared/data is absent (it holds the real data sets)" >&2
        continue
    fi
    cases+=("$n")
done
DIR="$here" "$root/tests/run/run.sh" "${cases[@]}" | tee out/run.log
status=${PIPESTATUS[0]}
fail=0
for want in $(cd expected_out && find . -type f | sort); do
    if ! cmp -s "expected_out/$want" "out/$want"; then
        echo "FAIL: sink output $want differs:"
        diff -u "expected_out/$want" "out/$want" | head -20
        fail=$((fail + 1))
    fi
done
# output_override.args sent both sinks elsewhere: the defaults stay unwritten
for p in out/not_written.txt out/not_written_dir; do
    if [ -e "$p" ]; then echo "FAIL: --output did not replace the default path $p"; fail=$((fail + 1)); fi
done
# the round trip: every type the csv and json sinks write reads back
# identically (roundtrip/write.flow, then roundtrip/read.flow)
rt=out/roundtrip
mkdir -p "$rt"
if "$FLOWC_RT" roundtrip/write.flow -o "$rt/write" && "$FLOWC_RT" roundtrip/read.flow -o "$rt/read" &&
    (cd "$rt" && ./write >written.txt && ./read >read.txt); then
    for f in csv jsonl; do
        if ! cmp -s "$rt/rt.$f" "$rt/again.$f"; then
            echo "FAIL: round trip: $f written again differs:"; diff "$rt/rt.$f" "$rt/again.$f" | head -10; fail=$((fail + 1))
        fi
    done
    if [ "$(sort "$rt/written.txt")" != "$(sort -u "$rt/read.txt")" ] || [ "$(wc -l <"$rt/read.txt")" != $((2 * $(wc -l <"$rt/written.txt"))) ]; then
        echo "FAIL: round trip: the values read back (csv and json) differ from those written"; fail=$((fail + 1))
    fi
else
    echo "FAIL: round trip: the programs do not compile or run"; fail=$((fail + 1))
fi
n=$(cd expected_out && find . -type f | wc -l)
n=$((n + 3))
echo "sink files: $((n - fail)) passed, $fail failed"
[ "$status" -eq 0 ] && [ "$fail" -eq 0 ]
