/*
 * regex.c - the language's findall(s, REGEX) on top of PCRE2 (8-bit code
 * units, PCRE2_UTF | PCRE2_UCP so that \w, \s, \d and \b follow Unicode
 * properties as Python's re does on str). Patterns are compiled once when
 * the program starts (JIT-compiled where PCRE2 supports it); each
 * flow_regex keeps its own match data, so matching allocates nothing.
 * One character class and `+` (the word patterns) has a fast path of its
 * own, 16 bytes at a time with SSSE3 on x86-64, else a byte loop.
 */
#include "internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>

/* The fast path's 16-bytes-at-a-time scan: x86-64 with SSSE3 (pshufb),
 * chosen when the regex is compiled if the CPU has it. */
#if defined(__x86_64__) && defined(__GNUC__)
#define FLOWI_REGEX_SIMD 1
#include <immintrin.h>
#endif

struct flow_regex {
    pcre2_code *code;
    pcre2_match_data *md;   /* reused by every findall on this pattern */
    uint32_t group;         /* 0: whole match, 1: the one capture group */
    /* fast path: the pattern is one character class and `+` */
    bool fast;
    bool negate;            /* [^...] */
    bool space;             /* the class holds \s */
    bool ascii[128];        /* which ASCII characters the class holds */
    /* per byte: 1 an ASCII character that matches (ascii ^ negate), 0 one
     * that does not, 2 a byte >= 0x80 (decoded by the scan) */
    unsigned char member[256];
    /* the 16-byte scan (FLOWI_REGEX_SIMD): an ASCII byte with high nibble
     * H and low nibble L is a member iff nib_lo[L] & nib_hi[H] (one bit
     * per high nibble 0..7; nib_hi is 0 for 8..15, the bytes >= 0x80) */
    bool simd_ok;           /* the CPU has SSSE3 */
    bool simd;              /* use it (flowi_regex_simd) */
    unsigned char nib_lo[16], nib_hi[16];
};

/* PCRE2's \s under PCRE2_UCP above ASCII: NEL, U+180E and the Unicode Z category
 * (tests/unit/test_regex.c checks every code point against PCRE2). */
