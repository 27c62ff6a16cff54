#!/usr/bin/env bash
# tests/wordcount/run.sh - runs examples/wordcount.flow on the collected
# works (../shared/data/collected-works.txt, or DATA=FILE) and checks every
# (word, count) against an independent count made with gawk in a UTF-8
# locale: each line lowercased (Unicode rules), words = maximal runs of
# [^[:space:]!,.?":;0-9], counted, printed as Python would print the tuple
# ("'tis" in double quotes, others in single quotes, \ doubled), then both
# lists are sorted bytewise and compared. Ends with "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
FLOWC=${FLOWC:-$root/build/flowc}
case $FLOWC in /*) ;; *) FLOWC=$root/$FLOWC ;; esac
DATA=${DATA:-$(cd "$root/.." && pwd)/shared/data/collected-works.txt}

passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

if [ ! -f "$DATA" ]; then
    echo "wordcount: the input text is missing: $DATA does not exist." >&2
    echo "wordcount: this test needs the shared data folder beside the repository (../shared/data)." >&2
    fail "no input data"
    finish
fi
if [ ! -x "$FLOWC" ]; then
    echo "wordcount: no compiler at $FLOWC (build it with make, or set FLOWC)" >&2
    fail "no compiler"
    finish
fi
locale=$(locale -a 2>/dev/null | grep -i -m1 -E '^(C|en_US)\.utf-?8$')
if [ -z "$locale" ]; then
    fail "no UTF-8 locale for gawk (locale -a lists none)"
    finish
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-wordcount.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# 1. it compiles
if "$FLOWC" "$root/examples/wordcount.flow" -o "$tmp/wordcount" 2>"$tmp/cc.err"; then
    pass
else
    fail "examples/wordcount.flow does not compile:"; sed 's/^/    /' "$tmp/cc.err"
    finish
fi

# 2. it runs on the collected works, exit status 0, nothing on stderr
(cd "$root" && "$tmp/wordcount" --input "inp=$DATA") >"$tmp/got" 2>"$tmp/err" </dev/null
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ]; then
    pass
else
    fail "wordcount exited with $rc; stderr:"; head -5 "$tmp/err" | sed 's/^/    /'
fi

# 3. the independent count
LC_ALL=$locale gawk '
    {
        n = patsplit(tolower($0), words, /[^[:space:]!,.?":;0-9]+/)
        for (i = 1; i <= n; i++) count[words[i]]++
    }
    END {
        for (w in count) {
            r = w
            gsub(/\\/, "\\\\", r)
            if (index(r, "\x27") > 0) printf("(\"%s\", %d)\n", r, count[w])
            else printf("(\x27%s\x27, %d)\n", r, count[w])
        }
    }' "$DATA" | LC_ALL=C sort >"$tmp/want"
if [ -s "$tmp/want" ]; then pass; else fail "gawk counted no words"; fi

# 4. the program prints its keys in ascending byte order (count_final at EOF)
sed -E 's/^\(["\x27](.*)["\x27], [0-9]+\)$/\1/' "$tmp/got" >"$tmp/keys"
if LC_ALL=C sort -c "$tmp/keys" 2>/dev/null; then
    pass
else
    fail "output is not in ascending byte order of the words"
fi

# 5. every (word, count) pair agrees, and no word is missing or extra
LC_ALL=C sort "$tmp/got" >"$tmp/got.sorted"
words=$(wc -l <"$tmp/want")
if cmp -s "$tmp/want" "$tmp/got.sorted"; then
    pass
    echo "wordcount: all $words word counts agree"
else
    missing=$(LC_ALL=C comm -23 "$tmp/want" "$tmp/got.sorted" | wc -l)
    extra=$(LC_ALL=C comm -13 "$tmp/want" "$tmp/got.sorted" | wc -l)
    fail "$missing of $words (word, count) pairs differ or are missing, $extra unexpected:"
    diff -u --label "gawk count" --label "wordcount" "$tmp/want" "$tmp/got.sorted" | head -30 | sed 's/^/    /'
fi

finish
