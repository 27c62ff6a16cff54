#!/usr/bin/env bash
# tests/realdata/run.sh - the examples on real data (make realdata-test),
# each checked against tests/realdata/oracle.py, which computes the same
# figures with Python alone (no flowc):
#   ec2_cpu     examples/ec2_cpu.flow on ../shared/data/ec2_metrics.csv: 1-minute
#               tumbling means and 5-minute sliding maxes per instance (CSV;
#               compared as header + sorted rows)
#   ec2_hot     examples/ec2_hot.flow (JSON lines) on its sample
#               (examples/data/ec2_sample.jsonl) and on the whole CSV
#               converted to JSON lines by csv_to_jsonl.py (--input)
#   partitions  examples/partitions.flow (a dir source) on
#               ../shared/data/partitions/ and on a folder made here (--input)
# The word count on ../shared/data/collected-works.txt is tests/wordcount
# (make wordcount-test). Needs ../shared/data beside the repository (DATA=DIR
# overrides) and says so when it is absent. Ends with "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/realdata
FLOWC=${FLOWC:-$root/build/flowc}
case $FLOWC in /*) ;; *) FLOWC=$root/$FLOWC ;; esac
DATA=${DATA:-$(cd "$root/.." && pwd)/shared/data}

passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

if [ ! -f "$DATA/ec2_metrics.csv" ] || [ ! -d "$DATA/partitions" ]; then
    echo "realdata: the data sets are missing: $DATA/ec2_metrics.csv or $DATA/partitions/ does not exist." >&2
    echo "realdata: this test needs the shared data folder beside the repository (../shared/data)." >&2
    fail "no input data"
    finish
fi
[ -x "$FLOWC" ] || { fail "no compiler at $FLOWC (build it with make, or set FLOWC)"; finish; }
command -v python3 >/dev/null || { fail "python3 is needed for the oracle"; finish; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-realdata.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$root"

for ex in ec2_cpu ec2_hot partitions; do
    "$FLOWC" "examples/$ex.flow" -o "$tmp/$ex" 2>"$tmp/$ex.cc" ||
        { fail "examples/$ex.flow does not compile:"; sed 's/^/    /' "$tmp/$ex.cc"; }
done

# check NAME WANT GOT ERR RC: exit status 0, nothing on stderr, same output
check() {
    local name=$1 want=$2 got=$3 err=$4 rc=$5
    if [ "$rc" -ne 0 ] || [ -s "$err" ]; then
        fail "$name: exit status $rc, stderr:"; head -5 "$err" | sed 's/^/    /'
    elif [ ! -s "$want" ]; then
        fail "$name: the oracle produced nothing"
    elif cmp -s "$want" "$got"; then
        pass; echo "ok $name ($(wc -l <"$want") lines)"
    else
        fail "$name: output differs from the oracle's:"
        diff -u --label oracle --label flowc "$want" "$got" | head -20 | sed 's/^/    /'
    fi
}

# ec2_cpu: default input path (../shared/data/ec2_metrics.csv from the root)
if [ -x "$tmp/ec2_cpu" ]; then
    if [ "$DATA" -ef "$root/../shared/data" ]; then args=(); else args=(--input "inp=$DATA/ec2_metrics.csv"); fi
    "$tmp/ec2_cpu" ${args[@]+"${args[@]}"} >"$tmp/cpu.raw" 2>"$tmp/cpu.err" </dev/null
    rc=$?
    { head -n 1 "$tmp/cpu.raw"; tail -n +2 "$tmp/cpu.raw" | LC_ALL=C sort; } >"$tmp/cpu.got"
    python3 "$here/oracle.py" ec2_cpu "$DATA/ec2_metrics.csv" >"$tmp/cpu.want"
    check "ec2_cpu: 1-minute means and 5-minute maxes of ec2_metrics.csv" "$tmp/cpu.want" "$tmp/cpu.got" "$tmp/cpu.err" $rc
fi

# ec2_hot: the sample (default path), then the whole CSV as JSON lines
if [ -x "$tmp/ec2_hot" ]; then
    "$tmp/ec2_hot" >"$tmp/hot.got" 2>"$tmp/hot.err" </dev/null
    rc=$?
    python3 "$here/oracle.py" ec2_hot examples/data/ec2_sample.jsonl >"$tmp/hot.want"
    check "ec2_hot: readings >= 90 of examples/data/ec2_sample.jsonl" "$tmp/hot.want" "$tmp/hot.got" "$tmp/hot.err" $rc
    # the sample is every 336th row of the CSV
    python3 "$here/csv_to_jsonl.py" "$DATA/ec2_metrics.csv" 336 | cmp -s - examples/data/ec2_sample.jsonl &&
        pass || fail "examples/data/ec2_sample.jsonl is not csv_to_jsonl.py's every 336th row of ec2_metrics.csv"
    python3 "$here/csv_to_jsonl.py" "$DATA/ec2_metrics.csv" >"$tmp/all.jsonl"
    "$tmp/ec2_hot" --input "inp=$tmp/all.jsonl" >"$tmp/hotall.got" 2>"$tmp/hotall.err" </dev/null
    rc=$?
    python3 "$here/oracle.py" ec2_hot "$tmp/all.jsonl" >"$tmp/hotall.want"
    check "ec2_hot: readings >= 90 of the whole ec2_metrics.csv as JSON lines" "$tmp/hotall.want" "$tmp/hotall.got" \
        "$tmp/hotall.err" $rc
fi

# partitions: the shared folder, then one made here (uneven files, an
# empty one, a file the glob does not match, no final newline)
if [ -x "$tmp/partitions" ]; then
    if [ "$DATA" -ef "$root/../shared/data" ]; then args=(); else args=(--input "inp=$DATA/partitions"); fi
    "$tmp/partitions" ${args[@]+"${args[@]}"} >"$tmp/parts.got" 2>"$tmp/parts.err" </dev/null
    rc=$?
    python3 "$here/oracle.py" partitions "$DATA/partitions" >"$tmp/parts.want"
    check "partitions: running sums over ../shared/data/partitions/" "$tmp/parts.want" "$tmp/parts.got" \
        "$tmp/parts.err" $rc
    mkdir "$tmp/p"
    printf 'b1\nb2\nb3\nb4\nb5\nb6\nb7\nb8\nb9\nb10\nb11\n' >"$tmp/p/partition-b.txt"
    printf 'a5\na6\nb100\n' >"$tmp/p/partition-a.txt"
    : >"$tmp/p/partition-c.txt"
    printf 'zz1\nzz2' >"$tmp/p/partition-d.txt"
    printf 'x1\n' >"$tmp/p/notes.txt"
    "$tmp/partitions" --input "inp=$tmp/p" >"$tmp/p.got" 2>"$tmp/p.err" </dev/null
    rc=$?
    python3 "$here/oracle.py" partitions "$tmp/p" >"$tmp/p.want"
    check "partitions: running sums over a folder given with --input" "$tmp/p.want" "$tmp/p.got" "$tmp/p.err" $rc
fi

finish
