/*
 * utf8.c - UTF-8 primitives for the runtime: validation (used by the line
 * reader on every input line, so it has an ASCII fast path), decoding and
 * encoding single code points, code point counting, Python's notion of
 * whitespace (str.isspace), which split() and strip() use, and of decimal
 * digits (int(), float()).
 */
#include "internal.h"

/* True iff the 8 bytes at P are all ASCII. */
static bool ascii8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return (w & UINT64_C(0x8080808080808080)) == 0;
}

size_t flowi_utf8_seq(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return left >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p[1] < 0xA0)
            return 0;    /* overlong */
        if (c == 0xED && p[1] >= 0xA0)
            return 0;    /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && p[1] < 0x90)
            return 0;    /* overlong */
        if (c == 0xF4 && p[1] >= 0x90)
            return 0;    /* above U+10FFFF */
        return 4;
    }
    return 0;            /* continuation byte, C0, C1, F5..FF */
}

/* True iff the N >= 8 bytes at P are all ASCII: whole words, the last
 * one overlapping the one before. */
static bool all_ascii(const unsigned char *p, size_t n)
{
    uint64_t or = 0, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        or |= w;
    }
    memcpy(&w, p + n - 8, 8);
    return ((or | w) & UINT64_C(0x8080808080808080)) == 0;
}

bool flow_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (n >= 8 && all_ascii(p, n))
        return true;    /* most lines */
    return flowi_utf8_valid_prefix(p, n) == n;
}

size_t flowi_utf8_valid_prefix(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint64_t w[4];
        if (i + 32 <= n) {
            memcpy(w, p + i, 32);
            if (((w[0] | w[1] | w[2] | w[3]) & UINT64_C(0x8080808080808080)) == 0) {
                i += 32;
                continue;
            }
        }
        if (i + 8 <= n) {
            if (ascii8(p + i)) {
                i += 8;
                continue;
            }
            while (p[i] < 0x80)    /* stops in these 8 bytes */
                i++;
        } else if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t len = flowi_utf8_seq(p + i, n - i);
        if (!len)
            return i;
        i += len;
    }
    return i;
}

uint32_t flowi_utf8_decode(const unsigned char *p, size_t n, int *len)
{
    unsigned c = p[0];
    if (c < 0x80 || n < 2) {
        *len = 1;
        return c;
    }
    if (c >= 0xC0 && c < 0xE0) {
        *len = 2;
        return ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    }
    if (c >= 0xE0 && c < 0xF0 && n >= 3) {
        *len = 3;
        return ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    }
    if (c >= 0xF0 && n >= 4) {
        *len = 4;
        return ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) |
               ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
    }
    *len = 1;
    return c;
}

int flowi_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

int64_t flow_utf8_len(flow_str s)
{
    /* Count the bytes that start a code point (not 10xxxxxx). */
    int64_t count = 0;
    const unsigned char *p = (const unsigned char *)s.p;
    for (int64_t i = 0; i < s.n; i++)
        count += (p[i] & 0xC0) != 0x80;
    return count;
}

bool flowi_in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid][0])
            hi = mid;
        else if (cp > r[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

int flowi_decimal(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9' ? (int)(cp - '0') : -1;
    size_t lo = 0, hi = flowi_digit_zero_count;   /* the last zero <= cp */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (flowi_digit_zero[mid] <= cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && cp - flowi_digit_zero[lo - 1] < 10 ? (int)(cp - flowi_digit_zero[lo - 1]) : -1;
}

bool flowi_is_space(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
    switch (cp) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}
