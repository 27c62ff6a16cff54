/*
 * test_window.c - the windowing machinery of window.c (docs/semantics.md
 * §12): window ids with floor division (negative times, Bytewax's own
 * examples), sliding windows opened, closed and late, sessions opened,
 * extended, merged (merged ids) and closed, the event and system clocks'
 * watermarks (elapsed system time, never backwards, a wait beyond the
 * datetime range), the end of time, strict lateness, the queue, and the
 * wake-up time of an event-clock key (the first system time its flush acts),
 * and a window step's bookkeeping (flow_wstep: due keys, EOF, rescheduling,
 * system time going backwards, a new key, dropping an empty key).
 */
#include "unit.h"
#include "internal.h"    /* flowi_wbig_at */

#define US INT64_C(1)
#define MS (1000 * US)
#define SEC (1000 * MS)
#define MIN_ (60 * SEC)
#define DAY (86400 * SEC)

/* The instant of an RFC 3339 literal. */
static flow_time T(const char *s)
{
    flow_time t;
    assert_true(flow_time_parse(s, strlen(s), &t));
    return t;
}

static flow_windower_cfg sliding(int64_t length, int64_t offset, flow_time align)
{
    return (flow_windower_cfg){ .kind = FLOW_WINDOWER_SLIDING, .length = length, .offset = offset, .align = align };
}

static flow_windower_cfg session(int64_t gap)
{
    return (flow_windower_cfg){ .kind = FLOW_WINDOWER_SESSION, .gap = gap };
}

/* The sliding ids of TS are exactly LO..HI. */
static void check_ids(const flow_windower_cfg *cfg, const char *ts, int64_t lo, int64_t hi, int line)
{
    int64_t l, h;
    flow_window_ids(cfg, T(ts), &l, &h);
    if (l != lo || h != hi)
        fail_msg("line %d: %s: ids %lld..%lld, want %lld..%lld", line, ts, (long long)l, (long long)h,
                 (long long)lo, (long long)hi);
}
#define IDS(cfg, ts, lo, hi) check_ids(&(cfg), ts, lo, hi, __LINE__)

/* ---- window ids ----------------------------------------------------- */

static void ids_semantics_examples(void **state)
{
    (void)state;
    flow_time a = T("2023-03-16T09:00:00Z");
    flow_windower_cfg s5 = sliding(10 * SEC, 5 * SEC, a);
    IDS(s5, "2023-03-16T09:00:13Z", 1, 2);
    IDS(s5, "2023-03-16T08:59:57Z", -2, -1);
    IDS(s5, "2023-03-16T09:00:00Z", -1, 0);
    IDS(s5, "2023-03-16T09:00:10Z", 1, 2);
    IDS(s5, "2023-03-16T09:00:15Z", 2, 3);
    IDS(s5, "2023-03-16T08:59:55Z", -2, -1);
    flow_windower_cfg s3 = sliding(10 * SEC, 3 * SEC, a);
    IDS(s3, "2023-03-16T09:00:11Z", 1, 3);
    IDS(s3, "2023-03-16T09:00:11.5Z", 1, 3);
    IDS(s3, "2023-03-16T08:59:59Z", -3, -1);
    IDS(s3, "2023-03-16T08:59:58.5Z", -3, -1);
    IDS(s3, "2023-03-16T09:00:05Z", -1, 1);
    flow_windower_cfg s7 = sliding(10 * SEC, 7 * SEC, a);
    IDS(s7, "2023-03-16T09:00:17Z", 2, 2);
    IDS(s7, "2023-03-16T08:59:56Z", -1, -1);
    IDS(s7, "2023-03-16T09:00:10Z", 1, 1);
    IDS(s7, "2023-03-16T09:00:14Z", 1, 2);
    IDS(s7, "2023-03-16T08:59:53Z", -2, -1);
    flow_windower_cfg tumble = sliding(10 * SEC, 10 * SEC, a);
    IDS(tumble, "2023-03-16T09:00:20Z", 2, 2);
    IDS(tumble, "2023-03-16T08:59:50Z", -1, -1);
    IDS(tumble, "2023-03-16T09:00:00Z", 0, 0);
    IDS(tumble, "2023-03-16T09:00:10Z", 1, 1);
}

/* Floor division toward minus infinity, one microsecond either side of
 * a boundary, and the extremes of the datetime range. */
static void ids_floor_division(void **state)
{
    (void)state;
    flow_time a = T("2023-03-16T09:00:00Z");
    flow_windower_cfg tumble = sliding(10 * SEC, 10 * SEC, a);
    int64_t lo, hi;
    flow_window_ids(&tumble, a - US, &lo, &hi);
    assert_int_equal(lo, -1);
    assert_int_equal(hi, -1);
    flow_window_ids(&tumble, a - 10 * SEC, &lo, &hi);
    assert_int_equal(lo, -1);
    flow_window_ids(&tumble, a - 10 * SEC - US, &lo, &hi);
    assert_int_equal(lo, -2);
    flow_window_ids(&tumble, a + 10 * SEC - US, &lo, &hi);
    assert_int_equal(lo, 0);
    /* UTC_MIN with 1-minute windows aligned to 2024-01-01 */
    flow_windower_cfg m = sliding(MIN_, MIN_, T("2024-01-01T00:00:00Z"));
    flow_window_ids(&m, FLOW_TIME_MIN, &lo, &hi);
    assert_int_equal(lo, INT64_C(-1063994400));
    assert_int_equal(hi, INT64_C(-1063994400));
    flow_window_ids(&m, FLOW_TIME_MIN + 2 * SEC, &lo, &hi);
    assert_int_equal(lo, INT64_C(-1063994400));
    /* a window from align_to to the end of time */
    flow_time t0 = T("2024-01-01T00:00:00Z");
    flow_windower_cfg all = sliding(FLOW_TIME_MAX - t0, FLOW_TIME_MAX - t0, t0);
    flow_window_ids(&all, FLOW_TIME_MAX - US, &lo, &hi);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 0);
}

static void meta_of_sliding_ids(void **state)
{
    (void)state;
    flow_time a = T("2023-03-16T09:00:00Z");
    flow_windower_cfg s5 = sliding(10 * SEC, 5 * SEC, a);
    flow_window_meta m = flow_window_meta_for(&s5, -2);
    assert_int_equal(m.open_time, a - 10 * SEC);
    assert_int_equal(m.close_time, a);
    assert_int_equal(m.merged_ids.n, 0);
    m = flow_window_meta_for(&s5, 3);
    assert_int_equal(m.open_time, a + 15 * SEC);
    assert_int_equal(m.close_time, a + 25 * SEC);
}

/* ---- sliding windows: open, late, close ------------------------------ */

static flow_clock_cfg event_cfg(int64_t wait)
{
    return (flow_clock_cfg){ .kind = FLOW_CLOCK_EVENT, .wait = wait };
}

static void sliding_open_close(void **state)
{
    flow_arena *ar = *state;
    flow_time a = T("2023-03-16T09:00:00Z");
    flow_windower_cfg s5 = sliding(10 * SEC, 5 * SEC, a);
    flow_clock_cfg c = event_cfg(0);
    flow_wstate w;
    flow_wstate_init(&w, &c, a);
    assert_true(flow_wstate_empty(&w, &s5));
    const int64_t *ids;
    size_t n = flow_wstate_open_for(&w, &s5, a + 13 * SEC, &ids);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 2);
    /* 9:00:07 opens 0 (new) and finds 1 open: ids ascending, 0 appended */
    n = flow_wstate_open_for(&w, &s5, a + 7 * SEC, &ids);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 1);
    assert_int_equal(w.nwin, 3);
    assert_false(flow_wstate_empty(&w, &s5));
    /* late_for opens nothing */
    n = flow_wstate_late_for(&w, &s5, a - 3 * SEC, &ids);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], -2);
    assert_int_equal(ids[1], -1);
    assert_int_equal(w.nwin, 3);
    assert_int_equal(flow_wstate_notify_at(&w, &s5, false), a + 10 * SEC);
    /* closes when wm >= close_time, in insertion order (1 before 0) */
    int64_t id;
    flow_window_meta m;
    assert_false(flow_wstate_close_next(&w, &s5, a + 10 * SEC - US, ar, &id, &m));
    assert_true(flow_wstate_close_next(&w, &s5, a + 15 * SEC, ar, &id, &m));
    assert_int_equal(id, 1);
    assert_int_equal(m.open_time, a + 5 * SEC);
    assert_int_equal(m.close_time, a + 15 * SEC);
    assert_true(flow_wstate_close_next(&w, &s5, a + 15 * SEC, ar, &id, &m));
    assert_int_equal(id, 0);
    assert_false(flow_wstate_close_next(&w, &s5, a + 15 * SEC, ar, &id, &m));
    /* the end of time closes the rest */
    assert_true(flow_wstate_close_next(&w, &s5, FLOW_TIME_MAX, ar, &id, &m));
    assert_int_equal(id, 2);
    assert_true(flow_wstate_empty(&w, &s5));
    assert_int_equal(flow_wstate_notify_at(&w, &s5, false), FLOW_NO_TIME);
    flow_wstate_free(&w, NULL, NULL);
}

/* The first window, logic and id live in the struct (capacity 1): a
 * state moved between calls (a table's values are) keeps them, and a
 * second one moves them to the heap in order. */
