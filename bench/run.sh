#!/usr/bin/env bash
# bench/run.sh - the benchmarks of issue 6 (`make bench`): for each
# workload, build every variant (the .flow program compiled by flowc, run
# with one worker and with two (-w 2, docs/workers.md), the hand-written C
# baseline in bench/baseline/, and the Debian tools a user might pick
# instead), check that all variants produce the same output,
# time each (median of RUNS runs of user+sys CPU seconds, so the figures
# are per core and other load on the machine matters less), measure its
# peak RSS (GNU time), print a table and write docs/benchmarks.md: its
# head (date, machine, the tables) is written here, and its prose (how to
# run, the workloads, the targets: everything from its first "## " heading
# on) is kept as it is. The dated history goes to bench/notes.md by hand.
#
#   bench/run.sh            the full run (W1 50M events, W2 ~100 MB, ...,
#                           1BRC 100 M rows: generated once into
#                           build/bench/brc.txt, 1.4 GB, and kept)
#   SMOKE=1 bench/run.sh    tiny inputs: builds and checks every program,
#                           times nothing, writes nothing outside build/
#   DOC_ONLY=1 bench/run.sh rewrites the head of docs/benchmarks.md from the
#                           last run's table (build/bench/table.md)
#   ONLY='growth_windows' bench/run.sh
#                           just those parts (w1 w2 w3 w4 brc nexmark scaling
#                           growth growth_windows compile_times): their table goes
#                           to build/bench/only.md, docs/benchmarks.md is
#                           left alone
#
# Inputs are generated into build/bench/ from ../shared/data (or DATA=DIR).
# Env: FLOWC, CC (for the baselines), RUNS (3), PEER_RUNS (1); the Bytewax
# and Flink peers' own (BYTEWAX_RUNS, FLINK_RUNS, PEERS=0 to skip them) are
# described in bench/peers/peers.sh.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
CC=${CC:-cc}
DATA=${DATA:-$(cd "$root/.." && pwd)/shared/data}
SMOKE=${SMOKE:-0}
DOC_ONLY=${DOC_ONLY:-0}
ONLY=${ONLY:-}
RUNS=${RUNS:-3}
PEER_RUNS=${PEER_RUNS:-1}
out=$root/build/bench
[ "$SMOKE" = 1 ] && out=$root/build/bench-smoke
mkdir -p "$out"
LOCALE=$(locale -a 2>/dev/null | grep -i -m1 -E '^(C|en_US)\.utf-?8$')
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# ---- results ---------------------------------------------------------------
rows=()     # "workload|variant|seconds|events|baseline seconds|rss KB|check"
ctimes=()   # "program|flowc -S ms|cc -O2 ms"

# measure NAME EVENTS RUNS CMD... : median CPU seconds and peak RSS of CMD
# (stdout to $out/NAME.out); sets M_SECS and M_RSS.
measure() {
    local name=$1 runs=$3
    shift 3
    local times=() rss=0 i t
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -f '%U %S %M' -o "$out/$name.time" "$@" >"$out/$name.out" 2>"$out/$name.err" ||
            { fail "$name exited with status $?: $(head -c 300 "$out/$name.err")"; }
        read -r u s kb <"$out/$name.time"
        times+=("$(echo "$u + $s" | bc)")
        [ "$kb" -gt "$rss" ] && rss=$kb
    done
    M_SECS=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    M_RSS=$rss
}

# check WORKLOAD REF OTHER HOW: OTHER's output equals REF's (HOW: exact or
# sorted); prints and returns the verdict word.
check() {
    local ref=$1 other=$2 how=$3
    if [ "$how" = sorted ]; then
        LC_ALL=C sort "$ref" >"$ref.sorted"
        LC_ALL=C sort "$other" >"$other.sorted"
        ref=$ref.sorted other=$other.sorted
    fi
    if cmp -s "$ref" "$other"; then echo "same"; else echo "DIFFERS"; fi
}

flowc_build() {   # flowc_build SRC.flow OUT
    "$FLOWC" "$1" -o "$2" 2>"$2.cc.err" || { fail "flowc $1: $(head -5 "$2.cc.err")"; return 1; }
}

cc_build() {      # cc_build SRC.c OUT [LIBS]
    $CC -O2 -o "$2" "$1" ${3:-} 2>"$2.cc.err" || { fail "cc $1: $(head -5 "$2.cc.err")"; return 1; }
}

add_row() { rows+=("$1|$2|$3|$4|$5|$6|$7"); }

