/*
 * test_json_simd.c - the jsonl parser (io_jsonl.c with json_simd.cc:
 * simdjson, and jansson for what simdjson refuses) against jansson alone,
 * the reference: a corpus of tricky documents and a deterministic
 * differential fuzz of generated and mutated ones. For every document
 * both must agree on whether it is accepted, on the message when not
 * (invalid UTF-8, jansson's error text and column, "expected a JSON
 * object"), and on the type and value of every member and element read
 * through the flow_json_* accessors. The corpus also checks that the
 * plain documents take simdjson's path, and the fuzz that a good share
 * does, so the comparison is not vacuous.
 */
#include <math.h>
#include "unit.h"

#include <jansson.h>

#include "io.h"

static const flow_program_info info = { .flow_name = "json", .source = "json.flow" };

typedef struct fixture {
    flow_rt rt;
    flow_arena a;
    flow_src *s;             /* a jsonl source (of /dev/null): messages, memory */
    flowi_simd *simd;        /* to ask which path a document takes */
    long fast, total;        /* documents simdjson accepted / all */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char arg0[] = "json";
    char *argv[] = { arg0, NULL };
    assert_int_equal(flow_rt_init(&f->rt, &info, 1, argv), -1);
    flow_arena_init(&f->a);
    static const flow_src_cfg cfg = { .step = "inp", .kind = FLOW_SRC_FILE, .format = FLOW_FMT_JSONL,
                                      .batch = 1000 };
    f->s = flow_src_open(&f->rt, &cfg, "/dev/null");
    f->simd = flowi_simd_new();
    assert_non_null(f->simd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    flowi_simd_free(f->simd);
    flow_src_close(f->s);
    flow_arena_destroy(&f->a);
    flow_rt_finish(&f->rt, 0);
    free(f);
    return 0;
}

/* The pending bad record's message, cleared ("" when none). */
static const char *take_error(flow_src *s)
{
    static char msg[600];
    msg[0] = 0;
    if (s->pending) {
        snprintf(msg, sizeof msg, "%s", s->err_msg);
        s->pending = false;
        flowi_strfree(s->err_path);
        flowi_strfree(s->err_msg);
        s->err_path = s->err_msg = NULL;
    }
    return msg;
}

/* Fails with the document shown (escaped) and a reason. */
static void fail_doc(const char *d, size_t n, const char *what, const char *got, const char *want)
{
    char shown[400];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < sizeof shown; i++) {
        unsigned char c = (unsigned char)d[i];
        k += (size_t)(c >= 0x20 && c < 0x7f ? snprintf(shown + k, sizeof shown - k, "%c", c)
                                             : snprintf(shown + k, sizeof shown - k, "\\x%02x", c));
    }
    print_error("document '%s' (%zu bytes): %s: got '%s', want '%s'\n", shown, n, what, got, want);
    fail();
}

