#!/usr/bin/env python3
"""gen - random, well-typed .flow dataflows for the differential harness.

    gen.py SEED [SEED...] -o DIR     writes DIR/p<SEED>.flow and .args

Each program is made from one seed alone (random.Random(seed)), so a
failing seed is reproduced by its number. Its Bytewax twin is written
from the .flow by flow2py.py (an independent parser), so a program is
written twice: as .flow and as the Bytewax Python dataflow.

What is generated (README.md here says why the rest is left out):
- 1-3 `testing` inputs of one item type, batch sizes 1-4, merged;
  item types of every printable kind: int (near the 64-bit edges too),
  float (-0.0, inf, nan, 1e16, subnormals), bool, strings (quotes, non-
  ASCII, control and non-printable characters), timestamps, durations,
  tuples, lists, records (printed as dicts), optionals, dicts, sets of
  ints, durations, bools and (int, int) (no strings: CPython seeds their
  hash per process, so their sets' order changes at each run);
- stateless chains (map, filter, filter_map, flat_map, flatten, inspect,
  branch, key_on, key_rm, *_value, redistribute, enrich_cached with a pure
  getter, so that its ttl is invisible) with random typed
  expressions over the built-ins (/ and //, in, dict and set operations,
  format() and f-strings too), some of which raise on bad values
  (division by zero, int() of bad text, list index, absent dict key,
  math domain, overflow);
- every keyed stateful operator: stateful_map, stateful_flat_map, collect
  (max_size; a timeout too long to fire), reduce/fold/count/max/min_final,
  stateful (on_item, on_eof, notify_at in the past or never, on_notify),
  join in every insert and emit mode;
- windows: event clocks (waits 0, positive, negative, 4000000d) with the
  system clock pinned after the events, stepping or not, and system
  clocks on a pinned clock; tumbling, sliding and session windowers;
  collect/fold/reduce/count/max/min/join_window and the generic window
  operator (a WindowLogic of callbacks) with .down, .late, .meta;
  collect_window into a list, a set (of (int, int): no session windower,
  whose set.union order is a documented difference) or a dict, their
  values carrying an int time (the clock `BASE + 1s * x.0`) so that no
  timestamp seeds a set's order or keys a dict.
- json values (the `json` type, json.loads's values in the twin):
  parse_json of random JSON text (duplicate keys, NaN-free, ints within
  64 bits), json(x), get/j.get, and, as risky nodes, j[k], j[i],
  int(j), len(j), `k in j`; str(j), bool(j), == of json values.
"""

import json
import os
import random
import sys

I64_MAX = (1 << 63) - 1
I64_MIN = -(1 << 63)

# ------------------------------------------------------------------ types
INT, FLOAT, BOOL, STR, TS, DUR = ("int",), ("float",), ("bool",), ("string",), ("timestamp",), ("duration",)
JSON = ("json",)
# object keys of generated JSON and of the lookups in it
JSON_KEYS = ["a", "b", "n", "user", "tags", "", "é", "it's", "0"]
SCALARS = [INT, FLOAT, BOOL, STR, TS, DUR]


def List(t):
    return ("list", t)


def Tup(*ts):
    return ("tuple",) + tuple(ts)


def Opt(t):
    return ("opt", t)


def Dict(k, v):
    return ("dict", k, v)


def Set(t):
    return ("set", t)


# dict keys: hashable; no floats (a NaN key is found by identity in Python)
DICT_KEYS = [INT, STR, BOOL, DUR]
# set elements: those whose hash is CPython's in flowc too (strings and
# timestamps are seeded per process: docs/language.md, "Dicts and sets")
SET_ELEMS = [INT, INT, DUR, BOOL, ("tuple", INT, INT)]


def tname(t, recs):
    k = t[0]
    if k == "list":
        return "list<%s>" % tname(t[1], recs)
    if k == "tuple":
        return "(%s)" % ", ".join(tname(x, recs) for x in t[1:])
    if k == "opt":
        inner = tname(t[1], recs)
        return inner + "?"
    if k == "dict":
        return "dict<%s, %s>" % (tname(t[1], recs), tname(t[2], recs))
    if k == "set":
        return "set<%s>" % tname(t[1], recs)
    if k == "rec":
        return t[1]
    return k


STRINGS = ["", "a", "b", "abc", "it's", 'say "hi"', "both ' and \"", "café", "ключ",
           "😀", "\n", "tab\there", "\r\n", "\x00", "\x01\x7f", "\x85", "\xa0", "\u200b",
           "\u2028", "ß", "İ", "ΣΑΣ", "ǅ", "  padded  ", "A,B", "10", " -3 ", "+17", "1_000",
           "1e3", "inf", "nan", "-0.0", "abc def  ghi", "2022-01-01T00:00:00Z",
           "2023-06-30 12:34:56.5", "e\u0301", "\\", "'", '"', "x" * 40, "Ünïcödé", "日本語",
           "\U0001d11e", "\x1b[0m", "\ufeff", "a\u0300b", "0", "-9223372036854775808",
           "9223372036854775808", "12", "3.25", "  7  ", "\u00b2", "٣"]

FLOATS = [0.0, -0.0, 0.1, 1.5, 2.5, -2.5, 0.5, 3.0, -7.25, 1e16, 1e-5, 1e-4, 123456789.125,
          1e22, 5e-324, 1.7976931348623157e308, float("inf"), float("-inf"), float("nan"),
          0.30000000000000004, 100.0, 9007199254740993.0, -1e-300, 2.675, 1e15, 1.0 / 3]

INTS = [0, 1, -1, 2, 3, 7, -7, 10, 42, 100, -100, I64_MAX, I64_MIN, I64_MAX - 1, I64_MIN + 1,
        1 << 62, -(1 << 62), (1 << 53) + 1, 4294967296, 2147483647, -2147483648, 86400]

EPOCH_US = 1640995200 * 1000000  # 2022-01-01T00:00:00Z
MARK = "@MARK@"   # where a testing list may get an EOF or ABORT marker


def fmt_ts(us):
    from datetime import datetime, timedelta, timezone
    d = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us)
    s = "%04d-%02d-%02dT%02d:%02d:%02d" % (d.year, d.month, d.day, d.hour, d.minute, d.second)
    if d.microsecond:
        s += ".%06d" % d.microsecond
    return "@" + s + "Z"


