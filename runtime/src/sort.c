/*
 * sort.c - stable sort of a round's items by their string key, which every
 * stateful step uses to apply items grouped by key in ascending byte order
 * (LANGUAGE.md section 10). The table (table.c) sorts due timers and live
 * keys with the same routine.
 *
 * Bottom-up merge sort on item indices: insertion-sorted runs of RUN
 * items, then merge passes alternating between ORDER and a scratch array.
 */
#include "internal.h"

#define RUN 16

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

void flowi_sort_by_key(const void *items_, size_t n, size_t stride, uint32_t *order,
                       uint32_t *tmp)
{
    const char *items = items_;
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    for (size_t lo = 0; lo < n; lo += RUN) {
        size_t hi = lo + RUN < n ? lo + RUN : n;
        for (size_t i = lo + 1; i < hi; i++) {
            uint32_t v = order[i];
            size_t j = i;
            while (j > lo && cmp_idx(items, stride, order[j - 1], v) > 0) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = v;
        }
    }
    uint32_t *src = order, *dst = tmp;
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
    if (src != order)
        memcpy(order, src, n * sizeof *order);
}

void flow_sort_by_key(const void *items, size_t n, size_t stride, uint32_t *order)
{
    uint32_t small[256];
    uint32_t *tmp = n <= 256 ? small : flow_alloc(n * sizeof *tmp);
    flowi_sort_by_key(items, n, stride, order, tmp);
    if (tmp != small)
        flow_free(tmp, n * sizeof *tmp);
}
