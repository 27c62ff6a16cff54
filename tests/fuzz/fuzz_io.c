/*
 * fuzz_io.c - the run shared by the readers' harnesses (fuzz_io.h).
 *
 * The file is written to a memfd (or a pipe) and read by path,
 * /proc/self/fd/N, through the real source API, round by round as a
 * generated program reads it: flow_rt_round_begin, flow_src_poll,
 * flow_src_next and the decoder until the poll ends, flow_src_raise,
 * flow_rt_round_end, until the end of the input. A bad record in "stop"
 * mode ends the run through flow_data_error, which the run context's trap
 * (rt->trap) turns into a longjmp back here; everything is then freed, as
 * after a normal end, so that ASan's leak check sees a clean process.
 * stderr (the warnings of "skip" mode) goes to a memory stream.
 *
 * The two runs of each input (with different batch sizes and
 * descriptors, which must not matter) are compared (what on_error
 * promises, docs/io.md): the records "stop" decoded are the first ones
 * "skip" did;
 * when "stop" ended without an error, "skip" skipped nothing and gave the
 * same records; when "stop" stopped on a bad record, "skip" reported
 * that record first, with the same place and message ("PATH:LINE:
 * warning: MESSAGE (record skipped)"), or stopped the same way (a bad
 * header cannot be skipped); and "skip" ends with its count of skipped
 * records when it skipped some.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fuzz_io.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const fuzz_field fuzz_schema[FUZZ_NFIELDS + FUZZ_NEXTRA] = {
    { "user", FUZZ_STR, false },     { "val", FUZZ_INT, false },      { "at", FUZZ_TIME, false },
    { "note", FUZZ_STR, true },      { "f", FUZZ_FLOAT, false },      { "b", FUZZ_BOOL, false },
    { "d", FUZZ_DURATION, false },   { "oi", FUZZ_INT, true },        { "ot", FUZZ_TIME, true },
    { "of", FUZZ_FLOAT, true },      { "ob", FUZZ_BOOL, true },       { "od", FUZZ_DURATION, true },
    { "tags", FUZZ_TAGS, false },    { "geo", FUZZ_GEO, false },      { "tu", FUZZ_TUPLE, false },
    { "x0", FUZZ_STR, true },        { "x1", FUZZ_STR, true },        { "x2", FUZZ_STR, true },
    { "x3", FUZZ_STR, true },        { "x4", FUZZ_STR, true },        { "x5", FUZZ_STR, true },
    { "x6", FUZZ_STR, true },        { "x7", FUZZ_STR, true },
};

const char *const fuzz_fields[FUZZ_NFIELDS + FUZZ_NEXTRA] = {
    "user", "val", "at", "note", "f", "b", "d", "oi", "ot", "of", "ob", "od", "tags", "geo", "tu",
    "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7",
};

FUZZ_NO_COVERAGE void fuzz_mix_str(uint64_t *h, flow_str s)
{
    fuzz_mix(h, (uint64_t)s.n);
    for (int64_t i = 0; i < s.n; i++)
        fuzz_mix(h, (unsigned char)s.p[i]);
}

/* ---- JSON values of the schema ------------------------------------------ */

static bool list_int(flow_src *s, flow_arena *a, const flow_json *v, const char *field, uint64_t *h)
{
    (void)a;
    int64_t n;
    if (!flow_json_array(s, v, field, &n))
        return false;
    fuzz_mix(h, (uint64_t)n);
    for (int64_t i = 0; i < n; i++) {
        int64_t x;
        if (!flow_json_int(s, flow_json_at(v, i), field, &x))
            return false;
        fuzz_mix(h, (uint64_t)x);
    }
    return true;
}

static bool tags(flow_src *s, flow_arena *a, const flow_json *v, const char *field, uint64_t *h)
{
    int64_t n;
    if (!flow_json_array(s, v, field, &n))
        return false;
    fuzz_mix(h, (uint64_t)n);
    for (int64_t i = 0; i < n; i++) {
        flow_str x;
        if (!flow_json_str(s, a, flow_json_at(v, i), field, &x))
            return false;
        fuzz_mix_str(h, x);
    }
    return true;
}

FUZZ_NO_COVERAGE void fuzz_mix_double(uint64_t *h, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    fuzz_mix(h, d == d ? u : 0x7ff8);    /* any NaN alike */
}

