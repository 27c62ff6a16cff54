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
 * A key's few open windows and logics are small arrays searched linearly
 * (a key rarely has more than a few windows open at once); a key with many
 * indexes them, so an item or a close costs O(log n) in its open windows
 * ("many windows on one key" below). A closed window's memory is freed at
 * once, so a key's state is bounded by the windows open at the same time.
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

static void free_merged(flow_window *win)
{
    flow_free(win->merged, win->cap_merged * sizeof win->merged[0]);
    win->merged = NULL;
    win->n_merged = win->cap_merged = 0;
}

/* ---- many windows on one key: the index (flow_wstate's BIG) ------------
 *
 * A key's windows are kept in the order they were opened, since that is
 * the order in which a watermark closes them (§12.6), and its logics by
 * id. While there are few, both are arrays searched linearly, as they were
 * from the start (a key rarely has more than a few windows open at once).
 * Once a key has flowi_wbig_at windows and opens another, it indexes them:
 *
 * - the windows stay in w->win in insertion order, but a window that
 *   closes (or is absorbed by a session merge) leaves a hole instead of
 *   being moved over; when the array is full it is compacted (in order),
 *   or doubled when more than half of it is in use, so each open costs
 *   O(1) amortised and the array holds at most 4x the open windows;
 * - a min-tree over the slots holds each window's close time (a hole:
 *   HOLE): the first window in insertion order that a watermark closes is
 *   the leftmost leaf at or below a limit, found in O(log n), and the
 *   root is the earliest close (notify_at, wake_at);
 * - sliding and tumbling windows: a hash table from window id to slot
 *   (open_for's "is it open yet");
 * - sessions: a treap of the slots ordered by open time (then id), for
 *   the session an item joins or extends and the merges that follow.
 *
 * Open sessions are always more than the gap apart: in open-time order,
 * each opens more than the gap after the previous one closes (a new
 * session is more than the gap from every other, and after an extension
 * session_find_merges absorbs whatever came within the gap). So an item at
 * ts can only join or extend the last session opening at or before
 * ts + gap or the one before it (any earlier one closes more than the gap
 * before ts), the first of those two in insertion order being the one the
 * linear scan finds; an extension keeps the session's place in open-time
 * order (a backward extension to ts stays after the previous session,
 * which closes before ts); and the merges it causes involve only the
 * extended session and its neighbours, so they are found by walking from
 * its predecessor instead of sorting every session. The logics get a hash
 * table from id to their index (and are then in no particular order: the
 * order of logics is never observable).
 *
 * The index is dropped (and the windows packed again) when they fall to a
 * quarter of flowi_wbig_at, so a key's memory stays bounded by the windows
 * it has open at once. tests/unit/test_window.c checks both layouts against
 * the linear algorithm on random operation sequences.
 */
size_t flowi_wbig_at = 16;

#define NIL UINT32_MAX       /* no slot */
#define HOLE INT64_MAX       /* the min-tree leaf of a slot without a window (closes are flow_times) */

struct flow_wbig {
    /* windows, indexed when mt != NULL: w->win[0..tail) in insertion
     * order with holes, w->capwin a power of two, w->nwin the windows */
    size_t tail;
    flow_time *mt;           /* 2 * capwin: leaf capwin + s is slot s's close (HOLE), mt[k] = min(mt[2k], mt[2k+1]) */
    uint32_t *wcell;         /* sliding: id -> slot + 1 (0 empty), linear probing */
    size_t wmask;            /* its size - 1 */
    uint32_t (*kid)[2];      /* sessions: treap children of each slot, by (open_time, id) */
    uint32_t root;
    /* logics, indexed when lcell != NULL: id -> index in w->logic + 1 */
    uint32_t *lcell;
    size_t lmask;
};

static bool wbig(const flow_wstate *w) { return w->big && w->big->mt; }
static bool lbig(const flow_wstate *w) { return w->big && w->big->lcell; }

static struct flow_wbig *big_of(flow_wstate *w)
{
    if (!w->big) {
        w->big = flow_alloc(sizeof *w->big);
        memset(w->big, 0, sizeof *w->big);
        w->big->root = NIL;
    }
    return w->big;
}

static void big_release(flow_wstate *w)
{
    if (w->big && !w->big->mt && !w->big->lcell) {
        flow_free(w->big, sizeof *w->big);
        w->big = NULL;
    }
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 2;
    while (c < n)
        c *= 2;
    return c;
}

/* -- hash tables of ids: cells hold index + 1 into an array of structs
 *    that begin with their int64 id (flow_window, flow_wlogic) -- */

