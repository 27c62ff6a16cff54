/*
 * test_split.c - the byte ranges of a file read with split = "bytes"
 * (runtime/src/io_split.c, docs/workers.md §3): the cuts at N equal byte
 * offsets moved forward to the next line start, checked against a direct
 * computation on random files (empty lines, CRLF, no final newline, more
 * workers than lines, one long line); re-splitting the unread segments of
 * a recovery's saved ranges among another number of workers; the lines
 * counted before an offset; and the sources of N workers over one file
 * (flow_src with rt.worker/rt.nworkers set, no cluster): every line read
 * once in all, a CSV header read by every worker, and a bad line named by
 * its line number in the file whichever worker reads it.
 */
#include "unit.h"

#include <fcntl.h>

#include "io.h"

static const flow_program_info info = { .flow_name = "split", .source = "split.flow" };

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static char path[64];

/* Write TEXT (N bytes) to the test's file; an fd open on it. */
static int write_file(const char *text, size_t n)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    return fd;
}

/* Random lines: empty ones, CRLF ends, sometimes no final newline. */
static size_t random_text(char *buf, size_t cap)
{
    size_t n = 0, lines = next_rand() % 12;
    for (size_t i = 0; i < lines && n + 40 < cap; i++) {
        size_t len = next_rand() % 4 == 0 ? 0 : next_rand() % 30;
        for (size_t j = 0; j < len; j++)
            buf[n++] = (char)('a' + next_rand() % 26);
        if (next_rand() % 5 == 0)
            buf[n++] = '\r';
        if (i + 1 < lines || next_rand() % 3)
            buf[n++] = '\n';
    }
    return n;
}

/* The smallest line start of TEXT (N bytes) at or after X. */
static int64_t ref_line_start(const char *text, int64_t n, int64_t x)
{
    while (x > 0 && x < n && text[x - 1] != '\n')
        x++;
    return x > n ? n : x;
}

static int64_t ref_lines(const char *text, int64_t upto)
{
    int64_t k = 0;
    for (int64_t i = 0; i < upto; i++)
        k += text[i] == '\n';
    return k;
}

/* One segment, the whole file: worker w's range is [b_w, b_w+1), b_k the
 * line start at or after k*size/N; the last worker's reads on (-1). */
static void split_whole_file(void **state)
{
    (void)state;
    static char text[2048];
    for (int round = 0; round < 400; round++) {
        size_t n = random_text(text, sizeof text);
        int fd = write_file(text, n);
        for (int nw = 1; nw <= 9; nw++) {
            int64_t covered = 0;
            for (int w = 0; w < nw; w++) {
                flowi_seg all = { 0, -1, 0 }, out[1];
                size_t np = flowi_split(fd, (int64_t)n, &all, 1, w, nw, out);
                int64_t from = ref_line_start(text, (int64_t)n, (int64_t)(n * (size_t)w / (size_t)nw));
                int64_t to = ref_line_start(text, (int64_t)n, (int64_t)(n * (size_t)(w + 1) / (size_t)nw));
                if (w == nw - 1) {
                    assert_int_equal(np, 1);    /* the file's end, even when empty */
                    assert_int_equal(out[0].start, from);
                    assert_int_equal(out[0].end, -1);
                } else if (from == to) {
                    assert_int_equal(np, 0);
                    continue;
                } else {
                    assert_int_equal(np, 1);
                    assert_int_equal(out[0].start, from);
                    assert_int_equal(out[0].end, to);
                }
                assert_int_equal(out[0].start, covered);    /* no byte lost or read twice */
                assert_int_equal(out[0].lines, out[0].start == 0 ? 0 : -1);
                covered = w == nw - 1 ? (int64_t)n : out[0].end;
            }
            assert_int_equal(covered, (int64_t)n);
        }
        close(fd);
    }
}

static void line_start_and_count(void **state)
{
    (void)state;
    const char *t = "ab\n\ncd\r\nlong line\nlast";
    int fd = write_file(t, strlen(t));
    int64_t n = (int64_t)strlen(t);
    for (int64_t x = 0; x <= n; x++) {
        assert_int_equal(flowi_line_start(fd, 0, x, n), ref_line_start(t, n, x));
        assert_int_equal(flowi_count_lines(fd, x), ref_lines(t, x));
    }
    /* within a segment: never before its start, never past its end */
    assert_int_equal(flowi_line_start(fd, 4, 2, n), 4);
    assert_int_equal(flowi_line_start(fd, 4, 9, 18), 18);
    assert_int_equal(flowi_line_start(fd, 0, 9, 12), 12);
    close(fd);
    /* one line longer than pread's buffer */
    static char big[20000];
    memset(big, 'x', sizeof big);
    big[15000] = '\n';
    fd = write_file(big, sizeof big);
    assert_int_equal(flowi_line_start(fd, 0, 3, (int64_t)sizeof big), 15001);
    assert_int_equal(flowi_line_start(fd, 0, 15001, (int64_t)sizeof big), 15001);
    assert_int_equal(flowi_line_start(fd, 0, 15002, (int64_t)sizeof big), (int64_t)sizeof big);
    assert_int_equal(flowi_count_lines(fd, (int64_t)sizeof big), 1);
    close(fd);
}

