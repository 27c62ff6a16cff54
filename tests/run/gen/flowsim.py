"""flowsim - the test oracle: a small Python model of a .flow dataflow.

It reproduces Bytewax's single-worker execution (docs/semantics.md §3-§11)
with plain Python values, so that Python's own str()/repr() print every
expected line.  Nothing here runs or reads flowc: expected outputs of
tests/run are computed from this model and the per-case code in cases.py.

Model of a run (docs/language.md, "Execution"):
  * round k (k = 0, 1, ...) has the clock  clock + k * clock_step;
  * each live input is polled once per round, in declaration order; a
    testing source gives up to batch_size items; a poll that finds the
    source exhausted (and collected nothing) reports EOF instead;
  * every step then runs once, in declaration order, on all items that
    reached it this round (merge: upstreams in argument order);
  * a stateful step applies the round's items grouped by key (keys in
    ascending UTF-8 byte order), then fires the timers that were due,
    then, when all of its inputs are at EOF, flushes every key (ascending).
Values: int/float/bool/str/None, tuple, list, dict (records),
datetime (timestamps, UTC), timedelta (durations).
"""
import datetime as _dt
import json as _json

UTC = _dt.timezone.utc
T0 = _dt.datetime(2022, 1, 1, tzinfo=UTC)
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1


def ts(s):
    """A timestamp literal @s (RFC 3339) as an aware UTC datetime."""
    return _dt.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(UTC)


def dur(**kw):
    return _dt.timedelta(**kw)


class StepError(Exception):
    """A run-time error raised by user code: LOC is 'LINE:COL'."""
    def __init__(self, loc, msg):
        super().__init__(msg)
        self.loc, self.msg = loc, msg


def chk(v, loc, op):
    """The int result V of operator OP, or the overflow error."""
    if not INT_MIN <= v <= INT_MAX:
        raise StepError(loc, "integer overflow in '%s'" % op)
    return v


def add(a, b, loc):
    return chk(a + b, loc, "+")


def sub(a, b, loc):
    return chk(a - b, loc, "-")


def mul(a, b, loc):
    return chk(a * b, loc, "*")


def div(a, b, loc):
    """Python 3's a / b: true division, an int divided by an int is a float."""
    if b == 0:
        raise StepError(loc, "division by zero")
    return a / b


def floordiv(a, b, loc):
    """a // b: floor division of ints (checked) or floats."""
    if b == 0:
        raise StepError(loc, "division by zero")
    return chk(a // b, loc, "//") if isinstance(a, int) else a // b


def mod(a, b, loc):
    if b == 0:
        raise StepError(loc, "division by zero")
    return a % b


# ---- sets: CPython 3.11's set table, with flowc's hashes --------------------
#
# A set<T> iterates in the order of CPython 3.11's table (Objects/
# setobject.c).  For values whose hash CPython does not seed (ints,
# floats, tuples of them) flowc's order is CPython's own, and FSet checks
# itself against a real Python set built the same way.  Strings hash with
# FNV-1a in flowc (CPython seeds its string hash per process), None with
# CPython 3.12's constant, timestamps as their microseconds: for those the
# table below, a transcription of CPython's, is the oracle.

LINEAR_PROBES, PERTURB_SHIFT, M64 = 9, 5, (1 << 64) - 1


def _fnv(s):
    h = 0xcbf29ce484222325
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x100000001b3) & M64
    h = h - (1 << 64) if h >= 1 << 63 else h
    return -2 if h == -1 else h


def _tuplehash(hs):
    acc = 2870177450012600261
    for lane in hs:
        acc = (acc + (lane & M64) * 14029467366897019727) & M64
        acc = ((acc << 31) | (acc >> 33)) & M64
        acc = (acc * 11400714785074694791) & M64
    acc = (acc + (len(hs) ^ (2870177450012600261 ^ 3527539))) & M64
    if acc == M64:
        return 1546275796
    return acc - (1 << 64) if acc >= 1 << 63 else acc