#define ID_AT(base, stride, i) (*(const int64_t *)(const void *)((const char *)(base) + (size_t)(i) * (stride)))

static size_t h_home(int64_t id, size_t mask)
{
    uint64_t h = (uint64_t)id * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h ^ (h >> 32)) & mask;
}

/* The cell holding ID, or the empty cell where it would go. */
static size_t h_find(const uint32_t *cell, size_t mask, const void *base, size_t stride, int64_t id)
{
    size_t i = h_home(id, mask);
    while (cell[i] && ID_AT(base, stride, cell[i] - 1) != id)
        i = (i + 1) & mask;
    return i;
}

/* Empty cell I, moving entries of its run back (no tombstones). */
static void h_del(uint32_t *cell, size_t mask, const void *base, size_t stride, size_t i)
{
    for (size_t j = i;;) {
        j = (j + 1) & mask;
        if (!cell[j])
            break;
        size_t k = h_home(ID_AT(base, stride, cell[j] - 1), mask);
        /* the entry at j may fill i unless its home lies cyclically in (i, j] */
        if (j > i ? (k <= i || k > j) : (k <= i && k > j)) {
            cell[i] = cell[j];
            i = j;
        }
    }
    cell[i] = 0;
}

/* A new empty table for about N entries (at most a quarter full). */
static void h_new(uint32_t **cell, size_t *mask, size_t n)
{
    size_t cap = 16;
    while (cap < 4 * n)
        cap *= 2;
    *cell = flow_alloc(cap * sizeof **cell);
    memset(*cell, 0, cap * sizeof **cell);
    *mask = cap - 1;
}

static void h_free(uint32_t **cell, size_t *mask)
{
    if (*cell)
        flow_free(*cell, (*mask + 1) * sizeof **cell);
    *cell = NULL;
    *mask = 0;
}

/* -- the min-tree of close times -- */

static void mt_set(flow_time *mt, size_t cap, size_t s, flow_time v)
{
    size_t k = cap + s;
    mt[k] = v;
    for (k >>= 1; k; k >>= 1) {
        flow_time m = mt[2 * k] < mt[2 * k + 1] ? mt[2 * k] : mt[2 * k + 1];
        if (mt[k] == m)
            break;    /* and so are its ancestors */
        mt[k] = m;
    }
}

/* The first slot whose close is at most LIMIT, or SIZE_MAX. */
static size_t mt_first(const flow_time *mt, size_t cap, flow_time limit)
{
    if (limit >= HOLE)
        limit = HOLE - 1;
    if (mt[1] > limit)
        return SIZE_MAX;
    size_t k = 1;
    while (k < cap)
        k = mt[2 * k] <= limit ? 2 * k : 2 * k + 1;
    return k - cap;
}

/* -- the treap of sessions: slots ordered by (open_time, id), heap-ordered
 *    by a hash of the id (ids are unique per key, the hash a bijection) -- */

