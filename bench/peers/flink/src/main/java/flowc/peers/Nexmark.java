package flowc.peers;

/**
 * flowc's Nexmark generator (runtime/src/nexmark.c) in Java: event n is the
 * same event, field for field, as flowc's nexmark(events = N) source gives
 * (seed 0, 10,000,000 events/s of event time), each field drawn from its
 * own SplitMix64 stream seeded by (seed, n, field). As in flowc, a bid
 * builds only the fields asked for (BID_* bits); persons and auctions build
 * all of theirs. The bid's channel and url are not ported (no query reads
 * them). Prices use StrictMath.pow (fdlibm) where flowc uses glibc's pow:
 * bench/run.sh's output check would show a price they round differently.
 */
public final class Nexmark {
    public static final int BID_AUCTION = 1, BID_BIDDER = 2, BID_PRICE = 4, BID_EXTRA = 8;
    public static final long BASE_MS = 1436918400000L;   // 2015-07-15T00:00:00Z
    static final long RATE = 10_000_000L;
    static final int POOL = 1 << 20;
    static final int R_NAME = 1, R_EMAIL = 2, R_CC = 3, R_CITY = 4, R_STATE = 5, R_EXTRA = 6, R_SELLER = 7,
            R_CATEGORY = 8, R_INITIAL = 9, R_EXPIRES = 10, R_ITEM = 11, R_DESC = 12, R_RESERVE = 13,
            R_AUCTION = 14, R_BIDDER = 15, R_PRICE = 16;
    static final String[] FIRST = { "Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah",
            "Deiter", "Walter" };
    static final String[] LAST = { "Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones",
            "Noris" };
    static final String[] CITIES = { "Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend",
            "Redmond", "Seattle", "Kent", "Cheyenne" };
    static final String[] STATES = { "AZ", "CA", "ID", "OR", "WA", "WY" };
    static final String EXTRA_POOL;

    static {
        Rng r = new Rng(0x6e65786d61726bL, -1, 0);
        char[] p = new char[POOL];
        for (int i = 0; i < POOL; i++)
            p[i] = (char) ('a' + r.rnd(26));
        EXTRA_POOL = new String(p);
    }

    private Nexmark() {}

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static final class Rng {
        long s;

        Rng(long seed, long n, int field) { s = mix(seed ^ mix(n * 64 + field)); }

        long next() {
            s += 0x9e3779b97f4a7c15L;
            return mix(s);
        }

        /** uniform in [0, n), n >= 1: the high word of next() * n, unsigned */
        long rnd(long n) {
            long a = next();
            return Math.multiplyHigh(a, n) + ((a >> 63) & n);
        }

        double unit() { return (next() >>> 11) * 0x1p-53; }
    }

    static long tsMs(long n) { return BASE_MS + (n * 1000000L / RATE) / 1000; }

    static long lastPerson(long e) { return e / 50; }

    static long lastAuction(long e) {
        long epoch = e / 50, off = e % 50;
        if (off < 1)
            return (epoch - 1) * 3 + 2;
        if (off >= 4)
            return epoch * 3 + 2;
        return epoch * 3 + (off - 1);
    }

    static long nextPerson(long e, Rng r) {
        long people = lastPerson(e) + 1, active = Math.min(people, 1000);
        return people - active + r.rnd(active + 10);
    }

    static long nextAuction(long e, Rng r) {
        long hi = lastAuction(e), lo = hi - 100 > 0 ? hi - 100 : 0;
        return lo + r.rnd(hi - lo + 1 + 10);
    }

    static long price(Rng r) { return (long) Math.floor(StrictMath.pow(10.0, r.unit() * 6) * 100 + 0.5); }

    static String string(Rng r, int max, char special) {
        int n = 3 + (int) r.rnd(max - 3);
        char[] d = new char[n];
        for (int i = 0; i < n; i++)
            d[i] = r.rnd(13) == 0 ? special : (char) ('a' + r.rnd(26));
        int b = 0, e = n;
        while (b < e && d[b] == ' ')
            b++;
        while (e > b && d[e - 1] == ' ')
            e--;
        return new String(d, b, e - b);
    }