/* Member NAME of object V, a float, into H: false after flow_src_bad. */
static bool member_float(flow_src *s, flow_arena *a, const flow_json *v, const char *field, const char *name,
                         uint64_t *h)
{
    const flow_json *m = flow_json_get(v, name);
    double d;
    if (!m) {
        flow_src_bad(s, "missing field '%s'", flow_json_path(a, field, name));
        return false;
    }
    if (!flow_json_float(s, m, flow_json_path(a, field, name), &d))
        return false;
    fuzz_mix_double(h, d);
    return true;
}

/* Geo: its members found one by one with flow_json_get (the top level's
 * with flow_json_fields). */
static bool geo(flow_src *s, flow_arena *a, const flow_json *v, const char *field, uint64_t *h)
{
    if (!flow_json_object(s, v, field) || !member_float(s, a, v, field, "lat", h) ||
        !member_float(s, a, v, field, "lon", h))
        return false;
    const flow_json *m = flow_json_get(v, "ids");
    if (!m || flow_json_is_null(m)) {
        fuzz_mix(h, 0xdead);
        return true;
    }
    return list_int(s, a, m, flow_json_path(a, field, "ids"), h);
}

/* (int, string, bool?): the elements read last to first (simdjson's
 * arrays are walked: going back starts the walk again), and past both
 * ends (NULL). */
static bool tuple(flow_src *s, flow_arena *a, const flow_json *v, const char *field, uint64_t *h)
{
    int64_t n;
    if (!flow_json_array(s, v, field, &n))
        return false;
    if (n != 3) {
        flow_src_bad(s, "field '%s': expected an array of 3 elements, found %lld", field, (long long)n);
        return false;
    }
    if (flow_json_at(v, 3) || flow_json_at(v, -1))
        abort();
    const flow_json *e = flow_json_at(v, 2);
    bool b = false;
    if (!flow_json_is_null(e) && !flow_json_bool(s, e, field, &b))
        return false;
    flow_str str;
    if (!flow_json_str(s, a, flow_json_at(v, 1), field, &str))
        return false;
    int64_t x;
    if (!flow_json_int(s, flow_json_at(v, 0), field, &x))
        return false;
    fuzz_mix(h, (uint64_t)x);
    fuzz_mix_str(h, str);
    fuzz_mix(h, b);
    return true;
}

bool fuzz_json_value(flow_src *s, flow_arena *a, const flow_json *v, int type, const char *field, uint64_t *h)
{
    return type == FUZZ_TAGS  ? tags(s, a, v, field, h)
           : type == FUZZ_GEO ? geo(s, a, v, field, h)
                              : tuple(s, a, v, field, h);
}

/* ---- the input ------------------------------------------------------------ */

typedef struct options {
    int batch;
    bool pipe;
    int nfields;
} options;

/* The length FF FE K C stands for (fuzz_io.h). */
static size_t run_length(uint8_t k)
{
    return (size_t)((k & 15) + 16) << ((k >> 4) + 1);
}

/* The file DATA[0..SIZE) stands for (see fuzz_io.h), in a buffer kept
 * from input to input (*OUT). */
FUZZ_NO_COVERAGE static size_t expand(const uint8_t *data, size_t size, char **out)
{
    static char *p;
    if (!p)
        p = malloc(FUZZ_MAX_FILE);
    size_t o = 0;
    for (size_t i = 0; i < size && o < FUZZ_MAX_FILE; i++) {
        if (i + 3 < size && data[i] == 0xFF && data[i + 1] == 0xFE) {
            size_t k = run_length(data[i + 2]);
            if (k > FUZZ_MAX_FILE - o)
                k = FUZZ_MAX_FILE - o;
            memset(p + o, data[i + 3], k);
            o += k;
            i += 3;
        } else {
            p[o++] = (char)data[i];
        }
    }
    *out = p;
    return o;
}

/* P[0..N) written to FD, a pipe, or (AT_START) a file from its start. */
static void write_all(int fd, const char *p, size_t n, bool at_start)
{
    for (off_t at = 0; n;) {
        ssize_t w = at_start ? pwrite(fd, p, n, at) : write(fd, p, n);
        if (w <= 0) {
            perror("fuzz: write");
            abort();
        }
        p += w;
        n -= (size_t)w;
        at += w;
    }
}