/* A recovery's saved ranges, partly read, divided among another number of
 * workers: together the pieces are exactly the segments' bytes, each
 * piece inside one segment and starting at a line start, a piece at its
 * segment's start keeps its line count. */
static void resplit_segments(void **state)
{
    (void)state;
    static char text[2048];
    for (int round = 0; round < 400; round++) {
        size_t n = random_text(text, sizeof text);
        int fd = write_file(text, n);
        /* the line starts, then segments between random ones of them */
        int64_t starts[2048];
        size_t ns = 0;
        for (size_t i = 0; i <= n; i++)
            if (i == 0 || text[i - 1] == '\n')
                starts[ns++] = (int64_t)i;
        if (starts[ns - 1] != (int64_t)n)
            starts[ns++] = (int64_t)n;
        flowi_seg segs[8];
        size_t nseg = 0;
        size_t at = 0;
        while (nseg < 8 && at < ns) {
            size_t a = at + next_rand() % 3, b = a + next_rand() % 4;
            if (a >= ns)
                break;
            if (b >= ns)
                b = ns - 1;
            segs[nseg++] = (flowi_seg){ starts[a], starts[b], next_rand() % 2 ? ref_lines(text, starts[a]) : -1 };
            at = b + 1;
        }
        if (nseg == 0)
            segs[nseg++] = (flowi_seg){ 0, -1, 0 };
        if (next_rand() % 2)
            segs[nseg - 1].end = -1;    /* the last range of a run: read on to the file's end */
        bool grows = segs[nseg - 1].end < 0;
        for (int nw = 1; nw <= 5; nw++) {
            /* every byte of the segments exactly once, in order */
            size_t si = 0;
            int64_t pos = segs[0].start;
            int open_ended = 0;
            for (int w = 0; w < nw; w++) {
                flowi_seg out[8];
                size_t np = flowi_split(fd, (int64_t)n, segs, nseg, w, nw, out);
                for (size_t k = 0; k < np; k++) {
                    int64_t send = segs[si].end < 0 ? (int64_t)n : segs[si].end;
                    while (pos == send && si + 1 < nseg) {    /* the next segment */
                        si++;
                        pos = segs[si].start;
                        send = segs[si].end < 0 ? (int64_t)n : segs[si].end;
                    }
                    assert_int_equal(out[k].start, pos);
                    assert_int_equal(ref_line_start(text, (int64_t)n, pos), pos);
                    assert_int_equal(out[k].lines, pos == segs[si].start ? segs[si].lines : -1);
                    int64_t end = out[k].end < 0 ? (int64_t)n : out[k].end;
                    assert_true(end <= send);
                    if (out[k].end < 0) {
                        open_ended++;
                        assert_int_equal(w, nw - 1);    /* only the last worker reads on */
                        assert_true(grows && si == nseg - 1);
                    }
                    pos = end;
                }
            }
            while (si + 1 < nseg && pos == (segs[si].end < 0 ? (int64_t)n : segs[si].end)) {
                si++;    /* empty segments at the end */
                pos = segs[si].start;
            }
            assert_int_equal(si, nseg - 1);
            assert_int_equal(pos, segs[si].end < 0 ? (int64_t)n : segs[si].end);
            assert_int_equal(open_ended, grows ? 1 : 0);
        }
        close(fd);
    }
}

/* ---- through flow_src: N workers' sources over one file ------------------- */

/* Every record of worker W of NW's source over the test's file, its
 * text appended to OUT (one line each); the first bad record's
 * "LINE: MESSAGE" into ERR (stop: the source stops at it). */
