# bench/peers/peers.sh - sourced by bench/run.sh: Bytewax 0.21.1 and Apache
# Flink 2.1.1 as peers of every workload (issue 15). Each peer program is
# checked against flowc on a small input (20,000 events, lines or rows;
# 5,000 with SMOKE=1; W1 exact at -w 1, everything else sorted; Flink's
# checks are one job per parallelism with every workload's pipeline in
# it), then timed (not with SMOKE=1)
# on inputs scaled to what each engine gets through in a few seconds:
#
#   Bytewax  bench/peers/bytewax/flows.py under `python -m bytewax.run -w 1`
#            and `-w 2` (two worker threads in one process), one process
#            per run, CPU time (user+sys) of the whole process
#   Flink    bench/peers/flink (flowc.peers.Peers), parallelism 1 and 2 on
#            a local MiniCluster; all timed jobs run one after the other in
#            one JVM, each job's CPU time measured inside the JVM. A job
#            with one event, run in the same JVM first, gives the start-up
#            that every job pays (MiniCluster, job submission); "steady
#            state" is a job's CPU time less that start-up, and the JVM's
#            own start (with its first, cold job) is reported apart.
#
# Env: BYTEWAX_PY (build/bytewax-venv/bin/python), FLINK_DIR
# (build/flink-peers), JAVA (java), PEERS=0 skips the peers,
# BYTEWAX_RUNS and FLINK_RUNS (1: timed runs per variant; medians),
# BYTEWAX_EVENTS (100,000) and FLINK_EVENTS (10,000,000): the timed sizes
# (1BRC: the first BYTEWAX_EVENTS and FLINK_EVENTS rows of flowc's 100 M
# row file; W2-W4: Bytewax the first BYTEWAX_EVENTS lines, Flink all).

BYTEWAX_PY=${BYTEWAX_PY:-$root/build/bytewax-venv/bin/python}
FLINK_DIR=${FLINK_DIR:-$root/build/flink-peers}
JAVA=${JAVA:-java}
PEERS=${PEERS:-1}
BYTEWAX_RUNS=${BYTEWAX_RUNS:-1}
BYTEWAX_EVENTS=${BYTEWAX_EVENTS:-100000}
FLINK_EVENTS=${FLINK_EVENTS:-10000000}
FLINK_RUNS=${FLINK_RUNS:-1}
PEER_WORKLOADS="w1 w2 w3 w4 brc q0 q1 q2 q3 q4 q5 q6 q7 q8"
PEER_CHECK_N=20000
[ "$SMOKE" = 1 ] && PEER_CHECK_N=5000

declare -A peer_rate    # "w1 Bytewax -w 1" -> events per CPU second
declare -A peer_info    # start-up figures for the notes under the table
peer_rows=()            # the peers table's rows, written by peers_table

# peers_ready: both peers installed? Says clearly what is missing.
peers_ready() {
    local ok=0
    if ! "$BYTEWAX_PY" -c 'import bytewax, importlib.metadata as m; assert m.version("bytewax") == "0.21.1"' 2>/dev/null; then
        fail "peers: no Bytewax 0.21.1 at $BYTEWAX_PY (the venv build/bytewax-venv: run make deps)"
        ok=1
    fi
    if ! command -v "$JAVA" >/dev/null; then
        fail "peers: no Java ($JAVA; Debian's openjdk-17-jdk-headless: run make deps)"
        ok=1
    elif [ ! -s "$FLINK_DIR/flowc-peers.jar" ]; then
        fail "peers: no Flink jobs at $FLINK_DIR/flowc-peers.jar (make flink-peers; make deps fetches Maven's dependencies)"
        ok=1
    fi
    return $ok
}

peer_name() {   # w1 -> W1, brc -> 1BRC, q3 -> Nexmark q3
    case $1 in w*) echo "W${1#w}" ;; brc) echo 1BRC ;; *) echo "Nexmark $1" ;; esac
}

