/*
 * nexmark.c - the Nexmark event generator behind the `nexmark(...)` source
 * (../shared/NEXMARK.md section 3): event n is a person, an auction or a
 * bid (1 / 3 / 46 of every 50), with the Nexmark id helpers, hot
 * sellers / bidders / auctions, log-uniform prices, channel and URL
 * choices and `extra` padding to the average event sizes.
 *
 * Deterministic and counter-based: every field of event n draws from its
 * own SplitMix64 stream seeded from (seed, n, field), so any partition of
 * the id space, and any subset of the fields a program reads, gives the
 * same values. Strings are written into the caller's arena; `extra` is a
 * slice of one fixed 1 MiB lowercase string (no copy). Bids (92 % of the
 * events) build only the fields in the caller's mask; persons and
 * auctions build all theirs, since `extra`'s length depends on the others.
 */
#include "internal.h"

#include <pthread.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define FIRST_PERSON_ID 1000
#define FIRST_AUCTION_ID 1000
#define FIRST_CATEGORY_ID 10
#define NUM_CATEGORIES 5
#define ACTIVE_PEOPLE 1000
#define IN_FLIGHT_AUCTIONS 100
#define PERSON_ID_LEAD 10
#define AUCTION_ID_LEAD 10
#define HOT_RATIO 100
#define CHANNELS 10000
#define EXTRA_POOL ((size_t)1 << 20)

/* one stream per field, so fields are independent of which others are built */
enum { R_NAME = 1, R_EMAIL, R_CC, R_CITY, R_STATE, R_EXTRA, R_SELLER, R_CATEGORY, R_INITIAL, R_EXPIRES,
       R_ITEM, R_DESC, R_RESERVE, R_AUCTION, R_BIDDER, R_PRICE, R_CHANNEL };

typedef struct rng { uint64_t s; } rng;

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static rng stream(uint64_t seed, int64_t n, int field)
{
    return (rng){ mix(seed ^ mix((uint64_t)n * 64 + (uint64_t)field)) };
}

static uint64_t next(rng *r)
{
    r->s += UINT64_C(0x9e3779b97f4a7c15);
    return mix(r->s);
}

/* uniform in [0, n), n >= 1 */
static int64_t rnd(rng *r, int64_t n)
{
    return (int64_t)(((unsigned __int128)next(r) * (uint64_t)n) >> 64);
}

static double unit(rng *r)
{
    return (double)(next(r) >> 11) * 0x1p-53;
}

static const char *const FIRST[] = { "Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah",
                                     "Deiter", "Walter" };
static const char *const LAST[] = { "Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones",
                                    "Noris" };
static const char *const CITIES[] = { "Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend",
                                      "Redmond", "Seattle", "Kent", "Cheyenne" };
static const char *const STATES[] = { "AZ", "CA", "ID", "OR", "WA", "WY" };
static const char *const HOT_CHANNELS[] = { "Google", "Facebook", "Baidu", "Apple" };

static char extra_pool[EXTRA_POOL];
static pthread_once_t extra_once = PTHREAD_ONCE_INIT;

static void init_pool(void)
{
    rng r = stream(UINT64_C(0x6e65786d61726b), -1, 0);
    for (size_t i = 0; i < EXTRA_POOL; i++)
        extra_pool[i] = (char)('a' + rnd(&r, 26));
}

void flow_nexmark_init(flow_nexmark *g, int64_t rate, uint64_t seed)
{
    pthread_once(&extra_once, init_pool);
    g->rate = rate > 0 ? rate : 10000000;
    g->seed = seed;
    g->base_ms = INT64_C(1436918400000);   /* 2015-07-15T00:00:00Z: a fixed base time */
}

/* event time of event n in milliseconds (interEventDelay = 1e6 / rate us) */
static int64_t ts_ms(const flow_nexmark *g, int64_t n)
{
    return g->base_ms + (int64_t)(((__int128)n * 1000000 / g->rate) / 1000);
}

static int64_t last_person(int64_t e) { return e / 50; }

static int64_t last_auction(int64_t e)
{
    int64_t epoch = e / 50, off = e % 50;
    if (off < 1)
        return (epoch - 1) * 3 + 2;
    if (off >= 4)
        return epoch * 3 + 2;
    return epoch * 3 + (off - 1);
}

static int64_t next_person(int64_t e, rng *r)
{
    int64_t people = last_person(e) + 1;
    int64_t active = people < ACTIVE_PEOPLE ? people : ACTIVE_PEOPLE;
    return people - active + rnd(r, active + PERSON_ID_LEAD);
}

