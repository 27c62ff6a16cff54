/*
 * io_jsonl.c - JSON values for the jsonl format and for JSON in CSV
 * cells: parsing with jansson (Debian's libjansson; why jansson and not
 * cJSON: bench/json/README.md), the typed accessors the generated
 * decoders call (flow_json_*), and the JSON encoders of scalars that the
 * generated encoders call (flow_json_put_*).
 *
 * A parsed value lives until the source's next record: the source keeps
 * the values it handed out (held) and releases them on the next call.
 * jansson builds them in a bump arena of the source's (jansson's
 * allocator is switched to it during json_loadb), so a record's document
 * costs no malloc/free per node and releasing it is resetting the arena
 * (no json_decref walk). What jansson parses, and its errors, are the
 * same.
 */
#include "io.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

#define J(v) ((json_t *)(v))

/* ---- jansson's memory ----------------------------------------------------- */

/* A chunk of a source's arena; the memory handed out follows the header. */
typedef struct jchunk {
    struct jchunk *next;     /* older chunks */
    size_t cap, used;
} jchunk;
#define JHEAD ((sizeof(jchunk) + 15) & ~(size_t)15)
#define JCHUNK ((size_t)64 << 10)

/* The arena jansson allocates from while a source parses (NULL: none). */
static jchunk **jcur;

static void *jalloc(size_t n)
{
    if (!jcur)
        return malloc(n);
    n = (n + 15) & ~(size_t)15;
    jchunk *c = *jcur;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > JCHUNK ? n : JCHUNK;
        jchunk *nc = malloc(JHEAD + cap);
        if (!nc)
            return NULL;
        nc->next = c;
        nc->cap = cap;
        nc->used = 0;
        *jcur = c = nc;
    }
    void *p = (char *)c + JHEAD + c->used;
    c->used += n;
    return p;
}

/* Inside a parse, memory goes back with the arena. */
static void jfree(void *p)
{
    if (!jcur)
        free(p);
}

/* Forget everything in arena *M, keeping one standard chunk for reuse. */
static void jreset(jchunk **m, bool keep)
{
    jchunk *c = *m, *kept = NULL;
    while (c) {
        jchunk *next = c->next;
        if (keep && !kept && c->cap == JCHUNK) {
            kept = c;
            kept->used = 0;
        } else {
            free(c);
        }
        c = next;
    }
    if (kept)
        kept->next = NULL;
    *m = kept;
}

static void hold(flow_src *s, json_t *v)
{
    if (s->nheld == s->capheld)
        flow_vec_grow((void **)&s->held, &s->capheld, sizeof s->held[0], s->nheld + 1);
    s->held[s->nheld++] = v;
}

void flowi_json_release(flow_src *s)
{
    /* the held values live in the arena: no json_decref */
    jreset((jchunk **)&s->jmem, true);
    s->nheld = 0;
    if (!s->nheld && s->held && s->capheld > 64) {
        flow_free(s->held, s->capheld * sizeof s->held[0]);
        s->held = NULL;
        s->capheld = 0;
    }
}

void flowi_json_free(flow_src *s)
{
    flowi_json_release(s);
    jreset((jchunk **)&s->jmem, false);
    flow_free(s->held, s->capheld * sizeof s->held[0]);
    s->held = NULL;
    s->capheld = 0;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an int";
    case JSON_REAL: return "a float";
    case JSON_TRUE:
    case JSON_FALSE: return "a bool";
    case JSON_NULL: return "null";
    }
    return "?";
}

static json_t *parse(flow_src *s, const char *p, size_t n, const char *field)
{
    json_error_t err;
    static bool funcs_set;
    if (!funcs_set) {
        json_set_alloc_funcs(jalloc, jfree);
        funcs_set = true;
    }
    jcur = (jchunk **)&s->jmem;
    json_t *v = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    jcur = NULL;
    if (!v) {
        if (!s->nheld)
            jreset((jchunk **)&s->jmem, true);    /* what the failed parse built */
        if (field)
            flow_src_bad(s, "field '%s': malformed JSON: %s", field, err.text);
        else
            flow_src_bad(s, "malformed JSON at column %d: %s", err.column, err.text);
        return NULL;
    }
    hold(s, v);
    return v;
}

