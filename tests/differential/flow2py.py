#!/usr/bin/env python3
"""flow2py - writes the Bytewax 0.21.1 twin of a .flow program.

    flow2py.py PROG.flow [--args 'PROGRAM ARGS'] [-o PROG.py]

The twin is a plain Bytewax dataflow: each step becomes the Bytewax
operator of the same name and step id (bytewax.operators,
bytewax.operators.windowing), `testing(...)` a TestingSource, `stdout` a
StdOutSink, lambdas Python lambdas. Expressions go through flowpy.py only
where flowc's language is not Python's one to one (int `/`, checked int
arithmetic, record fields, `??`, the built-ins, the pinned clock).

The parser here is its own (not flowc's), written from grammar/flow.y, so
that a parse or precedence bug of flowc shows up as a difference.
Program arguments (the .args of a test) become the run's options: `-s 0`
is run_main's epoch_interval, `--clock T --clock-step D` pin flowpy's
CLOCK (the EventClock's now_getter, the SystemClock and `now()`), and the
inputs advance it one step per round (flowpy.ClockedSource).

A typed `file(..., format = "csv" | "jsonl", schema = R)` input is
Bytewax's CSVSource (dicts of strings) or FileSource (lines) and a map
building the record as flowc's reader does (flowpy.csv_record,
jsonl_record); `stdout(format = "json" | "csv")` is a StdOutSink that
formats (flowpy.FormatSink); `W.with_meta` of a tumbling or sliding
window is its `down` with each window id replaced by the window's
metadata (flowpy.with_meta). A construct without a Bytewax counterpart
(a `file` sink, `with_meta` of sessions, kafka, ...) raises NoTwin with
the reason.
"""

import re
import sys
from datetime import datetime, timedelta, timezone

UTC = timezone.utc


class NoTwin(Exception):
    """The program uses something Bytewax 0.21.1 has no counterpart for."""


class ParseError(Exception):
    pass


# ---------------------------------------------------------------- tokens

_TS = re.compile(r"@(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_FLOAT = re.compile(r"\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+")
_DUR = re.compile(r"\d+(?:\.\d+)?[A-Za-z_][A-Za-z0-9_]*")
_INT = re.compile(r"\d+")
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PUNCT = ["->", "==", "!=", "<=", ">=", "??", "?.", "//"]
_KW = {"flow", "record", "const", "fn", "extern", "let", "if", "then", "else",
       "and", "or", "not", "true", "false", "none", "with", "in"}
_UNITS = {"us": 1, "ms": 1000, "s": 1000000, "m": 60000000, "h": 3600000000, "d": 86400000000}


def _dur_micros(text):
    m = re.fullmatch(r"(\d+)(?:\.(\d+))?([a-z]+)", text)
    if not m or m.group(3) not in _UNITS:
        raise ParseError("bad duration %s" % text)
    unit = _UNITS[m.group(3)]
    whole = int(m.group(1)) * unit
    frac = m.group(2) or ""
    if frac:
        whole += int(frac) * unit // (10 ** len(frac))
    return whole


def _ts_micros(m):
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    frac = m.group(7) or ""
    us = int((frac[1:] + "000000")[:6]) if frac else 0
    tz = m.group(8)
    off = 0
    if tz != "Z":
        sign = -1 if tz[0] == "-" else 1
        off = sign * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
    dt = datetime(y, mo, d, h, mi, s, us, tzinfo=UTC) - timedelta(seconds=off)
    return dt


def _unescape(body):
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = body[i + 1]
        i += 2
        simple = {"n": b"\n", "t": b"\t", "r": b"\r", "0": b"\0", "\\": b"\\", '"': b'"', "'": b"'"}
        if e in simple:
            out += simple[e]
        elif e == "x":
            out.append(int(body[i:i + 2], 16))
            i += 2
        elif e == "u" and body[i] == "{":
            j = body.index("}", i)
            out += chr(int(body[i + 1:j], 16)).encode("utf-8")
            i = j + 1
        elif e == "u":
            out += chr(int(body[i:i + 4], 16)).encode("utf-8")
            i += 4
        elif e == "U":
            out += chr(int(body[i:i + 8], 16)).encode("utf-8")
            i += 8
        else:
            raise ParseError("bad escape \\%s" % e)
    return out.decode("utf-8", errors="surrogateescape")


def _string_end(src, i):
    """The index of the quote that closes the string opened at I."""
    q = src[i]
    j = i + 1
    while src[j] != q:
        j += 2 if src[j] == "\\" else 1
    return j


def _field_end(body, i):
    """Where the expression of an f-string field starting at I ends: at
    `!` (not `!=`), `:`, `=` (not part of `==`, `!=`, `<=`, `>=`) or `}`
    outside brackets and strings."""
    depth = 0
    while True:
        c = body[i]
        if c in "\"'":
            i = _string_end(body, i) + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}" and depth > 0:
            depth -= 1
        elif depth == 0:
            if c == "}" or c == ":":
                return i
            if c == "!" and body[i + 1] != "=":
                return i
            if c == "=" and body[i + 1] != "=" and body[i - 1] not in "=!<>":
                return i
        i += 1


def _fstring(body):
    """An f-string's parts: ("lit", text) and ("field", expression text,
    `=` or "", conversion or None, spec)."""
    parts = []
    lit = []
    i = 0
    while i < len(body):
        c = body[i]
        if c in "{}" and body[i + 1:i + 2] == c:
            lit.append(c)
            i += 2
            continue
        if c != "{":
            lit.append(c)
            i += 1
            continue
        if lit:
            parts.append(("lit", _unescape("".join(lit))))
            lit = []
        j = _field_end(body, i + 1)
        text = body[i + 1:j]
        eq = conv = None
        if body[j] == "=":
            eq = text + "="
            j += 1
        if body[j] == "!":
            conv = body[j + 1]
            j += 2
        spec = ""
        if body[j] == ":":
            k = body.index("}", j)
            spec = _unescape(body[j + 1:k])
            j = k
        parts.append(("field", text, eq, conv, spec))
        i = j + 1
    if lit:
        parts.append(("lit", _unescape("".join(lit))))
    return parts


