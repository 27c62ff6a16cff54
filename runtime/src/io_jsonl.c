/*
 * io_jsonl.c - JSON values for the jsonl format and for JSON in CSV
 * cells: parsing, the typed accessors the generated decoders call
 * (flow_json_*), and the JSON encoders of scalars that the generated
 * encoders call (flow_json_put_*).
 *
 * A jsonl line (or Kafka message) is parsed by simdjson's DOM parser
 * (json_simd.cc, one parser per source); whatever simdjson refuses, or
 * could read differently from jansson, is parsed again with jansson
 * (Debian's libjansson; why jansson: bench/json/README.md), so values and
 * error messages are jansson's (JSON_DECODE_ANY | JSON_ALLOW_NUL) either
 * way. CSV cells holding JSON (several live per record) use jansson.
 *
 * A parsed value lives until the source's next record. jansson's documents
 * (the slow path) are malloc'd by jansson and json_decref'd then; its
 * allocation hooks are process-wide, so the runtime leaves them alone (it
 * keeps no mutable global state: workers parse in parallel, and a host
 * may use jansson itself). The flow_json the accessors see is a small view
 * in a bump arena of the source's, reset at the next record: the type and
 * scalar value (flowi_jview, the same for both parsers) and the jansson
 * value or simdjson element the members are found in.
 */
#include "io.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

/* ---- the source's arena ---------------------------------------------------- */

/* A chunk of a source's arena; the memory handed out follows the header. */
typedef struct jchunk {
    struct jchunk *next;     /* older chunks */
    size_t cap, used;
} jchunk;
#define JHEAD ((sizeof(jchunk) + 15) & ~(size_t)15)
#define JCHUNK ((size_t)64 << 10)

/* bump's new chunk for N bytes; NULL when malloc fails. */
static jchunk *bump_chunk(jchunk **m, size_t n)
{
    size_t cap = n > JCHUNK ? n : JCHUNK;
    jchunk *c = malloc(JHEAD + cap);
    if (!c)
        return NULL;
    c->next = *m;
    c->cap = cap;
    c->used = 0;
    return *m = c;
}

/* N bytes (16-aligned) of arena *M; NULL when malloc fails. */
static inline void *bump(jchunk **m, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    jchunk *c = *m;
    if ((!c || c->cap - c->used < n) && !(c = bump_chunk(m, n)))
        return NULL;
    void *p = (char *)c + JHEAD + c->used;
    c->used += n;
    return p;
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

void flowi_json_release(flow_src *s)
{
    /* the views live in the arena; jansson's documents are its own */
    for (size_t i = 0; i < s->njroots; i++)
        json_decref(s->jroots[i]);
    s->njroots = 0;
    jreset((jchunk **)&s->jmem, true);
    s->nheld = 0;
}

void flowi_json_free(flow_src *s)
{
    flowi_json_release(s);
    jreset((jchunk **)&s->jmem, false);
    flow_free(s->jroots, s->capjroots * sizeof *s->jroots);
    s->jroots = NULL;
    s->capjroots = 0;
    flow_buf_free(&s->jvtext);
    flowi_simd_free(s->simd);
    s->simd = NULL;
}

/* ---- values ----------------------------------------------------------------- */

/* What the accessors get: a view of a jansson value or simdjson element. */
struct flow_json {
    flowi_jview v;            /* the type and a scalar's value */
    flow_src *src;            /* whose arena holds the members' views */
    const json_t *j;          /* jansson's value, or NULL: simdjson's e */
    flowi_sel e;              /* simdjson: the element */
    int64_t n;                /* arrays: the length, -1 until asked */
    int64_t at;               /* simdjson arrays: it is at element `at` (-1: none) */
    flowi_sel it;
};

static inline flow_json *view_new(flow_src *s)
{
    flow_json *w = bump((jchunk **)&s->jmem, sizeof *w);
    if (!w)
        flowi_out_of_memory();
    w->src = s;
    w->n = -1;
    w->at = -1;
    return w;
}

static const flow_json *view_jansson(flow_src *s, const json_t *j)
{
    flow_json *w = view_new(s);
    w->j = j;
    flowi_jview *v = &w->v;
    switch (json_typeof(j)) {
    case JSON_OBJECT: v->kind = FLOWI_J_OBJECT; break;
    case JSON_ARRAY: v->kind = FLOWI_J_ARRAY; break;
    case JSON_STRING:
        v->kind = FLOWI_J_STRING;
        v->s = json_string_value(j);
        v->n = json_string_length(j);
        break;
    case JSON_INTEGER:
        v->kind = FLOWI_J_INT;
        v->i = (int64_t)json_integer_value(j);
        break;
    case JSON_REAL:
        v->kind = FLOWI_J_REAL;
        v->d = json_real_value(j);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        v->kind = FLOWI_J_BOOL;
        v->b = json_is_true(j);
        break;
    case JSON_NULL: v->kind = FLOWI_J_NULL; break;
    }
    return w;
}

static const flow_json *view_simd(flow_src *s, const flowi_sel *e)
{
    flow_json *w = view_new(s);
    w->j = NULL;
    w->e = *e;
    flowi_simd_view(e, &w->v);
    return w;
}

static const char *type_name(const flow_json *v)
{
    switch (v->v.kind) {
    case FLOWI_J_OBJECT: return "an object";
    case FLOWI_J_ARRAY: return "an array";
    case FLOWI_J_STRING: return "a string";
    case FLOWI_J_INT: return "an int";
    case FLOWI_J_REAL: return "a float";
    case FLOWI_J_BOOL: return "a bool";
    case FLOWI_J_NULL: return "null";
    }
    return "?";
}

/* jansson: parse P..P+N (FIELD: a CSV cell's field, NULL for a line). */
/* QUIET: no message for a line that does not parse. */
static json_t *parse(flow_src *s, const char *p, size_t n, const char *field, bool quiet)
{
    json_error_t err;
    /* jansson allocates with malloc: its allocation hooks are process-wide,
     * and a runtime with several workers (or a host using jansson itself)
     * must not depend on them. The document is freed at the record's release. */
    json_t *v = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v) {
        if (quiet)
            return NULL;
        if (field)
            flow_src_bad(s, "field '%s': malformed JSON: %s", field, err.text);
        else
            flow_src_bad(s, "malformed JSON at column %d: %s", err.column, err.text);
        return NULL;
    }
    if (s->njroots == s->capjroots)
        flow_vec_grow((void **)&s->jroots, &s->capjroots, sizeof *s->jroots, s->njroots + 1);
    s->jroots[s->njroots++] = v;
    s->nheld++;
    return v;
}

