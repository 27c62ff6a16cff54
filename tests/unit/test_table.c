/*
 * test_table.c - keyed state (table.c) and the key sort (sort.c): insert,
 * find, upsert, remove and id reuse, growth to 100000 keys checked against
 * the expected contents, keys of every length around the layout's
 * thresholds (index-only, inline, heap-copied) with live ids and timers
 * across growth and reuse, timers (set, move, clear, next, due in key
 * order), all ids in key order, and the stability of flow_sort_by_key.
 */
#include "unit.h"

#include <stdlib.h>
#include <sys/mman.h>

typedef struct value {
    int64_t n;
    char pad[20];
} value;

static flow_str key_of(char *buf, int i)
{
    int n = snprintf(buf, 32, "key-%d", i);
    return (flow_str){ buf, n };
}

static void basics(void **state)
{
    (void)state;
    size_t base = flow_mem_in_use();
    flow_table *t = flow_table_new(sizeof(value));
    assert_int_equal(flow_table_count(t), 0);
    assert_int_equal(flow_table_find(t, S("a")), FLOW_NO_ENTRY);
    uint32_t a = flow_table_insert(t, S("a"));
    uint32_t e = flow_table_insert(t, S(""));    /* the empty key is a key */
    bool created = false;
    uint32_t b = flow_table_upsert(t, S("b"), &created);
    assert_true(created);
    assert_int_equal(flow_table_upsert(t, S("a"), &created), a);
    assert_false(created);
    assert_int_equal(flow_table_upsert(t, S("b"), NULL), b);
    assert_int_equal(flow_table_find(t, S("")), e);
    assert_int_equal(flow_table_count(t), 3);
    value *v = flow_table_value(t, a);
    assert_int_equal(v->n, 0);    /* zeroed */
    v->n = 42;
    assert_int_equal(((value *)flow_table_value(t, flow_table_find(t, S("a"))))->n, 42);
    ASSERT_STR(flow_table_key(t, b), "b");

    flow_table_remove(t, a);
    assert_false(flow_table_live(t, a));
    assert_true(flow_table_live(t, b));
    assert_false(flow_table_live(t, 1000));
    assert_int_equal(flow_table_find(t, S("a")), FLOW_NO_ENTRY);
    assert_int_equal(flow_table_count(t), 2);
    uint32_t c = flow_table_insert(t, S("c"));
    assert_int_equal(c, a);    /* the freed id is reused ... */
    assert_int_equal(((value *)flow_table_value(t, c))->n, 0);    /* ... zeroed */
    assert_int_equal(flow_table_find(t, S("b")), b);
    flow_table_free(t, NULL);
    assert_int_equal(flow_mem_in_use(), base);
}

static int dropped;
static void drop(void *v)
{
    dropped += ((value *)v)->n == 7;
}

static void free_drops_live_values(void **state)
{
    (void)state;
    flow_table *t = flow_table_new(sizeof(value));
    for (int i = 0; i < 3; i++) {
        char buf[32];
        ((value *)flow_table_value(t, flow_table_insert(t, key_of(buf, i))))->n = 7;
    }
    flow_table_remove(t, flow_table_find(t, S("key-1")));
    dropped = 0;
    flow_table_free(t, drop);
    assert_int_equal(dropped, 2);
}

static void grow_and_shrink(void **state)
{
    (void)state;
    enum { N = 100000 };
    flow_table *t = flow_table_new(sizeof(int64_t));
    char buf[32];
    for (int i = 0; i < N; i++) {
        uint32_t id = flow_table_insert(t, key_of(buf, i));
        *(int64_t *)flow_table_value(t, id) = i;
    }
    assert_int_equal(flow_table_count(t), N);
    for (int i = 0; i < N; i++) {
        uint32_t id = flow_table_find(t, key_of(buf, i));
        assert_int_not_equal(id, FLOW_NO_ENTRY);
        assert_int_equal(*(int64_t *)flow_table_value(t, id), i);
    }
    /* Remove every odd key: backward-shift deletion must keep the rest findable. */
    for (int i = 1; i < N; i += 2)
        flow_table_remove(t, flow_table_find(t, key_of(buf, i)));
    assert_int_equal(flow_table_count(t), N / 2);
    for (int i = 0; i < N; i++) {
        uint32_t id = flow_table_find(t, key_of(buf, i));
        if (i % 2) {
            assert_int_equal(id, FLOW_NO_ENTRY);
        } else {
            assert_int_not_equal(id, FLOW_NO_ENTRY);
            assert_int_equal(*(int64_t *)flow_table_value(t, id), i);
        }
    }
    /* Reinsert: ids come from the free list, none beyond N are needed. */
    for (int i = 1; i < N; i += 2)
        assert_true(flow_table_insert(t, key_of(buf, i)) < N);
    assert_int_equal(flow_table_count(t), N);
    flow_table_free(t, NULL);
}

