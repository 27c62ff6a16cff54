/*
 * jsonv.c - the `json` type: a JSON value without a schema, as Python's
 * json.loads returns it (dict, list, str, int, float, bool, None).
 *
 * A value is kept as its canonical text in a flow_str (docs/language.md,
 * "JSON values"): no whitespace, strings with only `\"`, `\\` and control
 * characters escaped (`\n \r \t \b \f`, else `\u00XX`), other text as
 * UTF-8, numbers and the names `true false null NaN Infinity -Infinity`
 * as written, duplicate object keys kept as they came (each access
 * resolves them as Python's dict does: the last value, at the first
 * key's place). So a value copies, encodes (recovery, exchange between
 * workers) and compares byte-wise as a string does, and every part of a
 * value (a member, an element) is a slice of its text: reading one
 * allocates nothing. flow_jv_parse is the only way in from outside text
 * (it validates as Python's json.loads and canonicalises); the other
 * functions trust their input to be canonical.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- canonicalising parser ----------------------------------------------- */

typedef struct jparse {
    const char *s, *p, *end;   /* the text, the cursor, its end */
    char *o;                   /* output cursor */
    const char *msg;           /* the first error */
    const char *at;            /* where it is */
    int depth;
} jparse;

#define JV_MAX_DEPTH 1000   /* Python's default recursion limit */

static bool jerr(jparse *J, const char *msg, const char *at)
{
    if (!J->msg) {
        J->msg = msg;
        J->at = at;
    }
    return false;
}

static void skip_ws(jparse *J)
{
    while (J->p < J->end && (*J->p == ' ' || *J->p == '\t' || *J->p == '\n' || *J->p == '\r'))
        J->p++;
}

static bool lit(jparse *J, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(J->end - J->p) < n || memcmp(J->p, w, n) != 0)
        return false;
    memcpy(J->o, w, n);
    J->o += n;
    J->p += n;
    return true;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Append code point C to the output in canonical form. */
static void put_cp(jparse *J, uint32_t c)
{
    static const char hex[] = "0123456789abcdef";
    if (c < 0x20) {
        char e = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c == '\b' ? 'b' : c == '\f' ? 'f' : 0;
        *J->o++ = '\\';
        if (e) {
            *J->o++ = e;
        } else {
            memcpy(J->o, "u00", 3);
            J->o += 3;
            *J->o++ = hex[c >> 4];
            *J->o++ = hex[c & 15];
        }
    } else if (c == '"' || c == '\\') {
        *J->o++ = '\\';
        *J->o++ = (char)c;
    } else if (c < 0x80) {
        *J->o++ = (char)c;
    } else if (c < 0x800) {
        *J->o++ = (char)(0xC0 | c >> 6);
        *J->o++ = (char)(0x80 | (c & 63));
    } else if (c < 0x10000) {
        *J->o++ = (char)(0xE0 | c >> 12);
        *J->o++ = (char)(0x80 | (c >> 6 & 63));
        *J->o++ = (char)(0x80 | (c & 63));
    } else {
        *J->o++ = (char)(0xF0 | c >> 18);
        *J->o++ = (char)(0x80 | (c >> 12 & 63));
        *J->o++ = (char)(0x80 | (c >> 6 & 63));
        *J->o++ = (char)(0x80 | (c & 63));
    }
}