/* V when it is an object, else NULL after flow_src_bad. */
static const flow_json *object_or_bad(flow_src *s, const flow_json *v)
{
    if (v->v.kind != FLOWI_J_OBJECT) {
        flow_src_bad(s, "expected a JSON object, found %s", type_name(v));
        return NULL;
    }
    return v;
}

/* simdjson's parse of P..P+N into *OUT; false: parse it with jansson. */
static bool parse_simd(flow_src *s, const char *p, size_t n, const flow_json **out)
{
    if (!s->simd)
        s->simd = flowi_simd_new();    /* NULL (no memory): jansson only */
    flowi_sel root;
    if (!s->simd || !flowi_simd_parse(s->simd, p, n, &root))
        return false;
    s->nheld++;
    *out = view_simd(s, &root);
    return true;
}

/* jansson's parse of a line: its object, or NULL after flow_src_bad. */
/* Python's json.dumps writes inf and nan as the bare tokens Infinity,
 * -Infinity and NaN, which JSON has not: a copy of the line (N bytes at P)
 * with each of them outside strings turned into a marker string,
 * "\u001fInfinity" and so on, that flow_json_float reads as the float;
 * NULL when the line has none. *OUT_N: the copy's length; free it with
 * flow_free(copy, *CAP). */
static char *python_specials(const char *p, size_t n, size_t *out_n, size_t *cap)
{
    if (!memchr(p, 'N', n) && !memchr(p, 'I', n))
        return NULL;
    static const char *const tokens[] = { "-Infinity", "Infinity", "NaN" };
    /* each token grows by 8 bytes (the quotes and \u001f): NaN's 3 to 11,
     * less than 4 times, adjacent NaNs (malformed JSON) included */
    *cap = n * 4 + 16;
    char *q = NULL;
    size_t o = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (in_string) {
            if (c == '\\' && i + 1 < n) {
                if (q) {
                    q[o++] = c;
                    q[o++] = p[i + 1];
                }
                i++;
                continue;
            }
            in_string = c != '"';
        } else if (c == '"') {
            in_string = true;
        } else {
            for (size_t k = 0; k < 3; k++) {
                size_t len = strlen(tokens[k]);
                if (n - i >= len && memcmp(p + i, tokens[k], len) == 0) {
                    if (!q) {
                        q = flow_alloc(*cap);
                        memcpy(q, p, i);
                        o = i;
                    }
                    o += (size_t)snprintf(q + o, *cap - o, "\"\\u001f%s\"", tokens[k]);
                    i += len - 1;
                    c = 0;
                    break;
                }
            }
            if (!c)
                continue;
        }
        if (q)
            q[o++] = c;
    }
    *out_n = o;
    return q;
}