# w2_check WORKLOAD WANT CMD...: CMD (a flowc program run with -w 2 that
# prints its items) prints the lines of WANT (the -w 1 run's), in any
# order; sets W2_OK to the verdict for the -w 2 row. Runs with SMOKE=1 too.
w2_check() {
    local w=$1 want=$2 got=$out/$1.w2.got
    shift 2
    "$@" >"$got" 2>"$got.err" || fail "$w: flowc -w 2 exited with status $?: $(head -c 300 "$got.err")"
    W2_OK="$(check "$want" "$got" sorted) (sorted, vs -w 1)"
    [ "${W2_OK%% *}" = same ] || fail "$w: flowc -w 2 printed other lines than -w 1 ($got, $want)"
}

# run_variant WORKLOAD VARIANT EVENTS RUNS CHECK CMD...
run_variant() {
    local w=$1 v=$2 ev=$3 runs=$4 chk=$5
    shift 5
    if [ "$SMOKE" = 1 ]; then return; fi
    echo "  timing $w $v ..." >&2
    measure "$w-$v" "$ev" "$runs" "$@"
    add_row "$w" "$v" "$M_SECS" "$ev" "" "$M_RSS" "$chk"
}

# ---- W1: keyed running sum in memory ------------------------------------------
w1() {
    local n=50000000 nc=20000 npeer=50000000 nsql=5000000
    [ "$SMOKE" = 1 ] && n=20000 nc=20000 npeer=20000 nsql=20000
    echo "W1: keyed running sum, testing(range($n)), 10,000 keys" >&2
    sed "s/range(50000000)/range($n)/" "$root/bench/w1.flow" >"$out/w1.flow"
    sed -e "s/range(50000000)/range($nc)/" -e 's/output(sums, discard)/output(sums, stdout)/' \
        "$root/bench/w1.flow" >"$out/w1_check.flow"
    flowc_build "$out/w1.flow" "$out/w1_flowc" || return
    flowc_build "$out/w1_check.flow" "$out/w1_check" || return
    cc_build "$root/bench/baseline/w1.c" "$out/w1_c" || return
    # the check: every variant prints its (key, sum) items for N = $nc
    "$out/w1_check" >"$out/w1.want"
    "$out/w1_c" "$nc" -p >"$out/w1.c.got"
    local awkp='BEGIN { for (i = 0; i < N; i++) { k = (i % 10000) ""; s[k] += i; printf("(\x27%s\x27, %d)\n", k, s[k]) } }'
    local awkd='BEGIN { for (i = 0; i < N; i++) { k = (i % 10000) ""; s[k] += i; o = s[k] } }'
    mawk -v N="$nc" "$awkp" >"$out/w1.mawk.got"
    gawk -v N="$nc" "$awkp" >"$out/w1.gawk.got"
    local sqlp="select printf('(''%s'', %d)', k, s) from (select cast(value % 10000 as text) as k,
        sum(value) over (partition by value % 10000 order by value) as s, value
        from generate_series(0, $((nc - 1)))) order by value"
    sqlite3 :memory: "$sqlp" >"$out/w1.sqlite.got"
    local c_ok mawk_ok gawk_ok sql_ok
    c_ok=$(check "$out/w1.want" "$out/w1.c.got" exact)
    mawk_ok=$(check "$out/w1.want" "$out/w1.mawk.got" exact)
    gawk_ok=$(check "$out/w1.want" "$out/w1.gawk.got" exact)
    sql_ok=$(check "$out/w1.want" "$out/w1.sqlite.got" exact)
    for v in "C:$c_ok" "mawk:$mawk_ok" "gawk:$gawk_ok" "sqlite3:$sql_ok"; do
        [ "${v#*:}" = same ] || fail "W1: $v output differs from flowc's"
    done
    local sqld="select sum(s) from (select sum(value) over (partition by cast(value % 10000 as text)
        order by value) as s from generate_series(0, $((nsql - 1))))"
    run_variant W1 baseline "$n" "$RUNS" "reference" "$out/w1_c" "$n"
    run_variant W1 flowc "$n" "$RUNS" "same (exact)" "$out/w1_flowc"
    w2_check W1 "$out/w1.want" "$out/w1_check" -w 2
    run_variant W1 "flowc -w 2" "$n" "$RUNS" "$W2_OK" "$out/w1_flowc" -w 2
    # recovery on (docs/recovery.md): a fresh store each run (a used one
    # would continue after the end of its input and read nothing)
    for s in 10 1; do
        run_variant W1 "flowc -r -s $s" "$n" "$RUNS" "same (exact)" sh -c \
            "rm -rf '$out/w1.store' && '$out/w1_flowc' --recovery-init '$out/w1.store' 1 >/dev/null &&
             exec '$out/w1_flowc' -r '$out/w1.store' -s $s -b 0"
    done
    run_variant W1 mawk "$npeer" "$PEER_RUNS" "$mawk_ok (exact)" mawk -v N="$npeer" "$awkd"
    run_variant W1 gawk "$npeer" "$PEER_RUNS" "$gawk_ok (exact)" gawk -v N="$npeer" "$awkd"
    run_variant W1 "sqlite3 (N=$nsql)" "$nsql" "$PEER_RUNS" "$sql_ok (exact)" sqlite3 :memory: "$sqld"
}