def fhash(x):
    """flowc's hash() of a set element."""
    if isinstance(x, str):
        return _fnv(x)
    if x is None:
        return 0xFCA86420
    if isinstance(x, tuple):
        return _tuplehash([fhash(e) for e in x])
    if isinstance(x, _dt.datetime):
        us = (x - _dt.datetime(1970, 1, 1, tzinfo=UTC)) // _dt.timedelta(microseconds=1)
        return hash(us)
    if isinstance(x, float) and x != x:
        return 0
    return hash(x)


def _cpython_hash(x):
    """Is fhash(x) CPython's own hash(x)?"""
    if isinstance(x, (str, _dt.datetime)) or x is None or (isinstance(x, float) and x != x):
        return False
    if isinstance(x, tuple):
        return all(_cpython_hash(e) for e in x)
    return True


class FSet:
    """An immutable set value as flowc keeps it: the table (None empty,
    'D' dummy, (hash, elem) active), mask, used, fill."""

    def __init__(self, items=(), literal=False):
        self.table, self.mask, self.used, self.fill = [None] * 8, 7, 0, 0
        items = list(items)
        for x in items:
            self._ins(x)
        if literal and len(items) >= 3:
            again = FSet([e[1] for e in self.table if e is not None and e != "D"])
            self.table, self.mask, self.used, self.fill = again.table, again.mask, again.used, again.fill
            self._merge_literal()
        # the history of adds and removes, replayed on a real set (as a
        # Bytewax program changes its state in place) to check the order
        self.hist = [("lit" if literal else "new", items)]
        self.cpython = all(_cpython_hash(x) for x in items)

    def _copy(self):
        c = FSet.__new__(FSet)
        c.table, c.mask, c.used, c.fill = list(self.table), self.mask, self.used, self.fill
        c.hist, c.cpython = list(self.hist), self.cpython
        return c

    def _find(self, x, h):
        """(index of x or -1, where an add would put it)"""
        mask, i, perturb, free = self.mask, h & M64 & self.mask, h & M64, -1
        while True:
            probes = LINEAR_PROBES if i + LINEAR_PROBES <= mask else 0
            j = i
            while True:
                e = self.table[j]
                if e is None:
                    return -1, (free if free >= 0 else j)
                if e == "D":
                    free = j
                elif e[0] == h and e[1] == x:
                    return j, j
                j += 1
                if probes == 0:
                    break
                probes -= 1
            perturb >>= PERTURB_SHIFT
            i = (i * 5 + 1 + perturb) & mask

    def _ins(self, x):
        h = fhash(x)
        i, at = self._find(x, h)
        if i >= 0:
            return
        fresh = self.table[at] is None
        self.table[at] = (h, x)
        self.used += 1
        if fresh:
            self.fill += 1
            if self.fill * 5 >= self.mask * 3:
                self._resize(self.used * 2 if self.used > 50000 else self.used * 4)

    def _rebuilt(self, newsize):
        table, mask = [None] * newsize, newsize - 1
        for e in self.table:
            if e is None or e == "D":
                continue
            perturb, i = e[0] & M64, e[0] & M64 & mask
            while True:
                if table[i] is None:
                    break
                if i + LINEAR_PROBES <= mask:
                    k = next((i + k for k in range(1, LINEAR_PROBES + 1) if table[i + k] is None), None)
                    if k is not None:
                        i = k
                        break
                perturb >>= PERTURB_SHIFT
                i = (i * 5 + 1 + perturb) & mask
            table[i] = e
        self.table, self.mask, self.fill = table, mask, self.used

    def _resize(self, minused):
        newsize = 8
        while newsize <= minused:
            newsize <<= 1
        if newsize == 8 and self.mask == 7 and self.fill == self.used:
            return
        self._rebuilt(newsize)

    def _merge_literal(self):
        if self.used * 5 < 21:
            return
        newsize = 8
        while newsize <= self.used * 2:
            newsize <<= 1
        if newsize != self.mask + 1:
            self._rebuilt(newsize)

    def add(self, x):
        c = self._copy()
        c._ins(x)
        c.hist.append(("+", x))
        c.cpython = c.cpython and _cpython_hash(x)
        return c

    def remove(self, x):
        i, _ = self._find(x, fhash(x))
        if i < 0:
            return self
        c = self._copy()
        c.table[i] = "D"
        c.used -= 1
        c.hist.append(("-", x))
        return c

    def __iter__(self):
        out = [e[1] for e in self.table if e is not None and e != "D"]
        if self.cpython:
            assert out == list(self._real()), (out, list(self._real()))
        return iter(out)

    def _real(self):
        kind, items = self.hist[0]
        real = eval("{%s}" % ", ".join(map(repr, items))) if kind == "lit" and items else set(items)
        for op, x in self.hist[1:]:
            if op == "+":
                real.add(x)
            else:
                real.discard(x)
        return real

    def __len__(self):
        return self.used

    def __contains__(self, x):
        return self._find(x, fhash(x))[0] >= 0

    def __eq__(self, o):
        return isinstance(o, FSet) and set(self) == set(o)

    def __repr__(self):
        return "{%s}" % ", ".join(map(repr, self)) if self.used else "set()"