static bool ucp_space(uint32_t c)
{
    return c == 0x85 || c == 0xA0 || c == 0x1680 || c == 0x180E || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

/* One class member at *P: an ASCII literal or an escaped one; \s, \t,
 * \n, \r, \f, \v. Returns the character, 256 for \s, -1 for anything
 * else (no fast path). */
static int class_char(const char **p, const char *end)
{
    const unsigned char *q = (const unsigned char *)*p;
    if (q[0] != '\\') {
        if (q[0] >= 0x80 || q[0] == '[' || q[0] == ']')
            return -1;
        *p += 1;
        return q[0];
    }
    if (*p + 1 >= end)
        return -1;
    *p += 2;
    switch (q[1]) {
    case 's': return 256;
    case 't': return '\t';
    case 'n': return '\n';
    case 'r': return '\r';
    case 'f': return '\f';
    case 'v': return '\v';
    default:
        /* an escaped ASCII punctuation character is itself */
        if (q[1] < 0x80 && !((q[1] | 0x20) >= 'a' && (q[1] | 0x20) <= 'z') && !(q[1] >= '0' && q[1] <= '9'))
            return q[1];
        return -1;
    }
}

/* Recognise `[...]+` / `[^...]+` of ASCII characters, ranges and \s. */
static void try_fast(flow_regex *re, const char *pat, size_t n)
{
    const char *p = pat, *end = pat + n;
    if (n < 4 || p[0] != '[' || end[-1] != '+' || end[-2] != ']')
        return;
    p++;
    end -= 2;   /* the class body is [p, end) */
    if (p < end && *p == '^') {
        re->negate = true;
        p++;
    }
    if (p == end || *p == ']')
        return;
    while (p < end) {
        int c = class_char(&p, end);
        if (c < 0)
            return;
        if (c == 256) {
            re->space = true;
            for (int k = '\t'; k <= '\r'; k++)
                re->ascii[k] = true;
            re->ascii[' '] = true;
            continue;
        }
        if (p + 1 < end && *p == '-') {
            p++;
            int hi = class_char(&p, end);
            if (hi < 0 || hi == 256 || hi < c)
                return;
            for (int k = c; k <= hi; k++)
                re->ascii[k] = true;
            continue;
        }
        re->ascii[c] = true;
    }
    for (int k = 0; k < 256; k++)
        re->member[k] = k >= 0x80 ? 2 : re->ascii[k] != re->negate;
    for (int k = 0; k < 128; k++)
        if (re->member[k] == 1)
            re->nib_lo[k & 15] |= (unsigned char)(1u << (k >> 4));
    for (int h = 0; h < 8; h++)
        re->nib_hi[h] = (unsigned char)(1u << h);
#ifdef FLOWI_REGEX_SIMD
    __builtin_cpu_init();    /* needed if this runs in a constructor */
    re->simd = re->simd_ok = __builtin_cpu_supports("ssse3");
#endif
    re->fast = true;
}

void flowi_regex_simd(flow_regex *re, bool on)
{
    re->simd = on && re->fast && re->simd_ok;
}

/* Whether the non-ASCII sequence at P (LEFT bytes) is a class member;
 * its length goes to *LEN, 0 when it is not well-formed UTF-8. */
static bool member_above_ascii(const flow_regex *re, const unsigned char *p, size_t left, size_t *len)
{
    *len = flowi_utf8_seq(p, left);
    if (!*len)
        return false;
    int n;
    uint32_t cp = flowi_utf8_decode(p, left, &n);
    return (re->space && ucp_space(cp)) != re->negate;
}

/* Push the match P[START..END) of the subject S: on the first match the
 * subject is copied into A unless A holds it already (*COPY: the bytes
 * the results are slices of), and the list is given room for the matches
 * that can follow (they are a byte at least, with one between them: half
 * the bytes left, rounded up, or 32, more than most lines have). */
static inline void push_match(flow_arena *a, flowi_list *list, const char **copy, flow_str s, size_t start,
                              size_t end)
{
    size_t n = (size_t)s.n;
    if (!*copy) {
        *copy = flowi_arena_holds(a, s.p, n) ? s.p : flowi_arena_str(a, s.p, n).p;
        size_t most = (n - start + 1) / 2;
        flowi_list_start(a, list, most < 32 ? (int64_t)most : 32);
    }
    flowi_list_push(a, list, (flow_str){ *copy + start, (int64_t)(end - start) });
}

#ifdef FLOWI_REGEX_SIMD
/* The 16 bytes from P[I] (fewer at the end: the bits past N - I are 0):
 * in *HIGH a bit per byte >= 0x80, and the bits of the ASCII members as
 * the result. */
__attribute__((target("ssse3"))) static inline unsigned block_masks(const flow_regex *re, const unsigned char *p,
                                                                      size_t n, size_t i, unsigned *high)
{
    size_t left = n - i;
    __m128i x;
    unsigned shift = 0;
    if (left >= 16) {
        x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
    } else if (n >= 16) {
        /* the last 16 bytes, the ones before I shifted out */
        x = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
        shift = 16 - (unsigned)left;
    } else {
        unsigned char buf[16] = { 0 };
        memcpy(buf, p + i, left);
        x = _mm_loadu_si128((const __m128i *)(const void *)buf);
    }
    __m128i nib = _mm_set1_epi8(0x0F);
    __m128i lo = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)re->nib_lo), _mm_and_si128(x, nib));
    __m128i hi = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)re->nib_hi),
                                  _mm_and_si128(_mm_srli_epi16(x, 4), nib));
    __m128i out = _mm_cmpeq_epi8(_mm_and_si128(lo, hi), _mm_setzero_si128());
    unsigned keep = left >= 16 ? 0xFFFFu : (1u << left) - 1;
    *high = ((unsigned)_mm_movemask_epi8(x) >> shift) & keep;
    return (~(unsigned)_mm_movemask_epi8(out) >> shift) & keep;
}

/* fast_findall 16 bytes at a time: per block, a bit mask of the members
 * and one of the bytes >= 0x80. An ASCII block is done with bit tricks;
 * in one with other bytes a match starts at the first member or member
 * sequence (decoded as the scalar loop does) and ends at the first byte
 * that is neither. */
__attribute__((target("ssse3"))) static flow_list_str simd_findall(flow_arena *a, const flow_regex *re, flow_str s)
{
    flowi_list list = { { NULL, 0 }, 0 };
    const unsigned char *p = (const unsigned char *)s.p;
    size_t n = (size_t)s.n, i = 0, start = 0, len;
    const char *copy = NULL;
    bool in = false;    /* in a match, from START */
    while (i < n) {
        unsigned high, mem = block_masks(re, p, n, i, &high);
        size_t width = n - i < 16 ? n - i : 16, k = 0;
        if (!high) {
            /* ASCII: a match starts or ends where membership changes
             * (bit j against bit j - 1, bit 0 against IN) */
            unsigned change = (mem ^ (mem << 1 | in)) & ((1u << width) - 1);
            for (; change; change &= change - 1) {
                size_t at = i + (size_t)__builtin_ctz(change);
                if (in)
                    push_match(a, &list, &copy, s, start, at);
                else
                    start = at;
                in = !in;
            }
            i += width;
            continue;
        }
        while (k < width) {
            unsigned at = in ? ~mem & ((1u << width) - 1) : mem | high;
            at &= ~0u << k;
            if (!at) {
                k = width;
                break;
            }
            k = (size_t)__builtin_ctz(at);
            if (high >> k & 1) {
                /* above ASCII: decode it */
                bool m = member_above_ascii(re, p + i + k, n - i - k, &len);
                if (!len)
                    return (flow_list_str){ NULL, 0 };
                if (m && !in) {
                    start = i + k;
                    in = true;
                } else if (!m && in) {
                    push_match(a, &list, &copy, s, start, i + k);
                    in = false;
                }
                k += len;
                continue;
            }
            if (in)
                push_match(a, &list, &copy, s, start, i + k);
            else
                start = i + k;
            in = !in;
        }
        i += k;
    }
    if (in)
        push_match(a, &list, &copy, s, start, n);
    return list.l;
}
#endif