# ---- W2: word count -----------------------------------------------------------
w2() {
    local text=$out/w2.txt
    if [ "$SMOKE" = 1 ]; then
        cp "$DATA/wordcount.txt" "$text"
    elif [ ! -s "$text" ] || [ "$(stat -c %s "$text")" -lt 100000000 ]; then
        : >"$text"
        while [ "$(stat -c %s "$text")" -lt 100000000 ]; do cat "$DATA/collected-works.txt" >>"$text"; done
    fi
    local lines mb
    lines=$(wc -l <"$text")
    mb=$(( $(stat -c %s "$text") / 1000000 ))
    echo "W2: wordcount, $mb MB, $lines lines" >&2
    flowc_build "$root/examples/wordcount.flow" "$out/w2_flowc" || return
    cc_build "$root/bench/baseline/w2.c" "$out/w2_c" || return
    local awkw='{ n = patsplit(tolower($0), w, /[^[:space:]!,.?":;0-9]+/); for (i = 1; i <= n; i++) c[w[i]]++ }
        END { for (k in c) { r = k; gsub(/\\/, "\\\\", r)
              if (index(r, "\x27") > 0) printf("(\"%s\", %d)\n", r, c[k]); else printf("(\x27%s\x27, %d)\n", r, c[k]) } }'
    # mawk has no patsplit: split on the separators instead
    local awkm='{ n = split(tolower($0), w, /[ \t\n\v\f\r!,.?":;0-9]+/); for (i = 1; i <= n; i++) if (w[i] != "") c[w[i]]++ }
        END { for (k in c) { r = k; gsub(/\\/, "\\\\", r)
              if (index(r, "\x27") > 0) printf("(\"%s\", %d)\n", r, c[k]); else printf("(\x27%s\x27, %d)\n", r, c[k]) } }'
    (cd "$root" && "$out/w2_flowc" --input "inp=$text") >"$out/w2.want"
    "$out/w2_c" "$text" >"$out/w2.c.got"
    LC_ALL=$LOCALE gawk "$awkw" "$text" >"$out/w2.gawk.got"
    mawk "$awkm" "$text" >"$out/w2.mawk.got"
    local c_ok gawk_ok mawk_ok
    c_ok=$(check "$out/w2.want" "$out/w2.c.got" exact)
    gawk_ok=$(check "$out/w2.want" "$out/w2.gawk.got" sorted)
    mawk_ok=$(check "$out/w2.want" "$out/w2.mawk.got" sorted)
    [ "$c_ok" = same ] || fail "W2: the C baseline's output differs from flowc's"
    [ "$gawk_ok" = same ] || fail "W2: gawk's output differs from flowc's"
    if [ "$mawk_ok" != same ]; then
        # mawk's tolower is ASCII-only: expected to differ on the words with
        # 'Æ' (the collected works' only non-ASCII capital) or 'æ' (their
        # counts); anything else is a failure
        local ndiff
        ndiff=$(LC_ALL=C comm -3 "$out/w2.want.sorted" "$out/w2.mawk.got.sorted" | grep -vc '[Ææ]')
        [ "$ndiff" -eq 0 ] || fail "W2: mawk's output differs from flowc's on $ndiff lines"
        mawk_ok="differs only on words with Æ/æ (mawk's tolower is ASCII-only)"
    fi
    run_variant W2 baseline "$lines" "$RUNS" "reference" "$out/w2_c" "$text"
    run_variant W2 flowc "$lines" "$RUNS" "same (exact)" env -C "$root" "$out/w2_flowc" --input "inp=$text"
    w2_check W2 "$out/w2.want" env -C "$root" "$out/w2_flowc" -w 2 --input "inp=$text"
    run_variant W2 "flowc -w 2" "$lines" "$RUNS" "$W2_OK" env -C "$root" "$out/w2_flowc" -w 2 --input "inp=$text"
    run_variant W2 gawk "$lines" "$PEER_RUNS" "$gawk_ok (sorted)" env LC_ALL="$LOCALE" gawk "$awkw" "$text"
    run_variant W2 mawk "$lines" "$PEER_RUNS" "$mawk_ok (sorted)" mawk "$awkm" "$text"
}