def tokenize(src):
    toks = []
    i = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c == "#":
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        after_dot = bool(toks) and toks[-1][0] == "." and toks[-1][1] == "."
        if c == "@":
            m = _TS.match(src, i)
            if not m:
                raise ParseError("bad timestamp at %d" % i)
            toks.append(("ts", _ts_micros(m)))
            i = m.end()
            continue
        if c == "r" and i + 1 < n and src[i + 1] in "\"'":
            q = src[i + 1]
            j = src.index(q, i + 2)
            toks.append(("str", src[i + 2:j]))
            i = j + 1
            continue
        if c == "f" and i + 1 < n and src[i + 1] in "\"'":
            j = _string_end(src, i + 1)
            toks.append(("fstr", _fstring(src[i + 2:j])))
            i = j + 1
            continue
        if c in "\"'":
            j = _string_end(src, i)
            toks.append(("str", _unescape(src[i + 1:j])))
            i = j + 1
            continue
        if c.isdigit():
            if after_dot:
                m = _INT.match(src, i)
                toks.append(("int", int(m.group())))
                i = m.end()
                continue
            mf, md, mi = _FLOAT.match(src, i), _DUR.match(src, i), _INT.match(src, i)
            lf = mf.end() if mf else -1
            ld = md.end() if md else -1
            if mf and lf >= ld:
                toks.append(("float", float(mf.group())))
                i = lf
            elif md:
                toks.append(("dur", _dur_micros(md.group())))
                i = ld
            else:
                toks.append(("int", int(mi.group())))
                i = mi.end()
            continue
        m = _ID.match(src, i)
        if m:
            w = m.group()
            toks.append(("kw", w) if w in _KW else ("id", w))
            i = m.end()
            continue
        for p in _PUNCT:
            if src.startswith(p, i):
                toks.append((".", p))
                i += len(p)
                break
        else:
            toks.append((".", c))
            i += 1
    toks.append(("eof", None))
    return toks


# ---------------------------------------------------------------- parser