static const flow_json *parse_jansson(flow_src *s, const char *p, size_t n)
{
    size_t m, cap;
    char *q = python_specials(p, n, &m, &cap);
    if (q) {
        json_t *j = parse(s, q, m, NULL, true);
        flow_free(q, cap);
        if (j)
            return object_or_bad(s, view_jansson(s, j));
    }
    json_t *j = parse(s, p, n, NULL, false);
    return j ? object_or_bad(s, view_jansson(s, j)) : NULL;
}

const flow_json *flowi_json_parse(flow_src *s, flow_arena *a, const char *p, size_t n)
{
    (void)a;
    const flow_json *v;
    if (parse_simd(s, p, n, &v))
        return object_or_bad(s, v);
    return parse_jansson(s, p, n);
}

int flowi_json_line(flow_src *s, const char *p, size_t n, const flow_json **out)
{
    /* what simdjson accepts is valid UTF-8 (it checks the whole input) and
     * not blank: only the lines it refuses need those checks */
    if (parse_simd(s, p, n, out)) {
        *out = object_or_bad(s, *out);
    } else {
        if (!flow_utf8_valid(p, n)) {
            flow_src_bad(s, "invalid UTF-8");
            return -1;
        }
        if (n == 0 || (n == 1 && p[0] == '\r'))
            return 0;
        *out = parse_jansson(s, p, n);
    }
    return *out ? 1 : -1;
}

int flowi_jv_record(flow_src *s, flow_arena *a, const char *p, size_t n, flow_rec *rec)
{
    if (!flow_utf8_valid(p, n)) {
        flow_src_bad(s, "invalid UTF-8");
        return -1;
    }
    flow_buf err = { 0 };   /* only a bad line allocates */
    if (flow_jv_parse(a, p, n, &rec->text, &err))
        return 1;
    flow_src_bad(s, "%s", err.p);
    flow_buf_free(&err);
    return -1;
}

const flow_json *flow_cell_json(flow_src *s, flow_arena *a, flow_str c, const char *field)
{
    (void)a;
    json_t *j = parse(s, c.p, (size_t)c.n, field, false);
    return j ? view_jansson(s, j) : NULL;
}

/* ---- accessors ------------------------------------------------------------ */

static bool wrong(flow_src *s, const flow_json *v, const char *field, const char *want)
{
    flow_src_bad(s, "field '%s': expected %s, found %s", field, want, type_name(v));
    return false;
}

static bool is(const flow_json *v, int kind)
{
    return v && v->v.kind == kind;
}

const flow_json *flow_json_get(const flow_json *obj, const char *name)
{
    if (!is(obj, FLOWI_J_OBJECT))
        return NULL;
    if (obj->j) {
        const json_t *m = json_object_get(obj->j, name);
        return m ? view_jansson(obj->src, m) : NULL;
    }
    flowi_sel m;
    return flowi_simd_get(&obj->e, name, strlen(name), &m) ? view_simd(obj->src, &m) : NULL;
}

void flow_json_fields(const flow_json *obj, const char *const *names, int n, const flow_json **out)
{
    if (!is(obj, FLOWI_J_OBJECT) || obj->j) {
        for (int i = 0; i < n; i++)
            out[i] = flow_json_get(obj, names[i]);
        return;
    }
    /* simdjson: one walk of the members per 16 names */
    enum { CHUNK = 16 };
    for (int b = 0; b < n; b += CHUNK) {
        int k = n - b < CHUNK ? n - b : CHUNK;
        flowi_jfield m[CHUNK];
        flowi_simd_fields(&obj->e, names + b, (size_t)k, m);
        for (int i = 0; i < k; i++) {
            if (m[i].v.kind == FLOWI_J_ABSENT) {
                out[b + i] = NULL;
                continue;
            }
            flow_json *w = view_new(obj->src);
            w->j = NULL;
            w->e = m[i].e;
            w->v = m[i].v;
            out[b + i] = w;
        }
    }
}

bool flow_json_is_null(const flow_json *v)
{
    return is(v, FLOWI_J_NULL);
}

