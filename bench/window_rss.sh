#!/usr/bin/env bash
# bench/window_rss.sh - peak RSS of bench/window_rss.flow as the stream
# grows (N = 100k .. 10M events, N/100 windows); a benchmark, not a test.
# Usage: bench/window_rss.sh [FLOWC]   (needs GNU time at /usr/bin/time)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
FLOWC=${1:-$root/build/flowc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/window-rss.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf '%10s %9s %12s %8s\n' events windows "peak RSS" seconds
for n in 100000 1000000 5000000 10000000; do
    sed "s/range(10000000)/range($n)/" "$root/bench/window_rss.flow" >"$tmp/b.flow"
    "$FLOWC" "$tmp/b.flow" -o "$tmp/b"
    /usr/bin/time -f "%M %e" -o "$tmp/t" "$tmp/b"
    read -r kb s <"$tmp/t"
    printf '%10d %9d %9d KB %8s\n' "$n" $((n / 100)) "$kb" "$s"
done
