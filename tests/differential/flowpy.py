"""flowpy - what a .flow program's expressions mean, in Python, for the
Bytewax twins that tests/differential/flow2py.py writes.

A twin is a plain Bytewax 0.21.1 dataflow (bytewax.operators,
bytewax.operators.windowing, TestingSource, StdOutSink). Its lambdas are
Python; this module holds the few places where flowc's language is not
Python's one to one, each in one function, so that the mapping lives in
one place:

  add sub mul int arithmetic is 64-bit and checked in flowc: a result
  floordiv    (`//`; `/` is Python's own true division, written as is)
              outside the range raises OverflowError here, so that both
              programs stop on the same item (docs/semantics.md §17.1)
  fld         `e.f`: a record is a dict, WindowMetadata an object
  CLOCK       the pinned clock of `--clock`/`--clock-step`: `now()`, the
              event clock's now_getter and the system clock read it
  Logic       flowc's `stateful(init=, on_item=, ...)` as a StatefulLogic
  WinLogic    flowc's `window(init=, on_value=, ...)` as a WindowLogic
  csv_record  a typed csv or jsonl `file` input: Bytewax's CSVSource or
  jsonl_record  FileSource gives strings, these build the record
  FormatSink  `stdout(format = "json" | "csv")`: StdOutSink, formatted
  with_meta   `W.with_meta` (Bytewax 0.17's) from a window's `down`

Nothing here reimplements an operator: ordering, state, windows and
timers are Bytewax's.
"""

import json
import math
import re
from datetime import datetime, timedelta, timezone

import bytewax.operators as _op
from bytewax.operators import StatefulBatchLogic, StatefulLogic, TTLCache

I64_MIN = -(1 << 63)
I64_MAX = (1 << 63) - 1
UTC = timezone.utc


def _int(x):
    return type(x) is int


def i64(r):
    """An int result must fit flowc's 64-bit ints."""
    if _int(r) and not (I64_MIN <= r <= I64_MAX):
        raise OverflowError("integer overflow")
    return r


def add(a, b):
    return i64(a + b)


def sub(a, b):
    return i64(a - b)


def mul(a, b):
    return i64(a * b)


def neg(a):
    return i64(-a)