static const char *jtype_name(const json_t *j)
{
    switch (json_typeof(j)) {
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

typedef struct doc {
    const char *p;
    size_t n;
} doc;

/* The error an accessor asking for WANT reports for jansson value J. */
static void expect_wrong(fixture *f, doc d, const json_t *j, const char *want)
{
    char exp[300];
    snprintf(exp, sizeof exp, "field 'f': expected %s, found %s", want, jtype_name(j));
    const char *got = take_error(f->s);
    if (strcmp(got, exp) != 0)
        fail_doc(d.p, d.n, "accessor error", got, exp);
}

/* An accessor asking for WANT said OK; jansson's value J is one (IS):
 * they agree, and a refusal names J's type. */
static void probe(fixture *f, doc d, const json_t *j, bool ok, bool is, const char *want)
{
    if (ok != is)
        fail_doc(d.p, d.n, want, ok ? "accepted" : "refused", jtype_name(j));
    if (!is)
        expect_wrong(f, d, j, want);
}

/* V (ours) and J (jansson's) are the same value (DEEP: their members
 * and elements too). */
static void same_value(fixture *f, doc d, const flow_json *v, const json_t *j, bool deep)
{
    flow_src *s = f->s;
    if (!v)
        fail_doc(d.p, d.n, "member", "absent", jtype_name(j));
    int64_t i, n;
    double x;
    bool b;
    flow_str str;
    /* the type, through what each accessor accepts */
    bool is_obj = json_is_object(j), is_arr = json_is_array(j), is_int = json_is_integer(j),
         is_num = json_is_number(j), is_bool = json_is_boolean(j), is_str = json_is_string(j);
    assert_int_equal(flow_json_is_null(v), json_is_null(j));
    probe(f, d, j, flow_json_object(s, v, "f"), is_obj, "an object");
    probe(f, d, j, flow_json_array(s, v, "f", &n), is_arr, "an array");
    probe(f, d, j, flow_json_int(s, v, "f", &i), is_int, "an int");
    probe(f, d, j, flow_json_float(s, v, "f", &x), is_num, "a number");
    probe(f, d, j, flow_json_bool(s, v, "f", &b), is_bool, "a bool");
    probe(f, d, j, flow_json_str(s, &f->a, v, "f", &str), is_str, "a string");
    /* the value */
    if (is_int && i != (int64_t)json_integer_value(j))
        fail_doc(d.p, d.n, "int value", "differs", "jansson's");
    if (is_num) {
        double want = json_number_value(j);
        if (memcmp(&x, &want, sizeof x) != 0) {    /* bit for bit: -0.0, rounding */
            char g[64], w[64];
            snprintf(g, sizeof g, "%.17g", x);
            snprintf(w, sizeof w, "%.17g", want);
            fail_doc(d.p, d.n, "number value", g, w);
        }
    }
    if (is_bool && b != json_is_true(j))
        fail_doc(d.p, d.n, "bool value", b ? "true" : "false", "the other");
    if (is_str && ((size_t)str.n != json_string_length(j) ||
                   memcmp(str.p, json_string_value(j), (size_t)str.n) != 0))
        fail_doc(d.p, d.n, "string value", "differs", json_string_value(j));
    if (!deep)
        return;
    if (is_arr) {
        if ((size_t)n != json_array_size(j))
            fail_doc(d.p, d.n, "array length", "differs", "jansson's");
        for (int64_t k = 0; k < n; k++)
            same_value(f, d, flow_json_at(v, k), json_array_get(j, (size_t)k), true);
        if (n > 1) {    /* out of order: the last, then the first again */
            same_value(f, d, flow_json_at(v, n - 1), json_array_get(j, (size_t)n - 1), false);
            same_value(f, d, flow_json_at(v, 0), json_array_get(j, 0), false);
        }
        assert_null(flow_json_at(v, n));
        assert_null(flow_json_at(v, -1));
    } else {
        assert_null(flow_json_at(v, 0));
    }
    if (is_obj) {
        const char *key;
        json_t *m;
        /* jansson's object: one entry per key, the last duplicate's value */
        json_object_foreach((json_t *)j, key, m)
            same_value(f, d, flow_json_get(v, key), m, true);
        assert_null(flow_json_get(v, "\x01 no such key"));
        /* flow_json_fields: all the keys (more than its walk's 16 names
         * at a time when there are) and an absent one, in one call */
        enum { MAXN = 40 };
        const char *names[MAXN];
        const flow_json *got[MAXN];
        int nn = 0;
        names[nn++] = "\x01 no such key";
        json_object_foreach((json_t *)j, key, m)
            if (nn < MAXN)
                names[nn++] = key;
        flow_json_fields(v, names, nn, got);
        assert_null(got[0]);
        for (int k = 1; k < nn; k++)
            same_value(f, d, got[k], json_object_get(j, names[k]), false);
    } else {
        assert_null(flow_json_get(v, ""));
        const char *names[1] = { "" };
        const flow_json *got[1] = { v };
        flow_json_fields(v, names, 1, got);
        assert_null(got[0]);
    }
}

/* What the jsonl reader did before simdjson, from jansson alone: 1 and
 * the value, 0 for a blank line, or -1 and the message. */
static int reference(doc d, json_t **out, char *msg, size_t cap)
{
    *out = NULL;
    if (!flow_utf8_valid(d.p, d.n)) {
        snprintf(msg, cap, "invalid UTF-8");
        return -1;
    }
    if (d.n == 0 || (d.n == 1 && d.p[0] == '\r'))
        return 0;
    json_error_t err;
    json_t *j = json_loadb(d.p, d.n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!j) {
        snprintf(msg, cap, "malformed JSON at column %d: %s", err.column, err.text);
        return -1;
    }
    *out = j;
    if (!json_is_object(j)) {
        snprintf(msg, cap, "expected a JSON object, found %s", jtype_name(j));
        return -1;
    }
    return 1;
}

/* Document D through the reader (flowi_json_line, and flowi_json_parse
 * for valid UTF-8) and through jansson: the same outcome. Returns whether
 * simdjson's path took it. */
static bool check_doc(fixture *f, doc d)
{
    flow_src *s = f->s;
    json_t *j;
    char want[600];
    int wrc = reference(d, &j, want, sizeof want);
    flowi_sel root;
    bool fast = flowi_simd_parse(f->simd, d.p, d.n, &root);
    f->total++;
    f->fast += fast;
    if (fast && !j)
        fail_doc(d.p, d.n, "simdjson accepted", "yes", want);    /* jansson refuses it */
    const flow_json *v = NULL;
    int rc = flowi_json_line(s, d.p, d.n, &v);
    char rcs[16], wrcs[16];
    snprintf(rcs, sizeof rcs, "%d", rc);
    snprintf(wrcs, sizeof wrcs, "%d", wrc);
    if (rc != wrc)
        fail_doc(d.p, d.n, "result", rcs, wrcs);
    if (rc < 0) {
        const char *got = take_error(s);
        if (strcmp(got, want) != 0)
            fail_doc(d.p, d.n, "message", got, want);
    } else if (rc > 0) {
        same_value(f, d, v, j, true);
    }
    flowi_json_release(s);
    /* the Kafka path (UTF-8 checked before) */
    if (flow_utf8_valid(d.p, d.n) && j) {
        v = flowi_json_parse(s, &f->a, d.p, d.n);
        if (json_is_object(j))
            same_value(f, d, v, j, true);
        else if (v || strcmp(take_error(s), want) != 0)
            fail_doc(d.p, d.n, "kafka path", v ? "accepted" : take_error(s), want);
        flowi_json_release(s);
    }
    /* the same value inside an object, so scalars are compared too */
    if (j && !json_is_object(j) && d.n < 4000) {
        char *w = malloc(d.n + 16);
        int k = sprintf(w, "{\"v\": ");
        memcpy(w + k, d.p, d.n);
        memcpy(w + k + d.n, "}", 2);
        check_doc(f, (doc){ w, (size_t)k + d.n + 1 });
        free(w);
    }
    take_error(s);
    json_decref(j);
    flow_arena_reset(&f->a);
    return fast;
}

static doc D(const char *s)
{
    return (doc){ s, strlen(s) };
}

/* ---- the corpus -------------------------------------------------------------- */

/* Plain documents simdjson must take (the fast path is exercised). */
static const char *const plain[] = {
    "{\"time\": \"2022-01-01T00:00:01.000020Z\", \"user\": \"u123\", \"val\": 7}",
    "{}",
    " {\"a\" : [ ] , \"b\":{} } ",
    "{\"a\": 1, \"a\": \"two\", \"b\": 3, \"a\": [3]}",                   /* duplicates: the last */
    /* more than 16 members, a duplicate far apart, keys that are prefixes */
    "{\"k1\": 1, \"k2\": 2, \"k3\": 3, \"k4\": 4, \"k5\": 5, \"k6\": 6, \"k7\": 7, \"k8\": 8, \"k9\": 9, "
    "\"k10\": 10, \"k11\": 11, \"k12\": 12, \"k13\": 13, \"k14\": 14, \"k15\": 15, \"k16\": 16, \"k17\": 17, "
    "\"k\": 0, \"k1\": \"last\", \"\": null}",
    "{\"i\": 9223372036854775807, \"j\": -9223372036854775808, \"k\": -0, \"l\": 0}",
    "{\"f\": 1.0, \"g\": 1e2, \"h\": 1E-2, \"i\": -0.0, \"j\": 0.1, \"k\": 1e-400, \"l\": -1e-400}",
    "{\"f\": 4.9e-324, \"g\": 2.4e-324, \"h\": 2.5e-324, \"i\": 1.7976931348623157e308, \"j\": 2.2250738585072011e-308}",
    "{\"f\": 0.1000000000000000055511151231257827021181583404541015625, \"g\": 9007199254740993.0}",
    "{\"f\": 123456789012345678901234567890.0, \"g\": 1e22, \"h\": 1e23, \"i\": 5e-324, \"j\": 0.30000000000000004}",
    "{\"s\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"t\": \"\\u00e9\\u4e2d\\uD834\\uDD1E\\udbff\\udfff\"}",
    "{\"s\": \"caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80\", \"\xc3\xa9\": true}",
    "{\"n\": null, \"t\": true, \"f\": false, \"z\": [null, true, false]}",
    "{\"a\": [[1, [2, [3, {\"b\": [4]}]]], {\"c\": {\"d\": {}}}], \"e\": [1, 2.5, \"x\", null]}",
    "{\"\": 1, \" \": 2, \"a b\": 3}",
    "\t{\"a\":1}\r",
    "{\"x\": \"\x7f\"}",
};

/* Documents jansson must decide (simdjson refuses them, or would disagree). */
static const char *const tricky[] = {
    "", " ", "\t", "\r", "  \r", "{", "}", "[", "]", "{} x", "{}}", "[]]", "{},", "1 2",
    "{\"a\":1,}", "[1,]", "{\"a\"}", "{\"a\" 1}", "{a: 1}", "{'a': 1}", "[01]", "[1.]", "[.5]", "[+1]",
    "[-]", "[1e]", "[1e+]", "[--1]", "[0x10]", "[nul]",
    "[tru]", "[True]", "[nulll]", "[123abc]", "\"abc", "[\"a\\x\"]", "[\"\\u12\"]", "[\"\\u12g4\"]",
    "[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\ud800x\"]", "[\"\\ud800\\u0041\"]", "[\"\\udbff\"]",
    "[\"\\ud800\\ud800\"]", "[\"\\udc00\\ud800\"]", "[9223372036854775808]", "[-9223372036854775809]",
    "[18446744073709551615]", "[18446744073709551616]", "[123456789012345678901234567890]",
    "{\"u\": 10000000000000000000}", "[1e400]", "[-1e400]", "[1.7976931348623159e308]", "[1e309]",
    "\xef\xbb\xbf{}", "{\"a\": \"\xff\"}", "{\"a\": \"\xed\xa0\x80\"}", "{\"a\": \"\xc0\x80\"}",
    "{\"a\": \"\xe0\x80\x80\"}", "{\"a\": \"\xf4\x90\x80\x80\"}", "{\"a\": \"\xc3\"}", "{\"a\": \"\x80\"}",
    "\xff", "{\"a\": \"x\ty\"}", "{\"a\": \"x\x01y\"}", "{\"a\": \"x\x1fy\"}", "{\"a\": \"x\ny\"}",
    "{\"a\"\x01: 1}", "\x0c{}", "{}\x0c", "{\"a\": \"\\u0000\"}", "{\"a\\u0000b\": 1}",
    "{\"\\u0000\": 1}", "{\"a\": \"x\\u0000y\\u0000\"}", "{\"a\": \"\\\\u0000\"}",
    "1", "-0", "0.5", "\"str\"", "\"\\u0000\"", "true", "false", "null", "[]", "[1, \"a\"]",
    " 7 ", "-9223372036854775808", "9223372036854775807", "1e2", "\"\\ud834\\udd1e\"",
};

static void corpus(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        if (!check_doc(f, D(plain[i])))
            fail_doc(plain[i], strlen(plain[i]), "simdjson's path", "jansson's", "simdjson's");
    }
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++)
        check_doc(f, D(tricky[i]));
    /* NUL bytes: inside a string (control character), after the value
     * (jansson accepts "1" and a NUL, refuses "{}" and a NUL), alone */
    static const char nul1[] = "{\"a\": \"x\0y\"}", nul2[] = "{}\0", nul3[] = "{\"a\":1}\0 junk",
                      nul4[] = "\0", nul5[] = "1\0";
    check_doc(f, (doc){ nul1, sizeof nul1 - 1 });
    check_doc(f, (doc){ nul2, sizeof nul2 - 1 });
    check_doc(f, (doc){ nul3, sizeof nul3 - 1 });
    check_doc(f, (doc){ nul4, sizeof nul4 - 1 });
    check_doc(f, (doc){ nul5, sizeof nul5 - 1 });
    /* nesting: simdjson's limit is 1024, jansson's 2048 */
    static const int depths[] = { 100, 1023, 1024, 1025, 2047, 2048, 2049, 5000 };
    for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
        int k = depths[i];
        size_t n = 2 * (size_t)k + 8;
        char *b = malloc(n + 16);
        size_t m = (size_t)sprintf(b, "{\"a\": ");
        for (int l = 0; l < k - 1; l++)
            b[m++] = '[';
        for (int l = 0; l < k - 1; l++)
            b[m++] = ']';
        b[m++] = '}';
        check_doc(f, (doc){ b, m });
        free(b);
    }
    /* a long line and a long string */
    size_t n = 300000;
    char *b = malloc(n + 64);
    size_t m = (size_t)sprintf(b, "{\"a\": [");
    while (m < n - 10)
        m += (size_t)sprintf(b + m, "%zu,", m % 1000);
    m += (size_t)sprintf(b + m, "0], \"s\": \"");
    memset(b + m, 'x', 40);
    m += 40;
    m += (size_t)sprintf(b + m, "\"}");
    assert_true(check_doc(f, (doc){ b, m }));
    free(b);
}