# bytewax_cmd WORKLOAD WORKERS EVENTS INPUT OUT: the command line
bytewax_cmd() {
    local clock=2015-07-15T00:00:00Z
    case $1 in w3) clock=2022-02-24T00:00:00Z ;; w4) clock=2022-01-01T00:00:00Z ;; esac
    echo env -C "$root/bench/peers/bytewax" PEER_N="$3" PEER_IN="$4" PEER_OUT="$5" PEER_CLOCK=$clock \
        NEXMARK_POOL="$out/nexmark_pool.bin" "$BYTEWAX_PY" -m bytewax.run "flows:get_flow('$1')" -w "$2"
}

# peer_inputs: the check inputs (20,000 events each) and flowc's output for
# them ($out/peer_WORKLOAD.want), and the inputs Bytewax is timed on.
peer_inputs() {
    local nb=$1 nc=$PEER_CHECK_N
    head -n "$nc" "$out/w2.txt" >"$out/peer_w2.input"
    head -n $((nc + 1)) "$out/w3.csv" >"$out/peer_w3.input"
    head -n "$nc" "$out/w4.jsonl" >"$out/peer_w4.input"
    head -n "$nb" "$out/w2.txt" >"$out/bw_w2.txt"
    head -n $((nb + 1)) "$out/w3.csv" >"$out/bw_w3.csv"
    head -n "$nb" "$out/w4.jsonl" >"$out/bw_w4.jsonl"
    head -n "$nc" "$out/brc.txt" >"$out/peer_brc.input"
    head -n "$nb" "$out/brc.txt" >"$out/bw_brc.txt"
    head -n "$FLINK_EVENTS" "$out/brc.txt" >"$out/flink_brc.txt"
    sed -e "s/range(50000000)/range($nc)/" -e 's/output(sums, discard)/output(sums, stdout)/' \
        "$root/bench/w1.flow" >"$out/peer_w1.flow"
    flowc_build "$out/peer_w1.flow" "$out/peer_w1" || return 1
    "$out/peer_w1" >"$out/peer_w1.want"
    (cd "$root" && "$out/w2_flowc" --input "inp=$out/peer_w2.input") >"$out/peer_w2.want"
    (cd "$root" && "$out/w3_flowc" --clock 2022-02-24T00:00:00Z --input "inp=$out/peer_w3.input") >"$out/peer_w3.want"
    (cd "$root" && "$out/w4_flowc" --clock=2022-01-01T00:00:00Z --input "inp=$out/peer_w4.input") >"$out/peer_w4.want"
    "$out/brc_flowc" --input "inp=$out/peer_brc.input" >"$out/peer_brc.want"
    local q
    for q in "$root"/bench/nexmark/q*.flow; do
        q=$(basename "$q" .flow)
        sed -e "s/events = [0-9][0-9]*/events = $nc/" -e 's/, discard)/, stdout)/' \
            "$root/bench/nexmark/$q.flow" >"$out/peer_$q.flow"
        flowc_build "$out/peer_$q.flow" "$out/peer_$q" || return 1
        "$out/peer_$q" --clock 2015-07-15T00:00:00Z >"$out/peer_$q.want"
    done
}

# the check input of a workload for a peer: "EVENTS INPUT"
peer_check_input() {
    case $1 in
        w[234] | brc) echo "- $out/peer_$1.input" ;;
        *) echo "$PEER_CHECK_N -" ;;
    esac
}

peer_verdict() {   # peer_verdict WORKLOAD GOT [exact]: prints same/DIFFERS, fails on a difference
    local v
    v=$(check "$out/peer_$1.want" "$2" "${3:-sorted}")
    [ "$v" = same ] || fail "$(peer_name "$1"): $2 differs from flowc's $out/peer_$1.want"
    echo "$v (${3:-sorted})"
}