def _jsonable(x):
    """X as the json format writes it (docs/io.md): a dict with string keys
    an object, other dicts [[key, value], ...], tuples and sets arrays."""
    if isinstance(x, dict):
        if all(isinstance(k, str) for k in x):
            return {k: _jsonable(v) for k, v in x.items()}
        return [[_jsonable(k), _jsonable(v)] for k, v in x.items()]
    if isinstance(x, (list, tuple, FSet)):
        return [_jsonable(e) for e in x]
    return x


def keyorder(keys):
    return sorted(keys, key=lambda k: k.encode("utf-8"))


class Stream:
    def __init__(self, step, port=0):
        self.step, self.port = step, port


class Step:
    stateful = False

    def __init__(self, flow, sid, ups):
        self.flow, self.sid, self.ups = flow, sid, ups
        self.downs = [[], []]           # per output port: (step, arg index)
        self.inbox = {}
        for i, u in enumerate(ups):
            u.step.downs[u.port].append((self, i))
        self.sources = set()
        for u in ups:
            self.sources |= u.step.sources

    def out(self, port=0):
        return Stream(self, port)

    def take(self):
        items = []
        for i in sorted(self.inbox):
            items += self.inbox[i]
        self.inbox = {}
        return items

    def emit(self, items, port=0):
        for (d, i) in self.downs[port]:
            d.inbox.setdefault(i, []).extend(items)


class Marker:
    """TestingSource.EOF() / ABORT() in a testing list (bytewax.testing)."""
    def __init__(self, kind):
        self.kind = kind


EOF = Marker("EOF")
ABORT = Marker("ABORT")


