#!/usr/bin/env bash
# tests/snapshot/snapshot.sh - record what every .flow program in the
# repository does, for checking that a change of the compiler's insides
# changes no behaviour (diff -r two snapshots).
#
# Usage: tests/snapshot/snapshot.sh OUTDIR     (FLOWC: default build/flowc)
#
# For each tracked .flow file F (path P relative to the repository) it
# writes OUTDIR/P.* :
#   .check     flowc --check F: stderr and exit status (the diagnostics)
#   .graph     flowc --graph=dot and --graph=mermaid output and status
#   .run       when F compiles: the program run from F's folder with F's
#              .args and .stdin as the test runners give them, stdout,
#              stderr and exit status (20 s limit; tests/kafka and bench/
#              programs are compiled, not run: they need a broker or
#              large inputs), and its --help
#   .c         flowc -S output: NOT behaviour (a refactoring may change
#              it); kept so the change can be read as a diff
# Compare two snapshots with: diff -r --exclude='*.c' BEFORE AFTER
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: snapshot.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
case $FLOWC in /*) ;; *) FLOWC=$root/$FLOWC ;; esac
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-snap.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

one() {
    local rel=$1 dir base o bin args=() in=/dev/null
    dir=$(dirname "$rel") base=$(basename "$rel" .flow)
    o=$out/$rel
    mkdir -p "$(dirname "$o")"
    cd "$root/$dir" || return
    { NO_COLOR=1 "$FLOWC" --check "$base.flow" 2>&1; echo "status $?"; } >"$o.check"
    { for g in dot mermaid; do NO_COLOR=1 "$FLOWC" --graph=$g "$base.flow" 2>&1; echo "status $?"; done; } >"$o.graph"
    NO_COLOR=1 "$FLOWC" -S -P "$base.flow" -o "$o.c" >/dev/null 2>&1
    bin=$tmp/${rel//\//_}.bin
    if ! NO_COLOR=1 "$FLOWC" "$base.flow" -o "$bin" >/dev/null 2>&1; then
        echo "does not compile" >"$o.run"
        return
    fi
    case $dir in tests/kafka | bench | bench/*) echo "compiled, not run" >"$o.run"; return ;; esac
    [ -f "$base.args" ] && read -r -a args <"$base.args"
    [ -f "$base.stdin" ] && in=$base.stdin
    {
        timeout 20 "$bin" ${args[@]+"${args[@]}"} <"$in" 2>"$tmp/${rel//\//_}.err"
        echo "status $?"
        echo "---- stderr"
        cat "$tmp/${rel//\//_}.err"
        echo "---- --help"
        "$bin" --help 2>&1
        echo "status $?"
    } >"$o.run"
}

cd "$root"
running=0
while IFS= read -r f; do
    one "$f" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done < <(git ls-files '*.flow')
wait
echo "snapshot of $(git ls-files '*.flow' | wc -l) programs in $out"
