/*
 * repr.c - Python's repr() of scalar values, appended to a flow_buf: what
 * the stdout sink and inspect print (docs/semantics.md §13, docs/language.md
 * §7). Generated code composes tuples, lists and dicts from these.
 * Datetime and timedelta reprs are in time.c.
 *
 * Floats follow CPython's float_repr_style 'r': the shortest digit string
 * that strtod() reads back as the same double, written positionally when
 * the decimal exponent is in [-4, 16) and in scientific form otherwise.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void flow_repr_int(flow_buf *b, int64_t v)
{
    char tmp[24], *p = flowi_fmt_int(tmp + sizeof tmp, v);
    flow_buf_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

void flow_repr_bool(flow_buf *b, bool v)
{
    if (v)
        flow_buf_put(b, "True", 4);
    else
        flow_buf_put(b, "False", 5);
}

void flow_repr_none(flow_buf *b)
{
    flow_buf_put(b, "None", 4);
}

/* ---- float ------------------------------------------------------------- */

/* A decimal approximation: DIGITS (no leading/trailing zeros unless "0")
 * times 10^(EXP - ndigits + 1), i.e. EXP is the exponent of the first digit. */
typedef struct decimal {
    char digits[24];
    int ndigits;
    int exp;
} decimal;

/* The correctly rounded P-digit decimal of V (V finite, non-zero, > 0). */
static void round_to(double v, int p, decimal *d)
{
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
    /* tmp is "D.DDDDe[+-]XX" or "De[+-]XX" */
    int n = 0;
    const char *s = tmp;
    for (; *s != 'e'; s++)
        if (*s != '.')
            d->digits[n++] = *s;
    d->exp = atoi(s + 1);
    while (n > 1 && d->digits[n - 1] == '0')
        n--;
    d->digits[n] = '\0';
    d->ndigits = n;
}

static bool reads_back(const decimal *d, double v)
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%se%d", d->digits, d->exp - d->ndigits + 1);
    return strtod(tmp, NULL) == v;
}

/* Add DELTA (+1/-1) to the last of P digits of D (D has P digits after
 * zero padding); the result is normalised again. */
static void nudge(const decimal *d, int p, int delta, decimal *out)
{
    char buf[24];
    memset(buf, '0', (size_t)p);
    memcpy(buf, d->digits, (size_t)d->ndigits);
    int exp = d->exp;
    int i = p - 1;
    if (delta > 0) {
        while (i >= 0 && buf[i] == '9')
            buf[i--] = '0';
        if (i < 0) {                 /* 99..9 + 1 = 100..0 */
            memmove(buf + 1, buf, (size_t)p - 1);
            buf[0] = '1';
            exp++;
        } else {
            buf[i]++;
        }
    } else {
        while (i >= 0 && buf[i] == '0')
            buf[i--] = '9';
        buf[i]--;                    /* D is non-zero, so i >= 0 */
        if (buf[0] == '0') {         /* 100..0 - 1 = 99..9, one digit fewer */
            memmove(buf, buf + 1, (size_t)p - 1);
            buf[p - 1] = '9';
            exp--;
        }
    }
    int n = p;
    while (n > 1 && buf[n - 1] == '0')
        n--;
    memcpy(out->digits, buf, (size_t)n);
    out->digits[n] = '\0';
    out->ndigits = n;
    out->exp = exp;
}

/* The shortest decimal that reads back as V (V finite and > 0). Reading
 * back is monotone in the precision, so binary-search the precision of the
 * correctly rounded decimal; one digit fewer can still work when V sits
 * at a power of two (its interval is lopsided), so try the neighbours of
 * that shorter decimal too. */
static void shortest(double v, decimal *d)
{
    /* Most doubles that are not short decimals need 16 or 17 digits:
     * settle those with one or two probes before searching 1..15. */
    int lo = 1, hi = 17;
    round_to(v, 16, d);
    if (!reads_back(d, v)) {
        lo = 17;
    } else {
        hi = 16;
        round_to(v, 15, d);
        if (!reads_back(d, v))
            lo = 16;
        else
            hi = 15;
    }
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        round_to(v, mid, d);
        if (reads_back(d, v))
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo > 1) {
        decimal shorter, cand;
        round_to(v, lo - 1, &shorter);
        for (int delta = -1; delta <= 1; delta += 2) {
            nudge(&shorter, lo - 1, delta, &cand);
            if (reads_back(&cand, v)) {
                *d = cand;
                return;
            }
        }
    }
    round_to(v, lo, d);
}

