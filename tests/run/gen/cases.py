"""cases.py - the oracle of every tests/run case, one function per case.

Each function builds, in Python, the same dataflow as tests/run/NAME.flow
with tests/run/gen/flowsim.py and returns the finished Flow; its stdout
(and, for error cases, stderr and exit status) are what NAME.expected,
NAME.stderr and NAME.status hold.  The lambdas are transcriptions of the
.flow lambdas into Python; Python's own str()/repr() do all the printing.
Run tests/run/gen/make_expected.py to rewrite the expected files.
"""
import json
import math
import re
import os
from flowsim import Flow, T0, ts, dur, add, sub, mul, div, floordiv, mod, StepError, FSet, EOF, ABORT

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.dirname(HERE)
CASES = {}
S1 = dur(seconds=1)


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def F(name, **kw):
    return Flow(name, name + ".flow", **kw)


def loc(name, text):
    """'LINE:COL' of the first TEXT in NAME.flow (1-based, bytes)."""
    with open(os.path.join(RUN, name + ".flow"), "rb") as f:
        for i, line in enumerate(f.read().split(b"\n"), 1):
            c = line.find(text.encode())
            if c >= 0 and not line.startswith(b"#"):
                return "%d:%d" % (i, c + 1)
    raise KeyError(text)


def substr(s, a, n):
    return s[a:a + n]


def pystr(x):
    return str(x)


# ---- sources and sinks ----------------------------------------------------

@case
def input_testing_list():
    f = F("input_testing_list")
    f.output("out", f.testing("nums", [3, 1, 4, 1, 5]))
    return f


@case
def input_range():
    f = F("input_range")
    f.output("out", f.testing("nums", range(6)))
    return f


def _testing_marker(name, items, bs):
    f = F(name)
    inp = f.inspect("seen", f.testing("inp", items, batch_size=bs))
    keyed = f.key_on("keyed", inp, lambda x: "k")
    f.output("sums", f.stateful_map("running", keyed, 0, lambda acc, x: (acc + x, acc + x)))
    f.output("lists", f.collect("lists", keyed, dur(seconds=10), 10))
    return f


@case
def testing_eof_marker():
    return _testing_marker("testing_eof_marker", [0, 1, 2, EOF, 3, 4], 2)


@case
def testing_abort_marker():
    return _testing_marker("testing_abort_marker", [0, 1, 2, ABORT, 3, 4], 2)


@case
def testing_markers_edges():
    f = F("testing_markers_edges")
    f.output("a", f.testing("first", [EOF, 1, 2]))
    f.output("b", f.testing("full", [10, 11, EOF], batch_size=2))
    f.output("c", f.testing("both", [20, 21, 22, EOF, ABORT, 23], batch_size=2))
    f.output("d", f.testing("plain", [30, 31, 32, 33, 34]))
    return f


@case
def testing_abort_stops_all():
    f = F("testing_abort_stops_all")
    f.output("a", f.testing("short", [1, 2, ABORT, 3]))
    late = f.key_on("keyed", f.testing("long", range(10)), lambda x: "k")
    f.output("b", f.collect("lists", late, dur(seconds=10), 100))
    return f


@case
def flat_map_batch():
    f = F("flat_map_batch")
    a = f.testing("a", range(7), batch_size=3)
    b = f.testing("b", [100, 101, 102, 103, 104], batch_size=2)
    m = f.merge("both", f.map("doubled", a, lambda x: x * 2), b)
    f.output("out", f.flat_map_batch("batches", m, lambda xs: [xs, [len(xs)]]))
    f.output("sums", f.flat_map_batch("sums", a, lambda xs: [sum(xs)]))
    return f


@case
def enrich_cached():
    f = F("enrich_cached")
    icons = {"dog_ico": "dog_v1.png", "cat_ico": "cat_v2.png"}

    def icon_url(code):
        return "http://domain.invalid/static/" + icons.get(code, "missing.png")
    users = f.testing("users", [("1", "dog_ico"), ("3", "rabbit_ico"), ("2", "dog_ico"), ("4", "cat_ico")],
                      batch_size=3)
    f.output("out", f.enrich_cached("with_urls", users, icon_url,
                                    lambda cache, uc: (uc[0], cache.get(uc[1]), cache.get("dog_ico"))))
    return f


@case
def enrich_cached_ttl():
    f = F("enrich_cached_ttl", clock=T0, clock_step=S1)
    prices = {"apple": 3, "pear": 5}

    def mapper(cache, c):
        price, got = cache.get(c)
        return (c, price, f.now - got)
    codes = f.testing("codes", ["apple", "pear", "apple", "apple", "pear", "apple", "fig", "apple"])
    f.output("out", f.enrich_cached("priced", codes, lambda code: (prices.get(code, 0), f.now), mapper,
                                    ttl=dur(seconds=2)))
    return f


@case
def inspect_debug_epochs():
    f = F("inspect_debug_epochs", clock=T0, clock_step=dur(seconds=4))
    words = f.testing("words", ["a", "b", "c", "d", "e", "f", "g"], batch_size=2)
    f.output("out", f.map("shout", f.inspect_debug("seen", words), lambda w: w.upper()))
    return f


@case
def raises_stops():
    f = F("raises_stops")
    nums = f.testing("nums", [1, 2, 3, 4, 5])
    f.output("out", nums)
    f.raises("big", f.filter("over", nums, lambda x: x > 3), loc("raises_stops", "raises(over)"))
    return f


@case
def stateful_batch():
    f = F("stateful_batch")
    nums = f.testing("nums", range(1, 12), batch_size=4)
    keyed = f.key_on("keyed", nums, lambda x: "even" if x % 2 == 0 else "odd")

    def on_batch(total, xs):
        t = total + sum(xs)
        return (None if t > 20 else t), [(len(xs), sum(xs), t)]
    f.output("out", f.stateful_batch("totals", keyed, 0, on_batch,
                                     on_eof=lambda total: (total, [(0, 0, total)])))
    more = f.testing("more", ["a", "b", "a", "a", "c"], batch_size=5)
    seen = f.key_on("by_word", more, lambda w: w)
    f.output("counts", f.stateful_batch("counts", seen, 0,
                                        lambda n, ws: (n + len(ws), [n + len(ws)])))
    return f


