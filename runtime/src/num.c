/*
 * num.c - numbers with Python semantics: str(int), str(float), int(str),
 * float(str), and float %, // and round(). The float formatting itself
 * (shortest round-trip repr) is in repr.c.
 *
 * The runtime never calls setlocale(), so strtod() and printf() use the
 * "C" locale's '.' decimal point.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The decimal digits of V written to end at END, two at a time, no
 * snprintf (str() and repr() of ints are on hot paths: keys, output).
 * Returns the start; at most 20 bytes. */
char *flowi_fmt_int(char *end, int64_t v)
{
    static const char pairs[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char *p = end;
    while (u >= UINT32_MAX) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        p -= 2;
        p[0] = pairs[2 * r];
        p[1] = pairs[2 * r + 1];
    }
    uint32_t w = (uint32_t)u;   /* the rest in 32-bit arithmetic */
    while (w >= 100) {
        uint32_t r = w % 100;
        w /= 100;
        p -= 2;
        p[0] = pairs[2 * r];
        p[1] = pairs[2 * r + 1];
    }
    if (w >= 10) {
        p -= 2;
        p[0] = pairs[2 * w];
        p[1] = pairs[2 * w + 1];
    } else {
        *--p = (char)('0' + w);
    }
    if (v < 0)
        *--p = '-';
    return p;
}

const char flowi_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

flow_str (flow_str_from_int)(flow_arena *a, int64_t v)
{
    if ((uint64_t)v < 10000)
        return flow_str_from_int(a, v);   /* flowrt_gen.h's inline one */
    return flowi_str_from_int(a, v);
}

flow_str flowi_str_from_int(flow_arena *a, int64_t v)
{
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    size_t n = u < 10 ? 1 : u < 100 ? 2 : u < 1000 ? 3 : u < 10000 ? 4 : 5;
    for (uint64_t p10 = 100000; n < 20 && u >= p10; p10 *= 10)
        n++;
    n += v < 0;
    char *d = flow_arena_alloc(a, n);
    flowi_fmt_int(d + n, v);   /* exactly n bytes, straight into the arena */
    return (flow_str){ d, (int64_t)n };
}

flow_str flow_str_from_float(flow_arena *a, double v)
{
    char tmp[32];
    int n = flowi_fmt_float(tmp, v);
    return flowi_arena_str(a, tmp, (size_t)n);
}

