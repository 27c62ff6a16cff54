# bench/scaling.sh - the wall-clock speed-up of several workers (issue 12,
# docs/workers.md §8), sourced by bench/run.sh (`make bench`; ONLY=scaling
# runs it alone after a full run has generated the inputs).
#
# For W1 as a file source (a keyed running sum over 20 M lines), W3, W4,
# Nexmark q5 (2 M events) and 1BRC (100 M rows), each on the input of its
# own row in the main table: the wall-clock seconds of `-w 1`, `-w 2` (two
# threads) and `mpirun -n 2 PROG -w 1` (two processes, a program built with
# `flowc --mpi`), run in turns SCALE_RUNS times (5) so that a change in the
# machine's speed falls on every variant alike, and the best (shortest) of
# each: on this virtual machine a run's wall time moves by up to 1.6x with
# what else runs on the host, and the best run is the one least disturbed.
# Wall time is the figure here: CPU time would count two workers' cores,
# and a worker waiting for another at a meeting spins or yields (docs/
# workers.md §8), which counts as CPU time.
#
# The ceiling: two `-w 1` runs of the same program started together, one
# per core. They share nothing but the machine, so 2 x (one run's time) /
# (the pair's time) is the most any two workers can gain on this machine
# for this workload (memory bandwidth, caches, and on a virtual machine
# whatever else runs on the host's cores); a -w 2 speed-up is read against
# it.
#
# Every variant's output is checked against -w 1's before timing (sorted:
# several workers keep the order per key, not across keys), on a prefix of
# the input where the timed program discards its items.
SCALE_RUNS=${SCALE_RUNS:-5}
MPIRUN=${MPIRUN:-mpirun --allow-run-as-root --oversubscribe}
scale_rows=()   # "workload|events|-w 1 s|-w 2 s|mpirun s|pair s|check"

# wall_ms CMD...: sets W_MS to CMD's wall-clock milliseconds (its output
# to $out/scale.out)
wall_ms() {
    local a b
    a=$(date +%s%N)
    "$@" >"$out/scale.out" 2>"$out/scale.err" || fail "scaling: $* exited with status $?: $(head -c 300 "$out/scale.err")"
    b=$(date +%s%N)
    W_MS=$(((b - a) / 1000000))
}

# pair_ms CMD...: sets W_MS to the wall-clock milliseconds of two CMD run
# at once
pair_ms() {
    local a b p
    a=$(date +%s%N)
    "$@" >/dev/null 2>&1 &
    p=$!
    "$@" >/dev/null 2>&1 || fail "scaling: $* (a pair) exited with status $?"
    wait $p || fail "scaling: $* (a pair) exited with status $?"
    b=$(date +%s%N)
    W_MS=$(((b - a) / 1000000))
}

best() { printf '%s\n' "$@" | sort -n | head -1; }

# scale_check NAME PROG MPIPROG ARGS...: PROG -w 2 and MPIPROG under
# mpirun -n 2 print the lines of PROG -w 1 (sorted); sets SCALE_CHK to the
# verdict
scale_check() {
    local name=$1 prog=$2 mprog=$3 base=$out/scale_$1.got
    shift 3
    "$prog" -w 1 "$@" >"$base.w1" 2>"$base.err" || fail "scaling $name: -w 1 exited with $?"
    "$prog" -w 2 "$@" >"$base.w2" 2>"$base.err" || fail "scaling $name: -w 2 exited with $?"
    $MPIRUN -n 2 "$mprog" -w 1 "$@" >"$base.mpi" 2>"$base.err" || fail "scaling $name: mpirun exited with $?"
    local a b
    a=$(check "$base.w1" "$base.w2" sorted)
    b=$(check "$base.w1" "$base.mpi" sorted)
    [ "$a" = same ] || fail "scaling $name: -w 2 printed other lines than -w 1"
    [ "$b" = same ] || fail "scaling $name: mpirun -n 2 printed other lines than -w 1"
    [ -s "$base.w1" ] || fail "scaling $name: the check printed nothing"
    SCALE_CHK="-w 2 $a, mpirun $b (sorted, $(wc -l <"$base.w1") lines)"
}