static uint64_t t_prio(const flow_window *win, uint32_t s)
{
    uint64_t x = (uint64_t)win[s].id + UINT64_C(0x9E3779B97F4A7C15);    /* splitmix64 */
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static bool t_less(const flow_window *win, uint32_t a, uint32_t b)
{
    return win[a].open_time < win[b].open_time || (win[a].open_time == win[b].open_time && win[a].id < win[b].id);
}

/* The treap of A's slots and then B's. */
static uint32_t t_join(const flow_window *win, uint32_t (*kid)[2], uint32_t a, uint32_t b)
{
    if (a == NIL)
        return b;
    if (b == NIL)
        return a;
    if (t_prio(win, a) > t_prio(win, b)) {
        kid[a][1] = t_join(win, kid, kid[a][1], b);
        return a;
    }
    kid[b][0] = t_join(win, kid, a, kid[b][0]);
    return b;
}

/* T split into the slots before S (*L) and the others (*R). */
static void t_split(const flow_window *win, uint32_t (*kid)[2], uint32_t t, uint32_t s, uint32_t *l, uint32_t *r)
{
    if (t == NIL) {
        *l = *r = NIL;
    } else if (t_less(win, t, s)) {
        *l = t;
        t_split(win, kid, kid[t][1], s, &kid[t][1], r);
    } else {
        *r = t;
        t_split(win, kid, kid[t][0], s, l, &kid[t][0]);
    }
}

static void t_insert(const flow_window *win, struct flow_wbig *b, uint32_t s)
{
    uint32_t l, r;
    b->kid[s][0] = b->kid[s][1] = NIL;
    t_split(win, b->kid, b->root, s, &l, &r);
    b->root = t_join(win, b->kid, t_join(win, b->kid, l, s), r);
}

static void t_erase(const flow_window *win, struct flow_wbig *b, uint32_t s)
{
    uint32_t *link = &b->root;
    while (*link != s)
        link = &b->kid[*link][t_less(win, *link, s)];
    *link = t_join(win, b->kid, b->kid[s][0], b->kid[s][1]);
}

/* The last session opening at or before T, or NIL. */
static uint32_t t_floor(const flow_window *win, const struct flow_wbig *b, flow_time t)
{
    uint32_t best = NIL;
    for (uint32_t x = b->root; x != NIL;) {
        if (win[x].open_time <= t) {
            best = x;
            x = b->kid[x][1];
        } else {
            x = b->kid[x][0];
        }
    }
    return best;
}

/* The session before (DIR 0) or after (DIR 1) slot S, or NIL. */
static uint32_t t_near(const flow_window *win, const struct flow_wbig *b, uint32_t s, int dir)
{
    uint32_t best = NIL;
    for (uint32_t x = b->root; x != NIL;) {
        if (dir ? t_less(win, s, x) : t_less(win, x, s)) {
            best = x;
            x = b->kid[x][!dir];
        } else {
            x = b->kid[x][dir];
        }
    }
    return best;
}

/* -- the indexed windows -- */

static void big_rehash(flow_wstate *w)
{
    struct flow_wbig *b = w->big;
    h_free(&b->wcell, &b->wmask);
    h_new(&b->wcell, &b->wmask, w->nwin);
    for (size_t s = 0; s < b->tail; s++)
        if (b->mt[w->capwin + s] != HOLE)
            b->wcell[h_find(b->wcell, b->wmask, w->win, sizeof w->win[0], w->win[s].id)] = (uint32_t)s + 1;
}

/* Lay the windows out again in CAP slots (a power of two, more than
 * nwin), holes squeezed out in order, and rebuild the index over them;
 * from the linear layout (no index yet: slots 0..nwin, no holes), build
 * it. */
static void big_layout(flow_wstate *w, const flow_windower_cfg *cfg, size_t cap)
{
    struct flow_wbig *b = big_of(w);
    size_t old = w->capwin, n = 0;
    if (b->mt) {
        size_t tail = b->tail;
        uint32_t *nw = flow_alloc((tail ? tail : 1) * sizeof *nw);
        for (size_t s = 0; s < tail; s++)
            nw[s] = b->mt[old + s] != HOLE ? (uint32_t)n++ : NIL;
        /* each slot moves down: what it overwrites was read before */
        for (size_t s = 0; s < tail; s++) {
            if (nw[s] == NIL)
                continue;
            w->win[nw[s]] = w->win[s];
            if (b->kid) {
                uint32_t l = b->kid[s][0], r = b->kid[s][1];
                b->kid[nw[s]][0] = l == NIL ? NIL : nw[l];
                b->kid[nw[s]][1] = r == NIL ? NIL : nw[r];
            }
        }
        if (b->kid && b->root != NIL)
            b->root = nw[b->root];
        flow_free(nw, (tail ? tail : 1) * sizeof *nw);
        flow_free(b->mt, 2 * old * sizeof *b->mt);
    } else {
        n = w->nwin;
    }
    w->win = flow_realloc(w->win, old * sizeof w->win[0], cap * sizeof w->win[0]);
    w->capwin = cap;
    b->tail = n;
    b->mt = flow_alloc(2 * cap * sizeof *b->mt);
    for (size_t s = 0; s < cap; s++)
        b->mt[cap + s] = s < n ? w->win[s].close_time : HOLE;
    for (size_t k = cap - 1; k; k--)
        b->mt[k] = b->mt[2 * k] < b->mt[2 * k + 1] ? b->mt[2 * k] : b->mt[2 * k + 1];
    if (cfg->kind == FLOW_WINDOWER_SESSION) {
        bool fresh = !b->kid;
        b->kid = flow_realloc(b->kid, fresh ? 0 : old * sizeof b->kid[0], cap * sizeof b->kid[0]);
        if (fresh) {
            b->root = NIL;
            for (size_t s = 0; s < n; s++)
                t_insert(w->win, b, (uint32_t)s);
        }
    } else {
        big_rehash(w);
    }
}

/* Back to the linear layout: the windows packed in order, no index. */
static void big_to_small(flow_wstate *w)
{
    struct flow_wbig *b = w->big;
    size_t old = w->capwin, n = 0;
    for (size_t s = 0; s < b->tail; s++)
        if (b->mt[old + s] != HOLE)
            w->win[n++] = w->win[s];
    flow_free(b->mt, 2 * old * sizeof *b->mt);
    b->mt = NULL;
    if (b->kid)
        flow_free(b->kid, old * sizeof b->kid[0]);
    b->kid = NULL;
    b->root = NIL;
    h_free(&b->wcell, &b->wmask);
    b->tail = 0;
    size_t cap = n ? pow2_at_least(flowi_wbig_at) : 0;    /* never 1: that is the inline storage */
    if (cap < old) {
        w->win = flow_realloc(w->win, old * sizeof w->win[0], cap * sizeof w->win[0]);
        w->capwin = cap;
    }
    big_release(w);
}

/* After windows closed or merged (never in the middle of a walk over
 * slots: this moves them): back to the linear layout when few are left,
 * or into a smaller array when under an eighth of it is in use, so that
 * a key that once had a million windows open does not keep their memory
 * (each shrink costs O(capacity), paid for by the closes since the last). */
static void big_settle(flow_wstate *w, const flow_windower_cfg *cfg)
{
    if (!wbig(w))
        return;
    if (w->nwin <= flowi_wbig_at / 4)
        big_to_small(w);
    else if (w->capwin >= 64 && 8 * w->nwin < w->capwin)
        big_layout(w, cfg, pow2_at_least(2 * w->nwin));
}

/* Open window ID [OPEN, CLOSE] after the others; its slot. */
static uint32_t big_append(flow_wstate *w, const flow_windower_cfg *cfg, int64_t id, flow_time open, flow_time close)
{
    struct flow_wbig *b = w->big;
    if (b->tail == w->capwin) {
        size_t cap = w->capwin;
        if (w->nwin >= cap / 2)
            cap *= 2;
        else
            while (cap > 8 && (w->nwin + 1) * 8 <= cap)
                cap /= 2;
        big_layout(w, cfg, cap);
    }
    uint32_t s = (uint32_t)b->tail++;
    flow_window *x = &w->win[s];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->open_time = open;
    x->close_time = close;
    w->nwin++;
    mt_set(b->mt, w->capwin, s, close);
    if (cfg->kind == FLOW_WINDOWER_SESSION) {
        t_insert(w->win, b, s);
    } else if (2 * w->nwin > b->wmask + 1) {
        big_rehash(w);
    } else {
        b->wcell[h_find(b->wcell, b->wmask, w->win, sizeof w->win[0], id)] = s + 1;
    }
    return s;
}

/* Window S closed or absorbed: a hole now. */
static void big_remove(flow_wstate *w, const flow_windower_cfg *cfg, uint32_t s)
{
    struct flow_wbig *b = w->big;
    if (cfg->kind == FLOW_WINDOWER_SESSION)
        t_erase(w->win, b, s);
    else
        h_del(b->wcell, b->wmask, w->win, sizeof w->win[0],
              h_find(b->wcell, b->wmask, w->win, sizeof w->win[0], w->win[s].id));
    free_merged(&w->win[s]);
    mt_set(b->mt, w->capwin, s, HOLE);
    w->nwin--;
    while (b->tail && b->mt[w->capwin + b->tail - 1] == HOLE)
        b->tail--;
}

/* Whether the indexed sliding window ID is open. */
static bool big_has(const flow_wstate *w, int64_t id)
{
    const struct flow_wbig *b = w->big;
    return b->wcell[h_find(b->wcell, b->wmask, w->win, sizeof w->win[0], id)] != 0;
}

/* Index the windows (before opening one more). */
static void big_start(flow_wstate *w, const flow_windower_cfg *cfg)
{
    big_layout(w, cfg, pow2_at_least(2 * (w->nwin + 1)));
}

/* Whether the windows, linear now, are to be indexed before one more opens. */
static bool big_due(const flow_wstate *w, const flow_windower_cfg *cfg)
{
    /* sessions rely on a gap >= 0 (they are then more than the gap apart) */
    return w->nwin >= flowi_wbig_at && (cfg->kind != FLOW_WINDOWER_SESSION || cfg->gap >= 0);
}

/* ---- the key's state -------------------------------------------------- */

void flow_wstate_init(flow_wstate *w, const flow_clock_cfg *clock, flow_time now)
{
    memset(w, 0, sizeof *w);
    flow_clock_init(clock, &w->clock, now);
    w->max_key = -1;
}

void flow_wstate_free(flow_wstate *w, void (*drop_acc)(void *acc), void (*drop_item)(void *item))
{
    size_t nslots = wbig(w) ? w->big->tail : w->nwin;
    for (size_t i = 0; i < nslots; i++)
        free_merged(&WIN(w)[i]);    /* (a hole's is already freed) */
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
    if (w->big) {
        struct flow_wbig *b = w->big;
        if (b->mt)
            flow_free(b->mt, 2 * w->capwin * sizeof *b->mt);
        if (b->kid)
            flow_free(b->kid, w->capwin * sizeof b->kid[0]);
        h_free(&b->wcell, &b->wmask);
        h_free(&b->lcell, &b->lmask);
        flow_free(b, sizeof *b);
    }
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
 * falls in the last window opened. (The linear layout.) */
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

/* ID, a session INTO absorbed, added to its merged ids: appended, and
 * sorted when the session closes (close_next), so that a session that
 * absorbs many costs O(1) each and not a shift of the whole set. An id is
 * absorbed once (its session is then gone), so there are no repeats. */
static void add_merged(flow_window *into, int64_t id)
{
    GROW(into->merged, (size_t)into->n_merged, into->cap_merged);
    into->merged[into->n_merged++] = id;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Session ORIG absorbed into TARGET: a pending merge, and TARGET's merged ids. */
static void note_merge(flow_wstate *w, flow_window *target, int64_t orig)
{
    GROW(w->merges, w->nmerges, w->capmerges);
    w->merges[w->nmerges].orig = orig;
    w->merges[w->nmerges].target = target->id;
    w->nmerges++;
    add_merged(target, orig);
}

/* _session_find_merges: sort by open time (stable, as Python's sorted),
 * then fold each session into the current one when within the gap. (The
 * linear layout; big_merge_near does the same on the index.) */
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
            note_merge(w, lw, tw->id);
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

/* session_find_merges after session S grew, on the index: every other
 * pair of neighbours is more than the gap apart, so the walk in open-time
 * order merges nothing before S's predecessor and nothing after the first
 * pair that does not merge once S is passed; walking from there gives the
 * same merges in the same order. */
static void big_merge_near(flow_wstate *w, const flow_windower_cfg *cfg, uint32_t s)
{
    struct flow_wbig *b = w->big;
    flow_window *win = w->win;
    uint32_t last = t_near(win, b, s, 0);
    bool passed = false;    /* S was reached */
    if (last == NIL) {
        last = s;
        passed = true;
    }
    uint32_t cur = t_near(win, b, last, 1);
    while (cur != NIL) {
        if (win[cur].open_time - win[last].close_time <= cfg->gap) {
            if (win[cur].close_time > win[last].close_time) {
                win[last].close_time = win[cur].close_time;
                mt_set(b->mt, w->capwin, last, win[last].close_time);
            }
            note_merge(w, &win[last], win[cur].id);
            passed |= cur == s;
            big_remove(w, cfg, cur);
            cur = t_near(win, b, last, 1);
        } else {
            if (passed)
                break;    /* S and its successor are apart: nothing further merges */
            last = cur;   /* the predecessor kept S apart: S is the current one now */
            passed = true;
            cur = t_near(win, b, cur, 1);
        }
    }
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

/* Whether an item at TS joins or extends session S: it lies in S or
 * within the gap before or after it. */
static bool session_takes(const flow_window *s, const flow_windower_cfg *cfg, flow_time ts)
{
    return s->open_time - ts <= cfg->gap && ts - s->close_time <= cfg->gap;
}

/* open_for of a session windower on the index: the first session in
 * insertion order that TS joins or extends is one of the last two opening
 * at or before ts + gap (see "many windows on one key"). */
static size_t big_session_open(flow_wstate *w, const flow_windower_cfg *cfg, flow_time ts, const int64_t **ids)
{
    struct flow_wbig *b = w->big;
    flow_time reach;
    if (__builtin_add_overflow(ts, cfg->gap, &reach))
        reach = INT64_MAX;
    uint32_t best = NIL, c = t_floor(w->win, b, reach);
    for (int k = 0; k < 2 && c != NIL; k++, c = t_near(w->win, b, c, 0))
        if (session_takes(&w->win[c], cfg, ts) && (best == NIL || c < best))
            best = c;
    if (best == NIL) {
        uint32_t s = big_append(w, cfg, ++w->max_key, ts, ts);
        return one_id(w, w->win[s].id, ids);
    }
    flow_window *s = &w->win[best];
    int64_t id = s->id;
    if (s->open_time > ts) {
        s->open_time = ts;    /* its place in open-time order is kept */
    } else if (ts > s->close_time) {
        s->close_time = ts;
        mt_set(b->mt, w->capwin, best, ts);
    } else {
        return one_id(w, id, ids);    /* inside: nothing changes */
    }
    big_merge_near(w, cfg, best);
    big_settle(w, cfg);
    return one_id(w, id, ids);
}

size_t flow_wstate_open_for(flow_wstate *w, const flow_windower_cfg *cfg, flow_time ts, const int64_t **ids)
{
    if (cfg->kind == FLOW_WINDOWER_SESSION) {
        if (wbig(w))
            return big_session_open(w, cfg, ts, ids);
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
        if (big_due(w, cfg)) {
            big_start(w, cfg);
            uint32_t s = big_append(w, cfg, ++w->max_key, ts, ts);
            return one_id(w, w->win[s].id, ids);
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
        if (wbig(w) ? big_has(w, id) : find_win(w, id) != NULL)
            continue;
        flow_window_meta m = flow_window_meta_for(cfg, id);
        if (!wbig(w) && big_due(w, cfg))
            big_start(w, cfg);
        if (wbig(w)) {
            big_append(w, cfg, id, m.open_time, m.close_time);
            continue;
        }
        GROW_INL(w->win, w->nwin, w->capwin, w->win1);
        flow_window *s = &WIN(w)[w->nwin++];
        memset(s, 0, sizeof *s);
        s->id = id;
        s->open_time = m.open_time;
        s->close_time = m.close_time;
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

/* The latest close time that watermark WM closes: a sliding or tumbling
 * window closes when WM reaches its close, a session when WM is more than
 * the gap past its close. */
static flow_time close_limit(const flow_windower_cfg *cfg, flow_time wm)
{
    if (cfg->kind != FLOW_WINDOWER_SESSION)
        return wm;
    flow_time close_after;
    if (__builtin_sub_overflow(wm, cfg->gap, &close_after) || close_after < FLOW_TIME_MIN)
        close_after = FLOW_TIME_MIN;
    return close_after - 1;
}

/* The slot of the first open window (insertion order) that watermark WM
 * closes, or SIZE_MAX. */
static size_t first_closing(const flow_wstate *w, const flow_windower_cfg *cfg, flow_time wm)
{
    flow_time limit = close_limit(cfg, wm);
    if (wbig(w))
        return mt_first(w->big->mt, w->capwin, limit);
    for (size_t i = 0; i < w->nwin; i++)
        if (WIN(w)[i].close_time <= limit)
            return i;
    return SIZE_MAX;
}

bool flow_wstate_closes(const flow_wstate *w, const flow_windower_cfg *cfg, flow_time wm)
{
    return first_closing(w, cfg, wm) != SIZE_MAX;
}

bool flow_wstate_close_next(flow_wstate *w, const flow_windower_cfg *cfg, flow_time wm, flow_arena *a,
                            int64_t *id, flow_window_meta *meta)
{
    size_t i = first_closing(w, cfg, wm);
    if (i == SIZE_MAX)
        return false;
    flow_window *s = &WIN(w)[i];
    *id = s->id;
    meta->open_time = s->open_time;
    meta->close_time = s->close_time;
    meta->merged_ids.n = s->n_merged;
    meta->merged_ids.v = NULL;
    if (s->n_merged) {
        meta->merged_ids.v = flow_arena_alloc(a, (size_t)s->n_merged * sizeof(int64_t));
        memcpy(meta->merged_ids.v, s->merged, (size_t)s->n_merged * sizeof(int64_t));
        /* a Python set of small ints prints ascending */
        qsort(meta->merged_ids.v, (size_t)s->n_merged, sizeof(int64_t), cmp_i64);
    }
    if (wbig(w)) {
        big_remove(w, cfg, (uint32_t)i);
        big_settle(w, cfg);
    } else {
        free_merged(s);
        remove_win(w, i);
    }
    return true;
}

/* The earliest close time of an open window, or FLOW_NO_TIME. */
static flow_time min_close(const flow_wstate *w)
{
    if (wbig(w))
        return w->nwin ? w->big->mt[1] : FLOW_NO_TIME;
    flow_time at = FLOW_NO_TIME;
    for (size_t i = 0; i < w->nwin; i++)
        if (at == FLOW_NO_TIME || WIN(w)[i].close_time < at)
            at = WIN(w)[i].close_time;
    return at;
}

flow_time flow_wstate_notify_at(const flow_wstate *w, const flow_windower_cfg *cfg, bool ordered)
{
    flow_time at = min_close(w);
    if (at != FLOW_NO_TIME && cfg->kind == FLOW_WINDOWER_SESSION)
        at = add_sat(at, cfg->gap);
    if (ordered && w->nq && (at == FLOW_NO_TIME || w->q[0].ts < at))
        at = w->q[0].ts;
    return at;
}

/* ---- per-window logics (the generated accumulators) ------------------- */

/* Index the logics by id (before adding one more), or index them anew
 * for about N. */
static void logic_rehash(flow_wstate *w, size_t n)
{
    struct flow_wbig *b = big_of(w);
    h_free(&b->lcell, &b->lmask);
    h_new(&b->lcell, &b->lmask, n);
    for (size_t i = 0; i < w->nlogic; i++)
        b->lcell[h_find(b->lcell, b->lmask, w->logic, sizeof w->logic[0], w->logic[i].id)] = (uint32_t)i + 1;
}

static void **big_logic(flow_wstate *w, int64_t id, bool *created)
{
    struct flow_wbig *b = w->big;
    size_t at = h_find(b->lcell, b->lmask, w->logic, sizeof w->logic[0], id);
    if (b->lcell[at]) {
        if (created)
            *created = false;
        return &w->logic[b->lcell[at] - 1].acc;
    }
    GROW(w->logic, w->nlogic, w->caplogic);
    size_t i = w->nlogic++;
    w->logic[i].id = id;
    w->logic[i].acc = NULL;
    if (2 * w->nlogic > b->lmask + 1)
        logic_rehash(w, w->nlogic);
    else
        b->lcell[at] = (uint32_t)i + 1;
    if (created)
        *created = true;
    return &w->logic[i].acc;
}

static void *big_logic_pop(flow_wstate *w, int64_t id)
{
    struct flow_wbig *b = w->big;
    const size_t sz = sizeof w->logic[0];
    size_t at = h_find(b->lcell, b->lmask, w->logic, sz, id);
    if (!b->lcell[at])
        return NULL;
    size_t i = b->lcell[at] - 1, last = w->nlogic - 1;
    void *acc = w->logic[i].acc;
    h_del(b->lcell, b->lmask, w->logic, sz, at);
    if (i != last) {    /* the last logic fills the gap */
        b->lcell[h_find(b->lcell, b->lmask, w->logic, sz, w->logic[last].id)] = (uint32_t)i + 1;
        w->logic[i] = w->logic[last];
    }
    w->nlogic--;
    if (w->caplogic >= 64 && 8 * w->nlogic < w->caplogic) {
        /* under an eighth in use: a smaller array (the indexes below nlogic stay) */
        size_t cap = pow2_at_least(2 * w->nlogic);
        w->logic = flow_realloc(w->logic, w->caplogic * sz, cap * sz);
        w->caplogic = cap;
    }
    if (w->nlogic <= flowi_wbig_at / 4) {
        h_free(&b->lcell, &b->lmask);
        big_release(w);
    } else if (16 * w->nlogic < b->lmask + 1 && b->lmask + 1 > 64) {
        logic_rehash(w, w->nlogic);
    }
    return acc;
}

void **flow_wstate_logic(flow_wstate *w, int64_t id, bool *created)
{
    if (lbig(w))
        return big_logic(w, id, created);
    for (size_t i = w->nlogic; i-- > 0;)    /* ids are unique: newest first */
        if (LOGIC(w)[i].id == id) {
            if (created)
                *created = false;
            return &LOGIC(w)[i].acc;
        }
    if (w->nlogic >= flowi_wbig_at) {
        logic_rehash(w, w->nlogic + 1);
        return big_logic(w, id, created);
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
    if (lbig(w))
        return big_logic_pop(w, id);
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
    /* only the earliest close matters: close (+ gap + 1) grows with close,
     * the gap being >= 0 (flowc and the start-up check reject a negative
     * one, as Bytewax's SessionWindower does) */
    flow_time t = min_close(w);
    if (t != FLOW_NO_TIME && cfg->kind == FLOW_WINDOWER_SESSION) {
        /* close + gap + 1 beyond the range: wm never exceeds it */
        if (__builtin_add_overflow(t, cfg->gap, &t) || t >= FLOW_TIME_MAX)
            t = FLOW_NO_TIME;
        else
            t++;
    }
    if (t != FLOW_NO_TIME)
        target = t, have = true;
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

/* ===================================================================
 * Recovery: a key's window state in the binary encoding (docs/recovery.md)
 * =================================================================== */

/*
 * The layout: the clock (wm_base, sys_at_max, sys_now), max_key, the open
 * windows in insertion order (id, open, close, the merged ids in the order
 * absorbed), the accumulators (id, a presence byte, the generated code's
 * encoding), the queue in order (ts, the generated code's encoding of the
 * item). Pending merges are always empty between activations (every flush
 * takes them), so they are not saved. The index of a key with many windows
 * is not saved either: restoring appends the windows in insertion order
 * as open_for did, which builds it again.
 */
void flow_wstate_enc(flow_buf *b, const flow_wstate *w, void (*enc_acc)(flow_buf *b, const void *acc),
                     void (*enc_item)(flow_buf *b, const void *item))
{
    flow_enc_i64(b, w->clock.wm_base);
    flow_enc_i64(b, w->clock.sys_at_max);
    flow_enc_i64(b, w->clock.sys_now);
    flow_enc_i64(b, w->max_key);
    flow_enc_u64(b, w->nwin);
    size_t nslots = wbig(w) ? w->big->tail : w->nwin;
    const flow_window *win = w->capwin == 1 ? &w->win1 : w->win;
    for (size_t s = 0; s < nslots; s++) {
        if (wbig(w) && w->big->mt[w->capwin + s] == HOLE)
            continue;
        const flow_window *x = &win[s];
        flow_enc_i64(b, x->id);
        flow_enc_i64(b, x->open_time);
        flow_enc_i64(b, x->close_time);
        flow_enc_u64(b, (uint64_t)x->n_merged);
        for (int64_t i = 0; i < x->n_merged; i++)
            flow_enc_i64(b, x->merged[i]);
    }
    const flow_wlogic *lg = w->caplogic == 1 ? &w->logic1 : w->logic;
    flow_enc_u64(b, w->nlogic);
    for (size_t i = 0; i < w->nlogic; i++) {
        flow_enc_i64(b, lg[i].id);
        flow_enc_bool(b, lg[i].acc != NULL);
        if (lg[i].acc)
            enc_acc(b, lg[i].acc);
    }
    flow_enc_u64(b, w->nq);
    for (size_t i = 0; i < w->nq; i++) {
        flow_enc_i64(b, w->q[i].ts);
        enc_item(b, w->q[i].item);
    }
}

/* A window restored after the others, as open_for opens one (indexed once
 * the key has many). */
static flow_window *restore_win(flow_wstate *w, const flow_windower_cfg *cfg, int64_t id, flow_time open, flow_time close)
{
    if (!wbig(w) && big_due(w, cfg))
        big_start(w, cfg);
    if (wbig(w)) {
        uint32_t s = big_append(w, cfg, id, open, close);    /* (may move w->win) */
        return &w->win[s];
    }
    GROW_INL(w->win, w->nwin, w->capwin, w->win1);
    flow_window *s = &WIN(w)[w->nwin++];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->open_time = open;
    s->close_time = close;
    return s;
}

static bool time_ok(flow_time t) { return t >= FLOW_TIME_MIN && t <= FLOW_TIME_MAX; }

bool flow_wstate_dec(flow_rd *r, flow_wstate *w, const flow_windower_cfg *cfg,
                     void *(*dec_acc)(void *ctx, flow_rd *r), void *(*dec_item)(void *ctx, flow_rd *r), void *ctx)
{
    w->clock.wm_base = flow_dec_i64(r);
    w->clock.sys_at_max = flow_dec_i64(r);
    w->clock.sys_now = flow_dec_i64(r);
    w->max_key = flow_dec_i64(r);
    if (!time_ok(w->clock.wm_base) || w->max_key < -1)
        r->bad = true;
    int64_t nwin = flow_dec_count(r);
    for (int64_t k = 0; k < nwin && !r->bad; k++) {
        int64_t id = flow_dec_i64(r);
        flow_time open = flow_dec_i64(r), close = flow_dec_i64(r);
        int64_t nm = flow_dec_count(r);
        if (r->bad || !time_ok(open) || !time_ok(close) || open > close ||
            (cfg->kind == FLOW_WINDOWER_SESSION && (id < 0 || id > w->max_key))) {
            r->bad = true;
            break;
        }
        flow_window *s = restore_win(w, cfg, id, open, close);
        for (int64_t i = 0; i < nm && !r->bad; i++)
            add_merged(s, flow_dec_i64(r));
    }
    int64_t nlogic = flow_dec_count(r);
    for (int64_t k = 0; k < nlogic && !r->bad; k++) {
        int64_t id = flow_dec_i64(r);
        bool created = false;
        void **slot = flow_wstate_logic(w, id, &created);
        if (!created) {    /* an id twice */
            r->bad = true;
            break;
        }
        if (flow_dec_bool(r))
            *slot = dec_acc(ctx, r);
    }
    int64_t nq = flow_dec_count(r);
    for (int64_t k = 0; k < nq && !r->bad; k++) {
        flow_time ts = flow_dec_i64(r);
        void *item = dec_item(ctx, r);
        if (item)
            flow_wstate_enqueue(w, ts, item);
        else
            r->bad = true;
    }
    if (r->bad)
        r->p = r->end;
    return !r->bad;
}