/* A descriptor whose /proc/self/fd path reads as the file P[0..N): a
 * pipe holding it all (its writer closed) when asked and it fits, else
 * the memfd kept from input to input (rewritten: its pages stay), which
 * *OWN says not to close. */
static int file_fd(const char *p, size_t n, bool want_pipe, bool *own)
{
    int fds[2];
    if (want_pipe && pipe2(fds, O_CLOEXEC) == 0) {
        if (fcntl(fds[1], F_SETPIPE_SZ, (int)(n < 4096 ? 4096 : n)) >= (int)n) {
            write_all(fds[1], p, n, false);
            close(fds[1]);
            *own = true;
            return fds[0];
        }
        close(fds[0]);
        close(fds[1]);
    }
    static int fd = -1;
    if (fd < 0 && (fd = memfd_create("fuzz-input", MFD_CLOEXEC)) < 0) {
        perror("fuzz: memfd_create");
        abort();
    }
    write_all(fd, p, n, true);
    if (ftruncate(fd, (off_t)n) != 0) {
        perror("fuzz: ftruncate");
        abort();
    }
    *own = false;
    return fd;
}

/* ---- one run ---------------------------------------------------------------- */

typedef struct run {
    uint64_t *recs;           /* the hash of each record decoded */
    size_t n, cap;
    bool trapped;             /* ended by flow_data_error */
    char error[sizeof ((flow_rt *)0)->error];
    int64_t skipped;
    char *err;                /* what it wrote on stderr */
    size_t nerr;
} run;

static const flow_program_info info = { .flow_name = "fuzz", .source = "fuzz.flow" };

static void push(run *r, uint64_t h)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->recs = realloc(r->recs, r->cap * sizeof r->recs[0]);
    }
    r->recs[r->n++] = h;
}

static void run_once(const char *path, int format, const options *o, bool skip, fuzz_decode_fn *decode, run *res)
{
    /* static: the longjmp leaves no automatic variable changed since
     * setjmp in doubt */
    static flow_rt rt;
    if (flow_rt_init(&rt, &info, 0, NULL) != -1)
        abort();
    rt.progress = false;
    rt.clock_unused = true;
    flow_src_cfg cfg = { .step = "inp", .kind = FLOW_SRC_FILE, .format = format, .skip = skip,
                         .batch = o->batch, .fields = fuzz_fields, .nfields = o->nfields };
    FILE *saved = stderr;
    stderr = open_memstream(&res->err, &res->nerr);
    flow_src *s = flow_src_open(&rt, &cfg, path);
    jmp_buf jb;
    rt.trap = &jb;
    if (setjmp(jb) == 0) {
        for (;;) {
            flow_rt_round_begin(&rt);
            flow_src_poll(s);
            flow_rec r;
            int rc;
            while ((rc = flow_src_next(s, &rt.arena, &r)) > 0) {
                uint64_t h = UINT64_C(0xcbf29ce484222325);
                if (decode(s, &rt.arena, &r, o->nfields, &h))
                    push(res, h);
            }
            flow_src_raise(s);
            flow_rt_round_end(&rt);
            if (rc < 0)
                break;
        }
        rt.trap = NULL;
    } else {
        res->trapped = true;
        memcpy(res->error, rt.error, sizeof res->error);
        if (!res->error[0])
            abort();
    }
    res->skipped = flow_src_skipped(s);
    flow_src_close(s);
    flow_rt_finish(&rt, 0);
    fclose(stderr);
    stderr = saved;
}

/* ---- the checks ------------------------------------------------------------- */

static void fail(const run *stop, const run *skip, const char *what)
{
    fprintf(stderr, "fuzz: stop and skip disagree: %s\n", what);
    fprintf(stderr, "  stop: %zu records, %s%s\n", stop->n, stop->trapped ? "error: " : "no error",
            stop->trapped ? stop->error : "");
    fprintf(stderr, "  skip: %zu records, %lld skipped, %s%s\n", skip->n, (long long)skip->skipped,
            skip->trapped ? "error: " : "no error", skip->trapped ? skip->error : "");
    fprintf(stderr, "  skip's stderr:\n%.*s\n", (int)(skip->nerr < 2000 ? skip->nerr : 2000), skip->err);
    abort();
}