int flowi_fmt_float(char *out, double v)
{
    if (isnan(v))
        return sprintf(out, "nan");
    if (isinf(v))
        return sprintf(out, v < 0 ? "-inf" : "inf");
    int n = 0;
    if (signbit(v)) {
        out[n++] = '-';
        v = -v;
    }
    if (v == 0.0)
        return n + sprintf(out + n, "0.0");
    if (v < 9007199254740992.0 && v == floor(v))    /* exact integer below 2^53 */
        return n + sprintf(out + n, "%.0f.0", v);
    decimal d;
    shortest(v, &d);
    if (d.exp < -4 || d.exp >= 16) {
        out[n++] = d.digits[0];
        if (d.ndigits > 1) {
            out[n++] = '.';
            memcpy(out + n, d.digits + 1, (size_t)d.ndigits - 1);
            n += d.ndigits - 1;
        }
        return n + sprintf(out + n, "e%c%02d", d.exp < 0 ? '-' : '+', abs(d.exp));
    }
    if (d.exp < 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int i = -1; i > d.exp; i--)
            out[n++] = '0';
        memcpy(out + n, d.digits, (size_t)d.ndigits);
        return n + d.ndigits;
    }
    /* d.exp + 1 integer digits, then the fraction (or ".0"). */
    for (int i = 0; i <= d.exp; i++)
        out[n++] = i < d.ndigits ? d.digits[i] : '0';
    out[n++] = '.';
    if (d.ndigits <= d.exp + 1) {
        out[n++] = '0';
    } else {
        memcpy(out + n, d.digits + d.exp + 1, (size_t)(d.ndigits - d.exp - 1));
        n += d.ndigits - d.exp - 1;
    }
    return n;
}

void flow_repr_float(flow_buf *b, double v)
{
    char tmp[32];
    int n = flowi_fmt_float(tmp, v);
    flow_buf_put(b, tmp, (size_t)n);
}

/* ---- str --------------------------------------------------------------- */

/* Python's str.isprintable() for a code point >= U+0080 (the generated
 * table of unicode.c). */
static bool is_printable(uint32_t cp)
{
    return !flowi_in_ranges(flowi_nonprint, flowi_nonprint_count, cp);
}

static void put_hex(flow_buf *b, char kind, uint32_t v, int width)
{
    static const char hex[] = "0123456789abcdef";
    flow_buf_putc(b, '\\');
    flow_buf_putc(b, kind);
    for (int shift = (width - 1) * 4; shift >= 0; shift -= 4)
        flow_buf_putc(b, hex[(v >> shift) & 0xF]);
}

void flow_repr_str(flow_buf *b, flow_str s)
{
    const char *p = s.p;
    size_t n = (size_t)s.n;
    bool has_single = n && memchr(p, '\'', n);
    bool has_double = n && memchr(p, '"', n);
    char quote = has_single && !has_double ? '"' : '\'';
    flow_buf_reserve(b, n + 2);
    flow_buf_putc(b, quote);
    size_t i = 0;
    while (i < n) {
        /* Copy the run of plain ASCII at once. */
        size_t j = i;
        while (j < n) {
            unsigned char c = (unsigned char)p[j];
            if (c < 0x20 || c >= 0x7F || c == '\\' || c == (unsigned char)quote)
                break;
            j++;
        }
        flow_buf_put(b, p + i, j - i);
        i = j;
        if (i == n)
            break;
        unsigned char c = (unsigned char)p[i];
        if (c < 0x80) {
            switch (c) {
            case '\\': flow_buf_put(b, "\\\\", 2); break;
            case '\n': flow_buf_put(b, "\\n", 2); break;
            case '\r': flow_buf_put(b, "\\r", 2); break;
            case '\t': flow_buf_put(b, "\\t", 2); break;
            default:
                if (c == (unsigned char)quote) {
                    flow_buf_putc(b, '\\');
                    flow_buf_putc(b, (char)c);
                } else {
                    put_hex(b, 'x', c, 2);
                }
            }
            i++;
            continue;
        }
        int len;
        uint32_t cp = flowi_utf8_decode((const unsigned char *)p + i, n - i, &len);
        if (len == 1 || !flow_utf8_valid(p + i, (size_t)len)) {
            put_hex(b, 'x', c, 2);    /* not UTF-8: show the byte */
            len = 1;
        } else if (is_printable(cp)) {
            flow_buf_put(b, p + i, (size_t)len);
        } else if (cp < 0x100) {
            put_hex(b, 'x', cp, 2);
        } else if (cp < 0x10000) {
            put_hex(b, 'u', cp, 4);
        } else {
            put_hex(b, 'U', cp, 8);
        }
        i += (size_t)len;
    }
    flow_buf_putc(b, quote);
}