@case
def input_batch_size():
    f = F("input_batch_size")
    nums = f.testing("nums", [1, 2, 3, 4, 5, 6, 7], batch_size=3)
    first = f.inspect("first", nums)
    tens = f.map("tens", first, lambda x: x * 10)
    f.output("out", f.inspect("second", tens))
    return f


@case
def input_file_lines():
    f = F("input_file_lines")
    lines = f.file_lines("lines", os.path.join(RUN, "data/lines.txt"))
    f.output("out", f.inspect("shown", lines), "discard")
    return f


@case
def input_file_lengths():
    f = F("input_file_lengths")
    lines = f.file_lines("lines", os.path.join(RUN, "data/lines.txt"))
    f.output("out", f.map("lens", lines, lambda l: (l, len(l))))
    return f


@case
def output_discard():
    f = F("output_discard")
    f.output("gone", f.inspect("seen", f.testing("nums", [1, 2, 3])), "discard")
    return f


@case
def empty_input():
    f = F("empty_input")
    nums = f.testing("nums", [])
    seen = f.inspect("seen", f.map("doubled", nums, lambda x: x * 2))
    f.output("out", f.count_final("counts", seen, str))
    f.output("out2", seen)
    return f


@case
def stdout_str():
    f = F("stdout_str")
    words = f.testing("words", ["plain", "it's", 'say "hi"', "", "tab\there"])
    f.output("raw", words)
    f.output("out", f.map("wrapped", words, lambda w: (w, [w])))
    return f


@case
def inspect_repr():
    f = F("inspect_repr")
    words = f.testing("words", ["a", "it's", 'say "hi"', "both ' and \""])
    quoted = f.inspect("quoted", words)
    f.inspect("shown", f.map("flags", quoted, lambda w: len(w) > 3))
    halves = f.map("halves", words, lambda w: float(len(w)) / 2.0)
    f.output("out", f.inspect("shown2", halves), "discard")
    return f


# ---- stateless operators --------------------------------------------------

@case
def op_map():
    f = F("op_map")
    sq = f.map("squares", f.testing("nums", [1, 2, 3, 4]), lambda x: x * x)
    f.output("out", f.map("labels", sq, lambda x: "sq=" + str(x)))
    return f


@case
def op_filter():
    f = F("op_filter")
    odd = f.filter("odd", f.testing("nums", range(12)), lambda x: x % 2 == 1)
    f.output("out", f.filter("big", odd, lambda x: x > 4))
    return f


@case
def op_filter_map():
    f = F("op_filter_map")
    words = f.testing("words", ["1", "x", "0", "", "42", "-7"])
    f.output("out", f.filter_map("ints", words,
                                 lambda w: None if w == "x" or w == "" else int(w)))
    strs = f.filter_map("strs", words, lambda w: None if w == "x" else w)
    f.output("out2", f.map("listed", strs, lambda s: [s]))
    return f


@case
def op_flat_map():
    f = F("op_flat_map")
    nums = f.testing("nums", [3, 0, 2, 1])
    f.output("out", f.flat_map("expanded", nums, lambda n: list(range(n))))
    words = f.flat_map("words", nums, lambda n: ["big", str(n)] if n > 1 else [])
    f.output("out2", words)
    return f


@case
def op_flatten():
    f = F("op_flatten")
    f.output("out", f.flatten("flat", f.testing("lists", [[1, 2], [], [3], [4, 5, 6]])))
    return f


@case
def op_inspect_chain():
    f = F("op_inspect_chain")
    before = f.inspect("before", f.testing("nums", [1, 2, 3]))
    after = f.inspect("after", f.map("doubled", before, lambda x: x * 2))
    third = f.inspect("third", f.key_on("keyed", after, lambda x: "k" + str(x)))
    f.output("out", third)
    return f


@case
def op_branch():
    f = F("op_branch")
    trues, falses = f.branch("parts", f.testing("nums", range(7)), lambda x: x % 3 == 0)
    threes = f.inspect("threes", trues)
    others = f.map("others", falses, lambda x: -x)
    f.output("out_t", threes)
    f.output("out_f", others)
    return f


@case
def op_merge2():
    f = F("op_merge2")
    a = f.testing("a", [1, 2, 3])
    b = f.testing("b", [10, 20, 30, 40, 50])
    f.output("out", f.merge("both", a, b))
    return f


@case
def op_merge3():
    f = F("op_merge3")
    a = f.testing("a", ["a1", "a2", "a3"])
    b = f.testing("b", ["b1", "b2", "b3"])
    c = f.testing("c", ["c1", "c2", "c3"])
    f.output("out", f.merge("abc", a, b, c))
    return f


@case
def op_merge_order():
    f = F("op_merge_order")
    a = f.testing("a", [1, 2, 3, 4], batch_size=2)
    b = f.testing("b", [-1, -2, -3, -4], batch_size=2)
    f.output("out", f.merge("ba", b, a))
    return f


@case
def op_key_on_rm():
    f = F("op_key_on_rm")
    keyed = f.key_on("keyed", f.testing("words", ["apple", "bob", "cherry"]),
                     lambda w: substr(w, 0, 1).upper())
    f.output("out", f.key_rm("plain", f.inspect("shown", keyed)))
    return f


