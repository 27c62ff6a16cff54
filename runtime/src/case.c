/*
 * case.c - str.lower() and str.upper() for the language's lower()/upper().
 *
 * ASCII text (the common case) is mapped eight bytes at a time. Other code
 * points are looked up in tables generated from CPython (unicode.c), so
 * the result is Python's full case mapping ('ß'.upper() == 'SS',
 * 'İ'.lower() == 'i̇'), independent of the program's locale and with no
 * global state, 'Σ' lowered to 'ς' at the end of a word as Python does
 * (final_sigma).
 */
#include "internal.h"

/* The mapping of CP in TABLE (N rows), or NULL when CP maps to itself. */
static const flowi_case *find_case(const flowi_case *table, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < table[mid].cp)
            hi = mid;
        else if (cp > table[mid].cp)
            lo = mid + 1;
        else
            return &table[mid];
    }
    return NULL;
}

/* CPython's handle_capital_sigma: the 'Σ' at P[I..I+LEN) (of N bytes)
 * lowers to 'ς' when a cased letter comes before it and none after it,
 * case-ignorable code points (apostrophes, combining marks, ...) skipped
 * on both sides. */
static bool final_sigma(const unsigned char *p, size_t n, size_t i, size_t len)
{
    uint32_t cp = 0;
    size_t j = i;
    do {
        if (j == 0)
            return false;
        size_t k = j - 1;
        while (k > 0 && (p[k] & 0xC0) == 0x80)
            k--;
        int l;
        cp = flowi_utf8_decode(p + k, j - k, &l);
        j = k;
    } while (flowi_in_ranges(flowi_case_ignorable, flowi_case_ignorable_count, cp));
    if (!flowi_in_ranges(flowi_cased, flowi_cased_count, cp))
        return false;
    for (j = i + len; j < n;) {
        int l;
        cp = flowi_utf8_decode(p + j, n - j, &l);
        j += (size_t)l;
        if (!flowi_in_ranges(flowi_case_ignorable, flowi_case_ignorable_count, cp))
            return !flowi_in_ranges(flowi_cased, flowi_cased_count, cp);
    }
    return true;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGH UINT64_C(0x8080808080808080)

/* Eight ASCII bytes (no high bit) with the letters FIRST..FIRST+25
 * flipped in case: adding 0x80 - FIRST sets a byte's high bit iff the
 * byte >= FIRST, adding 0x80 - (FIRST + 26) iff it is past the range
 * (no carry crosses a byte, since every byte is below 0x80). */
static inline uint64_t flip8(uint64_t w, unsigned first)
{
    uint64_t ge = w + ONES * (0x80 - first);
    uint64_t past = w + ONES * (0x80 - (first + 26));
    return w ^ (((ge & ~past) & HIGH) >> 2);
}

/* The mapping of P[I..N) (P[0..I) is already in D[0..I), which has room
 * for N bytes only) once a byte >= 0x80 is found at or after I: the
 * general loop, into a new buffer of 3N bytes (a mapping is at most three
 * times as long as its source, checked by the generator). */
static flow_str map_case_slow(flow_arena *a, const unsigned char *p, size_t n, size_t i, const char *done,
                              bool upper)
{
    unsigned first = upper ? 'a' : 'A';
    char *d = flow_arena_alloc(a, 3 * n);
    memcpy(d, done, i);
    const flowi_case *table = upper ? flowi_upper : flowi_lower;
    size_t rows = upper ? flowi_upper_count : flowi_lower_count;
    size_t o = i;
    while (i < n) {
        uint64_t w;
        if (i + 8 <= n && (memcpy(&w, p + i, 8), !(w & HIGH))) {
            w = flip8(w, first);
            memcpy(d + o, &w, 8);
            i += 8;
            o += 8;
            continue;
        }
        if (i + 8 > n && n >= 8 && (memcpy(&w, p + n - 8, 8), !(w & HIGH))) {
            /* an ASCII tail: map the last 8 bytes at once (the overlap with
             * what is done maps the same source bytes to the same bytes) */
            w = flip8(w, first);
            memcpy(d + o - (i - (n - 8)), &w, 8);
            o += n - i;
            break;
        }
        if (p[i] < 0x80) {
            d[o++] = (char)(p[i] ^ (((unsigned char)(p[i] - first) < 26) << 5));
            i++;
            continue;
        }
        if (p[i] == 0xE2 && i + 3 <= n && (p[i + 1] & 0xFC) == 0x80 && (p[i + 2] & 0xC0) == 0x80) {
            /* U+2000..U+20FF (punctuation such as U+2019 RIGHT SINGLE
             * QUOTATION MARK, super- and subscripts, currency signs): no
             * code point there has a case mapping */
            memcpy(d + o, p + i, 3);
            o += 3;
            i += 3;
            continue;
        }
        int len;
        uint32_t cp = flowi_utf8_decode(p + i, n - i, &len);
        const flowi_case *m = len > 1 ? find_case(table, rows, cp) : NULL;
        if (cp == 0x3A3 && !upper && final_sigma(p, n, i, (size_t)len)) {
            memcpy(d + o, "\xcf\x82", 2);   /* U+03C2 GREEK SMALL LETTER FINAL SIGMA */
            o += 2;
        } else if (m) {
            memcpy(d + o, flowi_case_pool + m->off, m->len);
            o += m->len;
        } else {
            memcpy(d + o, p + i, (size_t)len);    /* unchanged, or not UTF-8 */
            o += (size_t)len;
        }
        i += (size_t)len;
    }
    return (flow_str){ d, (int64_t)o };
}

/* One pass for ASCII text (most lines): eight bytes at a time into a
 * buffer of N bytes, the last (partial) word as the overlapping last 8
 * bytes; the first word with a byte >= 0x80 hands over to map_case_slow
 * with what is mapped so far. Inline, so FIRST is a constant. */
static inline flow_str map_case(flow_arena *a, flow_str s, bool upper)
{
    if (s.n == 0)
        return (flow_str){ "", 0 };
    size_t n = (size_t)s.n, i = 0;
    const unsigned char *p = (const unsigned char *)s.p;
    unsigned first = upper ? 'a' : 'A';
    char *d = flow_arena_alloc(a, n);
    uint64_t w;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        if (w & HIGH)
            return map_case_slow(a, p, n, i, d, upper);
        w = flip8(w, first);
        memcpy(d + i, &w, 8);
    }
    if (i == n)
        return (flow_str){ d, (int64_t)n };
    if (n >= 8) {
        memcpy(&w, p + n - 8, 8);
        if (w & HIGH)
            return map_case_slow(a, p, n, i, d, upper);
        w = flip8(w, first);
        memcpy(d + n - 8, &w, 8);
        return (flow_str){ d, (int64_t)n };
    }
    for (; i < n; i++) {
        if (p[i] >= 0x80)
            return map_case_slow(a, p, n, i, d, upper);
        d[i] = (char)(p[i] ^ (((unsigned char)(p[i] - first) < 26) << 5));
    }
    return (flow_str){ d, (int64_t)n };
}

flow_str flow_str_lower(flow_arena *a, flow_str s)
{
    return map_case(a, s, false);
}

flow_str flow_str_upper(flow_arena *a, flow_str s)
{
    return map_case(a, s, true);
}