# ---- W3: CPU statistics (CSV, tumbling mean per instance on the event clock) ---
w3() {
    local csv=$out/w3.csv copies=62
    [ "$SMOKE" = 1 ] && copies=1
    # copy c of the metrics shifted by c * 6 hours (they span 5 h 36 min)
    if [ "$SMOKE" = 1 ] || [ ! -s "$csv" ]; then
        gawk -F, -v C=$copies 'NR == 1 { print; next } { a[NR] = $0 }
            END { for (c = 0; c < C; c++) for (i = 2; i <= NR; i++) { split(a[i], f, ","); gsub(/[-:]/, " ", f[2])
                  print f[1] "," strftime("%Y-%m-%d %H:%M:%S", mktime(f[2], 1) + c * 21600, 1) "," f[3] "," f[4] } }' \
            "$DATA/ec2_metrics.csv" >"$csv"
    fi
    local nrows
    nrows=$(($(wc -l <"$csv") - 1))
    echo "W3: CPU statistics, $nrows CSV rows, 1-minute tumbling mean per instance" >&2
    flowc_build "$root/bench/w3.flow" "$out/w3_flowc" || return
    cc_build "$root/bench/baseline/w3.c" "$out/w3_c" -lm || return
    local awk3='function dfc(y, m, d,   era, yoe, doy) { y -= (m <= 2); era = int(y / 400); yoe = y - era * 400
            doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
            return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468 }
        function emit(k) { printf("(\x27%s\x27, %d, %.0f)\n", k, wid[k], s[k] / c[k] * 1000000) }
        BEGIN { FS = ","; align = dfc(2022, 2, 24) * 86400 }
        NR > 1 { t = dfc(substr($2, 1, 4) + 0, substr($2, 6, 2) + 0, substr($2, 9, 2) + 0) * 86400
                 t += substr($2, 12, 2) * 3600 + substr($2, 15, 2) * 60 + substr($2, 18, 2)
                 w = int((t - align) / 60); k = $4
                 if ((k in open) && wid[k] != w) { emit(k); delete open[k] }
                 if (!(k in open)) { open[k] = 1; wid[k] = w; s[k] = 0; c[k] = 0 }
                 s[k] += $3; c[k]++ }
        END { for (k in open) emit(k) }'
    # --clock pins the system clock (it never advances): the event clock's
    # watermark is then the event time alone, not how fast the program runs
    (cd "$root" && "$out/w3_flowc" --clock 2022-02-24T00:00:00Z --input "inp=$csv") >"$out/w3.want"
    "$out/w3_c" "$csv" >"$out/w3.c.got"
    gawk "$awk3" "$csv" >"$out/w3.gawk.got"
    mawk "$awk3" "$csv" >"$out/w3.mawk.got"
    local ok
    for v in c gawk mawk; do
        ok=$(check "$out/w3.want" "$out/w3.$v.got" sorted)
        [ "$ok" = same ] || fail "W3: $v's output differs from flowc's"
    done
    run_variant W3 baseline "$nrows" "$RUNS" "reference" "$out/w3_c" "$csv"
    run_variant W3 flowc "$nrows" "$RUNS" "$(check "$out/w3.want" "$out/w3.c.got" sorted) (sorted)" \
        env -C "$root" "$out/w3_flowc" --clock 2022-02-24T00:00:00Z --input "inp=$csv"
    # recovery on (docs/recovery.md), a fresh store each run; the frozen
    # pinned clock keeps the output exact, epochs are the real clock's
    local rec
    for s in 10 1; do
        rec="rm -rf '$out/w3.store' && '$out/w3_flowc' --recovery-init '$out/w3.store' 1 >/dev/null &&
             cd '$root' && exec '$out/w3_flowc' -r '$out/w3.store' -s $s -b 0 --clock 2022-02-24T00:00:00Z --input 'inp=$csv'"
        sh -c "$rec" >"$out/w3.rec.got"
        run_variant W3 "flowc -r -s $s" "$nrows" "$RUNS" "$(check "$out/w3.want" "$out/w3.rec.got" exact) (exact)" sh -c "$rec"
    done
    w2_check W3 "$out/w3.want" env -C "$root" "$out/w3_flowc" -w 2 --clock 2022-02-24T00:00:00Z --input "inp=$csv"
    run_variant W3 "flowc -w 2" "$nrows" "$RUNS" "$W2_OK" \
        env -C "$root" "$out/w3_flowc" -w 2 --clock 2022-02-24T00:00:00Z --input "inp=$csv"
    run_variant W3 gawk "$nrows" "$PEER_RUNS" "$(check "$out/w3.want" "$out/w3.gawk.got" sorted) (sorted)" gawk "$awk3" "$csv"
    run_variant W3 mawk "$nrows" "$PEER_RUNS" "$(check "$out/w3.want" "$out/w3.mawk.got" sorted) (sorted)" mawk "$awk3" "$csv"
}