/* findall of a fast pattern: the maximal runs of class members, found by
 * two tight loops (skip non-members, then take members) over the ASCII
 * bytes, decoding only the others. The subject is validated on the way:
 * on invalid UTF-8 PCRE2 finds nothing, and neither does this (what was
 * pushed stays in the arena, unused). The results are slices of the
 * subject when A already holds it (lower()'s result, say), else of a copy. */
static flow_list_str fast_findall(flow_arena *a, const flow_regex *re, flow_str s)
{
    flowi_list list = { { NULL, 0 }, 0 };
    const unsigned char *p = (const unsigned char *)s.p;
    const unsigned char *member = re->member;
    size_t n = (size_t)s.n, i = 0, len = 1;
    const char *copy = NULL;
    while (i < n) {
        /* non-members */
        while (i < n && member[p[i]] == 0)
            i++;
        if (i == n)
            break;
        if (member[p[i]] == 2 && !member_above_ascii(re, p + i, n - i, &len)) {
            if (!len)
                return (flow_list_str){ NULL, 0 };
            i += len;
            continue;
        }
        /* members, from i */
        size_t start = i;
        for (;;) {
            /* four at a time: the AND of four table values is 1 iff all are 1 */
            while (i + 4 <= n && (member[p[i]] & member[p[i + 1]] & member[p[i + 2]] & member[p[i + 3]]) == 1)
                i += 4;
            while (i < n && member[p[i]] == 1)
                i++;
            if (i == n || member[p[i]] == 0 || !member_above_ascii(re, p + i, n - i, &len))
                break;
            i += len;
        }
        if (i < n && member[p[i]] == 2 && !len)
            return (flow_list_str){ NULL, 0 };
        push_match(a, &list, &copy, s, start, i);
    }
    return list.l;
}

flow_regex *flow_regex_compile(const char *pattern, size_t n, char *err, size_t errlen)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)pattern, n, PCRE2_UTF | PCRE2_UCP, &code,
                                  &off, NULL);
    if (!c) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        if (err && errlen)
            snprintf(err, errlen, "%s at offset %zu", (const char *)msg, (size_t)off);
        return NULL;
    }
    /* JIT unless FLOW_NO_JIT is set (valgrind cannot follow JIT code and
     * reports its reads as uninitialised); the interpreter if unsupported. */
    if (!getenv("FLOW_NO_JIT"))
        (void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
    uint32_t groups = 0;
    pcre2_pattern_info(c, PCRE2_INFO_CAPTURECOUNT, &groups);
    flow_regex *re = flow_alloc(sizeof *re);
    memset(re, 0, sizeof *re);
    re->code = c;
    re->md = pcre2_match_data_create_from_pattern(c, NULL);
    re->group = groups > 0 ? 1 : 0;
    re->fast = false;
    try_fast(re, pattern, n);
    return re;
}

void flow_regex_free(flow_regex *re)
{
    if (!re)
        return;
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    flow_free(re, sizeof *re);
}

/* re.findall: search from the end of the previous match; after an empty
 * match the next one may not be empty at that same position (Python's
 * must_advance, which is PCRE2_NOTEMPTY_ATSTART). The subject is copied
 * into A once, when it first matches, and the results are slices of it. */
flow_list_str flow_regex_findall(flow_arena *a, const flow_regex *re, flow_str s)
{
#ifdef FLOWI_REGEX_SIMD
    if (re->simd)
        return simd_findall(a, re, s);
#endif
    if (re->fast)
        return fast_findall(a, re, s);
    flowi_list list = { { NULL, 0 }, 0 };
    PCRE2_SIZE pos = 0, len = (PCRE2_SIZE)s.n;
    uint32_t opts = 0;
    const char *copy = NULL;
    PCRE2_SPTR subject = s.n ? (PCRE2_SPTR)s.p : (PCRE2_SPTR) "";
    for (;;) {
        int rc = pcre2_match(re->code, subject, len, pos, opts, re->md, NULL);
        if (rc < 0)
            break;    /* PCRE2_ERROR_NOMATCH, or invalid UTF-8 (no matches) */
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
        if (!copy)
            copy = flowi_arena_str(a, s.p, (size_t)s.n).p;
        PCRE2_SIZE b = ov[2 * re->group], e = ov[2 * re->group + 1];
        if (b == PCRE2_UNSET || (int)re->group >= rc)
            flowi_list_push(a, &list, (flow_str){ "", 0 });
        else
            flowi_list_push(a, &list, (flow_str){ copy + b, (int64_t)(e - b) });
        opts = PCRE2_NO_UTF_CHECK | (ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART : 0);
        pos = ov[1];
        if (pos > len)
            break;
    }
    return list.l;
}