class Flow:
    def __init__(self, name, src="", clock=T0, clock_step=_dt.timedelta(0)):
        self.name, self.src = name, src
        self.clock, self.clock_step = clock, clock_step
        self.steps, self.lines, self.err, self.status = [], [], "", 0
        self.now = clock

    def _add(self, step):
        self.steps.append(step)
        return step

    # ---- sources -------------------------------------------------------
    def testing(self, sid, items, batch_size=1):
        s = Step(self, sid, [])
        s.kind, s.items, s.pos, s.bs, s.done = "testing", list(items), 0, batch_size, False
        s.sources = {s}
        return self._add(s).out()

    def file_lines(self, sid, path, batch_size=1000):
        with open(path, "rb") as f:
            data = f.read().decode("utf-8")
        lines = data.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return self.testing(sid, lines, batch_size)

    def file_json(self, sid, path, batch_size=1000):
        """A jsonl file read without a record: each line json.loads'd
        (blank lines skipped, as the jsonl format does): the `json` type."""
        with open(path, "rb") as f:
            data = f.read().decode("utf-8")
        lines = [ln for ln in data.split("\n") if ln not in ("", "\r")]
        return self.testing(sid, [_json.loads(ln) for ln in lines], batch_size)

    # ---- stateless -----------------------------------------------------
    def _stateless(self, sid, up, fn):
        s = Step(self, sid, [up])
        s.fn = fn
        return self._add(s).out()

    def map(self, sid, up, f):
        return self._stateless(sid, up, lambda xs: [f(x) for x in xs])

    def filter(self, sid, up, p):
        return self._stateless(sid, up, lambda xs: [x for x in xs if p(x)])

    def filter_map(self, sid, up, f):
        return self._stateless(sid, up, lambda xs: [y for y in map(f, xs) if y is not None])

    def flat_map(self, sid, up, f):
        return self._stateless(sid, up, lambda xs: [y for x in xs for y in f(x)])

    def flatten(self, sid, up):
        return self._stateless(sid, up, lambda xs: [y for x in xs for y in x])

    def inspect(self, sid, up):
        def fn(xs):
            for x in xs:
                self.lines.append("%s.%s: %r" % (self.name, sid, x))
            return xs
        return self._stateless(sid, up, fn)

    def flat_map_batch(self, sid, up, f):
        # the round's items at this step, when there are any, as one batch
        return self._stateless(sid, up, lambda xs: list(f(list(xs))) if xs else [])

    def inspect_debug(self, sid, up, epoch_interval=_dt.timedelta(seconds=10)):
        # Bytewax's default debug inspector; one worker; epochs counted from
        # 1 by whole intervals of the (pinned) clock since the first round
        def fn(xs):
            epoch = 1 + (self.now - self.clock) // epoch_interval
            for x in xs:
                self.lines.append("%s.%s W0 @%d: %r" % (self.name, sid, epoch, x))
            return xs
        return self._stateless(sid, up, fn)

    def enrich_cached(self, sid, up, getter, mapper, ttl=None):
        # Bytewax's TTLCache, made once for the step: a key's value is the
        # getter's, got again when absent or older than ttl (now - t > ttl),
        # now being the round's clock; mapper(cache, x) for each item
        flow = self

        class Cache:
            def __init__(self):
                self.d = {}

            def get(self, k):
                now = flow.now
                if k in self.d:
                    t, v = self.d[k]
                    if ttl is None or not now - t > ttl:
                        return v
                v = getter(k)
                self.d[k] = (now, v)
                return v

        cache = Cache()
        return self._stateless(sid, up, lambda xs: [mapper(cache, x) for x in xs])

    def raises(self, sid, up, loc):
        def fn(xs):
            for x in xs:
                raise StepError(loc, "`raises` step %r got an item: %r" % (sid, x))
            return []
        return self._stateless(sid, up, fn)

    def key_on(self, sid, up, f):
        return self.map(sid, up, lambda x: (f(x), x))

    def key_rm(self, sid, up):
        return self.map(sid, up, lambda kv: kv[1])

    def map_value(self, sid, up, f):
        return self.map(sid, up, lambda kv: (kv[0], f(kv[1])))

    def filter_value(self, sid, up, p):
        return self.filter(sid, up, lambda kv: p(kv[1]))

    def filter_map_value(self, sid, up, f):
        def g(kv):
            w = f(kv[1])
            return None if w is None else (kv[0], w)
        return self.filter_map(sid, up, g)

    def flat_map_value(self, sid, up, f):
        return self.flat_map(sid, up, lambda kv: [(kv[0], w) for w in f(kv[1])])

    def branch(self, sid, up, p):
        s = Step(self, sid, [up])
        s.kind, s.pred = "branch", p
        self._add(s)
        return s.out(0), s.out(1)

    def merge(self, sid, *ups):
        s = Step(self, sid, list(ups))
        s.fn = lambda xs: xs
        return self._add(s).out()

    def output(self, sid, up, sink="stdout"):
        def fn(xs):
            if sink == "stdout":
                self.lines.extend(str(x) for x in xs)
            elif sink == "json":
                self.lines.extend(_json.dumps(_jsonable(x), ensure_ascii=False) for x in xs)
            return []
        return self._stateless(sid, up, fn)

    # ---- stateful ------------------------------------------------------
    def _stateful(self, sid, up, logic):
        """LOGIC(key) -> object with on_item(v, now) -> (outs, discard),
        notify_at(), on_notify(), on_eof() (each -> outs, discard)."""
        s = Step(self, sid, [up])
        s.stateful, s.logic, s.live, s.sched = True, logic, {}, {}
        return self._add(s).out()

    def stateful_flat_map(self, sid, up, init, f):
        class L:
            def __init__(self, key):
                self.state = init() if callable(init) else init

            def on_eof(self):
                return [], False

            def on_item(self, v, now):
                ns, outs = f(self.state, v)
                self.state = ns
                return list(outs), ns is None
        return self._stateful(sid, up, L)

    def stateful_batch(self, sid, up, init, on_batch, on_eof=None):
        """Bytewax's StatefulBatchLogic: ON_BATCH(state, values) and
        ON_EOF(state) return (new state or None to discard, [outs])."""
        class L:
            batch = True

            def __init__(self, key):
                self.state = init

            def on_item(self, vs, now):
                ns, outs = on_batch(self.state, vs)
                self.state = ns
                return list(outs), ns is None

            def on_eof(self):
                if on_eof is None:
                    return [], False
                ns, outs = on_eof(self.state)
                self.state = ns
                return list(outs), ns is None
        return self._stateful(sid, up, L)

    def stateful_map(self, sid, up, init, f):
        def g(s, v):
            ns, out = f(s, v)
            return ns, [out]
        return self.stateful_flat_map(sid, up, init, g)

    def collect(self, sid, up, timeout, max_size):
        class L:
            def __init__(self, key):
                self.acc, self.at = [], None

            def on_item(self, v, now):
                self.at = now + timeout
                self.acc.append(v)
                if len(self.acc) >= max_size:
                    return [self.acc], True
                return [], False

            def notify_at(self):
                return self.at

            def on_notify(self):
                return [self.acc], True

            def on_eof(self):
                return [self.acc], True
        return self._stateful(sid, up, L)

    def fold_final(self, sid, up, init, f):
        class L:
            def __init__(self, key):
                self.acc = init() if callable(init) else init

            def on_item(self, v, now):
                self.acc = f(self.acc, v)
                return [], False

            def on_eof(self):
                return [self.acc], True
        return self._stateful(sid, up, L)

    def reduce_final(self, sid, up, f):
        # Bytewax's pre_reduce: a round's values of each key are reduced
        # first (f(v1, v2), even on a None), then folded into the state
        pre = Step(self, sid + "/pre_reduce", [up])

        def pre_reduce(items):
            states = {}
            for k, v in items:
                states[k] = f(states[k], v) if k in states else v
            return list(states.items())
        pre.fn = pre_reduce
        self._add(pre)
        up = pre.out()

        class L:
            def __init__(self, key):
                self.acc = None

            def on_item(self, v, now):
                self.acc = v if self.acc is None else f(self.acc, v)
                return [], False

            def on_eof(self):
                return [self.acc], True
        return self._stateful(sid, up, L)

    def count_final(self, sid, up, key):
        s = Step(self, sid + "/map", [up])
        s.fn = lambda xs: [(key(x), 1) for x in xs]
        self._add(s)
        r = self.reduce_final(sid, s.out(), lambda a, b: a + b)
        return r

    def max_final(self, sid, up, by=lambda v: v):
        return self.reduce_final(sid, up, lambda a, b: max(a, b, key=by))

    def min_final(self, sid, up, by=lambda v: v):
        return self.reduce_final(sid, up, lambda a, b: min(a, b, key=by))

    # ---- running -------------------------------------------------------
    def _run_stateful(self, s, items, eof):
        outs = []
        groups = {}
        for k, v in items:
            groups.setdefault(k, []).append(v)
        awoken = set()
        for k in keyorder(groups):
            # a batch logic (stateful_batch) gets the key's values at once
            batches = [groups[k]] if getattr(s.logic, "batch", False) else groups[k]
            for v in batches:
                lg = s.live.get(k) or s.logic(k)
                s.live[k] = lg
                o, discard = lg.on_item(v, self.now)
                outs += [(k, x) for x in o]
                if discard:
                    del s.live[k]
            if k not in s.live:
                s.sched.pop(k, None)
            awoken.add(k)
        for k in keyorder([k for k, t in s.sched.items() if t <= self.now]):
            del s.sched[k]
            if k in s.live:
                o, discard = s.live[k].on_notify()
                outs += [(k, x) for x in o]
                if discard:
                    del s.live[k]
                awoken.add(k)
        if eof:
            for k in keyorder(s.live):
                o, discard = s.live[k].on_eof()
                outs += [(k, x) for x in o]
                if discard:
                    del s.live[k]
                    s.sched.pop(k, None)
                awoken.add(k)
        for k in awoken:
            if k in s.live and hasattr(s.live[k], "notify_at"):
                t = s.live[k].notify_at()
                if t is not None:
                    s.sched[k] = t
        return outs

    def run(self):
        """Run to the end (or to the first StepError); returns self.

        A stateful step sees the end of its input `depth` rounds after the
        last of its inputs ended, depth being the stateful steps from an
        input to it, itself included (docs/semantics.md 9.1); once every
        input has ended, rounds go on, polling nothing, on a clock that
        stands still, until every step has seen it."""
        sources = [s for s in self.steps if getattr(s, "kind", "") == "testing"]
        for s in self.steps:
            s.depth = max([u.step.depth for u in s.ups], default=0) + (1 if s.stateful else 0)
        max_depth = max([s.depth for s in self.steps], default=0)
        rnd = 0
        settle_until = None
        aborted = False
        while True:
            if settle_until is None:
                self.now = self.clock + rnd * self.clock_step
            for s in sources:
                if s.done or settle_until is not None:
                    continue
                if getattr(s, "stop", None) is EOF:
                    s.done, s.end_rnd = True, rnd
                    continue
                if getattr(s, "stop", None) is ABORT:
                    aborted = True   # the round runs; no EOF; the run ends after it
                    continue
                # TestingSource.next_batch: up to bs items; a marker ends the
                # batch early (maybe empty), the next poll acts on it
                batch = []
                while len(batch) < s.bs and s.pos < len(s.items):
                    x = s.items[s.pos]
                    s.pos += 1
                    if isinstance(x, Marker):
                        s.stop = x
                        break
                    batch.append(x)
                if batch:
                    s.emit(batch)
                elif getattr(s, "stop", None) is None:
                    s.done, s.end_rnd = True, rnd
            try:
                for s in self.steps:
                    if getattr(s, "kind", "") == "testing":
                        continue
                    items = s.take()
                    cur = s.sid
                    if s.stateful:
                        s.eof_seen = getattr(s, "eof_seen", False)
                        eof = (not s.eof_seen and all(src.done for src in s.sources)
                               and rnd >= max(src.end_rnd for src in s.sources) + s.depth)
                        s.eof_seen |= eof
                        s.emit(self._run_stateful(s, items, eof))
                    elif getattr(s, "kind", "") == "branch":
                        s.emit([x for x in items if s.pred(x)], 0)
                        s.emit([x for x in items if not s.pred(x)], 1)
                    else:
                        s.emit(s.fn(items))
            except StepError as e:
                self.err = "%s:%s: error: step '%s.%s': %s\n" % (
                    self.src, e.loc, self.name, cur.split("/")[0], e.msg)
                self.status = 1
                return self
            if aborted:
                return self
            if settle_until is None and all(s.done for s in sources):
                settle_until = rnd + max_depth
            if settle_until is not None and rnd >= settle_until:
                return self
            rnd += 1

    def stdout(self):
        return "".join(line + "\n" for line in self.lines)