/* ---- the differential fuzz ---------------------------------------------------- */

typedef struct gen {
    uint64_t seed;
    char *p;
    size_t n, cap;
} gen;

static uint64_t rnd(gen *g)
{
    /* xorshift64* */
    g->seed ^= g->seed >> 12;
    g->seed ^= g->seed << 25;
    g->seed ^= g->seed >> 27;
    return g->seed * UINT64_C(2685821657736338717);
}

static unsigned pick(gen *g, unsigned n)
{
    return (unsigned)(rnd(g) % n);
}

static void put(gen *g, const char *s, size_t n)
{
    if (g->n + n + 1 > g->cap) {
        g->cap = (g->n + n + 1) * 2;
        g->p = realloc(g->p, g->cap);
    }
    memcpy(g->p + g->n, s, n);
    g->n += n;
}

static void puts_(gen *g, const char *s)
{
    put(g, s, strlen(s));
}

static void ws(gen *g)
{
    static const char *const w[] = { "", "", "", " ", "  ", "\t", " \r ", "\n" };
    puts_(g, w[pick(g, 8)]);
}

static void gen_number(gen *g)
{
    char b[96];
    static const char *const fixed[] = {
        "0", "-0", "0.0", "-0.0", "1", "-1", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
        "99999999999999999999999", "1e308", "1e309", "-1e309", "1e-308", "1e-324", "5e-324", "1e-400",
        "2.2250738585072014e-308", "1.7976931348623157e308", "0.1", "1E+2", "1e-2", "123.456e-7",
        "9007199254740993", "9007199254740993.0", "1.00000000000000011102230246251565404236316680908203125",
    };
    switch (pick(g, 6)) {
    case 0:
        puts_(g, fixed[pick(g, sizeof fixed / sizeof fixed[0])]);
        return;
    case 1: /* an integer of 1..20 digits */ {
        int k = 1 + (int)pick(g, 20);
        size_t m = 0;
        if (pick(g, 2))
            b[m++] = '-';
        b[m++] = (char)('1' + pick(g, 9));
        for (int i = 1; i < k; i++)
            b[m++] = (char)('0' + pick(g, 10));
        put(g, b, m);
        return;
    }
    case 2: /* a random double, printed with %.17g or fewer digits */ {
        uint64_t bits = rnd(g);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (x != x)
            x = 1.5;
        snprintf(b, sizeof b, "%.*g", 1 + (int)pick(g, 17), x);
        if (!strchr(b, 'i') && !strchr(b, 'n'))
            puts_(g, b);
        else
            puts_(g, "2.5");
        return;
    }
    case 3: /* mantissa and exponent */ {
        snprintf(b, sizeof b, "%s%u.%ue%s%d", pick(g, 2) ? "-" : "", pick(g, 1000), pick(g, 100000),
                 pick(g, 2) ? "-" : "+", (int)pick(g, 420));
        puts_(g, b);
        return;
    }
    case 4:
        snprintf(b, sizeof b, "%d", (int)pick(g, 2000) - 1000);
        puts_(g, b);
        return;
    default:
        snprintf(b, sizeof b, "%u.%0*u", pick(g, 100), 1 + (int)pick(g, 30) % 9, pick(g, 100000000));
        puts_(g, b);
    }
}