/* A string at J->p (the opening quote), as Python's scanstring (strict). */
static bool parse_string(jparse *J)
{
    const char *start = J->p++;
    *J->o++ = '"';
    for (;;) {
        if (J->p >= J->end)
            return jerr(J, "Unterminated string starting at", start);
        unsigned char c = (unsigned char)*J->p;
        if (c == '"') {
            J->p++;
            *J->o++ = '"';
            return true;
        }
        if (c < 0x20)
            return jerr(J, "Invalid control character at", J->p);
        if (c != '\\') {
            /* a run of plain bytes, copied as they are (checked UTF-8 below) */
            const char *r = J->p;
            while (J->p < J->end && *J->p != '"' && *J->p != '\\' && (unsigned char)*J->p >= 0x20)
                J->p++;
            if (!flow_utf8_valid(r, (size_t)(J->p - r)))
                return jerr(J, "Invalid UTF-8 in string starting at", start);
            memcpy(J->o, r, (size_t)(J->p - r));
            J->o += J->p - r;
            continue;
        }
        if (J->p + 1 >= J->end)
            return jerr(J, "Unterminated string starting at", start);
        char e = J->p[1];
        uint32_t cp;
        switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u': {
            int h = hex4(J->p + 2, J->end);
            if (h < 0)
                return jerr(J, "Invalid \\uXXXX escape", J->p + 1);
            cp = (uint32_t)h;
            if (cp >= 0xD800 && cp < 0xDC00 && J->end - J->p >= 12 && J->p[6] == '\\' && J->p[7] == 'u') {
                int lo = hex4(J->p + 8, J->end);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                    J->p += 6;
                }
            }
            if (cp >= 0xD800 && cp < 0xE000)   /* a lone surrogate: no UTF-8 for it */
                return jerr(J, "Lone surrogate \\uXXXX escape", J->p + 1);
            J->p += 4;
            break;
        }
        default:
            return jerr(J, "Invalid \\escape", J->p);
        }
        J->p += 2;
        put_cp(J, cp);
    }
}

static bool digits(jparse *J)
{
    const char *d = J->p;
    while (J->p < J->end && *J->p >= '0' && *J->p <= '9')
        J->p++;
    return J->p > d;
}

/* A number, as Python's NUMBER_RE: -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?,
 * copied as written (a fraction or exponent without digits ends it
 * before them, as Python's regex does). */
static bool parse_number(jparse *J)
{
    const char *s = J->p;
    if (*J->p == '-')
        J->p++;
    if (J->p < J->end && *J->p == '0')
        J->p++;
    else if (!digits(J))
        return jerr(J, "Expecting value", s);
    if (J->p + 1 < J->end && *J->p == '.' && J->p[1] >= '0' && J->p[1] <= '9') {
        J->p++;
        digits(J);
    }
    if (J->p < J->end && (*J->p == 'e' || *J->p == 'E')) {
        const char *m = J->p++;
        if (J->p < J->end && (*J->p == '+' || *J->p == '-'))
            J->p++;
        if (!digits(J))
            J->p = m;
    }
    memcpy(J->o, s, (size_t)(J->p - s));
    J->o += J->p - s;
    return true;
}

static bool parse_value(jparse *J);

static bool parse_container(jparse *J, bool obj)
{
    if (++J->depth > JV_MAX_DEPTH)
        return jerr(J, "Nesting too deep (more than 1000 levels) at", J->p);
    *J->o++ = *J->p++;
    skip_ws(J);
    char close = obj ? '}' : ']';
    if (J->p < J->end && *J->p == close) {
        *J->o++ = *J->p++;
        J->depth--;
        return true;
    }
    for (;;) {
        if (obj) {
            if (J->p >= J->end || *J->p != '"')
                return jerr(J, "Expecting property name enclosed in double quotes", J->p);
            if (!parse_string(J))
                return false;
            skip_ws(J);
            if (J->p >= J->end || *J->p != ':')
                return jerr(J, "Expecting ':' delimiter", J->p);
            *J->o++ = *J->p++;
            skip_ws(J);
        }
        if (!parse_value(J))
            return false;
        skip_ws(J);
        if (J->p < J->end && *J->p == close) {
            *J->o++ = *J->p++;
            J->depth--;
            return true;
        }
        if (J->p >= J->end || *J->p != ',')
            return jerr(J, "Expecting ',' delimiter", J->p);
        *J->o++ = *J->p++;
        skip_ws(J);
    }
}

