#!/bin/sh
# cc_O0.sh - the C compiler for long conformance runs: flowc passes -O2,
# this drops it for -O0 (compiles ~3x faster; the semantics are the same).
for a in "$@"; do
    shift
    [ "$a" = -O2 ] && a=-O0
    set -- "$@" "$a"
done
exec ${HARNESS_CC:-cc} "$@"