def floordiv(a, b):
    """`//`: Python's; on two ints only (-2**63) // -1 leaves the range."""
    return i64(a // b)


def mod(a, b):
    return a % b


def fld(e, name):
    """`e.name`: a record (a dict) or a WindowMetadata."""
    if isinstance(e, dict):
        return e[name]
    return getattr(e, name)


def optfld(e, name):
    """`e?.name`."""
    return None if e is None else fld(e, name)


def coalesce(v, default):
    """`v ?? default` (default is a thunk: evaluated only when needed)."""
    return default() if v is None else v


def with_(r, **fields):
    """`r with { f: v }`: a copy, field order unchanged."""
    out = dict(r)
    out.update(fields)
    return out


# ---- built-in functions (docs/language.md §5, Python's behaviour) ----

def b_str(x):
    return str(x)


def b_int(x):
    return i64(int(x))


def b_float(x):
    return float(x)


def b_len(x):
    return len(x)


# the json type: its values are json.loads's own (dict, list, str, ...)

def b_bool(x):
    return bool(x)


def b_json(x):
    """json(x): a scalar itself, another value json.loads(json.dumps(x))
    (a tuple becomes a list; flowc's json sinks' encodings of sets,
    timestamps and durations are not Python's: no twin for those)."""
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    return json.loads(json.dumps(x))


def b_parse_json(s):
    return json.loads(s)


def b_dumps(j):
    return json.dumps(j, ensure_ascii=False)


def json_line(line):
    """A jsonl file's line read as a json value: [json.loads(line)], or
    nothing for a blank line (flowc's jsonl format skips them)."""
    return [] if line in ("", "\r") else [json.loads(line)]


def b_abs(x):
    return i64(abs(x))


def b_min(a, b=None):
    return min(a) if b is None else min(a, b)


def b_max(a, b=None):
    return max(a) if b is None else max(a, b)


def b_floor(f):
    return i64(math.floor(f))


def b_ceil(f):
    return i64(math.ceil(f))


def b_round(f):
    return i64(round(f))


def b_sqrt(f):
    return math.sqrt(f)


def b_lower(s):
    return s.lower()


def b_upper(s):
    return s.upper()


def b_trim(s):
    return s.strip()


def b_split(s, sep=None, maxsplit=-1):
    return s.split(sep, maxsplit)


def b_join(a, b):
    """join(sep, xs) or join(xs, sep): the types tell."""
    return a.join(b) if isinstance(a, str) else b.join(a)


def b_strip(s, chars=None):
    return s.strip(chars)


def b_lstrip(s, chars=None):
    return s.lstrip(chars)


def b_rstrip(s, chars=None):
    return s.rstrip(chars)


def b_zfill(s, width):
    return s.zfill(width)


def b_format(x, spec=""):
    return format(x, spec)


# ---- dicts and sets: values, so remove and add work on copies ----

def b_get(d, k, default=None):
    """get(d, k): a dict's, or enrich_cached's `get(cache, k)`, Bytewax's
    TTLCache.get(k)."""
    if isinstance(d, TTLCache):
        return d.get(k)
    return d.get(k, default)


def b_keys(d):
    return list(d.keys())


def b_values(d):
    return list(d.values())


def b_items(d):
    return list(d.items())


def b_remove(c, x):
    c = c.copy()
    if isinstance(c, dict):
        c.pop(x, None)
    else:
        c.discard(x)
    return c


def b_add(s, x):
    s = s.copy()
    s.add(x)
    return s


b_set = set
b_dict = dict
b_sorted = sorted


def b_starts_with(s, p):
    return s.startswith(p)


def b_ends_with(s, p):
    return s.endswith(p)


def b_contains(s, sub):
    return sub in s


def b_replace(s, old, new):
    return s.replace(old, new)


def b_substr(s, start, count):
    if start < 0:
        start = max(0, len(s) + start)
    return s[start:start + max(count, 0)]


def b_findall(s, pattern):
    return re.findall(pattern, s)


def b_sum(xs):
    if xs and isinstance(xs[0], float):
        t = 0.0
        for x in xs:
            t += x
        return t
    t = 0
    for x in xs:
        t = add(t, x)
    return t


def b_range(n):
    return list(range(n))


def b_timestamp(s):
    t = s.strip()
    if "T" in t or t.endswith("Z") or "+" in t[10:] or t[10:].count("-") > 0:
        t = t.replace("Z", "+00:00")
        d = datetime.fromisoformat(t)
    else:
        d = datetime.fromisoformat(t)
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.astimezone(UTC)


# ---- time ----

class Clock:
    """The program's system clock as flowc's --clock/--clock-step pin it:
    round k reads start + k * step. `tick()` is called by the first live
    input at each poll after its first (see ClockedSource), so the rounds
    of a one-input dataflow advance it as flowc's rounds do. Without
    --clock the real clock is read."""

    def __init__(self):
        self.start = None
        self.step = timedelta(0)
        self.k = 0

    def pin(self, start, step=timedelta(0)):
        self.start, self.step, self.k = start, step, 0

    def now(self):
        if self.start is None:
            return datetime.now(UTC)
        return self.start + self.k * self.step


CLOCK = Clock()


def now():
    return CLOCK.now()


# Bytewax's SystemClock reads the system time through this module global
# at each build: the pinned clock when there is one, else the real one.
import bytewax.operators.windowing as _win  # noqa: E402

_win._get_system_utc = now



class WinLogic(_win.WindowLogic):
    """flowc's `window(keyed, clock, windower, init=, on_value=, on_merge=,
    on_close=)` as a WindowLogic: each callback takes the state (and the
    value, or the original window's state) and gives (new_state, [outs])
    (on_close: [outs])."""

    def __init__(self, init, on_value, on_merge=None, on_close=None):
        self.state = init
        self._on_value, self._on_merge, self._on_close = on_value, on_merge, on_close

    def on_value(self, value):
        self.state, outs = self._on_value(self.state, value)
        return list(outs)

    def on_merge(self, original):
        if self._on_merge is None:
            return []
        self.state, outs = self._on_merge(self.state, original.state)
        return list(outs)

    def on_close(self):
        return list(self._on_close(self.state)) if self._on_close is not None else []

    def snapshot(self):
        return self.state


# ---- stateful ----

class _Callbacks:
    """What `stateful` and `stateful_batch` share: the state and the
    callbacks; each returns (new_state or None, outputs), a None state
    being Bytewax's DISCARD, any other RETAIN (True and False in both of
    Bytewax's logic classes)."""

    def __init__(self, state, on_item, on_notify=None, on_eof=None, notify_at=None):
        self.state = state
        self._on_item = on_item
        self._on_notify = on_notify
        self._on_eof = on_eof
        self._notify_at = notify_at

    def _apply(self, res):
        new, outs = res
        if new is None:
            return list(outs), StatefulLogic.DISCARD
        self.state = new
        return list(outs), StatefulLogic.RETAIN

    def on_notify(self):
        if self._on_notify is None:
            return [], StatefulLogic.RETAIN
        return self._apply(self._on_notify(self.state))

    def on_eof(self):
        if self._on_eof is None:
            return [], StatefulLogic.RETAIN
        return self._apply(self._on_eof(self.state))

    def notify_at(self):
        if self._notify_at is None:
            return None
        return self._notify_at(self.state)

    def snapshot(self):
        return self.state


class Logic(_Callbacks, StatefulLogic):
    """flowc's `stateful(keyed, init=, on_item=, on_notify=, on_eof=,
    notify_at=)` as a StatefulLogic."""

    def on_item(self, value):
        return self._apply(self._on_item(self.state, value))


class BatchLogic(_Callbacks, StatefulBatchLogic):
    """flowc's `stateful_batch(keyed, init=, on_batch=, ...)` as a
    StatefulBatchLogic: on_batch gets a key's values of the activation."""

    def on_batch(self, values):
        return self._apply(self._on_item(self.state, list(values)))


def no_merge(_a, _b):
    raise AssertionError("fold_window merge called without a session windower")


# ---- typed file inputs and formatted stdout (docs/io.md) ----
#
# Bytewax's CSVSource gives each row as a dict of strings, and a FileSource
# of JSON lines gives text: the twin of a `file(PATH, format = "csv" |
# "jsonl", schema = R)` input is that source and a map building the record
# (a dict in field order) as flowc's reader does. A field's type is
# flow2py's parse of it: ("name", "int"), ("opt", T), ...; only scalars
# and their optionals have a twin (flow2py says NoTwin otherwise).

_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
                   r"(?:([Zz])|([+-])(\d{2}):(\d{2}))?\Z")