@case
def op_values():
    f = F("op_values")
    keyed = f.key_on("keyed", f.testing("nums", [1, 2, 3, 4, 5, 6]),
                     lambda x: "even" if x % 2 == 0 else "odd")
    s1 = f.inspect("s1", f.map_value("scaled", keyed, lambda v: v * 100))
    s2 = f.inspect("s2", f.filter_value("big", s1, lambda v: v >= 300))
    s3 = f.inspect("s3", f.filter_map_value("halves", s2,
                                            lambda v: v // 200 if v % 200 == 0 else None))
    f.output("out", f.flat_map_value("repeated", s3, lambda v: list(range(v))))
    return f


# ---- stateful operators ---------------------------------------------------

@case
def stateful_map_sum():
    f = F("stateful_map_sum")
    keyed = f.key_on("keyed", f.testing("nums", [5, 1, 7, 2, 8, 3]),
                     lambda x: "big" if x > 4 else "small")
    sums = f.stateful_map("sums", keyed, (0, 0),
                          lambda s, x: ((s[0] + x, s[1] + 1), (s[0] + x, s[1] + 1)))
    f.output("out", sums)
    return f


@case
def stateful_one_item_order():
    f = F("stateful_one_item_order")
    inp = f.testing("inp", [1, 2, 3, 4, 5])
    other = f.testing("other", [10, 20, 30])
    keyed = f.key_on("keyed", inp, lambda x: str(x % 2))
    f.inspect("seen", other)
    sums = f.stateful_map("sums", keyed, 0, lambda acc, x: (acc + x, acc + x))
    f.output("out", sums)
    k2 = f.key_on("k2", other, lambda x: "k")
    pairs = f.stateful_flat_map("pairs", k2, 0, lambda n, x: (n + 1, [n, x]))
    f.inspect("shown", pairs)
    return f


@case
def stateful_map_reset():
    f = F("stateful_map_reset")
    keyed = f.key_on("keyed", f.testing("nums", [1, 2, 0, 3, 4, 0, 0, 5]), lambda _: "k")
    sums = f.stateful_map("sums", keyed, 100,
                          lambda s, x: (None, s) if x == 0 else (s + x, s + x))
    f.output("out", sums)
    return f


@case
def stateful_map_block():
    f = F("stateful_map_block")
    keyed = f.key_on("keyed", f.testing("words", ["x", "yy", "zzz", "a", "bb"]),
                     lambda w: "even" if len(w) % 2 == 0 else "odd")

    def step(s, w):
        n = s["n"] + 1
        nxt = dict(s, n=n, total=s["total"] + len(w), last=w)
        return nxt, nxt
    f.output("out", f.stateful_map("stats", keyed,
                                   lambda: {"n": 0, "total": 0, "last": ""}, step))
    return f


@case
def stateful_flat_map():
    f = F("stateful_flat_map")
    keyed = f.key_on("keyed", f.testing("nums", [2, 1, 3, 0, 2]), lambda _: "k")
    seen = f.stateful_flat_map("seen", keyed, lambda: [],
                               lambda s, x: (None, []) if x == 0 else (s + [x], s + [x]))
    f.output("out", seen)
    return f


@case
def stateful_round_grouping():
    f = F("stateful_round_grouping")
    words = f.testing("words", ["b1", "a1", "c1", "a2", "c2", "b2", "a3", "b3"], batch_size=4)
    keyed = f.key_on("keyed", words, lambda w: substr(w, 0, 1))
    f.output("out", f.stateful_map("seqs", keyed, "", lambda s, w: (s + w, s + w)))
    return f


@case
def collect_max_size():
    f = F("collect_max_size")
    keyed = f.key_on("keyed", f.testing("nums", range(11)),
                     lambda x: "even" if x % 2 == 0 else "odd")
    f.output("out", f.collect("lists", keyed, dur(seconds=10), 3))
    return f


def _collect_timeout(name, n, keyf):
    f = F(name, clock=T0, clock_step=S1)
    seen = f.inspect("seen", f.testing("nums", range(n)))
    keyed = f.key_on("keyed", seen, keyf)
    f.output("out", f.collect("lists", keyed, dur(seconds=3), 100))
    return f


@case
def collect_timeout():
    return _collect_timeout("collect_timeout", 12, lambda x: "early" if x < 5 else "late")


@case
def collect_timeout_restart():
    return _collect_timeout("collect_timeout_restart", 14,
                            lambda x: "a" if x % 2 == 0 and x < 8 else "b")


@case
def collect_timeout_same_round():
    f = F("collect_timeout_same_round", clock=T0, clock_step=S1)
    keyed = f.key_on("keyed", f.testing("nums", range(10)),
                     lambda x: "a" if x in (0, 3, 4) else "b")
    f.output("out", f.collect("lists", keyed, dur(seconds=3), 100))
    return f


@case
def collect_eof_keys():
    f = F("collect_eof_keys")
    words = f.testing("words", ["b", "a", "Z", "10", "9", "b", "a", "é"])
    keyed = f.key_on("keyed", words, lambda w: w)
    f.output("out", f.collect("lists", keyed, dur(hours=1), 5))
    return f


@case
def batch_op():
    f = F("batch_op")
    keyed = f.key_on("keyed", f.testing("nums", range(8)), lambda x: "x" if x < 3 else "y")
    f.output("out", f.collect("batches", keyed, dur(seconds=10), 2))
    return f


@case
def reduce_final():
    f = F("reduce_final")
    words = f.testing("words", ["pear", "fig", "plum", "kiwi", "peach", "lime"])
    keyed = f.key_on("keyed", words, lambda w: substr(w, 0, 1))
    f.output("out", f.reduce_final("joined", keyed, lambda a, b: a + "+" + b))
    return f


@case
def reduce_final_rounds():
    # Bytewax reduces a round's values of a key first, then into the state:
    # f(state, f(v1, v2)); float addition shows the grouping
    f = F("reduce_final_rounds")
    a = f.testing("a", ["a", "b", "c", "d", "e"], batch_size=3)
    b = f.testing("b", ["X", "Y", "Z"], batch_size=2)
    keyed = f.key_on("keyed", f.merge("both", a, b), lambda _: "k")
    f.output("out", f.reduce_final("tree", keyed, lambda x, y: "(" + x + "," + y + ")"))
    nums = f.testing("nums", [1e16, 1.0, 1.0, 1.0], batch_size=2)
    knums = f.key_on("knums", nums, lambda _: "n")
    f.output("out2", f.reduce_final("total", knums, lambda x, y: x + y))
    return f


@case
def fold_final():
    f = F("fold_final")
    keyed = f.key_on("keyed", f.testing("nums", [4, 9, 2, 7, 1]),
                     lambda x: "hi" if x > 3 else "lo")
    f.output("out", f.fold_final("lists", keyed, lambda: [], lambda acc, x: [x] + acc))
    return f


@case
def count_final():
    f = F("count_final")
    words = f.testing("words", ["to", "be", "or", "not", "to", "be", "To"])
    f.output("out", f.count_final("counts", words, lambda w: w))
    return f


@case
def max_min_final():
    f = F("max_min_final")
    rows = [("a", 3, 1), ("b", 5, 2), ("a", 9, 3), ("a", 9, 4), ("b", 1, 5), ("b", 1, 6)]
    scores = f.testing("scores", [{"user": u, "val": v, "seq": s} for u, v, s in rows])
    keyed = f.key_on("keyed", scores, lambda s: s["user"])
    best = f.max_final("best", keyed, by=lambda s: s["val"])
    worst = f.min_final("worst", keyed, by=lambda s: s["val"])
    f.output("out1", best)
    f.output("out2", worst)
    return f


@case
def max_min_default():
    f = F("max_min_default")
    keyed = f.key_on("keyed", f.testing("words", ["kiwi", "apple", "fig", "banana"]),
                     lambda _: "w")
    hi = f.max_final("hi", keyed)
    lo = f.min_final("lo", keyed)
    f.output("out1", hi)
    f.output("out2", lo)
    return f


@case
def max_min_final_none():
    # max_final and min_final are Bytewax reduce_finals: a None state (the
    # first value of the first round here) gives way to the next round's
    # value; within a round max/min keep the earlier value on a tie
    f = F("max_min_final_none")
    vals = f.testing("vals", [None, 3, 1, None, 2, 5], batch_size=2)
    keyed = f.key_on("keyed", vals, lambda _: "k")
    f.output("out1", f.max_final("hi", keyed, by=lambda v: 0))
    f.output("out2", f.min_final("lo", keyed, by=lambda v: 0))
    return f


@case
def keys_one():
    f = F("keys_one")
    nums = f.testing("nums", range(100))
    keyed = f.key_on("keyed", nums, lambda _: "only")
    f.output("out", f.fold_final("total", keyed, 0, lambda acc, x: acc + x))
    f.output("out2", f.count_final("counts", nums, lambda _: "only"))
    return f


@case
def keys_many():
    f = F("keys_many")
    keyed = f.key_on("keyed", f.testing("nums", range(3000)), lambda x: str(x % 1000))
    f.output("out", f.fold_final("sums", keyed, (0, 0), lambda acc, x: (acc[0] + x, acc[1] + 1)))
    return f


@case
def keys_unicode():
    f = F("keys_unicode")
    words = f.testing("words", ["z", "ключ", "a", "😀", "B", "é", "'tis", "a", "ключ"])
    f.output("out", f.count_final("counts", words, lambda w: w))
    return f


# ---- expressions ----------------------------------------------------------

@case
def expr_int_arith():
    f = F("expr_int_arith")
    pairs = f.testing("pairs", [(7, 2), (-7, 2), (7, -2), (-7, -2), (6, 3), (0, 5), (1, 7)])
    f.output("out", f.map("results", pairs, lambda p: (
        p[0] + p[1], p[0] - p[1], p[0] * p[1], div(p[0], p[1], None), p[0] // p[1], p[0] % p[1], -p[0],
        p[0] + p[1] * 2, (p[0] + p[1]) * 2, p[0] * 3 // p[1])))
    return f


@case
def expr_int_limits():
    f = F("expr_int_limits")
    nums = f.testing("nums", [9223372036854775807, 1])
    f.output("out", f.map("near", nums, lambda x: (x, x - 1, -x, -x - 1, x // 2, x / 2, x / 3, (x - 1) / x)))
    return f


@case
def expr_float_arith():
    f = F("expr_float_arith")
    xs = f.testing("xs", [0.1, 1e-05, 1e16, 100.0, 2.5, -7.5, 1e22, 0.0001, 123456789.125])
    f.output("out", f.map("r", xs, lambda x: (x, x + 0.2, x * 3.0, x / 4.0, floordiv(x, 2.0, None), x % 2.0, -x)))
    f.output("out2", f.map("z", xs, lambda x: x * 0.0 * -1.0))
    return f


@case
def expr_float_special():
    f = F("expr_float_special")
    xs = f.testing("xs", [1e308, 2.0])
    f.output("out", f.map("r", xs, lambda x: (
        x * 10.0, -(x * 10.0), float("inf"), float("-inf"), float("nan"), x * 10.0 > x)))
    return f


@case
def expr_float_literals():
    f = F("expr_float_literals")
    big, neg = 1e999, -1e999
    xs = f.testing("xs", [1e999, -1e999, 1.5])
    f.output("out", f.map("r", xs, lambda x: (x, x == big, big - 1e999, neg, 1e400 * 0.0, x < 1e999)))
    return f


@case
def stateful_append():
    f = F("stateful_append")
    nums = f.testing("nums", [1, 2, 3, 4, 5, 6, 7], batch_size=3)
    keyed = f.key_on("keyed", nums, lambda x: "even" if x % 2 == 0 else "odd")
    f.output("o1", f.fold_final("lists", keyed, lambda: [0], lambda acc, x: acc + [x, x * 10]))
    f.output("o2", f.stateful_map("texts", keyed, lambda: "", lambda acc, x: (acc + str(x), x * 2)))
    f.output("o3", f.stateful_flat_map("flat", keyed, lambda: [1.5], lambda acc, x: (acc + [float(x)], [x, -x])))
    f.output("o4", f.fold_final("doubled", keyed, lambda: [1], lambda acc, x: acc + acc))
    f.output("o5", f.fold_final("joined", keyed, lambda: "<", lambda acc, x: acc + str(x) + ","))
    return f


@case
def expr_compare():
    f = F("expr_compare")
    nums = f.testing("nums", [1, 2, 3])
    f.output("out1", f.map("ints", nums, lambda x: (x == 2, x != 2, x < 2, x <= 2, x > 2, x >= 2)))
    f.output("out2", f.map("floats", nums, lambda x: (float(x) / 2.0 < 1.0, 1.5 == float(x) / 2.0)))
    f.output("out3", f.map("strs", nums, lambda x: (
        "B" < "a", "a" < "é", "abc" < "abd", "ab" < "abc", str(x) == "2", "10" < str(x))))
    f.output("out4", f.map("times", nums, lambda x: (
        T0 + dur(seconds=2) < T0 + dur(seconds=1) * x, dur(seconds=1) * x == dur(milliseconds=2000),
        dur(minutes=1) > dur(seconds=59), True == (x == 2))))
    return f


@case
def expr_logic():
    f = F("expr_logic")
    nums = f.testing("nums", [0, 1, 5, 20])
    f.output("out", f.map("r", nums, lambda x: (
        x != 0 and 10 // x > 1, x == 0 or 10 // x == 0, not (x > 1), not x > 1 and x < 10)))
    return f


@case
def expr_if():
    f = F("expr_if")
    nums = f.testing("nums", [-5, 0, 7, 15])
    f.output("out", f.map("r", nums, lambda x: (
        "neg" if x < 0 else "zero" if x == 0 else "small" if x < 10 else "big",
        abs(x if x > 5 else -x))))
    return f


@case
def expr_string_escapes():
    f = F("expr_string_escapes")
    words = f.testing("words", ["line\nbreak", "tab\there", "back\\slash", "quote\"d", "apo's",
                                "both ' and \"", "del\x7f", "zw\u200bsp", "caf\u00e9",
                                "naïve ключ 😀"])
    shown = f.inspect("shown", words)
    f.output("out", f.map("lens", shown, lambda w: (w, len(w))))
    return f


@case
def expr_string_ops():
    f = F("expr_string_ops")
    words = f.testing("words", ["  Hello, World  ", "a,b,,c", "ÉCOLE été"])
    f.output("out1", f.map("r1", words, lambda s: (s.lower(), s.upper(), s.strip(), "<" + s + ">")))
    f.output("out2", f.map("r2", words, lambda s: (s.split(), s.split(","), len(s), len(s.strip()))))
    f.output("out3", f.map("r3", words, lambda s: (
        s.strip().startswith("Hello"), s.endswith("c"), "b,," in s, s.replace("l", "L"))))
    f.output("out4", f.map("r4", words, lambda s: (
        substr(s.strip(), 0, 5), substr(s, -3, 2), substr(s, 4, 100), substr(s, 50, 3))))
    return f


@case
def expr_findall():
    f = F("expr_findall")
    lines = f.testing("lines", ["To be, or not to be: that is the question!",
                                "it's 42\u00a0times\u2003over", "a=1; b=22; c=333"])
    f.output("out1", f.map("words", lines, lambda l: re.findall(r'[^\s!,.?":;0-9]+', l.lower())))
    f.output("out2", f.map("nums", lines, lambda l: re.findall(r"[0-9]+", l)))
    f.output("out3", f.map("keys", lines, lambda l: re.findall(r"(\w)=\d", l)))
    return f


@case
def expr_records():
    f = F("expr_records")
    pts = f.map("pts", f.testing("nums", [1, 2]), lambda n: {"x": n, "y": n * 10})
    f.output("out1", pts)
    named = f.map("named", pts, lambda p: {"name": "p" + str(p["x"]), "at": p,
                                           "tags": ["t", str(p["y"])]})
    f.output("out2", named)
    f.output("out3", f.map("parts", named, lambda r: (r["name"], r["at"]["y"], [r["at"]], r["tags"])))
    return f


@case
def expr_with():
    f = F("expr_with")
    ev = f.map("ev", f.testing("nums", [1, 2]),
               lambda n: {"user": "u" + str(n), "val": n, "seen": False})
    f.output("out", f.map("both", ev, lambda e: (
        e, dict(e, val=e["val"] + 100), dict(e, seen=True, user="x"))))
    return f


@case
def expr_tuples():
    f = F("expr_tuples")
    pairs = f.testing("pairs", [("a", 1), ("b", 2)])
    f.output("out", f.map("r", pairs, lambda p: (
        p[1], p[0], (p, (p[0] + p[0], 1.5, True)), ((p[1], p[1]), p)[0][1])))
    return f


@case
def expr_lists():
    f = F("expr_lists")
    nums = f.testing("nums", [0, 1, 3])
    R = lambda n: list(range(n))
    f.output("out1", f.map("r", nums, lambda n: (R(n), R(n) + [9, 9], len(R(n)), sum(R(n)))))
    f.output("out2", f.map("nested", nums, lambda n: [R(n), [], [n]]))
    f.output("out3", f.map("strs", nums, lambda n: (
        ["x"] + (["y", "it's"] if n > 0 else []), [0.5, float(n)])))
    return f


@case
def expr_optional():
    f = F("expr_optional")
    nums = f.testing("nums", [0, 1, 2])
    users = f.map("users", nums, lambda n: None if n == 0 else {"name": "u" + str(n), "age": n * 20})

    def fld(u, k):
        return None if u is None else u[k]

    def co(x, d):
        return d if x is None else x
    f.output("out", f.map("r", users, lambda u: (
        u, fld(u, "name"), co(fld(u, "age"), -1), co(fld(u, "name"), "anon"))))
    f.output("out2", f.map("maybe", nums, lambda n: None if n == 1 else n))
    return f


@case
def expr_block():
    f = F("expr_block")

    def body(n):
        sq = n * n
        q, rem = sq // 7, sq % 7
        sq = sq + 1
        return (sq, q, rem)
    f.output("out", f.map("r", f.testing("nums", [3, 10]), body))
    return f


@case
def expr_lambda_destructure():
    f = F("expr_lambda_destructure")
    pairs = f.testing("pairs", [("a", (1, 2.5)), ("b", (3, 0.5))])
    f.output("out1", f.map("r", pairs, lambda p: (p[0], p[1][0] * 2, p[1][1] * 2.0)))
    f.output("out2", f.map("ks", pairs, lambda p: p[0]))
    f.output("out3", f.map("sums", pairs, lambda p: float(p[1][0]) + p[1][1]))
    return f


@case
def expr_fn_const():
    f = F("expr_fn_const")
    BASE, LABEL, LIMIT = 1000, "item", 2

    def double(x):
        return x * 2
    nums = f.testing("nums", [1, 2, 3])
    f.output("out1", f.map("doubled", nums, double))
    f.output("out2", f.map("texts", nums, lambda x: LABEL + "#" + str(double(x) + BASE)))
    keyed = f.key_on("keyed", nums, lambda _: LABEL)
    f.output("out3", f.stateful_map("prev", keyed, BASE, lambda s, x: (s + x, s)))
    f.output("out4", f.collect("lists", keyed, dur(seconds=10), LIMIT))
    return f


# ---- built-ins ------------------------------------------------------------

@case
def builtin_convert():
    f = F("builtin_convert")
    nums = f.testing("nums", [-3, 0, 42])
    f.output("out1", f.map("strs", nums, lambda x: (str(x), str(float(x) / 4.0), str(x > 0), str(x) + "!")))
    f.output("out2", f.map("ints", nums, lambda x: (
        int(" " + str(x) + " "), int(float(x) / 4.0), int(-2.9), int("+17"))))
    f.output("out3", f.map("floats", nums, lambda x: (float(x), float("2.5"), float("1e3"), float(str(x)))))
    return f


@case
def builtin_math():
    f = F("builtin_math")
    xs = f.testing("xs", [-2.5, -0.5, 0.5, 1.5, 2.5, 2.675])
    f.output("out1", f.map("r", xs, lambda x: (abs(x), math.floor(x), round(x), min(x, 1.0), max(x, 1.0))))
    nums = f.testing("nums", [-7, 0, 9])
    f.output("out2", f.map("s", nums, lambda n: (
        abs(n), min(n, 3), max(n, 3), math.sqrt(float(abs(n))), sum([n, n, 1]), len([n]), min("b", "a"))))
    return f


@case
def builtin_range_sum():
    f = F("builtin_range_sum")
    nums = f.testing("nums", [-1, 0, 4])
    f.output("out", f.map("r", nums, lambda n: (
        list(range(n)), sum(range(n)), sum([0.5, 0.25, 1.0]), sum(range(n)) * 2)))
    return f


# ---- time -----------------------------------------------------------------

@case
def time_timestamps():
    f = F("time_timestamps")
    t = f.map("ts", f.testing("offs", [0, 4, 90061]), lambda s: T0 + dur(seconds=1) * s)
    f.output("out1", t)
    f.output("out2", f.map("r", t, lambda t: (
        t, t - dur(days=1), t + dur(milliseconds=250), ts("2022-01-01T00:00:00.250+02:00"))))
    return f


@case
def time_durations():
    f = F("time_durations")
    ns = f.testing("ns", [0, 1, -1])
    f.output("out1", f.map("r", ns, lambda n: (
        dur(seconds=10) * n, dur(microseconds=250) * n, dur(seconds=1.5) * n,
        dur(minutes=2) * n, dur(hours=1) * n, dur(days=1) * n)))
    f.output("out2", f.map("diffs", ns, lambda n: (ts("2022-01-01T00:00:04Z") + S1 * n) - T0))
    f.output("out3", f.map("big", ns, lambda n: dur(days=1) * n + dur(hours=3) + dur(milliseconds=5)))
    return f


@case
def time_builtins():
    f = F("time_builtins", clock=T0, clock_step=S1)

    def parse(t):
        d = ts(t.replace(" ", "T"))
        return d if d.tzinfo else d.replace(tzinfo=T0.tzinfo)
    texts = f.testing("texts", ["2022-01-01T00:00:00Z", "2023-06-30 12:30:45",
                                "2024-02-29T23:59:59.999999-01:00"])
    f.output("out", f.map("r", texts, lambda t: (parse(t), f.now, f.now - parse(t) > dur())))
    return f


@case
def time_clock_start():
    f = F("time_clock_start", clock=ts("2030-05-17T10:20:30Z"), clock_step=dur(minutes=1))
    f.output("out", f.map("r", f.testing("nums", range(3)), lambda x: (x, f.now)))
    return f


# ---- run-time errors ------------------------------------------------------

@case
def error_overflow_add():
    n = "error_overflow_add"
    f = F(n)
    L = loc(n, "x + 1")
    f.output("out", f.map("bumped", f.testing("nums", [1, 2, 9223372036854775807, 3]),
                          lambda x: add(x, 1, L)))
    return f


@case
def error_overflow_mul():
    n = "error_overflow_mul"
    f = F(n)
    L = loc(n, "s * x")
    keyed = f.key_on("keyed", f.testing("nums", [1000000] * 4 + [2]), lambda _: "p")
    f.output("out", f.stateful_map("prod", keyed, 1, lambda s, x: (mul(s, x, L), mul(s, x, L))))
    return f


@case
def error_overflow_div():
    n = "error_overflow_div"
    f = F(n)
    L = loc(n, "MIN // d")
    MIN = -9223372036854775807 - 1
    f.output("out", f.map("r", f.testing("nums", [1, -1]), lambda d: (div(MIN, d, L), floordiv(MIN, d, L))))
    return f


@case
def error_div_zero():
    n = "error_div_zero"
    f = F(n)
    L = loc(n, "100 / x")
    seen = f.inspect("seen", f.testing("nums", [4, 2, 0, 1]))
    f.output("out", f.map("q", seen, lambda x: div(100, x, L)))
    return f


@case
def error_mod_zero():
    n = "error_mod_zero"
    f = F(n)
    L = loc(n, "7 % x")
    f.output("out", f.filter("odd", f.testing("nums", [5, 3, 0]), lambda x: mod(7, x, L) == 1))
    return f


# ---- dicts, sets, one-element tuples (issue 17 item 2) ----------------------

def put(d, k, v):
    """d with { [k]: v }: a copy, an existing key keeping its place."""
    c = dict(d)
    c[k] = v
    return c


@case
def dict_inplace():
    f = F("dict_inplace")
    words = f.testing("words", ["a", "b", "a", "c", "b", "a", "d", "a", "e", "b"], batch_size=3)
    keyed = f.key_on("keyed", words, lambda w: "low" if w < "c" else "high")
    f.output("out1", f.stateful_map("before", keyed, {},
                                    lambda acc, w: (put(acc, w, acc.get(w, 0) + 1), acc.get(w, 0))))

    def pair(acc, w):
        n = acc.get(w, 0) + 10
        total = sum(acc.values())
        return put(acc, w, n), [n, total]
    f.output("out2", f.stateful_flat_map("pairs", keyed, {}, pair))

    def fold(acc, w):
        k = w.upper()
        return put(acc, k, acc.get(k, 0) + len(acc))
    f.output("out3", f.fold_final("final", keyed, {}, fold))
    return f


@case
def dict_counts():
    f = F("dict_counts")
    clicks = f.testing("clicks", [("ann", "home"), ("bob", "cart"), ("ann", "cart"), ("ann", "home"),
                                  ("bob", "cart"), ("cat", "x"), ("ann", "help")])
    pages = f.map_value("pages", f.key_on("keyed", clicks, lambda c: c[0]), lambda c: c[1])

    def step(acc, p):
        acc = put(acc, p, acc.get(p, 0) + 1)
        return acc, (len(acc), acc)
    f.output("out", f.stateful_map("counts", pages, {}, step))
    final = f.fold_final("final", pages, {}, lambda acc, p: put(acc, p, acc.get(p, 0) + 1))
    f.output("out2", f.map_value("totals", final, lambda d: (sum(d.values()), sorted(d), list(d.items()))))
    return f


@case
def dict_ops():
    f = F("dict_ops")
    nums = f.testing("nums", [1, 2, 3])
    lit = f.map("lit", nums, lambda n: {"b": n, "a": n * 10, "b": -n})  # noqa: F601 (as the .flow)
    f.output("o1", lit)
    f.output("o2", f.map("look", lit, lambda d: (d["a"], d.get("b"), d.get("zz"), d.get("zz", 0), "a" in d,
                                                  "zz" not in d, len(d))))

    def rm(d, k):
        return {x: v for x, v in d.items() if x != k}
    f.output("o3", f.map("upd", lit, lambda d: (put(d, "a", 0), put(put(d, "c", 3), "b", 7), rm(d, "b"),
                                                 rm(d, "nope"))))
    f.output("o4", f.map("views", lit, lambda d: (list(d), list(d.values()), list(d.items()), sorted(d),
                                                   dict(d.items()) == d, {"a": 1, "b": 2} == {"b": 2, "a": 1},
                                                   {"a": 1} != {"a": 2})))
    other = f.map("other", nums, lambda n: ({n: "x", -n: "y"}, {(n, "t"): [n, n], (0, "u"): []},
                                            {"in": {"deep": n}}["in"]["deep"], dict([("k", n), ("j", 2), ("k", 5)]),
                                            {}, {"a": n} if n > 1 else {}))
    f.output("o5", other)
    f.output("o6", f.flat_map("ks", lit, lambda d: list(d)))
    f.output("js", other, "json")
    return f


@case
def set_ops():
    f = F("set_ops")
    nums = f.testing("nums", [5, 8, 13, 1000000007, -1])
    f.output("o1", f.map("small", nums, lambda n: (
        FSet([n, 8, 5]), FSet([n]), FSet([1, 2]).add(n), FSet([5, 8, 13], literal=True).remove(n),
        n in FSet([5, 8]), n not in FSet([5, 8]))))
    f.output("o2", f.map("lits", nums, lambda n: (
        FSet([1, 2, 3, 100, 200, 300], literal=True),
        FSet([900000, 31, 64, 7, 100000000000, 12, 5], literal=True),
        FSet([n, 900000, 31, 64, 7, 100000000000, 12, 5]))))
    f.output("o3", f.map("grow", nums, lambda n: FSet(range(n % 40)) == FSet(range(n % 40))))
    f.output("o4", f.map("conv", nums, lambda n: (
        FSet([n * 3, n, n * 3, 33, -7]), FSet({"x": n, "y": 2}) == FSet(["y", "x"]),
        sorted(FSet([n, 3, -2], literal=True)), len(FSet([n, n, 4])), FSet([(n, 1), (2, n)]),
        FSet([0.5, float(n), 1e300]), FSet())))
    f.output("o5", f.flat_map("each", nums, lambda n: list(FSet([n, 64, 3]))))

    def seen(s, n):
        s = s.add(n % 1000).add(8 * n % 1000)
        s = s.remove(8 * 5) if len(s) > 5 else s
        return s, s
    f.output("o6", f.stateful_map("seen", f.key_on("keyed", nums, lambda _: "all"), FSet(), seen))
    return f


@case
def set_strings():
    f = F("set_strings")
    words = f.testing("words", ["the quick brown fox", "jumps over the lazy dog the end"])
    f.output("out", f.map("sets", words, lambda w: (FSet(w.split()), sorted(FSet(w.split())),
                                                    len(FSet(w.split())), "the" in FSet(w.split()))))
    return f


@case
def tuple_one():
    f = F("tuple_one")
    nums = f.testing("nums", [(1,), (2,)])
    f.output("out", f.map("more", nums, lambda t: ((t[0] + 1,), [(t[0],)], ((t[0], "x"),), t[0])))
    f.output("out2", f.map("typed", nums, lambda t: t[0] * 10))
    return f


@case
def error_key_missing():
    n = "error_key_missing"
    f = F(n)
    L = loc(n, '{"a": 1')

    def get(k):
        d = {"a": 1, "b": 2}
        if k not in d:
            raise StepError(L, "KeyError: %r" % k)
        return d[k]
    f.output("out", f.map("v", f.testing("keys", ["a", "b", "it's"]), get))
    return f


# ---- json values (issue 17 item 5) --------------------------------------------
# A `json` value is what json.loads returns: Python's own dicts, lists,
# str, int, float, bool and None, so the .flow expressions transcribe to
# Python's operations on them directly.

@case
def json_values():
    f = F("json_values")
    ev = f.file_json("events", os.path.join(RUN, "data/events.jsonl"))
    f.output("all", ev)
    f.output("o1", f.map("fields", ev, lambda j: (j["user"], j["tags"], j.get("note"), j.get("zz", 0), j.get("zz", "d"),
                                                   j.get("ok", False), len(j), "a" in j, "meta" not in j)))
    f.output("o2", f.map("conv", ev, lambda j: (str(j["user"]), str(j["n"]), float(j["score"]), bool(j["ok"]),
                                                 len(j["tags"]), j["tags"] == json.loads('["home", "cart"]'),
                                                 j["n"] == 3)))
    f.output("o3", f.map("nums", ev, lambda j: 0 if j["user"] == "bob" else int(j["n"]) + 1))
    f.output("o4", f.map("views", ev, lambda j: (list(j.keys()), list(j.values())[0], list(j.items())[1],
                                                  list(j.keys())[-1])))
    f.output("o5", f.flat_map("tags", ev, lambda j: j["tags"]))
    f.output("o6", f.flat_map("ks", ev, lambda j: list(j)))
    f.output("o7", f.filter_map("deep", ev, lambda j: j["meta"]["k"][-1]["z"] if "meta" in j else "none"))
    f.output("o8", f.map("fs", ev, lambda j: f"{j['user']}: {j['tags']!r} {j['score']} {float(j['score']):.1f} {j}"))
    f.output("o8b", f.map("fmt", ev, lambda j: (format(j["tags"]), f"{j['tags']!r:>30}|{j['tags']!s:<5}|",
                                                  format(j["user"]))))
    keyed = f.key_on("keyed", ev, lambda j: str(j["user"]))

    def seen(acc, j):
        n = int(acc["n"]) + 1
        s = json.loads('{"n": %d, "last": %d}' % (n, len(j)))
        return s, (s, s["n"] == 1.0, 1 in j["tags"], "x" in j["tags"], "a" in j["user"])
    f.output("o9", f.stateful_map("seen", keyed, json.loads('{"n": 0, "last": null}'), seen))
    made = f.map("made", ev, lambda j: [1, 2.5, "é\n", True, 1e22, -0.0, math.inf, [], {"a": {}, "b": 1}])
    f.output("o10", made)
    rt = lambda v: json.loads(json.dumps(v))  # noqa: E731 - json(x) of a non-scalar
    f.output("o11", f.map("built", ev, lambda j: (rt([len(j), 2]), rt({"who": str(j["user"]), "at": (len(j), 0.5), "note": None}),
                                                  rt({"k": (len(j), "v")}), None if len(j) > 6 else 3.5, list(j.keys()))))
    f.output("js", ev, "json")
    f.output("js2", made, "json")
    return f


@case
def error_json_key():
    n = "error_json_key"
    f = F(n)
    L = loc(n, 'j["user"]')
    docs = f.testing("docs", [{"user": "ann", "n": 1}, {"user": "it's"}, {"n": 3}])

    def ns(j):
        if "user" not in j:
            raise StepError(L, "KeyError: %r" % "user")
        return (str(j["user"]), int(j.get("n", 0)))
    f.output("out", f.map("ns", docs, ns))
    return f


# ---- string formatting (issue 17 item 3) ------------------------------------

@case
def format_fstrings():
    f = F("format_fstrings")
    temps = f.testing("temps", [("lab", 21.25), ("attic", 30.0), ("lab", 22.5), ("cellar", -2.675), ("attic", 31.0)])
    vals = f.map_value("vals", f.key_on("keyed", temps, lambda t: t[0]), lambda t: t[1])

    def step(acc, v):
        s = (acc[0] + v, acc[1] + 1)
        return s, s[0] / float(s[1])
    means = f.stateful_map("means", vals, (0.0, 0), step)
    f.output("out", f.map("shown", means, lambda km: (lambda k, mean: (
        f"{k}={mean:.1f} [{k:>8}|{mean:+09.3f}|{mean:e}|{mean:.2%}] {k!r} {mean=}"))(*km)))
    nums = f.testing("nums", [0, 7, -42, 1234567, 255, -9223372036854775807 - 1])
    f.output("out2", f.map("ints", nums, lambda n: (
        format(n, ">8,"), format(n, "#x"), format(n, "#_b"), format(n, "+08_"), format(n, "^9"), format(n, "e"),
        f"{n:o}|{n:X}|{n:,}|{n:=+12}|{n:*<7}", format(n))))
    floats = f.testing("floats", [2.675, 0.1, 1e16, -0.0, 123456.789, 1.5e-7, 5e-324, 1e300])
    f.output("out3", f.map("fl", floats, lambda x: (
        format(x, ".2f"), format(x, ".3g"), format(x, ""), format(x, ".1"), format(x, ",.2f"), format(x, "z.1f"),
        format(x, "#.0f"), format(x, "G"), f"{x!s:>12}|{x!r}", format(x, "010.4"))))
    strs = f.testing("strs", ["a", "héllo", ""])
    f.output("out4", f.map("st", strs, lambda s: (
        format(s, "*^9"), format(s, ".2"), format(s, "<4"), f"{s:>6}|{s!r:^9}|{len(s)=}", f"{{{s}}}")))
    return f


@case
def string_methods():
    f = F("string_methods")
    lines = f.testing("lines", ["  alpha beta  gamma delta ", "x,y,,z", "--42--", "+7"])
    f.output("out", f.map("r", lines, lambda l: (
        l.split(None, 1), l.split(None, 0), l.split(",", 1), l.split(",", 0), l.split(",", -1), "|".join(l.split()),
        "+".join(l.split(",")), l.strip("-"), l.lstrip(" -"), l.rstrip(), l.strip(), l.strip("-").zfill(6),
        l.zfill(2))))
    return f
