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
            for v in groups[k]:
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
        """Run to the end (or to the first StepError); returns self."""
        rnd = 0
        eofs = set()
        while True:
            self.now = self.clock + rnd * self.clock_step
            for s in self.steps:
                if getattr(s, "kind", "") != "testing" or s.done:
                    continue
                batch = s.items[s.pos:s.pos + s.bs]
                s.pos += len(batch)
                if batch:
                    s.emit(batch)
                else:
                    s.done = True
            eofs = {s for s in self.steps if getattr(s, "kind", "") == "testing" and s.done}
            try:
                for s in self.steps:
                    if getattr(s, "kind", "") == "testing":
                        continue
                    items = s.take()
                    cur = s.sid
                    if s.stateful:
                        s.eof_seen = getattr(s, "eof_seen", False)
                        eof = s.sources <= eofs and not s.eof_seen
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
            if len(eofs) == len([s for s in self.steps if getattr(s, "kind", "") == "testing"]):
                return self
            rnd += 1

    def stdout(self):
        return "".join(line + "\n" for line in self.lines)