static bool parse_value(jparse *J)
{
    if (J->p >= J->end)
        return jerr(J, "Expecting value", J->p);
    switch (*J->p) {
    case '"': return parse_string(J);
    case '{': return parse_container(J, true);
    case '[': return parse_container(J, false);
    case 't': if (lit(J, "true")) return true; break;
    case 'f': if (lit(J, "false")) return true; break;
    case 'n': if (lit(J, "null")) return true; break;
    case 'N': if (lit(J, "NaN")) return true; break;
    case 'I': if (lit(J, "Infinity")) return true; break;
    case '-':
        if (lit(J, "-Infinity"))
            return true;
        return parse_number(J);
    default:
        if (*J->p >= '0' && *J->p <= '9')
            return parse_number(J);
    }
    return jerr(J, "Expecting value", J->p);
}

/* Python's JSONDecodeError text: "MSG: line L column C (char K)", L, C
 * and K counted in code points as Python counts them in a str. */
static void decode_error(flow_buf *err, const jparse *J)
{
    int64_t line = 1, col = 1, ch = 0;
    for (const char *q = J->s; q < J->at; q++) {
        if (((unsigned char)*q & 0xC0) == 0x80)
            continue;
        ch++;
        col++;
        if (*q == '\n') {
            line++;
            col = 1;
        }
    }
    char tail[96];
    snprintf(tail, sizeof tail, ": line %lld column %lld (char %lld)", (long long)line, (long long)col,
             (long long)ch);
    err->n = 0;
    flow_buf_puts(err, J->msg);
    flow_buf_puts(err, tail);
    flow_buf_putc(err, 0);
    err->n--;
}

bool flow_jv_parse(flow_arena *a, const char *p, size_t n, flow_str *out, flow_buf *err)
{
    char *o = flow_arena_alloc(a, n + 1);
    jparse J = { .s = p, .p = p, .end = p + n, .o = o };
    skip_ws(&J);
    bool ok = parse_value(&J);
    if (ok) {
        skip_ws(&J);
        if (J.p < J.end)
            ok = jerr(&J, "Extra data", J.p);
    }
    if (!ok) {
        decode_error(err, &J);
        return false;
    }
    *out = (flow_str){ o, (int64_t)(J.o - o) };
    return true;
}

/* ---- walking canonical text ---------------------------------------------- */

/* The end of the string token at P (just after its closing quote). */
static const char *str_end(const char *p)
{
    for (p++; *p != '"'; p++)
        if (*p == '\\')
            p++;
    return p + 1;
}

/* The end of the value at P (before END). */
static const char *val_end(const char *p, const char *end)
{
    if (*p == '"')
        return str_end(p);
    if (*p == '{' || *p == '[') {
        int d = 0;
        for (;;) {
            char c = *p;
            if (c == '"') {
                p = str_end(p);
                continue;
            }
            p++;
            if (c == '{' || c == '[')
                d++;
            else if ((c == '}' || c == ']') && --d == 0)
                return p;
        }
    }
    while (p < end && *p != ',' && *p != ']' && *p != '}')
        p++;
    return p;
}

typedef enum { JV_NULL, JV_FALSE, JV_TRUE, JV_INT, JV_FLOAT, JV_STR, JV_LIST, JV_DICT } jkind;

static jkind kind(flow_str j)
{
    if (j.n == 0)
        return JV_NULL;   /* a zeroed value (never made by a program): null */
    switch (j.p[0]) {
    case 'n': return JV_NULL;
    case 't': return JV_TRUE;
    case 'f': return JV_FALSE;
    case '"': return JV_STR;
    case '[': return JV_LIST;
    case '{': return JV_DICT;
    case 'N': case 'I': return JV_FLOAT;
    default:
        for (int64_t i = 0; i < j.n; i++)
            if (j.p[i] == '.' || j.p[i] == 'e' || j.p[i] == 'E' || j.p[i] == 'I')
                return JV_FLOAT;
        return JV_INT;
    }
}

const char *flow_jv_type(flow_str j)
{
    static const char *const names[] = { "NoneType", "bool", "bool", "int", "float", "str", "list", "dict" };
    return names[kind(j)];
}