/* Keys of every length around the table's thresholds (8 bytes: found in
 * the index alone; 16: stored in the entry; longer: a heap copy), each
 * length's keys differing in one byte at every position, some with NUL
 * bytes: growth with live ids, values and timers, removal, reuse of the
 * freed ids by keys of other lengths, against a model. */
enum { LK_MAX = 4000 };
typedef struct lkey {
    char b[40];
    int n;
    uint32_t id;
    flow_time at;
    bool live;
} lkey;

static flow_str lkey_str(const lkey *k)
{
    return (flow_str){ k->b, k->n };
}

static int make_keys(lkey *k)
{
    static const int lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 40 };
    int n = 0;
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        int len = lens[l], count = len == 0 ? 1 : len * 128 < 300 ? len * 128 : 300;
        assert_true(n + count <= LK_MAX);
        for (int c = 0; c < count; c++, n++) {
            for (int i = 0; i < len; i++)
                k[n].b[i] = i % 5 == 3 ? '\0' : (char)('a' + i % 26);
            if (len)
                k[n].b[c % len] = (char)(128 + c / len);    /* one byte differs */
            k[n].n = len;
            k[n].at = n % 3 == 0 ? (flow_time)(n * 7919 % 1000) : FLOW_NO_TIME;
        }
    }
    return n;
}

static void check_keys(flow_table *t, const lkey *k, int n)
{
    size_t live = 0;
    for (int i = 0; i < n; i++) {
        flow_str key = lkey_str(&k[i]);
        if (!k[i].live) {
            assert_int_equal(flow_table_find(t, key), FLOW_NO_ENTRY);
            continue;
        }
        live++;
        assert_int_equal(flow_table_find(t, key), k[i].id);
        flow_str got = flow_table_key(t, k[i].id);
        assert_int_equal(got.n, k[i].n);
        assert_memory_equal(got.p, k[i].b, (size_t)k[i].n);
        assert_int_equal(*(int64_t *)flow_table_value(t, k[i].id), i);
        assert_int_equal(flow_table_timer(t, k[i].id), k[i].at);
    }
    assert_int_equal(flow_table_count(t), live);
}

static void key_lengths(void **state)
{
    (void)state;
    static lkey k[LK_MAX];
    int n = make_keys(k);
    size_t base = flow_mem_in_use();
    flow_table *t = flow_table_new(sizeof(int64_t));
    for (int i = 0; i < n; i++) {    /* the table grows many times with these live */
        bool created = false;
        k[i].id = flow_table_upsert(t, lkey_str(&k[i]), &created);
        assert_true(created);
        k[i].live = true;
        *(int64_t *)flow_table_value(t, k[i].id) = i;
        flow_table_set_timer(t, k[i].id, k[i].at);
    }
    check_keys(t, k, n);
    for (int i = 0; i < n; i += 2) {
        flow_table_remove(t, k[i].id);
        k[i].live = false;
    }
    check_keys(t, k, n);
    /* Reinserted in reverse order, the freed ids go to keys of other
     * lengths (a heap-copied key's id to an inline one and back). */
    for (int i = n - 1 - (n - 1) % 2; i >= 0; i -= 2) {
        bool created = false;
        k[i].id = flow_table_upsert(t, lkey_str(&k[i]), &created);
        assert_true(created);
        assert_true(k[i].id < (uint32_t)n);    /* from the free list */
        k[i].live = true;
        *(int64_t *)flow_table_value(t, k[i].id) = i;
        flow_table_set_timer(t, k[i].id, k[i].at);
    }
    check_keys(t, k, n);
    /* The due timers come in key order. */
    const uint32_t *ids;
    size_t due = flow_table_due(t, 500, &ids), want = 0;
    for (int i = 0; i < n; i++)
        want += k[i].at != FLOW_NO_TIME && k[i].at <= 500;
    assert_int_equal(due, want);
    for (size_t j = 1; j < due; j++)
        assert_true(flow_str_cmp(flow_table_key(t, ids[j - 1]), flow_table_key(t, ids[j])) < 0);
    flow_table_free(t, NULL);
    assert_int_equal(flow_mem_in_use(), base);    /* every heap key freed */
}