# ---- W4: JSON lines, 10 s tumbling count per user -----------------------------
w4() {
    local js=$out/w4.jsonl n=5000000
    [ "$SMOKE" = 1 ] && n=20000
    # event i at 20 us * i (5 M events span 100 s), user (i * 7919) % 100000
    if [ "$SMOKE" = 1 ] || [ ! -s "$js" ]; then
        mawk -v N=$n 'BEGIN { for (i = 0; i < N; i++) { us = i * 20; s = int(us / 1000000)
            printf("{\"time\": \"2022-01-01T%02d:%02d:%02d.%06dZ\", \"user\": \"u%d\", \"val\": %d}\n",
                   int(s / 3600), int(s / 60) % 60, s % 60, us % 1000000, (i * 7919) % 100000, i % 1000) } }' >"$js"
    fi
    echo "W4: JSON lines, $n events, 100,000 users, 10 s tumbling count_window" >&2
    flowc_build "$root/bench/w4.flow" "$out/w4_flowc" || return
    cc_build "$root/bench/baseline/w4.c" "$out/w4_c" || return
    local awk4='function emit(k) { printf("(\x27%s\x27, (%d, %d))\n", k, wid[k], c[k]) }
        BEGIN { FS = "\"" }
        { t = $4; k = $8
          s = substr(t, 12, 2) * 3600 + substr(t, 15, 2) * 60 + substr(t, 18, 2)
          w = int(s / 10)
          if ((k in open) && wid[k] != w) { emit(k); delete open[k] }
          if (!(k in open)) { open[k] = 1; wid[k] = w; c[k] = 0 }
          c[k]++ }
        END { for (k in open) emit(k) }'
    # the awks read the generated file, whose events all fall on 2022-01-01
    local clock=--clock=2022-01-01T00:00:00Z
    (cd "$root" && "$out/w4_flowc" $clock --input "inp=$js") >"$out/w4.want"
    "$out/w4_c" "$js" >"$out/w4.c.got"
    gawk "$awk4" "$js" >"$out/w4.gawk.got"
    mawk "$awk4" "$js" >"$out/w4.mawk.got"
    local ok
    for v in c gawk mawk; do
        ok=$(check "$out/w4.want" "$out/w4.$v.got" sorted)
        [ "$ok" = same ] || fail "W4: $v's output differs from flowc's"
    done
    run_variant W4 baseline "$n" "$RUNS" "reference" "$out/w4_c" "$js"
    run_variant W4 flowc "$n" "$PEER_RUNS" "$(check "$out/w4.want" "$out/w4.c.got" sorted) (sorted)" \
        env -C "$root" "$out/w4_flowc" $clock --input "inp=$js"
    local rec
    for s in 10 1; do    # recovery on, as W3's rows
        rec="rm -rf '$out/w4.store' && '$out/w4_flowc' --recovery-init '$out/w4.store' 1 >/dev/null &&
             cd '$root' && exec '$out/w4_flowc' -r '$out/w4.store' -s $s -b 0 $clock --input 'inp=$js'"
        sh -c "$rec" >"$out/w4.rec.got"
        run_variant W4 "flowc -r -s $s" "$n" "$PEER_RUNS" "$(check "$out/w4.want" "$out/w4.rec.got" exact) (exact)" sh -c "$rec"
    done
    w2_check W4 "$out/w4.want" env -C "$root" "$out/w4_flowc" -w 2 $clock --input "inp=$js"
    run_variant W4 "flowc -w 2" "$n" "$PEER_RUNS" "$W2_OK" env -C "$root" "$out/w4_flowc" -w 2 $clock --input "inp=$js"
    run_variant W4 gawk "$n" "$PEER_RUNS" "$(check "$out/w4.want" "$out/w4.gawk.got" sorted) (sorted)" gawk "$awk4" "$js"
    run_variant W4 mawk "$n" "$PEER_RUNS" "$(check "$out/w4.want" "$out/w4.mawk.got" sorted) (sorted)" mawk "$awk4" "$js"
}

