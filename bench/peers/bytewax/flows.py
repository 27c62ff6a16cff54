"""flows.py - the benchmark workloads of bench/run.sh as Bytewax 0.21.1
dataflows, the peers of bench/w1.flow, examples/wordcount.flow,
bench/w3.flow, bench/w4.flow, examples/1brc.flow and bench/nexmark/q*.flow.

    cd bench/peers/bytewax
    PEER_N=20000 PEER_OUT=stdout python -m bytewax.run "flows:get_flow('w1')" -w 2

Environment:
    PEER_N      events (W1, Nexmark)
    PEER_IN     the input file (W2 text, W3 CSV, W4 JSON lines, 1BRC's
                "STATION;TEMPERATURE" lines)
    PEER_OUT    stdout: print every item (Bytewax's StdOutSink, the same
                repr as flowc's stdout); anything else: a sink that drops
                the items (flowc's `discard`)
    PEER_CLOCK  the pinned "system" time (RFC 3339) of the event clocks
                (EventClock's now_getter), as flowc's --clock
    NEXMARK_POOL  a cache file for the generator's 1 MiB `extra` string

Each dataflow is the .flow program's step for step; where the .flow
relies on its single worker's arrival order, the Bytewax version says what
it does instead so that -w 2 gives the same items (the comments below).
"""
import json
import os
import re
import sys
import threading
from datetime import datetime, timedelta, timezone

import bytewax.operators as op
import bytewax.operators.windowing as win
from bytewax.connectors.files import CSVSource, FileSource
from bytewax.dataflow import Dataflow
from bytewax.inputs import DynamicSource, StatelessSourcePartition
from bytewax.operators.windowing import EventClock, SlidingWindower, TumblingWindower
from bytewax.outputs import DynamicSink, StatelessSinkPartition
from bytewax.testing import TestingSource

import nexmark as nx

UTC = timezone.utc


def env_int(name, default):
    return int(os.environ.get(name, default))


class _Drop(StatelessSinkPartition):
    def write_batch(self, items):
        pass


class DiscardSink(DynamicSink):
    """flowc's `discard`: every item is built, then dropped."""

    def build(self, step_id, worker_index, worker_count):
        return _Drop()


def _line(x):
    # StdOutSink's print(): a string as it is (1BRC's lines), anything
    # else (the tuples) as its repr
    return x if isinstance(x, str) else repr(x)


class _Print(StatelessSinkPartition):
    def write_batch(self, items):
        text = "".join(_line(x) + "\n" for x in items)
        with _print_lock:
            sys.stdout.write(text)


class PrintSink(DynamicSink):
    """StdOutSink's repr lines, one write per batch under a lock (with -w 2
    StdOutSink's print() calls from two threads interleave)."""

    def build(self, step_id, worker_index, worker_count):
        return _Print()


_print_lock = threading.Lock()


def output(stream):
    sink = PrintSink() if os.environ.get("PEER_OUT") == "stdout" else DiscardSink()
    op.output("out", stream, sink)


def pinned_now():
    t = datetime.fromisoformat(os.environ.get("PEER_CLOCK", "2022-01-01T00:00:00+00:00").replace("Z", "+00:00"))
    return lambda: t


def event_clock(ts_getter):
    # The system clock stands still (flowc's --clock): the watermark moves
    # only with the items, so a window's close time has no system time at
    # which it will be reached: to_system_utc gives None (no wake-up; items
    # and the end of the input close the windows). With the default
    # identity, every close time would be a system time long past and
    # every key would be woken in every activation (quadratic: W4 on
    # 100,000 lines ran for minutes).
    return EventClock(ts_getter, wait_for_system_duration=timedelta(0), now_getter=pinned_now(),
                      to_system_utc=lambda ts: None)


# ---- W1: keyed running sum -------------------------------------------------------
def w1(flow):
    inp = op.input("inp", flow, TestingSource(range(env_int("PEER_N", 50_000_000))))
    keyed = op.key_on("keyed", inp, lambda x: str(x % 10000))

    def add(acc, x):
        acc = (acc or 0) + x
        return acc, acc

    output(op.stateful_map("sums", keyed, add))


