/* test_nexmark.c - the Nexmark generator (runtime/src/nexmark.c): event
 * mix, ids, timestamps, prices and padding as ../shared/NEXMARK.md
 * describes them, and determinism per event id and per field. */
#include "unit.h"

#define ALL (FLOW_NX_AUCTION | FLOW_NX_BIDDER | FLOW_NX_PRICE | FLOW_NX_CHANNEL | FLOW_NX_URL | FLOW_NX_EXTRA)

static bool str_eq(flow_str a, flow_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, (size_t)a.n) == 0);
}

static void event_mix_and_ids(void **state)
{
    (void)state;
    flow_nexmark g;
    flow_nexmark_init(&g, 10000000, 0);
    flow_arena a;
    flow_arena_init(&a);
    int64_t counts[3] = { 0, 0, 0 };
    flow_time last = 0;
    for (int64_t n = 0; n < 50000; n++) {
        flow_nexmark_event ev;
        flow_nexmark_event_at(&g, n, ALL, &a, &ev);
        counts[ev.event_type]++;
        assert_true(ev.date_time >= last);
        last = ev.date_time;
        int64_t off = n % 50;
        assert_int_equal(ev.event_type, off < 1 ? FLOW_NEXMARK_PERSON : off < 4 ? FLOW_NEXMARK_AUCTION : FLOW_NEXMARK_BID);
        if (ev.event_type == FLOW_NEXMARK_PERSON) {
            assert_int_equal(ev.person_id, n / 50 + 1000);
            assert_int_equal(ev.credit_card.n, 19);
            assert_true(ev.state.n == 2);
            assert_true(ev.name.n > 0 && memchr(ev.name.p, ' ', (size_t)ev.name.n));
        } else if (ev.event_type == FLOW_NEXMARK_AUCTION) {
            assert_true(ev.category >= 10 && ev.category < 15);
            assert_true(ev.reserve >= ev.initial_bid);
            assert_true(ev.expires > ev.date_time);
            assert_true(ev.seller >= 1000 && ev.seller <= n / 50 + 1000 + 10);
        } else {
            assert_true(ev.price >= 100 && ev.price <= 100000000);
            assert_true(ev.extra.n >= 54 && ev.extra.n < 82);
            assert_true(ev.auction >= 1000 && ev.bidder >= 1000);
            assert_true(ev.channel.n > 0 && ev.url.n > 24);
            assert_memory_equal(ev.url.p, "https://www.nexmark.com/", 24);
        }
        flow_arena_reset(&a);
    }
    assert_int_equal(counts[0], 1000);
    assert_int_equal(counts[1], 3000);
    assert_int_equal(counts[2], 46000);
    /* 10 M events/s: 10,000 events share each millisecond */
    flow_nexmark_event e0, e1;
    flow_nexmark_event_at(&g, 9999, 0, &a, &e0);
    flow_nexmark_event_at(&g, 10000, 0, &a, &e1);
    assert_int_equal(e1.date_time - e0.date_time, 1000);
    flow_arena_destroy(&a);
}

static void deterministic_per_event_and_field(void **state)
{
    (void)state;
    flow_nexmark g;
    flow_nexmark_init(&g, 10000000, 7);
    flow_arena a;
    flow_arena_init(&a);
    for (int64_t n = 123456; n < 123456 + 500; n++) {
        flow_nexmark_event x, y, z;
        flow_nexmark_event_at(&g, n, ALL, &a, &x);
        flow_nexmark_event_at(&g, n, ALL, &a, &y);
        flow_nexmark_event_at(&g, n, FLOW_NX_PRICE, &a, &z);   /* fewer fields: the same values */
        assert_int_equal(x.auction, y.auction);
        assert_int_equal(x.bidder, y.bidder);
        assert_int_equal(x.price, y.price);
        assert_int_equal(x.price, z.price);
        assert_true(str_eq(x.extra, y.extra) && str_eq(x.url, y.url) && str_eq(x.channel, y.channel));
        assert_true(str_eq(x.name, y.name) && str_eq(x.description, y.description));
        if (x.event_type == FLOW_NEXMARK_BID)
            assert_int_equal(z.auction, 0);   /* not requested */
    }
    /* another seed gives other events */
    flow_nexmark h;
    flow_nexmark_init(&h, 10000000, 8);
    int same = 0;
    for (int64_t n = 4; n < 50; n++) {
        flow_nexmark_event x, y;
        flow_nexmark_event_at(&g, n, ALL, &a, &x);
        flow_nexmark_event_at(&h, n, ALL, &a, &y);
        same += x.price == y.price;
    }
    assert_true(same < 5);
    flow_arena_destroy(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(event_mix_and_ids),
        cmocka_unit_test(deterministic_per_event_and_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
