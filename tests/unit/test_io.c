/*
 * test_io.c - the CSV reader (io_csv.c through flow_src: quoted cells,
 * embedded newlines, CRLF, missing and extra cells, columns matched by
 * name, blank lines), the cell parsers, and the JSON decoding and encoding
 * helpers (io_jsonl.c). A source reads a temporary file; a bad record is
 * inspected through the source's pending error (runtime/src/io.h) and
 * cleared, so one source serves several checks.
 */
#include "unit.h"

#include <math.h>

#include "io.h"

static const flow_program_info info = { .flow_name = "io", .source = "io.flow" };

typedef struct fixture {
    flow_rt rt;
    flow_arena a;
    char path[64];
    flow_src *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char arg0[] = "io";
    char *argv[] = { arg0, NULL };
    assert_int_equal(flow_rt_init(&f->rt, &info, 1, argv), -1);
    flow_arena_init(&f->a);
    snprintf(f->path, sizeof f->path, "/tmp/flowc-test-io.XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    flow_src_close(f->s);
    unlink(f->path);
    flow_arena_destroy(&f->a);
    flow_rt_finish(&f->rt, 0);
    free(f);
    return 0;
}

/* A source of FORMAT over a file holding TEXT (csv: FIELDS). */
static flow_src *open_text(fixture *f, int format, const char *text, const char *const *fields, int nfields)
{
    FILE *o = fopen(f->path, "wb");
    assert_non_null(o);
    fputs(text, o);
    fclose(o);
    static flow_src_cfg cfg;
    cfg = (flow_src_cfg){ .step = "inp", .kind = FLOW_SRC_FILE, .format = format, .batch = 1000,
                          .fields = fields, .nfields = nfields };
    f->s = flow_src_open(&f->rt, &cfg, f->path);
    flow_src_poll(f->s);
    return f->s;
}

/* The pending bad record's "LINE: MESSAGE", cleared ("" when none). */
static const char *take_error(flow_src *s)
{
    static char msg[600];
    msg[0] = 0;
    if (s->pending) {
        snprintf(msg, sizeof msg, "%lld: %s", (long long)s->err_line, s->err_msg);
        s->pending = false;
        flowi_strfree(s->err_path);
        flowi_strfree(s->err_msg);
        s->err_path = s->err_msg = NULL;
    }
    return msg;
}

static int next(fixture *f, flow_rec *r)
{
    return flow_src_next(f->s, &f->a, r);
}

/* ---- CSV ---------------------------------------------------------------- */

static const char *const abc[] = { "a", "b", "c" };

static void csv_quoted_cells(void **state)
{
    fixture *f = *state;
    open_text(f, FLOW_FMT_CSV, "a,b,c\n\"x, y\",\"say \"\"hi\"\"\",plain\n\"\",,\"\"\"\"\n", abc, 3);
    flow_rec r;
    assert_int_equal(next(f, &r), 1);
    ASSERT_STR(r.cols[0], "x, y");
    ASSERT_STR(r.cols[1], "say \"hi\"");
    ASSERT_STR(r.cols[2], "plain");
    assert_int_equal(next(f, &r), 1);
    ASSERT_STR(r.cols[0], "");
    ASSERT_STR(r.cols[1], "");
    ASSERT_STR(r.cols[2], "\"");
    assert_true(r.has_col[0] && r.has_col[1] && r.has_col[2]);
    assert_int_equal(next(f, &r), 0);
    flow_src_poll(f->s);
    assert_int_equal(next(f, &r), -1);
}

static void csv_embedded_newlines(void **state)
{
    fixture *f = *state;
    open_text(f, FLOW_FMT_CSV, "a,b,c\n\"one\ntwo\n\nthree\",2,3\nx,y\n", abc, 3);
    flow_rec r;
    assert_int_equal(next(f, &r), 1);
    ASSERT_STR(r.cols[0], "one\ntwo\n\nthree");
    ASSERT_STR(r.cols[2], "3");
    /* the short row after it is named by its own line, 6 */
    assert_int_equal(next(f, &r), 0);
    assert_string_equal(take_error(f->s), "6: missing field 'c': the row has 2 fields, the header 3");
}

/* Unquoted cells of 0..20 bytes (io_csv.c finds the commas eight bytes at
 * a time, the tail through the record's last word): every cell comes back
 * exactly, with LF and CRLF line ends. */
static void csv_cells_at_every_offset(void **state)
{
    fixture *f = *state;
    enum { N = 2500 };
    static const char alpha[] = "a-+.9 \x01:";
    static char text[N * 70 + 16], cell[N][3][24];
    size_t o = (size_t)sprintf(text, "a,b,c\n");
    uint64_t r = 88172645463325252ull;
#define NEXT() (r ^= r << 13, r ^= r >> 7, r ^= r << 17, r)
    for (int i = 0; i < N; i++) {
        for (int c = 0; c < 3; c++) {
            int len = (int)(NEXT() % 21);
            for (int j = 0; j < len; j++)
                cell[i][c][j] = alpha[NEXT() % (sizeof alpha - 1)];
            cell[i][c][len] = 0;
            const char *end = c < 2 ? "," : NEXT() % 2 ? "\r\n" : "\n";
            memcpy(text + o, cell[i][c], (size_t)len);
            o += (size_t)len;
            memcpy(text + o, end, strlen(end) + 1);
            o += strlen(end);
        }
    }
#undef NEXT
    open_text(f, FLOW_FMT_CSV, text, abc, 3);
    flow_rec rec;
    for (int i = 0; i < N;) {
        int rc = next(f, &rec);
        if (rc == 0) {
            assert_string_equal(take_error(f->s), "");
            flow_src_poll(f->s);
            continue;
        }
        assert_int_equal(rc, 1);
        for (int c = 0; c < 3; c++)
            ASSERT_STR(rec.cols[c], cell[i][c]);
        i++;
    }
}

static void csv_crlf(void **state)
{
    fixture *f = *state;
    open_text(f, FLOW_FMT_CSV, "a,b,c\r\n1,2,3\r\n\"q\",\"r\r\ns\",\"t\"\r\n", abc, 3);
    flow_rec r;
    assert_int_equal(next(f, &r), 1);
    ASSERT_STR(r.cols[2], "3");
    assert_int_equal(next(f, &r), 1);
    ASSERT_STR(r.cols[0], "q");
    ASSERT_STR(r.cols[1], "r\r\ns");
    ASSERT_STR(r.cols[2], "t");
    assert_int_equal(next(f, &r), 0);
    assert_string_equal(take_error(f->s), "");
}

static void csv_missing_and_extra_cells(void **state)
{
    fixture *f = *state;
    open_text(f, FLOW_FMT_CSV, "a,b,c\n1,2\n1,2,3,4\n7,8,9\n", abc, 3);
    flow_rec r;
    assert_int_equal(next(f, &r), 0);
    const char *e = take_error(f->s);
    assert_non_null(strstr(e, "2: missing field"));
    assert_int_equal(next(f, &r), 0);
    e = take_error(f->s);
    assert_non_null(strstr(e, "3: extra column"));
    assert_int_equal(next(f, &r), 1);
    ASSERT_STR(r.cols[0], "7");
}

static void csv_columns_by_name(void **state)
{
    fixture *f = *state;
    static const char *const fields[] = { "a", "b", "z" };
    /* header order differs from the record's; `other` is ignored, `z` absent */
    open_text(f, FLOW_FMT_CSV, "b,other,a\n\n2,x,1\n", fields, 3);
    flow_rec r;
    assert_int_equal(next(f, &r), 1);
    ASSERT_STR(r.cols[0], "1");
    ASSERT_STR(r.cols[1], "2");
    assert_true(r.has_col[0] && r.has_col[1]);
    assert_false(r.has_col[2]);
}

static void csv_header_only_and_unterminated_quote(void **state)
{
    fixture *f = *state;
    open_text(f, FLOW_FMT_CSV, "a,b,c\n", abc, 3);
    flow_rec r;
    assert_int_equal(next(f, &r), -1);    /* no record: the first poll ends the input */
    flow_src_close(f->s);
    open_text(f, FLOW_FMT_CSV, "a,b,c\n1,\"open,3\n", abc, 3);
    assert_int_equal(next(f, &r), 0);
    assert_string_equal(take_error(f->s), "2: unterminated quoted cell");
}

/* A bad header stops the input in both on_error modes: skipped, the next
 * line would be taken for the header. So too a header line over the
 * record limit, a header whose quoted cell runs past it, and one whose
 * quoted cell the file ends in (found by tests/fuzz/fuzz_csv: with
 * on_error = "skip" they were skipped as records). */
static void csv_bad_header_not_skipped(void **state)
{
    fixture *f = *state;
    size_t n = FLOW_MAX_RECORD + 10;
    char *text = malloc(1200 * 1000);
    assert_non_null(text);
    memset(text, 'a', n);
    strcpy(text + n, ",b,c\n1,2,3\n");
    open_text(f, FLOW_FMT_CSV, text, abc, 3);
    f->s->cfg.skip = true;
    flow_rec r;
    assert_int_equal(next(f, &r), 0);
    assert_string_equal(take_error(f->s), "1: bad header row: line longer than 1048576 bytes");
    assert_int_equal(flow_src_skipped(f->s), 0);
    flow_src_close(f->s);
    /* a quoted cell of 1100 lines of 1000 bytes */
    size_t o = (size_t)sprintf(text, "\"a");
    for (int i = 0; i < 1100; i++) {
        text[o++] = '\n';
        memset(text + o, 'q', 999);
        o += 999;
    }
    strcpy(text + o, "\",b,c\n1,2,3\n");
    open_text(f, FLOW_FMT_CSV, text, abc, 3);
    f->s->cfg.skip = true;
    assert_int_equal(next(f, &r), 0);
    assert_string_equal(take_error(f->s), "1: bad header row: record longer than 1048576 bytes");
    assert_int_equal(flow_src_skipped(f->s), 0);
    flow_src_close(f->s);
    open_text(f, FLOW_FMT_CSV, "\"a,b,c\n1,2,3\n", abc, 3);
    f->s->cfg.skip = true;
    assert_int_equal(next(f, &r), 0);
    assert_string_equal(take_error(f->s), "1: bad header row: unterminated quoted cell");
    assert_int_equal(flow_src_skipped(f->s), 0);
    free(text);
}

/* ---- cell parsers --------------------------------------------------------- */

static void cell_parsers(void **state)
{
    fixture *f = *state;
    open_text(f, FLOW_FMT_LINES, "", NULL, 0);
    flow_src *s = f->s;
    int64_t i;
    double d;
    bool b;
    flow_time t;
    int64_t us;
    assert_true(flow_cell_int(s, S(" -3 "), "n", &i));
    assert_int_equal(i, -3);
    assert_true(flow_cell_int(s, S("1_000"), "n", &i));
    assert_int_equal(i, 1000);
    assert_false(flow_cell_int(s, S("1.5"), "n", &i));
    assert_non_null(strstr(take_error(s), "'n'"));
    assert_true(flow_cell_float(s, S("1e3"), "x", &d));
    assert_true(d == 1000.0);
    assert_true(flow_cell_float(s, S("inf"), "x", &d));
    assert_true(isinf(d));
    assert_false(flow_cell_float(s, S("abc"), "x", &d));
    take_error(s);
    assert_true(flow_cell_bool(s, S("True"), "b", &b) && b);
    assert_true(flow_cell_bool(s, S("0"), "b", &b) && !b);
    assert_false(flow_cell_bool(s, S("yes"), "b", &b));
    take_error(s);
    assert_true(flow_cell_time(s, S("2022-01-01 00:00:01"), "t", &t));
    assert_true(t == INT64_C(1640995201000000));
    assert_true(flow_cell_time(s, S("2022-01-01T00:00:01.5Z"), "t", &t));
    assert_true(t == INT64_C(1640995201500000));
    assert_false(flow_cell_time(s, S("2022-13-01 00:00:00"), "t", &t));
    assert_non_null(strstr(take_error(s), "'t'"));
    assert_true(flow_cell_duration(s, S("250ms"), "d", &us));
    assert_int_equal(us, 250000);
}

/* ---- JSON decoding --------------------------------------------------------- */

static void json_decoding(void **state)
{
    fixture *f = *state;
    open_text(f, FLOW_FMT_JSONL,
              "{\"i\": 9007199254740993, \"f\": 2.5, \"n\": 3, \"s\": \"\\u00e9\\n\", \"b\": true, \"z\": null, "
              "\"l\": [1, \"x\"], \"t\": \"2022-01-01T00:00:01Z\", \"u\": \"2022-01-01 00:00:02\", "
              "\"d\": 1.5, \"ds\": \"10s\", \"o\": {\"k\": 1}}\n",
              NULL, 0);
    flow_src *s = f->s;
    flow_rec r;
    assert_int_equal(next(f, &r), 1);
    assert_int_equal(r.text.n, 0);    /* a jsonl file's line is not copied */
    const flow_json *v = r.json;
    assert_true(flow_json_object(s, v, ""));
    int64_t i;
    double d;
    bool b;
    flow_str str;
    flow_time t;
    int64_t us, n;
    assert_true(flow_json_int(s, flow_json_get(v, "i"), "i", &i));
    assert_true(i == INT64_C(9007199254740993));    /* exact, not through a double */
    assert_false(flow_json_int(s, flow_json_get(v, "f"), "f", &i));
    assert_string_equal(take_error(s), "1: field 'f': expected an int, found a float");
    assert_true(flow_json_float(s, flow_json_get(v, "n"), "n", &d));
    assert_true(d == 3.0);
    assert_true(flow_json_str(s, &f->a, flow_json_get(v, "s"), "s", &str));
    ASSERT_STR(str, "\xc3\xa9\n");
    assert_false(flow_json_str(s, &f->a, flow_json_get(v, "n"), "n", &str));
    take_error(s);
    assert_true(flow_json_bool(s, flow_json_get(v, "b"), "b", &b) && b);
    assert_true(flow_json_is_null(flow_json_get(v, "z")));
    assert_false(flow_json_is_null(flow_json_get(v, "b")));
    assert_null(flow_json_get(v, "absent"));
    assert_true(flow_json_array(s, flow_json_get(v, "l"), "l", &n));
    assert_int_equal(n, 2);
    assert_true(flow_json_str(s, &f->a, flow_json_at(flow_json_get(v, "l"), 1), "l", &str));
    ASSERT_STR(str, "x");
    assert_false(flow_json_array(s, flow_json_get(v, "o"), "o", &n));
    take_error(s);
    assert_false(flow_json_object(s, flow_json_get(v, "l"), "l"));
    take_error(s);
    assert_true(flow_json_object(s, flow_json_get(v, "o"), "o"));
    assert_true(flow_json_time(s, flow_json_get(v, "t"), "t", &t));
    assert_true(t == INT64_C(1640995201000000));
    assert_true(flow_json_time(s, flow_json_get(v, "u"), "u", &t));
    assert_true(t == INT64_C(1640995202000000));
    assert_false(flow_json_time(s, flow_json_get(v, "n"), "n", &t));
    take_error(s);
    assert_true(flow_json_duration(s, flow_json_get(v, "d"), "d", &us));
    assert_int_equal(us, 1500000);
    assert_true(flow_json_duration(s, flow_json_get(v, "ds"), "ds", &us));
    assert_int_equal(us, 10000000);
}

/* An object's members in document order (dict<string, V> fields), on
 * simdjson's fast path (duplicates kept: the generated code keeps the
 * first place and the last value) and on jansson's (a "\u0000" in the
 * line sends it there; jansson keeps one member per key). */
static void json_members(void **state)
{
    fixture *f = *state;
    open_text(f, FLOW_FMT_JSONL,
              "{\"o\": {\"b\": 1, \"a\": 2, \"b\": 3}, \"l\": []}\n"
              "{\"o\": {\"z\": 1, \"y\": 2}, \"s\": \"\\u0000\"}\n",
              NULL, 0);
    flow_src *s = f->s;
    flow_rec r;
    int64_t n, i;
    flow_str k;
    assert_int_equal(next(f, &r), 1);
    const flow_json *o = flow_json_get(r.json, "o");
    assert_true(flow_json_members(s, o, "o", &n));
    assert_int_equal(n, 3);
    const char *keys[] = { "b", "a", "b" };
    const int64_t vals[] = { 1, 2, 3 };
    for (int64_t j = 0; j < n; j++) {
        assert_true(flow_json_int(s, flow_json_member(o, j, &k), "o", &i));
        ASSERT_STR(k, keys[j]);
        assert_int_equal(i, vals[j]);
    }
    assert_true(flow_json_int(s, flow_json_member(o, 0, &k), "o", &i));   /* back to the start */
    assert_int_equal(i, 1);
    assert_false(flow_json_members(s, flow_json_get(r.json, "l"), "l", &n));
    assert_string_equal(take_error(s), "1: field 'l': expected an object, found an array");
    assert_int_equal(next(f, &r), 1);
    o = flow_json_get(r.json, "o");
    assert_true(flow_json_members(s, o, "o", &n));
    assert_int_equal(n, 2);
    assert_true(flow_json_int(s, flow_json_member(o, 0, &k), "o", &i));
    ASSERT_STR(k, "z");
    assert_true(flow_json_int(s, flow_json_member(o, 1, &k), "o", &i));
    ASSERT_STR(k, "y");
    assert_int_equal(i, 2);
}

/* ---- lines ---------------------------------------------------------- */

/* Lines are checked to be UTF-8 ahead, in bulk over the read buffer
 * (flowi_part_utf8): on random lines, some not UTF-8, spanning several
 * reads (a 4-byte sequence cut by the first one at 256 KiB), each line is
 * a record exactly when it is valid on its own, else a bad record on its
 * own line number. */
static void lines_utf8_checked_ahead(void **state)
{
    fixture *f = *state;
    flow_buf text = { 0 };
    for (int k = 0; k < 2621; k++) {
        char filler[100];
        memset(filler, 'a', 99);
        filler[99] = '\n';
        flow_buf_put(&text, filler, 100);
    }
    flow_buf_put(&text, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\xf0\x9f\x98\x80z\n", 48);
    assert_memory_equal(text.p + 262142, "\xf0\x9f\x98\x80", 4);
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (int k = 0; text.n < 700000; k++) {
        char buf[256];
        size_t n = unit_random_text(&seed, buf, sizeof buf, k % 3 == 0);
        flow_buf_put(&text, buf, n);
        flow_buf_putc(&text, '\n');
    }
    flow_buf_putc(&text, '\0');
    open_text(f, FLOW_FMT_LINES, text.p, NULL, 0);
    const char *q = text.p;
    int bad = 0;
    for (long long line = 1; *q; line++) {
        size_t len = (size_t)(strchr(q, '\n') - q);
        flow_rec r;
        int rc;
        while ((rc = next(f, &r)) == 0 && !f->s->pending)
            flow_src_poll(f->s);    /* the next poll's batch */
        if (flow_utf8_valid(q, len)) {
            assert_int_equal(rc, 1);
            assert_int_equal(r.text.n, (int64_t)len);
            assert_memory_equal(r.text.p, q, len);
        } else {
            char want[64];
            snprintf(want, sizeof want, "%lld: invalid UTF-8", line);
            assert_int_equal(rc, 0);
            assert_string_equal(take_error(f->s), want);
            bad++;
        }
        q += len + 1;
        if (line % 1000 == 0)
            flow_arena_reset(&f->a);
    }
    assert_true(bad > 100);
    flow_rec r;
    assert_int_equal(next(f, &r), 0);
    flow_src_poll(f->s);
    assert_int_equal(next(f, &r), -1);
    flow_buf_free(&text);
}

static void json_bad_lines(void **state)
{
    fixture *f = *state;
    open_text(f, FLOW_FMT_JSONL, "{\"a\": 1\n[1, 2]\n\n\"str\"\n{\"ok\": true}\n", NULL, 0);
    flow_rec r;
    assert_int_equal(next(f, &r), 0);
    assert_non_null(strstr(take_error(f->s), "1: malformed JSON"));
    assert_int_equal(next(f, &r), 0);
    assert_string_equal(take_error(f->s), "2: expected a JSON object, found an array");
    assert_int_equal(next(f, &r), 0);    /* the blank line is skipped */
    assert_string_equal(take_error(f->s), "4: expected a JSON object, found a string");
    assert_int_equal(next(f, &r), 1);
    assert_non_null(flow_json_get(r.json, "ok"));
}

/* ---- JSON and CSV encoding ------------------------------------------------ */

/* An allocator hook that keeps GUARD bytes of a pattern after each block
 * and counts the blocks whose pattern changed by the time they are
 * resized or freed: writes past the end of a runtime buffer. */
enum { GUARD = 4096 };
static int guard_broken;

static void *guarded_alloc(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    (void)ud;
    if (ptr) {
        const unsigned char *g = (const unsigned char *)ptr + old_size;
        for (size_t i = 0; i < GUARD; i++)
            if (g[i] != 0xA5) {
                guard_broken++;
                break;
            }
    }
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    unsigned char *p = realloc(ptr, new_size + GUARD);
    if (p)
        memset(p + new_size, 0xA5, GUARD);
    return p;
}

static int setup_guarded(void **state)
{
    guard_broken = 0;
    flow_set_allocator(guarded_alloc, NULL);
    return setup(state);
}

static int teardown_guarded(void **state)
{
    teardown(state);
    flow_set_allocator(NULL, NULL);    /* back to malloc */
    return 0;
}

/* Python's NaN and Infinity are rewritten to marker strings in a copy of
 * the line, which grows: by 8 bytes a token, NaN's 3 bytes to 11. The copy
 * had room for 3 times the line, and adjacent NaN tokens (malformed JSON)
 * wrote past it (seen reading io_jsonl.c for tests/fuzz/fuzz_jsonl, which
 * then crashed on it under ASan). */
static void json_python_specials_in_bounds(void **state)
{
    fixture *f = *state;
    char text[512];
    size_t o = (size_t)sprintf(text, "{\"f\": [");
    for (int i = 0; i < 40; i++)
        o += (size_t)sprintf(text + o, "NaN");
    sprintf(text + o, "]}\n{\"f\": [NaN, -Infinity, Infinity]}\n");
    open_text(f, FLOW_FMT_JSONL, text, NULL, 0);
    flow_rec r;
    assert_int_equal(next(f, &r), 0);
    assert_non_null(strstr(take_error(f->s), "1: malformed JSON"));
    assert_int_equal(next(f, &r), 1);
    const flow_json *l = flow_json_get(r.json, "f");
    double d[3];
    for (int i = 0; i < 3; i++)
        assert_true(flow_json_float(f->s, flow_json_at(l, i), "f", &d[i]));
    assert_true(isnan(d[0]) && isinf(d[1]) && d[1] < 0 && isinf(d[2]) && d[2] > 0);
    flow_src_close(f->s);
    f->s = NULL;
    assert_int_equal(guard_broken, 0);
}

static void json_encoding(void **state)
{
    (void)state;
    flow_buf b = { 0 };
    flow_json_put_str(&b, S("a \"b\"\\\n\r\t\b\f\x01 \xc3\xa9"));
    ASSERT_BUF(b, "\"a \\\"b\\\"\\\\\\n\\r\\t\\b\\f\\u0001 \xc3\xa9\"");
    static const struct { double v; const char *want; } floats[] = {
        { 0.5, "0.5" }, { 1.0, "1.0" }, { 1e-05, "1e-05" }, { 1e16, "1e+16" },
        { 0.1 + 0.2, "0.30000000000000004" }, { -0.0, "-0.0" }, { INFINITY, "Infinity" }, { -INFINITY, "-Infinity" }, { NAN, "NaN" },
    };
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        b.n = 0;
        flow_json_put_float(&b, floats[i].v);
        ASSERT_BUF(b, floats[i].want);
    }
    b.n = 0;
    flow_json_put_time(&b, INT64_C(1640995204000000));
    ASSERT_BUF(b, "\"2022-01-01T00:00:04Z\"");
    b.n = 0;
    flow_json_put_time(&b, INT64_C(1640995204250000));
    ASSERT_BUF(b, "\"2022-01-01T00:00:04.250000Z\"");
    static const struct { int64_t us; const char *want; } durs[] = {
        { 90000000, "90" }, { 1500000, "1.5" }, { 250000, "0.25" }, { -1, "-0.000001" }, { 0, "0" },
    };
    for (size_t i = 0; i < sizeof durs / sizeof durs[0]; i++) {
        b.n = 0;
        flow_json_put_duration(&b, durs[i].us);
        ASSERT_BUF(b, durs[i].want);
    }
    int64_t ids[] = { 1, 2 };
    flow_window_meta m = { INT64_C(1640995200000000), INT64_C(1640995210000000), { ids, 2 } };
    b.n = 0;
    flow_json_put_meta(&b, m);
    ASSERT_BUF(b, "{\"open_time\": \"2022-01-01T00:00:00Z\", \"close_time\": \"2022-01-01T00:00:10Z\", "
                  "\"merged_ids\": [1, 2]}");
    flow_buf_free(&b);
}

static void csv_encoding(void **state)
{
    (void)state;
    flow_buf b = { 0 };
    static const struct { const char *s, *want; } cells[] = {
        { "plain", "plain" }, { "", "" }, { "a,b", "\"a,b\"" }, { "say \"hi\"", "\"say \"\"hi\"\"\"" },
        { "two\nlines", "\"two\nlines\"" }, { "cr\r", "\"cr\r\"" }, { " spaced ", " spaced " },
    };
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        b.n = 0;
        flow_csv_put_str(&b, S(cells[i].s));
        ASSERT_BUF(b, cells[i].want);
    }
    b.n = 0;
    flow_fmt_rfc3339(&b, INT64_C(1640995200000001));
    ASSERT_BUF(b, "2022-01-01T00:00:00.000001Z");
    b.n = 0;
    flow_fmt_seconds(&b, 90000000);
    ASSERT_BUF(b, "90");
    flow_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lines_utf8_checked_ahead, setup, teardown),
        cmocka_unit_test_setup_teardown(json_members, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_quoted_cells, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_embedded_newlines, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_crlf, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_cells_at_every_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_missing_and_extra_cells, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_columns_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_header_only_and_unterminated_quote, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_bad_header_not_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(cell_parsers, setup, teardown),
        cmocka_unit_test_setup_teardown(json_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(json_bad_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(json_python_specials_in_bounds, setup_guarded, teardown_guarded),
        cmocka_unit_test(json_encoding),
        cmocka_unit_test(csv_encoding),
    };
    return cmocka_run_group_tests_name("io", tests, NULL, NULL);
}