/* The length of array V (cached in the view, which is ours to write). */
static int64_t array_size(const flow_json *v)
{
    flow_json *w = (flow_json *)v;
    if (w->n < 0)
        w->n = (int64_t)(w->j ? json_array_size(w->j) : flowi_simd_size(&w->e));
    return w->n;
}

bool flow_json_array(flow_src *s, const flow_json *v, const char *field, int64_t *n)
{
    if (!is(v, FLOWI_J_ARRAY))
        return wrong(s, v, field, "an array");
    *n = array_size(v);
    return true;
}

const flow_json *flow_json_at(const flow_json *v, int64_t i)
{
    if (!is(v, FLOWI_J_ARRAY) || i < 0 || i >= array_size(v))
        return NULL;
    if (v->j)
        return view_jansson(v->src, json_array_get(v->j, (size_t)i));
    /* simdjson walks its arrays: the view keeps where it is, so reading
     * the elements in order costs one step each */
    flow_json *w = (flow_json *)v;
    if (w->at < 0 || i < w->at) {
        flowi_simd_first(&w->e, &w->it);
        w->at = 0;
    }
    for (; w->at < i; w->at++)
        flowi_simd_next(&w->it);
    flowi_sel e;
    flowi_simd_deref(&w->it, &e);
    return view_simd(v->src, &e);
}

bool flow_json_members(flow_src *s, const flow_json *v, const char *field, int64_t *n)
{
    if (!is(v, FLOWI_J_OBJECT))
        return wrong(s, v, field, "an object");
    flow_json *w = (flow_json *)v;
    if (w->n < 0)
        w->n = (int64_t)(w->j ? json_object_size(w->j) : flowi_simd_obj_size(&w->e));
    *n = w->n;
    return true;
}

const flow_json *flow_json_member(const flow_json *v, int64_t i, flow_str *key)
{
    flow_json *w = (flow_json *)v;
    if (w->j) {
        /* jansson keeps members in insertion order; the view keeps its
         * iterator (in it.w[0]), so reading them in order is one step each */
        void *it = (void *)(uintptr_t)w->it.w[0];
        if (w->at < 0 || i < w->at) {
            it = json_object_iter((json_t *)w->j);
            w->at = 0;
        }
        for (; it && w->at < i; w->at++)
            it = json_object_iter_next((json_t *)w->j, it);
        w->it.w[0] = (uint64_t)(uintptr_t)it;
        if (!it)
            return NULL;
        const char *name = json_object_iter_key(it);
        *key = (flow_str){ name, (int64_t)strlen(name) };
        return view_jansson(w->src, json_object_iter_value(it));
    }
    if (w->at < 0 || i < w->at) {
        flowi_simd_obj_first(&w->e, &w->it);
        w->at = 0;
    }
    for (; w->at < i; w->at++)
        flowi_simd_obj_next(&w->it);
    flowi_sel e;
    const char *name;
    size_t len;
    flowi_simd_obj_deref(&w->it, &e, &name, &len);
    *key = (flow_str){ name, (int64_t)len };
    return view_simd(w->src, &e);
}

static bool python_special(const flow_json *v, double *out);
static flow_str str_of(const flow_json *v);

/* The JSON text of V appended to B (floats as repr, Python's specials
 * as NaN, Infinity, -Infinity). */
static void view_text(flow_buf *b, const flow_json *v)
{
    int64_t n = 0;
    double d;
    flow_str key;
    switch (v->v.kind) {
    case FLOWI_J_OBJECT:
        flow_json_members(v->src, v, "", &n);
        flow_buf_putc(b, '{');
        for (int64_t i = 0; i < n; i++) {
            const flow_json *m = flow_json_member(v, i, &key);
            if (i)
                flow_buf_putc(b, ',');
            flow_json_put_str(b, key);
            flow_buf_putc(b, ':');
            view_text(b, m);
        }
        flow_buf_putc(b, '}');
        return;
    case FLOWI_J_ARRAY:
        flow_json_array(v->src, v, "", &n);
        flow_buf_putc(b, '[');
        for (int64_t i = 0; i < n; i++) {
            if (i)
                flow_buf_putc(b, ',');
            view_text(b, flow_json_at(v, i));
        }
        flow_buf_putc(b, ']');
        return;
    case FLOWI_J_STRING:
        if (python_special(v, &d))
            flow_json_put_float(b, d);
        else
            flow_json_put_str(b, str_of(v));
        return;
    case FLOWI_J_INT: flow_repr_int(b, v->v.i); return;
    case FLOWI_J_REAL: flow_json_put_float(b, v->v.d); return;
    case FLOWI_J_BOOL: flow_buf_puts(b, v->v.b ? "true" : "false"); return;
    case FLOWI_J_NULL: flow_buf_puts(b, "null"); return;
    }
}