peers() {
    [ "$PEERS" = 0 ] && { echo "Peers: skipped (PEERS=0)" >&2; return; }
    peers_ready || return
    # events for Bytewax's timed runs (W2-W4: lines and rows of the inputs'
    # heads; q5 a fifth)
    local nb=$BYTEWAX_EVENTS nbq=$BYTEWAX_EVENTS nbq5=$((BYTEWAX_EVENTS / 5))
    # events for Flink's timed runs (W1; Nexmark half, q4 and q6 a fifth,
    # q5 a twentieth; W2-W4 read the whole inputs)
    local nf=$FLINK_EVENTS nfq=$((FLINK_EVENTS / 2)) nfq5=$((FLINK_EVENTS / 20)) nfq46=$((FLINK_EVENTS / 5))
    echo "Peers: Bytewax $("$BYTEWAX_PY" -c 'import importlib.metadata as m; print(m.version("bytewax"))'), Flink 2.1.1 on $("$JAVA" -version 2>&1 | head -1)" >&2
    peer_inputs "$nb" || { fail "peers: could not build flowc's check outputs"; return; }

    # ---- checks: Flink's in one JVM in the background (a job per
    # parallelism, every workload in it), Bytewax's meanwhile
    local all w p ev in
    all=$(echo $PEER_WORKLOADS | tr ' ' +)
    "$JAVA" -cp "$FLINK_DIR/flowc-peers.jar:$FLINK_DIR/lib/*" flowc.peers.Peers \
        "$all:1:$PEER_CHECK_N:$out/peer_%.input:$out/peer_%.flink1" \
        "$all:2:$PEER_CHECK_N:$out/peer_%.input:$out/peer_%.flink2" >"$out/peer_flink_check.log" 2>&1 &
    local flink_pid=$!
    declare -A chk
    for w in $PEER_WORKLOADS; do
        read -r ev in <<<"$(peer_check_input "$w")"
        for p in 1 2; do
            $(bytewax_cmd "$w" "$p" "$ev" "$in" stdout) >"$out/peer_$w.bytewax$p" 2>"$out/peer_$w.bytewax$p.err" ||
                fail "$(peer_name "$w"): Bytewax -w $p exited with $?: $(tail -3 "$out/peer_$w.bytewax$p.err")"
            local how=sorted
            [ "$w" = w1 ] && [ "$p" = 1 ] && how=exact
            chk["$w bytewax $p"]=$(peer_verdict "$w" "$out/peer_$w.bytewax$p" $how)
        done
    done
    wait "$flink_pid" || fail "Flink's checks exited with $?: $(grep -m3 -i 'exception\|error' "$out/peer_flink_check.log")"
    for w in $PEER_WORKLOADS; do
        for p in 1 2; do
            local how=sorted
            [ "$w" = w1 ] && [ "$p" = 1 ] && how=exact
            chk["$w flink $p"]=$(peer_verdict "$w" "$out/peer_$w.flink$p" $how)
        done
    done
    if [ "$SMOKE" = 1 ]; then
        echo "bench-smoke: Bytewax (-w 1, -w 2) and Flink (parallelism 1, 2) agree with flowc on $PEER_WORKLOADS" >&2
        return
    fi

    # ---- Bytewax, timed
    for w in $PEER_WORKLOADS; do
        case $w in
            w1) ev=$nb in=- ;;
            w2) ev=$nb in=$out/bw_w2.txt ;;
            w3) ev=$nb in=$out/bw_w3.csv ;;
            w4) ev=$nb in=$out/bw_w4.jsonl ;;
            brc) ev=$nb in=$out/bw_brc.txt ;;
            q5) ev=$nbq5 in=- ;;
            *) ev=$nbq in=- ;;
        esac
        for p in 1 2; do
            echo "  timing $(peer_name "$w") Bytewax -w $p ..." >&2
            measure "peer-$w-bytewax$p" "$ev" "$BYTEWAX_RUNS" $(bytewax_cmd "$w" "$p" "$ev" "$in" discard)
            add_row "$(peer_name "$w")" "Bytewax -w $p (N=$ev)" "$M_SECS" "$ev" "" "$M_RSS" "${chk["$w bytewax $p"]} at N=$PEER_CHECK_N"
            peer_rate["$w Bytewax -w $p"]=$(echo "$ev / $M_SECS" | bc -l)
        done
    done

    # ---- Flink, timed: one JVM, start-up jobs first
    local fjobs=(w1:1:1:-:- w1:1:1:-:- w1:2:1:-:-) fev=()
    for w in $PEER_WORKLOADS; do
        case $w in
            w1) ev=$nf in=- ;;
            w2) ev=- in=$out/w2.txt ;;
            w3) ev=- in=$out/w3.csv ;;
            w4) ev=- in=$out/w4.jsonl ;;
            brc) ev=- in=$out/flink_brc.txt ;;
            q5) ev=$nfq5 in=- ;;
            q4 | q6) ev=$nfq46 in=- ;;
            *) ev=$nfq in=- ;;
        esac
        for p in 1 2; do
            local r
            for ((r = 0; r < FLINK_RUNS; r++)); do fjobs+=("$w:$p:$ev:$in:-"); done
        done
    done
    echo "  timing Flink: ${#fjobs[@]} jobs in one JVM ..." >&2
    /usr/bin/time -f '%U %S %e %M' -o "$out/peer_flink.time" \
        "$JAVA" -cp "$FLINK_DIR/flowc-peers.jar:$FLINK_DIR/lib/*" flowc.peers.Peers "${fjobs[@]}" \
        >"$out/peer_flink.log" 2>&1 || fail "Flink's timed jobs exited with $?: $(grep -m3 -i 'exception\|error' "$out/peer_flink.log")"
    local u s e kb
    read -r u s e kb <"$out/peer_flink.time"
    # flink-job WORKLOAD PAR EVENTS cpu=S wall=S, in the order of fjobs
    mapfile -t lines < <(grep '^flink-job ' "$out/peer_flink.log" | sed 's/cpu=//; s/wall=//')
    [ "${#lines[@]}" -eq "${#fjobs[@]}" ] || { fail "Flink: ${#lines[@]} of ${#fjobs[@]} jobs reported"; return; }
    local cold warm1 warm2 sumcpu=0 l jw jp jn jc jwall
    read -r _ _ _ _ cold _ <<<"${lines[0]}"
    read -r _ _ _ _ warm1 _ <<<"${lines[1]}"
    read -r _ _ _ _ warm2 _ <<<"${lines[2]}"
    for l in "${lines[@]}"; do read -r _ _ _ _ jc _ <<<"$l"; sumcpu=$(echo "$sumcpu + $jc" | bc -l); done
    peer_info[flink_jvm]=$(printf '%.2f' "$(echo "$u + $s - $sumcpu + $cold - $warm1" | bc -l)")
    peer_info[flink_warm1]=$warm1
    peer_info[flink_warm2]=$warm2
    peer_info[flink_rss]=$((kb / 1024))
    peer_info[flink_wall]=$e
    declare -A fcpu
    local i
    for ((i = 3; i < ${#lines[@]}; i++)); do
        read -r _ jw jp _ jc jwall <<<"${lines[$i]}"
        fcpu["$jw $jp"]="${fcpu["$jw $jp"]:-} $jc"
    done
    for w in $PEER_WORKLOADS; do
        case $w in
            w1) ev=$nf ;; w2) ev=$(wc -l <"$out/w2.txt") ;; w3) ev=$(($(wc -l <"$out/w3.csv") - 1)) ;;
            w4) ev=$(wc -l <"$out/w4.jsonl") ;; brc) ev=$(wc -l <"$out/flink_brc.txt") ;; q5) ev=$nfq5 ;; q4 | q6) ev=$nfq46 ;; *) ev=$nfq ;;
        esac
        for p in 1 2; do
            local med warm steady
            med=$(printf '%s\n' ${fcpu["$w $p"]} | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
            warm=$warm1
            [ "$p" = 2 ] && warm=$warm2
            steady=$(echo "$med - $warm" | bc -l)
            [ "$(echo "$steady < 0.01" | bc)" = 1 ] && steady=0.01
            add_row "$(peer_name "$w")" "Flink p=$p (steady state; whole job $(printf '%.2f' "$med") s)" \
                "$steady" "$ev" "" "$kb" "${chk["$w flink $p"]} at N=$PEER_CHECK_N"
            peer_rate["$w Flink p=$p"]=$(echo "$ev / $steady" | bc -l)
        done
    done
}

