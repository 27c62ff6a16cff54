#!/usr/bin/env bash
# tests/kafka/run.sh - the kafka source and sink against librdkafka's mock
# cluster (make kafka-test) or a real Apache Kafka broker (run.sh broker,
# make kafka-broker-test). Compiles this directory's .flow programs and
# docs/io.md's "Kafka against a real broker" example (checked with
# flowc --check first) into a temporary directory, then runs kafka_test
# (built from kafka_test.c by the Makefile; KAFKA_TEST=PATH overrides):
#   mock     kafka_test starts the mock cluster in its own process; with
#            Open MPI and build/libflowrt_mpi.a (make mpi), consume.flow
#            is also built with --mpi and read by `mpirun -n 2` jobs
#   broker   broker.sh starts a single-node KRaft broker (Java, jars from
#            make deps) on loopback ports in the temporary directory;
#            kafka_test runs the same checks against it, plus a restart
#            mid-stream and SASL/PLAIN, then stops it. Without Java or the
#            jars this says so and counts one skipped check.
# Ends with "N passed, N failed" (", N skipped" when the broker is absent).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
case $FLOWC in /*) ;; *) FLOWC=$root/$FLOWC ;; esac
KAFKA_TEST=${KAFKA_TEST:-$root/build/kafka/kafka_test}
case $KAFKA_TEST in /*) ;; *) KAFKA_TEST=$root/$KAFKA_TEST ;; esac
export KAFKA_LIB=${KAFKA_LIB:-$root/build/kafka-broker/lib}
mode=${1:-mock}

fail() { echo "FAIL $*"; echo "0 passed, 1 failed"; exit 1; }
[ "$mode" = mock ] || [ "$mode" = broker ] || fail "usage: run.sh [mock|broker]"
[ -x "$FLOWC" ] || fail "no compiler at $FLOWC (build it with make, or set FLOWC)"
[ -x "$KAFKA_TEST" ] || fail "no test program at $KAFKA_TEST (make kafka-test builds it)"
if [ "$mode" = broker ] && ! why=$("$here/broker.sh" check); then
    echo "skip kafka broker tests: $why"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-kafka.XXXXXX")
cleanup() {
    [ "$mode" = broker ] && "$here/broker.sh" "$tmp/broker" stop
    rm -rf "$tmp"
}
trap cleanup EXIT

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
# under mpirun (when Open MPI and build/libflowrt_mpi.a are there, make
# mpi): consume (and recover_mpi) built with --mpi, run by a wrapper as
# `mpirun -n 2`
if [ "$mode" = mock ] && command -v mpirun >/dev/null 2>&1 && [ -f "$root/build/libflowrt_mpi.a" ]; then
    "$FLOWC" --mpi consume.flow -o "$tmp/consume_mpi" >"$tmp/consume_mpi.cc" 2>&1 ||
        { cat "$tmp/consume_mpi.cc"; fail "consume.flow does not compile with --mpi"; }
    printf '#!/bin/sh\nexec mpirun -n 2 --allow-run-as-root --oversubscribe "%s/consume_mpi" "$@"\n' "$tmp" >"$tmp/consume_mpirun"
    chmod +x "$tmp/consume_mpirun"
    # recovery under mpirun: recover_mpi.flow the same way
    "$FLOWC" --mpi recover_mpi.flow -o "$tmp/recover_mpi_mpi" >"$tmp/recover_mpi_mpi.cc" 2>&1 ||
        { cat "$tmp/recover_mpi_mpi.cc"; fail "recover_mpi.flow does not compile with --mpi"; }
    printf '#!/bin/sh\nexec mpirun -n 2 --allow-run-as-root --oversubscribe "%s/recover_mpi_mpi" "$@"\n' "$tmp" >"$tmp/recover_mpirun"
    chmod +x "$tmp/recover_mpirun"
fi
if [ "$mode" = mock ]; then
    "$KAFKA_TEST" "$tmp"
    exit
fi
start=$(date +%s)
servers=$("$here/broker.sh" "$tmp/broker" start) || fail "the Kafka broker does not start (log: above)"
echo "kafka broker started in $(($(date +%s) - start)) s (Apache Kafka $(ls "$KAFKA_LIB"/kafka_2.13-*.jar | sed 's/.*kafka_2.13-\(.*\)\.jar/\1/'), KRaft)"
read -r plain sasl <<<"$servers"
"$KAFKA_TEST" "$tmp" --broker "$plain" "$sasl" "$here/broker.sh" "$tmp/broker"
status=$?
[ $status -eq 0 ] || { echo "--- the broker's log, last lines:"; tail -30 "$tmp/broker/server.log"; }
exit $status
