#!/usr/bin/env bash
# bench/run.sh - the benchmarks of issue 6 (`make bench`): for each
# workload, build every variant (the .flow program compiled by flowc, the
# hand-written C baseline in bench/baseline/, and the Debian tools a user
# might pick instead), check that all variants produce the same output,
# time each (median of RUNS runs of user+sys CPU seconds, so the figures
# are per core and other load on the machine matters less), measure its
# peak RSS (GNU time), print a table and write docs/benchmarks.md.
#
#   bench/run.sh            the full run (W1 50M events, W2 ~100 MB, ...)
#   SMOKE=1 bench/run.sh    tiny inputs: builds and checks every program,
#                           times nothing, writes nothing outside build/
#
# Inputs are generated into build/bench/ from ../shared/data (or DATA=DIR).
# Env: FLOWC, CC (for the baselines), RUNS (5), PEER_RUNS (3).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
CC=${CC:-cc}
DATA=${DATA:-$(cd "$root/.." && pwd)/shared/data}
SMOKE=${SMOKE:-0}
RUNS=${RUNS:-5}
PEER_RUNS=${PEER_RUNS:-3}
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

cc_build() {      # cc_build SRC.c OUT
    $CC -O2 -o "$2" "$1" 2>"$2.cc.err" || { fail "cc $1: $(head -5 "$2.cc.err")"; return 1; }
}

add_row() { rows+=("$1|$2|$3|$4|$5|$6|$7"); }

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
    run_variant W2 gawk "$lines" "$PEER_RUNS" "$gawk_ok (sorted)" env LC_ALL="$LOCALE" gawk "$awkw" "$text"
    run_variant W2 mawk "$lines" "$PEER_RUNS" "$mawk_ok (sorted)" mawk "$awkm" "$text"
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
        flowc_build "$out/nexmark_$name.flow" "$out/nexmark_$name" || continue
        if [ "$SMOKE" = 1 ]; then
            "$out/nexmark_$name" >"$out/nexmark_$name.out" 2>&1 || fail "nexmark $name exited with $?"
            continue
        fi
        run_variant Nexmark "$name" "$qn" "$PEER_RUNS" "-" "$out/nexmark_$name"
    done
}

# ---- compile time -------------------------------------------------------------
compile_times() {
    local progs=("$root"/examples/*.flow "$root"/bench/w1.flow "$root"/bench/nexmark/q*.flow)
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

for tool in mawk gawk sqlite3 bc; do
    command -v $tool >/dev/null || fail "$tool is not installed (make bench installs it)"
done
[ -x /usr/bin/time ] || fail "GNU time is not installed at /usr/bin/time (Debian package time)"
[ -x "$FLOWC" ] || { fail "no compiler at $FLOWC"; exit 1; }

w1
w2
nexmark
compile_times

if [ "$SMOKE" = 1 ]; then
    [ "$failures" -eq 0 ] && echo "bench-smoke: every benchmark program built and agreed on tiny inputs"
    [ "$failures" -eq 0 ]
    exit
fi

# ---- the table ----------------------------------------------------------------
table=$out/table.md
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
        printf '| %s | %s | %.2f | %s | %.2f M | %s | %s MB | %s |\n' "$w" "$v" "$s" \
            "$ev" "$(echo "$rate / 1000000" | bc -l)" "$ratio" "$((rss / 1024))" "$chk"
    done
    echo
    echo "| program | flowc -S (ms) | cc -O2 -c of the generated C (ms) |"
    echo "|---|---:|---:|"
    for r in "${ctimes[@]}"; do
        IFS='|' read -r p ms mc <<<"$r"
        echo "| $p | $ms | $mc |"
    done
} >"$table"
cat "$table"

# ---- docs/benchmarks.md ---------------------------------------------------------
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
mem=$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)
{
    echo "# Benchmarks"
    echo
    echo "Written by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d); the analysis"
    echo "below the tables is bench/notes.md."
    echo
    echo "- machine: $(nproc) cores, $cpu, $mem RAM, $(uname -sr)"
    echo "- compilers: $($CC --version | head -1); generated C built by flowc with -O2"
    echo "- command: \`make bench\` (RUNS=$RUNS for flowc and the C baselines, PEER_RUNS=$PEER_RUNS for the peer tools)"
    echo "- time: the median over the runs of user+sys CPU seconds (single-threaded"
    echo "  programs, so this is per core; the machine is shared, so CPU time is"
    echo "  steadier than wall time); events/s = events / that time"
    echo "- peak RSS: the largest maximum resident set size (GNU time) over the runs"
    echo
    cat "$table"
    echo
    cat "$root/bench/notes.md"
} >"$root/docs/benchmarks.md"
echo "wrote docs/benchmarks.md"
[ "$failures" -eq 0 ]