# ---- W2: word count ------------------------------------------------------------------
WORD = re.compile(r'[^\s!,.?":;0-9]+')


def w2(flow):
    inp = op.input("inp", flow, FileSource(os.environ["PEER_IN"]))
    lowercase_words = op.map("lowercase_words", inp, str.lower)
    tokenize_input = op.flat_map("tokenize_input", lowercase_words, WORD.findall)
    output(op.count_final("count_words", tokenize_input, lambda word: word))


# ---- W3: CPU statistics, 1-minute tumbling mean per instance ---------------------
def w3(flow):
    inp = op.input("inp", flow, CSVSource(os.environ["PEER_IN"]))
    rows = op.map("parse", inp, lambda r: (datetime.fromisoformat(r["timestamp"]).replace(tzinfo=UTC),
                                            float(r["value"]), r["instance"]))
    keyed = op.key_on("keyed", rows, lambda m: m[2])
    clock = event_clock(lambda m: m[0])
    minutes = TumblingWindower(length=timedelta(seconds=60), align_to=datetime(2022, 2, 24, tzinfo=UTC))
    sums = win.fold_window("sums", keyed, clock, minutes, lambda: (0.0, 0),
                           lambda acc, m: (acc[0] + m[1], acc[1] + 1),
                           lambda a, b: (a[0] + b[0], a[1] + b[1]))
    output(op.map("means", sums.down, lambda kv: (kv[0], kv[1][0], round(kv[1][1][0] / float(kv[1][1][1]) * 1000000.0))))


# ---- W4: JSON lines, 10 s tumbling count per user ------------------------------------
def w4(flow):
    inp = op.input("inp", flow, FileSource(os.environ["PEER_IN"]))

    def parse(line):
        d = json.loads(line)
        return (datetime.fromisoformat(d["time"]), d["user"], d["val"])

    events = op.map("parse", inp, parse)
    clock = event_clock(lambda e: e[0])
    windows = TumblingWindower(length=timedelta(seconds=10), align_to=datetime(2022, 1, 1, tzinfo=UTC))
    output(win.count_window("counts", events, clock, windows, lambda e: e[1]).down)


# ---- 1BRC: per station min/max/mean at the end of the input ------------------------
def brc(flow):
    # as Bytewax's examples/1brc.py: a (station, stats) pair per line,
    # reduce_final, the example's f-string. The file is one partition (read
    # by worker 0, as W2-W4): each station's items then reach its worker in
    # file order and the float sums are added in flowc's order
    inp = op.input("inp", flow, FileSource(os.environ["PEER_IN"]))

    def parse(line):
        name, _, t = line.partition(";")
        x = float(t)
        return (name, (x, x, x, 1))

    keyed = op.map("keyed", inp, parse)
    reduced = op.reduce_final("reduce", keyed, lambda a, b: (min(a[0], b[0]), max(a[1], b[1]),
                                                             a[2] + b[2], a[3] + b[3]))
    output(op.map("fmt", reduced, lambda kv: f"{kv[0]}={kv[1][0]:.1f}/{kv[1][1]:.1f}/{kv[1][2] / kv[1][3]:.1f}"))


# ---- Nexmark ---------------------------------------------------------------------------
class _NexmarkPart(StatelessSourcePartition):
    def __init__(self, chunks, n, fields):
        self.chunks, self.n, self.fields = chunks, n, fields

    def next_batch(self):
        for c in self.chunks:
            lo = c * 1000
            return [nx.event(i, self.fields) for i in range(lo, min(lo + 1000, self.n))]
        raise StopIteration()


class NexmarkSource(DynamicSource):
    """flowc's nexmark(events = N) source: batches of 1000 events; with W
    workers, worker w generates the batches c with c mod W == w."""

    def __init__(self, n, fields=("auction", "bidder", "price", "extra")):
        self.n, self.fields = n, fields

    def build(self, step_id, worker_index, worker_count):
        nchunks = (self.n + 999) // 1000
        return _NexmarkPart(iter(range(worker_index, nchunks, worker_count)), self.n, self.fields)


