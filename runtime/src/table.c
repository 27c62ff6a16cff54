/*
 * table.c - keyed state for stateful steps: a hash table from key strings
 * to fixed-size value slots, each entry with at most one pending timer.
 *
 * Layout:
 * - entries[]: one record per id (key copy, hash, timer, heap position);
 *   removed ids go on a free list and are reused. values[] runs parallel
 *   to it, VALUE_SIZE bytes per id.
 * - index[]: open addressing with linear probing over (id, low 32 bits of
 *   the XXH3 hash); removal shifts the following cluster back, so there
 *   are no tombstones and lookups stay short however many keys come and go.
 * - heap[]: an indexed binary min-heap of the ids whose timer is set; each
 *   entry knows its heap position, so setting, moving and clearing a timer
 *   are O(log n) and the heap never holds stale entries.
 */
#include "internal.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#define NO_POS UINT32_MAX

typedef struct entry {
    char *key;           /* flow_alloc'd copy; NULL when the id is free */
    int64_t klen;
    uint64_t hash;
    flow_time timer;     /* FLOW_NO_TIME when unset */
    uint32_t heap_pos;   /* index in heap[], or NO_POS */
    uint32_t next_free;  /* free list link while the id is free */
} entry;

typedef struct slot {
    uint32_t id;         /* FLOW_NO_ENTRY when empty */
    uint32_t h32;        /* low 32 bits of the hash: home slot and quick check */
} slot;

struct flow_table {
    size_t value_size;
    entry *entries;
    char *values;
    size_t n_ids;        /* ids handed out so far (live + free) */
    size_t cap_ids;
    uint32_t free_head;  /* first free id, or FLOW_NO_ENTRY */
    size_t count;        /* live entries */
    slot *index;
    size_t mask;         /* index capacity - 1 (a power of two) */
    uint32_t *heap;
    size_t heap_n, heap_cap;
    /* scratch for flow_table_due / flow_table_sorted */
    uint32_t *out;       /* the ids handed to the caller */
    uint32_t *order;
    uint32_t *tmp;
    size_t out_cap;      /* capacity of out, order and tmp */
    struct sort_item { flow_str key; uint32_t id; } *items;
    size_t items_cap;
};

/* murmur3's 64-bit finaliser: a bijection that mixes every bit */
static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

/* Keys of up to 8 bytes (most keys: ids, small numbers, words) are packed
 * into one word with their length and mixed, without a call; the packing
 * is injective, so distinct short keys never share a hash. Longer keys use
 * XXH3. */
static __attribute__((noinline)) uint64_t hash_long(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}

static inline uint64_t hash_key(flow_str key)
{
    size_t n = (size_t)key.n;
    const unsigned char *p = (const unsigned char *)key.p;
    if (n > 8)
        return hash_long(p, n);
    uint64_t v = 0;
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        v = a | (uint64_t)b << 32;
    } else if (n) {
        v = p[0] | (uint64_t)p[n >> 1] << 8 | (uint64_t)p[n - 1] << 16;
    }
    return mix64(v ^ ((uint64_t)n << 59) ^ UINT64_C(0x9e3779b97f4a7c15));
}

static slot *new_index(size_t cap)
{
    slot *ix = flow_alloc(cap * sizeof *ix);
    for (size_t i = 0; i < cap; i++)
        ix[i].id = FLOW_NO_ENTRY;
    return ix;
}

flow_table *flow_table_new(size_t value_size)
{
    flow_table *t = flow_alloc(sizeof *t);
    memset(t, 0, sizeof *t);
    t->value_size = value_size;
    t->free_head = FLOW_NO_ENTRY;
    t->mask = 15;
    t->index = new_index(t->mask + 1);
    return t;
}