static void gen_string(gen *g)
{
    static const char *const parts[] = {
        "a", "b", "key", "time", "user", " ", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
        "\\u0041", "\\u00e9", "\\u4e2d", "\\uD834\\uDD1E", "\\ud800", "\\udc00", "\\u0000", "\\u001f",
        "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\x7f", "\xff", "\xed\xa0\x80", "\xc0\xaf", "\x01",
        "\t", "\\x", "\\u12", "\\uDBFF\\uDFFF", "\\ud800\\u0041",
    };
    put(g, "\"", 1);
    int k = (int)pick(g, 6);
    for (int i = 0; i < k; i++) {
        /* mostly well-formed parts */
        unsigned lim = pick(g, 8) ? 18 : sizeof parts / sizeof parts[0];
        puts_(g, parts[pick(g, lim)]);
    }
    put(g, "\"", 1);
}

static void gen_value(gen *g, int depth)
{
    unsigned c = pick(g, depth > 4 ? 6 : 9);
    switch (c) {
    case 0:
    case 1: gen_number(g); break;
    case 2:
    case 3: gen_string(g); break;
    case 4: puts_(g, pick(g, 2) ? "true" : "false"); break;
    case 5: puts_(g, "null"); break;
    case 6:
    case 7: {
        puts_(g, "{");
        int k = (int)pick(g, 5);
        for (int i = 0; i < k; i++) {
            if (i)
                puts_(g, ",");
            ws(g);
            gen_string(g);    /* keys repeat: duplicates */
            ws(g);
            puts_(g, ":");
            ws(g);
            gen_value(g, depth + 1);
            ws(g);
        }
        puts_(g, "}");
        break;
    }
    default: {
        puts_(g, "[");
        int k = (int)pick(g, 5);
        for (int i = 0; i < k; i++) {
            if (i)
                puts_(g, ",");
            ws(g);
            gen_value(g, depth + 1);
            ws(g);
        }
        puts_(g, "]");
    }
    }
}