/* Does LINE (the first N bytes of skip's stderr) report the record stop
 * stopped on, ERROR ("PATH:LINE: error: MESSAGE")? */
static bool same_report(const char *error, const char *line, size_t n)
{
    const char *e = strstr(error, ": error: ");
    if (!e)
        return false;
    char want[1200];
    int len = snprintf(want, sizeof want, "%.*s: warning: %s", (int)(e - error), error, e + 9);
    /* the message was cut to fit rt->error: compare what is left of it */
    if (strlen(error) + 1 < sizeof ((flow_rt *)0)->error)
        len += snprintf(want + len, sizeof want - (size_t)len, " (record skipped)\n");
    return (size_t)len <= n && memcmp(want, line, (size_t)len) == 0;
}

static void compare(const run *stop, const run *skip)
{
    if (stop->n > skip->n || (stop->n && memcmp(stop->recs, skip->recs, stop->n * sizeof stop->recs[0]) != 0))
        fail(stop, skip, "the records stop gave are not the first ones skip gave");
    if (stop->skipped)
        fail(stop, skip, "stop counted skipped records");
    if (!stop->trapped) {
        if (skip->trapped || skip->skipped || skip->n != stop->n)
            fail(stop, skip, "stop ended cleanly, skip did not give the same");
        return;
    }
    if (skip->trapped) {
        if (strcmp(stop->error, skip->error) != 0 || skip->n != stop->n)
            fail(stop, skip, "skip stopped, on another error than stop or after other records");
        return;
    }
    if (!skip->skipped)
        fail(stop, skip, "stop stopped on a bad record, skip skipped none");
    if (!same_report(stop->error, skip->err, skip->nerr))
        fail(stop, skip, "skip's first warning is not stop's error");
    char tail[128];
    int len = snprintf(tail, sizeof tail, ": warning: skipped %lld bad record%s\n", (long long)skip->skipped,
                       skip->skipped == 1 ? "" : "s");
    if (skip->nerr < (size_t)len || memcmp(skip->err + skip->nerr - len, tail, (size_t)len) != 0)
        fail(stop, skip, "skip's stderr does not end with its count of skipped records");
}

#define FILE_FD 99
#define FILE_FD_NAME "99"

void fuzz_io_run(const uint8_t *data, size_t size, int format, fuzz_decode_fn *decode)
{
    if (size < 1)
        return;
    static const int batches[4] = { 1, 2, 3, 1000 };
    static const int nfields[4] = { FUZZ_NFIELDS, FUZZ_NFIELDS + FUZZ_NEXTRA, 4, 0 };
    options o = { .batch = batches[data[0] & 3], .pipe = data[0] & 4, .nfields = nfields[(data[0] >> 3) & 3] };
    /* "skip" reads with the next batch size and the other descriptor:
     * what the runs must agree on does not depend on them */
    options o2 = { .batch = batches[(data[0] + 1) & 3], .pipe = !o.pipe, .nfields = o.nfields };
    char *file;
    size_t n = expand(data + 1, size - 1, &file);
    run res[2];
    memset(res, 0, sizeof res);
    for (int skip = 0; skip < 2; skip++) {
        bool own;
        const options *os = skip ? &o2 : &o;
        int fd = file_fd(file, n, os->pipe, &own);
        /* the same path either way, as the messages name it */
        if (dup2(fd, FILE_FD) < 0) {
            perror("fuzz: dup2");
            abort();
        }
        if (own)
            close(fd);
        run_once("/proc/self/fd/" FILE_FD_NAME, format, os, skip, decode, &res[skip]);
        close(FILE_FD);
    }
    if (getenv("FUZZ_IO_VERBOSE")) {
        /* what each run did (to check a seed by hand: FUZZ_IO_VERBOSE=1 HARNESS FILE) */
        for (int i = 0; i < 2; i++)
            fprintf(stderr, "%s: %zu records, %lld skipped, %s%s\n%.*s", i ? "skip" : "stop", res[i].n,
                    (long long)res[i].skipped, res[i].trapped ? "error: " : "no error", res[i].error,
                    (int)(res[i].nerr < 4000 ? res[i].nerr : 4000), res[i].err);
    }
    compare(&res[0], &res[1]);
    for (int i = 0; i < 2; i++) {
        free(res[i].recs);
        free(res[i].err);
    }
}
