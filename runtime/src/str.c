/*
 * str.c - the language's string built-ins as Python str methods: compare,
 * copy, concatenate, strip, split, starts/ends-with, contains, replace and
 * code-point substrings. Results live in the caller's round arena (see
 * mem.c); case mapping is in case.c, number conversions in num.c, repr in
 * repr.c.
 */
#include "internal.h"

int flow_str_cmp(flow_str a, flow_str b)
{
    size_t n = (size_t)(a.n < b.n ? a.n : b.n);
    int c = n ? memcmp(a.p, b.p, n) : 0;
    if (c)
        return c;
    return (a.n > b.n) - (a.n < b.n);
}

flow_str flow_str_dup(flow_arena *a, flow_str s)
{
    return flowi_arena_str(a, s.p, (size_t)s.n);
}

flow_str flow_str_dup_heap(flow_str s)
{
    if (s.n == 0)
        return (flow_str){ "", 0 };
    char *d = flow_alloc((size_t)s.n);
    memcpy(d, s.p, (size_t)s.n);
    return (flow_str){ d, s.n };
}

void flow_str_free(flow_str s)
{
    if (s.n > 0)
        flow_free((void *)s.p, (size_t)s.n);
}

flow_str flow_str_concat(flow_arena *a, flow_str x, flow_str y)
{
    if (x.n + y.n == 0)
        return (flow_str){ "", 0 };
    char *d = flow_arena_alloc(a, (size_t)(x.n + y.n));
    if (x.n)
        memcpy(d, x.p, (size_t)x.n);
    if (y.n)
        memcpy(d + x.n, y.p, (size_t)y.n);
    return (flow_str){ d, x.n + y.n };
}

void flowi_list_grow(flow_arena *a, flowi_list *list)
{
    int64_t ncap = list->cap ? list->cap * 2 : 8;
    flow_str *v = flow_arena_alloc(a, (size_t)ncap * sizeof *v);
    if (list->l.n)
        memcpy(v, list->l.v, (size_t)list->l.n * sizeof *v);
    list->l.v = v;
    list->cap = ncap;
}

/* ---- whitespace -------------------------------------------------------- */

/* Length of the whitespace code point at P (N bytes left), or 0. */
static int space_at(const char *p, size_t n)
{
    int len;
    uint32_t cp = flowi_utf8_decode((const unsigned char *)p, n, &len);
    return flowi_is_space(cp) ? len : 0;
}

/* Length of the whitespace code point ending at P + N, or 0. */
static int space_before(const char *p, size_t n)
{
    size_t i = n - 1;
    while (i > 0 && ((unsigned char)p[i] & 0xC0) == 0x80 && n - i < 4)
        i--;
    int len = space_at(p + i, n - i);
    return (size_t)len == n - i ? len : 0;
}

flow_str flow_str_trim(flow_arena *a, flow_str s)
{
    size_t b = 0, e = (size_t)s.n;
    int len;
    while (b < e && (len = space_at(s.p + b, e - b)) > 0)
        b += (size_t)len;
    while (e > b && (len = space_before(s.p + b, e - b)) > 0)
        e -= (size_t)len;
    return flowi_arena_str(a, s.p + b, e - b);
}

flow_list_str flow_str_split_ws(flow_arena *a, flow_str s)
{
    return flow_str_split_ws_max(a, s, -1);
}

flow_list_str flow_str_split_ws_max(flow_arena *a, flow_str s, int64_t maxsplit)
{
    flowi_list list = { { NULL, 0 }, 0 };
    size_t i = 0, n = (size_t)s.n;
    while (i < n) {
        int len;
        while (i < n && (len = space_at(s.p + i, n - i)) > 0)
            i += (size_t)len;
        if (i == n)
            break;
        if (maxsplit >= 0 && (int64_t)list.l.n == maxsplit) {
            /* the rest, from its first non-space, trailing spaces kept */
            flowi_list_push(a, &list, flowi_arena_str(a, s.p + i, n - i));
            break;
        }
        size_t start = i;
        while (i < n && space_at(s.p + i, n - i) == 0) {
            flowi_utf8_decode((const unsigned char *)s.p + i, n - i, &len);
            i += (size_t)len;
        }
        flowi_list_push(a, &list, flowi_arena_str(a, s.p + start, i - start));
    }
    return list.l;
}

/* Offset of NEEDLE (non-empty) in S at or after FROM, or -1. */
static int64_t find(flow_str s, int64_t from, flow_str needle)
{
    if (needle.n > s.n - from)
        return -1;
    const char *hit = memmem(s.p + from, (size_t)(s.n - from), needle.p, (size_t)needle.n);
    return hit ? hit - s.p : -1;
}

flow_list_str flow_str_split(flow_arena *a, flow_str s, flow_str sep)
{
    return flow_str_split_max(a, s, sep, -1);
}

flow_list_str flow_str_split_max(flow_arena *a, flow_str s, flow_str sep, int64_t maxsplit)
{
    flowi_list list = { { NULL, 0 }, 0 };
    int64_t start = 0, at;
    if (sep.n > 0) {
        while ((maxsplit < 0 || (int64_t)list.l.n < maxsplit) && (at = find(s, start, sep)) >= 0) {
            flowi_list_push(a, &list, flowi_arena_str(a, s.p + start, (size_t)(at - start)));
            start = at + sep.n;
        }
    }
    flowi_list_push(a, &list, flowi_arena_str(a, s.p + start, (size_t)(s.n - start)));
    return list.l;
}

bool flow_str_starts_with(flow_str s, flow_str prefix)
{
    return prefix.n <= s.n && (prefix.n == 0 || memcmp(s.p, prefix.p, (size_t)prefix.n) == 0);
}