static void inline_storage_moves(void **state)
{
    flow_arena *ar = *state;
    flow_time a = T("2023-03-16T09:00:00Z");
    flow_windower_cfg t10 = sliding(10 * SEC, 10 * SEC, a);    /* tumbling */
    flow_clock_cfg c = event_cfg(0);
    flow_wstate w, moved;
    flow_wstate_init(&w, &c, a);
    const int64_t *ids;
    assert_int_equal(flow_wstate_open_for(&w, &t10, a + 3 * SEC, &ids), 1);
    assert_int_equal(ids[0], 0);
    bool created;
    int acc0, acc1;
    void **slot = flow_wstate_logic(&w, 0, &created);
    assert_true(created);
    *slot = &acc0;
    assert_int_equal(w.capwin, 1);    /* no malloc yet */
    assert_null(w.win);
    assert_null(w.logic);
    assert_null(w.ids);
    memcpy(&moved, &w, sizeof w);
    memset(&w, 0xab, sizeof w);
    assert_int_equal(flow_wstate_open_for(&moved, &t10, a + 4 * SEC, &ids), 1);
    assert_int_equal(ids[0], 0);
    assert_int_equal(moved.nwin, 1);
    assert_ptr_equal(*flow_wstate_logic(&moved, 0, &created), &acc0);
    assert_false(created);
    /* a second window and logic: to the heap, the first kept */
    assert_int_equal(flow_wstate_open_for(&moved, &t10, a + 12 * SEC, &ids), 1);
    assert_int_equal(ids[0], 1);
    *flow_wstate_logic(&moved, 1, &created) = &acc1;
    assert_true(created);
    assert_int_equal(moved.nwin, 2);
    assert_non_null(moved.win);
    assert_ptr_equal(*flow_wstate_logic(&moved, 0, NULL), &acc0);
    assert_int_equal(flow_wstate_notify_at(&moved, &t10, false), a + 10 * SEC);
    int64_t id;
    flow_window_meta m;
    assert_true(flow_wstate_close_next(&moved, &t10, a + 20 * SEC, ar, &id, &m));
    assert_int_equal(id, 0);
    assert_ptr_equal(flow_wstate_logic_pop(&moved, 0), &acc0);
    assert_true(flow_wstate_close_next(&moved, &t10, a + 20 * SEC, ar, &id, &m));
    assert_int_equal(id, 1);
    assert_ptr_equal(flow_wstate_logic_pop(&moved, 1), &acc1);
    assert_true(flow_wstate_empty(&moved, &t10));
    /* sliding ids: from the struct's one to the heap's several */
    flow_windower_cfg s5 = sliding(10 * SEC, 5 * SEC, a);
    assert_int_equal(flow_wstate_late_for(&moved, &t10, a, &ids), 1);
    assert_int_equal(flow_wstate_late_for(&moved, &s5, a + 13 * SEC, &ids), 2);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 2);
    flow_wstate_free(&moved, NULL, NULL);
}

/* ---- sessions -------------------------------------------------------- */

static int64_t open1(flow_wstate *w, const flow_windower_cfg *cfg, flow_time ts)
{
    const int64_t *ids;
    assert_int_equal(flow_wstate_open_for(w, cfg, ts, &ids), 1);
    return ids[0];
}

/* W's windows (the first in the struct while the capacity is 1). */
static const flow_window *wins(const flow_wstate *w)
{
    return w->capwin == 1 ? &w->win1 : w->win;
}

/* The open session ID's bounds. */
static void check_session(const flow_wstate *w, int64_t id, flow_time open, flow_time close, int line)
{
    for (size_t i = 0; i < w->nwin; i++)
        if (wins(w)[i].id == id) {
            if (wins(w)[i].open_time != open || wins(w)[i].close_time != close)
                fail_msg("line %d: session %lld bounds differ", line, (long long)id);
            return;
        }
    fail_msg("line %d: no session %lld", line, (long long)id);
}
#define SESSION(w, id, o, c) check_session(w, id, o, c, __LINE__)

/* A fresh key's state for 10 s sessions; *A is 2024-01-01 9:00:00. */
static void session_key(flow_wstate *w, flow_windower_cfg *g, flow_time *a)
{
    static const flow_clock_cfg c = { .kind = FLOW_CLOCK_EVENT };
    *a = T("2024-01-01T09:00:00Z");
    *g = session(10 * SEC);
    flow_wstate_init(w, &c, *a);
}

static void session_open_extend(void **state)
{
    (void)state;
    flow_time a;
    flow_windower_cfg g;
    flow_wstate w;
    session_key(&w, &g, &a);
    assert_int_equal(open1(&w, &g, a), 0);
    SESSION(&w, 0, a, a);
    assert_int_equal(open1(&w, &g, a + 5 * SEC), 0);     /* forward, within the gap */
    SESSION(&w, 0, a, a + 5 * SEC);
    assert_int_equal(open1(&w, &g, a + 15 * SEC), 0);    /* forward, exactly the gap */
    SESSION(&w, 0, a, a + 15 * SEC);
    assert_int_equal(open1(&w, &g, a + 10 * SEC), 0);    /* inside: unchanged */
    SESSION(&w, 0, a, a + 15 * SEC);
    assert_int_equal(open1(&w, &g, a - 10 * SEC), 0);    /* backward, exactly the gap */
    SESSION(&w, 0, a - 10 * SEC, a + 15 * SEC);
    assert_int_equal(open1(&w, &g, a + 25 * SEC + US), 1);  /* beyond the gap: a new id */
    SESSION(&w, 1, a + 25 * SEC + US, a + 25 * SEC + US);
    flow_wmerge m[4];
    assert_int_equal(flow_wstate_merged(&w, m, 4), 0);
    const int64_t *ids;
    assert_int_equal(flow_wstate_late_for(&w, &g, a, &ids), 1);
    assert_int_equal(ids[0], -1);
    /* a session windower is never empty (its ids go on increasing) */
    assert_false(flow_wstate_empty(&w, &g));
    flow_wstate_free(&w, NULL, NULL);
}

static void session_merge_close(void **state)
{
    flow_arena *ar = *state;
    flow_time a;
    flow_windower_cfg g;
    flow_wstate w;
    session_key(&w, &g, &a);
    assert_int_equal(open1(&w, &g, a), 0);
    assert_int_equal(open1(&w, &g, a + 20 * SEC), 1);
    assert_int_equal(open1(&w, &g, a + 40 * SEC), 2);
    /* 9:00:10 extends 0, which then reaches 1: (1, 0) */
    assert_int_equal(open1(&w, &g, a + 10 * SEC), 0);
    flow_wmerge m[4];
    assert_int_equal(flow_wstate_merged(&w, m, 4), 1);
    assert_int_equal(m[0].orig, 1);
    assert_int_equal(m[0].target, 0);
    SESSION(&w, 0, a, a + 20 * SEC);
    assert_int_equal(w.nwin, 2);
    /* 9:00:30 extends 0 again, which reaches 2: merged ids {1, 2} */
    assert_int_equal(open1(&w, &g, a + 30 * SEC), 0);
    assert_int_equal(flow_wstate_merged(&w, m, 4), 1);
    assert_int_equal(m[0].orig, 2);
    assert_int_equal(m[0].target, 0);
    assert_int_equal(flow_wstate_notify_at(&w, &g, false), a + 50 * SEC);
    /* closes only once the watermark is strictly past close_time + gap */
    int64_t id;
    flow_window_meta meta;
    assert_false(flow_wstate_close_next(&w, &g, a + 50 * SEC, ar, &id, &meta));
    assert_true(flow_wstate_close_next(&w, &g, a + 50 * SEC + US, ar, &id, &meta));
    assert_int_equal(id, 0);
    assert_int_equal(meta.open_time, a);
    assert_int_equal(meta.close_time, a + 40 * SEC);
    assert_int_equal(meta.merged_ids.n, 2);
    assert_int_equal(meta.merged_ids.v[0], 1);
    assert_int_equal(meta.merged_ids.v[1], 2);
    assert_int_equal(w.nwin, 0);
    /* ids are never reused */
    assert_int_equal(open1(&w, &g, a + 90 * SEC), 3);
    flow_wstate_free(&w, NULL, NULL);
}

/* A backward extension: open_for returns the extended session's id, and
 * that session merges into the earlier one (the target is the first in
 * open-time order, not the one extended). */
static void session_merge_backward(void **state)
{
    (void)state;
    flow_time a;
    flow_windower_cfg g;
    flow_wstate w;
    session_key(&w, &g, &a);
    assert_int_equal(open1(&w, &g, a + 20 * SEC), 0);
    assert_int_equal(open1(&w, &g, a), 1);
    assert_int_equal(open1(&w, &g, a + 10 * SEC), 0);    /* 0 is tried first: 10 s before it */
    flow_wmerge m[2];
    assert_int_equal(flow_wstate_merged(&w, m, 2), 1);
    assert_int_equal(m[0].orig, 0);
    assert_int_equal(m[0].target, 1);
    SESSION(&w, 1, a, a + 20 * SEC);
    flow_wstate_free(&w, NULL, NULL);
}

/* ---- clocks ------------------------------------------------------------ */

static void event_clock_watermark(void **state)
{
    (void)state;
    flow_time now = T("2024-01-01T00:00:00Z"), t0 = now;
    flow_clock_cfg c = event_cfg(5 * SEC);
    flow_clock k;
    flow_clock_init(&c, &k, now);
    assert_int_equal(flow_clock_on_notify(&c, &k, now), FLOW_TIME_MIN);   /* the beginning of time */
    flow_clock_before_batch(&c, &k, now);
    flow_time ts = t0 + 7 * SEC;
    assert_int_equal(flow_clock_on_item(&c, &k, &ts), t0 + 2 * SEC);     /* ts - wait */
    assert_int_equal(ts, t0 + 7 * SEC);
    ts = t0 + 3 * SEC;                                                    /* never backwards */
    assert_int_equal(flow_clock_on_item(&c, &k, &ts), t0 + 2 * SEC);
    ts = t0 + 10 * SEC;                                                   /* advances in a batch */
    assert_int_equal(flow_clock_on_item(&c, &k, &ts), t0 + 5 * SEC);
    /* elapsed system time moves it on */
    assert_int_equal(flow_clock_on_notify(&c, &k, now + 2 * SEC), t0 + 7 * SEC);
    /* an item slower than the elapsed time does not pull it back */
    flow_clock_before_batch(&c, &k, now + 2 * SEC);
    ts = t0 + 11 * SEC;
    assert_int_equal(flow_clock_on_item(&c, &k, &ts), t0 + 7 * SEC);
    /* system time going back is ignored */
    flow_clock_before_batch(&c, &k, now);
    assert_int_equal(flow_clock_on_notify(&c, &k, now), t0 + 7 * SEC);
    ts = t0 + 13 * SEC;                                                   /* a new max: base reset */
    assert_int_equal(flow_clock_on_item(&c, &k, &ts), t0 + 8 * SEC);
    assert_int_equal(flow_clock_on_notify(&c, &k, now + 3 * SEC), t0 + 9 * SEC);
}

