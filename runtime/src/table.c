/*
 * table.c - keyed state for stateful steps: a hash table from key strings
 * to fixed-size value slots, each entry with at most one pending timer.
 *
 * Layout:
 * - entries[]: one record per id (the key: up to 16 bytes in the entry
 *   itself, longer ones in a heap copy; timer, heap position); removed ids
 *   go on a free list and are reused. values[] runs parallel to it,
 *   VALUE_SIZE bytes per id.
 * - index[]: open addressing with linear probing over (full hash, id, key
 *   length), at most half full; removal shifts the following cluster back,
 *   so there are no tombstones and lookups stay short however many keys
 *   come and go. (Three quarters full, a lookup of one of 10,000 keys
 *   probed 1.8 slots on average and the probe loop's branch went wrong on
 *   0.6 lookups in 1; half full, 0.3.) A key
 *   of up to 8 bytes is found in the index alone (its hash is the key
 *   itself, mixed: see flowi_table_hash), so a lookup of a key seen before
 *   reads one slot and then the value; a longer key is then compared with
 *   the entry's copy.
 * - heap[]: an indexed binary min-heap of the ids whose timer is set; each
 *   entry knows its heap position, so setting, moving and clearing a timer
 *   are O(log n) and the heap never holds stale entries.
 */
#include "internal.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#define NO_POS UINT32_MAX

/* recovery's flags of an id (struct flow_table's dirty; "recovery: dirty
 * tracking" below) */
enum { D_DIRTY = 1, D_LISTED = 2, D_STORED = 4, D_WRITES = 8 /* two bits: states written since the last GC */ };

/* entry (flowi_table_entry) and slot (flowi_table_slot) are in flowrt_gen.h,
 * with the lookup's hot path (flow_table_upsert inline in generated code) */
typedef flowi_table_entry entry;
typedef flowi_table_slot slot;

struct flow_table {
    struct flow_table_head h;   /* values, value_size, entries, index, mask: read inline by flowrt_gen.h */
    size_t n_ids;        /* ids handed out so far (live + free) */
    size_t cap_ids;
    uint32_t free_head;  /* first free id, or FLOW_NO_ENTRY */
    size_t count;        /* live entries */
    uint32_t *heap;
    size_t heap_n, heap_cap;
    /* scratch for flow_table_due / flow_table_sorted */
    uint32_t *out;       /* the ids handed to the caller */
    uint32_t *order;
    uint32_t *tmp;
    size_t out_cap;      /* capacity of out, order and tmp */
    struct sort_item { flow_str key; uint32_t id; } *items;
    size_t items_cap;
    /* recovery's dirty tracking (dirty non-NULL, "recovery: dirty
     * tracking" below): per id its D_* flags; the ids marked, in order
     * (an id may repeat after removal and reuse: dirty decides), and the
     * keys removed since the last clean that have a row in the store,
     * each as an int64_t length and its bytes */
    uint8_t *dirty;
    uint32_t *dlist;
    size_t dn, dcap;
    flow_buf gone;
    size_t ngone;
    size_t *gone_at;         /* offsets of the removed keys in gone */
    size_t gone_cap;
};

uint64_t flowi_table_hash_long(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}

/* Free E's key copy when it has one (a long key). */
static void free_key(entry *e)
{
    if (e->klen > FLOWI_TABLE_KEY_INLINE)
        flow_free(e->key.heap, (size_t)e->klen);
}

#define hash_key flowi_table_hash

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
    t->h.value_size = value_size;
    t->free_head = FLOW_NO_ENTRY;
    t->h.mask = 15;
    t->h.index = new_index(t->h.mask + 1);
    return t;
}

