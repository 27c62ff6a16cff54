/*
 * case.c - str.lower() and str.upper() for the language's lower()/upper().
 *
 * ASCII strings (the common case) are mapped byte by byte. Otherwise each
 * code point goes through towlower_l/towupper_l in the C.UTF-8 locale,
 * created for that call, so the program's own locale never matters and no
 * global state is kept. That is Unicode's simple (1:1) case mapping:
 * unlike CPython, 'ß'.upper() stays 'ß' and 'İ'.lower() is 'i' (deliberate
 * simplicity, documented in flowrt.h).
 */
#include "internal.h"

#include <locale.h>
#include <wctype.h>

static flow_str map_case(flow_arena *a, flow_str s, bool upper)
{
    if (s.n == 0)
        return (flow_str){ "", 0 };
    size_t n = (size_t)s.n;
    const unsigned char *p = (const unsigned char *)s.p;
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = p[i] < 0x80;
    if (ascii) {
        char *d = flow_arena_alloc(a, n);
        char lo = upper ? 'a' : 'A', hi = upper ? 'z' : 'Z';
        for (size_t i = 0; i < n; i++) {
            char c = (char)p[i];
            d[i] = (c >= lo && c <= hi) ? (char)(c ^ 0x20) : c;
        }
        return (flow_str){ d, s.n };
    }
    locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    /* A simple mapping can change a code point's UTF-8 length (U+212A
     * KELVIN SIGN lowers to ASCII 'k', U+0250 uppers from 2 to 3 bytes);
     * twice the input is ample. */
    char *d = flow_arena_alloc(a, n * 2 + 4);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        int len;
        uint32_t cp = flowi_utf8_decode(p + i, n - i, &len);
        uint32_t m = cp;
        if (cp < 0x80) {
            if (upper ? (cp >= 'a' && cp <= 'z') : (cp >= 'A' && cp <= 'Z'))
                m = cp ^ 0x20;
        } else if (loc) {
            m = (uint32_t)(upper ? towupper_l((wint_t)cp, loc) : towlower_l((wint_t)cp, loc));
        }
        if (len == 1 && cp >= 0x80)
            d[o++] = (char)cp;    /* not UTF-8: keep the byte */
        else
            o += (size_t)flowi_utf8_encode(m, d + o);
        i += (size_t)len;
    }
    if (loc)
        freelocale(loc);
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
