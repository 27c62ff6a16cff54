/*
 * window.c - the generic machinery of the window operators (Bytewax's
 * bytewax.operators.windowing, docs/semantics.md §12): clocks and their
 * per-key watermarks, the sliding/tumbling and session windowers with
 * their window ids, merges and closes, the per-key queue of pending items,
 * WindowMetadata's two reprs, and what every window step does alike
 * (flow_wstep: a new key, dropping an empty one, due and EOF keys,
 * rescheduling, system time going backwards).
 *
 * Pipeline position: runtime; generated window steps (compiler/
 * emit_window.c) keep one flow_wstate per key in a flow_table and drive it:
 * clock -> queue -> flush (inserts, merges, closes). What a window does with
 * its values (collect, fold, reduce, join, ...) is generated code; here a
 * window's accumulator is an opaque pointer the generated code owns.
 *
 * Deliberately simple: a key's open windows, logics and queue are small
 * arrays searched linearly (a key rarely has more than a few windows open
 * at once), and a closed window's memory is freed at once, so a key's state
 * is bounded by the windows open at the same time.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

/* ===================================================================
 * WindowMetadata
 * =================================================================== */

/* "WindowMetadata(open_time" SEP OPEN ", close_time" SEP CLOSE, the times
 * written by PUT: the start both reprs share. */
static void put_bounds(flow_buf *b, flow_window_meta m, const char *sep, void (*put)(flow_buf *, flow_time))
{
    flow_buf_puts(b, "WindowMetadata(open_time");
    flow_buf_puts(b, sep);
    put(b, m.open_time);
    flow_buf_puts(b, ", close_time");
    flow_buf_puts(b, sep);
    put(b, m.close_time);
}

void flow_repr_window_meta(flow_buf *b, flow_window_meta m)
{
    put_bounds(b, m, "=", flow_repr_time);
    flow_buf_puts(b, ", merged_ids=");
    if (m.merged_ids.n == 0) {
        flow_buf_puts(b, "set()");
    } else {
        flow_buf_putc(b, '{');
        for (int64_t i = 0; i < m.merged_ids.n; i++) {
            if (i)
                flow_buf_put(b, ", ", 2);
            flow_repr_int(b, m.merged_ids.v[i]);
        }
        flow_buf_putc(b, '}');
    }
    flow_buf_putc(b, ')');
}

/* chrono's Display of a DateTime<Utc>: "2022-01-01 00:00:00 UTC", with a
 * fraction of 3 or 6 digits when there is one. */