/* Lateness is ts < watermark, strictly: the item that sets the watermark
 * with no wait is on time, a microsecond below it is late. */
static void lateness_strict(void **state)
{
    (void)state;
    flow_time now = T("2024-01-01T00:00:00Z");
    flow_clock_cfg c = event_cfg(0);
    flow_clock k;
    flow_clock_init(&c, &k, now);
    flow_clock_before_batch(&c, &k, now);
    flow_time ts = now + 7 * SEC;
    flow_time wm = flow_clock_on_item(&c, &k, &ts);
    assert_false(ts < wm);
    ts = now + 7 * SEC - US;
    wm = flow_clock_on_item(&c, &k, &ts);
    assert_true(ts < wm);
    ts = now + 7 * SEC;
    wm = flow_clock_on_item(&c, &k, &ts);
    assert_false(ts < wm);
}

/* A wait longer than the datetime range (Bytewax's timedelta.max):
 * ts - wait underflows, no candidate, the watermark stays at the
 * beginning of time plus the elapsed system time. */
static void event_clock_huge_wait(void **state)
{
    (void)state;
    flow_time now = T("2024-01-01T00:00:00Z");
    flow_clock_cfg c = event_cfg(4000000 * DAY);
    flow_clock k;
    flow_clock_init(&c, &k, now);
    flow_clock_before_batch(&c, &k, now);
    flow_time ts = now + 7 * SEC;
    assert_int_equal(flow_clock_on_item(&c, &k, &ts), FLOW_TIME_MIN);
    flow_clock_before_batch(&c, &k, now + 2 * SEC);
    ts = now + 10 * SEC;
    assert_int_equal(flow_clock_on_item(&c, &k, &ts), FLOW_TIME_MIN + 2 * SEC);
    /* a wait equal to INT64_MAX overflows the subtraction itself */
    flow_clock_cfg big = event_cfg(INT64_MAX);
    flow_clock_init(&big, &k, now);
    ts = FLOW_TIME_MIN;
    assert_int_equal(flow_clock_on_item(&big, &k, &ts), FLOW_TIME_MIN);
}

static void system_clock_watermark(void **state)
{
    (void)state;
    flow_time now = T("2024-01-01T00:00:00Z");
    flow_clock_cfg c = { .kind = FLOW_CLOCK_SYSTEM };
    flow_clock k;
    flow_clock_init(&c, &k, now);
    flow_clock_before_batch(&c, &k, now + SEC);
    flow_time ts = 12345;
    assert_int_equal(flow_clock_on_item(&c, &k, &ts), now + SEC);
    assert_int_equal(ts, now + SEC);
    assert_int_equal(flow_clock_on_notify(&c, &k, now + 5 * SEC), now + 5 * SEC);
}

/* ---- the queue and the per-window slots ------------------------------- */

static int freed_items, freed_accs;
static void drop_item(void *p) { (void)p; freed_items++; }
static void drop_acc(void *p) { (void)p; freed_accs++; }

static void queue_take(void **state)
{
    (void)state;
    flow_clock_cfg c = event_cfg(0);
    flow_wstate w;
    flow_wstate_init(&w, &c, 0);
    static int item[5];
    flow_time ts[5] = { 30, 10, 20, 10, 50 };
    for (int i = 0; i < 5; i++)
        flow_wstate_enqueue(&w, ts[i], &item[i]);
    const flow_wentry *e;
    /* ordered: ts <= 20, sorted by ts, ties in arrival order */
    assert_int_equal(flow_wstate_take(&w, true, 20, &e), 3);
    assert_ptr_equal(e[0].item, &item[1]);
    assert_ptr_equal(e[1].item, &item[3]);
    assert_ptr_equal(e[2].item, &item[2]);
    assert_int_equal(w.nq, 2);
    assert_int_equal(flow_wstate_notify_at(&w, &(flow_windower_cfg){ .kind = FLOW_WINDOWER_SLIDING }, true), 30);
    /* unordered: everything, in arrival order */
    flow_wstate_enqueue(&w, 5, &item[0]);
    assert_int_equal(flow_wstate_take(&w, false, FLOW_TIME_MIN, &e), 3);
    assert_int_equal(e[0].ts, 30);
    assert_int_equal(e[1].ts, 50);
    assert_int_equal(e[2].ts, 5);
    assert_int_equal(w.nq, 0);
    flow_wstate_free(&w, NULL, NULL);
}

static void slots_and_free(void **state)
{
    (void)state;
    flow_clock_cfg c = event_cfg(0);
    flow_wstate w;
    flow_wstate_init(&w, &c, 0);
    bool created;
    void **slot = flow_wstate_logic(&w, 7, &created);
    assert_true(created);
    assert_null(*slot);
    *slot = &created;
    slot = flow_wstate_logic(&w, 7, &created);
    assert_false(created);
    assert_ptr_equal(*slot, &created);
    *flow_wstate_logic(&w, 8, NULL) = &c;
    assert_ptr_equal(flow_wstate_logic_pop(&w, 7), &created);
    assert_null(flow_wstate_logic_pop(&w, 7));
    static int q;
    flow_wstate_enqueue(&w, 1, &q);
    flow_wstate_enqueue(&w, 2, &q);
    freed_items = freed_accs = 0;
    flow_wstate_free(&w, drop_acc, drop_item);
    assert_int_equal(freed_accs, 1);
    assert_int_equal(freed_items, 2);
}

/* ---- wake-up times (flow_wstate_wake_at) ------------------------------ */

/* Would a notification at system time T flush anything? (on a copy) */
static bool acts_at(const flow_wstate *w, const flow_clock_cfg *c, const flow_windower_cfg *cfg, bool ordered,
                    flow_time t)
{
    flow_clock k = w->clock;
    flow_time wm = flow_clock_on_notify(c, &k, t);
    for (size_t i = 0; i < w->nwin; i++) {
        if (cfg->kind == FLOW_WINDOWER_SESSION ? wins(w)[i].close_time + cfg->gap < wm : wins(w)[i].close_time <= wm)
            return true;
    }
    for (size_t i = 0; ordered && i < w->nq; i++)
        if (w->q[i].ts <= wm)
            return true;
    return false;
}

/* The wake-up time is the first system time at which the flush acts. */
static void check_first(const flow_wstate *w, const flow_clock_cfg *c, const flow_windower_cfg *cfg, bool ordered,
                        flow_time sched, flow_time want, int line)
{
    flow_time at = flow_wstate_wake_at(w, cfg, ordered, sched);
    if (at != want)
        fail_msg("line %d: wake at %lld, want %lld", line, (long long)at, (long long)want);
    if (at > sched) {
        if (acts_at(w, c, cfg, ordered, at - 1) || !acts_at(w, c, cfg, ordered, at))
            fail_msg("line %d: %lld is not the first time the flush acts", line, (long long)at);
    }
}

static void wake_at_first_effect(void **state)
{
    (void)state;
    flow_clock_cfg c = event_cfg(0);
    flow_time s0 = T("2030-01-01T00:00:00Z"), t0 = T("2024-01-01T00:00:00Z");
    flow_windower_cfg sl = sliding(10 * SEC, 5 * SEC, t0), se = session(2 * SEC);
    const int64_t *ids;
    /* sliding (10 s every 5 s): ts 5 s opens [0 s, 10 s) and [5 s, 15 s) */
    flow_wstate w;
    flow_wstate_init(&w, &c, s0);
    flow_clock_before_batch(&c, &w.clock, s0);
    flow_time ts = t0 + 5 * SEC;
    assert_int_equal(flow_clock_on_item(&c, &w.clock, &ts), t0 + 5 * SEC);
    assert_int_equal(flow_wstate_open_for(&w, &sl, ts, &ids), 2);
    flow_time sched = flow_wstate_notify_at(&w, &sl, false);
    assert_int_equal(sched, t0 + 10 * SEC);
    check_first(&w, &c, &sl, false, sched, s0 + 5 * SEC, __LINE__);
    /* Bytewax's own time later: that one */
    check_first(&w, &c, &sl, false, s0 + DAY, s0 + DAY, __LINE__);
    /* already due (system time has moved on): Bytewax's time */
    flow_clock_before_batch(&c, &w.clock, s0 + 6 * SEC);
    assert_int_equal(flow_wstate_wake_at(&w, &sl, false, sched), sched);
    flow_wstate_free(&w, NULL, NULL);

    /* session: closes when the watermark passes close + gap strictly */
    flow_wstate_init(&w, &c, s0);
    ts = t0 + 5 * SEC;
    flow_clock_on_item(&c, &w.clock, &ts);
    flow_wstate_open_for(&w, &se, ts, &ids);
    sched = flow_wstate_notify_at(&w, &se, true);
    assert_int_equal(sched, t0 + 7 * SEC);
    check_first(&w, &c, &se, true, sched, s0 + 2 * SEC + 1, __LINE__);
    /* a gap beyond the datetime range: nothing closes before EOF */
    flow_windower_cfg huge = session(FLOW_TIME_MAX);
    assert_int_equal(flow_wstate_wake_at(&w, &huge, true, sched), sched);
    flow_wstate_free(&w, NULL, NULL);

    /* ordered queue: the least timestamp, not the first */
    flow_clock_cfg c3 = event_cfg(3 * SEC);
    flow_wstate_init(&w, &c3, s0);
    static int item;
    ts = t0 + 10 * SEC;
    flow_clock_on_item(&c3, &w.clock, &ts);    /* watermark 7 s */
    flow_wstate_enqueue(&w, ts, &item);
    flow_wstate_enqueue(&w, t0 + 8 * SEC, &item);
    sched = flow_wstate_notify_at(&w, &sl, true);
    assert_int_equal(sched, t0 + 10 * SEC);    /* Bytewax: the first entry */
    check_first(&w, &c3, &sl, true, sched, s0 + 1 * SEC, __LINE__);
    /* unordered: the queue is not waited for (nothing open: Bytewax's time) */
    assert_int_equal(flow_wstate_wake_at(&w, &sl, false, sched), sched);
    flow_wstate_free(&w, NULL, NULL);

    /* a fresh key's watermark is the beginning of time plus elapsed time */
    flow_clock_cfg cmax = event_cfg(4000000 * DAY);
    flow_wstate_init(&w, &cmax, s0);
    ts = t0;
    flow_clock_on_item(&cmax, &w.clock, &ts);    /* no candidate */
    flow_wstate_open_for(&w, &sl, ts, &ids);
    sched = flow_wstate_notify_at(&w, &sl, false);
    check_first(&w, &cmax, &sl, false, sched, s0 + (sched - FLOW_TIME_MIN), __LINE__);
    flow_wstate_free(&w, NULL, NULL);
}