# ---- 1BRC: per station min/max/mean of "STATION;TEMPERATURE" lines ------------
# examples/1brc.flow (Bytewax's examples/1brc.py; its file read with
# split = "bytes", so -w 2's workers read a byte range each) on 100 M rows of
# bench/gen_1brc (seed 1), generated once into $out/brc.txt (1.4 GB) and
# kept (brc.txt.rows says how many rows it has); the C baseline
# bench/baseline/brc.c. Checked on the first 1 M rows before timing (C and
# -w 1 exact, -w 2 sorted) and on the timed runs' own outputs after.
brc() {
    local n=100000000 nc=1000000 data=$out/brc.txt
    [ "$SMOKE" = 1 ] && n=20000 nc=20000
    echo "1BRC: $n rows, 100 stations" >&2
    cc_build "$root/bench/gen_1brc.c" "$out/gen_1brc" -lm || return
    if [ ! -s "$data" ] || [ "$(cat "$data.rows" 2>/dev/null)" != "$n" ]; then
        echo "  generating $data ($n rows) ..." >&2
        "$out/gen_1brc" "$n" >"$data" && echo "$n" >"$data.rows" || { fail "gen_1brc $n"; return; }
    fi
    flowc_build "$root/examples/1brc.flow" "$out/brc_flowc" || return
    cc_build "$root/bench/baseline/brc.c" "$out/brc_c" || return
    head -n "$nc" "$data" >"$out/brc_check.txt"
    "$out/brc_c" "$out/brc_check.txt" >"$out/brc.c.got"
    "$out/brc_flowc" --input "inp=$out/brc_check.txt" >"$out/brc.want"
    local c_ok
    c_ok=$(check "$out/brc.want" "$out/brc.c.got" exact)
    [ "$c_ok" = same ] || fail "1BRC: the C baseline's output differs from flowc's"
    w2_check 1BRC "$out/brc.want" "$out/brc_flowc" -w 2 --input "inp=$out/brc_check.txt"
    [ "$SMOKE" = 1 ] && return
    run_variant 1BRC baseline "$n" "$RUNS" "reference" "$out/brc_c" "$data"
    run_variant 1BRC flowc "$n" "$RUNS" "$c_ok (exact)" "$out/brc_flowc" --input "inp=$data"
    run_variant 1BRC "flowc -w 2" "$n" "$RUNS" "$W2_OK" "$out/brc_flowc" -w 2 --input "inp=$data"
    # the timed runs' outputs (the last run of each), all 100 M rows
    [ "$(check "$out/1BRC-baseline.out" "$out/1BRC-flowc.out" exact)" = same ] ||
        fail "1BRC: flowc's output on $n rows differs from the C baseline's"
    [ "$(check "$out/1BRC-baseline.out" "$out/1BRC-flowc -w 2.out" sorted)" = same ] ||
        fail "1BRC: flowc -w 2's output on $n rows differs from the C baseline's"
}

# ---- Nexmark ------------------------------------------------------------------
nexmark() {
    local n=10000000
    [ "$SMOKE" = 1 ] && n=20000
    [ -d "$root/bench/nexmark" ] || return
    echo "Nexmark: $n events" >&2
    for q in "$root"/bench/nexmark/q*.flow; do
        local name
        name=$(basename "$q" .flow)
        local qn=$n
        # q5's sliding windows keep one clock and five windows per auction: slower
        [ "$name" = q5 ] && [ "$SMOKE" != 1 ] && qn=$((n / 20))
        sed "s/events = [0-9][0-9]*/events = $qn/" "$q" >"$out/nexmark_$name.flow"
        # the -w 2 check: 20,000 events printed, -w 1 against -w 2
        sed -e "s/events = [0-9][0-9]*/events = 20000/" -e 's/, discard)/, stdout)/' "$q" >"$out/nexmark_${name}_check.flow"
        flowc_build "$out/nexmark_$name.flow" "$out/nexmark_$name" || continue
        flowc_build "$out/nexmark_${name}_check.flow" "$out/nexmark_${name}_check" || continue
        "$out/nexmark_${name}_check" --clock 2015-07-15T00:00:00Z >"$out/nexmark_$name.want" ||
            fail "nexmark $name (check) exited with $?"
        w2_check "nexmark_$name" "$out/nexmark_$name.want" "$out/nexmark_${name}_check" -w 2 --clock 2015-07-15T00:00:00Z
        if [ "$SMOKE" = 1 ]; then
            "$out/nexmark_$name" >"$out/nexmark_$name.out" 2>&1 || fail "nexmark $name exited with $?"
            continue
        fi
        run_variant Nexmark "$name" "$qn" "$PEER_RUNS" "-" "$out/nexmark_$name"
        run_variant Nexmark "$name -w 2" "$qn" "$PEER_RUNS" "$W2_OK at N=20000" "$out/nexmark_$name" -w 2
    done
}