/* A cursor over the members of an object or the elements of an array. */
typedef struct jiter {
    const char *p, *end;
    flow_str key;   /* a member's key token, quotes included */
    flow_str val;
} jiter;

static jiter iter_begin(flow_str j)
{
    return (jiter){ j.p + 1, j.p + j.n, { 0 }, { 0 } };
}

static bool iter_next(jiter *it, bool obj)
{
    if (*it->p == '}' || *it->p == ']')
        return false;
    if (obj) {
        const char *k = it->p, *ke = str_end(k);
        it->key = (flow_str){ k, ke - k };
        it->p = ke + 1;
    }
    const char *ve = val_end(it->p, it->end);
    it->val = (flow_str){ it->p, ve - it->p };
    it->p = *ve == ',' ? ve + 1 : ve;
    return true;
}

/* Canonical string token T (quotes included) equal to the text K? */
static bool key_is(flow_str t, flow_str k)
{
    const char *p = t.p + 1, *e = t.p + t.n - 1;
    int64_t i = 0;
    while (p < e) {
        unsigned char c = (unsigned char)*p++;
        if (c == '\\') {
            char x = *p++;
            c = x == 'n' ? '\n' : x == 'r' ? '\r' : x == 't' ? '\t' : x == 'b' ? '\b' : x == 'f' ? '\f'
                : x == 'u' ? (unsigned char)(hexval(p[2]) * 16 + hexval(p[3])) : (unsigned char)x;
            if (x == 'u')
                p += 4;
        }
        if (i >= k.n || (unsigned char)k.p[i] != c)
            return false;
        i++;
    }
    return i == k.n;
}

static bool tok_eq(flow_str a, flow_str b)
{
    return a.n == b.n && memcmp(a.p, b.p, (size_t)a.n) == 0;
}

/* The value of KEY (a token) in object J as Python's dict has it: the last
 * member with that key. */
static flow_str last_value(flow_str j, flow_str key)
{
    flow_str v = { 0 };
    jiter it = iter_begin(j);
    while (iter_next(&it, true))
        if (tok_eq(it.key, key))
            v = it.val;
    return v;
}

/* Is the member at IT.key the first one with its key in object J? */
static bool first_of_key(flow_str j, const jiter *at)
{
    jiter it = iter_begin(j);
    while (iter_next(&it, true) && it.key.p != at->key.p)
        if (tok_eq(it.key, at->key))
            return false;
    return true;
}

/* The decoded text of string token T, in A (a slice of T when it has no
 * escape). */
static flow_str str_text(flow_arena *a, flow_str t)
{
    const char *p = t.p + 1, *e = t.p + t.n - 1;
    if (!memchr(p, '\\', (size_t)(e - p)))
        return (flow_str){ p, e - p };
    char *o = flow_arena_alloc(a, (size_t)(e - p)), *q = o;
    while (p < e) {
        char c = *p++;
        if (c == '\\') {
            char x = *p++;
            c = x == 'n' ? '\n' : x == 'r' ? '\r' : x == 't' ? '\t' : x == 'b' ? '\b' : x == 'f' ? '\f'
                : x == 'u' ? (char)(hexval(p[2]) * 16 + hexval(p[3])) : x;
            if (x == 'u')
                p += 4;
        }
        *q++ = c;
    }
    return (flow_str){ o, q - o };
}

/* The double of number token T (strtod needs a NUL). */
static double num_value(flow_str t)
{
    if (t.p[0] == 'N')
        return NAN;
    if (t.p[0] == 'I')
        return INFINITY;
    if (t.p[0] == '-' && t.p[1] == 'I')
        return -INFINITY;
    char small[64];
    char *b = (size_t)t.n < sizeof small ? small : flow_alloc((size_t)t.n + 1);
    memcpy(b, t.p, (size_t)t.n);
    b[t.n] = 0;
    double d = strtod(b, NULL);
    if (b != small)
        flow_free(b, (size_t)t.n + 1);
    return d;
}