static void read_worker(int format, const char *const *fields, int nfields, int w, int nw, flow_buf *out,
                        char *err, size_t errn)
{
    flow_rt rt;
    char arg0[] = "split";
    char *argv[] = { arg0, NULL };
    assert_int_equal(flow_rt_init(&rt, &info, 1, argv), -1);
    rt.worker = w;
    rt.nworkers = nw;
    flow_arena a;
    flow_arena_init(&a);
    flow_src_cfg cfg = { .step = "inp", .kind = FLOW_SRC_FILE, .format = format, .batch = 3, .fields = fields,
                         .nfields = nfields, .split_bytes = true };
    flow_src *s = flow_src_open(&rt, &cfg, path);
    err[0] = 0;
    for (int polls = 0; polls < 10000; polls++) {
        flow_src_poll(s);
        flow_rec r;
        int rc;
        while ((rc = flow_src_next(s, &a, &r)) == 1) {
            if (format == FLOW_FMT_CSV)
                for (int c = 0; c < nfields; c++) {
                    flow_buf_put(out, r.cols[c].p, (size_t)r.cols[c].n);
                    flow_buf_putc(out, c + 1 < nfields ? ',' : '\n');
                }
            else {
                flow_buf_put(out, r.text.p, (size_t)r.text.n);
                flow_buf_putc(out, '\n');
            }
        }
        if (s->pending) {
            snprintf(err, errn, "%lld: %s", (long long)s->err_line, s->err_msg);
            break;
        }
        if (rc < 0)
            break;
    }
    flow_src_close(s);
    flow_arena_destroy(&a);
    flow_rt_finish(&rt, 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The records of NW workers, sorted lines (the order between workers is
 * not the file's), and the first error by worker. */
static void read_all(int format, const char *const *fields, int nfields, int nw, flow_buf *out, char *err,
                     size_t errn)
{
    flow_buf all = { 0 };
    err[0] = 0;
    for (int w = 0; w < nw; w++) {
        char e[600];
        read_worker(format, fields, nfields, w, nw, &all, e, sizeof e);
        if (e[0] && !err[0])
            snprintf(err, errn, "%s", e);
    }
    /* sort the lines */
    size_t nl = 0;
    for (size_t i = 0; i < all.n; i++)
        nl += all.p[i] == '\n';
    char **lines = calloc(nl + 1, sizeof *lines);
    size_t k = 0;
    for (char *p = all.p, *e = all.p + all.n; p < e;) {
        char *nlp = memchr(p, '\n', (size_t)(e - p));
        *nlp = 0;
        lines[k++] = p;
        p = nlp + 1;
    }
    qsort(lines, k, sizeof *lines, cmp_str);
    for (size_t i = 0; i < k; i++) {
        flow_buf_puts(out, lines[i]);
        flow_buf_putc(out, '\n');
    }
    free(lines);
    flow_buf_free(&all);
}

static void sources_read_every_line_once(void **state)
{
    (void)state;
    static char text[2048];
    for (int round = 0; round < 150; round++) {
        size_t n = random_text(text, sizeof text);
        close(write_file(text, n));
        flow_buf one = { 0 };
        char err[600];
        read_all(FLOW_FMT_LINES, NULL, 0, 1, &one, err, sizeof err);
        assert_string_equal(err, "");
        for (int nw = 2; nw <= 6; nw++) {
            flow_buf got = { 0 };
            read_all(FLOW_FMT_LINES, NULL, 0, nw, &got, err, sizeof err);
            assert_string_equal(err, "");
            assert_int_equal(got.n, one.n);
            if (one.n)
                assert_memory_equal(got.p, one.p, one.n);
            flow_buf_free(&got);
        }
        flow_buf_free(&one);
    }
}

static const char *const ab[] = { "a", "b" };

/* A CSV file: the header is read by every worker, the records by one. */
static void csv_header_by_every_worker(void **state)
{
    (void)state;
    const char *t = "\xEF\xBB\xBF" "b,a\n1,x\n2,y\n\n3,\"z\"\r\n4,w\n5,v";
    close(write_file(t, strlen(t)));
    for (int nw = 1; nw <= 8; nw++) {
        flow_buf got = { 0 };
        char err[600];
        read_all(FLOW_FMT_CSV, ab, 2, nw, &got, err, sizeof err);
        assert_string_equal(err, "");
        flow_buf_putc(&got, 0);
        assert_string_equal(got.p, "v,5\nw,4\nx,1\ny,2\nz,3\n");
        flow_buf_free(&got);
    }
}

/* A bad line is named by its line number in the file, whichever worker
 * reads it (counted only then); a quoted cell spanning lines is a bad
 * record with split = "bytes", at any worker count. */
static void bad_line_numbers(void **state)
{
    (void)state;
    static char text[4096];
    size_t n = 0;
    for (int i = 1; i <= 200; i++)
        n += (size_t)sprintf(text + n, i == 187 ? "bad \xff line\n" : "line %d\n", i);
    close(write_file(text, n));
    for (int nw = 1; nw <= 5; nw++) {
        flow_buf got = { 0 };
        char err[600];
        read_all(FLOW_FMT_LINES, NULL, 0, nw, &got, err, sizeof err);
        assert_string_equal(err, "187: invalid UTF-8");
        flow_buf_free(&got);
    }
    const char *t = "a,b\n1,2\n3,\"x\ny\"\n5,6\n";
    close(write_file(t, strlen(t)));
    for (int nw = 1; nw <= 3; nw++) {
        flow_buf got = { 0 };
        char err[600];
        read_all(FLOW_FMT_CSV, ab, 2, nw, &got, err, sizeof err);
        assert_string_equal(err, "3: a quoted cell spans lines (split = \"bytes\" reads a record per line)");
        flow_buf_free(&got);
    }
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/flowc-test-split.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_whole_file),
        cmocka_unit_test(line_start_and_count),
        cmocka_unit_test(resplit_segments),
        cmocka_unit_test(sources_read_every_line_once),
        cmocka_unit_test(csv_header_by_every_worker),
        cmocka_unit_test(bad_line_numbers),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(path);
    return rc;
}