static int64_t next_auction(int64_t e, rng *r)
{
    int64_t hi = last_auction(e), lo = hi - IN_FLIGHT_AUCTIONS > 0 ? hi - IN_FLIGHT_AUCTIONS : 0;
    return lo + rnd(r, hi - lo + 1 + AUCTION_ID_LEAD);
}

static int64_t price(rng *r)
{
    return (int64_t)llround(pow(10.0, unit(r) * 6) * 100);
}

/* Nexmark's nextString: 3 + rand(max - 3) chars, each SPECIAL with
 * probability 1/13 else a..z, leading and trailing spaces trimmed. */
static flow_str string(flow_arena *a, rng *r, int max, char special)
{
    int n = 3 + (int)rnd(r, max - 3);
    char *d = flow_arena_alloc(a, (size_t)n);
    for (int i = 0; i < n; i++)
        d[i] = rnd(r, 13) == 0 ? special : (char)('a' + rnd(r, 26));
    int b = 0, e = n;
    while (b < e && d[b] == ' ')
        b++;
    while (e > b && d[e - 1] == ' ')
        e--;
    return (flow_str){ d + b, e - b };
}

static flow_str cat(flow_arena *a, const char *const *parts, const int64_t *lens, int k)
{
    int64_t n = 0;
    for (int i = 0; i < k; i++)
        n += lens[i];
    char *d = flow_arena_alloc(a, (size_t)n + 1);
    int64_t o = 0;
    for (int i = 0; i < k; i++) {
        memcpy(d + o, parts[i], (size_t)lens[i]);
        o += lens[i];
    }
    return (flow_str){ d, n };
}

static flow_str lit(const char *s) { return (flow_str){ s, (int64_t)strlen(s) }; }

/* extra(current, avg): padding so the event averages AVG bytes */
static flow_str extra(rng *r, int64_t current, int64_t avg)
{
    if (current > avg)
        return (flow_str){ "", 0 };
    int64_t d = avg - current, delta = llround(0.2 * (double)d);
    int64_t n = delta ? d - delta + rnd(r, 2 * delta) : d;
    size_t off = (size_t)rnd(r, (int64_t)(EXTRA_POOL - (size_t)n));
    return (flow_str){ extra_pool + off, n };
}

/* "https://www.nexmark.com/" + s5 + "/" + s5 + "/" + s5 + "/item.htm?query=1", s5 = string(5, '_') */
static flow_str url(flow_arena *a, uint64_t seed, int64_t key, int64_t channel_id)
{
    rng r = stream(seed ^ UINT64_C(0x75726c), key, 0);
    flow_str s[3];
    for (int i = 0; i < 3; i++)
        s[i] = string(a, &r, 5, '_');
    char tail[48] = "";
    if (channel_id >= 0) {
        uint32_t v = (uint32_t)channel_id, rev = 0;
        for (int i = 0; i < 32; i++)
            rev |= ((v >> i) & 1u) << (31 - i);
        int32_t sr = (int32_t)rev;
        snprintf(tail, sizeof tail, "&channel_id=%lld", (long long)llabs((long long)sr));
    }
    const char *p[] = { "https://www.nexmark.com/", s[0].p, "/", s[1].p, "/", s[2].p, "/item.htm?query=1", tail };
    int64_t l[] = { 24, s[0].n, 1, s[1].n, 1, s[2].n, 17, (int64_t)strlen(tail) };
    return cat(a, p, l, 8);
}