void flow_table_free(flow_table *t, void (*drop)(void *value))
{
    if (!t)
        return;
    for (size_t id = 0; id < t->n_ids; id++) {
        entry *e = &t->h.entries[id];
        if (e->klen < 0)
            continue;
        if (drop)
            drop(t->h.values + id * t->h.value_size);
        free_key(e);
    }
    flow_free(t->h.entries, t->cap_ids * sizeof *t->h.entries);
    flow_free(t->h.values, t->cap_ids * t->h.value_size);
    flow_free(t->h.index, (t->h.mask + 1) * sizeof *t->h.index);
    flow_free(t->heap, t->heap_cap * sizeof *t->heap);
    flow_free(t->out, t->out_cap * sizeof *t->out);
    flow_free(t->order, t->out_cap * sizeof *t->order);
    flow_free(t->tmp, t->out_cap * sizeof *t->tmp);
    flow_free(t->items, t->items_cap * sizeof *t->items);
    flow_free(t->dirty, t->cap_ids);
    flow_free(t->dlist, t->dcap * sizeof *t->dlist);
    flow_free(t->gone_at, t->gone_cap * sizeof *t->gone_at);
    flow_buf_free(&t->gone);
    flow_free(t, sizeof *t);
}

size_t flow_table_count(const flow_table *t)
{
    return t->count;
}

bool flow_table_live(const flow_table *t, uint32_t id)
{
    return id < t->n_ids && t->h.entries[id].klen >= 0;
}

void *(flow_table_value)(flow_table *t, uint32_t id)
{
    return flow_table_value(t, id);
}

flow_str flow_table_key(const flow_table *t, uint32_t id)
{
    const entry *e = &t->h.entries[id];
    return (flow_str){ flowi_table_entry_key(e), e->klen };
}

/* ---- index ------------------------------------------------------------- */

static inline uint64_t entry_hash(const flow_table *t, uint32_t id)
{
    return hash_key(flow_table_key(t, id));
}

static void index_put(slot *ix, size_t mask, slot s)
{
    size_t i = s.hash & mask;
    while (ix[i].id != FLOW_NO_ENTRY)
        i = (i + 1) & mask;
    ix[i] = s;
}

static void index_grow(flow_table *t)
{
    size_t cap = (t->h.mask + 1) * 2;
    slot *ix = new_index(cap);
    for (size_t i = 0; i <= t->h.mask; i++)
        if (t->h.index[i].id != FLOW_NO_ENTRY)
            index_put(ix, cap - 1, t->h.index[i]);
    flow_free(t->h.index, (t->h.mask + 1) * sizeof *t->h.index);
    t->h.index = ix;
    t->h.mask = cap - 1;
}

