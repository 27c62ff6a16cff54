/*
 * set.c - the runtime half of the language's set<T> and of hashing:
 * CPython 3.11's set table (Objects/setobject.c) replayed exactly, so a
 * set iterates and prints in the order CPython's would, and Python's
 * hash() of the values whose hash CPython does not seed.
 *
 * Pipeline position: generated code owns the typed parts (each set type's
 * slot struct, its element equality, the probe loop flow_set_find in
 * flowrt_gen.h); this file does what needs no comparison of elements:
 * new, clone, resize and the growth rule. Tables live in the caller's
 * arena, as lists do; a set value is never changed after it is made
 * (add and remove copy first), so sharing a table is safe.
 */
#include "internal.h"

#include <math.h>

/* ---- hashing (CPython 3.11's Python/pyhash.c, Objects/longobject.c,
 * floatobject.c, tupleobject.c) ----------------------------------------- */

#define HASH_BITS 61
#define HASH_MODULUS ((UINT64_C(1) << HASH_BITS) - 1)
#define HASH_INF 314159

int64_t flow_hash_int(int64_t v)
{
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int64_t h = (int64_t)(u % HASH_MODULUS);
    if (v < 0)
        h = -h;
    return h == -1 ? -2 : h;
}

int64_t flow_hash_float(double v)
{
    if (isinf(v))
        return v > 0 ? HASH_INF : -HASH_INF;
    if (isnan(v))
        return 0;   /* CPython 3.10+: the object's address (docs/language.md) */
    int e;
    double m = frexp(v, &e);
    int sign = 1;
    if (m < 0) {
        sign = -1;
        m = -m;
    }
    /* process 28 bits at a time, as _Py_HashDouble */
    uint64_t x = 0;
    while (m) {
        x = ((x << 28) & HASH_MODULUS) | x >> (HASH_BITS - 28);
        m *= 268435456.0;   /* 2**28 */
        e -= 28;
        uint64_t y = (uint64_t)m;
        m -= (double)y;
        x += y;
        if (x >= HASH_MODULUS)
            x -= HASH_MODULUS;
    }
    e = e >= 0 ? e % HASH_BITS : HASH_BITS - 1 - ((-1 - e) % HASH_BITS);
    x = ((x << e) & HASH_MODULUS) | x >> (HASH_BITS - e);
    int64_t h = (int64_t)x * sign;
    return h == -1 ? -2 : h;
}

int64_t flow_hash_str(flow_str s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);   /* FNV-1a, 64 bits */
    for (int64_t i = 0; i < s.n; i++) {
        h ^= (unsigned char)s.p[i];
        h *= UINT64_C(0x100000001b3);
    }
    int64_t r = (int64_t)h;
    return r == -1 ? -2 : r;
}

int64_t flow_hash_duration(int64_t us)
{
    /* timedelta's hash is that of (days, seconds, microseconds), the
     * normalised fields: 0 <= seconds < 86400, 0 <= microseconds < 10**6 */
    int64_t per_day = INT64_C(86400000000);
    int64_t days = flow_i64_floordiv(us, per_day);
    int64_t rest = us - days * per_day;
    uint64_t acc = flow_hash_tuple_begin();
    acc = flow_hash_tuple_add(acc, flow_hash_int(days));
    acc = flow_hash_tuple_add(acc, flow_hash_int(rest / FLOW_US_PER_SEC));
    acc = flow_hash_tuple_add(acc, flow_hash_int(rest % FLOW_US_PER_SEC));
    return flow_hash_tuple_end(acc, 3);
}

/* ---- the set table (CPython 3.11's Objects/setobject.c) ---------------- */

#define MINSIZE 8

static flow_set_slot *slot_at(void *slots, size_t stride, size_t i)
{
    return (flow_set_slot *)(void *)((char *)slots + i * stride);
}

void *flow_set_new(flow_arena *a, size_t stride, int64_t size)
{
    void *s = flow_arena_alloc(a, stride * (size_t)size);
    memset(s, 0, stride * (size_t)size);
    return s;
}

void *flow_set_clone(flow_arena *a, const void *slots, int64_t mask, size_t stride)
{
    if (!slots)
        return flow_set_new(a, stride, MINSIZE);
    size_t n = stride * (size_t)(mask + 1);
    void *s = flow_arena_alloc(a, n);
    memcpy(s, slots, n);
    return s;
}

