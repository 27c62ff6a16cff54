/*
 * sort.c - stable sort of a round's items by their string key, which every
 * stateful step uses to apply items grouped by key in ascending byte order
 * (LANGUAGE.md section 10). The table (table.c) sorts due timers and live
 * keys with the same routine.
 *
 * Each item becomes (prefix, length, index): the key's first 8 bytes as a
 * big-endian number padded with zero bytes, and its length capped at 9.
 * Ordering by (prefix, capped length) is bytewise order except among keys
 * longer than 8 bytes with the same prefix: when two prefixes differ at
 * byte j, either both keys have a byte there (it decides) or the shorter
 * key ended before j, so it is a prefix of the longer one, which it
 * precedes, and its padding 0 is below the other's byte (a real 0 byte
 * makes the prefixes equal there); with equal prefixes a key of at most
 * 8 bytes is a prefix of every longer one. So: a stable MSD radix sort
 * by (prefix, length), each bucket on its most significant varying byte
 * (insertion sort for small buckets), then each run of equal prefixes
 * among keys longer than 8 bytes merge-sorted by the whole key.
 */
#include "internal.h"

#define RUN 16
#define SMALL 24      /* insertion sort up to here */
#define STACK 1024    /* keys sorted in stack memory (a source's default batch is 1000) */

static flow_str key_of(const char *items, size_t stride, uint32_t i)
{
    flow_str k;
    memcpy(&k, items + (size_t)i * stride, sizeof k);
    return k;
}

/* The W (4 or 8) bytes at P as a big-endian number: compares as they do. */
static inline uint64_t load_be(const char *p, size_t w)
{
    if (w == 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        return __builtin_bswap64(v);
    }
    uint32_t v;
    memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}

/* flow_str_cmp's sign without calls for keys of 4..16 common bytes: the
 * first word, and when it is equal the last (which may overlap it), decide
 * the common bytes. */
static inline int key_cmp(flow_str a, flow_str b)
{
    size_t m = (size_t)(a.n < b.n ? a.n : b.n);
    if (m < 4 || m > 16)
        return flow_str_cmp(a, b);
    size_t w = m >= 8 ? 8 : 4;
    uint64_t x = load_be(a.p, w), y = load_be(b.p, w);
    if (x == y) {
        x = load_be(a.p + m - w, w);
        y = load_be(b.p + m - w, w);
    }
    if (x != y)
        return x < y ? -1 : 1;
    return (a.n > b.n) - (a.n < b.n);
}

static int cmp_idx(const char *items, size_t stride, uint32_t a, uint32_t b)
{
    return key_cmp(key_of(items, stride, a), key_of(items, stride, b));
}

/* Stable merge sort of the N indices IDX (items in arrival order) by the
 * whole key: insertion-sorted runs of RUN, then merge passes through TMP. */
static void merge_sort(const char *items, size_t stride, uint32_t *idx, size_t n, uint32_t *tmp)
{
    for (size_t lo = 0; lo < n; lo += RUN) {
        size_t hi = lo + RUN < n ? lo + RUN : n;
        for (size_t i = lo + 1; i < hi; i++) {
            uint32_t v = idx[i];
            size_t j = i;
            while (j > lo && cmp_idx(items, stride, idx[j - 1], v) > 0) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = v;
        }
    }
    uint32_t *src = idx, *dst = tmp;
    for (size_t width = RUN; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)    /* <= keeps equal keys in order */
                dst[k++] = cmp_idx(items, stride, src[i], src[j]) <= 0 ? src[i++] : src[j++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != idx)
        memcpy(idx, src, n * sizeof *idx);
}

/* One item's sort key: the zero-padded big-endian prefix, then the length
 * capped at 9, then the index (arrival order). */
typedef struct skey {
    uint64_t pre;
    uint32_t len;
    uint32_t i;
} skey;

/* The first min(N, 8) bytes at P, big-endian, padded with zero bytes. */
static inline uint64_t prefix(const char *p, size_t n)
{
    if (n >= 8)
        return load_be(p, 8);
    if (n >= 4)    /* two overlapping words: the overlap is the same bytes */
        return load_be(p, 4) << 32 | load_be(p + n - 4, 4) << (8 * (8 - n));
    uint64_t v = 0;
    for (size_t j = 0; j < n; j++)
        v |= (uint64_t)(unsigned char)p[j] << (56 - 8 * j);
    return v;
}

static inline bool skey_gt(const skey *a, const skey *b)
{
    return a->pre > b->pre || (a->pre == b->pre && a->len > b->len);
}

/* Digit D of K: 8..1 the prefix bytes, most significant first, 0 the
 * capped length. */
static inline unsigned digit(const skey *k, int d)
{
    return d == 0 ? k->len : (unsigned)(k->pre >> (8 * (d - 1))) & 0xff;
}

/* Stable sort of A (N keys) by (pre, len), B scratch of N: MSD radix on
 * the most significant digit that varies, each bucket again, small ones
 * by insertion. POS: 256 zeros, left zeroed. */