void flow_table_free(flow_table *t, void (*drop)(void *value))
{
    if (!t)
        return;
    for (size_t id = 0; id < t->n_ids; id++) {
        entry *e = &t->entries[id];
        if (!e->key)
            continue;
        if (drop)
            drop(t->values + id * t->value_size);
        flow_free(e->key, (size_t)e->klen);
    }
    flow_free(t->entries, t->cap_ids * sizeof *t->entries);
    flow_free(t->values, t->cap_ids * t->value_size);
    flow_free(t->index, (t->mask + 1) * sizeof *t->index);
    flow_free(t->heap, t->heap_cap * sizeof *t->heap);
    flow_free(t->out, t->out_cap * sizeof *t->out);
    flow_free(t->order, t->out_cap * sizeof *t->order);
    flow_free(t->tmp, t->out_cap * sizeof *t->tmp);
    flow_free(t->items, t->items_cap * sizeof *t->items);
    flow_free(t, sizeof *t);
}

size_t flow_table_count(const flow_table *t)
{
    return t->count;
}

bool flow_table_live(const flow_table *t, uint32_t id)
{
    return id < t->n_ids && t->entries[id].key != NULL;
}

void *flow_table_value(flow_table *t, uint32_t id)
{
    return t->values + (size_t)id * t->value_size;
}

flow_str flow_table_key(const flow_table *t, uint32_t id)
{
    const entry *e = &t->entries[id];
    return (flow_str){ e->key, e->klen };
}

/* ---- index ------------------------------------------------------------- */