void flow_nexmark_event_at(const flow_nexmark *g, int64_t n, uint32_t mask, flow_arena *a, flow_nexmark_event *ev)
{
    memset(ev, 0, sizeof *ev);
    int64_t e = n;
    int64_t r = e % 50;
    int64_t ts = ts_ms(g, n);
    ev->date_time = ts * 1000;
    uint64_t seed = g->seed;
    if (r >= 4) {                                  /* bid */
        ev->event_type = FLOW_NEXMARK_BID;
        if (mask & FLOW_NX_AUCTION) {
            rng q = stream(seed, e, R_AUCTION);
            ev->auction = (rnd(&q, 2) > 0 ? last_auction(e) / HOT_RATIO * HOT_RATIO : next_auction(e, &q)) +
                          FIRST_AUCTION_ID;
        }
        if (mask & FLOW_NX_BIDDER) {
            rng q = stream(seed, e, R_BIDDER);
            ev->bidder = (rnd(&q, 4) > 0 ? last_person(e) / HOT_RATIO * HOT_RATIO + 1 : next_person(e, &q)) +
                         FIRST_PERSON_ID;
        }
        if (mask & FLOW_NX_PRICE) {
            rng q = stream(seed, e, R_PRICE);
            ev->price = price(&q);
        }
        if (mask & (FLOW_NX_CHANNEL | FLOW_NX_URL)) {
            rng q = stream(seed, e, R_CHANNEL);
            if (rnd(&q, 2) == 0) {
                int64_t i = rnd(&q, 4);
                ev->channel = lit(HOT_CHANNELS[i]);
                if (mask & FLOW_NX_URL)
                    ev->url = url(a, seed, -1 - i, -1);
            } else {
                int64_t i = rnd(&q, CHANNELS);
                if (mask & FLOW_NX_CHANNEL) {
                    char tmp[24];
                    int k = snprintf(tmp, sizeof tmp, "channel-%lld", (long long)i);
                    const char *p[] = { tmp };
                    int64_t l[] = { k };
                    ev->channel = cat(a, p, l, 1);
                }
                if (mask & FLOW_NX_URL)
                    ev->url = url(a, seed, i, i % 10 ? i : -1);
            }
        }
        if (mask & FLOW_NX_EXTRA) {
            rng q = stream(seed, e, R_EXTRA);
            ev->extra = extra(&q, 32, 100);
        }
        return;
    }
    if (r < 1) {                                   /* person */
        ev->event_type = FLOW_NEXMARK_PERSON;
        ev->person_id = last_person(e) + FIRST_PERSON_ID;
        rng q = stream(seed, e, R_NAME);
        const char *first = FIRST[rnd(&q, 11)], *last = LAST[rnd(&q, 9)];
        const char *pn[] = { first, " ", last };
        int64_t ln[] = { (int64_t)strlen(first), 1, (int64_t)strlen(last) };
        ev->name = cat(a, pn, ln, 3);
        q = stream(seed, e, R_EMAIL);
        flow_str u = string(a, &q, 7, ' '), d = string(a, &q, 5, ' ');
        const char *pe[] = { u.p, "@", d.p, ".com" };
        int64_t le[] = { u.n, 1, d.n, 4 };
        ev->email_address = cat(a, pe, le, 4);
        q = stream(seed, e, R_CC);
        /* four draws, printed last draw first: the order gcc evaluated the
         * four rnd() calls in when they were snprintf's arguments (right to
         * left; unspecified in C), which the Python and Java peers copy */
        int g[4];
        for (int i = 3; i >= 0; i--)
            g[i] = (int)rnd(&q, 10000);
        char cc[24];
        snprintf(cc, sizeof cc, "%04d %04d %04d %04d", g[0], g[1], g[2], g[3]);
        const char *pc[] = { cc };
        int64_t lc[] = { 19 };
        ev->credit_card = cat(a, pc, lc, 1);
        q = stream(seed, e, R_CITY);
        ev->city = lit(CITIES[rnd(&q, 10)]);
        q = stream(seed, e, R_STATE);
        ev->state = lit(STATES[rnd(&q, 6)]);
        q = stream(seed, e, R_EXTRA);
        ev->extra = extra(&q, 8 + ev->name.n + ev->email_address.n + ev->credit_card.n + ev->city.n + ev->state.n,
                          200);
        return;
    }
    ev->event_type = FLOW_NEXMARK_AUCTION;         /* auction */
    ev->auction_id = last_auction(e) + FIRST_AUCTION_ID;
    rng q = stream(seed, e, R_SELLER);
    ev->seller = (rnd(&q, 4) > 0 ? last_person(e) / HOT_RATIO * HOT_RATIO : next_person(e, &q)) + FIRST_PERSON_ID;
    q = stream(seed, e, R_CATEGORY);
    ev->category = FIRST_CATEGORY_ID + rnd(&q, NUM_CATEGORIES);
    q = stream(seed, e, R_INITIAL);
    ev->initial_bid = price(&q);
    q = stream(seed, e, R_RESERVE);
    ev->reserve = ev->initial_bid + price(&q);
    q = stream(seed, e, R_EXPIRES);
    int64_t horizon = ts_ms(g, n + IN_FLIGHT_AUCTIONS * 50 / 3) - ts;
    ev->expires = (ts + 1 + rnd(&q, 2 * horizon > 1 ? 2 * horizon : 1)) * 1000;
    q = stream(seed, e, R_ITEM);
    ev->item_name = string(a, &q, 20, ' ');
    q = stream(seed, e, R_DESC);
    ev->description = string(a, &q, 100, ' ');
    q = stream(seed, e, R_EXTRA);
    ev->extra = extra(&q, 8 + ev->item_name.n + ev->description.n + 40, 500);
}