static void put_chrono_time(flow_buf *b, flow_time t)
{
    int y, mo, d, h, mi, s, us;
    flow_time_fields(t, &y, &mo, &d, &h, &mi, &s, &us);
    char out[64];
    int n = snprintf(out, sizeof out, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
    if (us % 1000 == 0 && us)
        n += snprintf(out + n, sizeof out - (size_t)n, ".%03d", us / 1000);
    else if (us)
        n += snprintf(out + n, sizeof out - (size_t)n, ".%06d", us);
    flow_buf_put(b, out, (size_t)n);
    flow_buf_puts(b, " UTC");
}

void flow_repr_window_meta_v017(flow_buf *b, flow_window_meta m)
{
    put_bounds(b, m, ": ", put_chrono_time);
    flow_buf_putc(b, ')');
}

bool flow_window_meta_eq(flow_window_meta a, flow_window_meta b)
{
    if (a.open_time != b.open_time || a.close_time != b.close_time || a.merged_ids.n != b.merged_ids.n)
        return false;
    for (int64_t i = 0; i < a.merged_ids.n; i++)
        if (a.merged_ids.v[i] != b.merged_ids.v[i])
            return false;
    return true;
}

/* ===================================================================
 * Clocks (docs/semantics.md §12.2)
 * =================================================================== */

static flow_time add_sat(flow_time a, int64_t d)
{
    flow_time r;
    if (__builtin_add_overflow(a, d, &r))
        return d > 0 ? FLOW_TIME_MAX : FLOW_TIME_MIN;
    if (r > FLOW_TIME_MAX)
        return FLOW_TIME_MAX;
    if (r < FLOW_TIME_MIN)
        return FLOW_TIME_MIN;
    return r;
}

void flow_clock_init(const flow_clock_cfg *cfg, flow_clock *c, flow_time now)
{
    (void)cfg;
    c->wm_base = FLOW_TIME_MIN;
    c->sys_at_max = now;
    c->sys_now = now;
}

void flow_clock_before_batch(const flow_clock_cfg *cfg, flow_clock *c, flow_time now)
{
    if (cfg->kind == FLOW_CLOCK_SYSTEM)
        c->sys_now = now;
    else if (now > c->sys_now)
        c->sys_now = now;
}

/* The event clock's watermark now: the base advanced by the system time
 * elapsed since it was set. */
static flow_time event_wm(const flow_clock *c)
{
    return add_sat(c->wm_base, c->sys_now - c->sys_at_max);
}

flow_time flow_clock_on_item(const flow_clock_cfg *cfg, flow_clock *c, flow_time *ts)
{
    if (cfg->kind == FLOW_CLOCK_SYSTEM) {
        *ts = c->sys_now;
        return c->sys_now;
    }
    flow_time wm = event_wm(c);
    flow_time cand;
    /* ts - wait below UTC_MIN is Python's OverflowError: no candidate */
    if (__builtin_sub_overflow(*ts, cfg->wait, &cand) || cand < FLOW_TIME_MIN || cand > FLOW_TIME_MAX)
        return wm;
    if (cand > wm) {
        c->wm_base = cand;
        c->sys_at_max = c->sys_now;
        return cand;
    }
    return wm;
}

flow_time flow_clock_on_notify(const flow_clock_cfg *cfg, flow_clock *c, flow_time now)
{
    flow_clock_before_batch(cfg, c, now);
    return cfg->kind == FLOW_CLOCK_SYSTEM ? c->sys_now : event_wm(c);
}

/* ===================================================================
 * Window ids (docs/semantics.md §12.3)
 * =================================================================== */

void flow_window_ids(const flow_windower_cfg *cfg, flow_time ts, int64_t *lo, int64_t *hi)
{
    int64_t s = ts - cfg->align;
    *hi = flow_i64_floordiv(s, cfg->offset);
    if (cfg->length == cfg->offset)    /* tumbling: floor((s - L) / L) + 1 = floor(s / L) */
        *lo = *hi;
    else
        *lo = flow_i64_floordiv(s - cfg->length, cfg->offset) + 1;
}

flow_window_meta flow_window_meta_for(const flow_windower_cfg *cfg, int64_t id)
{
    flow_window_meta m;
    memset(&m, 0, sizeof m);
    int64_t off;
    if (__builtin_mul_overflow(cfg->offset, id, &off))
        off = id < 0 ? INT64_MIN / 2 : INT64_MAX / 2;
    m.open_time = add_sat(cfg->align, off);
    m.close_time = add_sat(m.open_time, cfg->length);
    return m;
}

/* ===================================================================
 * Per-key state
 * =================================================================== */

/* A key's other arrays (its queue of items, merges) start at two
 * elements, not flow_vec_grow's eight: a keyed stream may have millions
 * of keys, most with little queued. */
static void key_grow(void **data, size_t *cap, size_t elem, size_t need)
{
    if (*cap == 0 && need <= 2) {
        *data = flow_realloc(*data, 0, 2 * elem);
        *cap = 2;
        return;
    }
    flow_vec_grow(data, cap, elem, need);
}

/* The windows, logics and ids hold their first element in the struct
 * (INL, capacity 1, the pointer NULL: the struct moves with its table),
 * so a key that opens one window and drops it (tumbling windows: W4 of
 * the benchmarks, 1 M keys created in 5 M events) mallocs none of them. */
static void inl_grow(void **data, size_t *cap, size_t elem, size_t need, const void *inl)
{
    if (*cap == 0 && need <= 1) {
        *cap = 1;
        return;
    }
    if (*cap == 1) {
        size_t ncap = 2;
        while (ncap < need)
            ncap *= 2;
        void *p = flow_alloc(ncap * elem);
        memcpy(p, inl, elem);
        *data = p;
        *cap = ncap;
        return;
    }
    flow_vec_grow(data, cap, elem, need);
}

#define WIN(w) ((w)->capwin == 1 ? (flow_window *)&(w)->win1 : (w)->win)
#define LOGIC(w) ((w)->caplogic == 1 ? (flow_wlogic *)&(w)->logic1 : (w)->logic)
#define IDS(w) ((w)->capids == 1 ? (int64_t *)&(w)->id1 : (w)->ids)

#define GROW(arr, n, cap)                                                              \
    do {                                                                               \
        if ((n) == (cap))                                                              \
            key_grow((void **)&(arr), &(cap), sizeof (arr)[0], (n) + 1);               \
    } while (0)

/* GROW of an array with inline storage INL. */
#define GROW_INL(arr, n, cap, inl)                                                     \
    do {                                                                               \
        if ((n) == (cap))                                                              \
            inl_grow((void **)&(arr), &(cap), sizeof (arr)[0], (n) + 1, &(inl));       \
    } while (0)

void flow_wstate_init(flow_wstate *w, const flow_clock_cfg *clock, flow_time now)
{
    memset(w, 0, sizeof *w);
    flow_clock_init(clock, &w->clock, now);
    w->max_key = -1;
}

static void free_merged(flow_window *win)
{
    flow_free(win->merged, win->cap_merged * sizeof win->merged[0]);
    win->merged = NULL;
    win->n_merged = win->cap_merged = 0;
}

void flow_wstate_free(flow_wstate *w, void (*drop_acc)(void *acc), void (*drop_item)(void *item))
{
    for (size_t i = 0; i < w->nwin; i++)
        free_merged(&WIN(w)[i]);
    flow_free(w->win, w->capwin * sizeof WIN(w)[0]);
    for (size_t i = 0; i < w->nlogic; i++)
        if (drop_acc)
            drop_acc(LOGIC(w)[i].acc);
    flow_free(w->logic, w->caplogic * sizeof LOGIC(w)[0]);
    for (size_t i = 0; i < w->nq; i++)
        if (drop_item)
            drop_item(w->q[i].item);
    flow_free(w->q, w->capq * sizeof w->q[0]);
    flow_free(w->merges, w->capmerges * sizeof w->merges[0]);
    flow_free(w->taken, w->captaken * sizeof w->taken[0]);
    flow_free(w->ids, w->capids * sizeof IDS(w)[0]);
    memset(w, 0, sizeof *w);
}

bool flow_wstate_empty(const flow_wstate *w, const flow_windower_cfg *cfg)
{
    return w->nlogic == 0 && w->nq == 0 && (cfg->kind != FLOW_WINDOWER_SESSION && w->nwin == 0);
}

/* ---- the queue ---------------------------------------------------------- */

void flow_wstate_enqueue(flow_wstate *w, flow_time ts, void *item)
{
    GROW(w->q, w->nq, w->capq);
    w->q[w->nq].ts = ts;
    w->q[w->nq].item = item;
    w->nq++;
}

static void sort_by_ts(flow_wentry *a, size_t n, flow_wentry *tmp)
{
    /* stable merge sort: ties keep arrival order; insertion sort below 16 */
    if (n < 16) {
        for (size_t i = 1; i < n; i++) {
            flow_wentry v = a[i];
            size_t j = i;
            while (j > 0 && a[j - 1].ts > v.ts) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = v;
        }
        return;
    }
    size_t h = n / 2;
    sort_by_ts(a, h, tmp);
    sort_by_ts(a + h, n - h, tmp);
    if (a[h - 1].ts <= a[h].ts)
        return;    /* the halves are already in order */
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = a[j].ts < a[i].ts ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

size_t flow_wstate_take(flow_wstate *w, bool ordered, flow_time wm, const flow_wentry **out)
{
    if (w->captaken < w->nq * 2)
        flow_vec_grow((void **)&w->taken, &w->captaken, sizeof w->taken[0], w->nq * 2);
    size_t nt = 0, keep = 0;
    for (size_t i = 0; i < w->nq; i++) {
        if (!ordered || w->q[i].ts <= wm)
            w->taken[nt++] = w->q[i];
        else
            w->q[keep++] = w->q[i];
    }
    w->nq = keep;
    if (ordered)
        sort_by_ts(w->taken, nt, w->taken + nt);
    *out = w->taken;
    return nt;
}

/* ---- windowers ---------------------------------------------------------- */

/* Window ID (ids are unique), searched from the newest: in-order data
 * falls in the last window opened. */
static flow_window *find_win(flow_wstate *w, int64_t id)
{
    for (size_t i = w->nwin; i-- > 0;)
        if (WIN(w)[i].id == id)
            return &WIN(w)[i];
    return NULL;
}

static void remove_win(flow_wstate *w, size_t i)
{
    memmove(&WIN(w)[i], &WIN(w)[i + 1], (w->nwin - i - 1) * sizeof WIN(w)[0]);
    w->nwin--;
}

static void add_merged(flow_window *into, int64_t id)
{
    /* a set of ints, kept ascending (Python prints small-int sets ascending) */
    GROW(into->merged, (size_t)into->n_merged, into->cap_merged);
    int64_t i = into->n_merged;
    while (i > 0 && into->merged[i - 1] > id) {
        into->merged[i] = into->merged[i - 1];
        i--;
    }
    if (i > 0 && into->merged[i - 1] == id) {
        memmove(&into->merged[i], &into->merged[i + 1], (size_t)(into->n_merged - i) * sizeof into->merged[0]);
        return;
    }
    into->merged[i] = id;
    into->n_merged++;
}

/* _session_find_merges: sort by open time (stable, as Python's sorted),
 * then fold each session into the current one when within the gap. */
static void session_find_merges(flow_wstate *w, const flow_windower_cfg *cfg)
{
    if (w->nwin < 2)
        return;
    size_t n = w->nwin;
    size_t *ord = flow_alloc(n * sizeof *ord);
    for (size_t i = 0; i < n; i++)
        ord[i] = i;
    for (size_t i = 1; i < n; i++) {      /* insertion sort: stable, n is small */
        size_t x = ord[i], j = i;
        while (j > 0 && WIN(w)[ord[j - 1]].open_time > WIN(w)[x].open_time) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = x;
    }
    bool *dead = flow_alloc(n * sizeof *dead);
    memset(dead, 0, n * sizeof *dead);
    size_t last = ord[0];
    for (size_t k = 1; k < n; k++) {
        flow_window *lw = &WIN(w)[last], *tw = &WIN(w)[ord[k]];
        if (tw->open_time - lw->close_time <= cfg->gap) {
            if (tw->close_time > lw->close_time)
                lw->close_time = tw->close_time;
            GROW(w->merges, w->nmerges, w->capmerges);
            w->merges[w->nmerges].orig = tw->id;
            w->merges[w->nmerges].target = lw->id;
            w->nmerges++;
            add_merged(lw, tw->id);
            dead[ord[k]] = true;
        } else {
            last = ord[k];
        }
    }
    size_t keep = 0;
    for (size_t i = 0; i < n; i++) {
        if (dead[i]) {
            free_merged(&WIN(w)[i]);
            continue;
        }
        WIN(w)[keep++] = WIN(w)[i];
    }
    w->nwin = keep;
    flow_free(ord, n * sizeof *ord);
    flow_free(dead, n * sizeof *dead);
}

/* The one id ID, in w->ids. */
static size_t one_id(flow_wstate *w, int64_t id, const int64_t **ids)
{
    GROW_INL(w->ids, 0, w->capids, w->id1);
    IDS(w)[0] = id;
    *ids = IDS(w);
    return 1;
}

/* The sliding ids of TS, ascending, in w->ids. */
static size_t sliding_ids(flow_wstate *w, const flow_windower_cfg *cfg, flow_time ts, const int64_t **ids)
{
    int64_t lo, hi;
    flow_window_ids(cfg, ts, &lo, &hi);
    size_t n = hi >= lo ? (size_t)(hi - lo + 1) : 0;
    if (w->capids < n)
        inl_grow((void **)&w->ids, &w->capids, sizeof w->id1, n, &w->id1);
    for (size_t i = 0; i < n; i++)
        IDS(w)[i] = lo + (int64_t)i;
    *ids = IDS(w);
    return n;
}

size_t flow_wstate_open_for(flow_wstate *w, const flow_windower_cfg *cfg, flow_time ts, const int64_t **ids)
{
    if (cfg->kind == FLOW_WINDOWER_SESSION) {
        for (size_t i = 0; i < w->nwin; i++) {
            flow_window *s = &WIN(w)[i];
            int64_t until_open = s->open_time - ts, since_close = ts - s->close_time;
            if (until_open <= 0 && since_close <= 0)
                return one_id(w, s->id, ids);
            if ((until_open > 0 && until_open <= cfg->gap) || (since_close > 0 && since_close <= cfg->gap)) {
                int64_t id = s->id;
                if (until_open > 0)
                    s->open_time = ts;
                else
                    s->close_time = ts;
                session_find_merges(w, cfg);
                return one_id(w, id, ids);
            }
        }
        GROW_INL(w->win, w->nwin, w->capwin, w->win1);
        flow_window *s = &WIN(w)[w->nwin++];
        memset(s, 0, sizeof *s);
        s->id = ++w->max_key;
        s->open_time = s->close_time = ts;
        return one_id(w, s->id, ids);
    }
    size_t n = sliding_ids(w, cfg, ts, ids);
    for (size_t i = 0; i < n; i++) {
        int64_t id = IDS(w)[i];
        if (!find_win(w, id)) {
            GROW_INL(w->win, w->nwin, w->capwin, w->win1);
            flow_window *s = &WIN(w)[w->nwin++];
            memset(s, 0, sizeof *s);
            flow_window_meta m = flow_window_meta_for(cfg, id);
            s->id = id;
            s->open_time = m.open_time;
            s->close_time = m.close_time;
        }
    }
    return n;
}

size_t flow_wstate_late_for(flow_wstate *w, const flow_windower_cfg *cfg, flow_time ts, const int64_t **ids)
{
    if (cfg->kind == FLOW_WINDOWER_SESSION)
        return one_id(w, -1, ids);    /* LATE_SESSION_ID */
    return sliding_ids(w, cfg, ts, ids);
}

size_t flow_wstate_merged(flow_wstate *w, flow_wmerge *out, size_t max)
{
    size_t n = w->nmerges < max ? w->nmerges : max;
    if (n == 0)
        return 0;    /* w->merges may be NULL: memcpy must not see it */
    memcpy(out, w->merges, n * sizeof *out);
    memmove(w->merges, w->merges + n, (w->nmerges - n) * sizeof *out);
    w->nmerges -= n;
    return n;
}

/* The first window of W that closes at watermark WM (a session when it
 * ended more than the gap before WM, the others when WM reaches their
 * close), or W->nwin. */
static size_t first_closing(const flow_wstate *w, const flow_windower_cfg *cfg, flow_time wm)
{
    flow_time close_after = FLOW_TIME_MIN;
    if (cfg->kind == FLOW_WINDOWER_SESSION) {
        if (__builtin_sub_overflow(wm, cfg->gap, &close_after) || close_after < FLOW_TIME_MIN)
            close_after = FLOW_TIME_MIN;
    }
    size_t i = 0;
    for (; i < w->nwin; i++) {
        const flow_window *s = &WIN(w)[i];
        if (cfg->kind == FLOW_WINDOWER_SESSION ? s->close_time < close_after : s->close_time <= wm)
            break;
    }
    return i;
}

bool flow_wstate_closes(const flow_wstate *w, const flow_windower_cfg *cfg, flow_time wm)
{
    return first_closing(w, cfg, wm) < w->nwin;
}

bool flow_wstate_close_next(flow_wstate *w, const flow_windower_cfg *cfg, flow_time wm, flow_arena *a,
                            int64_t *id, flow_window_meta *meta)
{
    size_t i = first_closing(w, cfg, wm);
    if (i < w->nwin) {
        flow_window *s = &WIN(w)[i];
        *id = s->id;
        meta->open_time = s->open_time;
        meta->close_time = s->close_time;
        meta->merged_ids.n = s->n_merged;
        meta->merged_ids.v = NULL;
        if (s->n_merged) {
            meta->merged_ids.v = flow_arena_alloc(a, (size_t)s->n_merged * sizeof(int64_t));
            memcpy(meta->merged_ids.v, s->merged, (size_t)s->n_merged * sizeof(int64_t));
        }
        free_merged(s);
        remove_win(w, i);
        return true;
    }
    return false;
}

flow_time flow_wstate_notify_at(const flow_wstate *w, const flow_windower_cfg *cfg, bool ordered)
{
    flow_time at = FLOW_NO_TIME;
    for (size_t i = 0; i < w->nwin; i++)
        if (at == FLOW_NO_TIME || WIN(w)[i].close_time < at)
            at = WIN(w)[i].close_time;
    if (at != FLOW_NO_TIME && cfg->kind == FLOW_WINDOWER_SESSION)
        at = add_sat(at, cfg->gap);
    if (ordered && w->nq && (at == FLOW_NO_TIME || w->q[0].ts < at))
        at = w->q[0].ts;
    return at;
}

/* ---- per-window logics (the generated accumulators) ------------------- */

void **flow_wstate_logic(flow_wstate *w, int64_t id, bool *created)
{
    for (size_t i = w->nlogic; i-- > 0;)    /* ids are unique: newest first */
        if (LOGIC(w)[i].id == id) {
            if (created)
                *created = false;
            return &LOGIC(w)[i].acc;
        }
    GROW_INL(w->logic, w->nlogic, w->caplogic, w->logic1);
    LOGIC(w)[w->nlogic].id = id;
    LOGIC(w)[w->nlogic].acc = NULL;
    if (created)
        *created = true;
    return &LOGIC(w)[w->nlogic++].acc;
}

void *flow_wstate_logic_pop(flow_wstate *w, int64_t id)
{
    for (size_t i = 0; i < w->nlogic; i++)
        if (LOGIC(w)[i].id == id) {
            void *acc = LOGIC(w)[i].acc;
            memmove(&LOGIC(w)[i], &LOGIC(w)[i + 1], (w->nlogic - i - 1) * sizeof LOGIC(w)[0]);
            w->nlogic--;
            return acc;
        }
    return NULL;
}

/* ---- when a notification can matter (event clock) --------------------- */

/*
 * The system time from which a notification of this key can change
 * anything, given Bytewax's wake-up time SCHED (notify_at passed through
 * to_system_utc = identity, in event time).
 *
 * With an event clock a notification at system time t (t not before any
 * time the key has seen) flushes at wm(t) = wm_base + (t - sys_at_max),
 * saturated to the datetime range. That flush takes or closes something
 * iff wm(t) reaches TARGET, the least of: the earliest close of an open
 * window (sliding/tumbling: close <= wm; session: close + gap < wm, i.e.
 * wm >= close + gap + 1) and, ORDERED, the least queued timestamp (every
 * entry with ts <= wm is taken, not only the first). Before that the
 * flush inserts, merges and closes nothing, so it emits nothing and the
 * discard rule gives what it gave at the last settle (keep): the only
 * change is the clock's sys_now, which never matters while system time
 * does not go backwards (the next before_batch takes the max). wm(t) is
 * non-decreasing in t, so the first such t is
 *     t* = sys_at_max + (TARGET - wm_base)
 * (any t when wm already reaches TARGET; never when TARGET lies beyond
 * the datetime range). Bytewax fires at every round whose now >= SCHED, so
 * the first round that matters is the first with now >= max(SCHED, t*).
 * No target (nothing open, nothing queued): SCHED itself, as Bytewax.
 */
flow_time flow_wstate_wake_at(const flow_wstate *w, const flow_windower_cfg *cfg, bool ordered, flow_time sched)
{
    const flow_clock *c = &w->clock;
    bool have = false;
    flow_time target = 0;
    for (size_t i = 0; i < w->nwin; i++) {
        flow_time t = WIN(w)[i].close_time;
        if (cfg->kind == FLOW_WINDOWER_SESSION) {
            /* close + gap + 1 beyond the range: wm never exceeds it */
            if (__builtin_add_overflow(t, cfg->gap, &t) || t >= FLOW_TIME_MAX)
                continue;
            t++;
        }
        if (!have || t < target)
            target = t, have = true;
    }
    if (ordered)
        for (size_t i = 0; i < w->nq; i++)
            if (!have || w->q[i].ts < target)
                target = w->q[i].ts, have = true;
    if (!have)
        return sched;
    if (event_wm(c) >= target)
        return sched;           /* due as soon as Bytewax would fire */
    /* target > wm >= wm_base, both within the datetime range: no overflow */
    flow_time at;
    if (__builtin_add_overflow(c->sys_at_max, target - c->wm_base, &at))
        at = INT64_MAX;
    return at > sched ? at : sched;
}

/* ===================================================================
 * A window step's wake-up bookkeeping (flow_wstep)
 * =================================================================== */

void flow_touched_free(flow_touched *t)
{
    flow_free(t->v, t->cap * sizeof(uint32_t));
    memset(t, 0, sizeof *t);
}

static flow_wkey *wkey(flow_wstep *ws, uint32_t tid) { return flow_table_value(ws->tab, tid); }

void flow_wkey_init(flow_wkey *k, const flow_clock_cfg *clock, flow_time now)
{
    flow_wstate_init(&k->w, clock, now);
    k->sched = FLOW_NO_TIME;
}

void flow_wstep_init(flow_wstep *ws, size_t value_size, bool ordered)
{
    ws->tab = flow_table_new(value_size);
    ws->ordered = ordered;
    ws->lastnow = FLOW_NO_TIME;
    ws->legacy = false;
    memset(&ws->touched, 0, sizeof ws->touched);
}

void flow_wstep_free(flow_wstep *ws)
{
    flow_table_free(ws->tab, NULL);
    ws->tab = NULL;
    flow_touched_free(&ws->touched);
}

/* Timers wait for the watermark (flow_wstate_wake_at), exact while system
 * time never goes backwards; see the header. */
void flow_wstep_round_begin(flow_wstep *ws, flow_time now)
{
    if (!ws->legacy && now < ws->lastnow) {
        ws->legacy = true;
        const uint32_t *ids;
        size_t nk = flow_table_sorted(ws->tab, &ids);
        for (size_t k = 0; k < nk; k++) {
            flow_wkey *s = wkey(ws, ids[k]);
            if (s->sched != FLOW_NO_TIME && s->sched <= ws->lastnow && s->w.clock.sys_now < ws->lastnow)
                s->w.clock.sys_now = ws->lastnow;
            flow_table_set_timer(ws->tab, ids[k], s->sched);
        }
    }
    if (now > ws->lastnow)
        ws->lastnow = now;
}

void flow_wstep_fire_due(flow_wstep *ws, flow_time now, flow_wfire_fn *fire, void *f)
{
    flow_time next = flow_table_next_timer(ws->tab);
    if (next == FLOW_NO_TIME || next > now)
        return;
    const uint32_t *ids;
    size_t nd = flow_table_due(ws->tab, now, &ids);
    for (size_t k = 0; k < nd; k++) {
        uint32_t tid = ids[k];
        flow_wkey *s = wkey(ws, tid);
        s->sched = FLOW_NO_TIME;    /* it fires once */
        fire(f, tid, flow_clock_on_notify(&ws->clock, &s->w.clock, now));
    }
}

void flow_wstep_fire_eof(flow_wstep *ws, flow_arena *arena, flow_wfire_fn *fire, void *f)
{
    const uint32_t *ids;
    size_t ne = flow_table_sorted(ws->tab, &ids);
    if (!ne)
        return;
    uint32_t *keys = flow_arena_alloc(arena, sizeof(uint32_t) * ne);
    memcpy(keys, ids, sizeof(uint32_t) * ne);
    for (size_t k = 0; k < ne; k++)
        fire(f, keys[k], FLOW_TIME_MAX);
}

void flow_wstep_settle(flow_wstep *ws, uint32_t tid, void (*drop_acc)(void *acc), void (*drop_item)(void *item))
{
    flow_wkey *s = wkey(ws, tid);
    if (flow_wstate_empty(&s->w, &ws->win)) {
        flow_wstate_free(&s->w, drop_acc, drop_item);
        flow_table_remove(ws->tab, tid);
        return;
    }
    flow_touched_add(&ws->touched, tid);
}

void flow_wstep_reschedule(flow_wstep *ws, flow_time now)
{
    bool event = ws->clock.kind == FLOW_CLOCK_EVENT;
    for (size_t k = 0; k < ws->touched.n; k++) {
        uint32_t tid = ws->touched.v[k];
        if (!flow_table_live(ws->tab, tid))
            continue;
        flow_wkey *s = wkey(ws, tid);
        if (s->sched <= now)
            s->sched = FLOW_NO_TIME;    /* Bytewax fired it this round */
        flow_time at = flow_wstate_notify_at(&s->w, &ws->win, ws->ordered);
        if (at != FLOW_NO_TIME)
            s->sched = at;              /* a none keeps an earlier time */
        if (event && s->sched != FLOW_NO_TIME && !ws->legacy)
            at = flow_wstate_wake_at(&s->w, &ws->win, ws->ordered, s->sched);
        else
            at = s->sched;
        /* unchanged (most rounds of a key with a window open): no heap update */
        if (at != flow_table_timer(ws->tab, tid))
            flow_table_set_timer(ws->tab, tid, at);
    }
    ws->touched.n = 0;
}