/* ---- flow_wstep: a window step's type-independent bookkeeping ---- */

/* A key's value in these tests: flow_wkey first, as generated steps have. */
typedef struct test_wvalue {
    flow_wkey k;
    int fired;
} test_wvalue;

typedef struct fire_log {
    flow_wstep *ws;
    char keys[16];
    flow_time wm[16];
    int n;
    bool drop;          /* remove each key fired (settle's discard) */
} fire_log;

static void log_fire(void *f, uint32_t tid, flow_time wm)
{
    fire_log *l = f;
    l->keys[l->n] = flow_table_key(l->ws->tab, tid).p[0];
    l->wm[l->n++] = wm;
    if (l->drop) {
        flow_wstate_free(&((test_wvalue *)flow_table_value(l->ws->tab, tid))->k.w, NULL, NULL);
        flow_table_remove(l->ws->tab, tid);
    }
}

/* Key NAME (one letter) with its wake-up time SCHED (timer and cache). */
static uint32_t wkey_add(flow_wstep *ws, const char *name, flow_time now, flow_time sched)
{
    bool created;
    uint32_t id = flow_table_upsert(ws->tab, ((flow_str){ name, 1 }), &created);
    test_wvalue *v = flow_table_value(ws->tab, id);
    flow_wstate_init(&v->k.w, &ws->clock, now);
    v->k.sched = sched;
    flow_table_set_timer(ws->tab, id, sched);
    return id;
}

static void wstep_free_all(flow_wstep *ws)
{
    const uint32_t *ids;
    size_t n = flow_table_sorted(ws->tab, &ids);
    for (size_t k = 0; k < n; k++)
        flow_wstate_free(&((test_wvalue *)flow_table_value(ws->tab, ids[k]))->k.w, NULL, NULL);
    flow_wstep_free(ws);
}

static void wstep_fire_due_and_eof(void **state)
{
    (void)state;
    flow_time s0 = T("2030-01-01T00:00:00Z");
    flow_wstep ws;
    flow_wstep_init(&ws, sizeof(test_wvalue), false);
    ws.clock = event_cfg(0);
    ws.win = sliding(10 * SEC, 10 * SEC, s0);
    fire_log l = { .ws = &ws };
    flow_arena a;
    flow_arena_init(&a);
    /* an empty step: nothing due, nothing at EOF (no copy of no keys) */
    flow_wstep_fire_due(&ws, s0, log_fire, &l);
    flow_wstep_fire_eof(&ws, &a, log_fire, &l);
    assert_int_equal(l.n, 0);
    /* c and a due at s0 + 5 s, b later: a then c, keys ascending, sched cleared */
    uint32_t ic = wkey_add(&ws, "c", s0, s0 + 5 * SEC);
    uint32_t ib = wkey_add(&ws, "b", s0, s0 + 9 * SEC);
    uint32_t ia = wkey_add(&ws, "a", s0, s0 + 3 * SEC);
    flow_wstep_fire_due(&ws, s0 + 4 * SEC, log_fire, &l);
    assert_int_equal(l.n, 1);
    flow_wstep_fire_due(&ws, s0 + 5 * SEC, log_fire, &l);
    assert_int_equal(l.n, 2);
    assert_memory_equal(l.keys, "ac", 2);
    assert_int_equal(((test_wvalue *)flow_table_value(ws.tab, ia))->k.sched, FLOW_NO_TIME);
    assert_int_equal(((test_wvalue *)flow_table_value(ws.tab, ic))->k.sched, FLOW_NO_TIME);
    assert_int_equal(((test_wvalue *)flow_table_value(ws.tab, ib))->k.sched, s0 + 9 * SEC);
    /* the watermark of a notification: the key's clock at that system time */
    assert_int_equal(l.wm[0], FLOW_TIME_MIN + 4 * SEC);
    /* EOF: every key, ascending, at the end of time, even as firing removes them */
    l.n = 0;
    l.drop = true;
    flow_wstep_fire_eof(&ws, &a, log_fire, &l);
    assert_int_equal(l.n, 3);
    assert_memory_equal(l.keys, "abc", 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(l.wm[i], FLOW_TIME_MAX);
    assert_int_equal(flow_table_sorted(ws.tab, &(const uint32_t *){ NULL }), 0);
    flow_arena_destroy(&a);
    wstep_free_all(&ws);
}

static void wstep_reschedule(void **state)
{
    (void)state;
    flow_time s0 = T("2030-01-01T00:00:00Z"), t0 = T("2024-01-01T00:00:00Z");
    const int64_t *ids;
    for (int event = 0; event < 2; event++) {
        flow_wstep ws;
        flow_wstep_init(&ws, sizeof(test_wvalue), false);
        ws.clock = event ? event_cfg(0) : (flow_clock_cfg){ .kind = FLOW_CLOCK_SYSTEM };
        ws.win = sliding(10 * SEC, 10 * SEC, t0);
        /* a: one window [t0, t0 + 10 s) open; b: nothing open; c: removed */
        uint32_t ia = wkey_add(&ws, "a", s0, FLOW_NO_TIME);
        test_wvalue *va = flow_table_value(ws.tab, ia);
        flow_time ts = t0 + 2 * SEC;
        flow_clock_before_batch(&ws.clock, &va->k.w.clock, s0);
        flow_clock_on_item(&ws.clock, &va->k.w.clock, &ts);
        flow_wstate_open_for(&va->k.w, &ws.win, ts, &ids);
        uint32_t ib = wkey_add(&ws, "b", s0, s0 - SEC);
        uint32_t ic = wkey_add(&ws, "c", s0, FLOW_NO_TIME);
        flow_touched_add(&ws.touched, ia);
        flow_touched_add(&ws.touched, ia);   /* twice in a row: listed once */
        flow_touched_add(&ws.touched, ib);
        flow_touched_add(&ws.touched, ic);
        assert_int_equal(ws.touched.n, 3);
        flow_wstate_free(&((test_wvalue *)flow_table_value(ws.tab, ic))->k.w, NULL, NULL);
        flow_table_remove(ws.tab, ic);
        flow_wstep_reschedule(&ws, s0);
        assert_int_equal(ws.touched.n, 0);
        va = flow_table_value(ws.tab, ia);
        /* Bytewax's wake-up time: the window's close (the system clock's
         * item is at s0, a multiple of 10 s after t0); the event clock's
         * timer waits for the watermark to reach it (8 s of system time) */
        assert_int_equal(va->k.sched, event ? t0 + 10 * SEC : s0 + 10 * SEC);
        assert_int_equal(flow_table_timer(ws.tab, ia), event ? s0 + 8 * SEC : s0 + 10 * SEC);
        /* b's past time fired this round and nothing is open: no timer */
        assert_int_equal(((test_wvalue *)flow_table_value(ws.tab, ib))->k.sched, FLOW_NO_TIME);
        assert_int_equal(flow_table_timer(ws.tab, ib), FLOW_NO_TIME);
        wstep_free_all(&ws);
    }
}

static void wstep_clock_backwards(void **state)
{
    (void)state;
    flow_time s0 = T("2030-01-01T00:00:00Z");
    flow_wstep ws;
    flow_wstep_init(&ws, sizeof(test_wvalue), false);
    ws.clock = event_cfg(0);
    ws.win = sliding(10 * SEC, 10 * SEC, s0);
    flow_wstep_round_begin(&ws, s0 + 10 * SEC);
    assert_false(ws.legacy);
    /* a: its Bytewax time was due by the previous round, its clock behind */
    uint32_t ia = wkey_add(&ws, "a", s0, s0 + 5 * SEC);
    uint32_t ib = wkey_add(&ws, "b", s0, s0 + 20 * SEC);
    flow_table_set_timer(ws.tab, ia, s0 + 30 * SEC);   /* waiting for the watermark */
    flow_wstep_round_begin(&ws, s0 + 12 * SEC);
    assert_false(ws.legacy);
    assert_int_equal(ws.lastnow, s0 + 12 * SEC);
    /* system time goes back: Bytewax's wake-up times from now on */
    flow_wstep_round_begin(&ws, s0 + 11 * SEC);
    assert_true(ws.legacy);
    assert_int_equal(ws.lastnow, s0 + 12 * SEC);
    test_wvalue *va = flow_table_value(ws.tab, ia), *vb = flow_table_value(ws.tab, ib);
    assert_int_equal(va->k.w.clock.sys_now, s0 + 12 * SEC);   /* the skipped notification's */
    assert_int_equal(vb->k.w.clock.sys_now, s0);               /* not due: unchanged */
    assert_int_equal(flow_table_timer(ws.tab, ia), s0 + 5 * SEC);
    assert_int_equal(flow_table_timer(ws.tab, ib), s0 + 20 * SEC);
    wstep_free_all(&ws);
}

static int drops;    /* flow_wstep_settle's drop calls */
static void count_drop(void *p)
{
    (void)p;
    drops++;
}

static void wstep_settle(void **state)
{
    (void)state;
    flow_time s0 = T("2030-01-01T00:00:00Z"), t0 = T("2024-01-01T00:00:00Z");
    const int64_t *ids;
    static int item;
    for (int sess = 0; sess < 2; sess++) {
        flow_wstep ws;
        flow_wstep_init(&ws, sizeof(test_wvalue), false);
        ws.clock = event_cfg(0);
        ws.win = sess ? session(5 * SEC) : sliding(10 * SEC, 10 * SEC, t0);
        uint32_t tid[3];
        for (int k = 0; k < 3; k++) {
            tid[k] = flow_table_insert(ws.tab, ((flow_str){ &"abc"[k], 1 }));
            test_wvalue *v = flow_table_value(ws.tab, tid[k]);
            flow_wkey_init(&v->k, &ws.clock, s0);
            /* a new key: nothing open or queued, its clock at s0, no wake-up */
            assert_int_equal(v->k.sched, FLOW_NO_TIME);
            assert_int_equal(v->k.w.nwin, 0);
            assert_int_equal(v->k.w.nq, 0);
            assert_int_equal(v->k.w.clock.sys_now, s0);
            assert_int_equal(v->k.w.clock.wm_base, FLOW_TIME_MIN);
        }
        /* a: a window open; b: nothing; c: an item queued */
        test_wvalue *va = flow_table_value(ws.tab, tid[0]);
        flow_wstate_open_for(&va->k.w, &ws.win, t0 + SEC, &ids);
        flow_wstate_enqueue(&((test_wvalue *)flow_table_value(ws.tab, tid[2]))->k.w, t0, &item);
        drops = 0;
        for (int k = 0; k < 3; k++)
            flow_wstep_settle(&ws, tid[k], count_drop, count_drop);
        /* b holds nothing: dropped (nothing to free), unless a session
         * windower, which Bytewax never finds empty; the others are kept,
         * in the touched list in the order settled */
        assert_int_equal(drops, 0);
        assert_true(flow_table_live(ws.tab, tid[0]));
        assert_true(flow_table_live(ws.tab, tid[2]));
        assert_int_equal(flow_table_live(ws.tab, tid[1]), sess);
        assert_int_equal(ws.touched.n, sess ? 3 : 2);
        assert_int_equal(ws.touched.v[0], tid[0]);
        assert_int_equal(ws.touched.v[ws.touched.n - 1], tid[2]);
        wstep_free_all(&ws);
    }
}

/* ---- the index (many windows on one key) against the linear algorithm -- */

/*
 * The reference: window.c's algorithm before keys indexed their windows
 * (ee37539), on plain arrays: windows in insertion order searched
 * linearly, closed by a scan for the first that the watermark closes,
 * removed by memmove; sessions found by a scan and merged by a stable sort
 * on open time; logics searched linearly.
 */
typedef struct ref_win {
    int64_t id;
    flow_time open, close;
    int64_t *merged;
    size_t nm, capm;
} ref_win;

typedef struct ref_logic {
    int64_t id;
    void *acc;
} ref_logic_t;

typedef struct ref_state {
    ref_win *win;
    size_t n, cap;
    ref_logic_t *logic;
    size_t nl, capl;
    flow_wmerge *merges;
    size_t nmerges, capmerges;
    int64_t max_key;
    int64_t ids[64];
} ref_state;

#define REF_GROW(arr, n, cap)                                                  \
    do {                                                                       \
        if ((n) == (cap)) {                                                    \
            (cap) = (cap) ? 2 * (cap) : 4;                                     \
            (arr) = realloc((arr), (cap) * sizeof *(arr));                     \
            assert_non_null(arr);                                              \
        }                                                                      \
    } while (0)

static void ref_init(ref_state *r)
{
    memset(r, 0, sizeof *r);
    r->max_key = -1;
}

static void ref_free(ref_state *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->win[i].merged);
    free(r->win);
    free(r->logic);
    free(r->merges);
    memset(r, 0, sizeof *r);
}