const flow_json *flowi_json_parse(flow_src *s, flow_arena *a, const char *p, size_t n)
{
    (void)a;
    json_t *v = parse(s, p, n, NULL);
    if (!v)
        return NULL;
    if (!json_is_object(v)) {
        flow_src_bad(s, "expected a JSON object, found %s", type_name(v));
        return NULL;
    }
    return (const flow_json *)v;
}

const flow_json *flow_cell_json(flow_src *s, flow_arena *a, flow_str c, const char *field)
{
    (void)a;
    return (const flow_json *)parse(s, c.p, (size_t)c.n, field);
}

/* ---- accessors ------------------------------------------------------------ */

static bool wrong(flow_src *s, const json_t *v, const char *field, const char *want)
{
    flow_src_bad(s, "field '%s': expected %s, found %s", field, want, type_name(v));
    return false;
}

const flow_json *flow_json_get(const flow_json *obj, const char *name)
{
    return (const flow_json *)json_object_get(J(obj), name);
}

bool flow_json_is_null(const flow_json *v)
{
    return json_is_null(J(v));
}

bool flow_json_array(flow_src *s, const flow_json *v, const char *field, int64_t *n)
{
    if (!json_is_array(J(v)))
        return wrong(s, J(v), field, "an array");
    *n = (int64_t)json_array_size(J(v));
    return true;
}

const flow_json *flow_json_at(const flow_json *v, int64_t i)
{
    return (const flow_json *)json_array_get(J(v), (size_t)i);
}

bool flow_json_object(flow_src *s, const flow_json *v, const char *field)
{
    if (!json_is_object(J(v)))
        return wrong(s, J(v), field, "an object");
    return true;
}

bool flow_json_int(flow_src *s, const flow_json *v, const char *field, int64_t *out)
{
    if (!json_is_integer(J(v)))
        return wrong(s, J(v), field, "an int");
    *out = (int64_t)json_integer_value(J(v));
    return true;
}

bool flow_json_float(flow_src *s, const flow_json *v, const char *field, double *out)
{
    if (!json_is_number(J(v)))
        return wrong(s, J(v), field, "a number");
    *out = json_number_value(J(v));
    return true;
}

bool flow_json_bool(flow_src *s, const flow_json *v, const char *field, bool *out)
{
    if (!json_is_boolean(J(v)))
        return wrong(s, J(v), field, "a bool");
    *out = json_is_true(J(v));
    return true;
}

bool flow_json_str(flow_src *s, flow_arena *a, const flow_json *v, const char *field, flow_str *out)
{
    if (!json_is_string(J(v)))
        return wrong(s, J(v), field, "a string");
    *out = flowi_arena_str(a, json_string_value(J(v)), json_string_length(J(v)));
    return true;
}

bool flow_json_time(flow_src *s, const flow_json *v, const char *field, flow_time *out)
{
    if (!json_is_string(J(v)))
        return wrong(s, J(v), field, "a timestamp string");
    flow_str c = { json_string_value(J(v)), (int64_t)json_string_length(J(v)) };
    return flow_cell_time(s, c, field, out);
}

bool flow_json_duration(flow_src *s, const flow_json *v, const char *field, int64_t *out)
{
    if (json_is_string(J(v))) {
        flow_str c = { json_string_value(J(v)), (int64_t)json_string_length(J(v)) };
        return flow_cell_duration(s, c, field, out);
    }
    if (json_is_integer(J(v))) {
        json_int_t secs = json_integer_value(J(v));
        if (!__builtin_mul_overflow((int64_t)secs, FLOW_US_PER_SEC, out))
            return true;
    } else if (json_is_real(J(v))) {
        double us = nearbyint(json_real_value(J(v)) * 1e6);
        if (us > -9.2e18 && us < 9.2e18) {
            *out = (int64_t)us;
            return true;
        }
    }
    return wrong(s, J(v), field, "a duration (seconds, or a string such as \"10s\")");
}