/* Short keys of different lengths may share a hash ("aaaa" and "aaaai"
 * do; see flowi_table_hash): the index tells them apart by length. */
static void short_keys_sharing_a_hash(void **state)
{
    (void)state;
    flow_str a = S("aaaa"), b = S("aaaai");
    if (flowi_table_hash(a) != flowi_table_hash(b))
        skip();    /* a big-endian packing: no such pair here */
    flow_table *t = flow_table_new(sizeof(int64_t));
    uint32_t ia = flow_table_insert(t, a);
    assert_int_equal(flow_table_find(t, b), FLOW_NO_ENTRY);
    uint32_t ib = flow_table_insert(t, b);
    assert_int_not_equal(ia, ib);
    assert_int_equal(flow_table_find(t, a), ia);
    assert_int_equal(flow_table_find(t, b), ib);
    flow_table_remove(t, ia);
    assert_int_equal(flow_table_find(t, a), FLOW_NO_ENTRY);
    assert_int_equal(flow_table_find(t, b), ib);
    flow_table_free(t, NULL);
}

/* The packed hash of keys of up to 8 bytes (flowi_table_hash): it reads
 * no byte past the key (keys ending at a page with no access), and it is
 * injective among keys of one length (every one-byte change of a key
 * changes it), which lets a lookup trust the index alone for them. */
static void short_key_hash(void **state)
{
    (void)state;
    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(m != MAP_FAILED);
    assert_int_equal(mprotect(m + page, (size_t)page, PROT_NONE), 0);
    char *end = m + page;
    for (size_t n = 0; n <= 8; n++) {
        char *k = end - n;
        for (size_t j = 0; j < n; j++)
            k[j] = (char)('a' + j);
        flow_str key = { n ? k : "", (int64_t)n };
        uint64_t h = flowi_table_hash(key);
        assert_true(h == flowi_table_hash((flow_str){ "abcdefgh", (int64_t)n }));
        for (size_t j = 0; j < n; j++) {
            for (int c = 0; c < 256; c++) {
                if (c == 'a' + (int)j)
                    continue;
                k[j] = (char)c;
                if (flowi_table_hash(key) == h)
                    fail_msg("keys of %zu bytes differing at %zu share a hash", n, j);
            }
            k[j] = (char)('a' + j);
        }
    }
    munmap(m, (size_t)page * 2);
}

static void timers(void **state)
{
    (void)state;
    flow_table *t = flow_table_new(0);
    uint32_t c = flow_table_insert(t, S("c"));
    uint32_t a = flow_table_insert(t, S("a"));
    uint32_t b = flow_table_insert(t, S("b"));
    uint32_t d = flow_table_insert(t, S("d"));
    assert_int_equal(flow_table_next_timer(t), FLOW_NO_TIME);
    assert_int_equal(flow_table_timer(t, a), FLOW_NO_TIME);
    flow_table_set_timer(t, c, 10);
    flow_table_set_timer(t, a, 30);
    flow_table_set_timer(t, b, 20);
    flow_table_set_timer(t, d, 5);
    assert_int_equal(flow_table_next_timer(t), 5);
    flow_table_set_timer(t, d, 50);    /* move later */
    flow_table_set_timer(t, a, 1);     /* move earlier */
    assert_int_equal(flow_table_next_timer(t), 1);
    assert_int_equal(flow_table_timer(t, d), 50);
    flow_table_set_timer(t, a, FLOW_NO_TIME);    /* clear */
    assert_int_equal(flow_table_next_timer(t), 10);
    flow_table_set_timer(t, a, 15);

    const uint32_t *ids;
    assert_int_equal(flow_table_due(t, 9, &ids), 0);
    /* due at 20: c (10), a (15), b (20), returned in key order a, b, c */
    size_t n = flow_table_due(t, 20, &ids);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], a);
    assert_int_equal(ids[1], b);
    assert_int_equal(ids[2], c);
    assert_int_equal(flow_table_timer(t, a), FLOW_NO_TIME);    /* fired once */
    assert_int_equal(flow_table_next_timer(t), 50);
    /* Removing an entry removes its timer. */
    flow_table_remove(t, d);
    assert_int_equal(flow_table_next_timer(t), FLOW_NO_TIME);
    assert_int_equal(flow_table_due(t, INT64_MAX, &ids), 0);
    flow_table_free(t, NULL);
}