static ref_win *ref_find(ref_state *r, int64_t id)
{
    for (size_t i = r->n; i-- > 0;)
        if (r->win[i].id == id)
            return &r->win[i];
    return NULL;
}

static void ref_add_merged(ref_win *into, int64_t id)
{
    REF_GROW(into->merged, into->nm, into->capm);
    size_t i = into->nm;
    while (i > 0 && into->merged[i - 1] > id) {
        into->merged[i] = into->merged[i - 1];
        i--;
    }
    if (i > 0 && into->merged[i - 1] == id) {
        memmove(&into->merged[i], &into->merged[i + 1], (into->nm - i) * sizeof into->merged[0]);
        return;
    }
    into->merged[i] = id;
    into->nm++;
}

static void ref_find_merges(ref_state *r, const flow_windower_cfg *cfg)
{
    size_t n = r->n;
    if (n < 2)
        return;
    size_t *ord = malloc(n * sizeof *ord);
    bool *dead = calloc(n, sizeof *dead);
    for (size_t i = 0; i < n; i++)
        ord[i] = i;
    for (size_t i = 1; i < n; i++) {
        size_t x = ord[i], j = i;
        while (j > 0 && r->win[ord[j - 1]].open > r->win[x].open) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = x;
    }
    size_t last = ord[0];
    for (size_t k = 1; k < n; k++) {
        ref_win *lw = &r->win[last], *tw = &r->win[ord[k]];
        if (tw->open - lw->close <= cfg->gap) {
            if (tw->close > lw->close)
                lw->close = tw->close;
            REF_GROW(r->merges, r->nmerges, r->capmerges);
            r->merges[r->nmerges++] = (flow_wmerge){ tw->id, lw->id };
            ref_add_merged(lw, tw->id);
            dead[ord[k]] = true;
        } else {
            last = ord[k];
        }
    }
    size_t keep = 0;
    for (size_t i = 0; i < n; i++) {
        if (dead[i]) {
            free(r->win[i].merged);
            continue;
        }
        r->win[keep++] = r->win[i];
    }
    r->n = keep;
    free(ord);
    free(dead);
}

static ref_win *ref_append(ref_state *r, int64_t id, flow_time open, flow_time close)
{
    REF_GROW(r->win, r->n, r->cap);
    ref_win *s = &r->win[r->n++];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->open = open;
    s->close = close;
    return s;
}

static size_t ref_open_for(ref_state *r, const flow_windower_cfg *cfg, flow_time ts)
{
    if (cfg->kind == FLOW_WINDOWER_SESSION) {
        for (size_t i = 0; i < r->n; i++) {
            ref_win *s = &r->win[i];
            int64_t until_open = s->open - ts, since_close = ts - s->close;
            if (until_open <= 0 && since_close <= 0) {
                r->ids[0] = s->id;
                return 1;
            }
            if ((until_open > 0 && until_open <= cfg->gap) || (since_close > 0 && since_close <= cfg->gap)) {
                r->ids[0] = s->id;
                if (until_open > 0)
                    s->open = ts;
                else
                    s->close = ts;
                ref_find_merges(r, cfg);
                return 1;
            }
        }
        r->ids[0] = ref_append(r, ++r->max_key, ts, ts)->id;
        return 1;
    }
    int64_t lo, hi;
    flow_window_ids(cfg, ts, &lo, &hi);
    size_t n = hi >= lo ? (size_t)(hi - lo + 1) : 0;
    assert_true(n <= 64);
    for (size_t i = 0; i < n; i++) {
        int64_t id = r->ids[i] = lo + (int64_t)i;
        if (!ref_find(r, id)) {
            flow_window_meta m = flow_window_meta_for(cfg, id);
            ref_append(r, id, m.open_time, m.close_time);
        }
    }
    return n;
}

static size_t ref_first_closing(const ref_state *r, const flow_windower_cfg *cfg, flow_time wm)
{
    flow_time close_after = FLOW_TIME_MIN;
    if (cfg->kind == FLOW_WINDOWER_SESSION)
        if (__builtin_sub_overflow(wm, cfg->gap, &close_after) || close_after < FLOW_TIME_MIN)
            close_after = FLOW_TIME_MIN;
    size_t i = 0;
    for (; i < r->n; i++)
        if (cfg->kind == FLOW_WINDOWER_SESSION ? r->win[i].close < close_after : r->win[i].close <= wm)
            break;
    return i;
}

static flow_time ref_notify_at(const ref_state *r, const flow_windower_cfg *cfg)
{
    flow_time at = FLOW_NO_TIME;
    for (size_t i = 0; i < r->n; i++)
        if (at == FLOW_NO_TIME || r->win[i].close < at)
            at = r->win[i].close;
    if (at != FLOW_NO_TIME && cfg->kind == FLOW_WINDOWER_SESSION) {
        if (__builtin_add_overflow(at, cfg->gap, &at) || at > FLOW_TIME_MAX)
            at = FLOW_TIME_MAX;
    }
    return at;
}

/* flow_wstate_wake_at's window part (nothing queued): the least target. */
static flow_time ref_wake_at(const ref_state *r, const flow_windower_cfg *cfg, const flow_clock *c, flow_time sched)
{
    bool have = false;
    flow_time target = 0;
    for (size_t i = 0; i < r->n; i++) {
        flow_time t = r->win[i].close;
        if (cfg->kind == FLOW_WINDOWER_SESSION) {
            if (__builtin_add_overflow(t, cfg->gap, &t) || t >= FLOW_TIME_MAX)
                continue;
            t++;
        }
        if (!have || t < target)
            target = t, have = true;
    }
    if (!have)
        return sched;
    flow_time wm;
    if (__builtin_add_overflow(c->wm_base, c->sys_now - c->sys_at_max, &wm) || wm > FLOW_TIME_MAX)
        wm = FLOW_TIME_MAX;
    if (wm >= target)
        return sched;
    flow_time at;
    if (__builtin_add_overflow(c->sys_at_max, target - c->wm_base, &at))
        at = INT64_MAX;
    return at > sched ? at : sched;
}

