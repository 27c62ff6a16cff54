/*
 * test_codec.c - recovery's binary encoding (codec.c) and the keyed
 * table's dirty tracking (table.c): round trips of every primitive at its
 * edges, golden bytes of varints and strings, every truncation of an
 * encoded value read back as bad (never a crash), counts larger than the
 * bytes left, invalid UTF-8; dirty ids once each, removed keys, cleaning.
 */
#include "unit.h"

#include <math.h>

static flow_rd rd(const flow_buf *b) { return (flow_rd){ b->p, b->p + b->n, false }; }

static void primitives(void **state)
{
    (void)state;
    flow_buf b = { 0 };
    flow_arena a;
    flow_arena_init(&a);
    const int64_t ints[] = { 0, 1, -1, 63, -64, 64, 300, INT64_MAX, INT64_MIN };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        flow_enc_i64(&b, ints[i]);
    flow_enc_f64(&b, 0.1);
    flow_enc_f64(&b, -INFINITY);
    flow_enc_bool(&b, true);
    flow_enc_str(&b, S("h\xc3\xa9llo"));
    flow_enc_str(&b, S(""));
    flow_window_meta m = { 5, 10, { (int64_t[]){ 1, 2 }, 2 } };
    flow_enc_meta(&b, m);
    flow_rd r = rd(&b);
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        assert_true(flow_dec_i64(&r) == ints[i]);
    assert_true(flow_dec_f64(&r) == 0.1);
    assert_true(flow_dec_f64(&r) == -INFINITY);
    assert_true(flow_dec_bool(&r));
    flow_str s = flow_dec_str(&r, &a);
    ASSERT_STR(s, "h\xc3\xa9llo");
    assert_int_equal(flow_dec_str(&r, &a).n, 0);
    flow_window_meta m2 = flow_dec_meta(&r, &a);
    assert_true(flow_window_meta_eq(m, m2));
    assert_false(r.bad);
    assert_true(r.p == r.end);
    /* every truncation is bad, never a crash */
    for (size_t cut = 0; cut < b.n; cut++) {
        flow_rd t = { b.p, b.p + cut, false };
        for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
            flow_dec_i64(&t);
        flow_dec_f64(&t);
        flow_dec_f64(&t);
        flow_dec_bool(&t);
        flow_dec_str(&t, &a);
        flow_dec_str(&t, &a);
        flow_dec_meta(&t, &a);
        assert_true(t.bad);
    }
    flow_buf_free(&b);
    flow_arena_destroy(&a);
}