/* Many timers against a brute-force model. */
static void timers_random(void **state)
{
    (void)state;
    enum { N = 2000 };
    flow_table *t = flow_table_new(0);
    static flow_time model[N];
    char buf[32];
    for (int i = 0; i < N; i++) {
        flow_table_insert(t, key_of(buf, i));
        model[i] = FLOW_NO_TIME;
    }
    unsigned seed = 12345;
    for (int step = 0; step < 20000; step++) {
        seed = seed * 1103515245 + 12345;
        int i = (int)((seed >> 8) % N);
        flow_time at = (seed >> 4) % 7 == 0 ? FLOW_NO_TIME : (flow_time)((seed >> 12) % 100000);
        flow_table_set_timer(t, (uint32_t)i, at);
        model[i] = at;
    }
    flow_time lowest = FLOW_NO_TIME;
    for (int i = 0; i < N; i++)
        if (model[i] != FLOW_NO_TIME && (lowest == FLOW_NO_TIME || model[i] < lowest))
            lowest = model[i];
    assert_int_equal(flow_table_next_timer(t), lowest);
    const uint32_t *ids;
    size_t n = flow_table_due(t, 50000, &ids);
    size_t want = 0;
    for (int i = 0; i < N; i++)
        want += model[i] != FLOW_NO_TIME && model[i] <= 50000;
    assert_int_equal(n, want);
    for (size_t k = 0; k < n; k++) {
        assert_true(model[ids[k]] <= 50000 && model[ids[k]] != FLOW_NO_TIME);
        if (k)
            assert_true(flow_str_cmp(flow_table_key(t, ids[k - 1]), flow_table_key(t, ids[k])) < 0);
    }
    assert_true(flow_table_next_timer(t) > 50000 || flow_table_next_timer(t) == FLOW_NO_TIME);
    flow_table_free(t, NULL);
}

static void sorted(void **state)
{
    (void)state;
    flow_table *t = flow_table_new(0);
    const char *keys[] = { "pear", "apple", "", "b", "Banana", "apples", "\xc3\xa9t\xc3\xa9", "z" };
    const char *order[] = { "", "Banana", "apple", "apples", "b", "pear", "z", "\xc3\xa9t\xc3\xa9" };
    for (size_t i = 0; i < 8; i++)
        flow_table_insert(t, S(keys[i]));
    flow_table_remove(t, flow_table_find(t, S("b")));
    const uint32_t *ids;
    size_t n = flow_table_sorted(t, &ids);
    assert_int_equal(n, 7);
    for (size_t i = 0, k = 0; i < 8; i++) {
        if (strcmp(order[i], "b") == 0)
            continue;
        ASSERT_STR(flow_table_key(t, ids[k]), order[i]);
        k++;
    }
    flow_table_free(t, NULL);
}

typedef struct item {
    flow_str key;
    int seq;
} item;

/* Sort N items and check: keys ascending, equal keys in input order. */
static void check_sorted(const item *items, int n, uint32_t *order)
{
    flow_sort_by_key(items, (size_t)n, sizeof *items, order);
    for (int i = 1; i < n; i++) {
        const item *p = &items[order[i - 1]], *q = &items[order[i]];
        int c = flow_str_cmp(p->key, q->key);
        assert_true(c < 0 || (c == 0 && p->seq < q->seq));
    }
}

static void sort_by_key_stable(void **state)
{
    (void)state;
    enum { N = 5000 };    /* beyond the stack scratch and the insertion runs */
    item *items = malloc(N * sizeof *items);
    uint32_t *order = malloc(N * sizeof *order);
    static const char *keys[] = { "b", "a", "c", "aa", "" };
    for (int i = 0; i < N; i++) {
        items[i].key = S(keys[(i * 7 + i / 3) % 5]);
        items[i].seq = i;
    }
    check_sorted(items, N, order);
    flow_sort_by_key(items, 0, sizeof *items, order);    /* empty is fine */
    free(items);
    free(order);
}