static void **ref_logic(ref_state *r, int64_t id, bool *created)
{
    for (size_t i = r->nl; i-- > 0;)
        if (r->logic[i].id == id) {
            *created = false;
            return &r->logic[i].acc;
        }
    REF_GROW(r->logic, r->nl, r->capl);
    r->logic[r->nl] = (ref_logic_t){ id, NULL };
    *created = true;
    return &r->logic[r->nl++].acc;
}

static void *ref_logic_pop(ref_state *r, int64_t id)
{
    for (size_t i = 0; i < r->nl; i++)
        if (r->logic[i].id == id) {
            void *acc = r->logic[i].acc;
            memmove(&r->logic[i], &r->logic[i + 1], (r->nl - i - 1) * sizeof r->logic[0]);
            r->nl--;
            return acc;
        }
    return NULL;
}

/* ---- the random driver ---- */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t x = rng_state += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}
static int64_t rnd_in(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1)); }

typedef struct diff_run {
    flow_windower_cfg cfg;
    flow_wstate w;
    ref_state r;
    flow_arena a;
    uintptr_t token;    /* accumulators are distinct fake pointers */
    int line;           /* the sequence, for messages */
    size_t ops, big_ops, closes, merges;
} diff_run;

/* Fail with sequence and operation numbers of run D unless COND. */
#define DIFF(cond, d, ...)                                                               \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            print_error("sequence %d, op %zu: ", (d)->line, (d)->ops);                   \
            fail_msg(__VA_ARGS__);                                                       \
        }                                                                                \
    } while (0)

/* The generated flush's merges: each orig's accumulator into its target's. */
static void diff_merges(diff_run *d)
{
    flow_wmerge m, rm = { 0, 0 };
    for (;;) {
        size_t n = flow_wstate_merged(&d->w, &m, 1);
        size_t rn = 0;
        if (d->r.nmerges) {
            rm = d->r.merges[0];
            memmove(d->r.merges, d->r.merges + 1, --d->r.nmerges * sizeof rm);
            rn = 1;
        }
        DIFF(n == rn, d, "merged %zu, reference %zu", n, rn);
        if (!n)
            return;
        d->merges++;
        DIFF(m.orig == rm.orig && m.target == rm.target, d, "merge %lld->%lld, reference %lld->%lld",
             (long long)m.orig, (long long)m.target, (long long)rm.orig, (long long)rm.target);
        if (m.orig == m.target)
            continue;
        void *o = flow_wstate_logic_pop(&d->w, m.orig), *ro = ref_logic_pop(&d->r, m.orig);
        DIFF(o == ro, d, "merged logic differs");
        bool c1, c2;
        void **slot = flow_wstate_logic(&d->w, m.target, &c1), **rslot = ref_logic(&d->r, m.target, &c2);
        DIFF(c1 == c2 && *slot == *rslot, d, "target logic differs");
        if (!*slot)
            *slot = *rslot = o;
    }
}

static void diff_item(diff_run *d, flow_time ts)
{
    const int64_t *ids;
    size_t n = flow_wstate_open_for(&d->w, &d->cfg, ts, &ids);
    size_t rn = ref_open_for(&d->r, &d->cfg, ts);
    DIFF(n == rn, d, "open_for(%lld): %zu ids, reference %zu", (long long)ts, n, rn);
    for (size_t i = 0; i < n; i++) {
        DIFF(ids[i] == d->r.ids[i], d, "open_for id %lld, reference %lld", (long long)ids[i],
             (long long)d->r.ids[i]);
        bool c1, c2;
        void **slot = flow_wstate_logic(&d->w, ids[i], &c1), **rslot = ref_logic(&d->r, ids[i], &c2);
        DIFF(c1 == c2 && *slot == *rslot, d, "logic of %lld differs", (long long)ids[i]);
        if (c1)
            *slot = *rslot = (void *)(d->token += 16);
    }
    DIFF(d->w.nwin == d->r.n, d, "%zu windows, reference %zu", d->w.nwin, d->r.n);
    DIFF(d->w.nlogic == d->r.nl, d, "%zu logics, reference %zu", d->w.nlogic, d->r.nl);
}

/* A late item: its ids (every sliding id of TS; -1 for sessions), nothing opened. */
static void diff_late(diff_run *d, flow_time ts)
{
    const int64_t *ids;
    size_t n = flow_wstate_late_for(&d->w, &d->cfg, ts, &ids);
    int64_t lo = -1, hi = -1;
    if (d->cfg.kind != FLOW_WINDOWER_SESSION)
        flow_window_ids(&d->cfg, ts, &lo, &hi);
    DIFF(n == (size_t)(hi - lo + 1), d, "%zu late ids", n);
    for (size_t i = 0; i < n; i++)
        DIFF(ids[i] == lo + (int64_t)i, d, "late id %lld", (long long)ids[i]);
    DIFF(d->w.nwin == d->r.n, d, "a late item opened a window");
}

static void diff_flush(diff_run *d, flow_time wm)
{
    diff_merges(d);
    size_t i = ref_first_closing(&d->r, &d->cfg, wm);
    DIFF(flow_wstate_closes(&d->w, &d->cfg, wm) == (i < d->r.n), d, "closes(%lld) differs",
         (long long)wm);
    int64_t id;
    flow_window_meta m;
    while (flow_wstate_close_next(&d->w, &d->cfg, wm, &d->a, &id, &m)) {
        i = ref_first_closing(&d->r, &d->cfg, wm);
        DIFF(i < d->r.n, d, "closed %lld, the reference nothing", (long long)id);
        ref_win *s = &d->r.win[i];
        DIFF(id == s->id && m.open_time == s->open && m.close_time == s->close && (size_t)m.merged_ids.n == s->nm, d, "closed %lld [%lld, %lld] (%lld merged), reference %lld [%lld, %lld] (%zu)",
             (long long)id, (long long)m.open_time, (long long)m.close_time, (long long)m.merged_ids.n,
             (long long)s->id, (long long)s->open, (long long)s->close, s->nm);
        for (size_t k = 0; k < s->nm; k++)
            DIFF(m.merged_ids.v[k] == s->merged[k], d, "merged ids differ");
        free(s->merged);
        memmove(s, s + 1, (d->r.n - i - 1) * sizeof *s);
        d->r.n--;
        DIFF(flow_wstate_logic_pop(&d->w, id) == ref_logic_pop(&d->r, id), d, "closed logic differs");
        d->closes++;
    }
    DIFF(ref_first_closing(&d->r, &d->cfg, wm) == d->r.n, d, "the reference closes more at %lld",
         (long long)wm);
    DIFF(d->w.nwin == d->r.n && d->w.nlogic == d->r.nl, d, "sizes differ after a flush");
    flow_arena_reset(&d->a);
}

static void diff_queries(diff_run *d, flow_time cursor)
{
    DIFF(flow_wstate_notify_at(&d->w, &d->cfg, false) == ref_notify_at(&d->r, &d->cfg), d,
         "notify_at differs");
    /* the key's clock somewhere around the events, system time later */
    flow_clock *c = &d->w.clock;
    c->wm_base = cursor - rnd_in(0, 1000) * SEC;
    c->sys_at_max = T("2030-01-01T00:00:00Z") + rnd_in(0, 100) * SEC;
    c->sys_now = c->sys_at_max + rnd_in(0, 100) * SEC;
    flow_time sched = rnd() % 2 ? FLOW_NO_TIME : c->sys_at_max + rnd_in(-50, 500) * SEC;
    DIFF(flow_wstate_wake_at(&d->w, &d->cfg, rnd() % 2, sched) == ref_wake_at(&d->r, &d->cfg, c, sched), d, "wake_at differs");
    bool rempty = d->r.nl == 0 && (d->cfg.kind != FLOW_WINDOWER_SESSION && d->r.n == 0);
    DIFF(flow_wstate_empty(&d->w, &d->cfg) == rempty, d, "empty differs");
}

/* One random sequence: a windower, items on time, out of order and far
 * behind, flushes at watermarks that mostly advance (sometimes go back,
 * sometimes the end of time), queries, a key dropped when empty. */

/* Recovery's encoding of a key's state (flow_wstate_enc / _dec): the
 * accumulators are the tokens themselves, nothing is queued. */
static void enc_token(flow_buf *b, const void *acc) { flow_enc_u64(b, (uint64_t)(uintptr_t)acc); }
static void *dec_token(void *ctx, flow_rd *r)
{
    (void)ctx;
    return (void *)(uintptr_t)flow_dec_u64(r);
}
static void enc_none(flow_buf *b, const void *item)
{
    (void)b;
    (void)item;
    fail_msg("nothing is queued");
}
static int codec_items[3];    /* wstate_codec's queued items, encoded by index */
static void enc_item_index(flow_buf *b, const void *item)
{
    flow_enc_u64(b, (uint64_t)((const int *)item - codec_items));
}
static void *dec_int_item(void *ctx, flow_rd *r)
{
    (void)ctx;
    uint64_t i = flow_dec_u64(r);
    return i < 3 ? &codec_items[i] : NULL;
}

/* Snapshot and restore D's state (as a resume does): encoded, freed, read
 * back into a fresh state, which must go on exactly as the reference. */
