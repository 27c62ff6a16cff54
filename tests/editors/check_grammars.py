#!/usr/bin/env python3
"""tests/editors/check_grammars.py - checks of editors/ (make editors-test).

VS Code: package.json, language-configuration.json and the TextMate grammar
parse as JSON; package.json points at the grammar and agrees on its
scopeName; every `include` names a repository entry; every match/begin/end
regular expression compiles (Python's re, close enough to Oniguruma for the
constructs used). Both grammars (TextMate and Vim) name every operator of
compiler/steps.def and every built-in of compiler/builtins.def, so a new
operator that is not highlighted fails here.
Prints "N passed, N failed"; exits 1 on any failure.
"""
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}" + (f": {detail}" if detail else ""))


def load(rel):
    path = os.path.join(ROOT, rel)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        check(f"{rel} parses as JSON", True)
        return data
    except (OSError, ValueError) as e:
        check(f"{rel} parses as JSON", False, str(e))
        return None


def regexes(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("match", "begin", "end") and isinstance(v, str):
                out.append(v)
            else:
                regexes(v, out)
    elif isinstance(node, list):
        for v in node:
            regexes(v, out)
    return out


def includes(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "include":
                out.append(v)
            else:
                includes(v, out)
    elif isinstance(node, list):
        for v in node:
            includes(v, out)
    return out


def names(def_file, macro):
    with open(os.path.join(ROOT, "compiler", def_file), encoding="utf-8") as f:
        return re.findall(macro + r'\([A-Z_0-9]+,\s*"([a-z_]+)"', f.read())


pkg = load("editors/vscode/package.json")
load("editors/vscode/language-configuration.json")
gram = load("editors/vscode/syntaxes/flow.tmLanguage.json")
if pkg and gram:
    g = pkg["contributes"]["grammars"][0]
    check("package.json's grammar path exists",
          os.path.exists(os.path.join(ROOT, "editors/vscode", g["path"])), g["path"])
    check("package.json and the grammar agree on scopeName", g["scopeName"] == gram["scopeName"])
    check("the language claims .flow", ".flow" in pkg["contributes"]["languages"][0]["extensions"])
    repo = gram.get("repository", {})
    for inc in includes(gram, []):
        check(f"include {inc} names a repository entry", inc.startswith("#") and inc[1:] in repo)
    for rx in regexes(gram, []):
        try:
            re.compile(rx)
            check("regex compiles", True)
        except re.error as e:
            check(f"regex {rx!r} compiles", False, str(e))

with open(os.path.join(ROOT, "editors/vim/syntax/flow.vim"), encoding="utf-8") as f:
    vim_words = set()
    for line in f:
        if line.startswith("syn keyword"):
            vim_words.update(line.split()[3:])
        vim_words.update(re.findall(r'^syn match\s+\w+\s+"\\<(\w+)\\>"', line))
tm_text = json.dumps(gram) if gram else ""
for word in names("steps.def", "STEP") + names("builtins.def", "BUILTIN"):
    check(f"vim syntax names `{word}`", word in vim_words)
    check(f"TextMate grammar names `{word}`", re.search(r"[|(]" + word + r"[|)]", tm_text) is not None)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