/* One document: an object (mostly) or any value, then maybe mutated. */
static void gen_doc(gen *g)
{
    g->n = 0;
    ws(g);
    if (pick(g, 4)) {
        puts_(g, "{");
        int k = 1 + (int)pick(g, 5);
        for (int i = 0; i < k; i++) {
            if (i)
                puts_(g, ", ");
            gen_string(g);
            puts_(g, ": ");
            gen_value(g, 1);
        }
        puts_(g, "}");
    } else {
        gen_value(g, 0);
    }
    ws(g);
    int muts = pick(g, 3) ? 0 : 1 + (int)pick(g, 3);
    static const char bytes[] = "{}[]:,\"\\-+.eE0123456789 \t\r\n\x00\x01\x7f\x80\xbf\xc3\xed\xff"
                                "untrfals";
    for (int i = 0; i < muts && g->n > 0; i++) {
        size_t at = pick(g, (unsigned)g->n);
        char c = bytes[pick(g, sizeof bytes - 1)];
        switch (pick(g, 4)) {
        case 0: g->p[at] = c; break;                                             /* replace */
        case 1: memmove(g->p + at, g->p + at + 1, g->n - at - 1); g->n--; break; /* delete */
        case 2: g->n = at; break;                                                /* truncate */
        default:                                                                 /* insert */
            if (g->n + 2 > g->cap) {
                g->cap = g->n * 2 + 8;
                g->p = realloc(g->p, g->cap);
            }
            memmove(g->p + at + 1, g->p + at, g->n - at);
            g->p[at] = c;
            g->n++;
        }
    }
}

