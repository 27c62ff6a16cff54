"""nexmark.py - flowc's Nexmark generator (runtime/src/nexmark.c) in Python,
for the Bytewax peer (bench/peers/bytewax/flows.py).

Event n is the same event, field for field, as flowc's `nexmark(...)`
source gives (seed 0, rate 10,000,000 events/s of event time): every field
draws from its own SplitMix64 stream seeded by (seed, n, field). As in
flowc, a bid builds only the fields asked for; persons and auctions build
all of theirs. The bid's `channel` and `url` are not ported (no query
reads them).

An event is a dict with the fields of flowc's schema record that the
queries read, plus `n` (its index, for tie-breaks that must not depend on
arrival order when several workers generate).
"""
import math
import os
from datetime import datetime, timedelta, timezone

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
POOL_SIZE = 1 << 20
BASE_MS = 1436918400000  # 2015-07-15T00:00:00Z
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
RATE = 10_000_000

R_NAME, R_EMAIL, R_CC, R_CITY, R_STATE, R_EXTRA, R_SELLER, R_CATEGORY, R_INITIAL, R_EXPIRES, \
    R_ITEM, R_DESC, R_RESERVE, R_AUCTION, R_BIDDER, R_PRICE, R_CHANNEL = range(1, 18)

FIRST = ["Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"]
LAST = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"]
CITIES = ["Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle",
          "Kent", "Cheyenne"]
STATES = ["AZ", "CA", "ID", "OR", "WA", "WY"]


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


class Rng:
    __slots__ = ("s",)

    def __init__(self, seed, n, field):
        self.s = mix(seed ^ mix((n * 64 + field) & M64))

    def next(self):
        self.s = (self.s + GOLDEN) & M64
        return mix(self.s)

    def rnd(self, n):
        return (self.next() * n) >> 64

    def unit(self):
        return (self.next() >> 11) * (2.0 ** -53)


_pool = None


def pool():
    """The 1 MiB `extra` string; cached in $NEXMARK_POOL when set (it takes
    about a second to build in Python)."""
    global _pool
    if _pool is None:
        path = os.environ.get("NEXMARK_POOL")
        if path and os.path.exists(path) and os.path.getsize(path) == POOL_SIZE:
            with open(path, "rb") as f:
                _pool = f.read().decode("ascii")
        else:
            r = Rng(0x6E65786D61726B, -1, 0)
            _pool = "".join(chr(97 + r.rnd(26)) for _ in range(POOL_SIZE))
            if path:
                with open(path + ".tmp", "wb") as f:
                    f.write(_pool.encode("ascii"))
                os.replace(path + ".tmp", path)
    return _pool