static void sort_skeys(skey *a, skey *b, size_t n, size_t *pos)
{
    if (n <= SMALL) {
        for (size_t i = 1; i < n; i++) {
            skey v = a[i];
            size_t j = i;
            while (j > 0 && skey_gt(&a[j - 1], &v)) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = v;
        }
        return;
    }
    uint64_t vary = 0;
    bool lens = false;
    for (size_t i = 1; i < n; i++) {
        vary |= a[i].pre ^ a[0].pre;
        lens |= a[i].len != a[0].len;
    }
    if (!vary && !lens)
        return;    /* one key */
    int d = vary ? 8 - __builtin_clzll(vary) / 8 : 0;
    unsigned lo = 255, hi = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v = digit(&a[i], d);
        pos[v]++;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    size_t sum = 0;
    for (unsigned v = lo; v <= hi; v++) {
        size_t c = pos[v];
        pos[v] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++)
        b[pos[digit(&a[i], d)]++] = a[i];
    memcpy(a, b, n * sizeof *a);
    /* pos[v] is now the end of bucket v */
    size_t ends[256], start = 0;
    for (unsigned v = lo; v <= hi; v++) {
        ends[v] = pos[v];
        pos[v] = 0;
    }
    for (unsigned v = lo; v <= hi; v++) {
        if (ends[v] - start > 1)
            sort_skeys(a + start, b + start, ends[v] - start, pos);
        start = ends[v];
    }
}

void flowi_sort_by_key(const void *items_, size_t n, size_t stride, uint32_t *order,
                       uint32_t *tmp)
{
    const char *items = items_;
    if (n < 2) {
        if (n)
            order[0] = 0;
        return;
    }
    skey stack[2 * STACK];
    skey *a = n <= STACK ? stack : flow_alloc(2 * n * sizeof *a);
    bool longer = false;
    for (size_t i = 0; i < n; i++) {
        flow_str k = key_of(items, stride, (uint32_t)i);
        size_t len = (size_t)k.n;
        a[i].pre = prefix(k.p, len);
        a[i].len = len > 8 ? 9 : (uint32_t)len;
        a[i].i = (uint32_t)i;
        longer |= len > 8;
    }
    size_t pos[256] = { 0 };
    sort_skeys(a, a + n, n, pos);
    skey *s = a;
    for (size_t i = 0; i < n; i++)
        order[i] = s[i].i;
    /* keys longer than 8 bytes with one prefix: by the rest, stably */
    for (size_t i = 0; longer && i < n;) {
        size_t j = i + 1;
        if (s[i].len == 9)
            while (j < n && s[j].len == 9 && s[j].pre == s[i].pre)
                j++;
        if (j - i > 1) {
            uint32_t *t = tmp ? tmp : flow_alloc((j - i) * sizeof *t);
            merge_sort(items, stride, order + i, j - i, t);
            if (t != tmp)
                flow_free(t, (j - i) * sizeof *t);
        }
        i = j;
    }
    if (a != stack)
        flow_free(a, 2 * n * sizeof *a);
}

void flow_sort_by_key(const void *items, size_t n, size_t stride, uint32_t *order)
{
    flowi_sort_by_key(items, n, stride, order, NULL);
}

/* ---- sorted(): a stable merge sort of any values ------------------------ */

/* Merge the sorted runs A[0..NA) and B[0..NB) (SIZE-byte values) into OUT,
 * taking from A on ties (stability). */
static void merge_runs(const char *a, size_t na, const char *b, size_t nb, char *out, size_t size,
                       int (*cmp)(const void *, const void *))
{
    while (na && nb) {
        if (cmp(b, a) < 0) {
            memcpy(out, b, size);
            b += size;
            nb--;
        } else {
            memcpy(out, a, size);
            a += size;
            na--;
        }
        out += size;
    }
    memcpy(out, a, na * size);
    memcpy(out + na * size, b, nb * size);
}

void flow_sort_values(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *), flow_arena *a)
{
    if (n < 2)
        return;
    char *v = base;
    /* insertion sort of runs of RUN values, then bottom-up merges through
     * a scratch copy in A */
    char *tmp = flow_arena_alloc(a, size);
    for (size_t lo = 0; lo < n; lo += RUN) {
        size_t hi = lo + RUN < n ? lo + RUN : n;
        for (size_t i = lo + 1; i < hi; i++) {
            size_t j = i;
            memcpy(tmp, v + i * size, size);
            while (j > lo && cmp(tmp, v + (j - 1) * size) < 0) {
                memcpy(v + j * size, v + (j - 1) * size, size);
                j--;
            }
            memcpy(v + j * size, tmp, size);
        }
    }
    if (n <= RUN)
        return;
    char *buf = flow_arena_alloc(a, n * size), *src = v, *dst = buf;
    for (size_t w = RUN; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            merge_runs(src + lo * size, mid - lo, src + mid * size, hi - mid, dst + lo * size, size, cmp);
        }
        char *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * size);
}
