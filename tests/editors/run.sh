#!/bin/sh
# tests/editors/run.sh - editors/ parses and covers the language
# (make editors-test): check_grammars.py (JSON, regexes, every operator and
# built-in named), then the Vim syntax file loaded by `vim -es` on
# examples/wordcount.flow, checking the highlight group of a few words.
# Ends with "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowc-editors.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

python3 "$here/check_grammars.py" >"$tmp/py.out"
grep -v ' passed, ' "$tmp/py.out"
pass=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$tmp/py.out")
fail=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$tmp/py.out")
pass=${pass:-0}
fail=${fail:-1}

if command -v vim >/dev/null 2>&1; then
    # LINE COL WANT: the syntax group vim gives the character at LINE:COL
    cat >"$tmp/probe.vim" <<'VIM'
set nocompatible
let &runtimepath = g:flowrt . ',' . &runtimepath
filetype on
syntax on
filetype detect
let s:out = [&filetype]
for [l, c] in [[1, 3], [6, 1], [8, 7], [9, 35], [10, 51], [10, 66], [11, 15], [12, 27]]
  call add(s:out, synIDattr(synID(l, c, 1), 'name'))
endfor
call writefile(s:out, g:flowout)
qall!
VIM
    vim -u NONE -i NONE -N -es --cmd "let g:flowrt='$root/editors/vim'" --cmd "let g:flowout='$tmp/vim.out'" \
        -S "$tmp/probe.vim" "$root/examples/wordcount.flow" </dev/null >/dev/null 2>&1
    printf '%s\n' flow flowComment flowKeyword flowStep flowBuiltin flowBuiltin flowRawString flowStep flowSource >"$tmp/want"
    if cmp -s "$tmp/want" "$tmp/vim.out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL vim: syntax groups on examples/wordcount.flow differ (want, got):"
        paste "$tmp/want" "$tmp/vim.out" 2>/dev/null | sed 's/^/    /'
    fi
else
    echo "(vim not installed: the Vim syntax file was only checked by check_grammars.py)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