/* An int token's digits as Python prints the int ("-0" is 0). */
static flow_str int_digits(flow_str t)
{
    if (t.n == 2 && t.p[0] == '-' && t.p[1] == '0')
        return (flow_str){ t.p + 1, 1 };
    return t;
}

/* ---- printing ------------------------------------------------------------ */

/* Decoded string token T through PUT (flow_repr_str or flow_json_put_str),
 * decoding into a stack buffer, or the heap when long. */
static void put_text(flow_buf *b, flow_str t, void (*put)(flow_buf *, flow_str))
{
    flow_arena a;
    flow_arena_init(&a);
    put(b, str_text(&a, t));
    flow_arena_destroy(&a);
}

static void write_value(flow_buf *b, flow_str j, bool json)
{
    switch (kind(j)) {
    case JV_NULL: flow_buf_puts(b, json ? "null" : "None"); return;
    case JV_TRUE: flow_buf_puts(b, json ? "true" : "True"); return;
    case JV_FALSE: flow_buf_puts(b, json ? "false" : "False"); return;
    case JV_INT: {
        flow_str d = int_digits(j);
        flow_buf_put(b, d.p, (size_t)d.n);
        return;
    }
    case JV_FLOAT:
        if (json)
            flow_json_put_float(b, num_value(j));
        else
            flow_repr_float(b, num_value(j));
        return;
    case JV_STR:
        if (!memchr(j.p, '\\', (size_t)j.n))
            (json ? flow_json_put_str : flow_repr_str)(b, (flow_str){ j.p + 1, j.n - 2 });
        else
            put_text(b, j, json ? flow_json_put_str : flow_repr_str);
        return;
    case JV_LIST: {
        flow_buf_putc(b, '[');
        jiter it = iter_begin(j);
        for (bool first = true; iter_next(&it, false); first = false) {
            if (!first)
                flow_buf_put(b, ", ", 2);
            write_value(b, it.val, json);
        }
        flow_buf_putc(b, ']');
        return;
    }
    case JV_DICT: {
        flow_buf_putc(b, '{');
        jiter it = iter_begin(j);
        bool first = true;
        while (iter_next(&it, true)) {
            if (!first_of_key(j, &it))
                continue;
            if (!first)
                flow_buf_put(b, ", ", 2);
            first = false;
            write_value(b, it.key, json);
            flow_buf_put(b, ": ", 2);
            write_value(b, last_value(j, it.key), json);
        }
        flow_buf_putc(b, '}');
        return;
    }
    }
}

void flow_jv_repr(flow_buf *b, flow_str j) { write_value(b, j, false); }

void flow_jv_put_json(flow_buf *b, flow_str j) { write_value(b, j, true); }

void flow_jv_str_form(flow_buf *b, flow_str j)
{
    if (kind(j) != JV_STR) {
        write_value(b, j, false);
        return;
    }
    flow_arena a;
    flow_arena_init(&a);
    flow_str t = str_text(&a, j);
    flow_buf_put(b, t.p, (size_t)t.n);
    flow_arena_destroy(&a);
}

flow_str flow_jv_to_str(flow_arena *a, flow_str j, flow_buf *scratch)
{
    if (kind(j) == JV_STR)
        return str_text(a, j);
    scratch->n = 0;
    write_value(scratch, j, false);
    return flow_str_dup(a, (flow_str){ scratch->p, (int64_t)scratch->n });
}

/* ---- errors ---------------------------------------------------------------- */

/* Start ERR's message: "PREFIX" */
static bool fail(flow_buf *err, const char *msg)
{
    err->n = 0;
    flow_buf_puts(err, msg);
    return false;
}

/* End ERR's message (NUL-terminated, the NUL not counted). */
static bool done(flow_buf *err)
{
    flow_buf_putc(err, 0);
    err->n--;
    return false;
}

/* ERR: "PRE" and Python's repr of the text S. */
static bool fail_repr(flow_buf *err, const char *pre, flow_str s)
{
    fail(err, pre);
    flow_repr_str(err, s);
    return done(err);
}