class Parser:
    def __init__(self, src):
        self.t = tokenize(src)
        self.i = 0

    def peek(self, k=0):
        return self.t[self.i + k]

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def at(self, kind, val=None, k=0):
        tok = self.t[self.i + k]
        return tok[0] == kind and (val is None or tok[1] == val)

    def p(self, val, k=0):
        return self.at(".", val, k)

    def kw(self, val):
        return self.at("kw", val)

    def expect(self, kind, val=None):
        tok = self.next()
        if tok[0] != kind or (val is not None and tok[1] != val):
            raise ParseError("expected %s %s, got %r" % (kind, val, tok))
        return tok[1]

    def items(self, close, one):
        """ONE() for each item of a comma-separated list (a trailing comma
        allowed) up to CLOSE, which is consumed."""
        res = []
        while not self.p(close):
            res.append(one())
            if self.p(","):
                self.next()
        self.expect(".", close)
        return res

    def named(self, value):
        """NAME : VALUE(), as (name, value)."""
        name = self.expect("id")
        self.expect(".", ":")
        return (name, value())

    # program
    def program(self):
        self.expect("kw", "flow")
        name = self.expect("id")
        decls = []
        while not self.at("eof"):
            if self.kw("record"):
                self.next()
                rname = self.expect("id")
                self.expect(".", "{")
                fields = self.items("}", lambda: self.named(self.type_))
                decls.append(("record", rname, fields))
            elif self.kw("const"):
                self.next()
                cname = self.expect("id")
                self.expect(".", "=")
                decls.append(("const", cname, self.expr()))
            elif self.kw("fn"):
                self.next()
                fname = self.expect("id")
                self.expect(".", "(")
                params = self.items(")", lambda: self.named(self.type_))
                self.expect(".", "->")
                self.type_()
                self.expect(".", "=")
                decls.append(("fn", fname, [p[0] for p in params], self.expr()))
            elif self.kw("extern"):
                raise NoTwin("extern fn: a C function")
            else:
                sname = self.expect("id")
                self.expect(".", "=")
                decls.append(("step", sname, self.expr()))
        return name, decls

    def type_(self):
        if self.p("("):
            self.next()
            one = self.type_()
            if self.p(")"):
                self.next()
                t = one
            else:
                self.expect(".", ",")
                t = ("tuple", [one] + self.items(")", self.type_))
        else:
            name = self.expect("id")
            t = ("name", name)
            if self.p("<"):
                self.next()
                t = ("app", name, self.items(">", self.type_))
        while self.p("?"):
            self.next()
            t = ("opt", t)
        return t

    def whole(self):
        """An expression that is all of the text (an f-string's field)."""
        e = self.expr()
        self.expect("eof")
        return e

    def dict_or_set(self):
        """After `{` (no `let`): `{}`, `{k: v, ...}` or `{a, b, ...}`."""
        if self.p("}"):
            self.next()
            return ("dict", [])
        first = self.expr()
        kind, more = "set", self.expr
        if self.p(":"):
            self.next()
            first = (first, self.expr())
            kind, more = "dict", self.dict_entry
        if self.p(","):
            self.next()
            return (kind, [first] + self.items("}", more))
        self.expect(".", "}")
        return (kind, [first])

    def dict_entry(self):
        key = self.expr()
        self.expect(".", ":")
        return (key, self.expr())

    # expressions
    def expr(self):
        if self.p("|"):
            return self.lambda_()
        if self.kw("if"):
            self.next()
            c = self.expr()
            self.expect("kw", "then")
            a = self.expr()
            self.expect("kw", "else")
            b = self.expr()
            return ("if", c, a, b)
        return self.coalesce()

    def lambda_(self):
        self.expect(".", "|")
        params = self.items("|", self.param)
        return ("lam", params, self.expr())

    def param(self):
        pat = self.pattern()
        if self.p(":"):
            self.next()
            self.type_()
        return pat

    def pattern(self):
        if self.p("("):
            self.next()
            ps = self.items(")", self.pattern)
            return ("pt", ps) if len(ps) > 1 else ps[0]
        name = self.expect("id")
        return ("pw",) if name == "_" else ("pn", name)

    def coalesce(self):
        a = self.or_()
        if self.p("??"):
            self.next()
            return ("co", a, self.coalesce())
        return a

    def or_(self):
        a = self.and_()
        while self.kw("or"):
            self.next()
            a = ("bin", "or", a, self.and_())
        return a

    def and_(self):
        a = self.not_()
        while self.kw("and"):
            self.next()
            a = ("bin", "and", a, self.not_())
        return a

    def not_(self):
        if self.kw("not"):
            self.next()
            return ("not", self.not_())
        return self.cmp()

    def cmp(self):
        a = self.add()
        for op in ("==", "!=", "<", "<=", ">", ">="):
            if self.p(op):
                self.next()
                return ("bin", op, a, self.add())
        if self.kw("in"):
            self.next()
            return ("bin", "in", a, self.add())
        if self.kw("not") and self.at("kw", "in", 1):
            self.next()
            self.next()
            return ("bin", "not in", a, self.add())
        return a

    def add(self):
        a = self.mul()
        while self.p("+") or self.p("-"):
            op = self.next()[1]
            a = ("bin", op, a, self.mul())
        return a

    def mul(self):
        a = self.unary()
        while self.p("*") or self.p("/") or self.p("//") or self.p("%"):
            op = self.next()[1]
            a = ("bin", op, a, self.unary())
        return a

    def unary(self):
        if self.p("-"):
            self.next()
            return ("neg", self.unary())
        return self.postfix()

    def _type_args_follow(self):
        """IDENT '<' type '>' '(' : a call with type arguments."""
        if not self.p("<", 1):
            return False
        depth = 0
        k = 1
        while True:
            tok = self.peek(k)
            if tok[0] == "eof":
                return False
            if tok == (".", "<"):
                depth += 1
            elif tok == (".", ">"):
                depth -= 1
                if depth == 0:
                    return self.peek(k + 1) == (".", "(")
            elif not (tok[0] == "id" or tok[1] in (",", "(", ")", "?")):
                return False
            k += 1

    def postfix(self):
        if self.at("id") and self._type_args_follow():
            name = self.next()[1]
            self.expect(".", "<")
            targ = self.type_()
            self.expect(".", ">")
            e = ("id", name)
            self.expect(".", "(")
            return self.postfix_rest(("call", e, self.args(), targ))
        return self.postfix_rest(self.primary())

    def postfix_rest(self, e):
        while True:
            if self.p("("):
                self.next()
                e = ("call", e, self.args(), None)
            elif self.p("."):
                self.next()
                tok = self.next()
                if tok[0] == "int":
                    e = ("tidx", e, tok[1])
                elif tok[0] in ("id", "kw"):
                    e = ("fld", e, tok[1])
                else:
                    raise ParseError("bad field %r" % (tok,))
            elif self.p("["):
                self.next()
                ix = self.expr()
                self.expect(".", "]")
                e = ("idx", e, ix)
            elif self.p("?."):
                self.next()
                e = ("optfld", e, self.expect("id"))
            elif self.kw("with"):
                self.next()
                self.expect(".", "{")
                e = ("with", e, self.field_inits())
            else:
                return e

    def args(self):
        return self.items(")", self.arg)

    def arg(self):
        if self.at("id") and self.p("=", 1):
            name = self.next()[1]
            self.next()
            return (name, self.expr())
        return (None, self.expr())

    def field_inits(self):
        return self.items("}", self.field_init)

    def field_init(self):
        """`name: E`, or `[K]: E` (a dict's key, as ("key", K))."""
        if self.p("["):
            self.next()
            key = self.expr()
            self.expect(".", "]")
            self.expect(".", ":")
            return (("key", key), self.expr())
        return self.named(self.expr)

    def primary(self):
        tok = self.next()
        kind, val = tok
        if kind in ("int", "float", "str", "dur", "ts"):
            return (kind, val)
        if kind == "fstr":
            return ("fstr", [p if p[0] == "lit" else p[:1] + (Parser(p[1]).whole(),) + p[2:]
                             for p in val])
        if kind == "kw":
            if val == "true":
                return ("bool", True)
            if val == "false":
                return ("bool", False)
            if val == "none":
                return ("none",)
            if val == "extern":
                raise NoTwin("an extern source or sink (a C host)")
        if kind == "id":
            if self.p("{"):
                self.next()
                return ("rec", val, self.field_inits())
            return ("id", val)
        if tok == (".", "("):
            e = self.expr()
            if self.p(","):
                items = [e]
                while self.p(","):
                    self.next()
                    if self.p(")"):
                        break
                    items.append(self.expr())
                self.expect(".", ")")
                return ("tuple", items)
            self.expect(".", ")")
            return e
        if tok == (".", "["):
            return ("list", self.items("]", self.expr))
        if tok == (".", "{") and not self.kw("let"):
            return self.dict_or_set()
        if tok == (".", "{"):
            lets = []
            while self.kw("let"):
                self.next()
                pat = self.pattern()
                self.expect(".", "=")
                lets.append((pat, self.expr()))
                self.expect(".", ";")
            body = self.expr()
            self.expect(".", "}")
            return ("block", lets, body)
        raise ParseError("unexpected %r" % (tok,))