def nexmark_input(flow, fields=("auction", "bidder", "price", "extra")):
    nx.pool()
    return op.input("events", flow, NexmarkSource(env_int("PEER_N", 10_000_000), fields))


def dt(ms):
    return nx.to_dt(ms * 1000)


def bids_of(events):
    return op.filter("bids", events, lambda e: e["event_type"] == 2)


def q0(flow):
    bids = bids_of(nexmark_input(flow))
    output(op.map("q0", bids, lambda e: (e["auction"], e["bidder"], e["price"], dt(e["date_time_ms"]), e["extra"])))


def q1(flow):
    bids = bids_of(nexmark_input(flow))
    output(op.map("q1", bids, lambda e: (e["auction"], e["bidder"], 0.908 * float(e["price"]),
                                         dt(e["date_time_ms"]), e["extra"])))


def q2(flow):
    events = nexmark_input(flow, ("auction", "price"))
    bids = op.filter("bids", events, lambda e: e["event_type"] == 2 and e["auction"] % 123 == 0)
    output(op.map("q2", bids, lambda e: (e["auction"], e["price"])))


def q3(flow):
    # The SQL's inner join: every (person, auction) pair, emitted at the end
    # of the input (join: insert_mode product, emit_mode final)
    events = nexmark_input(flow, ())
    persons = op.filter("persons", events, lambda e: e["event_type"] == 0 and e["state"] in ("OR", "ID", "CA"))
    auctions = op.filter("auctions", events, lambda e: e["event_type"] == 1 and e["category"] == 10)
    p = op.key_on("p", persons, lambda e: str(e["person_id"]))
    a = op.key_on("a", auctions, lambda e: str(e["seller"]))
    joined = op.join("joined", p, a, insert_mode="product", emit_mode="final")
    both = op.filter("both", joined, lambda kv: kv[1][0] is not None and kv[1][1] is not None)
    output(op.map("matches", both, lambda kv: (kv[1][0]["name"], kv[1][0]["city"], kv[1][0]["state"],
                                               kv[1][1]["auction_id"])))


def winning_bids(flow, events):
    """q4's and q6's inner query: per auction, the highest bid whose time is
    within [the auction's time, its expiry]. Bids processed before their
    auction (another worker's, or an earlier batch's) wait in a list."""
    auctions = op.filter("auctions", events, lambda e: e["event_type"] == 1)
    bids = op.filter("bids", events, lambda e: e["event_type"] == 2)
    ka = op.key_on("ka", auctions, lambda e: "%010d" % e["auction_id"])
    kb = op.key_on("kb", bids, lambda e: "%010d" % e["auction"])
    both = op.merge("both", ka, kb)

    def fold(acc, e):
        # acc: [auction or None, best price, early bids [(ms, price)]]
        if e["event_type"] == 1:
            acc[0] = e
            for t, p in acc[2]:
                if e["date_time_ms"] <= t <= e["expires_ms"] and p > acc[1]:
                    acc[1] = p
            acc[2] = []
        elif acc[0] is None:
            acc[2].append((e["date_time_ms"], e["price"]))
        elif acc[0]["date_time_ms"] <= e["date_time_ms"] <= acc[0]["expires_ms"] and e["price"] > acc[1]:
            acc[1] = e["price"]
        return acc

    finals = op.fold_final("finals", both, lambda: [None, -1, []], fold)
    return op.filter("won", finals, lambda kv: kv[1][0] is not None and kv[1][1] >= 0)