static void diff_roundtrip(diff_run *d)
{
    flow_buf b = { 0 };
    flow_wstate_enc(&b, &d->w, enc_token, enc_none);
    size_t nwin = d->w.nwin, nlogic = d->w.nlogic;
    flow_clock cl = d->w.clock;
    int64_t max_key = d->w.max_key;
    flow_wstate_free(&d->w, NULL, NULL);
    flow_clock_cfg cc = event_cfg(0);
    flow_wstate_init(&d->w, &cc, 0);
    flow_rd r = { b.p ? b.p : "", (b.p ? b.p : "") + b.n, false };
    DIFF(flow_wstate_dec(&r, &d->w, &d->cfg, dec_token, NULL, NULL) && r.p == r.end, d, "restore failed");
    DIFF(d->w.nwin == nwin && d->w.nlogic == nlogic && d->w.max_key == max_key, d, "restored %zu windows, %zu logics",
         d->w.nwin, d->w.nlogic);
    DIFF(memcmp(&cl, &d->w.clock, sizeof cl) == 0, d, "clock not restored");
    flow_buf_free(&b);
}

static void diff_sequence(int seq, size_t *stats)
{
    diff_run d;
    memset(&d, 0, sizeof d);
    d.line = seq;
    size_t mem0 = flow_mem_in_use();
    static const size_t bigs[] = { 2, 3, 4, 5, 8, 16 };
    flowi_wbig_at = bigs[rnd() % 6];
    flow_time base = T("2024-01-01T00:00:00Z") + rnd_in(-100000, 100000) * SEC;
    int kind = (int)(rnd() % 3);
    int64_t spread;    /* how far items stray from the cursor */
    if (kind == 0) {           /* tumbling */
        int64_t len = rnd_in(1, 20) * SEC;
        d.cfg = sliding(len, len, base + rnd_in(-30, 30) * SEC);
        spread = len * rnd_in(1, 40);
    } else if (kind == 1) {    /* sliding */
        int64_t off = rnd_in(1, 5) * SEC;
        d.cfg = sliding(off * rnd_in(1, 12) + (rnd() % 2 ? rnd_in(0, off - 1) : 0), off, base + rnd_in(-30, 30) * SEC);
        spread = off * rnd_in(1, 40);
    } else {                   /* session */
        d.cfg = session(rnd() % 8 ? rnd_in(0, 10) * SEC : rnd_in(0, 3));
        spread = (d.cfg.gap + SEC) * rnd_in(1, 60);
    }
    flow_clock_cfg cc = event_cfg(0);
    flow_wstate_init(&d.w, &cc, base);
    ref_init(&d.r);
    flow_arena_init(&d.a);
    flow_time cursor = base, wm = FLOW_TIME_MIN;
    size_t nops = (size_t)rnd_in(50, 1500);
    for (d.ops = 0; d.ops < nops; d.ops++) {
        int op = (int)(rnd() % 100);
        if (op < 65) {
            flow_time ts = cursor + rnd_in(-spread, spread);
            if (rnd() % 20 == 0)
                ts = cursor - rnd_in(0, 50 * spread);    /* far behind */
            if (ts < wm && rnd() % 2)
                diff_late(&d, ts);
            else
                diff_item(&d, ts);
            if (rnd() % 3 == 0)
                cursor += rnd_in(0, spread / 4);
        } else if (op < 85) {
            int how = (int)(rnd() % 10);
            if (how == 0)
                wm = FLOW_TIME_MAX;
            else if (how == 1)
                wm = cursor - rnd_in(0, 10 * spread);    /* back */
            else
                wm = cursor - spread + rnd_in(-spread, spread);
            diff_flush(&d, wm);
        } else if (op < 97) {
            diff_merges(&d);
            diff_queries(&d, cursor);
        } else if (flow_wstate_empty(&d.w, &d.cfg)) {
            flow_wstate_free(&d.w, NULL, NULL);    /* Bytewax's discard */
            flow_wstate_init(&d.w, &cc, base);
            ref_free(&d.r);
            ref_init(&d.r);
        } else {
            cursor += rnd_in(0, 20 * spread);    /* a jump */
        }
        if (d.w.big)
            d.big_ops++;
        if (d.w.nmerges == 0 && rnd() % 40 == 0)
            diff_roundtrip(&d);    /* a resume: pending merges are always taken before one */
    }
    if (rnd() % 4) {
        diff_flush(&d, FLOW_TIME_MAX);    /* EOF */
        DIFF(d.w.nwin == 0, &d, "windows left at EOF");
    }    /* else an abort: the state is freed as it is, index and all */
    freed_accs = 0;
    flow_wstate_free(&d.w, drop_acc, NULL);
    DIFF((size_t)freed_accs == d.r.nl, &d, "%d accumulators dropped, reference %zu", freed_accs, d.r.nl);
    ref_free(&d.r);
    flow_arena_destroy(&d.a);
    DIFF(flow_mem_in_use() == mem0, &d, "%zu bytes leaked", flow_mem_in_use() - mem0);
    stats[0] += d.ops;
    stats[1] += d.big_ops;
    stats[2] += d.closes;
    stats[3] += d.merges;
}

/* Recovery: the queue, clock, windows with merged ids and accumulators
 * come back from the encoding; truncated bytes are refused, not a crash. */
static void wstate_codec(void **state)
{
    (void)state;
    flow_clock_cfg c = event_cfg(0);
    flow_windower_cfg g = session(10 * SEC);
    flow_wstate w;
    flow_wstate_init(&w, &c, 1000);
    int *items = codec_items;
    const int64_t *ids;
    flow_time a = T("2024-01-01T09:00:00Z");
    flow_wstate_open_for(&w, &g, a, &ids);
    *flow_wstate_logic(&w, ids[0], NULL) = (void *)(uintptr_t)7;
    flow_wstate_open_for(&w, &g, a + 20 * SEC, &ids);
    flow_wstate_open_for(&w, &g, a + 10 * SEC, &ids);    /* merges 1 into 0 */
    flow_wmerge m;
    assert_int_equal(flow_wstate_merged(&w, &m, 1), 1);
    flow_wstate_enqueue(&w, a + 50 * SEC, &items[2]);
    flow_wstate_enqueue(&w, a + 40 * SEC, &items[0]);
    flow_time ts = a + 45 * SEC;
    flow_clock_on_item(&c, &w.clock, &ts);
    flow_buf b = { 0 };
    flow_wstate_enc(&b, &w, enc_token, enc_item_index);
    flow_wstate copy;
    flow_wstate_init(&copy, &c, 0);
    flow_rd r = { b.p, b.p + b.n, false };
    assert_true(flow_wstate_dec(&r, &copy, &g, dec_token, dec_int_item, items));
    assert_ptr_equal(r.p, r.end);
    assert_memory_equal(&copy.clock, &w.clock, sizeof w.clock);
    assert_int_equal(copy.max_key, 1);
    SESSION(&copy, 0, a, a + 20 * SEC);
    assert_int_equal(copy.nq, 2);
    assert_ptr_equal(copy.q[0].item, &items[2]);
    assert_int_equal(copy.q[1].ts, a + 40 * SEC);
    assert_ptr_equal(*flow_wstate_logic(&copy, 0, NULL), (void *)(uintptr_t)7);
    flow_arena ar;
    flow_arena_init(&ar);
    int64_t id;
    flow_window_meta meta;
    assert_true(flow_wstate_close_next(&copy, &g, FLOW_TIME_MAX, &ar, &id, &meta));
    assert_int_equal(meta.merged_ids.n, 1);
    assert_int_equal(meta.merged_ids.v[0], 1);
    flow_arena_destroy(&ar);
    for (size_t cut = 0; cut < b.n; cut++) {    /* every truncation */
        flow_wstate t;
        flow_wstate_init(&t, &c, 0);
        flow_rd tr = { b.p, b.p + cut, false };
        assert_false(flow_wstate_dec(&tr, &t, &g, dec_token, dec_int_item, items) && tr.p == tr.end && cut == b.n);
        flow_wstate_free(&t, NULL, NULL);
    }
    flow_buf_free(&b);
    flow_wstate_free(&copy, NULL, NULL);
    flow_wstate_free(&w, NULL, NULL);
}

static void index_against_linear(void **state)
{
    (void)state;
    size_t saved = flowi_wbig_at, stats[4] = { 0 };
    const char *env = getenv("WINDOW_DIFF_SEQS");
    int nseq = env ? atoi(env) : 3000;
    rng_state = env && getenv("WINDOW_DIFF_SEED") ? strtoull(getenv("WINDOW_DIFF_SEED"), NULL, 0) : 16;
    for (int seq = 0; seq < nseq; seq++)
        diff_sequence(seq, stats);
    flowi_wbig_at = saved;
    /* the sequences do reach the index, closes and merges */
    assert_true(stats[1] > stats[0] / 4);
    assert_true(stats[2] > 1000 && stats[3] > 1000);
    if (getenv("WINDOW_DIFF_SEQS"))
        print_message("%d sequences, %zu operations (%zu on the index), %zu closes, %zu merges\n", nseq, stats[0],
                      stats[1], stats[2], stats[3]);
}

/* ---- many windows on one key, at the default threshold ---------------- */

/* A new key's state (event clock, no wait) at 2024-01-01T00:00:00Z, which
 * it returns; *MEM0 the memory in use before. */
static flow_time many_key(flow_wstate *w, size_t *mem0)
{
    static const flow_clock_cfg c = { .kind = FLOW_CLOCK_EVENT };
    *mem0 = flow_mem_in_use();
    flow_time a = T("2024-01-01T00:00:00Z");
    flow_wstate_init(w, &c, a);
    return a;
}

/* Free W and check that all its memory is back (MEM0 in use). */
static void many_key_free(flow_wstate *w, size_t mem0)
{
    flow_wstate_free(w, NULL, NULL);
    assert_int_equal(flow_mem_in_use(), mem0);
}

/* Sliding 1 h windows every 1 s, one item a second: 3,600 windows open
 * at once, each item in 3,600 of them, one closing per item, in the order
 * opened (ids ascending here), each with the count of its items. */