bool flow_json_jv(flow_src *s, flow_arena *a, const flow_json *v, const char *field, flow_str *out)
{
    s->jvtext.n = 0;
    view_text(&s->jvtext, v);
    flow_buf err = { 0 };
    if (flow_jv_parse(a, s->jvtext.p, s->jvtext.n, out, &err))
        return true;
    flow_src_bad(s, "field '%s': %s", field, err.p);   /* not reached: the text is JSON */
    flow_buf_free(&err);
    return false;
}

bool flow_json_object(flow_src *s, const flow_json *v, const char *field)
{
    if (!is(v, FLOWI_J_OBJECT))
        return wrong(s, v, field, "an object");
    return true;
}

bool flow_json_int(flow_src *s, const flow_json *v, const char *field, int64_t *out)
{
    if (!is(v, FLOWI_J_INT))
        return wrong(s, v, field, "an int");
    *out = v->v.i;
    return true;
}

static flow_str str_of(const flow_json *v)
{
    return (flow_str){ v->v.s, (int64_t)v->v.n };
}

/* Python's Infinity, -Infinity and NaN (python_specials' marker strings). */
static bool python_special(const flow_json *v, double *out)
{
    flow_str t = str_of(v);
    if (t.n < 4 || t.p[0] != '\x1f')
        return false;
    if (t.n == 4 && memcmp(t.p + 1, "NaN", 3) == 0)
        *out = NAN;
    else if (t.n == 9 && memcmp(t.p + 1, "Infinity", 8) == 0)
        *out = INFINITY;
    else if (t.n == 10 && memcmp(t.p + 1, "-Infinity", 9) == 0)
        *out = -INFINITY;
    else
        return false;
    return true;
}

bool flow_json_float(flow_src *s, const flow_json *v, const char *field, double *out)
{
    if (is(v, FLOWI_J_INT))
        *out = (double)v->v.i;    /* json_number_value's conversion */
    else if (is(v, FLOWI_J_REAL))
        *out = v->v.d;
    else if (!is(v, FLOWI_J_STRING) || !python_special(v, out))
        return wrong(s, v, field, "a number");
    return true;
}

bool flow_json_bool(flow_src *s, const flow_json *v, const char *field, bool *out)
{
    if (!is(v, FLOWI_J_BOOL))
        return wrong(s, v, field, "a bool");
    *out = v->v.b;
    return true;
}

bool flow_json_str(flow_src *s, flow_arena *a, const flow_json *v, const char *field, flow_str *out)
{
    if (!is(v, FLOWI_J_STRING))
        return wrong(s, v, field, "a string");
    *out = flowi_arena_str(a, v->v.s, v->v.n);
    return true;
}

/* String V's bytes as a flow_str (valid while V is). */

bool flow_json_time(flow_src *s, const flow_json *v, const char *field, flow_time *out)
{
    if (!is(v, FLOWI_J_STRING))
        return wrong(s, v, field, "a timestamp string");
    return flow_cell_time(s, str_of(v), field, out);
}

bool flow_json_duration(flow_src *s, const flow_json *v, const char *field, int64_t *out)
{
    if (is(v, FLOWI_J_STRING))
        return flow_cell_duration(s, str_of(v), field, out);
    if (is(v, FLOWI_J_INT)) {
        if (!__builtin_mul_overflow(v->v.i, FLOW_US_PER_SEC, out))
            return true;
    } else if (is(v, FLOWI_J_REAL)) {
        double us = nearbyint(v->v.d * 1e6);
        if (us > -9.2e18 && us < 9.2e18) {
            *out = (int64_t)us;
            return true;
        }
    }
    return wrong(s, v, field, "a duration (seconds, or a string such as \"10s\" or \"-1.5\")");
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
            if (c < 0x20) {    /* DEL stays raw, as json.dumps(ensure_ascii=False) */
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
    if (!isfinite(v)) {    /* as Python's json.dumps: not JSON, but read back */
        flow_buf_puts(b, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
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

const char *flowi_json_path(flow_arena *a, const char *parent, const char *name)
{
    size_t np = strlen(parent), nn = strlen(name);
    char *p = flow_arena_alloc(a, np + nn + 2);
    memcpy(p, parent, np);
    p[np] = '.';
    memcpy(p + np + 1, name, nn + 1);
    return p;
}