    static String extra(Rng r, long current, long avg) {
        if (current > avg)
            return "";
        long d = avg - current, delta = (long) Math.floor(0.2 * d + 0.5);
        long n = delta != 0 ? d - delta + r.rnd(2 * delta) : d;
        int off = (int) r.rnd(POOL - n);
        return EXTRA_POOL.substring(off, off + (int) n);
    }

    /** Event n; bidFields: the BID_* fields a bid builds. */
    public static Event event(long n, int bidFields) {
        Event ev = new Event();
        long e = n, r = e % 50, ts = tsMs(n);
        ev.n = n;
        ev.dateTimeMs = ts;
        if (r >= 4) {
            ev.eventType = 2;
            if ((bidFields & BID_AUCTION) != 0) {
                Rng q = new Rng(0, e, R_AUCTION);
                ev.auction = (q.rnd(2) > 0 ? lastAuction(e) / 100 * 100 : nextAuction(e, q)) + 1000;
            }
            if ((bidFields & BID_BIDDER) != 0) {
                Rng q = new Rng(0, e, R_BIDDER);
                ev.bidder = (q.rnd(4) > 0 ? lastPerson(e) / 100 * 100 + 1 : nextPerson(e, q)) + 1000;
            }
            if ((bidFields & BID_PRICE) != 0)
                ev.price = price(new Rng(0, e, R_PRICE));
            if ((bidFields & BID_EXTRA) != 0)
                ev.extra = extra(new Rng(0, e, R_EXTRA), 32, 100);
            return ev;
        }
        if (r < 1) {
            ev.eventType = 0;
            ev.personId = lastPerson(e) + 1000;
            Rng q = new Rng(0, e, R_NAME);
            String first = FIRST[(int) q.rnd(11)];
            ev.name = first + " " + LAST[(int) q.rnd(9)];
            q = new Rng(0, e, R_EMAIL);
            String u = string(q, 7, ' '), d = string(q, 5, ' ');
            String email = u + "@" + d + ".com";
            q = new Rng(0, e, R_CC);
            long[] c4 = { q.rnd(10000), q.rnd(10000), q.rnd(10000), q.rnd(10000) };
            // flowc (gcc) evaluates the four draws of its snprintf right to left
            String cc = String.format("%04d %04d %04d %04d", c4[3], c4[2], c4[1], c4[0]);
            ev.city = CITIES[(int) new Rng(0, e, R_CITY).rnd(10)];
            ev.state = STATES[(int) new Rng(0, e, R_STATE).rnd(6)];
            ev.extra = extra(new Rng(0, e, R_EXTRA),
                    8 + ev.name.length() + email.length() + cc.length() + ev.city.length() + ev.state.length(), 200);
            return ev;
        }
        ev.eventType = 1;
        ev.auctionId = lastAuction(e) + 1000;
        Rng q = new Rng(0, e, R_SELLER);
        ev.seller = (q.rnd(4) > 0 ? lastPerson(e) / 100 * 100 : nextPerson(e, q)) + 1000;
        ev.category = 10 + new Rng(0, e, R_CATEGORY).rnd(5);
        long initial = price(new Rng(0, e, R_INITIAL));
        long reserve = initial + price(new Rng(0, e, R_RESERVE));
        long horizon = tsMs(n + 100 * 50 / 3) - ts;
        ev.expiresMs = ts + 1 + new Rng(0, e, R_EXPIRES).rnd(2 * horizon > 1 ? 2 * horizon : 1);
        String item = string(new Rng(0, e, R_ITEM), 20, ' ');
        String desc = string(new Rng(0, e, R_DESC), 100, ' ');
        ev.extra = extra(new Rng(0, e, R_EXTRA), 8 + item.length() + desc.length() + 40, 500);
        ev.reserve = reserve;
        return ev;
    }

    /** One flat record for the three event types (a Flink POJO). */
    public static final class Event {
        public long n;
        public int eventType;
        public long dateTimeMs;
        public long personId;
        public String name = "";
        public String city = "";
        public String state = "";
        public long auctionId;
        public long seller;
        public long category;
        public long expiresMs;
        public long reserve;
        public long auction;
        public long bidder;
        public long price;
        public String extra = "";

        public Event() {}
    }
}