static bool fail_type(flow_buf *err, const char *pre, flow_str j, const char *post)
{
    fail(err, pre);
    flow_buf_puts(err, flow_jv_type(j));
    flow_buf_puts(err, post);
    return done(err);
}

/* ---- access ---------------------------------------------------------------- */

bool flow_jv_is_dict(flow_str j, const char *method, flow_buf *err)
{
    if (kind(j) == JV_DICT)
        return true;
    fail_type(err, "AttributeError: '", j, "' object has no attribute '");
    flow_buf_puts(err, method);
    flow_buf_putc(err, '\'');
    return done(err);
}

int flow_jv_get(flow_str j, flow_str key, flow_str *out, flow_buf *err)
{
    if (!flow_jv_is_dict(j, "get", err))
        return -1;
    bool found = false;
    jiter it = iter_begin(j);
    while (iter_next(&it, true))
        if (key_is(it.key, key)) {
            *out = it.val;
            found = true;
        }
    return found;
}

bool flow_jv_index_str(flow_str j, flow_str key, flow_str *out, flow_buf *err)
{
    switch (kind(j)) {
    case JV_DICT:
        return flow_jv_get(j, key, out, err) == 1 || fail_repr(err, "KeyError: ", key);
    case JV_LIST: return fail(err, "TypeError: list indices must be integers or slices, not str"), done(err);
    case JV_STR: return fail(err, "TypeError: string indices must be integers, not 'str'"), done(err);
    default: return fail_type(err, "TypeError: '", j, "' object is not subscriptable");
    }
}

bool flow_jv_index_int(flow_arena *a, flow_str j, int64_t i, flow_str *out, flow_buf *err)
{
    jkind k = kind(j);
    if (k == JV_DICT) {
        fail(err, "KeyError: ");
        flow_repr_int(err, i);
        return done(err);
    }
    if (k != JV_LIST && k != JV_STR)
        return fail_type(err, "TypeError: '", j, "' object is not subscriptable");
    int64_t n;
    flow_jv_len(j, &n, err);
    if (i < 0)
        i += n;
    if (i < 0 || i >= n) {
        fail(err, k == JV_LIST ? "IndexError: list index out of range" : "IndexError: string index out of range");
        return done(err);
    }
    if (k == JV_STR) {   /* a one-character string, as Python's s[i] */
        flow_str t = str_text(a, j), c = flow_str_substr(a, t, i, 1);
        *out = flow_jv_from_str(a, c);
        return true;
    }
    jiter it = iter_begin(j);
    for (int64_t x = 0; iter_next(&it, false); x++)
        if (x == i)
            *out = it.val;
    return true;
}

bool flow_jv_len(flow_str j, int64_t *out, flow_buf *err)
{
    int64_t n = 0;
    switch (kind(j)) {
    case JV_DICT: {
        jiter it = iter_begin(j);
        while (iter_next(&it, true))
            n += first_of_key(j, &it);
        break;
    }
    case JV_LIST: {
        jiter it = iter_begin(j);
        while (iter_next(&it, false))
            n++;
        break;
    }
    case JV_STR: {
        flow_arena a;
        flow_arena_init(&a);
        n = flow_utf8_len(str_text(&a, j));
        flow_arena_destroy(&a);
        break;
    }
    default:
        return fail_type(err, "TypeError: object of type '", j, "' has no len()");
    }
    *out = n;
    return true;
}

bool flow_jv_iter(flow_arena *a, flow_str j, flow_list_str *out, flow_buf *err)
{
    flow_list_str r = { 0 };
    int64_t n = 0;
    jkind k = kind(j);
    if (k != JV_DICT && k != JV_LIST && k != JV_STR)
        return fail_type(err, "TypeError: '", j, "' object is not iterable");
    flow_jv_len(j, &n, err);
    r.v = flow_arena_alloc(a, sizeof(flow_str) * (size_t)(n ? n : 1));
    if (k == JV_STR) {
        flow_str t = str_text(a, j);
        for (int64_t i = 0; i < n; i++)
            r.v[r.n++] = flow_jv_from_str(a, flow_str_substr(a, t, i, 1));
    } else {
        jiter it = iter_begin(j);
        while (iter_next(&it, k == JV_DICT))
            if (k == JV_LIST)
                r.v[r.n++] = it.val;
            else if (first_of_key(j, &it))
                r.v[r.n++] = it.key;
    }
    *out = r;
    return true;
}