# peers_table: the comparison table (flowc's events/s per core from its own
# rows, -w 1 and -w 2, the peers' from theirs), appended to the table file.
# Per core: each figure is events / CPU seconds of all the process's
# threads, so a -w 2 run that uses two cores is set against the same work
# done on one; the ratios set flowc -w 1 against Bytewax -w 1 and Flink
# p=1, and flowc -w 2 against Bytewax -w 2 and Flink p=2.
peers_table() {
    [ "$PEERS" = 0 ] && return
    [ -n "${peer_rate[*]:-}" ] || return   # (ONLY=...: no peers ran)
    declare -A frate   # "w1 1", "q3 2" -> flowc's events per CPU second at -w 1, -w 2
    local r w v s ev k
    for r in "${rows[@]}"; do
        IFS='|' read -r w v s ev _ _ _ <<<"$r"
        [ "$(echo "$s > 0" | bc)" = 1 ] || continue
        case "$w|$v" in
            Nexmark\|q[0-9]) k="$v 1" ;;
            Nexmark\|"q"[0-9]" -w 2") k="${v% -w 2} 2" ;;
            W[0-9]\|flowc) k="w${w#W} 1" ;;
            W[0-9]\|"flowc -w 2") k="w${w#W} 2" ;;
            1BRC\|flowc) k="brc 1" ;;
            1BRC\|"flowc -w 2") k="brc 2" ;;
            *) continue ;;
        esac
        frate[$k]=$(echo "$ev / $s" | bc -l)
    done
    m() { if [ -n "$1" ]; then printf '%.3f M' "$(echo "$1 / 1000000" | bc -l)"; else echo -; fi; }
    x() { if [ -n "$1" ] && [ -n "$2" ]; then printf '%.0fx' "$(echo "$1 / $2" | bc -l)"; else echo -; fi; }
    echo
    echo "Peers, events/s per core (M = million; CPU seconds of all threads; flowc -w 1 is set against Bytewax -w 1"
    echo "and Flink p=1, flowc -w 2 against Bytewax -w 2 and Flink p=2):"
    echo
    echo "| workload | flowc -w 1 | flowc -w 2 | Bytewax -w 1 | Bytewax -w 2 | flowc / Bytewax (-w 1, -w 2) | Flink p=1 | Flink p=2 | flowc / Flink (p=1, p=2) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for w in $PEER_WORKLOADS; do
        local f1=${frate["$w 1"]:-} f2=${frate["$w 2"]:-}
        local b1=${peer_rate["$w Bytewax -w 1"]:-} b2=${peer_rate["$w Bytewax -w 2"]:-}
        local k1=${peer_rate["$w Flink p=1"]:-} k2=${peer_rate["$w Flink p=2"]:-}
        printf '| %s | %s | %s | %s | %s | %s, %s | %s | %s | %s, %s |\n' "$(peer_name "$w")" \
            "$(m "$f1")" "$(m "$f2")" "$(m "$b1")" "$(m "$b2")" "$(x "$f1" "$b1")" "$(x "$f2" "$b2")" \
            "$(m "$k1")" "$(m "$k2")" "$(x "$f1" "$k1")" "$(x "$f2" "$k2")"
    done
    echo
    echo "Flink start-up, CPU s: JVM start and its first (cold) job's MiniCluster ${peer_info[flink_jvm]}; every later job's" \
        "MiniCluster start and submission (a 1-event job) ${peer_info[flink_warm1]} at p=1, ${peer_info[flink_warm2]} at p=2," \
        "subtracted from the steady-state rows. The timed JVM: ${peer_info[flink_wall]} s wall, peak RSS ${peer_info[flink_rss]} MB."
}