static void sliding_hour_by_second(void **state)
{
    flow_arena *ar = *state;
    size_t mem0;
    flow_wstate w;
    flow_time a = many_key(&w, &mem0);
    flow_windower_cfg cfg = sliding(3600 * SEC, SEC, a);
    const int64_t n = 4000;
    int64_t next = -3599;    /* the next window to close */
    for (int64_t i = 0; i < n; i++) {
        const int64_t *ids;
        flow_time ts = a + i * SEC;
        size_t k = flow_wstate_open_for(&w, &cfg, ts, &ids);
        assert_int_equal(k, 3600);
        assert_int_equal(ids[0], i - 3599);
        assert_int_equal(ids[k - 1], i);
        for (size_t j = 0; j < k; j++) {
            void **slot = flow_wstate_logic(&w, ids[j], NULL);
            *slot = (void *)((intptr_t)*slot + 1);
        }
        int64_t id;
        flow_window_meta m;
        while (flow_wstate_close_next(&w, &cfg, ts, ar, &id, &m)) {
            assert_int_equal(id, next);
            assert_int_equal(m.open_time, a + id * SEC);
            assert_int_equal(m.close_time, a + (id + 3600) * SEC);
            assert_int_equal((intptr_t)flow_wstate_logic_pop(&w, id), id < 0 ? id + 3600 : 3600);
            next++;
        }
        assert_int_equal(next, i - 3599);
        assert_int_equal(w.nwin, 3600);
        assert_int_equal(w.nlogic, 3600);
        assert_int_equal(flow_wstate_notify_at(&w, &cfg, false), a + (next + 3600) * SEC);
    }
    int64_t id;
    flow_window_meta m;
    while (flow_wstate_close_next(&w, &cfg, FLOW_TIME_MAX, ar, &id, &m)) {    /* EOF */
        assert_int_equal(id, next);
        assert_int_equal((intptr_t)flow_wstate_logic_pop(&w, id), n - id);
        next++;
    }
    assert_int_equal(next, n);
    assert_true(flow_wstate_empty(&w, &cfg));
    many_key_free(&w, mem0);
}

/* 1,048,576 tumbling windows open on one key, opened out of id order
 * (id = 7919 i mod 2^20): a watermark closes those it reaches in the
 * order they were opened, not in id order, and the memory of a million
 * windows is given back as they close. */
static void million_windows_one_key(void **state)
{
    flow_arena *ar = *state;
    size_t mem0;
    flow_wstate w;
    flow_time a = many_key(&w, &mem0);
    flow_windower_cfg cfg = sliding(SEC, SEC, a);
    const int64_t n = INT64_C(1) << 20;
    for (int64_t i = 0; i < n; i++) {
        int64_t id = (i * 7919) % n;
        const int64_t *ids;
        assert_int_equal(flow_wstate_open_for(&w, &cfg, a + id * SEC + 500 * MS, &ids), 1);
        assert_int_equal(ids[0], id);
        bool created;
        void **slot = flow_wstate_logic(&w, id, &created);
        assert_true(created);
        *slot = (void *)(intptr_t)(id + 1);
    }
    assert_int_equal(w.nwin, n);
    assert_int_equal(w.nlogic, n);
    assert_int_equal(flow_wstate_notify_at(&w, &cfg, false), a + SEC);
    size_t mem_full = flow_mem_in_use() - mem0;
    /* the first half of the ids closes, in the order opened */
    flow_time wm = a + n / 2 * SEC;
    int64_t id, i = 0;
    flow_window_meta m;
    while (flow_wstate_close_next(&w, &cfg, wm, ar, &id, &m)) {
        while ((i * 7919) % n >= n / 2)
            i++;
        assert_int_equal(id, (i * 7919) % n);
        assert_int_equal(m.close_time, a + (id + 1) * SEC);
        assert_int_equal((intptr_t)flow_wstate_logic_pop(&w, id), id + 1);
        i++;
        flow_arena_reset(ar);
    }
    assert_int_equal(w.nwin, n / 2);
    assert_false(flow_wstate_closes(&w, &cfg, wm));
    assert_int_equal(flow_wstate_notify_at(&w, &cfg, false), a + (n / 2 + 1) * SEC);
    /* an item for a window still open finds it; one for a closed id reopens it */
    const int64_t *ids;
    assert_int_equal(flow_wstate_open_for(&w, &cfg, a + (n - 1) * SEC, &ids), 1);
    assert_int_equal(w.nwin, n / 2);
    assert_int_equal(flow_wstate_open_for(&w, &cfg, a, &ids), 1);
    assert_int_equal(w.nwin, n / 2 + 1);
    /* EOF: the rest in the order opened, the reopened window 0 last */
    i = 0;
    while (flow_wstate_close_next(&w, &cfg, FLOW_TIME_MAX, ar, &id, &m)) {
        while (i < n && (i * 7919) % n < n / 2)
            i++;
        assert_int_equal(id, i < n ? (i * 7919) % n : 0);
        flow_wstate_logic_pop(&w, id);
        i++;
        flow_arena_reset(ar);
    }
    assert_int_equal(i, n + 1);
    assert_true(flow_wstate_empty(&w, &cfg));
    assert_true(flow_mem_in_use() - mem0 < mem_full / 1000);    /* given back as they closed */
    many_key_free(&w, mem0);
}

/* 16,384 sessions on one key, 20 s apart with a 10 s gap, created out of
 * time order: an item between two joins the one created first and the
 * later one (in time) merges into the earlier; a watermark closes the
 * sessions it passes in the order they were created. */
static void many_sessions_one_key(void **state)
{
    flow_arena *ar = *state;
    size_t mem0;
    flow_wstate w;
    flow_time a = many_key(&w, &mem0);
    flow_windower_cfg cfg = session(10 * SEC);
    enum { N = 1 << 14 };
    static int64_t pos_of[N], id_at[N];    /* session id -> position in time, and back */
    static bool absorbed[N];               /* by position */
    memset(absorbed, 0, sizeof absorbed);
    for (int64_t i = 0; i < N; i++) {
        pos_of[i] = (i * 7919) % N;
        id_at[pos_of[i]] = i;
        assert_int_equal(open1(&w, &cfg, a + pos_of[i] * 20 * SEC), i);
    }
    assert_int_equal(w.nwin, N);
    assert_int_equal(flow_wstate_notify_at(&w, &cfg, false), a + 10 * SEC);
    static const int64_t at[] = { 0, 100, 5000, 9000, N - 2 };
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        int64_t p = at[k], first = id_at[p] < id_at[p + 1] ? id_at[p] : id_at[p + 1];
        assert_int_equal(open1(&w, &cfg, a + (p * 20 + 10) * SEC), first);
        flow_wmerge mg[2];
        assert_int_equal(flow_wstate_merged(&w, mg, 2), 1);
        assert_int_equal(mg[0].orig, id_at[p + 1]);
        assert_int_equal(mg[0].target, id_at[p]);
        absorbed[p + 1] = true;
        /* inside the merged session now: no change */
        assert_int_equal(open1(&w, &cfg, a + (p * 20 + 15) * SEC), id_at[p]);
        assert_int_equal(flow_wstate_merged(&w, mg, 2), 0);
    }
    assert_int_equal(w.nwin, N - 5);
    /* sessions up to position N/2 end at most N/2 * 20 s: closed by a
     * watermark more than the gap past that */
    flow_time wm = a + ((int64_t)N / 2 * 20 + 10) * SEC + US;
    int64_t id, i = 0;
    flow_window_meta m;
    for (int pass = 0; pass < 2; pass++, wm = FLOW_TIME_MAX, i = 0) {
        while (flow_wstate_close_next(&w, &cfg, wm, ar, &id, &m)) {
            for (;; i++) {
                int64_t p = pos_of[i];
                bool early = p <= N / 2;
                if (!absorbed[p] && (pass ? !early : early))
                    break;
            }
            assert_int_equal(id, i);
            int64_t p = pos_of[i];
            assert_int_equal(m.open_time, a + p * 20 * SEC);
            bool merged = p + 1 < N && absorbed[p + 1];
            assert_int_equal(m.close_time, a + (p + merged) * 20 * SEC);
            assert_int_equal(m.merged_ids.n, merged);
            if (merged)
                assert_int_equal(m.merged_ids.v[0], id_at[p + 1]);
            i++;
            flow_arena_reset(ar);
        }
    }
    assert_int_equal(w.nwin, 0);
    assert_int_equal(open1(&w, &cfg, a), N);    /* ids go on */
    many_key_free(&w, mem0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_semantics_examples),
        cmocka_unit_test(ids_floor_division),
        cmocka_unit_test(meta_of_sliding_ids),
        cmocka_unit_test(sliding_open_close),
        cmocka_unit_test(inline_storage_moves),
        cmocka_unit_test(session_open_extend),
        cmocka_unit_test(session_merge_close),
        cmocka_unit_test(session_merge_backward),
        cmocka_unit_test(event_clock_watermark),
        cmocka_unit_test(lateness_strict),
        cmocka_unit_test(event_clock_huge_wait),
        cmocka_unit_test(system_clock_watermark),
        cmocka_unit_test(queue_take),
        cmocka_unit_test(slots_and_free),
        cmocka_unit_test(wake_at_first_effect),
        cmocka_unit_test(wstep_fire_due_and_eof),
        cmocka_unit_test(wstep_reschedule),
        cmocka_unit_test(wstep_clock_backwards),
        cmocka_unit_test(wstep_settle),
        cmocka_unit_test(wstate_codec),
        cmocka_unit_test(index_against_linear),
        cmocka_unit_test(sliding_hour_by_second),
        cmocka_unit_test(million_windows_one_key),
        cmocka_unit_test(many_sessions_one_key),
    };
    return cmocka_run_group_tests_name("window", tests, unit_arena_setup, unit_arena_teardown);
}
