#!/bin/sh
# cc_O0.sh - the C compiler for the differential runs: flowc passes -O2,
# this compiles at -O0 instead (about 3x faster; the same semantics) and
# links with gold where it is installed (binutils has it; ~5x less CPU).
# HARNESS_CC is the real compiler (default cc).
gold=
command -v ld.gold >/dev/null 2>&1 && gold=-fuse-ld=gold
for a in "$@"; do
    shift
    [ "$a" = -O2 ] && a=-O0
    set -- "$@" "$a"
done
exec ${HARNESS_CC:-cc} $gold "$@"
