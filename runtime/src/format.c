/*
 * format.c - Python's format-spec mini-language (format(x, spec) and
 * f-strings) and the str methods join, split with maxsplit, strip(chars)
 * and zfill.
 *
 * Pipeline position: flowc parses and checks every spec when compiling
 * (flow_fmtspec_parse, with CPython's error messages), so a bad spec is a
 * compile-time error; the generated code passes the parsed spec to
 * flow_format_int/_float/_str at run time. The rules are CPython 3.11's
 * Python/formatter_unicode.c (parse_internal_render_format_spec,
 * calc_number_widths, fill_number) and the float digits those of
 * Python/pystrtod.c's format_float_short; the digits themselves come from
 * the C library's correctly rounded printf, as David Gay's dtoa's do in
 * CPython, so every digit agrees (tests/unit/test_format.c compares a
 * table computed by Python).
 */
#include "internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- parsing a spec ---------------------------------------------------- */

static bool fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

static bool is_align(char c)
{
    return c == '<' || c == '>' || c == '=' || c == '^';
}

/* Digits at S[*I..N) as a number into *OUT: the count of digits read, or
 * -1 when the number is too large. */
static int get_integer(const char *s, size_t n, size_t *i, int64_t *out)
{
    int64_t v = 0;
    int count = 0;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
        int d = s[*i] - '0';
        if (v > (INT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
        (*i)++;
        count++;
    }
    *out = v;
    return count;
}

static const char *type_name(char kind)
{
    return kind == 'i' ? "int" : kind == 'f' ? "float" : kind == 'b' ? "bool" : "str";
}

/* "'x'" or "'\x01'" as CPython names a format code in its messages. */
static const char *code_text(char c, char *buf)
{
    if ((unsigned char)c > 32 && (unsigned char)c < 128)
        sprintf(buf, "'%c'", c);
    else
        sprintf(buf, "'\\x%x'", (unsigned char)c);
    return buf;
}

bool flow_fmtspec_parse(const char *s, size_t n, char kind, flow_fmtspec *out, char *err, size_t errlen)
{
    flow_fmtspec f = { .fill = ' ', .width = -1, .precision = -1 };
    char default_align = kind == 's' ? '<' : '>';
    size_t i = 0;
    bool fill_set = false, align_set = false;
    /* [[fill]align]: a fill is one code point */
    int flen = 1;
    if (n > 0) {
        unsigned char c0 = (unsigned char)s[0];
        flen = c0 < 0x80 ? 1 : c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : 2;
    }
    if (n >= (size_t)flen + 1 && is_align(s[flen])) {
        int len;
        f.fill = flowi_utf8_decode((const unsigned char *)s, n, &len);
        f.align = s[flen];
        fill_set = align_set = true;
        i = (size_t)flen + 1;
    } else if (n >= 1 && is_align(s[0])) {
        f.align = s[0];
        align_set = true;
        i = 1;
    }
    if (i < n && (s[i] == '+' || s[i] == '-' || s[i] == ' '))
        f.sign = s[i++];
    if (i < n && s[i] == 'z') {
        f.z = true;
        i++;
    }
    if (i < n && s[i] == '#') {
        f.alt = true;
        i++;
    }
    if (!fill_set && i < n && s[i] == '0') {
        f.fill = '0';
        if (!align_set && default_align == '>')
            f.align = '=';
        i++;
    }
    int consumed = get_integer(s, n, &i, &f.width);
    if (consumed < 0)
        return fail(err, errlen, "Too many decimal digits in format string");
    if (consumed == 0)
        f.width = -1;
    if (i < n && s[i] == ',') {
        f.grouping = ',';
        i++;
    }
    if (i < n && s[i] == '_') {
        if (f.grouping)
            return fail(err, errlen, "Cannot specify both ',' and '_'.");
        f.grouping = '_';
        i++;
    }
    if (i < n && s[i] == ',' && f.grouping == '_')
        return fail(err, errlen, "Cannot specify both ',' and '_'.");
    if (i < n && s[i] == '.') {
        i++;
        consumed = get_integer(s, n, &i, &f.precision);
        if (consumed < 0)
            return fail(err, errlen, "Too many decimal digits in format string");
        if (consumed == 0)
            return fail(err, errlen, "Format specifier missing precision");
    }
    if (n - i > 1)
        return fail(err, errlen, "Invalid format specifier '%.*s' for object of type '%s'", (int)n, s,
                    type_name(kind));
    if (n - i == 1)
        f.type = s[i];
    else if (kind == 'i' || kind == 'b')
        f.type = 'd';   /* int's default type (a bool without a spec prints as str: the caller) */
    else if (kind == 's')
        f.type = 's';
    char cb[8];
    if (f.grouping) {
        switch (f.type) {
        case 'd': case 'e': case 'f': case 'g': case 'E': case 'G': case '%': case 'F': case 0:
            break;
        case 'b': case 'o': case 'x': case 'X':
            if (f.grouping == '_')
                break;   /* every four digits */
            /* fall through */
        default:
            return fail(err, errlen, "Cannot specify '%c' with %s.", f.grouping, code_text(f.type, cb));
        }
    }
    /* the checks of each type, as its __format__ makes them */
    if (kind == 's') {
        if (f.type && f.type != 's')
            return fail(err, errlen, "Unknown format code %s for object of type 'str'", code_text(f.type, cb));
        if (f.sign == ' ')
            return fail(err, errlen, "Space not allowed in string format specifier");
        if (f.sign)
            return fail(err, errlen, "Sign not allowed in string format specifier");
        if (f.z)
            return fail(err, errlen, "Negative zero coercion (z) not allowed in string format specifier");
        if (f.alt)
            return fail(err, errlen, "Alternate form (#) not allowed in string format specifier");
        if (f.align == '=')
            return fail(err, errlen, "'=' alignment not allowed in string format specifier");
    } else if (kind == 'i' || kind == 'b') {
        switch (f.type) {
        case 'b': case 'c': case 'd': case 'o': case 'x': case 'X': case 'n':
            if (f.precision >= 0)
                return fail(err, errlen, "Precision not allowed in integer format specifier");
            if (f.z)
                return fail(err, errlen, "Negative zero coercion (z) not allowed in integer format specifier");
            if (f.type == 'c' && f.sign)
                return fail(err, errlen, "Sign not allowed with integer format specifier 'c'");
            if (f.type == 'c' && f.alt)
                return fail(err, errlen, "Alternate form (#) not allowed with integer format specifier 'c'");
            break;
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case '%':
            break;   /* the int as a float */
        default:
            return fail(err, errlen, "Unknown format code %s for object of type '%s'", code_text(f.type, cb),
                        type_name(kind));
        }
    } else {
        switch (f.type) {
        case 0: case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'n': case '%':
            break;
        default:
            return fail(err, errlen, "Unknown format code %s for object of type 'float'", code_text(f.type, cb));
        }
    }
    if (!f.align)
        f.align = default_align;
    *out = f;
    return true;
}

/* ---- writing: padding, grouping ---------------------------------------- */

static void put_fill(flow_buf *b, uint32_t fill, int64_t n)
{
    char u[4];
    int len = flowi_utf8_encode(fill, u);
    for (int64_t i = 0; i < n; i++)
        flow_buf_put(b, u, (size_t)len);
}

/* S (LEN code points, N bytes) padded to the spec's width with its fill
 * and alignment ('<', '>', '^'). */
static void pad(flow_buf *b, const char *s, size_t n, int64_t len, const flow_fmtspec *sp)
{
    int64_t total = sp->width > len ? sp->width - len : 0;
    int64_t left = sp->align == '>' ? total : sp->align == '^' ? total / 2 : 0;
    put_fill(b, sp->fill, left);
    flow_buf_put(b, s, n);
    put_fill(b, sp->fill, total - left);
}

/* The digits D (N of them) with the separator SEP every GROUP digits from
 * the right, left-padded with '0's (grouped too) to at least MIN_WIDTH
 * characters, as CPython's _PyUnicode_InsertThousandsGrouping: padding
 * never starts with a separator (a '0' goes before it). Appended to B. */
static void grouped(flow_buf *b, const char *d, size_t n, char sep, int group, int64_t min_width)
{
    /* written from the right, so reversed, then turned around in place */
    size_t start = b->n, k = 0;
    size_t left = n;
    int in_group = 0;
    while (left > 0 || (int64_t)k < min_width) {
        if (sep && in_group == group) {
            flow_buf_putc(b, sep);
            k++;
            in_group = 0;
            if (left == 0) {   /* only padding follows: a digit after the separator */
                flow_buf_putc(b, '0');
                k++;
                in_group = 1;
            }
            continue;
        }
        flow_buf_putc(b, left > 0 ? d[--left] : '0');
        k++;
        in_group++;
    }
    for (size_t i = start, j = b->n > start ? b->n - 1 : start; i < j; i++, j--) {
        char c = b->p[i];
        b->p[i] = b->p[j];
        b->p[j] = c;
    }
}

/* COUNT fill code points FILL inserted into B at byte AT. */
static void insert_fill(flow_buf *b, size_t at, uint32_t fill, int64_t count)
{
    if (count <= 0)
        return;
    char u[4];
    size_t len = (size_t)flowi_utf8_encode(fill, u), total = len * (size_t)count;
    flow_buf_reserve(b, total);
    memmove(b->p + at + total, b->p + at, b->n - at);
    for (size_t i = 0; i < total; i += len)
        memcpy(b->p + at + i, u, len);
    b->n += total;
}

/* A number's parts, written as CPython's fill_number: [sign][prefix]
 * [digits, grouped][rest], padded to the width by the spec. DIGITS are
 * the integer digits (or 'c''s character, or "inf"), REST what follows
 * them ('.', the fraction, an exponent, '%'). */
static void put_number(flow_buf *b, char sign, const char *prefix, const char *digits, size_t nd, const char *rest,
                       size_t nrest, const flow_fmtspec *sp, int group, bool is_digits)
{
    size_t npre = strlen(prefix);
    int64_t nsign = sign ? 1 : 0;
    char sep = is_digits ? sp->grouping : 0;
    int64_t restlen = flow_utf8_len((flow_str){ rest, (int64_t)nrest });
    if (sp->fill == '0' && sp->align == '=' && sp->width > 0) {
        /* zero padding is part of the number: grouped as digits */
        int64_t min = sp->width - nsign - (int64_t)npre - restlen;
        if (sign)
            flow_buf_putc(b, sign);
        flow_buf_put(b, prefix, npre);
        if (is_digits)
            grouped(b, digits, nd, sep, group, min);
        else {
            put_fill(b, '0', min - flow_utf8_len((flow_str){ digits, (int64_t)nd }));
            flow_buf_put(b, digits, nd);
        }
        flow_buf_put(b, rest, nrest);
        return;
    }
    /* the number written where it goes, then the padding put around it */
    size_t start = b->n;
    if (sign)
        flow_buf_putc(b, sign);
    flow_buf_put(b, prefix, npre);
    size_t at = b->n;   /* where '=' pads */
    if (is_digits && sep)
        grouped(b, digits, nd, sep, group, 0);
    else
        flow_buf_put(b, digits, nd);
    flow_buf_put(b, rest, nrest);
    int64_t len = flow_utf8_len((flow_str){ b->p + start, (int64_t)(b->n - start) });
    int64_t total = sp->width > len ? sp->width - len : 0;
    if (sp->align == '=') {
        insert_fill(b, at, sp->fill, total);
    } else {
        int64_t left = sp->align == '>' ? total : sp->align == '^' ? total / 2 : 0;
        insert_fill(b, start, sp->fill, left);
        put_fill(b, sp->fill, total - left);
    }
}

/* ---- ints -------------------------------------------------------------- */

bool flow_format_int(flow_buf *b, int64_t v, const flow_fmtspec *sp)
{
    switch (sp->type) {
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case '%':
        flow_format_float(b, (double)v, sp);   /* int.__format__ converts */
        return true;
    default:
        break;
    }
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char sign = v < 0 ? '-' : sp->sign == '+' ? '+' : sp->sign == ' ' ? ' ' : 0;
    if (sp->type == 'c') {
        if (v < 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return false;
        char u8[4];
        int n = flowi_utf8_encode((uint32_t)v, u8);
        put_number(b, 0, "", u8, (size_t)n, "", 0, sp, 3, false);
        return true;
    }
    char digits[72];
    int base = sp->type == 'b' ? 2 : sp->type == 'o' ? 8 : sp->type == 'x' || sp->type == 'X' ? 16 : 10;
    const char *alphabet = sp->type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t n = 0;
    char rev[72];
    do {
        rev[n++] = alphabet[u % (unsigned)base];
        u /= (unsigned)base;
    } while (u);
    for (size_t i = 0; i < n; i++)
        digits[i] = rev[n - 1 - i];
    const char *prefix = "";
    if (sp->alt)
        prefix = base == 2 ? "0b" : base == 8 ? "0o" : sp->type == 'X' ? "0X" : base == 16 ? "0x" : "";
    put_number(b, sign, prefix, digits, n, "", 0, sp, base == 10 ? 3 : 4, true);
    return true;
}

/* ---- floats ------------------------------------------------------------ */

/* CPython's format_float_short for codes 'e', 'f', 'g' from DIGITS (ND
 * of them, no trailing zeros, at least one) with the decimal point DECPT
 * places from their start; PRECISION as CPython passes it ('e': digits
 * after the point + 1). Writes the unsigned text to OUT (room assumed). */
static size_t float_short(char *out, const char *digits, int nd, int decpt, char code, int precision,
                          bool add_dot_0, bool alt, bool upper)
{
    int vdigits_end = nd;
    bool use_exp = false;
    int exp = 0;
    switch (code) {
    case 'e':
        use_exp = true;
        vdigits_end = precision;
        break;
    case 'f':
        vdigits_end = decpt + precision;
        break;
    case 'r':
        if (decpt <= -4 || decpt > 16)
            use_exp = true;
        break;
    default:   /* 'g' */
        if (decpt <= -4 || decpt > (add_dot_0 ? precision - 1 : precision))
            use_exp = true;
        if (alt)
            vdigits_end = precision;
        break;
    }
    if (use_exp) {
        exp = decpt - 1;
        decpt = 1;
    }
    int vdigits_start = decpt <= 0 ? decpt - 1 : 0;
    if (!use_exp && add_dot_0)
        vdigits_end = vdigits_end > decpt ? vdigits_end : decpt + 1;
    else
        vdigits_end = vdigits_end > decpt ? vdigits_end : decpt;
    char *p = out;
    if (decpt <= 0) {
        memset(p, '0', (size_t)(decpt - vdigits_start));
        p += decpt - vdigits_start;
        *p++ = '.';
        memset(p, '0', (size_t)(0 - decpt));
        p += 0 - decpt;
    } else {
        memset(p, '0', (size_t)(0 - vdigits_start));
        p += 0 - vdigits_start;
    }
    if (0 < decpt && decpt <= nd) {
        memcpy(p, digits, (size_t)decpt);
        p += decpt;
        *p++ = '.';
        memcpy(p, digits + decpt, (size_t)(nd - decpt));
        p += nd - decpt;
    } else {
        memcpy(p, digits, (size_t)nd);
        p += nd;
    }
    if (nd < decpt) {
        memset(p, '0', (size_t)(decpt - nd));
        p += decpt - nd;
        *p++ = '.';
        memset(p, '0', (size_t)(vdigits_end - decpt));
        p += vdigits_end - decpt;
    } else {
        memset(p, '0', (size_t)(vdigits_end - nd));
        p += vdigits_end - nd;
    }
    if (p[-1] == '.' && !alt)
        p--;
    if (use_exp) {
        *p++ = upper ? 'E' : 'e';
        p += sprintf(p, "%+.02d", exp);
    }
    return (size_t)(p - out);
}

/* The correctly rounded decimal digits of X >= 0 (finite) in DIGITS (no
 * trailing zeros, "0" for zero) and the decimal point's place: N
 * significant digits (FIXED false, dtoa's mode 2) or N digits after the
 * point (FIXED true, mode 3). DIGITS has room for 320 + N bytes. */
static int float_digits(double x, bool fixed, int n, char *digits, int *decpt)
{
    size_t cap = (size_t)n + 400;
    char small[640];
    char *buf = cap <= sizeof small ? small : flow_alloc(cap);
    int nd = 0;
    if (!fixed) {
        snprintf(buf, cap, "%.*e", n - 1, x);
        char *e = strchr(buf, 'e');
        for (char *q = buf; q < e; q++)
            if (*q != '.')
                digits[nd++] = *q;
        *decpt = atoi(e + 1) + 1;
    } else {
        snprintf(buf, cap, "%.*f", n, x);
        int point = -1;
        for (char *q = buf; *q; q++) {
            if (*q == '.')
                point = nd;
            else
                digits[nd++] = *q;
        }
        *decpt = point < 0 ? nd : point;
        int lead = 0;
        while (lead < nd - 1 && digits[lead] == '0')
            lead++;
        memmove(digits, digits + lead, (size_t)(nd - lead));
        nd -= lead;
        *decpt -= lead;
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (nd == 1 && digits[0] == '0')
        *decpt = 1;
    if (buf != small)
        flow_free(buf, cap);
    return nd;
}

void flow_format_float(flow_buf *b, double v, const flow_fmtspec *sp)
{
    char type = sp->type;
    bool add_dot_0 = false, pct = false, upper = type == 'E' || type == 'F' || type == 'G';
    int precision = (int)(sp->precision < 0 ? -1 : sp->precision > 100000 ? 100000 : sp->precision);
    char code;
    switch (type) {
    case 0:
        add_dot_0 = true;
        code = precision < 0 ? 'r' : 'g';
        break;
    case 'n':
    case 'g':
    case 'G':
        code = 'g';
        break;
    case '%':
        code = 'f';
        pct = true;
        v *= 100;
        break;
    case 'e':
    case 'E':
        code = 'e';
        break;
    default:
        code = 'f';
        break;
    }
    if (precision < 0)
        precision = 6;
    bool neg = signbit(v) && !isnan(v);
    double x = fabs(v);
    size_t cap = (size_t)precision + 420;
    char text_small[640], digits_small[640];   /* no allocation for the usual precisions */
    char *text = cap <= sizeof text_small ? text_small : flow_alloc(cap);
    size_t n;
    bool zero;
    if (isinf(x) || isnan(x)) {
        n = (size_t)sprintf(text, "%s", isinf(x) ? (upper ? "INF" : "inf") : (upper ? "NAN" : "nan"));
        zero = false;
    } else if (code == 'r') {
        /* repr's digits (the shortest that round-trip), laid out by
         * format_float_short's 'r' rules (which '#' changes) */
        char r[32], digits[32];
        int rn = flowi_fmt_float(r, x), nd = 0, decpt = 0, exp = 0;
        bool seen_point = false;
        for (int i = 0; i < rn; i++) {
            if (r[i] == 'e') {
                exp = atoi(r + i + 1);
                break;
            }
            if (r[i] == '.')
                seen_point = true;
            else {
                digits[nd++] = r[i];
                if (!seen_point)
                    decpt++;
            }
        }
        decpt += exp;
        int lead = 0;
        while (lead < nd - 1 && digits[lead] == '0')
            lead++;
        memmove(digits, digits + lead, (size_t)(nd - lead));
        nd -= lead;
        decpt -= lead;
        while (nd > 1 && digits[nd - 1] == '0')
            nd--;
        if (nd == 1 && digits[0] == '0')
            decpt = 1;
        zero = x == 0.0;
        n = float_short(text, digits, nd, decpt, 'r', 0, true, sp->alt, false);
    } else {
        char *digits = cap <= sizeof digits_small ? digits_small : flow_alloc(cap);
        int decpt;
        int nd;
        if (code == 'f') {
            nd = float_digits(x, true, precision, digits, &decpt);
        } else {
            int sig = code == 'e' ? precision + 1 : precision == 0 ? 1 : precision;
            nd = float_digits(x, false, sig, digits, &decpt);
        }
        zero = nd == 1 && digits[0] == '0';
        n = float_short(text, digits, nd, decpt, code, code == 'e' ? precision + 1 : precision == 0 && code == 'g' ? 1 : precision,
                        add_dot_0, sp->alt, upper);
        if (digits != digits_small)
            flow_free(digits, cap);
    }
    if (pct)
        text[n++] = '%';
    if (zero && sp->z)
        neg = false;
    char sign = neg ? '-' : sp->sign == '+' ? '+' : sp->sign == ' ' ? ' ' : 0;
    /* the integer digits are grouped; the rest follows them */
    size_t nd = 0;
    while (nd < n && text[nd] >= '0' && text[nd] <= '9')
        nd++;
    bool digits_first = nd > 0;
    put_number(b, sign, "", text, digits_first ? nd : n, text + (digits_first ? nd : n), digits_first ? n - nd : 0, sp, 3,
               digits_first);
    if (text != text_small)
        flow_free(text, cap);
}

/* ---- strings ----------------------------------------------------------- */

void flow_format_str(flow_buf *b, flow_str s, const flow_fmtspec *sp)
{
    /* precision: at most that many code points */
    int64_t n = s.n, len = 0;
    for (int64_t i = 0; i < s.n; len++) {
        if (sp->precision >= 0 && len == sp->precision) {
            n = i;
            break;
        }
        size_t step = flowi_utf8_seq((const unsigned char *)s.p + i, (size_t)(s.n - i));
        i += step ? (int64_t)step : 1;
    }
    pad(b, s.p, (size_t)n, len, sp);
}