# ---------------------------------------------------------------- emitter

PY_RESERVED = {
    "False", "None", "True", "and", "as", "assert", "async", "await", "break",
    "class", "continue", "def", "del", "elif", "else", "except", "finally",
    "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    # names the twin itself uses
    "op", "win", "fp", "flow", "datetime", "timedelta", "timezone",
    "Dataflow", "TestingSource", "StdOutSink", "FileSource", "run_main",
    "sys", "os", "RUN", "Path", "DirSource", "CSVSource",
}

BUILTINS = {"str", "int", "float", "len", "abs", "min", "max", "floor", "ceil", "round",
            "sqrt", "lower", "upper", "trim", "split", "starts_with", "ends_with",
            "contains", "replace", "substr", "findall", "sum", "range", "timestamp",
            "format", "join", "strip", "lstrip", "rstrip", "zfill", "get", "keys", "values",
            "items", "remove", "add", "set", "dict", "sorted", "bool", "json", "parse_json", "dumps"}

META_FIELDS = {"open_time", "close_time", "merged_ids"}


def pyname(name):
    return name + "_" if name in PY_RESERVED else name


def py_dur(us):
    if us % 1000000 == 0:
        return "timedelta(seconds=%d)" % (us // 1000000)
    if us % 1000 == 0:
        return "timedelta(milliseconds=%d)" % (us // 1000)
    return "timedelta(microseconds=%d)" % us


def py_ts(dt):
    parts = [dt.year, dt.month, dt.day, dt.hour, dt.minute]
    if dt.second or dt.microsecond:
        parts.append(dt.second)
    if dt.microsecond:
        parts.append(dt.microsecond)
    return "datetime(%s, tzinfo=timezone.utc)" % ", ".join(str(p) for p in parts)


def py_float(v):
    if v != v:
        return 'float("nan")'
    if v in (float("inf"), float("-inf")):
        return 'float("%s")' % ("inf" if v > 0 else "-inf")
    return repr(v)


class Emitter:
    def __init__(self, name, decls, args):
        self.name = name
        self.decls = decls
        self.records = {d[1]: [f for f, _ in d[2]] for d in decls if d[0] == "record"}
        self.fns = {d[1] for d in decls if d[0] == "fn"}
        self.consts = {d[1] for d in decls if d[0] == "const"}
        self.steps = {d[1]: d[2] for d in decls if d[0] == "step"}
        self.types = {d[1]: d[2] for d in decls if d[0] == "record"}
        self.pre = []          # lines a step needs before it (with_meta)
        self.with_metas = set()
        self.args = args
        self.tmp = 0
        self.n_inputs = 0

    def fresh(self):
        self.tmp += 1
        return "_p%d" % self.tmp

    # -- expressions; `env` is the set of local (lambda, let) names
    def ex(self, e, env):
        k = e[0]
        if k == "int":
            return str(e[1])
        if k == "float":
            return py_float(e[1])
        if k == "str":
            return repr(e[1])
        if k == "dur":
            return py_dur(e[1])
        if k == "ts":
            return py_ts(e[1])
        if k == "bool":
            return "True" if e[1] else "False"
        if k == "none":
            return "None"
        if k == "id":
            n = e[1]
            if n in env or n in self.consts or n in self.fns:
                return pyname(n)
            if n in BUILTINS:
                return "fp.b_" + n
            if n == "now":
                return "fp.now"
            if n in ("EOF", "ABORT"):   # testing(LIST)'s markers
                return "TestingSource.%s()" % n
            return pyname(n)
        if k == "neg":
            inner = e[1]
            if inner[0] in ("int", "float"):
                return "-" + self.ex(inner, env)
            if inner[0] == "dur":
                return "-" + self.ex(inner, env)
            return "fp.neg(%s)" % self.ex(inner, env)
        if k == "not":
            return "(not %s)" % self.ex(e[1], env)
        if k == "bin":
            op, a, b = e[1], self.ex(e[2], env), self.ex(e[3], env)
            if op in ("and", "or", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "/"):
                return "(%s %s %s)" % (a, op, b)
            if op == "%":
                return "(%s %% %s)" % (a, b)
            plain = {e[2][0], e[3][0]} & {"float", "str", "list", "dur", "ts"}
            if plain and op != "//":
                return "(%s %s %s)" % (a, op, b)
            fn = {"+": "add", "-": "sub", "*": "mul", "//": "floordiv"}[op]
            return "fp.%s(%s, %s)" % (fn, a, b)
        if k == "if":
            return "(%s if %s else %s)" % (self.ex(e[2], env), self.ex(e[1], env), self.ex(e[3], env))
        if k == "co":
            return "fp.coalesce(%s, lambda: %s)" % (self.ex(e[1], env), self.ex(e[2], env))
        if k == "fld":
            if e[2] in META_FIELDS:
                return "fp.fld(%s, %r)" % (self.ex(e[1], env), e[2])
            return "%s[%r]" % (self.ex(e[1], env), e[2])
        if k == "optfld":
            return "fp.optfld(%s, %r)" % (self.ex(e[1], env), e[2])
        if k == "tidx":
            return "%s[%d]" % (self.ex(e[1], env), e[2])
        if k == "idx":
            return "%s[%s]" % (self.ex(e[1], env), self.ex(e[2], env))
        if k == "with":
            fs = ", ".join("%s: %s" % (self.ex(f[1], env) if isinstance(f, tuple) else repr(f),
                                       self.ex(v, env)) for f, v in e[2])
            return "{**%s, %s}" % (self.ex(e[1], env), fs)
        if k == "rec":
            order = self.records.get(e[1])
            if order is None:
                raise ParseError("unknown record %s" % e[1])
            vals = dict(e[2])
            return "{%s}" % ", ".join("%r: %s" % (f, self.ex(vals[f], env)) for f in order)
        if k == "tuple":
            return "(%s%s)" % (", ".join(self.ex(x, env) for x in e[1]), "," if len(e[1]) == 1 else "")
        if k == "dict":
            return "{%s}" % ", ".join("%s: %s" % (self.ex(a, env), self.ex(b, env)) for a, b in e[1])
        if k == "set":
            return "{%s}" % ", ".join(self.ex(x, env) for x in e[1])
        if k == "fstr":
            return self.fstr(e[1], env)
        if k == "list":
            return "[%s]" % ", ".join(self.ex(x, env) for x in e[1])
        if k == "call":
            f = e[1]
            args = [self.ex(a, env) for _, a in e[2]]
            if f[0] == "fld" and f[2] in ("get", "keys", "values", "items"):
                # a json value's (or enrich_cached's cache's) method: dict's own
                obj = self.ex(f[1], env)
                if f[2] == "get":
                    return "%s.get(%s)" % (obj, ", ".join(args))
                return "fp.b_%s(%s)" % (f[2], obj)
            if f[0] == "id" and f[1] not in env and f[1] not in self.fns:
                if f[1] == "now":
                    return "fp.now()"
                if f[1] in BUILTINS:
                    return "fp.b_%s(%s)" % (f[1], ", ".join(args))
            return "%s(%s)" % (self.ex(f, env), ", ".join(args))
        if k == "lam":
            return self.lam(e[1], e[2], env)
        if k == "block":
            return self.block(e[1], e[2], env)
        raise ParseError("cannot translate %r" % (k,))

    def fstr(self, parts, env):
        """An f-string as the concatenation of its parts: a field is
        format(VALUE, SPEC), its `!r`/`!s` applied first; `{x=}` is the
        text `x=` and, without a conversion or a spec, repr, as Python's."""
        out = []
        for part in parts:
            if part[0] == "lit":
                out.append(repr(part[1]))
                continue
            _, e, eq, conv, spec = part
            v = self.ex(e, env)
            if eq is not None:
                out.append(repr(eq))
                if conv is None and not spec:
                    conv = "r"
            if conv is not None:
                v = "%s(%s)" % ({"r": "repr", "s": "str", "a": "ascii"}[conv], v)
            out.append("format(%s, %r)" % (v, spec))
        return "(%s)" % " + ".join(out or ["''"])

    def _bind(self, pat, value_src, body_fn, env):
        """(lambda NAMES: BODY)(VALUE) for a pattern."""
        names, inner = self._flatten(pat)
        env2 = env | {n for n in self._names(pat)}
        body = body_fn(env2)
        for pname, sub in reversed(inner):
            body = self._unpack(pname, sub, body)
        return "(lambda %s: %s)(%s)" % (names, body, value_src)

    def _names(self, pat):
        if pat[0] == "pn":
            return [pat[1]]
        if pat[0] == "pt":
            return [n for p in pat[1] for n in self._names(p)]
        return []

    def _flatten(self, pat):
        """A parameter name for PAT and the nested unpackings it needs."""
        if pat[0] == "pn":
            return pyname(pat[1]), []
        if pat[0] == "pw":
            return self.fresh(), []
        tmp = self.fresh()
        return tmp, [(tmp, pat)]

    def _unpack(self, tmp, pat, body):
        params, inner = [], []
        for sub in pat[1]:
            n, more = self._flatten(sub)
            params.append(n)
            inner += more
        for pname, sub in reversed(inner):
            body = self._unpack(pname, sub, body)
        return "(lambda %s: %s)(*%s)" % (", ".join(params), body, tmp)

    def lam(self, params, body, env):
        names, inner = [], []
        env2 = set(env)
        for p in params:
            n, more = self._flatten(p)
            names.append(n)
            inner += more
            env2 |= set(self._names(p))
        src = self.ex(body, env2)
        for pname, sub in reversed(inner):
            src = self._unpack(pname, sub, src)
        return "(lambda %s: %s)" % (", ".join(names), src)

    def block(self, lets, body, env):
        if not lets:
            return self.ex(body, env)
        (pat, val), rest = lets[0], lets[1:]
        value_src = self.ex(val, env)
        if pat[0] == "pt":
            names, inner = self._flatten(pat)
            env2 = env | set(self._names(pat))
            inner_src = self.block(rest, body, env2)
            return "(lambda %s: %s)(%s)" % (names, self._unpack(names, pat, inner_src), value_src)
        n, _ = self._flatten(pat)
        env2 = env | set(self._names(pat))
        return "(lambda %s: %s)(%s)" % (n, self.block(rest, body, env2), value_src)

    # -- steps
    def stream(self, e):
        if e[0] == "id":
            return pyname(e[1])
        if e[0] == "fld" and e[1][0] == "id":
            if e[2] == "with_meta":
                return self.with_meta(e[1][1])
            return "%s.%s" % (pyname(e[1][1]), e[2])
        raise ParseError("not a stream: %r" % (e,))

    def with_meta(self, w):
        """`W.with_meta` (Bytewax 0.17's output, not in 0.21): W's `down`
        with each window id replaced by its metadata, which a tumbling or
        sliding window's id gives; written once, before the step."""
        name = "%s_with_meta" % pyname(w)
        if w in self.with_metas:
            return name
        wop = self.steps.get(w)
        if wop is None or wop[0] != "call" or wop[1][1] in ("join_window", "window"):
            raise NoTwin("W.with_meta of %s: only of the one-stream window operators" % w)
        wdw = self.steps.get([a for n, a in wop[2] if n is None][2][1])
        named = {n: a for n, a in wdw[2] if n is not None}
        if wdw[1][1] not in ("tumbling", "sliding"):
            raise NoTwin("W.with_meta of a %s window: no window id gives its metadata" % wdw[1][1])
        length = self.ex(named["length"], set())
        offset = self.ex(named["offset"], set()) if "offset" in named else length
        self.pre.append('%s = fp.with_meta("%s_with_meta", %s.down, %s, %s, %s)' % (
            name, w, pyname(w), length, offset, self.ex(named["align_to"], set())))
        self.with_metas.add(w)
        return name

    def fnarg(self, e):
        return self.ex(e, set())

    def step(self, sid, e):
        if e[0] != "call" or e[1][0] != "id":
            raise ParseError("step %s is not an operator call" % sid)
        opname = e[1][1]
        pos = [a for n, a in e[2] if n is None]
        named = {n: a for n, a in e[2] if n is not None}
        q = '"%s"' % sid
        S, F = self.stream, self.fnarg

        def opt(name):
            return self.ex(named[name], set())

        simple = {"map", "filter", "filter_map", "flat_map", "key_on", "map_value",
                  "filter_value", "filter_map_value", "flat_map_value", "branch", "flat_map_batch"}
        if opname == "input":
            return self.source(sid, pos[0])
        if opname == "output":
            sink = pos[1]
            if sink == ("id", "stdout"):
                return 'op.output(%s, %s, StdOutSink())' % (q, S(pos[0]))
            if sink[0] == "call" and sink[1] == ("id", "stdout"):
                return 'op.output(%s, %s, %s)' % (q, S(pos[0]), self.format_sink(sink, pos[0]))
            raise NoTwin("sink %s: only the stdout sink is compared" % (sink,))
        if opname in simple:
            return "op.%s(%s, %s, %s)" % (opname, q, S(pos[0]), F(pos[1]))
        if opname == "enrich_cached":   # Bytewax's TTLCache: the mapper's cache.get(k)
            ttl = ", ttl=%s" % opt("ttl") if "ttl" in named else ""
            # the mapper's cache.get(k) is a method of the cache, not a record field
            mapper = re.sub(r"(\w+)\['get'\]\(", r"\1.get(", F(pos[2]))
            return "op.enrich_cached(%s, %s, %s, %s%s)" % (q, S(pos[0]), F(pos[1]), mapper, ttl)
        if opname in ("flatten", "key_rm", "redistribute", "inspect", "inspect_debug", "raises"):
            return "op.%s(%s, %s)" % (opname, q, S(pos[0]))
        if opname == "merge":
            return "op.merge(%s, %s)" % (q, ", ".join(S(p) for p in pos))
        if opname in ("stateful_map", "stateful_flat_map"):
            init = opt("init")
            return ("op.%s(%s, %s, lambda state, v: %s(%s if state is None else state, v))"
                    % (opname, q, S(pos[0]), F(pos[1]), init))
        if opname in ("stateful", "stateful_batch"):
            cbs = ", ".join("%s=%s" % ("on_item" if n == "on_batch" else n, F(named[n]))
                            for n in ("on_item", "on_batch", "on_notify", "on_eof", "notify_at") if n in named)
            return ("op.%s(%s, %s, lambda _resume: fp.%s(%s, %s))"
                    % (opname, q, S(pos[0]), "Logic" if opname == "stateful" else "BatchLogic", opt("init"), cbs))
        if opname in ("collect", "batch"):
            size = named.get("max_size", named.get("batch_size"))
            return ("op.collect(%s, %s, timeout=%s, max_size=%s)"
                    % (q, S(pos[0]), opt("timeout"), self.ex(size, set())))
        if opname == "reduce_final":
            return "op.reduce_final(%s, %s, %s)" % (q, S(pos[0]), F(pos[1]))
        if opname == "fold_final":
            return "op.fold_final(%s, %s, lambda: %s, %s)" % (q, S(pos[0]), opt("init"), F(pos[1]))
        if opname == "count_final":
            return "op.count_final(%s, %s, %s)" % (q, S(pos[0]), F(pos[1]))
        if opname in ("max_final", "min_final"):
            by = ", by=%s" % F(named["by"]) if "by" in named else ""
            return "op.%s(%s, %s%s)" % (opname, q, S(pos[0]), by)
        if opname == "join":
            modes = "".join(", %s=%s" % (m, opt(m)) for m in ("insert_mode", "emit_mode") if m in named)
            return "op.join(%s, %s%s)" % (q, ", ".join(S(p) for p in pos), modes)
        if opname == "event_clock":
            wait = opt("wait_for_system_duration") if "wait_for_system_duration" in named else "timedelta(0)"
            return "win.EventClock(%s, wait_for_system_duration=%s, now_getter=fp.now)" % (F(pos[0]), wait)
        if opname == "system_clock":
            return "win.SystemClock()"
        if opname == "tumbling":
            return "win.TumblingWindower(length=%s, align_to=%s)" % (opt("length"), opt("align_to"))
        if opname == "sliding":
            return ("win.SlidingWindower(length=%s, offset=%s, align_to=%s)"
                    % (opt("length"), opt("offset"), opt("align_to")))
        if opname == "session":
            return "win.SessionWindower(gap=%s)" % opt("gap")
        if opname == "window":   # a WindowLogic of callbacks (flowpy.WinLogic), a new one per window
            up, clock, windower = S(pos[0]), pyname(pos[1][1]), pyname(pos[2][1])
            cbs = "".join(", %s=%s" % (n, F(named[n])) for n in ("on_value", "on_merge", "on_close") if n in named)
            return ("win.window(%s, %s, %s, %s, lambda _resume: fp.WinLogic(%s%s))"
                    % (q, up, clock, windower, opt("init"), cbs))
        if opname in ("collect_window", "reduce_window", "count_window", "max_window",
                      "min_window", "fold_window"):
            up, clock, windower = S(pos[0]), pyname(pos[1][1]), pyname(pos[2][1])
            head = "win.%s(%s, %s, %s, %s" % (opname, q, up, clock, windower)
            if opname == "collect_window":   # into = "list" | "set" | "dict": the Python type
                return head + (", into=%s)" % opt("into").strip("\"'") if "into" in named else ")")
            if opname in ("reduce_window", "count_window"):
                return head + ", %s)" % F(pos[3])
            if opname in ("max_window", "min_window"):
                return head + (", by=%s)" % F(named["by"]) if "by" in named else ")")
            merge = F(named["merge"]) if "merge" in named else "fp.no_merge"
            return head + ", lambda: %s, %s, %s)" % (opt("init"), F(pos[3]), merge)
        if opname == "join_window":
            clock, windower = pyname(pos[0][1]), pyname(pos[1][1])
            modes = "".join(", %s=%s" % (m, opt(m)) for m in ("insert_mode", "emit_mode") if m in named)
            return "win.join_window(%s, %s, %s, %s%s)" % (
                q, clock, windower, ", ".join(S(p) for p in pos[2:]), modes)
        raise NoTwin("operator %s" % opname)

    def format_sink(self, sink, stream):
        """`stdout(format = F)`: flowpy.FormatSink; csv needs the stream's
        record type (its header and cells), found by record_of."""
        fmt = dict((n, a) for n, a in sink[2]).get("format", ("str", "repr"))[1]
        if fmt == "repr":
            return "StdOutSink()"
        if fmt == "json":
            return "fp.FormatSink(fp.to_json)"
        rec = self.record_of(stream)
        if fmt != "csv" or rec is None:
            raise NoTwin("stdout(format = %r) of a stream whose record type the twin cannot tell" % fmt)
        cols = self.columns(("name", rec), ())
        return "fp.FormatSink(fp.to_csv(%r), header=%r)" % (
            cols, ",".join(".".join(str(k) for k in path) for path, _ in cols))

    def columns(self, t, path):
        """The csv columns of type T: [(path, type)], records and tuples
        flattened (docs/io.md, "Formats")."""
        if t[0] == "name" and t[1] in self.types:
            return [c for f, ft in self.types[t[1]] for c in self.columns(ft, path + (f,))]
        if t[0] == "tuple":
            return [c for i, it in enumerate(t[1]) for c in self.columns(it, path + (i,))]
        return [(path, t)]

    def record_of(self, stream):
        """The record type of a stream's items, when a step that made it
        says so (a map to a record literal, a typed input), through the
        steps that keep items as they are; else None."""
        if stream[0] == "fld" and stream[2] in ("trues", "falses"):
            stream = stream[1]
        if stream[0] != "id" or stream[1] not in self.steps:
            return None
        e = self.steps[stream[1]]
        if e[0] != "call":
            return None
        opname = e[1][1]
        pos = [a for n, a in e[2] if n is None]
        if opname in ("filter", "inspect", "inspect_debug", "redistribute", "merge", "branch"):
            return self.record_of(pos[0])
        if opname == "map" and pos[1][0] == "lam":
            body = pos[1][2]
            while body[0] == "block":
                body = body[2]
            return body[1] if body[0] == "rec" else None
        if opname == "input":
            schema = dict((n, a) for n, a in pos[0][2]).get("schema")
            return schema[1] if schema else None
        return None

    def typed_file(self, sid, kind, path, named):
        """A `file` input of csv or jsonl records: Bytewax's source and a
        map (a filter_map for jsonl: blank lines are skipped) building the
        record, step id SID_record."""
        if named.keys() - {"format", "schema", "batch_size"}:
            raise NoTwin("file input options %s" % sorted(named))
        fields = self.types.get(named["schema"][1])
        for _f, t in fields:
            inner = t[1] if t[0] == "opt" else t
            if inner[0] != "name" or inner[1] not in ("int", "float", "bool", "string", "timestamp", "duration"):
                raise NoTwin("a %s field of type %r (only scalars have a twin)" % (kind, t))
        fs = "[%s]" % ", ".join("(%r, %r)" % (f, t) for f, t in fields)
        q = '"%s"' % sid
        if kind == "csv":
            src = "op.input(%s, flow, CSVSource(Path(%s)%s))" % (q, path, self.batch_opt(named))
            return 'op.map("%s_record", %s, fp.csv_record(%s))' % (sid, src, fs)
        src = "op.input(%s, flow, FileSource(%s%s))" % (q, path, self.batch_opt(named))
        return 'op.filter_map("%s_record", %s, fp.jsonl_record(%s))' % (sid, src, fs)

    def batch_opt(self, named):
        """`, batch_size=N` of a source's batch_size option, or ""."""
        return ", batch_size=%s" % self.ex(named["batch_size"], set()) if "batch_size" in named else ""

    def source(self, sid, e):
        if e[0] != "call" or e[1][0] != "id":
            raise NoTwin("source %r" % (e,))
        kind = e[1][1]
        pos = [a for n, a in e[2] if n is None]
        named = {n: a for n, a in e[2] if n is not None}
        q = '"%s"' % sid
        idx = self.n_inputs
        self.n_inputs += 1
        if kind == "testing":
            items = pos[0]
            if items[0] == "call" and items[1] == ("id", "range"):
                src = "range(%s)" % self.ex(items[2][0][1], set())
            else:
                src = self.ex(items, set())
            bs = self.batch_opt(named)
            if self.args.get("clock_step"):
                return "op.input(%s, flow, fp.ClockedSource(%s%s, index=%d))" % (q, src, bs, idx)
            return "op.input(%s, flow, TestingSource(%s%s))" % (q, src, bs)
        if kind == "file" and (("format" not in named) or named["format"] == ("str", "lines")):
            # split = "bytes" changes only how -w N workers divide the file;
            # FileSource is one partition, read by one worker, as -w 1 reads
            if named.keys() - {"format", "batch_size", "split"}:
                raise NoTwin("file input options %s" % sorted(named))
            return "op.input(%s, flow, FileSource(%s%s))" % (q, self.ex(pos[0], set()), self.batch_opt(named))
        if kind == "file" and named.get("format") == ("str", "jsonl") and \
                named.get("schema", ("id", "json")) == ("id", "json") and not named.keys() - {"format", "schema", "batch_size"}:
            # json values: the lines json.loads'd, blank ones skipped (a flat_map keeps a `null` line)
            return 'op.flat_map("%s_json", op.input(%s, flow, FileSource(%s%s)), fp.json_line)' % (
                sid, q, self.ex(pos[0], set()), self.batch_opt(named))
        if kind == "file" and named.get("format") in (("str", "csv"), ("str", "jsonl")) and "schema" in named:
            return self.typed_file(sid, named["format"][1], self.ex(pos[0], set()), named)
        if kind == "dir" and named.get("format", ("str", "lines")) == ("str", "lines") \
                and not named.keys() - {"format", "glob", "batch_size"}:
            glob = ", glob_pat=%s" % self.ex(named["glob"], set()) if "glob" in named else ""
            return "op.input(%s, flow, DirSource(Path(%s)%s%s))" % (q, self.ex(pos[0], set()), glob,
                                                                    self.batch_opt(named))
        raise NoTwin("source %s with these options (a Bytewax CSVSource or JSON source gives "
                     "dicts of strings, not typed records)" % kind)

    def emit(self, header=""):
        out = []
        w = out.append
        if header:
            w(header.rstrip("\n"))
        w("import os")
        w("import sys")
        w("from datetime import datetime, timedelta, timezone")
        w("from pathlib import Path")
        w("")
        w("import bytewax.operators as op")
        w("import bytewax.operators.windowing as win")
        w("from bytewax.connectors.files import DirSource, FileSource")
        w("from bytewax.connectors.stdio import StdOutSink")
        w("from bytewax.dataflow import Dataflow")
        w("from bytewax.testing import TestingSource, run_main")
        w("")
        w("sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), %r))"
          % self.args.get("helpers", "."))
        w("import flowpy as fp  # noqa: E402")
        w("")
        run = {}
        if self.args.get("epoch") is not None:
            run["epoch_interval"] = "timedelta(seconds=%d)" % self.args["epoch"]
        w("RUN = {%s}" % ", ".join("%r: %s" % kv for kv in run.items()))
        if self.args.get("clock") is not None:
            w("fp.CLOCK.pin(%s, %s)" % (py_ts(self.args["clock"]),
                                        py_dur(self.args.get("clock_step") or 0)))
        w("")
        for d in self.decls:
            if d[0] == "record":
                w("# record %s: a dict with the fields %s" % (d[1], ", ".join(f for f, _ in d[2])))
            elif d[0] == "const":
                w("%s = %s" % (pyname(d[1]), self.ex(d[2], set())))
            elif d[0] == "fn":
                w("")
                w("def %s(%s):" % (pyname(d[1]), ", ".join(pyname(p) for p in d[2])))
                w("    return %s" % self.ex(d[3], set(d[2])))
                w("")
        w("")
        w('flow = Dataflow("%s")' % self.name)
        for d in self.decls:
            if d[0] == "step":
                line = "%s = %s" % (pyname(d[1]), self.step(d[1], d[2]))
                out.extend(self.pre)
                self.pre = []
                w(line)
        w("")
        w('if __name__ == "__main__":')
        w("    run_main(flow, **RUN)")
        if any("CSVSource(" in line for line in out):
            out[out.index("from bytewax.connectors.files import DirSource, FileSource")] = \
                "from bytewax.connectors.files import CSVSource, DirSource, FileSource"
        return "\n".join(out) + "\n"


def parse_args(argv):
    """The program arguments of a test (.args) that matter to its twin."""
    res = {"epoch": None, "clock": None, "clock_step": None}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-s", "--snapshot-interval"):
            res["epoch"] = int(argv[i + 1])
            i += 2
        elif a == "--clock":
            m = _TS.match("@" + argv[i + 1])
            if not m:
                raise NoTwin("--clock %s" % argv[i + 1])
            res["clock"] = _ts_micros(m)
            i += 2
        elif a == "--clock-step":
            res["clock_step"] = _dur_micros(argv[i + 1])
            i += 2
        else:
            raise NoTwin("program argument %s" % a)
    return res


def translate(src, argv=(), helpers=".", header=""):
    name, decls = Parser(src).program()
    args = parse_args(list(argv))
    args["helpers"] = helpers
    return Emitter(name, decls, args).emit(header)


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("flow")
    ap.add_argument("--args", default="")
    ap.add_argument("-o", dest="out")
    ap.add_argument("--helpers", default=None,
                    help="flowpy.py's folder, relative to the output (default: found)")
    ns = ap.parse_args()
    import os
    src = open(ns.flow, encoding="utf-8").read()
    out_dir = os.path.dirname(os.path.abspath(ns.out or ns.flow))
    helpers = ns.helpers or os.path.relpath(os.path.dirname(os.path.abspath(__file__)), out_dir)
    try:
        py = translate(src, ns.args.split(), helpers)
    except NoTwin as e:
        print("flow2py: %s: no Bytewax twin: %s" % (ns.flow, e), file=sys.stderr)
        return 3
    if ns.out:
        with open(ns.out, "w", encoding="utf-8") as f:
            f.write(py)
    else:
        sys.stdout.write(py)
    return 0


if __name__ == "__main__":
    sys.exit(main())
