#!/usr/bin/env bash
# tests/kafka/run.sh - the kafka source and sink against librdkafka's mock
# cluster (make kafka-test). Compiles this directory's .flow programs and
# docs/io.md's "Kafka against a real broker" example (checked with
# flowc --check first) into a temporary directory, then runs kafka_test
# (built from kafka_test.c by the Makefile; KAFKA_TEST=PATH overrides),
# which starts the mock cluster in its own process and runs the programs
# against it. No external broker is used. Ends with "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
case $FLOWC in /*) ;; *) FLOWC=$root/$FLOWC ;; esac
KAFKA_TEST=${KAFKA_TEST:-$root/build/kafka/kafka_test}
case $KAFKA_TEST in /*) ;; *) KAFKA_TEST=$root/$KAFKA_TEST ;; esac

fail() { echo "FAIL $*"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$FLOWC" ] || fail "no compiler at $FLOWC (build it with make, or set FLOWC)"
[ -x "$KAFKA_TEST" ] || fail "no test program at $KAFKA_TEST (make kafka-test builds it)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-kafka.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# docs/io.md's example: the indented block after "# events.flow", up to the
# first command line
awk '/^    # events.flow$/ { on = 1; next }
     on && /^    (build|\.\/)/ { exit }
     on { sub(/^    /, ""); print }' "$root/docs/io.md" >"$tmp/events.flow"
grep -q '^flow events' "$tmp/events.flow" || fail "docs/io.md: no \"# events.flow\" example found"
"$FLOWC" --check "$tmp/events.flow" >"$tmp/check.err" 2>&1 ||
    { cat "$tmp/check.err"; fail "docs/io.md's Kafka example does not pass flowc --check"; }

cd "$here"
for f in *.flow "$tmp/events.flow"; do
    n=$(basename "$f" .flow)
    "$FLOWC" "$f" -o "$tmp/$n" >"$tmp/$n.cc" 2>&1 || { cat "$tmp/$n.cc"; fail "$f does not compile"; }
done
"$KAFKA_TEST" "$tmp"