static void fuzz(void **state)
{
    fixture *f = *state;
    gen g = { .seed = UINT64_C(0x9e3779b97f4a7c15) };
    long total0 = f->total, fast0 = f->fast;
    int n = getenv("FLOW_JSON_FUZZ") ? atoi(getenv("FLOW_JSON_FUZZ")) : 20000;
    for (int i = 0; i < n; i++) {
        gen_doc(&g);
        check_doc(f, (doc){ g.p, g.n });
    }
    free(g.p);
    long total = f->total - total0, fast = f->fast - fast0;
    print_message("fuzz: %ld documents (with the scalars wrapped), %ld through simdjson\n", total, fast);
    assert_true(fast * 5 > total);    /* a good share takes the fast path */
    assert_true(fast < total);        /* and some go to jansson */
}

/* Python's json.dumps writes inf and nan as Infinity, -Infinity and NaN
 * (not JSON): the reader takes them as floats where they stand as values
 * (not inside strings), and only there; jansson alone refuses them, so
 * they are checked here rather than against it. */
static void python_specials(void **state)
{
    fixture *f = *state;
    flow_src *s = f->s;
    static const struct {
        const char *doc;
        double want;
    } ok[] = {
        { "{\"f\": NaN}", NAN },
        { "{\"f\": Infinity}", INFINITY },
        { "{\"f\":-Infinity, \"s\": \"NaN Infinity \\\" -Infinity\"}", -INFINITY },
    };
    for (size_t k = 0; k < 3; k++) {
        const flow_json *v;
        assert_int_equal(flowi_json_line(s, ok[k].doc, strlen(ok[k].doc), &v), 1);
        double x;
        assert_true(flow_json_float(s, flow_json_get(v, "f"), "f", &x));
        if (isnan(ok[k].want))
            assert_true(isnan(x));
        else
            assert_true(x == ok[k].want);
        flow_str str;
        const flow_json *sv = flow_json_get(v, "s");
        if (sv) {    /* inside a string they stay text */
            assert_true(flow_json_str(s, &f->a, sv, "s", &str));
            assert_int_equal(str.n, 24);
            assert_memory_equal(str.p, "NaN Infinity \" -Infinity", 24);
        }
    }
    const flow_json *v;
    /* a string "NaN" is no float; a marker-like string neither */
    assert_int_equal(flowi_json_line(s, "{\"f\": \"NaN\"}", 12, &v), 1);
    double x;
    assert_false(flow_json_float(s, flow_json_get(v, "f"), "f", &x));
    assert_string_equal(take_error(s), "field 'f': expected a number, found a string");
    /* still malformed: the original line's message */
    const char *bad = "{\"f\": NaNx}";
    assert_int_equal(flowi_json_line(s, bad, strlen(bad), &v), -1);
    assert_non_null(strstr(take_error(s), "malformed JSON at column"));
    assert_int_equal(flowi_json_line(s, "[NaN]", 5, &v), -1);
    assert_string_equal(take_error(s), "expected a JSON object, found an array");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(corpus, setup, teardown),
        cmocka_unit_test_setup_teardown(fuzz, setup, teardown),
        cmocka_unit_test_setup_teardown(python_specials, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