# ---- costs that grow with the program (issue 16) ------------------------------
# 50,000 steps through flowc (--check, -S), and a list of 10 M elements
# built by `acc + [x]`; the figures before the fixes are in bench/notes.md.
growth() {
    local n=50000 m=10000000
    [ "$SMOKE" = 1 ] && n=500 m=10000
    echo "Growth: $n steps compiled; acc + [x] to $m elements" >&2
    python3 - "$n" "$out/steps.flow" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("flow steps\nx0 = input(testing([1, 2, 3]))\n")
    for i in range(1, n):
        f.write("x%d = map(x%d, |v| v + 1)\n" % (i, i - 1))
    f.write("out = output(x%d, stdout)\n" % (n - 1))
PY
    run_variant "$n steps" "flowc --check" "$n" "$RUNS" "-" "$FLOWC" --check "$out/steps.flow"
    run_variant "$n steps" "flowc -S" "$n" "$RUNS" "-" "$FLOWC" -S "$out/steps.flow" -o "$out/steps.c"
    sed -e "s/range(10000000)/range($m)/" "$root/bench/append.flow" >"$out/append.flow"
    flowc_build "$out/append.flow" "$out/append_flowc" || return
    run_variant "acc + [x]" flowc "$m" "$RUNS" "-" "$out/append_flowc"
    [ "$SMOKE" = 1 ] && { "$out/append_flowc" | grep -q "('all', $m, 0, $((m - 1)))" || fail "acc + [x]: wrong result"; }
    growth_windows
}

# Many windows open on one key (issue 16 item 16): a million 1 s tumbling
# windows open at once (bench/win_open.flow), and sliding 1 h windows every
# 1 s, 3,600 open and each event in all of them (bench/win_slide.flow).
# --clock pins the system clock: the event clock's watermark then depends on
# the events alone, not on how fast the program runs. Each prints (windows,
# items counted, last window id), checked here.
growth_windows() {
    local nw=1000000 ns=10000 clock=--clock=2022-01-01T00:00:00Z
    [ "$SMOKE" = 1 ] && nw=20000 ns=500
    echo "Growth: $nw windows open on one key; sliding 1h/1s, $ns events" >&2
    sed "s/range(1000000)/range($nw)/" "$root/bench/win_open.flow" >"$out/win_open.flow"
    sed "s/range(10000)/range($ns)/" "$root/bench/win_slide.flow" >"$out/win_slide.flow"
    flowc_build "$out/win_open.flow" "$out/win_open_flowc" || return
    flowc_build "$out/win_slide.flow" "$out/win_slide_flowc" || return
    run_variant "$nw open windows, one key" flowc "$nw" "$RUNS" "-" "$out/win_open_flowc" $clock
    run_variant "sliding 1 h every 1 s, one key" flowc "$ns" "$RUNS" "-" "$out/win_slide_flowc" $clock
    "$out/win_open_flowc" $clock | grep -qxF "('all', ($nw, $nw, $((nw - 1))))" ||
        fail "$nw open windows: wrong result"
    "$out/win_slide_flowc" $clock | grep -qxF "('all', ($((ns + 3599)), $((ns * 3600)), $((ns - 1))))" ||
        fail "sliding 1 h every 1 s: wrong result"
}