static void golden_and_malformed(void **state)
{
    (void)state;
    flow_buf b = { 0 };
    flow_arena a;
    flow_arena_init(&a);
    flow_enc_i64(&b, -2);      /* zigzag 3 */
    flow_enc_u64(&b, 300);     /* ac 02 */
    flow_enc_str(&b, S("ab"));
    ASSERT_BUF(b, "\x03\xac\x02\x02" "ab");
    /* a count beyond the bytes left, a string of invalid UTF-8, a bool 2 */
    const char *bad[] = { "\x05" "ab", "\x02\xff\xfe", "\x02", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01" };
    size_t lens[] = { 3, 3, 1, 11 };
    for (int i = 0; i < 4; i++) {
        flow_rd r = { bad[i], bad[i] + lens[i], false };
        if (i == 2)
            flow_dec_bool(&r);
        else if (i == 3)
            flow_dec_u64(&r);
        else
            flow_dec_str(&r, &a);
        assert_true(r.bad);
    }
    flow_buf_free(&b);
    flow_arena_destroy(&a);
}

static void dirty_tracking(void **state)
{
    (void)state;
    flow_table *t = flow_table_new(sizeof(int64_t));
    uint32_t x = flow_table_insert(t, S("x"));   /* before tracking: clean */
    flow_table_track(t);
    const uint32_t *ids;
    assert_int_equal(flow_table_dirty(t, &ids), 0);
    char buf[32];
    for (int i = 0; i < 100; i++) {
        flow_str k = { buf, snprintf(buf, sizeof buf, "k%d", i % 10) };
        flow_table_upsert(t, k, NULL);
    }
    flow_table_set_timer(t, x, 5);
    size_t n = flow_table_dirty(t, &ids);
    assert_int_equal(n, 11);   /* ten keys once each, and x */
    assert_true(flow_table_has_row(t, x));    /* loaded before tracking */
    uint32_t k3 = flow_table_find(t, S("k3")), k4 = flow_table_find(t, S("k4"));
    assert_false(flow_table_has_row(t, k3));
    /* as snapshots writing k3's state: GC with every fourth */
    assert_false(flow_table_wrote(t, k3, true));
    assert_false(flow_table_wrote(t, k3, true));
    assert_false(flow_table_wrote(t, k3, true));
    assert_true(flow_table_wrote(t, k3, true));
    assert_false(flow_table_wrote(t, k3, true));
    assert_true(flow_table_has_row(t, k3));
    flow_table_remove(t, k3);
    flow_table_remove(t, k4);         /* never stored: no NULL row needed */
    flow_table_insert(t, S("new"));   /* may reuse k3's id */
    n = flow_table_dirty(t, &ids);
    assert_int_equal(n, 10);   /* k3, k4 gone, new in */
    assert_int_equal(flow_table_gone_count(t), 1);
    ASSERT_STR(flow_table_gone_key(t, 0), "k3");
    flow_table_clean(t);
    assert_int_equal(flow_table_dirty(t, &ids), 0);
    assert_int_equal(flow_table_gone_count(t), 0);
    flow_table_due(t, 10, &ids);   /* x's timer fires: dirty again */
    assert_int_equal(flow_table_dirty(t, &ids), 1);
    assert_int_equal(ids[0], x);
    flow_table_free(t, NULL);
}

/* Cold slots (table.c, "recovery: dirty tracking"): random upserts, finds,
 * removals, timers and snapshots (dirty, clean) over short and long keys
 * of a tracked table, against an untracked twin and a model of what was
 * touched: every lookup finds the same key, and each snapshot lists
 * exactly the live keys touched since the last one. */
static void dirty_tracking_random(void **state)
{
    (void)state;
    enum { NK = 300 };
    flow_table *t = flow_table_new(sizeof(int64_t)), *u = flow_table_new(sizeof(int64_t));
    flow_table_track(t);
    bool touched[NK] = { false };
    uint64_t rng = 7;
    char buf[64];
    for (int op = 0; op < 200000; op++) {
        rng = rng * 6364136223846793005u + 1442695040888963407u;
        unsigned r = (unsigned)(rng >> 33);
        int k = (int)(r % NK);
        /* lengths 1..40: packed and XXH3 keys; "k" + digits, padded */
        int len = snprintf(buf, sizeof buf, "%d%.*s", k, k % 5 == 0 ? 30 : k % 7, "==============================");
        flow_str key = { buf, len };
        int what = (int)((r >> 12) % 100);
        uint32_t ut = flow_table_find(u, key);
        if (what < 60) {
            bool c1, c2;
            uint32_t a = flow_table_upsert(t, key, &c1), b = flow_table_upsert(u, key, &c2);
            assert_int_equal(c1, c2);
            *(int64_t *)flow_table_value(t, a) = k;
            *(int64_t *)flow_table_value(u, b) = k;
            touched[k] = true;
        } else if (what < 75) {
            uint32_t a = flow_table_find(t, key);
            assert_int_equal(a == FLOW_NO_ENTRY, ut == FLOW_NO_ENTRY);
            if (a != FLOW_NO_ENTRY) {
                assert_int_equal(*(int64_t *)flow_table_value(t, a), k);
                touched[k] = true;
            }
        } else if (what < 85) {
            uint32_t a = flow_table_find(t, key);
            if (a != FLOW_NO_ENTRY) {
                flow_table_remove(t, a);
                flow_table_remove(u, ut);
                touched[k] = false;    /* a removal, not a dirty key */
            }
        } else if (what < 93) {
            uint32_t a = flow_table_find(t, key);
            if (a != FLOW_NO_ENTRY) {
                flow_table_set_timer(t, a, (flow_time)r);
                touched[k] = true;
            }
        } else if (what < 96) {
            flow_table_clean(t);
            memset(touched, 0, sizeof touched);
        } else {
            const uint32_t *ids;
            size_t n = flow_table_dirty(t, &ids), want = 0;
            for (int i = 0; i < NK; i++)
                want += touched[i];
            assert_int_equal(n, want);
            for (size_t i = 0; i < n; i++)
                assert_true(touched[*(int64_t *)flow_table_value(t, ids[i])]);
            flow_table_clean(t);
            memset(touched, 0, sizeof touched);
        }
        assert_int_equal(flow_table_count(t), flow_table_count(u));
    }
    flow_table_free(t, NULL);
    flow_table_free(u, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(primitives),
        cmocka_unit_test(golden_and_malformed),
        cmocka_unit_test(dirty_tracking),
        cmocka_unit_test(dirty_tracking_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