bool flow_str_ends_with(flow_str s, flow_str suffix)
{
    return suffix.n <= s.n &&
           (suffix.n == 0 || memcmp(s.p + s.n - suffix.n, suffix.p, (size_t)suffix.n) == 0);
}

bool flow_str_contains(flow_str s, flow_str needle)
{
    return needle.n == 0 || find(s, 0, needle) >= 0;
}

/* Appends N bytes at P to the output cursor *O. */
static void put(char **o, const char *p, int64_t n)
{
    if (n > 0) {
        memcpy(*o, p, (size_t)n);
        *o += n;
    }
}

flow_str flow_str_replace(flow_arena *a, flow_str s, flow_str old, flow_str new_)
{
    /* Two passes (count, then copy) so the result is one arena block. */
    int64_t hits = 0, at, start = 0;
    if (old.n == 0) {
        hits = flow_utf8_len(s) + 1;    /* before every code point and at the end */
    } else {
        while ((at = find(s, start, old)) >= 0) {
            hits++;
            start = at + old.n;
        }
        if (hits == 0)
            return flow_str_dup(a, s);
    }
    int64_t n = s.n + hits * (new_.n - old.n);
    if (n == 0)
        return (flow_str){ "", 0 };
    char *d = flow_arena_alloc(a, (size_t)n), *o = d;
    if (old.n == 0) {
        for (int64_t i = 0; i < s.n;) {
            int len;
            flowi_utf8_decode((const unsigned char *)s.p + i, (size_t)(s.n - i), &len);
            put(&o, new_.p, new_.n);
            put(&o, s.p + i, len);
            i += len;
        }
        put(&o, new_.p, new_.n);
    } else {
        start = 0;
        while ((at = find(s, start, old)) >= 0) {
            put(&o, s.p + start, at - start);
            put(&o, new_.p, new_.n);
            start = at + old.n;
        }
        put(&o, s.p + start, s.n - start);
    }
    return (flow_str){ d, n };
}

/* Byte offset of code point number CP (0-based) of S, or s.n past the end. */
static int64_t cp_offset(flow_str s, int64_t from, int64_t cp)
{
    int64_t i = from;
    while (cp > 0 && i < s.n) {
        i++;
        while (i < s.n && ((unsigned char)s.p[i] & 0xC0) == 0x80)
            i++;
        cp--;
    }
    return i;
}

flow_str flow_str_substr(flow_arena *a, flow_str s, int64_t start, int64_t count)
{
    if (count <= 0)
        return (flow_str){ "", 0 };
    if (start < 0) {
        int64_t len = flow_utf8_len(s);
        start = start < -len ? 0 : len + start;
    }
    int64_t b = cp_offset(s, 0, start);
    int64_t e = cp_offset(s, b, count);
    return flowi_arena_str(a, s.p + b, (size_t)(e - b));
}

/* ---- join, strip(chars), zfill ------------------------------------------ */

flow_str flow_str_join(flow_arena *a, flow_str sep, flow_list_str xs)
{
    int64_t n = 0;
    for (int64_t i = 0; i < xs.n; i++)
        n += xs.v[i].n + (i ? sep.n : 0);
    if (n == 0)
        return (flow_str){ "", 0 };
    char *out = flow_arena_alloc(a, (size_t)n), *o = out;
    for (int64_t i = 0; i < xs.n; i++) {
        if (i)
            put(&o, sep.p, sep.n);
        put(&o, xs.v[i].p, xs.v[i].n);
    }
    return (flow_str){ out, n };
}

/* Is the code point at P (N bytes left, valid UTF-8) one of CHARS's?
 * Its length in *LEN. */
static bool in_chars(const char *p, size_t n, flow_str chars, int *len)
{
    uint32_t cp = flowi_utf8_decode((const unsigned char *)p, n, len);
    for (int64_t i = 0; i < chars.n;) {
        int l;
        if (flowi_utf8_decode((const unsigned char *)chars.p + i, (size_t)(chars.n - i), &l) == cp)
            return true;
        i += l;
    }
    return false;
}

flow_str flow_str_strip_chars(flow_arena *a, flow_str s, flow_str chars, int sides)
{
    size_t b = 0, e = (size_t)s.n;
    int len;
    if (sides & 1)
        while (b < e && in_chars(s.p + b, e - b, chars, &len))
            b += (size_t)len;
    if (sides & 2)
        while (e > b) {
            size_t i = e - 1;
            while (i > b && ((unsigned char)s.p[i] & 0xC0) == 0x80)
                i--;
            if (!in_chars(s.p + i, e - i, chars, &len))
                break;
            e = i;
        }
    return flowi_arena_str(a, s.p + b, e - b);
}

flow_str flow_str_strip_ws(flow_arena *a, flow_str s, int sides)
{
    size_t b = 0, e = (size_t)s.n;
    int len;
    if (sides & 1)
        while (b < e && (len = space_at(s.p + b, e - b)) > 0)
            b += (size_t)len;
    if (sides & 2)
        while (e > b && (len = space_before(s.p + b, e - b)) > 0)
            e -= (size_t)len;
    return flowi_arena_str(a, s.p + b, e - b);
}

flow_str flow_str_zfill(flow_arena *a, flow_str s, int64_t width)
{
    int64_t len = flow_utf8_len(s);
    if (len >= width)
        return s;
    int64_t pad = width - len;
    char *out = flow_arena_alloc(a, (size_t)(s.n + pad)), *o = out;
    int64_t from = 0;
    if (s.n > 0 && (s.p[0] == '+' || s.p[0] == '-')) {
        *o++ = s.p[0];   /* the sign stays first */
        from = 1;
    }
    memset(o, '0', (size_t)pad);
    o += pad;
    put(&o, s.p + from, s.n - from);
    return (flow_str){ out, s.n + pad };
}