# ---- compile time -------------------------------------------------------------
compile_times() {
    local progs=("$root"/examples/*.flow "$root"/bench/w[0-9].flow "$root"/bench/nexmark/q*.flow)
    for p in "${progs[@]}"; do
        [ -f "$p" ] || continue
        local name=${p#"$root"/} ts=() tc=() i
        for ((i = 0; i < 5; i++)); do
            local a b c
            a=$(date +%s%N)
            "$FLOWC" -S "$p" -o "$out/ct.c" 2>/dev/null || { fail "flowc -S $name"; continue 2; }
            b=$(date +%s%N)
            $CC -O2 -c -I"$root/runtime/include" "$out/ct.c" -o "$out/ct.o" || { fail "cc -O2 $name"; continue 2; }
            c=$(date +%s%N)
            ts+=($(((b - a) / 1000)))
            tc+=($(((c - b) / 1000)))
        done
        local ms mc
        ms=$(printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] / 1000}')
        mc=$(printf '%s\n' "${tc[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)] / 1000}')
        ctimes+=("$name|$ms|$mc")
        [ "$SMOKE" = 1 ] && break
    done
}

# Bytewax and Flink (issue 15): peers(), peers_table()
. "$root/bench/peers/peers.sh"
# -w 1 against -w 2 and mpirun -n 2, wall clock (issue 12): scaling(), scaling_table()
. "$root/bench/scaling.sh"

for tool in mawk gawk sqlite3 bc; do
    command -v $tool >/dev/null || fail "$tool is not installed (make bench installs it)"
done
[ -x /usr/bin/time ] || fail "GNU time is not installed at /usr/bin/time (Debian package time)"
[ -x "$FLOWC" ] || { fail "no compiler at $FLOWC"; exit 1; }

table=$out/table.md
[ -n "$ONLY" ] && table=$out/only.md
if [ "$DOC_ONLY" = 1 ]; then
    [ -s "$table" ] || { echo "DOC_ONLY=1: no $table yet (run make bench first)"; exit 1; }
elif [ -n "$ONLY" ]; then
    for part in $ONLY; do
        case $part in
        w1 | w2 | w3 | w4 | brc | nexmark | scaling | growth | growth_windows | compile_times) $part ;;
        *) fail "ONLY: no part $part" ;;
        esac
    done
else
w1
w2
w3
w4
brc
nexmark
scaling
peers
growth
compile_times
fi
if [ "$DOC_ONLY" != 1 ]; then
if [ "$SMOKE" = 1 ]; then
    [ "$failures" -eq 0 ] && echo "bench-smoke: every benchmark program built and agreed on tiny inputs"
    [ "$failures" -eq 0 ]
    exit
fi

# ---- the table ----------------------------------------------------------------
{
    echo "| workload | variant | CPU s (median) | events | events/s | vs C baseline | peak RSS | output check |"
    echo "|---|---|---:|---:|---:|---:|---:|---|"
    declare -A base
    for r in "${rows[@]}"; do
        IFS='|' read -r w v s ev _ _ _ <<<"$r"
        [ "$v" = baseline ] && base[$w]=$(echo "$s / $ev" | bc -l)
    done
    for r in "${rows[@]}"; do
        IFS='|' read -r w v s ev _ rss chk <<<"$r"
        rate=$(echo "if ($s > 0) $ev / $s else 0" | bc -l)
        ratio="-"
        if [ -n "${base[$w]:-}" ] && [ "$(echo "$s > 0" | bc)" = 1 ]; then
            ratio=$(printf '%.2fx' "$(echo "${base[$w]} / ($s / $ev)" | bc -l)")
        fi
        printf '| %s | %s | %.2f | %s | %.3f M | %s | %s MB | %s |\n' "$w" "$v" "$s" \
            "$ev" "$(echo "$rate / 1000000" | bc -l)" "$ratio" "$((rss / 1024))" "$chk"
    done
    scaling_table
    peers_table
    echo
    echo "| program | flowc -S (ms) | cc -O2 -c of the generated C (ms) |"
    echo "|---|---:|---:|"
    for r in "${ctimes[@]}"; do
        IFS='|' read -r p ms mc <<<"$r"
        echo "| $p | $ms | $mc |"
    done
} >"$table"
cat "$table"
fi
if [ -n "$ONLY" ]; then
    [ "$failures" -eq 0 ]
    exit
fi

# ---- docs/benchmarks.md ---------------------------------------------------------
# The head (down to the tables) is written here; the prose from the page's
# first "## " heading on is kept.
doc=$root/docs/benchmarks.md
prose=$(awk 'f || /^## / { f = 1; print }' "$doc" 2>/dev/null)
[ -n "$prose" ] || { echo "FAIL $doc has no '## ' section to keep (the prose below the tables)"; exit 1; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
mem=$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)
{
    echo "# Benchmarks"
    echo
    echo "Written by \`make bench\` (bench/run.sh) on $(date -u -r "$table" +%Y-%m-%d): the latest"
    echo "results, how they are measured and how to run them. The dated history of"
    echo "earlier runs and the analysis of each workload are in"
    echo "[bench/notes.md](../bench/notes.md)."
    echo
    echo "- machine: $(nproc) cores, $cpu, $mem RAM, $(uname -sr)"
    echo "- compilers: $($CC --version | head -1); generated C built by flowc with -O2"
    echo "- command: \`make bench\` (RUNS=$RUNS for flowc and the C baselines, PEER_RUNS=$PEER_RUNS for the peer tools,"
    echo "  BYTEWAX_RUNS=$BYTEWAX_RUNS and FLINK_RUNS=$FLINK_RUNS for Bytewax 0.21.1 and Flink 2.1.1 (bench/peers/peers.sh))"
    echo "- time: the median over the runs of user+sys CPU seconds (of all the"
    echo "  process's threads: flowc -w 2's two workers, Bytewax -w 2's two, Flink's"
    echo "  JVM, so events/s is per core; the machine is shared, so CPU time is"
    echo "  steadier than wall time); events/s = events / that time"
    echo "- peak RSS: the largest maximum resident set size (GNU time) over the runs"
    echo
    cat "$table"
    echo
    printf '%s\n' "$prose"
} >"$doc.tmp" && mv "$doc.tmp" "$doc"
echo "wrote docs/benchmarks.md"
[ "$failures" -eq 0 ]