# scale_one NAME EVENTS FLOW CHECKFLOW CHECKARGS -- ARGS...: build FLOW
# (timed) and CHECKFLOW (checked with CHECKARGS, a string split on blanks)
# with and without --mpi, check, then time the variants in turns
scale_one() {
    local name=$1 ev=$2 flow=$3 cflow=$4 cargs=$5 p=$out/scale_${1//[^A-Za-z0-9]/_}
    shift 6
    echo "  scaling $name ..." >&2
    "$FLOWC" "$flow" -o "$p" 2>"$p.cc.err" && "$FLOWC" --mpi "$flow" -o "$p.mpi" 2>>"$p.cc.err" ||
        { fail "scaling $name: flowc: $(head -5 "$p.cc.err")"; return; }
    local cp=$p cpm=$p.mpi
    if [ "$cflow" != "$flow" ]; then
        cp=$p.check cpm=$p.check.mpi
        "$FLOWC" "$cflow" -o "$cp" 2>>"$p.cc.err" && "$FLOWC" --mpi "$cflow" -o "$cpm" 2>>"$p.cc.err" ||
            { fail "scaling $name: flowc: $(head -5 "$p.cc.err")"; return; }
    fi
    # shellcheck disable=SC2086
    scale_check "${name//[^A-Za-z0-9]/_}" "$cp" "$cpm" $cargs
    [ "$SMOKE" = 1 ] && return
    local t1=() t2=() tm=() tp=() i
    for ((i = 0; i < SCALE_RUNS; i++)); do
        wall_ms "$p" -w 1 "$@"
        t1+=("$W_MS")
        wall_ms "$p" -w 2 "$@"
        t2+=("$W_MS")
        wall_ms $MPIRUN -n 2 "$p.mpi" -w 1 "$@"
        tm+=("$W_MS")
        pair_ms "$p" -w 1 "$@"
        tp+=("$W_MS")
    done
    scale_rows+=("$name|$ev|$(best "${t1[@]}")|$(best "${t2[@]}")|$(best "${tm[@]}")|$(best "${tp[@]}")|$SCALE_CHK")
}

scaling() {
    local n1=20000000 nq=2000000 nb=100000000
    [ "$SMOKE" = 1 ] && n1=20000 nq=20000 nb=20000
    if ! command -v mpirun >/dev/null || [ ! -f "$root/build/libflowrt_mpi.a" ]; then
        fail "scaling: no mpirun or no build/libflowrt_mpi.a (make deps, make mpi)"
        return
    fi
    echo "Scaling: -w 1, -w 2 and mpirun -n 2 (wall clock)" >&2
    # W1 as a file source: bench/w1.flow reading lines
    local f1=$out/scale_w1.txt
    [ "$(cat "$f1.rows" 2>/dev/null)" = "$n1" ] || { seq 0 $((n1 - 1)) >"$f1" && echo "$n1" >"$f1.rows"; }
    head -n 100000 "$f1" >"$out/scale_w1_check.txt"
    local w1='flow w1file
inp = input(file("w1.txt"))
keyed = key_on(inp, |l| str(int(l) % 10000))
sums = stateful_map(keyed, init = 0, |acc, l| (acc + int(l), acc + int(l)))
out = output(sums, SINK)'
    echo "${w1/SINK/discard}" >"$out/scale_w1.flow"
    echo "${w1/SINK/stdout}" >"$out/scale_w1_check.flow"
    scale_one "W1 (file)" "$n1" "$out/scale_w1.flow" "$out/scale_w1_check.flow" \
        "--input inp=$out/scale_w1_check.txt" -- --input "inp=$f1"
    # W3 and W4 on their rows' inputs (w3(), w4() made them); they print
    [ -s "$out/w3.csv" ] || w3
    local n3=$(($(wc -l <"$out/w3.csv") - 1))
    scale_one W3 "$n3" "$root/bench/w3.flow" "$root/bench/w3.flow" \
        "--clock 2022-02-24T00:00:00Z --input inp=$out/w3.csv" -- --clock 2022-02-24T00:00:00Z --input "inp=$out/w3.csv"
    [ -s "$out/w4.jsonl" ] || w4
    local n4
    n4=$(wc -l <"$out/w4.jsonl")
    scale_one W4 "$n4" "$root/bench/w4.flow" "$root/bench/w4.flow" \
        "--clock 2022-01-01T00:00:00Z --input inp=$out/w4.jsonl" -- --clock 2022-01-01T00:00:00Z --input "inp=$out/w4.jsonl"
    # Nexmark q5, checked printing 20,000 events
    sed "s/events = [0-9][0-9]*/events = $nq/" "$root/bench/nexmark/q5.flow" >"$out/scale_q5.flow"
    sed -e "s/events = [0-9][0-9]*/events = 20000/" -e 's/, discard)/, stdout)/' "$root/bench/nexmark/q5.flow" \
        >"$out/scale_q5_check.flow"
    scale_one "Nexmark q5" "$nq" "$out/scale_q5.flow" "$out/scale_q5_check.flow" \
        "--clock 2015-07-15T00:00:00Z" -- --clock 2015-07-15T00:00:00Z
    # 1BRC on brc()'s 100 M rows, checked on the first 1 M
    local fb=$out/brc.txt
    if [ "$SMOKE" = 1 ] || [ ! -s "$fb" ]; then
        cc_build "$root/bench/gen_1brc.c" "$out/gen_1brc" -lm || return
        fb=$out/scale_brc.txt
        "$out/gen_1brc" "$nb" >"$fb"
    fi
    head -n 1000000 "$fb" >"$out/scale_brc_check.txt"
    scale_one 1BRC "$(cat "$fb.rows" 2>/dev/null || wc -l <"$fb")" "$root/examples/1brc.flow" "$root/examples/1brc.flow" \
        "--input inp=$out/scale_brc_check.txt" -- --input "inp=$fb"
}

# scaling_table: the rows above as a markdown table (appended to the table file)
scaling_table() {
    [ "${#scale_rows[@]}" -gt 0 ] || return 0
    echo
    echo "Several workers, wall clock (bench/scaling.sh: the best of $SCALE_RUNS runs taken in turns;"
    echo "speed-up = -w 1's time / the variant's; ceiling = what two -w 1 runs at once gain, 2 x one run / the pair):"
    echo
    echo "| workload | events | -w 1 s | -w 2 s | -w 2 speed-up | mpirun -n 2 s | mpirun speed-up | ceiling | target | output check |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    local r
    for r in "${scale_rows[@]}"; do
        IFS='|' read -r w ev t1 t2 tm tp chk <<<"$r"
        local target=1.5x
        case $w in W3 | W4 | 1BRC) target=1.8x ;; esac
        printf '| %s | %s | %.2f | %.2f | %.2fx | %.2f | %.2fx | %.2fx | %s | %s |\n' "$w" "$ev" \
            "$(echo "$t1 / 1000" | bc -l)" "$(echo "$t2 / 1000" | bc -l)" "$(echo "$t1 / $t2" | bc -l)" \
            "$(echo "$tm / 1000" | bc -l)" "$(echo "$t1 / $tm" | bc -l)" "$(echo "2 * $t1 / $tp" | bc -l)" \
            "$target" "$chk"
    done
}