/* Equal keys of N bytes; short keys (the common case) without a call. */
static inline bool key_eq(const char *a, const char *b, size_t n)
{
    if (n >= 4 && n <= 8) {
        /* two overlapping 4-byte loads cover 4..8 bytes */
        uint32_t a0, a1, b0, b1;
        memcpy(&a0, a, 4);
        memcpy(&b0, b, 4);
        memcpy(&a1, a + n - 4, 4);
        memcpy(&b1, b + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n > 8)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

static inline __attribute__((always_inline)) uint32_t lookup(const flow_table *t, flow_str key, uint64_t h)
{
    uint32_t h32 = (uint32_t)h;
    for (size_t i = h32 & t->mask;; i = (i + 1) & t->mask) {
        slot s = t->index[i];
        if (s.id == FLOW_NO_ENTRY)
            return FLOW_NO_ENTRY;
        if (s.h32 == h32) {
            const entry *e = &t->entries[s.id];
            if (e->klen == key.n && key_eq(e->key, key.p, (size_t)key.n))
                return s.id;
        }
    }
}

static void index_put(slot *ix, size_t mask, uint32_t id, uint32_t h32)
{
    size_t i = h32 & mask;
    while (ix[i].id != FLOW_NO_ENTRY)
        i = (i + 1) & mask;
    ix[i].id = id;
    ix[i].h32 = h32;
}

static void index_grow(flow_table *t)
{
    size_t cap = (t->mask + 1) * 2;
    slot *ix = new_index(cap);
    for (size_t i = 0; i <= t->mask; i++)
        if (t->index[i].id != FLOW_NO_ENTRY)
            index_put(ix, cap - 1, t->index[i].id, t->index[i].h32);
    flow_free(t->index, (t->mask + 1) * sizeof *t->index);
    t->index = ix;
    t->mask = cap - 1;
}

/* Remove ID's slot, shifting later members of its cluster back. */
static void index_del(flow_table *t, uint32_t id)
{
    size_t i = (uint32_t)t->entries[id].hash & t->mask;
    while (t->index[i].id != id)
        i = (i + 1) & t->mask;
    for (size_t j = (i + 1) & t->mask;; j = (j + 1) & t->mask) {
        if (t->index[j].id == FLOW_NO_ENTRY)
            break;
        size_t home = t->index[j].h32 & t->mask;
        /* Slot j may move to i iff its home is not in (i, j] cyclically. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->index[i] = t->index[j];
            i = j;
        }
    }
    t->index[i].id = FLOW_NO_ENTRY;
}

uint32_t flow_table_find(flow_table *t, flow_str key)
{
    return lookup(t, key, hash_key(key));
}

static uint32_t insert_hashed(flow_table *t, flow_str key, uint64_t h)
{
    if ((t->count + 1) * 4 > (t->mask + 1) * 3)
        index_grow(t);
    uint32_t id;
    if (t->free_head != FLOW_NO_ENTRY) {
        id = t->free_head;
        t->free_head = t->entries[id].next_free;
    } else {
        if (t->n_ids == t->cap_ids) {
            size_t cap = t->cap_ids ? t->cap_ids * 2 : 16;
            t->entries = flow_realloc(t->entries, t->cap_ids * sizeof *t->entries,
                                      cap * sizeof *t->entries);
            t->values = flow_realloc(t->values, t->cap_ids * t->value_size,
                                     cap * t->value_size);
            t->cap_ids = cap;
        }
        id = (uint32_t)t->n_ids++;
    }
    entry *e = &t->entries[id];
    e->key = flow_alloc((size_t)key.n);
    if (key.n)
        memcpy(e->key, key.p, (size_t)key.n);
    e->klen = key.n;
    e->hash = h;
    e->timer = FLOW_NO_TIME;
    e->heap_pos = NO_POS;
    e->next_free = FLOW_NO_ENTRY;
    if (t->value_size)
        memset(t->values + (size_t)id * t->value_size, 0, t->value_size);
    index_put(t->index, t->mask, id, (uint32_t)h);
    t->count++;
    return id;
}

uint32_t flow_table_insert(flow_table *t, flow_str key)
{
    return insert_hashed(t, key, hash_key(key));
}

static __attribute__((noinline)) uint32_t upsert_new(flow_table *t, flow_str key, uint64_t h, bool *created)
{
    if (created)
        *created = true;
    return insert_hashed(t, key, h);
}

uint32_t flow_table_upsert(flow_table *t, flow_str key, bool *created)
{
    /* the hot path (a key seen before) saves no registers and calls nothing */
    uint64_t h = hash_key(key);
    uint32_t id = lookup(t, key, h);
    if (__builtin_expect(id == FLOW_NO_ENTRY, 0))
        return upsert_new(t, key, h, created);
    if (created)
        *created = false;
    return id;
}

/* ---- timer heap -------------------------------------------------------- */

static flow_time heap_time(const flow_table *t, size_t pos)
{
    return t->entries[t->heap[pos]].timer;
}

static void heap_place(flow_table *t, size_t pos, uint32_t id)
{
    t->heap[pos] = id;
    t->entries[id].heap_pos = (uint32_t)pos;
}

static void sift_up(flow_table *t, size_t pos)
{
    uint32_t id = t->heap[pos];
    flow_time at = t->entries[id].timer;
    while (pos > 0) {
        size_t parent = (pos - 1) / 2;
        if (heap_time(t, parent) <= at)
            break;
        heap_place(t, pos, t->heap[parent]);
        pos = parent;
    }
    heap_place(t, pos, id);
}

static void sift_down(flow_table *t, size_t pos)
{
    uint32_t id = t->heap[pos];
    flow_time at = t->entries[id].timer;
    for (;;) {
        size_t child = 2 * pos + 1;
        if (child >= t->heap_n)
            break;
        if (child + 1 < t->heap_n && heap_time(t, child + 1) < heap_time(t, child))
            child++;
        if (heap_time(t, child) >= at)
            break;
        heap_place(t, pos, t->heap[child]);
        pos = child;
    }
    heap_place(t, pos, id);
}

static void heap_remove(flow_table *t, uint32_t id)
{
    size_t pos = t->entries[id].heap_pos;
    t->entries[id].heap_pos = NO_POS;
    t->heap_n--;
    if (pos == t->heap_n)
        return;
    uint32_t moved = t->heap[t->heap_n];
    heap_place(t, pos, moved);
    sift_up(t, pos);
    sift_down(t, t->entries[moved].heap_pos);
}

void flow_table_set_timer(flow_table *t, uint32_t id, flow_time at)
{
    entry *e = &t->entries[id];
    if (at == FLOW_NO_TIME) {
        if (e->heap_pos != NO_POS)
            heap_remove(t, id);
        e->timer = FLOW_NO_TIME;
        return;
    }
    flow_time old = e->timer;
    e->timer = at;
    if (e->heap_pos == NO_POS) {
        if (t->heap_n == t->heap_cap) {
            size_t cap = t->heap_cap ? t->heap_cap * 2 : 16;
            t->heap = flow_realloc(t->heap, t->heap_cap * sizeof *t->heap, cap * sizeof *t->heap);
            t->heap_cap = cap;
        }
        t->heap[t->heap_n] = id;
        e->heap_pos = (uint32_t)t->heap_n++;
        sift_up(t, e->heap_pos);
    } else if (at < old) {
        sift_up(t, e->heap_pos);
    } else {
        sift_down(t, e->heap_pos);
    }
}

flow_time flow_table_timer(const flow_table *t, uint32_t id)
{
    return t->entries[id].timer;
}

flow_time flow_table_next_timer(const flow_table *t)
{
    return t->heap_n ? heap_time(t, 0) : FLOW_NO_TIME;
}

void flow_table_remove(flow_table *t, uint32_t id)
{
    entry *e = &t->entries[id];
    if (e->heap_pos != NO_POS)
        heap_remove(t, id);
    index_del(t, id);
    flow_free(e->key, (size_t)e->klen);
    e->key = NULL;
    e->timer = FLOW_NO_TIME;
    e->next_free = t->free_head;
    t->free_head = id;
    t->count--;
}

/* ---- ids in key order -------------------------------------------------- */

static void reserve_out(flow_table *t, size_t n)
{
    if (n <= t->out_cap)
        return;
    size_t cap = t->out_cap ? t->out_cap : 16;
    while (cap < n)
        cap *= 2;
    t->out = flow_realloc(t->out, t->out_cap * sizeof *t->out, cap * sizeof *t->out);
    t->order = flow_realloc(t->order, t->out_cap * sizeof *t->order, cap * sizeof *t->order);
    t->tmp = flow_realloc(t->tmp, t->out_cap * sizeof *t->tmp, cap * sizeof *t->tmp);
    t->out_cap = cap;
    if (t->items_cap < cap) {
        t->items = flow_realloc(t->items, t->items_cap * sizeof *t->items, cap * sizeof *t->items);
        t->items_cap = cap;
    }
}

/* Sort the N ids in t->out by key, in place. */
static void sort_out(flow_table *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        t->items[i].key = flow_table_key(t, t->out[i]);
        t->items[i].id = t->out[i];
    }
    flowi_sort_by_key(t->items, n, sizeof *t->items, t->order, t->tmp);
    for (size_t i = 0; i < n; i++)
        t->out[i] = t->items[t->order[i]].id;
}

size_t flow_table_due(flow_table *t, flow_time now, const uint32_t **ids)
{
    size_t n = 0;
    while (t->heap_n && heap_time(t, 0) <= now) {
        uint32_t id = t->heap[0];
        reserve_out(t, n + 1);
        t->out[n++] = id;
        heap_remove(t, id);
        t->entries[id].timer = FLOW_NO_TIME;
    }
    sort_out(t, n);
    *ids = t->out;
    return n;
}

size_t flow_table_sorted(flow_table *t, const uint32_t **ids)
{
    if (!t) {   /* a table never created (an instance whose set-up failed) */
        *ids = NULL;
        return 0;
    }
    reserve_out(t, t->count);
    size_t n = 0;
    for (size_t id = 0; id < t->n_ids; id++)
        if (t->entries[id].key)
            t->out[n++] = (uint32_t)id;
    sort_out(t, n);
    *ids = t->out;
    return n;
}