/* Remove ID's slot, shifting later members of its cluster back. */
static void index_del(flow_table *t, uint32_t id)
{
    size_t i = entry_hash(t, id) & t->h.mask;
    while (t->h.index[i].id != id)
        i = (i + 1) & t->h.mask;
    for (size_t j = (i + 1) & t->h.mask;; j = (j + 1) & t->h.mask) {
        if (t->h.index[j].id == FLOW_NO_ENTRY)
            break;
        size_t home = t->h.index[j].hash & t->h.mask;
        /* Slot j may move to i iff its home is not in (i, j] cyclically. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->h.index[i] = t->h.index[j];
            i = j;
        }
    }
    t->h.index[i].id = FLOW_NO_ENTRY;
}

static uint32_t lookup_cold(flow_table *t, flow_str key, uint64_t h);
static void mark(flow_table *t, uint32_t id);
static void mark_listed(flow_table *t, uint32_t id);

uint32_t flow_table_find(flow_table *t, flow_str key)
{
    uint64_t h = hash_key(key);
    uint32_t id = flowi_table_lookup(&t->h, key, h);
    if (id == FLOW_NO_ENTRY && t->dirty && (id = lookup_cold(t, key, h)) != FLOW_NO_ENTRY)
        mark(t, id);
    return id;
}

uint32_t flow_table_peek(flow_table *t, flow_str key)
{
    uint64_t h = hash_key(key);
    uint32_t id = flowi_table_lookup(&t->h, key, h);
    return id == FLOW_NO_ENTRY && t->dirty ? lookup_cold(t, key, h) : id;
}

static uint32_t insert_hashed(flow_table *t, flow_str key, uint64_t h)
{
    if ((t->count + 1) * 2 > t->h.mask + 1)    /* at most half full */
        index_grow(t);
    uint32_t id;
    if (t->free_head != FLOW_NO_ENTRY) {
        id = t->free_head;
        t->free_head = t->h.entries[id].next_free;
    } else {
        if (t->n_ids == t->cap_ids) {
            size_t cap = t->cap_ids ? t->cap_ids * 2 : 16;
            t->h.entries = flow_realloc(t->h.entries, t->cap_ids * sizeof *t->h.entries,
                                      cap * sizeof *t->h.entries);
            t->h.values = flow_realloc(t->h.values, t->cap_ids * t->h.value_size,
                                     cap * t->h.value_size);
            if (t->dirty) {
                t->dirty = flow_realloc(t->dirty, t->cap_ids, cap);
                memset(t->dirty + t->cap_ids, 0, cap - t->cap_ids);
            }
            t->cap_ids = cap;
        }
        id = (uint32_t)t->n_ids++;
    }
    entry *e = &t->h.entries[id];
    if (key.n > FLOWI_TABLE_KEY_INLINE) {
        e->key.heap = flow_alloc((size_t)key.n);
        memcpy(e->key.heap, key.p, (size_t)key.n);
    } else if (key.n) {
        memcpy(e->key.in, key.p, (size_t)key.n);
    }
    e->klen = key.n;
    e->timer = FLOW_NO_TIME;
    e->heap_pos = NO_POS;
    e->next_free = FLOW_NO_ENTRY;
    if (t->h.value_size)
        memset(t->h.values + (size_t)id * t->h.value_size, 0, t->h.value_size);
    index_put(t->h.index, t->h.mask, (slot){ .hash = h, .id = id, .klen = flowi_table_slot_klen(key.n) });
    t->count++;
    if (t->dirty)
        mark_listed(t, id);    /* (its slot is new: warm) */
    return id;
}

uint32_t flow_table_insert(flow_table *t, flow_str key)
{
    return insert_hashed(t, key, hash_key(key));
}

uint32_t flowi_table_upsert_new(flow_table *t, flow_str key, uint64_t h, bool *created)
{
    if (t->dirty) {    /* the key may be there, cold: its first touch this epoch */
        uint32_t id = lookup_cold(t, key, h);
        if (id != FLOW_NO_ENTRY) {
            mark(t, id);
            if (created)
                *created = false;
            return id;
        }
    }
    if (created)
        *created = true;
    return insert_hashed(t, key, h);
}

uint32_t (flow_table_upsert)(flow_table *t, flow_str key, bool *created)
{
    return flow_table_upsert(t, key, created);   /* flowrt_gen.h's inline one */
}

/* ---- timer heap -------------------------------------------------------- */

static flow_time heap_time(const flow_table *t, size_t pos)
{
    return t->h.entries[t->heap[pos]].timer;
}

static void heap_place(flow_table *t, size_t pos, uint32_t id)
{
    t->heap[pos] = id;
    t->h.entries[id].heap_pos = (uint32_t)pos;
}

static void sift_up(flow_table *t, size_t pos)
{
    uint32_t id = t->heap[pos];
    flow_time at = t->h.entries[id].timer;
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
    flow_time at = t->h.entries[id].timer;
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
    size_t pos = t->h.entries[id].heap_pos;
    t->h.entries[id].heap_pos = NO_POS;
    t->heap_n--;
    if (pos == t->heap_n)
        return;
    uint32_t moved = t->heap[t->heap_n];
    heap_place(t, pos, moved);
    sift_up(t, pos);
    sift_down(t, t->h.entries[moved].heap_pos);
}

void flow_table_set_timer(flow_table *t, uint32_t id, flow_time at)
{
    entry *e = &t->h.entries[id];
    mark(t, id);
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
    return t->h.entries[id].timer;
}

flow_time flow_table_next_timer(const flow_table *t)
{
    return t->heap_n ? heap_time(t, 0) : FLOW_NO_TIME;
}

void flow_table_remove(flow_table *t, uint32_t id)
{
    entry *e = &t->h.entries[id];
    if (t->dirty && (t->dirty[id] & D_STORED)) {    /* a key never stored needs no NULL row */
        if (t->ngone == t->gone_cap)
            flow_vec_grow((void **)&t->gone_at, &t->gone_cap, sizeof *t->gone_at, t->ngone + 1);
        t->gone_at[t->ngone++] = t->gone.n;
        int64_t n = e->klen;
        flow_buf_put(&t->gone, (const char *)&n, sizeof n);
        flow_buf_put(&t->gone, flowi_table_entry_key(e), (size_t)n);
    }
    if (t->dirty)
        t->dirty[id] = 0;
    if (e->heap_pos != NO_POS)
        heap_remove(t, id);
    index_del(t, id);
    free_key(e);
    e->klen = -1;
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
        t->h.entries[id].timer = FLOW_NO_TIME;
        mark(t, id);
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
        if (t->h.entries[id].klen >= 0) {
            t->out[n++] = (uint32_t)id;
            mark(t, (uint32_t)id);
        }
    sort_out(t, n);
    *ids = t->out;
    return n;
}

/* ---- recovery: dirty tracking ------------------------------------------
 *
 * A snapshot writes the keys touched since the last one, so the table
 * must know them, at no cost to a program run without recovery and
 * little to one with it: flow_table_upsert's inline path (generated code,
 * once per item) is the same as without tracking. Instead, a tracked
 * table keeps the index slots of its clean keys *cold*: their key length
 * has COLD flipped, a length no key of up to 8 bytes has, so the inline
 * lookup (which for such keys trusts the slot alone) misses them, and a
 * longer key's miss is certain since the entry's own length then differs.
 * The miss takes the out-of-line path (flowi_table_upsert_new), which
 * finds the cold key, marks it dirty and warms its slot: the first touch
 * of a key in an epoch costs one call and a second probe, every later
 * touch nothing. flow_table_clean cools the slots of the keys it forgets.
 * Homes are computed from the hash, so a cold slot probes, moves and
 * grows as any other. Invariant while tracked: a live key's slot is warm
 * iff D_DIRTY is set.
 *
 * D_STORED: the key's newest row in the store holds a state (it was
 * loaded, or written by a snapshot: flow_table_wrote). A key removed
 * without one needs no NULL row, so a key that comes and goes within an
 * epoch (a tumbling window's key whose windows all closed) costs the
 * snapshot nothing. D_WRITES counts the states written since the key's
 * rows were last garbage-collected (flow_table_wrote asks for GC every
 * fourth).
 */

#define COLD UINT32_C(0x80000000)

/* The slot holding id ID. */
static slot *slot_of(flow_table *t, uint32_t id)
{
    size_t i = entry_hash(t, id) & t->h.mask;
    while (t->h.index[i].id != id)
        i = (i + 1) & t->h.mask;
    return &t->h.index[i];
}

/* KEY (hash H) in a slot warm or cold, or FLOW_NO_ENTRY. */
static uint32_t lookup_cold(flow_table *t, flow_str key, uint64_t h)
{
    for (size_t i = h & t->h.mask;; i = (i + 1) & t->h.mask) {
        const slot *s = &t->h.index[i];
        if (s->id == FLOW_NO_ENTRY)
            return FLOW_NO_ENTRY;
        const entry *e = &t->h.entries[s->id];
        if (s->hash == h && e->klen == key.n && memcmp(flowi_table_entry_key(e), key.p, (size_t)key.n) == 0)
            return s->id;
    }
}

/* Dirty live ID listed (its slot already warm). */
static void mark_listed(flow_table *t, uint32_t id)
{
    t->dirty[id] |= D_DIRTY;
    if (t->dn == t->dcap)
        flow_vec_grow((void **)&t->dlist, &t->dcap, sizeof *t->dlist, t->dn + 1);
    t->dlist[t->dn++] = id;
}

/* Live ID touched: dirty, its slot warm (nothing when untracked or
 * already dirty). */
static void mark(flow_table *t, uint32_t id)
{
    if (!t->dirty || (t->dirty[id] & D_DIRTY))
        return;
    mark_listed(t, id);
    slot_of(t, id)->klen = flowi_table_slot_klen(t->h.entries[id].klen);
}

void flow_table_track(flow_table *t)
{
    if (t->dirty)
        return;
    if (!t->cap_ids) {   /* dirty has cap_ids bytes: give the table its first ids */
        t->h.entries = flow_realloc(t->h.entries, 0, 16 * sizeof *t->h.entries);
        t->h.values = flow_realloc(t->h.values, 0, 16 * t->h.value_size);
        t->cap_ids = 16;
    }
    t->dirty = flow_alloc(t->cap_ids);
    memset(t->dirty, 0, t->cap_ids);
    for (size_t i = 0; i <= t->h.mask; i++) {   /* every key loaded (stored) and clean: cold */
        uint32_t id = t->h.index[i].id;
        if (id != FLOW_NO_ENTRY) {
            t->h.index[i].klen = flowi_table_slot_klen(t->h.entries[id].klen) ^ COLD;
            t->dirty[id] = D_STORED;
        }
    }
}

size_t flow_table_dirty(flow_table *t, const uint32_t **ids)
{
    size_t n = 0;
    for (size_t i = 0; i < t->dn; i++) {
        uint32_t id = t->dlist[i];
        if ((t->dirty[id] & (D_DIRTY | D_LISTED)) == D_DIRTY && t->h.entries[id].klen >= 0) {
            t->dirty[id] |= D_LISTED;    /* a repeat of it is skipped */
            t->dlist[n++] = id;
        }
    }
    for (size_t i = 0; i < n; i++)
        t->dirty[t->dlist[i]] &= (uint8_t)~D_LISTED;
    t->dn = n;
    *ids = t->dlist;
    return n;
}

size_t flow_table_gone_count(const flow_table *t)
{
    return t->ngone;
}

flow_str flow_table_gone_key(const flow_table *t, size_t i)
{
    const char *p = t->gone.p + t->gone_at[i];
    int64_t n;
    memcpy(&n, p, sizeof n);
    return (flow_str){ p + sizeof n, n };
}

bool flow_table_has_row(const flow_table *t, uint32_t id)
{
    return t->dirty && (t->dirty[id] & D_STORED);
}

bool flow_table_wrote(flow_table *t, uint32_t id, bool state)
{
    uint8_t f = t->dirty[id];
    unsigned n = (f / D_WRITES) & 3;
    if (!state) {
        t->dirty[id] = (uint8_t)(f & ~(D_STORED | 3 * D_WRITES));
        return true;
    }
    n = (n + 1) & 3;    /* every 4th state written: GC */
    t->dirty[id] = (uint8_t)((f & ~(3 * D_WRITES)) | D_STORED | n * D_WRITES);
    return n == 0;
}

void flow_table_clean(flow_table *t)
{
    for (size_t i = 0; i < t->dn; i++) {
        uint32_t id = t->dlist[i];
        if (!(t->dirty[id] & D_DIRTY))
            continue;    /* removed, or listed twice */
        t->dirty[id] &= (uint8_t)~D_DIRTY;
        if (t->h.entries[id].klen >= 0)
            slot_of(t, id)->klen = flowi_table_slot_klen(t->h.entries[id].klen) ^ COLD;
    }
    t->dn = 0;
    t->ngone = 0;
    t->gone.n = 0;
}
