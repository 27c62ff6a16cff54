#!/usr/bin/env bash
# bench/mpi.sh - threads against an MPI job of two processes on one machine
# (docs/workers.md §9): wall-clock and CPU seconds of W1 as a file (a keyed
# running sum over 1 M integers, 1,000 rounds each exchanging items, output
# discarded) run as `PROG -w 1`, `PROG -w 2`, `mpirun -n 2 PROG -w 1` and
# `mpirun -n 2 PROG -w 2`, and of 10,000 rounds of 10 records (the cost of a
# meeting); every output checked against -w 1's (sorted lines). RUNS runs
# each (3). Not part of make test or make bench; bench/notes.md has the
# figures. Needs `make mpi` and Open MPI's mpirun.
#
#   bench/mpi.sh            inputs and programs in build/bench-mpi
# Env: FLOWC (build/flowc), RUNS (3).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
RUNS=${RUNS:-3}
MPIRUN="mpirun -n 2 --allow-run-as-root --oversubscribe"
out=$root/build/bench-mpi
mkdir -p "$out"
cd "$out" || exit 1
command -v mpirun >/dev/null || { echo "bench/mpi.sh: mpirun is missing (Debian: openmpi-bin)" >&2; exit 1; }

[ -s w1.txt ] || seq 0 999999 >w1.txt
[ -s w1s.txt ] || seq 0 99999 >w1s.txt
for v in "w1 w1.txt 1000" "rounds w1s.txt 10"; do
    set -- $v
    cat >"$1.flow" <<END
flow $1
inp = input(file("$2", batch_size = $3))
keyed = key_on(inp, |l| str(int(l) % 10000))
sums = stateful_map(keyed, init = 0, |acc, l| (acc + int(l), acc + int(l)))
out = output(sums, stdout)
END
    "$FLOWC" "$1.flow" -o "$1" && "$FLOWC" --mpi "$1.flow" -o "$1-mpi" || exit 1
done

# row NAME LABEL CMD...: RUNS runs of CMD, its output checked against NAME.ref
row() {
    local name=$1 label=$2 i
    shift 2
    for ((i = 0; i < RUNS; i++)); do
        /usr/bin/time -f "%e %U %S" -o t.txt "$@" >o.txt 2>/dev/null || { echo "$label: failed" >&2; return; }
        sort o.txt | cmp -s - "$name.ref" || echo "$label: output differs from -w 1" >&2
        read -r wall user sys <t.txt
        printf '%-28s %-8s wall %6s s  CPU %5.2f s\n' "$label" "$name" "$wall" "$(echo "$user + $sys" | bc)"
    done
}

echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
for name in w1 rounds; do
    "./$name" | sort >"$name.ref"
    row "$name" "threads -w 1" "./$name" -w 1
    row "$name" "threads -w 2" "./$name" -w 2
    row "$name" "mpirun -n 2 PROG -w 1" $MPIRUN "./$name-mpi" -w 1
    row "$name" "mpirun -n 2 PROG -w 2" $MPIRUN "./$name-mpi" -w 2
done