/* S without Python whitespace at both ends (a slice, no copy). */
static flow_str strip(flow_str s)
{
    int64_t b = 0, e = s.n;
    while (b < e) {
        int len;
        uint32_t cp = flowi_utf8_decode((const unsigned char *)s.p + b, (size_t)(e - b), &len);
        if (!flowi_is_space(cp))
            break;
        b += len;
    }
    while (e > b) {
        int64_t i = e - 1;
        while (i > b && ((unsigned char)s.p[i] & 0xC0) == 0x80)
            i--;
        int len;
        uint32_t cp = flowi_utf8_decode((const unsigned char *)s.p + i, (size_t)(e - i), &len);
        if (!flowi_is_space(cp))
            break;
        e = i;
    }
    return (flow_str){ s.p + b, e - b };
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Copies the digits at S[*I..] into OUT (dropping single '_' between
 * digits) and advances *I; returns the number of digits, or -1 on a
 * misplaced '_'. */
static int64_t digits(flow_str s, int64_t *i, char *out, int64_t *o)
{
    int64_t count = 0;
    while (*i < s.n) {
        char c = s.p[*i];
        if (is_digit(c)) {
            if (out)
                out[(*o)++] = c;
            count++;
            (*i)++;
        } else if (c == '_' && count > 0 && *i + 1 < s.n && is_digit(s.p[*i + 1])) {
            (*i)++;
        } else {
            break;
        }
    }
    return count;
}

/* S stripped of whitespace, with its sign taken off into *NEG. */
static flow_str unsign(flow_str s, bool *neg)
{
    s = strip(s);
    *neg = s.n > 0 && s.p[0] == '-';
    if (s.n > 0 && (s.p[0] == '+' || s.p[0] == '-'))
        return (flow_str){ s.p + 1, s.n - 1 };
    return s;
}

bool flow_int_parse(flow_str s, int64_t *out)
{
    bool neg;
    s = unsign(s, &neg);
    int64_t i = 0, start = 0;
    uint64_t v = 0;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (digits(s, &i, NULL, NULL) == 0 || i != s.n)
        return false;
    for (int64_t k = start; k < s.n; k++) {
        if (s.p[k] == '_')
            continue;
        unsigned d = (unsigned)(s.p[k] - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* Case-insensitive match of S[I..] against the lower-case word W, to the end. */
static bool word_is(flow_str s, int64_t i, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(s.n - i) == n && strncasecmp(s.p + i, w, n) == 0;
}

/* float(S) for plain decimals ("0.132", "-17", "5."): an optional '-',
 * at most 19 digits with at most one '.', nothing else, the digits as an
 * integer M <= 2^53 (so 15 digits always, 16-19 often: a float's repr
 * such as "48.56800000000001"). M and 10^k (k <= 19 <= 22) are exact
 * doubles, so one correctly rounded division gives the correctly rounded
 * value, as strtod (Clinger's fast path). False: use the general path. */
static bool float_fast(flow_str s, double *out)
{
    static const double p10[20] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,
                                    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19 };
    const char *p = s.p, *e = s.p + s.n;
    bool neg = p < e && *p == '-';
    p += neg;
    if (e - p > 20 || p == e)
        return false;
    uint64_t m = 0;
    int nd = 0, frac = -1;
    for (; p < e; p++) {
        unsigned d = (unsigned char)*p - '0';
        if (d < 10 && nd < 19) {
            m = m * 10 + d;
            nd++;
        } else if (*p == '.' && frac < 0) {
            frac = nd;
        } else {
            return false;
        }
    }
    if (nd == 0 || m > UINT64_C(1) << 53)
        return false;
    int k = frac < 0 ? 0 : nd - frac;
    double v = (double)m / p10[k];
    *out = neg ? -v : v;
    return true;
}

bool flow_float_parse(flow_str s, double *out)
{
    if (float_fast(s, out))
        return true;
    bool neg;
    s = unsign(s, &neg);
    int64_t i = 0;
    if (word_is(s, i, "inf") || word_is(s, i, "infinity")) {
        *out = neg ? -INFINITY : INFINITY;
        return true;
    }
    if (word_is(s, i, "nan")) {
        *out = neg ? -NAN : NAN;
        return true;
    }
    /* Validate Python's float syntax while copying it without '_'. */
    char small[128];
    char *buf = (size_t)s.n + 2 <= sizeof small ? small : flow_alloc((size_t)s.n + 2);
    int64_t o = 0;
    buf[o++] = neg ? '-' : '+';
    int64_t mant = digits(s, &i, buf, &o);
    if (i < s.n && s.p[i] == '.') {
        buf[o++] = s.p[i++];
        if (i < s.n && s.p[i] == '_')
            mant = 0;    /* "1._5" */
        else
            mant += digits(s, &i, buf, &o);
    }
    bool ok = mant > 0;
    if (ok && i < s.n && (s.p[i] == 'e' || s.p[i] == 'E')) {
        buf[o++] = s.p[i++];
        if (i < s.n && (s.p[i] == '+' || s.p[i] == '-'))
            buf[o++] = s.p[i++];
        ok = digits(s, &i, buf, &o) > 0;
    }
    ok = ok && i == s.n;
    buf[o] = '\0';
    if (ok)
        *out = strtod(buf, NULL);
    if (buf != small)
        flow_free(buf, (size_t)s.n + 2);
    return ok;
}

/* ---- int true division (CPython's long_true_divide) ------------------- */

/* Bits in U (0 for 0). */
static int bit_length(uint64_t u)
{
    return u ? 64 - __builtin_clzll(u) : 0;
}

/* A / B correctly rounded, for any B != 0: the magnitudes' quotient is
 * taken with at least 55 significant bits (A shifted left first, in 128
 * bits), a sticky bit records a non-zero remainder below them, and the
 * one rounding to 53 bits is the conversion of that integer to double
 * (round to nearest even); scaling back by 2^-shift is exact (the result
 * is far from the subnormal range). */
double flowi_i64_truediv(int64_t a, int64_t b)
{
    uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
    uint64_t ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
    bool neg = (a < 0) != (b < 0);
    if (ua == 0)
        return neg ? -0.0 : 0.0;
    int shift = 55 + bit_length(ub) - bit_length(ua);
    if (shift < 0)
        shift = 0;
    unsigned __int128 n = (unsigned __int128)ua << shift;
    unsigned __int128 q = n / ub;
    if (n % ub != 0)
        q |= 1;   /* sticky: q has >= 55 bits, so bit 0 is below the rounding bit */
    double d = ldexp((double)q, -shift);
    return neg ? -d : d;
}

/* ---- float arithmetic (CPython's float_rem, float_divmod, round) ------- */

double flow_f64_mod(double a, double b)
{
    double mod = fmod(a, b);
    if (mod != 0.0) {
        if ((b < 0) != (mod < 0))
            mod += b;
    } else {
        mod = copysign(0.0, b);
    }
    return mod;
}

double flow_f64_floordiv(double a, double b)
{
    double mod = fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0.0 && (b < 0) != (mod < 0))
        div -= 1.0;
    if (div == 0.0)
        return copysign(0.0, a / b);
    double fl = floor(div);
    if (div - fl > 0.5)
        fl += 1.0;
    return fl;
}

double flow_f64_round_half_even(double x)
{
    double r = round(x);
    if (fabs(x - r) == 0.5)
        r = 2.0 * round(x / 2.0);
    return r;
}