/* ---- conversions ------------------------------------------------------------ */

bool flow_jv_to_int(flow_arena *a, flow_str j, int64_t *out, flow_buf *err)
{
    switch (kind(j)) {
    case JV_TRUE: *out = 1; return true;
    case JV_FALSE: *out = 0; return true;
    case JV_INT: {
        if (flow_int_parse(j, out))
            return true;
        fail(err, "OverflowError: int() of a JSON number beyond 64 bits: ");
        flow_buf_put(err, j.p, (size_t)j.n);
        return done(err);
    }
    case JV_FLOAT: {
        double d = num_value(j);
        if (isnan(d))
            return fail(err, "ValueError: cannot convert float NaN to integer"), done(err);
        if (isinf(d))
            return fail(err, "OverflowError: cannot convert float infinity to integer"), done(err);
        if (!(d > -9223372036854775809.0 && d < 9223372036854775808.0))
            return fail(err, "cannot convert float to int: out of range"), done(err);
        *out = (int64_t)d;
        return true;
    }
    case JV_STR: {
        flow_str t = str_text(a, j);
        return flow_int_parse(t, out) || fail_repr(err, "ValueError: invalid literal for int() with base 10: ", t);
    }
    default:
        return fail_type(err, "TypeError: int() argument must be a string, a bytes-like object or a real number, not '",
                         j, "'");
    }
}

bool flow_jv_to_float(flow_arena *a, flow_str j, double *out, flow_buf *err)
{
    switch (kind(j)) {
    case JV_TRUE: *out = 1.0; return true;
    case JV_FALSE: *out = 0.0; return true;
    case JV_INT:
    case JV_FLOAT: *out = num_value(j); return true;
    case JV_STR: {
        flow_str t = str_text(a, j);
        return flow_float_parse(t, out) || fail_repr(err, "ValueError: could not convert string to float: ", t);
    }
    default:
        return fail_type(err, "TypeError: float() argument must be a string or a real number, not '", j, "'");
    }
}

bool flow_jv_truth(flow_str j)
{
    switch (kind(j)) {
    case JV_NULL: case JV_FALSE: return false;
    case JV_TRUE: return true;
    case JV_INT: case JV_FLOAT: return num_value(j) != 0.0;
    case JV_STR: return j.n > 2;
    default: return j.n > 2;
    }
}

/* ---- building ---------------------------------------------------------------- */

flow_str flow_jv_from_int(flow_arena *a, int64_t v) { return flow_str_from_int(a, v); }

flow_str flow_jv_from_float(flow_arena *a, double v)
{
    if (isnan(v))
        return FLOW_STR("NaN");
    if (isinf(v))
        return v > 0 ? FLOW_STR("Infinity") : FLOW_STR("-Infinity");
    return flow_str_from_float(a, v);   /* repr: always a '.' or an exponent */
}

flow_str flow_jv_from_bool(bool v) { return v ? FLOW_STR("true") : FLOW_STR("false"); }

flow_str flow_jv_from_str(flow_arena *a, flow_str s)
{
    char *o = flow_arena_alloc(a, (size_t)s.n * 6 + 2);
    jparse J = { .o = o };
    *J.o++ = '"';
    for (int64_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x20 || c == '"' || c == '\\')
            put_cp(&J, c);
        else
            *J.o++ = (char)c;
    }
    *J.o++ = '"';
    return (flow_str){ o, J.o - o };
}

/* ---- equality and membership -------------------------------------------------- */

/* A number token (or a bool, as Python's True == 1) as a double and, when
 * an int fitting 64 bits, as that int. */