/* CPython's set_insert_clean: the first empty slot on HASH's probe path
 * (the table has no dummies and no equal element). */
static size_t insert_clean(void *table, size_t mask, size_t stride, int64_t hash)
{
    size_t perturb = (size_t)hash;
    size_t i = (size_t)hash & mask;
    for (;;) {
        if (slot_at(table, stride, i)->st == FLOW_SLOT_EMPTY)
            return i;
        if (i + FLOW_SET_LINEAR_PROBES <= mask)
            for (size_t j = 1; j <= FLOW_SET_LINEAR_PROBES; j++)
                if (slot_at(table, stride, i + j)->st == FLOW_SLOT_EMPTY)
                    return i + j;
        perturb >>= FLOW_SET_PERTURB_SHIFT;
        i = (i * 5 + 1 + perturb) & mask;
    }
}

/* The USED live elements of SLOTS (*MASK + 1 of them) moved, in slot
 * order, into a new table of NEWSIZE slots in A, which *MASK and *FILL
 * then describe. */
static void *rebuilt(flow_arena *a, void *slots, int64_t *mask, int64_t *fill, int64_t used, size_t stride,
                     int64_t newsize)
{
    void *table = flow_set_new(a, stride, newsize);
    for (int64_t i = 0; i <= *mask; i++) {
        flow_set_slot *e = slot_at(slots, stride, (size_t)i);
        if (e->st == FLOW_SLOT_ACTIVE) {
            size_t j = insert_clean(table, (size_t)(newsize - 1), stride, e->h);
            memcpy(slot_at(table, stride, j), e, stride);
        }
    }
    *mask = newsize - 1;
    *fill = used;
    return table;
}

void *flow_set_resize(flow_arena *a, void *slots, int64_t *mask, int64_t *fill, int64_t used, size_t stride,
                      int64_t minused)
{
    int64_t newsize = MINSIZE;
    while (newsize <= minused)
        newsize <<= 1;
    if (!slots) {
        *mask = MINSIZE - 1;
        *fill = 0;
        slots = flow_set_new(a, stride, MINSIZE);
    }
    /* the small table (8 slots) without dummies is left as it is */
    if (newsize == MINSIZE && *mask == MINSIZE - 1 && *fill == used)
        return slots;
    return rebuilt(a, slots, mask, fill, used, stride, newsize);
}

void *flow_set_grown(flow_arena *a, void *slots, int64_t *mask, int64_t *fill, int64_t used, size_t stride)
{
    if (*fill * 5 < *mask * 3)
        return slots;
    return flow_set_resize(a, slots, mask, fill, used, stride, used > 50000 ? used * 2 : used * 4);
}

void *flow_set_literal(flow_arena *a, void *slots, int64_t *mask, int64_t *fill, int64_t used, size_t stride)
{
    /* the compiler's constant merging builds the frozenset again, adding
     * the elements in its iteration order (distinct, so each goes to the
     * first empty slot of its probe, as set_insert_clean finds it) */
    int64_t m = MINSIZE - 1, f = 0, u = 0;
    void *fs = flow_set_new(a, stride, MINSIZE);
    for (int64_t i = 0; i <= *mask; i++) {
        flow_set_slot *e = slot_at(slots, stride, (size_t)i);
        if (e->st != FLOW_SLOT_ACTIVE)
            continue;
        size_t j = insert_clean(fs, (size_t)m, stride, e->h);
        memcpy(slot_at(fs, stride, j), e, stride);
        f++;
        u++;
        fs = flow_set_grown(a, fs, &m, &f, u, stride);
    }
    slots = fs;
    *mask = m;
    *fill = f;
    /* set_merge(empty set, frozenset): one resize of the empty table first
     * when (0 + used) * 5 >= 7 * 3, then the slots copied as they are when
     * the sizes agree, else reinserted in slot order */
    if (used * 5 < (MINSIZE - 1) * 3)
        return slots;
    int64_t newsize = MINSIZE;
    while (newsize <= used * 2)
        newsize <<= 1;
    if (newsize == *mask + 1)
        return slots;   /* *fill == used: a literal has no dummies */
    return rebuilt(a, slots, mask, fill, used, stride, newsize);
}