_DUR_UNITS = {"us": 1, "ms": 1000, "s": 1000000, "m": 60000000, "h": 3600000000, "d": 86400000000}


def parse_time(text):
    """flowc's timestamps of text (flow_time_parse): RFC 3339 or
    `YYYY-MM-DD HH:MM:SS[.f...]`, no zone meaning UTC, the fraction
    truncated to microseconds."""
    m = _TIME.match(text)
    if not m:
        raise ValueError("not a timestamp: %r" % text)
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    us = int((m.group(7) or "0")[:6].ljust(6, "0"))
    t = datetime(y, mo, d, h, mi, sec, us, tzinfo=UTC)
    if m.group(9):
        off = timedelta(hours=int(m.group(10)), minutes=int(m.group(11)))
        t = t - off if m.group(9) == "+" else t + off
    return t


def parse_duration(text):
    """A duration cell: seconds (`90`, `-1.5`) or a literal (`10s`,
    `250ms`), either with an optional `-`."""
    m = re.fullmatch(r"(-?)(\d+(?:\.\d+)?)([a-z]*)", text.strip())
    if not m or (m.group(3) and m.group(3) not in _DUR_UNITS):
        raise ValueError("not a duration: %r" % text)
    unit = _DUR_UNITS[m.group(3) or "s"]
    whole, _, frac = m.group(2).partition(".")
    us = int(whole) * unit + (int(frac) * unit // 10 ** len(frac) if frac else 0)
    return timedelta(microseconds=-us if m.group(1) else us)


_BOOLS = {"true": True, "True": True, "1": True, "false": False, "False": False, "0": False}


def _cell(text, t):
    name = t[1]
    if name == "int":
        return i64(int(text))
    if name == "float":
        return float(text)
    if name == "bool":
        return _BOOLS[text]
    if name == "string":
        return text
    if name == "timestamp":
        return parse_time(text)
    if name == "duration":
        return parse_duration(text)
    raise ValueError("no cell of type %r" % (t,))


def csv_record(fields):
    """The map of a csv input: a row (a dict of strings) to the record of
    FIELDS [(name, type)]: an empty cell or a missing column is none."""
    def build(row):
        rec = {}
        for f, t in fields:
            text = row.get(f)
            if t[0] == "opt":
                rec[f] = None if not text else _cell(text, t[1])
            else:
                rec[f] = _cell(text, t)
        return rec
    return build


def _member(v, t):
    name = t[1]
    if name == "int" and type(v) is int:
        return i64(v)
    if name == "float" and type(v) in (int, float):
        return float(v)
    if name == "bool" and type(v) is bool:
        return v
    if name == "string" and type(v) is str:
        return v
    if name == "timestamp" and type(v) is str:
        return parse_time(v)
    if name == "duration" and type(v) in (int, float, str):
        return parse_duration(str(v))
    raise ValueError("%r is not a %s" % (v, name))


def jsonl_record(fields):
    """The filter_map of a jsonl input: a line to the record of FIELDS
    (a blank line to None: skipped); other members are ignored, a `T?`
    member may be absent or null."""
    import json

    def build(line):
        if not line.strip():
            return None
        obj = json.loads(line)
        rec = {}
        for f, t in fields:
            v = obj.get(f)
            if t[0] == "opt":
                rec[f] = None if v is None else _member(v, t[1])
            else:
                rec[f] = _member(v, t)
        return rec
    return build


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (".%06dZ" % t.microsecond if t.microsecond else "Z")


def seconds(d):
    """A duration in seconds as flowc's sinks write it: 90, -0.25."""
    us = d // timedelta(microseconds=1)
    text = "%s%d" % ("-" if us < 0 else "", abs(us) // 1000000)
    if abs(us) % 1000000:
        text += (".%06d" % (abs(us) % 1000000)).rstrip("0")
    return text


def to_json(v):
    """`format = "json"` of a value: json.dumps with ensure_ascii=False
    (records are dicts, in field order), timestamps RFC 3339, durations
    seconds, sets arrays, dicts of other keys arrays of pairs."""
    import json
    if isinstance(v, datetime):
        return '"%s"' % rfc3339(v)
    if isinstance(v, timedelta):
        return seconds(v)
    if isinstance(v, (list, tuple, set, frozenset)):
        return "[%s]" % ", ".join(to_json(x) for x in v)
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v):
            return "{%s}" % ", ".join("%s: %s" % (json.dumps(k, ensure_ascii=False), to_json(x))
                                      for k, x in v.items())
        return "[%s]" % ", ".join("[%s, %s]" % (to_json(k), to_json(x)) for k, x in v.items())
    if isinstance(v, _win.WindowMetadata):
        return to_json({"open_time": v.open_time, "close_time": v.close_time,
                        "merged_ids": sorted(v.merged_ids)})
    return json.dumps(v, ensure_ascii=False)


def csv_cell(v, t):
    """`format = "csv"`: one cell of type T: numbers as JSON, strings
    quoted when they hold `,`, `"`, CR or LF, none empty (a present empty
    string of a `string?` is `""`), collections their JSON."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, datetime):
        return rfc3339(v)
    if isinstance(v, timedelta):
        return seconds(v)
    text = v if isinstance(v, str) else to_json(v)
    if t[0] == "opt" and text == "":
        return '""'
    if any(c in text for c in ',"\r\n'):
        return '"%s"' % text.replace('"', '""')
    return text


def to_csv(columns):
    """The row of an item: COLUMNS [(path, type)], a path being the
    fields and tuple indices down to a cell."""
    def row(item):
        cells = []
        for path, t in columns:
            v = item
            for k in path:
                v = v[k]
            cells.append(csv_cell(v, t))
        return ",".join(cells)
    return row


from bytewax.outputs import DynamicSink, StatelessSinkPartition  # noqa: E402


class _FormatPart(StatelessSinkPartition):
    def __init__(self, fmt):
        self.fmt = fmt

    def write_batch(self, items):
        import sys
        for item in items:
            sys.stdout.write(self.fmt(item))
            sys.stdout.write("\n")
        sys.stdout.flush()


class FormatSink(DynamicSink):
    """flowc's `stdout(format = F)`: StdOutSink with each item formatted
    by FMT (to_json, to_csv(...)), and a csv header line written when the
    sink is built (before any item, as flowc writes it at the start)."""

    def __init__(self, fmt, header=None):
        self.fmt, self.header = fmt, header

    def build(self, _step_id, _worker_index, _worker_count):
        if self.header is not None:
            import sys
            sys.stdout.write(self.header + "\n")
        return _FormatPart(self.fmt)


# ---- W.with_meta: Bytewax 0.17's (key, (WindowMetadata, value)) ----

class Meta017(_win.WindowMetadata):
    """A WindowMetadata printed as Bytewax 0.17 printed it (its Rust
    Debug): `WindowMetadata(open_time: 2022-01-01 00:00:00 UTC, close_time:
    ...)`, a fraction of 3 or 6 digits only when there is one."""

    def __repr__(self):
        def t(d):
            text = d.strftime("%Y-%m-%d %H:%M:%S")
            if d.microsecond:
                text += ".%03d" % (d.microsecond // 1000) if d.microsecond % 1000 == 0 \
                    else ".%06d" % d.microsecond
            return text + " UTC"
        return "WindowMetadata(open_time: %s, close_time: %s)" % (t(self.open_time), t(self.close_time))

    __str__ = __repr__


def with_meta(step_id, down, length, offset, align_to):
    """`W.with_meta` of a tumbling or sliding window operator: its `down`
    items with the window id replaced by the window's metadata, which
    Bytewax 0.21's SlidingWindower gives each id (align_to + id * offset,
    plus length)."""
    def meta(wid_value):
        wid, value = wid_value
        open_time = align_to + offset * wid
        return (Meta017(open_time, open_time + length), value)
    return _op.map_value(step_id, down, meta)



# ---- inputs ----

from bytewax.inputs import StatefulSourcePartition  # noqa: E402
from bytewax.testing import TestingSource  # noqa: E402


class _Rounds:
    """Marks rounds by the inputs' polls: each live input is polled once a
    round, in declaration order, so a poll whose input index is not above
    the previous poll's starts a new round, which advances CLOCK."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.last = None

    def poll(self, index):
        if self.last is not None and index <= self.last:
            CLOCK.k += 1
        self.last = index


ROUNDS = _Rounds()


class _ClockedPart(StatefulSourcePartition):
    def __init__(self, part, index):
        self.part = part
        self.index = index

    def next_batch(self):
        ROUNDS.poll(self.index)
        return self.part.next_batch()

    def next_awake(self):
        return self.part.next_awake()

    def snapshot(self):
        return self.part.snapshot()

    def close(self):
        return self.part.close()


class ClockedSource(TestingSource):
    """TestingSource whose polls advance CLOCK (--clock-step); `index` is
    the input's place among the dataflow's inputs."""

    def __init__(self, ib, batch_size=1, index=0):
        super().__init__(ib, batch_size)
        self._index = index

    def build_part(self, step_id, for_part, resume_state):
        return _ClockedPart(super().build_part(step_id, for_part, resume_state), self._index)