static bool int_of(flow_str j, jkind k, int64_t *v)
{
    if (k == JV_TRUE || k == JV_FALSE) {
        *v = k == JV_TRUE;
        return true;
    }
    return k == JV_INT && flow_int_parse(j, v);
}

static bool num_eq(flow_str a, jkind ka, flow_str b, jkind kb)
{
    int64_t x, y;
    bool xi = int_of(a, ka, &x), yi = int_of(b, kb, &y);
    if (xi && yi)
        return x == y;
    if (ka == JV_INT && kb == JV_INT)   /* beyond 64 bits: the same digits */
        return tok_eq(int_digits(a), int_digits(b));
    double dx = xi ? (double)x : ka == JV_TRUE ? 1 : ka == JV_FALSE ? 0 : num_value(a);
    double dy = yi ? (double)y : kb == JV_TRUE ? 1 : kb == JV_FALSE ? 0 : num_value(b);
    if (dx != dy)
        return false;
    /* an int against a float: exact when the int fits 64 bits */
    if (xi && !yi && kb == JV_FLOAT)
        return dy > -9223372036854775809.0 && dy < 9223372036854775808.0 && (int64_t)dy == x;
    if (yi && !xi && ka == JV_FLOAT)
        return dx > -9223372036854775809.0 && dx < 9223372036854775808.0 && (int64_t)dx == y;
    return true;
}

static bool is_num(jkind k) { return k == JV_INT || k == JV_FLOAT || k == JV_TRUE || k == JV_FALSE; }

bool flow_jv_eq(flow_str a, flow_str b)
{
    jkind ka = kind(a), kb = kind(b);
    if (is_num(ka) && is_num(kb))
        return num_eq(a, ka, b, kb);
    if (ka != kb)
        return false;
    switch (ka) {
    case JV_NULL: return true;
    case JV_STR: return tok_eq(a, b);
    case JV_LIST: {
        jiter x = iter_begin(a), y = iter_begin(b);
        for (;;) {
            bool mx = iter_next(&x, false), my = iter_next(&y, false);
            if (mx != my)
                return false;
            if (!mx)
                return true;
            if (!flow_jv_eq(x.val, y.val))
                return false;
        }
    }
    case JV_DICT: {
        int64_t na = 0, nb = 0;
        flow_buf e = { 0 };
        flow_jv_len(a, &na, &e);
        flow_jv_len(b, &nb, &e);
        if (na != nb)
            return false;
        jiter it = iter_begin(a);
        while (iter_next(&it, true)) {
            if (!first_of_key(a, &it))
                continue;
            flow_str vb = last_value(b, it.key);
            if (!vb.p || !flow_jv_eq(last_value(a, it.key), vb))
                return false;
        }
        return true;
    }
    default:
        return false;
    }
}

int flow_jv_contains(flow_str j, flow_str x, flow_buf *err)
{
    switch (kind(j)) {
    case JV_DICT: {
        jkind kx = kind(x);
        if (kx == JV_LIST || kx == JV_DICT) {
            fail_type(err, "TypeError: unhashable type: '", x, "'");
            return -1;
        }
        if (kx != JV_STR)
            return 0;
        jiter it = iter_begin(j);
        while (iter_next(&it, true))
            if (tok_eq(it.key, x))
                return 1;
        return 0;
    }
    case JV_LIST: {
        jiter it = iter_begin(j);
        while (iter_next(&it, false))
            if (flow_jv_eq(it.val, x))
                return 1;
        return 0;
    }
    case JV_STR: {
        if (kind(x) != JV_STR) {
            fail_type(err, "TypeError: 'in <string>' requires string as left operand, not ", x, "");
            return -1;
        }
        flow_arena a;
        flow_arena_init(&a);
        bool r = flow_str_contains(str_text(&a, j), str_text(&a, x));
        flow_arena_destroy(&a);
        return r;
    }
    default:
        fail_type(err, "TypeError: argument of type '", j, "' is not iterable");
        return -1;
    }
}
