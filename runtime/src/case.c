/*
 * case.c - str.lower() and str.upper() for the language's lower()/upper().
 *
 * ASCII strings (the common case) are mapped byte by byte. Other code
 * points are looked up in tables generated from CPython (unicode.c), so
 * the result is Python's full case mapping ('ß'.upper() == 'SS',
 * 'İ'.lower() == 'i̇'), independent of the program's locale and with no
 * global state. One deliberate simplification: Python lowers a word-final
 * 'Σ' to 'ς'; here it is always 'σ'.
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

static flow_str map_case(flow_arena *a, flow_str s, bool upper)
{
    if (s.n == 0)
        return (flow_str){ "", 0 };
    size_t n = (size_t)s.n;
    const unsigned char *p = (const unsigned char *)s.p;
    char lo = upper ? 'a' : 'A', hi = upper ? 'z' : 'Z';
    /* A mapping is at most three times as long as its source (checked by
     * the generator), so 3n bytes always suffice. */
    unsigned char any = 0;
    for (size_t i = 0; i < n; i++)
        any |= p[i];
    bool ascii = any < 0x80;
    char *d = flow_arena_alloc(a, ascii ? n : 3 * n);
    if (ascii) {
        /* branch-free, vectorisable: flip bit 5 of the letters to map */
        unsigned char first = (unsigned char)lo;
        for (size_t i = 0; i < n; i++)
            d[i] = (char)(p[i] ^ (((unsigned char)(p[i] - first) < 26) << 5));
        return (flow_str){ d, (int64_t)n };
    }
    const flowi_case *table = upper ? flowi_upper : flowi_lower;
    size_t rows = upper ? flowi_upper_count : flowi_lower_count;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char c = (char)p[i];
        if (p[i] < 0x80) {
            d[o++] = (c >= lo && c <= hi) ? (char)(c ^ 0x20) : c;
            i++;
            continue;
        }
        int len;
        uint32_t cp = flowi_utf8_decode(p + i, n - i, &len);
        const flowi_case *m = len > 1 ? find_case(table, rows, cp) : NULL;
        if (m) {
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

flow_str flow_str_lower(flow_arena *a, flow_str s)
{
    return map_case(a, s, false);
}

flow_str flow_str_upper(flow_arena *a, flow_str s)
{
    return map_case(a, s, true);
}