/* Keys of 0..20 bytes from a small alphabet with bytes >= 0x80 (the short-key
 * word compares of sort.c) sort as flow_str_cmp says, stably. */
static void sort_by_key_lengths(void **state)
{
    (void)state;
    enum { N = 3000 };
    static const char alpha[] = { 'a', 'b', '\x80', '\xff', '0' };
    item *items = malloc(N * sizeof *items);
    uint32_t *order = malloc(N * sizeof *order);
    char *buf = malloc(N * 20);
    uint32_t r = 12345;
    for (int i = 0; i < N; i++) {
        r = r * 1103515245u + 12345u;
        int len = (int)((r >> 16) % 21);
        char *k = buf + (size_t)i * 20;
        for (int j = 0; j < len; j++) {
            r = r * 1103515245u + 12345u;
            /* mostly shared prefixes, so the later words decide */
            k[j] = j < len - 2 && (r >> 20) % 4 ? 'a' : alpha[(r >> 16) % 5];
        }
        items[i].key = (flow_str){ k, len };
        items[i].seq = i;
    }
    check_sorted(items, N, order);
    free(buf);
    free(items);
    free(order);
}

/* Reference: insertion sort of the indices by flow_str_cmp (stable). */
static void ref_sort(const item *items, int n, uint32_t *order)
{
    for (int i = 0; i < n; i++) {
        uint32_t v = (uint32_t)i;
        int j = i;
        while (j > 0 && flow_str_cmp(items[order[j - 1]].key, items[v].key) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
}

/* sort.c's radix sort (over the zero-padded 8-byte prefix and the length)
 * gives the reference's order exactly: random batches of 1..700 keys of
 * 0..24 bytes with zero bytes, shared 8-byte prefixes, constant and varying
 * bytes, equal keys, and in some batches one length only. */
static void sort_by_key_random(void **state)
{
    (void)state;
    enum { MAXN = 700, MAXL = 24 };
    item *items = malloc(MAXN * sizeof *items);
    uint32_t *order = malloc(MAXN * sizeof *order), *want = malloc(MAXN * sizeof *want);
    char *buf = malloc(MAXN * MAXL);
    static const char alpha[] = { 0, 1, 'a', 'b', '\x7f', '\x80', '\xff' };
    uint64_t r = 88172645463325252ull;
#define NEXT() (r ^= r << 13, r ^= r >> 7, r ^= r << 17, r)
    for (int round = 0; round < 400; round++) {
        int n = 1 + (int)(NEXT() % (round % 4 == 0 ? 40 : MAXN));
        int fixed = NEXT() % 3 == 0 ? (int)(NEXT() % (MAXL + 1)) : -1;    /* one length */
        int shared = (int)(NEXT() % 12);                                   /* common head */
        int nalpha = 2 + (int)(NEXT() % 6);
        for (int i = 0; i < n; i++) {
            int len = fixed >= 0 ? fixed : (int)(NEXT() % (MAXL + 1));
            char *k = buf + (size_t)i * MAXL;
            for (int j = 0; j < len; j++)
                k[j] = j < shared ? 'u' : alpha[NEXT() % (unsigned)nalpha];
            items[i].key = (flow_str){ k, len };
            items[i].seq = i;
        }
        ref_sort(items, n, want);
        flow_sort_by_key(items, (size_t)n, sizeof *items, order);
        assert_memory_equal(order, want, (size_t)n * sizeof *order);
    }
#undef NEXT
    free(buf);
    free(items);
    free(order);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sort_by_key_lengths),
        cmocka_unit_test(basics),
        cmocka_unit_test(free_drops_live_values),
        cmocka_unit_test(grow_and_shrink),
        cmocka_unit_test(key_lengths),
        cmocka_unit_test(short_keys_sharing_a_hash),
        cmocka_unit_test(short_key_hash),
        cmocka_unit_test(timers),
        cmocka_unit_test(timers_random),
        cmocka_unit_test(sorted),
        cmocka_unit_test(sort_by_key_stable),
        cmocka_unit_test(sort_by_key_random),
    };
    return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
