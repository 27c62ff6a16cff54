/*
 * test_lines.c - the file line reader (lines.c) with Bytewax FileSource
 * semantics: blank lines, '\r' kept, no item after a final '\n', a last line
 * without '\n', lines across block boundaries and longer than a block, and
 * the fatal errors (missing file, directory, invalid UTF-8) run in a child.
 */
#include "unit.h"

static flow_program_info info = { .flow_name = "lines_test", .source = "lines_test.flow" };

/* A temporary file holding N bytes of DATA; its path goes in PATH. */
static void write_file(char *path, const char *data, size_t n)
{
    strcpy(path, "/tmp/flowrt-lines-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* Reads every line of the N bytes of DATA; checks them against WANT. */
static void check_lines(const char *data, size_t n, const char **want, int nwant, int line)
{
    char path[64];
    write_file(path, data, n);
    flow_rt rt;
    assert_int_equal(flow_rt_init(&rt, &info, 0, NULL), -1);
    flow_arena a;
    flow_arena_init(&a);
    flow_lines *r = flow_lines_open(&rt, path);
    flow_str s;
    int got = 0;
    while (flow_lines_next(r, &a, &s)) {
        if (got >= nwant)
            fail_msg("line %d: extra line %d", line, got + 1);
        unit_check_bytes(s.p, (size_t)s.n, want[got], __FILE__, line);
        got++;
        assert_int_equal(flow_lines_lineno(r), got);
    }
    assert_int_equal(got, nwant);
    assert_false(flow_lines_next(r, &a, &s));    /* EOF stays EOF */
    flow_lines_close(r);
    flow_arena_destroy(&a);
    flow_rt_finish(&rt, 0);
    unlink(path);
}
#define LINES(data, ...)                                                     \
    do {                                                                     \
        const char *want_[] = { "", __VA_ARGS__ };                           \
        check_lines((data), sizeof(data) - 1, want_ + 1,                     \
                    (int)(sizeof want_ / sizeof *want_) - 1, __LINE__);      \
    } while (0)

static void semantics(void **state)
{
    (void)state;
    LINES("a\n\nb\r\nc", "a", "", "b\r", "c");
    LINES("a\n", "a");
    LINES("\n", "");
    LINES("\n\n", "", "");
    LINES("");
    LINES("no newline", "no newline");
    LINES("h\xc3\xa9llo\n\xe2\x80\x9cq\xe2\x80\x9d\n", "h\xc3\xa9llo", "\xe2\x80\x9cq\xe2\x80\x9d");
}

/* Many lines across block boundaries, and one line longer than a block. */
static void big_file(void **state)
{
    (void)state;
    enum { LONG = 700 * 1024, COUNT = 200000 };
    flow_buf data = { 0 };
    for (int i = 0; i < COUNT; i++) {
        char tmp[32];
        int n = snprintf(tmp, sizeof tmp, "line %d\n", i);
        flow_buf_put(&data, tmp, (size_t)n);
        if (i == COUNT / 2) {
            for (int k = 0; k < LONG; k++)
                flow_buf_putc(&data, (char)('a' + k % 26));
            flow_buf_putc(&data, '\n');
        }
    }
    char path[64];
    write_file(path, data.p, data.n);
    flow_buf_free(&data);
    flow_rt rt;
    assert_int_equal(flow_rt_init(&rt, &info, 0, NULL), -1);
    flow_lines *r = flow_lines_open(&rt, path);
    flow_str s;
    int i = 0;
    bool saw_long = false;
    while (flow_lines_next(r, &rt.arena, &s)) {
        if (s.n == LONG) {
            saw_long = true;
            assert_int_equal(s.p[LONG - 1], 'a' + (LONG - 1) % 26);
            continue;
        }
        char tmp[32];
        snprintf(tmp, sizeof tmp, "line %d", i++);
        unit_check_bytes(s.p, (size_t)s.n, tmp, __FILE__, __LINE__);
        if (i % 1000 == 0)
            flow_rt_round_begin(&rt);    /* resets the arena, as rounds do */
    }
    assert_true(saw_long);
    assert_int_equal(i, COUNT);
    assert_int_equal(flow_lines_lineno(r), COUNT + 1);
    flow_lines_close(r);
    flow_rt_finish(&rt, 0);
    unlink(path);
}

static void open_path(void *arg)
{
    flow_rt rt;
    flow_rt_init(&rt, &info, 0, NULL);
    flow_buf_puts(&rt.out, "before\n");    /* flushed before the message */
    flow_lines_open(&rt, arg);
}

static void read_all(void *arg)
{
    flow_rt rt;
    flow_rt_init(&rt, &info, 0, NULL);
    flow_lines *r = flow_lines_open(&rt, arg);
    flow_str s;
    while (flow_lines_next(r, &rt.arena, &s)) {
        flow_buf_put(&rt.out, s.p, (size_t)s.n);
        flow_buf_putc(&rt.out, '\n');
    }
}

static void errors(void **state)
{
    (void)state;
    char out[256], err[256];
    int rc = unit_run_child(open_path, "/nonexistent/in.txt", out, sizeof out, err, sizeof err);
    assert_int_equal(rc, 1);
    assert_string_equal(out, "before\n");
    assert_string_equal(err, "/nonexistent/in.txt: error: cannot open: No such file or directory\n");

    rc = unit_run_child(open_path, "/tmp", out, sizeof out, err, sizeof err);
    assert_int_equal(rc, 1);
    assert_string_equal(err, "/tmp: error: cannot open: Is a directory\n");

    char path[64], want[128];
    write_file(path, "ok\nbad \xff byte\nnever\n", 20);
    rc = unit_run_child(read_all, path, out, sizeof out, err, sizeof err);
    assert_int_equal(rc, 1);
    assert_string_equal(out, "ok\n");
    snprintf(want, sizeof want, "%s:2: error: invalid UTF-8\n", path);
    assert_string_equal(err, want);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(semantics),
        cmocka_unit_test(big_file),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests_name("lines", tests, NULL, NULL);
}