def fmt_dur(us):
    if us < 0:
        return "-" + fmt_dur(-us)
    for unit, n in (("d", 86400000000), ("h", 3600000000), ("m", 60000000), ("s", 1000000), ("ms", 1000)):
        if us % n == 0 and us:
            return "%d%s" % (us // n, unit)
    return "%dus" % us


def fmt_float(v):
    if v != v:
        return 'float("nan")'
    if v == float("inf"):
        return 'float("inf")'
    if v == float("-inf"):
        return '-float("inf")'
    if v < 0 or (v == 0 and str(v).startswith("-")):
        return "-" + fmt_float(-v)
    r = repr(v)
    if "e" in r and "." not in r.split("e")[0]:
        return r  # 1e+16: digits, exponent
    return r


def fmt_str(s, rng):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7f:
            out.append("\\x%02x" % o)
        elif o > 0x7f and rng.random() < 0.3:
            out.append("\\u{%x}" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed
        self.records = {}     # name -> [(field, type)]
        self.lines = []
        self.n = 0
        self.args = []
        self.outputs = 0
        self.consts = []      # [(name, type)]: leaves of every expression
        self.fns = []         # [(name, param type, result type)]
        self.decls = []       # const and fn lines
        self.clock_pinned = False

    # ---------------------------------------------------------- helpers
    def r(self):
        return self.rng.random()

    def pick(self, xs):
        return self.rng.choice(xs)

    def name(self, base):
        self.n += 1
        return "%s%d" % (base, self.n)

    def step(self, base, text):
        n = self.name(base)
        self.lines.append("%s = %s" % (n, text))
        return n

    def out(self, stream):
        self.outputs += 1
        self.step("out", "output(%s, stdout)" % stream)

    def T(self, t):
        return tname(t, self.records)

    # ---------------------------------------------------------- types and values
    def rand_type(self, depth=0):
        x = self.r()
        if depth >= 2 or x < 0.55:
            return self.pick(SCALARS)
        if x < 0.66:
            return List(self.rand_type(depth + 1))
        if x < 0.77:
            return Tup(*[self.rand_type(depth + 1) for _ in range(self.rng.randint(2, 3))])
        if x < 0.86:
            inner = self.pick(SCALARS) if self.r() < 0.7 else self.rand_type(depth + 1)
            # no T?? : Python has one None, so Bytewax cannot tell
            # none from a present none
            return inner if inner[0] == "opt" else Opt(inner)
        if x < 0.91:
            return Dict(self.pick(DICT_KEYS), self.rand_type(depth + 1))
        if x < 0.94:
            return Set(self.pick(SET_ELEMS))
        if x < 0.96:
            return JSON
        return self.new_record(depth + 1)

    def new_record(self, depth):
        name = "R%d" % (len(self.records) + 1)
        fields = []
        for i in range(self.rng.randint(1, 3)):
            fields.append((self.pick(["a", "b", "val", "user", "time", "n", "index", "x"]) + str(i),
                           self.rand_type(depth + 1)))
        self.records[name] = fields
        return ("rec", name)

    def val(self, t, expr=False):
        """A literal of type t (flow text); in an expression (expr), one
        whose type needs no context: no bare `none`, no `[]`."""
        k = t[0]
        rng = self.rng
        if k == "int":
            if self.r() < 0.2:
                v = self.pick(INTS)
            else:
                v = rng.randint(-20, 50)
            if v == I64_MIN:
                return "(-9223372036854775807 - 1)"
            return str(v)
        if k == "float":
            if self.r() < 0.5:
                v = self.pick(FLOATS)
            else:
                v = round(rng.uniform(-100, 100), rng.randint(0, 3))
            return fmt_float(v)
        if k == "bool":
            return self.pick(["true", "false"])
        if k == "string":
            if self.r() < 0.75:
                s = self.pick(STRINGS)
            else:
                s = "".join(self.pick(STRINGS[:30]) for _ in range(rng.randint(1, 3)))
            return fmt_str(s, rng)
        if k == "timestamp":
            x = self.r()
            if x < 0.1:
                us = self.pick([-62135596800000000, 253402300799999999, 0, 951782400000000])
            else:
                us = EPOCH_US + rng.randint(-10 ** 9, 10 ** 9) * rng.choice([1, 1000000])
            return fmt_ts(us)
        if k == "duration":
            x = self.r()
            if x < 0.15:
                us = self.pick([0, -1, 1, 86400000000, -86400000000, 999999, 3600000000 * 30])
            else:
                us = rng.randint(-10 ** 11, 10 ** 11) * self.pick([1, 1000, 1000000])
            return fmt_dur(us)
        if k == "list":
            n = rng.randint(1 if expr else 0, 3)
            return "[%s]" % ", ".join(self.val(t[1], expr) for _ in range(n))
        if k == "tuple":
            return "(%s)" % ", ".join(self.val(x, expr) for x in t[1:])
        if k == "dict":
            n = rng.randint(1 if expr else 0, 3)
            return "{%s}" % ", ".join("%s: %s" % (self.val(t[1], expr), self.val(t[2], expr)) for _ in range(n))
        if k == "set":
            n = rng.randint(1 if expr else 0, 4)
            if n == 0:
                return "set<%s>()" % self.T(t[1])
            return "{%s}" % ", ".join(self.set_elem(t[1]) for _ in range(n))
        if k == "opt":
            if expr:
                return "(if %s then %s else none)" % (self.pick(["true", "false"]), self.val(t[1], expr))
            return "none" if self.r() < 0.35 else self.val(t[1])
        if k == "rec":
            return "%s { %s }" % (t[1], ", ".join("%s: %s" % (f, self.val(ft, expr)) for f, ft in self.records[t[1]]))
        if k == "json":
            return "parse_json(%s)" % fmt_str(self.json_text(), rng)
        raise ValueError(t)

    def json_value(self, depth=0):
        """A value json.loads can give: no NaN (a container holding the
        same NaN object equals itself in Python, by identity), ints within
        64 bits (flowc's int() of a bigger one is an error)."""
        x = self.r()
        if depth < 2 and x < 0.2:
            return [self.json_value(depth + 1) for _ in range(self.rng.randint(0, 3))]
        if depth < 2 and x < 0.45:
            return {self.pick(JSON_KEYS): self.json_value(depth + 1) for _ in range(self.rng.randint(0, 3))}
        if x < 0.6:
            return self.pick(INTS) if self.r() < 0.3 else self.rng.randint(-20, 50)
        if x < 0.72:
            return self.pick([f for f in FLOATS if f == f])
        if x < 0.9:
            return self.pick(STRINGS)
        return self.pick([True, False, None])

    def json_text(self):
        """JSON text of a random value, in one of json.dumps's styles; an
        object sometimes gets a repeated key (the last value wins, at the
        first key's place)."""
        v = self.json_value()
        text = json.dumps(v, ensure_ascii=self.r() < 0.5, separators=self.pick([None, (",", ":")]))
        if isinstance(v, dict) and v and self.r() < 0.2:
            text = text[:-1] + ', "%s": %s}' % (next(iter(v)), json.dumps(self.json_value(1)))
        return text

    def e_json(self, t, env, d):
        c = self.rng.randint(0, 7)
        key = fmt_str(self.pick(JSON_KEYS), self.rng)
        if c <= 1:
            return "json(%s)" % self.e(self.pick([INT, FLOAT, STR, BOOL]), env, d)
        if c == 2:
            return self.val(JSON)
        if self.risky():
            # on what may be no object or array: Python's KeyError,
            # IndexError, TypeError and AttributeError
            j = self.e(JSON, env, d)
            return self.pick(["%s[%s]" % (j, key), "%s[%s]" % (j, self.pick(["0", "-1", "2"])),
                              "get(%s, %s)" % (j, key), "%s.get(%s, %s)" % (j, key, self.e(INT, env, d))])
        # get on an object literal (never fails)
        obj = "parse_json(%s)" % fmt_str(json.dumps({self.pick(JSON_KEYS): self.json_value(1)}), self.rng)
        if c == 3:
            return "get(%s, %s)" % (obj, key)
        if c == 4:
            return "%s.get(%s, %s)" % (obj, key, self.e(self.pick([INT, STR, JSON]), env, d))
        return self.e(JSON, env, d)

    def set_elem(self, t):
        """A constant set element: ints near 0 or far, never the 64-bit
        minimum (written -9223372036854775807 - 1, which the twin does not
        fold into a constant as CPython's compiler would), so that a
        literal of constants is built as CPython builds it."""
        if t == INT:
            return str(self.pick([self.rng.randint(-20, 50)] * 4 + [v for v in INTS if v != I64_MIN]))
        if t[0] == "tuple":
            return "(%s)" % ", ".join(self.set_elem(x) for x in t[1:])
        return self.val(t, True)

    # ---------------------------------------------------------- expressions
    def leaves(self, env, t):
        """Expressions of type t made of variables: x, x.0, x.f, x ?? d."""
        res = []
        for name, vt in env + self.consts:
            res += self._paths(name, vt, t, 2)
        return res

    def _paths(self, src, vt, t, depth):
        res = [src] if vt == t else []
        if depth == 0:
            return res
        if vt[0] == "tuple":
            for i, et in enumerate(vt[1:]):
                res += self._paths("%s.%d" % (src, i), et, t, depth - 1)
        elif vt[0] == "rec":
            for f, ft in self.records[vt[1]]:
                res += self._paths("%s.%s" % (src, f), ft, t, depth - 1)
        elif vt[0] == "opt" and vt[1] == t:
            res.append("(%s ?? %s)" % (src, self.val(t, True)))
        elif vt[0] == "opt" and vt[1][0] == "rec":
            for f, ft in self.records[vt[1][1]]:
                if Opt(ft) == t or (ft[0] == "opt" and ft == t):
                    res.append("%s?.%s" % (src, f))
        return res

    def float_inside(self, t, top=True):
        """Does a value of type T hold a float inside a container or record?"""
        k = t[0]
        if k == "float":
            return not top
        if k == "rec":
            return any(self.float_inside(ft, False) for _, ft in self.records[t[1]])
        if k in ("list", "tuple", "dict", "set"):
            return any(self.float_inside(x, False) for x in t[1:])
        if k == "opt":
            return self.float_inside(t[1], top)
        return False

    def any_leaf(self, env):
        """Some variable path and its type."""
        cands = []
        for name, vt in env:
            cands.append((name, vt))
            if vt[0] == "tuple":
                cands += [("%s.%d" % (name, i), et) for i, et in enumerate(vt[1:])]
            if vt[0] == "rec":
                cands += [("%s.%s" % (name, f), ft) for f, ft in self.records[vt[1]]]
        return self.pick(cands)

    def e(self, t, env, d=2):
        """A random expression of type t over env (a list of (name, type))."""
        leaves = self.leaves(env, t)
        if d <= 0 or self.r() < 0.25:
            if leaves and self.r() < 0.8:
                return self.pick(leaves)
            return self.val(t, True)
        k = t[0]
        fns = [fn for fn in self.fns if fn[2] == t]
        if fns and self.r() < 0.1:
            name, pt, _ = self.pick(fns)
            return "%s(%s)" % (name, self.e(pt, env, d - 1))
        f = getattr(self, "e_" + k, None)
        if f is not None and self.r() < 0.85:
            return f(t, env, d - 1)
        if self.r() < 0.15:
            return "(if %s then %s else %s)" % (self.e(BOOL, env, d - 1), self.e(t, env, d - 1), self.e(t, env, d - 1))
        if leaves:
            return self.pick(leaves)
        return self.val(t, True)

    def risky(self):
        return self.r() < 0.04

    def e_int(self, t, env, d):
        E = lambda tt=INT: self.e(tt, env, d)  # noqa: E731
        c = self.rng.randint(0, 21)
        if c == 21:
            # of a json value: int() and len() raise on the wrong kind
            j = self.e(JSON, env, d)
            if self.risky():
                return "%s(%s)" % (self.pick(["int", "len"]), j)
            return "len(str(%s))" % j
        if c == 0:
            return "(%s + %s)" % (E(), E())
        if c == 1:
            return "(%s - %s)" % (E(), E())
        if c == 2:
            return "(%s * %s)" % (E(), self.pick(["2", "3", "-1", "0", E()]))
        if c == 3:
            b = E()
            if self.risky():
                return "(%s // %s)" % (E(), b)
            if self.r() < 0.3:
                return "(%s // %s)" % (E(), self.pick(["2", "3", "7", "-2", "-1"]))
            return "(if %s != 0 then %s // %s else 0)" % (b, E(), b)
        if c == 4:
            b = E()
            if self.risky():
                return "(%s %% %s)" % (E(), b)
            return "(if %s != 0 then %s %% %s else -1)" % (b, E(), b)
        if c == 5:
            return "len(%s)" % E(STR)
        if c == 6:
            return "len(%s)" % E(List(self.pick(SCALARS)))
        if c == 7:
            s = E(STR)
            if self.risky():
                return "int(%s)" % s
            return "int(str(len(%s)))" % s
        if c == 8:
            f = E(FLOAT)
            fn = self.pick(["int", "floor", "ceil", "round"])
            if self.risky():
                return "%s(%s)" % (fn, f)
            return "(if %s > -1e15 and %s < 1e15 then %s(%s) else 0)" % (f, f, fn, f)
        if c == 9:
            return "%s(%s, %s)" % (self.pick(["min", "max"]), E(), E())
        if c == 10:
            return "abs(%s)" % E()
        if c == 11:
            xs = E(List(INT))
            if self.risky():
                return "%s[%s]" % (xs, self.pick(["0", "-1", "2", E()]))
            return "sum(%s)" % xs
        if c == 12:
            return "-%s" % E()
        if c == 13 and self.leaves(env, Opt(INT)):
            return "(%s ?? %s)" % (self.pick(self.leaves(env, Opt(INT))), E())
        if c == 14:
            return "len(split(%s))" % E(STR)
        if c == 15:
            # min/max of a list: of an empty one raises (ValueError)
            xs = E(List(INT))
            return "%s(%s)" % (self.pick(["min", "max"]), xs if self.risky() else "%s + [%s]" % (xs, E()))
        if c == 16:
            return self.e_collection_int(env, d)
        if c == 17:
            b = self.e(DUR, env, d)
            if self.risky():
                return "(%s // %s)" % (self.e(DUR, env, d), b)
            return "(if %s != 0s then %s // %s else 0)" % (b, self.e(DUR, env, d), b)
        return E()

    def collection(self, env, kinds=("dict", "set")):
        """A dict or set type: of a variable in ENV, or a random one."""
        have = [vt for _, vt in env + self.consts if vt[0] in kinds]
        if have and self.r() < 0.7:
            return self.pick(have)
        if "dict" in kinds and ("set" not in kinds or self.r() < 0.5):
            return Dict(self.pick(DICT_KEYS), self.pick(SCALARS))
        return Set(self.pick(SET_ELEMS))

    def e_collection_int(self, env, d):
        """len, d[k], get over dicts and sets."""
        ct = self.collection(env)
        c = self.e(ct, env, d)
        if ct[0] == "dict" and ct[2] == INT and self.r() < 0.5:
            k = self.e(ct[1], env, d)
            if self.risky():
                return "%s[%s]" % (c, k)   # KeyError when absent
            return "get(%s, %s, %s)" % (c, k, self.e(INT, env, d))
        return "len(%s)" % c

    def e_float(self, t, env, d):
        E = lambda tt=FLOAT: self.e(tt, env, d)  # noqa: E731
        c = self.rng.randint(0, 15)
        if c == 0:
            return "(%s + %s)" % (E(), E())
        if c == 1:
            return "(%s - %s)" % (E(), E())
        if c == 2:
            return "(%s * %s)" % (E(), E())
        if c == 3:
            b = E()
            if self.risky():
                return "(%s / %s)" % (E(), b)
            return "(if %s != 0.0 then %s / %s else 0.5)" % (b, E(), b)
        if c == 4:
            b = E()
            return "(if %s != 0.0 then %s %% %s else 0.25)" % (b, E(), b)
        if c == 12:
            # true division of ints, of durations
            tt = self.pick([INT, INT, DUR])
            b = self.e(tt, env, d)
            zero = "0" if tt == INT else "0s"
            if self.risky():
                return "(%s / %s)" % (self.e(tt, env, d), b)
            return "(if %s != %s then %s / %s else 0.5)" % (b, zero, self.e(tt, env, d), b)
        if c == 13:
            b = E()
            if self.risky():
                return "(%s // %s)" % (E(), b)
            return "(if %s != 0.0 then %s // %s else -0.5)" % (b, E(), b)
        if c == 5:
            return "float(%s)" % E(INT)
        if c == 6:
            s = E(STR)
            if self.risky():
                return "float(%s)" % s
            return "float(str(len(%s)))" % s
        if c == 7:
            f = E()
            if self.risky():
                return "sqrt(%s)" % f
            return "sqrt(abs(%s))" % f
        if c == 8:
            return "%s(%s, %s)" % (self.pick(["min", "max"]), E(), E())
        if c == 9:
            return "sum(%s)" % E(List(FLOAT))
        if c == 10:
            return "-%s" % E()
        if c == 11:
            xs = E(List(FLOAT))
            return "%s(%s)" % (self.pick(["min", "max"]), xs if self.risky() else "%s + [%s]" % (xs, E()))
        return "abs(%s)" % E()

    def e_bool(self, t, env, d):
        c = self.rng.randint(0, 9)
        if c == 9:
            j = self.e(JSON, env, d)
            if self.risky():   # `in` a number: TypeError
                return "(%s %s %s)" % (self.pick([fmt_str(self.pick(JSON_KEYS), self.rng), self.e(INT, env, d)]),
                                       self.pick(["in", "not in"]), j)
            return self.pick(["bool(%s)" % j, "(%s == %s)" % (j, self.e(JSON, env, d)),
                              "(%s != %s)" % (j, self.e(JSON, env, d))])
        if c <= 2:
            ct = self.pick([INT, FLOAT, STR, TS, DUR, INT])
            return "(%s %s %s)" % (self.e(ct, env, d), self.pick(["<", "<=", ">", ">=", "==", "!="]), self.e(ct, env, d))
        if c == 3:
            _, vt = self.any_leaf(env)
            if self.float_inside(vt):
                # Python compares a container's elements by identity
                # first: a list holding a NaN equals itself, flowc's not
                # (cases/nan_in_container_eq, docs/semantics.md §17.3)
                vt = INT
            return "(%s == %s)" % (self.e(vt, env, d), self.e(vt, env, d))
        if c == 4:
            return "(%s %s %s)" % (self.e(BOOL, env, d), self.pick(["and", "or"]), self.e(BOOL, env, d))
        if c == 5:
            return "(not %s)" % self.e(BOOL, env, d)
        if c == 6:
            return "%s(%s, %s)" % (self.pick(["starts_with", "ends_with", "contains"]), self.e(STR, env, d), self.val(STR))
        if c == 7:
            # in, not in: a dict's keys, a set's or list's elements, a substring
            ct = self.collection(env, ("dict", "set", "list")) if self.r() < 0.7 else STR
            elem = STR if ct == STR else ct[1]
            return "(%s %s %s)" % (self.e(elem, env, d), self.pick(["in", "not in"]), self.e(ct, env, d))
        return "(%s < %s)" % (self.e(INT, env, d), self.e(FLOAT, env, d))

    def e_string(self, t, env, d):
        c = self.rng.randint(0, 14)
        E = lambda tt=STR: self.e(tt, env, d)  # noqa: E731
        if c <= 2:
            _, vt = self.any_leaf(env)
            return "str(%s)" % self.e(vt, env, d)
        if c == 3:
            return "(%s + %s)" % (E(), E())
        if c == 4:
            return "%s(%s)" % (self.pick(["lower", "upper", "trim"]), E())
        if c == 5:
            return "replace(%s, %s, %s)" % (E(), self.val(STR), self.val(STR))
        if c == 6:
            return "substr(%s, %s, %s)" % (E(), self.pick(["0", "1", "-2", "-10", "3"]), self.pick(["0", "1", "2", "5", "-1"]))
        if c == 7:
            return "str(%s)" % self.e(self.pick([INT, FLOAT, TS, DUR, BOOL]), env, d)
        if c == 8:
            return "%s(%s, %s)" % (self.pick(["min", "max"]), E(), E())
        if c == 9:
            return self.e_format(env, d)
        if c == 10:
            return "f\"%s\"" % "".join(self.fstring_part(env, d) for _ in range(self.rng.randint(1, 3)))
        if c == 11:
            xs = self.e(List(STR), env, d)
            sep = self.pick(['","', '""', '" - "', E()])
            return "join(%s, %s)" % ((sep, xs) if self.r() < 0.5 else (xs, sep))
        if c == 12:
            fn = self.pick(["strip", "lstrip", "rstrip"])
            if self.r() < 0.5:
                return "%s(%s)" % (fn, E())
            return "%s(%s, %s)" % (fn, E(), self.pick(['" "', '"ab"', '"0"', '"-+"', '""', E()]))
        if c == 13:
            return "zfill(%s, %s)" % (E(), self.pick(["0", "3", "6", "-1", "12"]))
        return E()

    # format specs by type, valid ones (a spec is checked when compiling)
    SPECS = {
        "int": ["", "d", ">5", "<4", "^7", "*^9", "+", " ", "08", ",", "_", "x", "#x", "X", "o", "#o",
                "b", "#b", "_b", "e", ".2f", ".3g", "%", "010,", "=+8", "n", ",.1f", "c"],
        "float": ["", ".1f", ".2f", ".0f", "#.0f", "e", ".3e", "E", "g", ".3g", ".10g", "G", "%", ".1%",
                  ">10.2f", "<9", "^12.3f", "+.1f", " .2f", "z.1f", ",.2f", "_.3f", "010.3f", ",",
                  "n", "=+12.4e", ".0e", "#g"],
        "string": ["", "s", ">5", "<6", "^9", ".2", "*^8", ">12.3", "-<4"],
        "bool": ["", ">3", "d", "^5"],
    }

    def e_format(self, env, d):
        t = self.pick([INT, FLOAT, STR, BOOL, INT, FLOAT])
        spec = self.pick(self.SPECS[t[0]])
        if spec == "c" and not self.risky():
            spec = "d"    # an int outside range(0x110000) raises
        v = self.e(t, env, d)
        return "format(%s)" % v if spec == "" and self.r() < 0.3 else "format(%s, \"%s\")" % (v, spec)

    def fstring_part(self, env, d):
        """Text, or a field {E}, {E!r}, {E!s}, {E:SPEC} or {E=}; E has no
        string literal (no quote inside the f-string's quotes), no braces
        and no `:` (a timestamp literal's would start the spec, as in
        Python)."""
        if self.r() < 0.3:
            return self.pick(["=", " ", "/", "{{", "}}", "ab", "é", ": ", "\\n"])
        t = self.pick([INT, FLOAT, STR, BOOL, TS, DUR])
        v = self.e(t, env, max(d - 1, 0))
        if any(ch in v for ch in "\"'{}:"):
            # (a leaf `x ?? DEFAULT` may hold a quote or a `:` too: seed 4000763)
            leaves = [lf for lf in self.leaves(env, t) if not any(ch in lf for ch in "\"'{}:")]
            v = self.pick(leaves) if leaves else self.pick(["1", "-2", "0.5", "true", "3s"])
            t = {"1": INT, "-2": INT, "0.5": FLOAT, "true": BOOL, "3s": DUR}.get(v, t)
        c = self.rng.randint(0, 4)
        if c == 0 and t[0] in self.SPECS:
            spec = self.pick([sp for sp in self.SPECS[t[0]] if sp not in ("", "c")])
            return "{%s:%s}" % (v, spec)
        if c == 1:
            return "{%s!r}" % v
        if c == 2:
            return "{%s!s:>%d}" % (v, self.rng.randint(1, 12)) if self.r() < 0.5 else "{%s!s}" % v
        if c == 3:
            return "{%s=}" % v
        return "{%s}" % v

    def e_timestamp(self, t, env, d):
        c = self.rng.randint(0, 3)
        if c == 0:
            return "(%s + %s)" % (self.e(TS, env, d), self.val(DUR) if self.r() < 0.7 else self.e(DUR, env, d))
        if c == 1:
            return "(%s - %s)" % (self.e(TS, env, d), self.val(DUR))
        if c == 2 and self.risky():
            return "timestamp(%s)" % self.e(STR, env, d)
        if c == 3 and self.r() < 0.2:
            # the round's clock: pinned (--clock), so both read the same
            self.clock_pinned = True
            return "now()"
        return self.e(TS, env, 0)

    def e_duration(self, t, env, d):
        c = self.rng.randint(0, 5)
        if c == 0:
            return "(%s - %s)" % (self.e(TS, env, d), self.e(TS, env, d))
        if c == 1:
            return "(%s + %s)" % (self.e(DUR, env, d), self.e(DUR, env, d))
        if c == 2:
            return "(%s * %s)" % (self.e(DUR, env, d), self.pick(["2", "-1", "0", "3"]))
        if c == 3:
            return "-%s" % self.e(DUR, env, d)
        if c == 4:
            # / (rounded half to even), // by an int; % by a duration
            op = self.pick(["/", "//", "%"])
            tt = DUR if op == "%" else INT
            b = self.e(tt, env, d) if self.r() < 0.5 else self.pick(["2", "3", "-7", "1000000"] if tt == INT else ["7s", "-3ms", "1us"])
            zero = "0" if tt == INT else "0s"
            if self.risky() or b[0] in "-0123456789":
                return "(%s %s %s)" % (self.e(DUR, env, d), op, b)
            return "(if %s != %s then %s %s %s else 0s)" % (b, zero, self.e(DUR, env, d), op, b)
        return self.e(DUR, env, 0)

    def e_list(self, t, env, d):
        et = t[1]
        c = self.rng.randint(0, 5)
        if et == STR and c == 0:
            return "split(%s)" % self.e(STR, env, d)
        if et == STR and c == 1:
            return "split(%s, %s)" % (self.e(STR, env, d), self.pick(['","', '" "', '"a"', '"é"']))
        if et == STR and c == 2:
            return "findall(%s, %s)" % (self.e(STR, env, d), self.pick([r"r'\w+'", r"r'[a-z]'", r"r'\d'", r"r'(.)b'", r"r'\s+'", r"r'[^ ]+'"]))
        if et == INT and c == 0:
            return "range(%s %% 4)" % self.e(INT, env, d)
        if et == STR and c == 4 and self.r() < 0.5:
            return "split(%s, %s, %s)" % (self.e(STR, env, d), self.pick(['","', '" "', "none"]), self.pick(["0", "1", "2", "-1"]))
        if c == 4 and self.r() < 0.6:
            # a dict's keys or values, a set's or list's elements sorted
            if et in SET_ELEMS and self.r() < 0.5:
                return "sorted(%s)" % self.e(Set(et), env, d)
            if et in DICT_KEYS and et != BOOL and self.r() < 0.3:
                return "sorted(%s)" % self.e(List(et), env, d)
            if et in DICT_KEYS and self.r() < 0.5:
                return "keys(%s)" % self.e(Dict(et, self.pick(SCALARS)), env, d)
            return "values(%s)" % self.e(Dict(self.pick(DICT_KEYS), et), env, d)
        if c == 3:
            return "(%s + %s)" % (self.e(t, env, d), self.e(t, env, d))
        n = self.rng.randint(1, 3)
        return "[%s]" % ", ".join(self.e(et, env, d) for _ in range(n))

    def e_dict(self, t, env, d):
        kt, vt = t[1], t[2]
        leaves = self.leaves(env, t)
        c = self.rng.randint(0, 4)
        if c == 0 and leaves:
            k = self.e(kt, env, d)
            return "(%s with { [%s]: %s })" % (self.pick(leaves), k, self.e(vt, env, d))
        if c == 1:
            return "remove(%s, %s)" % (self.e(t, env, d), self.e(kt, env, d))
        if c == 2:
            return "dict(%s)" % self.e(List(Tup(kt, vt)), env, d)
        n = self.rng.randint(1, 3)
        return "{%s}" % ", ".join("%s: %s" % (self.e(kt, env, d), self.e(vt, env, d)) for _ in range(n))

    def e_set(self, t, env, d):
        et = t[1]
        c = self.rng.randint(0, 5)
        if c == 0:
            return "add(%s, %s)" % (self.e(t, env, d), self.e(et, env, d))
        if c == 1:
            return "remove(%s, %s)" % (self.e(t, env, d), self.e(et, env, d))
        if c == 2:
            return "set(%s)" % self.e(List(et), env, d)
        if c == 3:
            return "set(%s)" % self.e(Dict(et, self.pick(SCALARS)), env, d)
        leaves = self.leaves(env, et)
        if c == 4 and leaves:
            # a variable first: the literal adds its elements one by one
            return "{%s}" % ", ".join([self.pick(leaves)] + [self.e(et, env, d) for _ in range(self.rng.randint(0, 2))])
        return self.val(t, True)

    def e_tuple(self, t, env, d):
        return "(%s)" % ", ".join(self.e(x, env, d) for x in t[1:])

    def e_opt(self, t, env, d):
        # always an `if`: a bare value would be typed T, not T?
        return "(if %s then %s else none)" % (self.e(BOOL, env, d), self.e(t[1], env, d))

    def e_rec(self, t, env, d):
        fields = self.records[t[1]]
        leaves = self.leaves(env, t)
        if leaves and self.r() < 0.5:
            f, ft = self.pick(fields)
            return "(%s with { %s: %s })" % (self.pick(leaves), f, self.e(ft, env, d))
        return "%s { %s }" % (t[1], ", ".join("%s: %s" % (f, self.e(ft, env, d)) for f, ft in fields))

    # ---------------------------------------------------------- lambdas
    def lam(self, params, ret, d=2):
        """|p1, p2| EXPR, params: [(name, type)]; tuple params destructured sometimes."""
        ps = []
        env = []
        for name, pt in params:
            if pt[0] == "tuple" and len(pt) == 3 and self.r() < 0.4:
                a, b = self.name("a"), self.name("b")
                ps.append("(%s, %s)" % (a, b))
                env += [(a, pt[1]), (b, pt[2])]
            else:
                ps.append(name)
                env.append((name, pt))
        body = self.e(ret, env, d)
        if self.r() < 0.15:
            v = self.name("v")
            lt = self.pick([INT, STR, FLOAT])
            body = "{ let %s = %s; %s }" % (v, self.e(lt, env, 1), self.e(ret, env + [(v, lt)], d))
        return "|%s| %s" % (", ".join(ps), body)

    def key_fn(self, t):
        x = self.name("x")
        return self.pick([
            "|%s| substr(str(%s), 0, 1)" % (x, x),
            "|%s| str(len(str(%s)) %% 3)" % (x, x),
            "|_| \"k\"",
            "|%s| if len(str(%s)) %% 2 == 0 then \"even\" else \"odd\"" % (x, x),
            "|%s| substr(str(%s), -1, 1)" % (x, x),
        ])

    # ---------------------------------------------------------- dataflow
    def inputs(self, t, k=None):
        k = k or self.pick([1, 1, 1, 2, 3])
        names = []
        for _ in range(k):
            n = self.rng.randint(0, 6)
            vals = [self.val(t) for _ in range(n)]
            if self.r() < 0.15:
                # an EOF or ABORT marker, kept only if this is the program's
                # one input (program(): Bytewax waits 1 ms after the empty
                # batch a marker ends, so other inputs would race it)
                vals.insert(self.rng.randint(0, n), MARK)
            items = ", ".join(vals)
            bs = self.pick([None, None, 1, 2, 3, 4])
            opt = ", batch_size = %d" % bs if bs else ""
            names.append(self.step("inp", "input(testing<%s>([%s]%s))" % (self.T(t), items, opt)))
        if len(names) == 1:
            return names[0]
        return self.step("merged", "merge(%s)" % ", ".join(names))

    def stateless(self, s, t, n):
        """A chain of n stateless steps; returns (stream, type)."""
        for _ in range(n):
            x = self.name("x")
            c = self.rng.randint(0, 9)
            if c <= 2:
                nt = self.rand_type() if self.r() < 0.5 else t
                s, t = self.step("m", "map(%s, %s)" % (s, self.lam([(x, t)], nt))), nt
            elif c == 3:
                s = self.step("f", "filter(%s, %s)" % (s, self.lam([(x, t)], BOOL)))
            elif c == 4:
                nt = self.pick(SCALARS)
                body = "if %s then %s else none" % (self.e(BOOL, [(x, t)], 1), self.e(nt, [(x, t)], 1))
                s, t = self.step("fm", "filter_map(%s, |%s| %s)" % (s, x, body)), nt
            elif c == 5:
                nt = self.pick(SCALARS)
                s, t = self.step("flm", "flat_map(%s, %s)" % (s, self.lam([(x, t)], List(nt)))), nt
            elif c == 6 and t[0] == "list":
                s, t = self.step("fl", "flatten(%s)" % s), t[1]
            elif c == 7 and self.r() < 0.3:
                s, t = self.enrich(s, t)
            elif c == 7:
                s = self.step("insp", "%s(%s)" % (self.pick(["inspect", "inspect", "inspect_debug"]), s))
            elif c == 8 and self.r() < 0.5:
                s = self.step("rd", "redistribute(%s)" % s)
            elif c == 8:
                # a round's items at once: the batch itself, twice, its
                # length, or its length and repr
                xs = self.name("xs")
                body, nt = self.pick([("%s" % xs, t), ("%s + %s" % (xs, xs), t), ("[len(%s)]" % xs, INT),
                                      ("[str(len(%s)), str(%s)]" % (xs, xs), STR)])
                s, t = self.step("fmb", "flat_map_batch(%s, |%s| %s)" % (s, xs, body)), nt
            else:
                b = self.step("br", "branch(%s, %s)" % (s, self.lam([(x, t)], BOOL)))
                if self.r() < 0.1:
                    self.step("rs", "raises(%s.falses)" % b)   # stops the run at an item
                elif self.r() < 0.5:
                    self.out("%s.falses" % b)
                s = "%s.trues" % b
        return s, t

    def enrich(self, s, t):
        """enrich_cached: a pure getter of an int or string key, a mapper
        reading `cache.get(k)` or `get(cache, k)`. The getter being pure,
        whether an entry is cached (the ttl, compared with the wall clock
        in Bytewax and the round's clock in flowc) is invisible."""
        x, k, g = self.name("x"), self.name("k"), self.name("g")
        kt, vt, nt = self.pick([INT, STR]), self.pick(SCALARS), self.pick(SCALARS + [t])
        getter = "|%s: %s| %s" % (k, self.T(kt), self.e(vt, [(k, kt)], 2))
        key = self.e(kt, [(x, t)], 1)
        look = self.pick(["cache.get(%s)", "get(cache, %s)"]) % key
        if self.r() < 0.5:
            mapper = "|cache, %s| { let %s = %s; %s }" % (x, g, look, self.e(nt, [(x, t), (g, vt)], 2))
        else:
            mapper, nt = "|cache, %s| (%s, %s)" % (x, x, look), Tup(t, vt)
        ttl = self.pick(["", "", ", ttl = 1s", ", ttl = 1h"])
        return self.step("ec", "enrich_cached(%s, %s, %s%s)" % (s, getter, mapper, ttl)), nt

    def keyed_stateless(self, s, vt, n):
        for _ in range(n):
            v = self.name("v")
            c = self.rng.randint(0, 4)
            if c == 0:
                nt = self.pick(SCALARS + [vt])
                s, vt = self.step("mv", "map_value(%s, %s)" % (s, self.lam([(v, vt)], nt))), nt
            elif c == 1:
                s = self.step("fv", "filter_value(%s, %s)" % (s, self.lam([(v, vt)], BOOL)))
            elif c == 2:
                nt = self.pick(SCALARS)
                body = "if %s then %s else none" % (self.e(BOOL, [(v, vt)], 1), self.e(nt, [(v, vt)], 1))
                s, vt = self.step("fmv", "filter_map_value(%s, |%s| %s)" % (s, v, body)), nt
            elif c == 3:
                nt = self.pick(SCALARS)
                s, vt = self.step("fmv", "flat_map_value(%s, %s)" % (s, self.lam([(v, vt)], List(nt)))), nt
            else:
                s = self.step("insp", "inspect(%s)" % s)
        return s, vt

    def keyed(self, t, k=None):
        s = self.inputs(t, k)
        s, t = self.stateless(s, t, self.rng.randint(0, 2))
        ks = self.step("key", "key_on(%s, %s)" % (s, self.key_fn(t)))
        return self.keyed_stateless(ks, t, self.rng.randint(0, 1))

    def prog_stateless(self):
        t = self.rand_type()
        s = self.inputs(t)
        s, t = self.stateless(s, t, self.rng.randint(1, 4))
        if self.r() < 0.3:
            ks = self.step("key", "key_on(%s, %s)" % (s, self.key_fn(t)))
            ks, _ = self.keyed_stateless(ks, t, self.rng.randint(0, 2))
            s = self.step("krm", "key_rm(%s)" % ks) if self.r() < 0.5 else ks
        self.out(s)

    def prog_stateful(self):
        t = self.rand_type()
        s, vt = self.keyed(t)
        c = self.rng.randint(0, 10)
        st, v = self.name("st"), self.name("v")
        if c == 10:
            r = self.prog_logic(s, vt, batch=True)
        elif c == 0:
            stt = self.pick([INT, STR, List(vt)])
            ot = self.pick([vt, stt, INT, STR])
            init = self.val(stt) if stt[0] != "list" else "[]"
            env = [(st, stt), (v, vt)]
            new = "%s + [%s]" % (st, v) if stt[0] == "list" else self.e(stt, env, 2)
            if self.r() < 0.4:  # a none state discards the key
                new = "if %s then none else %s" % (self.e(BOOL, env, 1), new)
            body = "(%s, %s)" % (new, self.e(ot, env, 2))
            r = self.step("sm", "stateful_map(%s, init = %s, |%s, %s| %s)" % (s, init, st, v, body))
        elif c == 1:
            body = "(%s + 1, [%s, %s])" % (st, self.e(STR, [(st, INT), (v, vt)], 1), self.e(STR, [(st, INT), (v, vt)], 1)) if self.r() < 0.5 \
                else "(if %s > 2 then none else %s + 1, range(%s))" % (st, st, st)
            r = self.step("sfm", "stateful_flat_map(%s, init = 0, |%s, %s| %s)" % (s, st, v, body))
        elif c == 2:
            size = self.pick([1, 2, 3, 5])
            if self.r() < 0.2:  # Bytewax 0.18's name, collect in the twin
                r = self.step("bat", "batch(%s, timeout = %s, batch_size = %d)" % (s, self.pick(["1h", "1d", "30m"]), size))
            else:
                r = self.step("col", "collect(%s, timeout = %s, max_size = %d)" % (s, self.pick(["1h", "1d", "30m"]), size))
        elif c == 3:
            a, b = self.name("a"), self.name("b")
            if vt in (INT, FLOAT, STR) or vt[0] == "list":
                r = self.step("rf", "reduce_final(%s, |%s, %s| %s + %s)" % (s, a, b, a, b))
            else:
                r = self.step("rf", "reduce_final(%s, |%s, %s| if %s then %s else %s)" % (s, a, b, self.e(BOOL, [(a, vt), (b, vt)], 1), a, b))
        elif c == 4:
            at = self.pick([INT, STR, List(vt), FLOAT])
            init = "[]" if at[0] == "list" else self.val(at)
            a = self.name("acc")
            if at[0] == "list":
                body = "%s + [%s]" % (a, v)
            else:
                body = self.e(at, [(a, at), (v, vt)], 2)
            r = self.step("ff", "fold_final(%s, init = %s, |%s: %s, %s| %s)" % (s, init, a, self.T(at), v, body))
        elif c == 5:
            r = self.step("cf", "count_final(%s, %s)" % (self.step("krm", "key_rm(%s)" % s), self.key_fn(vt)))
        elif c == 6:
            opn = self.pick(["max_final", "min_final"])
            if vt in (INT, FLOAT, STR, TS, DUR) and self.r() < 0.5:
                r = self.step("mf", "%s(%s)" % (opn, s))
            else:
                bt = self.pick([INT, STR, FLOAT])
                r = self.step("mf", "%s(%s, by = %s)" % (opn, s, self.lam([(v, vt)], bt, 1)))
        elif c == 7:
            r = self.prog_join(s, vt)
        else:
            r = self.prog_logic(s, vt)
        r, _ = self.keyed_stateless(r, None, 0) if False else (r, None)
        self.out(r)

    def prog_join(self, s, vt):
        sides = [s]
        for _ in range(self.rng.randint(0, 2)):
            t2 = self.rand_type()
            s2, _ = self.keyed(t2, self.pick([1, 1, 2]))
            sides.append(s2)
        if len(sides) == 1:
            t2 = self.rand_type()
            s2, _ = self.keyed(t2, 1)
            sides.append(s2)
        modes = []
        if self.r() < 0.8:
            modes.append('insert_mode = "%s"' % self.pick(["first", "last", "product"]))
        if self.r() < 0.8:
            modes.append('emit_mode = "%s"' % self.pick(["complete", "final", "running"]))
        return self.step("j", "join(%s)" % ", ".join(sides + modes))

    def prog_logic(self, s, vt, batch=False):
        st, v = self.name("st"), self.name("v")
        env = [(st, INT), (v, vt)]
        disc = self.e(BOOL, env, 1) if self.r() < 0.5 else "false"
        if batch:   # stateful_batch: a key's values of the round at once
            env = [(st, INT), (v, List(vt))]
            disc = self.e(BOOL, env, 1) if self.r() < 0.5 else "false"
            on_item = "on_batch = |%s, %s| (if %s then none else %s + len(%s), [%s, str(len(%s))])" % (
                st, v, disc, st, v, self.e(STR, env, 1), v)
        else:
            on_item = "on_item = |%s, %s| (if %s then none else %s + 1, [%s])" % (st, v, disc, st, self.e(STR, env, 1))
        parts = ["init = %s" % self.pick(["0", "5"]), on_item]
        if self.r() < 0.7:
            parts.append('on_eof = |%s| (%s, [str(%s) + "eof"])' % (st, self.pick(["none", st]), st))
        if self.r() < 0.4:
            # in the past: due at the next round in both (Bytewax's timer
            # reads the wall clock, flowc the pinned one); or never
            when = self.pick(["@2000-01-01T00:00:00Z", "none"])
            parts.append("notify_at = |%s| if %s %% 2 == 1 then %s else none" % (st, st, when))
            parts.append('on_notify = |%s| (%s, ["n" + str(%s)])' % (st, self.pick(["none", st + " + 1"]), st))
            self.clock_pinned = True
        return self.step("sf", "%s(%s, %s)" % ("stateful_batch" if batch else "stateful", s, ", ".join(parts)))

    def prog_window(self):
        # the window operator first: collect_window into a set or a dict
        # wants values of their own (below)
        op = self.rng.randint(0, 9)
        into = self.pick(["list", "set", "dict"]) if op >= 8 else None
        # int times (seconds after the base, the clock `BASE + 1s * x.0`)
        # where a timestamp in the value would seed a set's order
        # (docs/language.md, "Dicts and sets") or a dict's key
        itime = into in ("set", "dict") or self.r() < 0.1
        vt = INT if into == "set" else self.pick(SCALARS + [self.rand_type()])
        t = Tup(INT if itime else TS, vt)
        base = EPOCH_US

        def when(us):
            return str((us - base) // 1000000) if itime else fmt_ts(us)

        k = self.pick([1, 1, 2])
        names = []
        for _ in range(k):
            items = []
            tcur = base + self.rng.randint(0, 5) * 1000000
            for _ in range(self.rng.randint(0, 8)):
                tcur += self.pick([0, 1, 2, 3, 5, -1, -4, 7, 12, -10]) * 1000000 + self.pick([0, 0, 0, 500000, 1])
                items.append("(%s, %s)" % (when(tcur), self.val(vt)))
            bs = self.pick([None, 1, 2, 3])
            names.append(self.step("inp", "input(testing<%s>([%s]%s))" % (self.T(t), ", ".join(items), ", batch_size = %d" % bs if bs else "")))
        s = names[0] if k == 1 else self.step("merged", "merge(%s)" % ", ".join(names))
        x = self.name("x")
        ks = self.step("key", "key_on(%s, |%s| %s)" % (s, x, self.pick(['"k"', 'substr(str(%s.1), 0, 1)' % x, 'if %s.0 < %s then "a" else "b"' % (x, when(base + 10000000))])))
        if self.r() < 0.2:
            # a stateful step before the window: the end of input reaches
            # the window a round after it
            st, v = self.name("st"), self.name("v")
            ks = self.step("sm", "stateful_map(%s, init = 0, |%s, %s| (%s + 1, %s))" % (ks, st, v, st, v))
        sysclock = self.r() < 0.15
        if sysclock:
            clock = self.step("clock", "system_clock()")
        else:
            wait = self.pick(["0s", "0s", "1s", "3s", "500ms", "4000000d", "-1s"])
            ts = "%s + 1s * %s.0" % (fmt_ts(base), x) if itime else "%s.0" % x
            clock = self.step("clock", "event_clock(|%s| %s, wait_for_system_duration = %s)" % (x, ts, wait))
        # a set's order after a session merge is documented as differing
        # (docs/semantics.md §17.1: flowc adds the values one by one,
        # Bytewax takes set.union): no sessions into a set
        c = self.rng.randint(0, 1 if into == "set" else 2)
        align = fmt_ts(base + self.pick([0, 0, 1, -3]) * 1000000)
        if c == 0:
            wdw = self.step("wdw", "tumbling(length = %s, align_to = %s)" % (self.pick(["1s", "2s", "5s", "10s"]), align))
        elif c == 1:
            ln = self.pick([2, 4, 6, 10])
            off = self.pick([o for o in (1, 2, 3, 5) if o <= ln])
            wdw = self.step("wdw", "sliding(length = %ds, offset = %ds, align_to = %s)" % (ln, off, align))
        else:
            wdw = self.step("wdw", "session(gap = %s)" % self.pick(["0s", "1s", "2s", "5s"]))
        session = c == 2
        a, b, v = self.name("a"), self.name("b"), self.name("v")
        if op == 0:
            w = self.step("w", "collect_window(%s, %s, %s)" % (ks, clock, wdw))
        elif op >= 8:
            w = self.step("w", 'collect_window(%s, %s, %s, into = "%s")' % (ks, clock, wdw, into))
        elif op == 7:
            w = self.step("w", self.window_logic(ks, clock, wdw, t, session))
        elif op == 1:
            body = "%s + 1" % a
            w = self.step("w", "fold_window(%s, %s, %s, init = 0, |%s, %s| %s%s)" % (ks, clock, wdw, a, v, body, ", merge = |%s, %s| %s + %s" % (a, b, a, b) if session or self.r() < 0.3 else ""))
        elif op == 2:
            w = self.step("w", "reduce_window(%s, %s, %s, |%s, %s| if %s.0 > %s.0 then %s else %s)" % (ks, clock, wdw, a, b, a, b, a, b))
        elif op == 3:
            w = self.step("w", "count_window(%s, %s, %s, |%s| %s)" % (s, clock, wdw, x, self.pick(['"k"', 'substr(str(%s.1), 0, 1)' % x])))
        elif op == 4:
            opn = self.pick(["max_window", "min_window"])
            w = self.step("w", "%s(%s, %s, %s, by = |%s| str(%s.1))" % (opn, ks, clock, wdw, v, v))
        else:
            sides = [ks]
            for _ in range(self.rng.randint(1, 2)):
                items = []
                for _ in range(self.rng.randint(0, 4)):
                    items.append("(%s, %s)" % (when(base + self.rng.randint(-2, 15) * 1000000), self.val(vt)))
                i2 = self.step("inp", "input(testing<%s>([%s]))" % (self.T(t), ", ".join(items)))
                sides.append(self.step("key", "key_on(%s, |%s| \"k\")" % (i2, x)))
            modes = []
            if self.r() < 0.8:
                modes.append('insert_mode = "%s"' % self.pick(["first", "last", "product"]))
            if self.r() < 0.8:
                modes.append('emit_mode = "%s"' % self.pick(["complete", "final", "running"]))
            w = self.step("w", "join_window(%s)" % ", ".join([clock, wdw] + sides + modes))
        ports = [p for p in ("down", "late", "meta") if self.r() < 0.6] or ["down"]
        for p in ports:
            self.out("%s.%s" % (w, p))
        if self.r() < 0.25:
            # a stateful step after the window: what the window flushes at
            # the end reaches it before the end of input does
            a2, v2 = self.name("acc"), self.name("v")
            self.out(self.step("ff", "fold_final(%s.down, init = 0, |%s, %s| %s + 1)" % (w, a2, v2, a2)))
        # the system clock: after the events (Bytewax's wake-ups at event
        # times are then due at once, as flowc's), stepping or not
        step = self.pick(["0s", "0s", "1s", "2s", "500ms", "10s"])
        self.args = ["--clock", "2023-01-01T00:00:00Z"] + (["--clock-step", step] if step != "0s" else [])

    def window_logic(self, ks, clock, wdw, t, session):
        """The generic `window` operator (Bytewax's WindowLogic): an int
        state (a count by default), on_value emitting zero or one value
        per item, on_merge (required with sessions) and on_close."""
        s, v, o = self.name("s"), self.name("v"), self.name("o")
        wt = self.pick([INT, STR, t[2]])
        env = [(s, INT), (v, t)]
        new = self.pick(["%s + 1" % s, self.e(INT, env, 1)])
        outs = self.pick(["[]", "[%s]" % self.e(wt, env, 2)])
        parts = ["init = %s" % self.pick(["0", "5"]),
                 "on_value = |%s, %s| (%s, %s)" % (s, v, new, outs)]
        if session or self.r() < 0.3:
            menv = [(s, INT), (o, INT)]
            parts.append("on_merge = |%s, %s| (%s + %s, %s)" % (
                s, o, s, o, self.pick(["[]", "[%s]" % self.e(wt, menv, 1)])))
        if outs == "[]" or self.r() < 0.7:   # (something must tell what it emits)
            parts.append("on_close = |%s| [%s]" % (s, self.e(wt, [(s, INT)], 2)))
        return "window(%s, %s, %s, %s)" % (ks, clock, wdw, ", ".join(parts))

    def helpers(self):
        """Some consts (leaves of any expression) and one-parameter fns
        (called where their result type is wanted)."""
        for _ in range(self.pick([0, 0, 0, 1, 2])):
            t = self.pick(SCALARS)
            name = self.name("K")
            self.decls.append("const %s = %s" % (name, self.val(t, True)))
            self.consts.append((name, t))
        for _ in range(self.pick([0, 0, 0, 1, 2])):
            pt, rt = self.pick(SCALARS), self.pick(SCALARS)
            name, a = self.name("h"), self.name("a")
            body = self.e(rt, [(a, pt)], 2)
            self.decls.append("fn %s(%s: %s) -> %s = %s" % (name, a, self.T(pt), self.T(rt), body))
            self.fns.append((name, pt, rt))

    def program(self):
        self.helpers()
        kind = self.rng.randint(0, 9)
        if kind <= 2:
            self.prog_stateless()
        elif kind <= 6:
            self.prog_stateful()
        else:
            self.prog_window()
        if self.clock_pinned and not self.args:
            self.args = ["--clock", "2023-01-01T00:00:00Z"]
        # -s 0 only with a clock that stands still: its input-free rounds
        # advance flowc's --clock-step, but no poll of a Bytewax input
        # marks them, so the twin's clock cannot follow
        if self.r() < 0.2 and "--clock-step" not in self.args:
            self.args = self.args + ["-s", "0"]
        # the markers: in the one input of a program that has one
        lines = "\n".join(self.lines)
        one = sum(ln.split(" = ", 1)[1].startswith("input(") for ln in self.lines) == 1
        marker = self.pick(["EOF", "EOF", "ABORT"])
        lines = lines.replace(", " + MARK, ", " + marker if one else "").replace(MARK + ", ", marker + ", " if one else "")
        self.lines = lines.replace(MARK, marker if one else "").split("\n")
        head = ["# random program, seed %d (tests/differential/gen.py)" % self.seed, "flow p%d" % self.seed, ""]
        for name, fields in self.records.items():
            head.append("record %s { %s }" % (name, ", ".join("%s: %s" % (f, self.T(ft)) for f, ft in fields)))
        return "\n".join(head + self.decls + [""] + self.lines) + "\n", " ".join(self.args)


def generate(seed):
    return Gen(seed).program()


def main():
    args = sys.argv[1:]
    out = "."
    seeds = []
    while args:
        a = args.pop(0)
        if a == "-o":
            out = args.pop(0)
        else:
            seeds.append(int(a))
    os.makedirs(out, exist_ok=True)
    for s in seeds:
        src, argv = generate(s)
        with open(os.path.join(out, "p%d.flow" % s), "w", encoding="utf-8") as f:
            f.write(src)
        with open(os.path.join(out, "p%d.args" % s), "w") as f:
            f.write(argv + "\n")


if __name__ == "__main__":
    main()