def q4(flow):
    events = nexmark_input(flow, ("auction", "price"))
    won = winning_bids(flow, events)
    cat = op.map("by_category", won, lambda kv: (str(kv[1][0]["category"]), kv[1][1]))
    sums = op.fold_final("sums", cat, lambda: (0, 0), lambda acc, p: (acc[0] + 1, acc[1] + p))
    output(op.map("q4", sums, lambda kv: (int(kv[0]), kv[1][0], kv[1][1], kv[1][1] // kv[1][0])))


def q5(flow):
    # ties: the auction whose str() is least (flowc's order: count_window
    # emits a round's windows by key, max_final keeps the first maximum)
    bids = bids_of(nexmark_input(flow, ("auction",)))
    clock = event_clock(lambda e: dt(e["date_time_ms"]))
    windows = SlidingWindower(length=timedelta(seconds=10), offset=timedelta(seconds=2),
                              align_to=datetime(2015, 7, 15, tzinfo=UTC))
    counts = win.count_window("counts", bids, clock, windows, lambda e: str(e["auction"]))
    per_window = op.map("per_window", counts.down, lambda kv: (str(kv[1][0]), (kv[0], kv[1][1])))
    hot = op.reduce_final("hot", per_window, lambda a, b: b if (b[1], a[0]) > (a[1], b[0]) else a)
    output(hot)


def q6(flow):
    # per seller, the mean final price of its last 10 auctions (by id:
    # auction ids grow with time), at the end of the input
    events = nexmark_input(flow, ("auction", "price"))
    won = winning_bids(flow, events)
    sellers = op.map("by_seller", won, lambda kv: (str(kv[1][0]["seller"]), (kv[1][0]["auction_id"], kv[1][1])))

    def keep10(acc, ap):
        acc.append(ap)
        if len(acc) > 20:
            acc.sort()
            del acc[:-10]
        return acc

    last = op.fold_final("last10", sellers, list, keep10)

    def avg(kv):
        ps = [p for _, p in sorted(kv[1])[-10:]]
        return (int(kv[0]), len(ps), sum(ps), sum(ps) // len(ps))

    output(op.map("q6", last, avg))


def q7(flow):
    # ties: the earliest event (flowc's max_window keeps the first)
    bids = bids_of(nexmark_input(flow))
    keyed = op.key_on("keyed", bids, lambda _: "all")
    clock = event_clock(lambda e: dt(e["date_time_ms"]))
    windows = TumblingWindower(length=timedelta(seconds=10), align_to=datetime(2015, 7, 15, tzinfo=UTC))
    highest = win.max_window("highest", keyed, clock, windows, by=lambda e: (e["price"], -e["n"]))
    output(op.map("q7", highest.down, lambda kv: (kv[1][1]["auction"], kv[1][1]["price"], kv[1][1]["bidder"],
                                                  dt(kv[1][1]["date_time_ms"]), kv[1][1]["extra"])))


def q8(flow):
    # new users: persons who opened an auction in the 10 s tumbling window
    # they joined in (window join, emitted when the window closes)
    events = nexmark_input(flow, ())
    persons = op.filter("persons", events, lambda e: e["event_type"] == 0)
    auctions = op.filter("auctions", events, lambda e: e["event_type"] == 1)
    p = op.map("p", persons, lambda e: (str(e["person_id"]), (e["date_time_ms"], e["name"])))
    a = op.map("a", auctions, lambda e: (str(e["seller"]), (e["date_time_ms"], "")))
    clock = event_clock(lambda v: dt(v[0]))
    windows = TumblingWindower(length=timedelta(seconds=10), align_to=datetime(2015, 7, 15, tzinfo=UTC))
    joined = win.join_window("joined", clock, windows, p, a, insert_mode="first", emit_mode="final")
    both = op.filter("both", joined.down, lambda kv: kv[1][1][0] is not None and kv[1][1][1] is not None)
    output(op.map("q8", both, lambda kv: (int(kv[0]), kv[1][1][0][1], kv[1][0])))


FLOWS = {"w1": w1, "w2": w2, "w3": w3, "w4": w4, "brc": brc, "q0": q0, "q1": q1, "q2": q2, "q3": q3, "q4": q4,
         "q5": q5, "q6": q6, "q7": q7, "q8": q8}


def get_flow(name):
    flow = Dataflow(name)
    FLOWS[name](flow)
    return flow