def ts_ms(n):
    return BASE_MS + (n * 1000000 // RATE) // 1000


def to_dt(us):
    return EPOCH + timedelta(microseconds=us)


def last_person(e):
    return e // 50


def last_auction(e):
    epoch, off = divmod(e, 50)
    if off < 1:
        return (epoch - 1) * 3 + 2
    if off >= 4:
        return epoch * 3 + 2
    return epoch * 3 + (off - 1)


def next_person(e, r):
    people = last_person(e) + 1
    active = min(people, 1000)
    return people - active + r.rnd(active + 10)


def next_auction(e, r):
    hi = last_auction(e)
    lo = hi - 100 if hi - 100 > 0 else 0
    return lo + r.rnd(hi - lo + 1 + 10)


def price(r):
    return math.floor(math.pow(10.0, r.unit() * 6) * 100 + 0.5)


def string(r, mx, special):
    n = 3 + r.rnd(mx - 3)
    cs = []
    for _ in range(n):
        cs.append(special if r.rnd(13) == 0 else chr(97 + r.rnd(26)))
    s = "".join(cs)
    return s.strip(" ") if special == " " else s


def extra(r, current, avg):
    if current > avg:
        return ""
    d = avg - current
    delta = math.floor(0.2 * d + 0.5)
    n = d - delta + r.rnd(2 * delta) if delta else d
    off = r.rnd(POOL_SIZE - n)
    return pool()[off:off + n]


def event(n, bid_fields=("auction", "bidder", "price", "extra")):
    """Event n as a dict: event_type 0 person, 1 auction, 2 bid."""
    e, seed = n, 0
    r = e % 50
    ts = ts_ms(n)
    ev = {"n": n, "date_time_ms": ts}
    if r >= 4:
        ev["event_type"] = 2
        if "auction" in bid_fields:
            q = Rng(seed, e, R_AUCTION)
            ev["auction"] = (last_auction(e) // 100 * 100 if q.rnd(2) > 0 else next_auction(e, q)) + 1000
        if "bidder" in bid_fields:
            q = Rng(seed, e, R_BIDDER)
            ev["bidder"] = (last_person(e) // 100 * 100 + 1 if q.rnd(4) > 0 else next_person(e, q)) + 1000
        if "price" in bid_fields:
            ev["price"] = price(Rng(seed, e, R_PRICE))
        if "extra" in bid_fields:
            ev["extra"] = extra(Rng(seed, e, R_EXTRA), 32, 100)
        return ev
    if r < 1:
        ev["event_type"] = 0
        ev["person_id"] = last_person(e) + 1000
        q = Rng(seed, e, R_NAME)
        first = FIRST[q.rnd(11)]
        ev["name"] = first + " " + LAST[q.rnd(9)]
        q = Rng(seed, e, R_EMAIL)
        u = string(q, 7, " ")
        d = string(q, 5, " ")
        email = u + "@" + d + ".com"
        q = Rng(seed, e, R_CC)
        # flowc (gcc) evaluates the four draws of its snprintf right to left
        c4 = [q.rnd(10000) for _ in range(4)]
        cc = "%04d %04d %04d %04d" % (c4[3], c4[2], c4[1], c4[0])
        ev["city"] = CITIES[Rng(seed, e, R_CITY).rnd(10)]
        ev["state"] = STATES[Rng(seed, e, R_STATE).rnd(6)]
        ev["extra"] = extra(Rng(seed, e, R_EXTRA),
                            8 + len(ev["name"]) + len(email) + len(cc) + len(ev["city"]) + len(ev["state"]), 200)
        ev["email_address"], ev["credit_card"] = email, cc
        return ev
    ev["event_type"] = 1
    ev["auction_id"] = last_auction(e) + 1000
    q = Rng(seed, e, R_SELLER)
    ev["seller"] = (last_person(e) // 100 * 100 if q.rnd(4) > 0 else next_person(e, q)) + 1000
    ev["category"] = 10 + Rng(seed, e, R_CATEGORY).rnd(5)
    ev["initial_bid"] = price(Rng(seed, e, R_INITIAL))
    ev["reserve"] = ev["initial_bid"] + price(Rng(seed, e, R_RESERVE))
    horizon = ts_ms(n + 100 * 50 // 3) - ts
    ev["expires_ms"] = ts + 1 + Rng(seed, e, R_EXPIRES).rnd(2 * horizon if 2 * horizon > 1 else 1)
    ev["item_name"] = string(Rng(seed, e, R_ITEM), 20, " ")
    ev["description"] = string(Rng(seed, e, R_DESC), 100, " ")
    ev["extra"] = extra(Rng(seed, e, R_EXTRA), 8 + len(ev["item_name"]) + len(ev["description"]) + 40, 500)
    return ev


if __name__ == "__main__":
    # python3 nexmark.py N: every event's fields, one line each (tests)
    import sys
    for i in range(int(sys.argv[1])):
        ev = event(i)
        print(ev["event_type"], ev.get("date_time_ms"), ev.get("person_id", 0), ev.get("name", ""),
              ev.get("email_address", ""), ev.get("credit_card", ""), ev.get("city", ""), ev.get("state", ""),
              ev.get("auction_id", 0), ev.get("item_name", ""), ev.get("description", ""),
              ev.get("initial_bid", 0), ev.get("reserve", 0), ev.get("expires_ms", 0) * 1000, ev.get("seller", 0),
              ev.get("category", 0), ev.get("auction", 0), ev.get("bidder", 0), ev.get("price", 0),
              ev.get("extra", ""), sep="|")