/* ---- encoders --------------------------------------------------------------- */

void flow_json_put_str(flow_buf *b, flow_str s)
{
    static const char hex[] = "0123456789abcdef";
    flow_buf_putc(b, '"');
    for (int64_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        switch (c) {
        case '"': flow_buf_put(b, "\\\"", 2); break;
        case '\\': flow_buf_put(b, "\\\\", 2); break;
        case '\n': flow_buf_put(b, "\\n", 2); break;
        case '\r': flow_buf_put(b, "\\r", 2); break;
        case '\t': flow_buf_put(b, "\\t", 2); break;
        case '\b': flow_buf_put(b, "\\b", 2); break;
        case '\f': flow_buf_put(b, "\\f", 2); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                flow_buf_put(b, u, 6);
            } else {
                flow_buf_putc(b, (char)c);
            }
        }
    }
    flow_buf_putc(b, '"');
}

void flow_json_put_float(flow_buf *b, double v)
{
    if (!isfinite(v)) {
        flow_buf_put(b, "null", 4);
        return;
    }
    flow_repr_float(b, v);
}

void flow_fmt_rfc3339(flow_buf *b, flow_time t)
{
    int y, mo, d, h, mi, s, us;
    flow_time_fields(t, &y, &mo, &d, &h, &mi, &s, &us);
    char tmp[48];
    int n;
    if (us)
        n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, mo, d, h, mi, s, us);
    else
        n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
    flow_buf_put(b, tmp, (size_t)n);
}

void flow_fmt_seconds(flow_buf *b, int64_t us)
{
    char tmp[48];
    uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    int n = snprintf(tmp, sizeof tmp, "%s%llu", us < 0 ? "-" : "", (unsigned long long)(mag / 1000000));
    uint64_t frac = mag % 1000000;
    if (frac) {
        n += snprintf(tmp + n, sizeof tmp - (size_t)n, ".%06llu", (unsigned long long)frac);
        while (tmp[n - 1] == '0')
            n--;
    }
    flow_buf_put(b, tmp, (size_t)n);
}

void flow_json_put_time(flow_buf *b, flow_time t)
{
    flow_buf_putc(b, '"');
    flow_fmt_rfc3339(b, t);
    flow_buf_putc(b, '"');
}

void flow_json_put_duration(flow_buf *b, int64_t us)
{
    flow_fmt_seconds(b, us);
}

void flow_json_put_meta(flow_buf *b, flow_window_meta m)
{
    flow_buf_puts(b, "{\"open_time\": ");
    flow_json_put_time(b, m.open_time);
    flow_buf_puts(b, ", \"close_time\": ");
    flow_json_put_time(b, m.close_time);
    flow_buf_puts(b, ", \"merged_ids\": [");
    for (int64_t i = 0; i < m.merged_ids.n; i++) {
        if (i)
            flow_buf_put(b, ", ", 2);
        flow_repr_int(b, m.merged_ids.v[i]);
    }
    flow_buf_puts(b, "]}");
}

void flow_csv_put_str(flow_buf *b, flow_str s)
{
    bool quote = false;
    for (int64_t i = 0; i < s.n && !quote; i++)
        quote = s.p[i] == ',' || s.p[i] == '"' || s.p[i] == '\n' || s.p[i] == '\r';
    if (!quote) {
        flow_buf_put(b, s.p, (size_t)s.n);
        return;
    }
    flow_buf_putc(b, '"');
    for (int64_t i = 0; i < s.n; i++) {
        if (s.p[i] == '"')
            flow_buf_putc(b, '"');
        flow_buf_putc(b, s.p[i]);
    }
    flow_buf_putc(b, '"');
}
