/*
 * sink.c - the sinks stdout, file and dir (kafka's producer is in
 * io_kafka.c): buffered records, written when a buffer is large, at the end
 * of the run, and before the program exits on an error (flow_rt_flush
 * calls flow_sinks_flush, and both fatal error paths flush). Files are
 * truncated when opened, as Bytewax's FileSink does on a fresh run. The dir
 * sink is Bytewax's DirSink: files part_0 .. part_{N-1}; a keyed item goes
 * to the file at index adler32(key) mod N of the names in string order.
 */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLUSH_AT ((size_t)64 * 1024)

typedef struct sink_file {
    int fd;
    char *path;
    flow_buf buf;
} sink_file;

struct flow_sink {
    flow_rt *rt;
    flow_sink_cfg cfg;
    char *path;
    sink_file *files;      /* file: 1; dir: file_count, in string order of names */
    int nfiles;
    int cur;               /* the file of the record being written */
    flow_buf msg;          /* kafka: the message being written */
    void *kafka;
    flow_sink *next;       /* rt->sinks list */
};

/* zlib's adler32 of S (Bytewax's default assign_file). */
static uint32_t adler32(flow_str s)
{
    uint32_t a = 1, b = 0;
    for (int64_t i = 0; i < s.n; i++) {
        a = (a + (unsigned char)s.p[i]) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

/* Refuse to open PATH for writing when it is (by device and inode) a file
 * input of the flow, or lies in a dir input: O_TRUNC would destroy the
 * data before it is read. A usage error (status 2). */
static void refuse_input(flow_sink *k, const char *path)
{
    flow_rt *rt = k->rt;
    const flow_program_info *info = rt->info;
    struct stat out, dir;
    bool have_out = stat(path, &out) == 0;
    char *parent = flowi_strdup(path);
    char *slash = strrchr(parent, '/');
    if (slash)
        *(slash == parent ? slash + 1 : slash) = '\0';
    bool have_dir = stat(slash ? parent : ".", &dir) == 0;
    flowi_strfree(parent);
    for (int i = 0; i < info->n_inputs; i++) {
        const char *in = flow_rt_input_path(rt, i);
        struct stat st;
        if (!in || strcmp(info->inputs[i].kind, "kafka") == 0 || stat(in, &st) != 0)
            continue;
        bool same = S_ISDIR(st.st_mode) ? have_dir && st.st_dev == dir.st_dev && st.st_ino == dir.st_ino
                                        : have_out && st.st_dev == out.st_dev && st.st_ino == out.st_ino;
        if (!same)
            continue;
        flow_rt_flush(rt);
        fprintf(stderr, "%s: error: output '%s' would overwrite %s of input '%s' (%s): refusing to write it\n",
                info->flow_name, k->cfg.step, S_ISDIR(st.st_mode) ? "a file in the directory" : "the file",
                info->inputs[i].step, path);
        exit(2);
    }
}

static void open_file(flow_sink *k, sink_file *f, const char *path)
{
    refuse_input(k, path);
    f->path = flowi_strdup(path);
    /* recovery: a file of a snapshot is cut back to its length then and
     * written on from there (exactly-once file output) */
    flow_rd r;
    if (k->rt->store && flow_store_get(k->rt, k->cfg.step, (flow_str){ path, (int64_t)strlen(path) }, &r)) {
        int64_t len = (int64_t)flow_dec_u64(&r);
        if (r.bad)
            flow_store_corrupt(k->rt, k->cfg.step, (flow_str){ path, (int64_t)strlen(path) });
        f->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (f->fd >= 0 && (ftruncate(f->fd, len) != 0 || lseek(f->fd, len, SEEK_SET) < 0))
            flow_data_error(k->rt, path, 0, "cannot resume writing at byte %lld: %s", (long long)len, strerror(errno));
    } else {
        f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    }
    if (f->fd < 0)
        flow_data_error(k->rt, path, 0, "cannot open for writing: %s", strerror(errno));
}

static void write_all(flow_sink *k, sink_file *f)
{
    size_t done = 0;
    while (done < f->buf.n) {
        ssize_t w = write(f->fd, f->buf.p + done, f->buf.n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            f->buf.n = 0;
            flow_data_error(k->rt, f->path, 0, "write error: %s", strerror(e));
        }
        done += (size_t)w;
    }
    f->buf.n = 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const sink_file *)a)->path, ((const sink_file *)b)->path);
}

flow_sink *flow_sink_open(flow_rt *rt, const flow_sink_cfg *cfg, const char *path)
{
    flow_sink *k = flow_alloc(sizeof *k);
    memset(k, 0, sizeof *k);
    k->rt = rt;
    k->cfg = *cfg;
    k->path = flowi_strdup(path ? path : "-");
    switch (cfg->kind) {
    case FLOW_SINK_STDOUT:
        break;
    case FLOW_SINK_FILE:
        k->files = flow_alloc(sizeof *k->files);
        memset(k->files, 0, sizeof *k->files);
        k->nfiles = 1;
        if (rt->worker == 0)    /* several workers: worker 0 writes it (items are routed there) */
            open_file(k, &k->files[0], k->path);
        else
            k->files[0].fd = -1;
        break;
    case FLOW_SINK_DIR: {
        int n = cfg->file_count > 0 ? cfg->file_count : 1;
        if (mkdir(k->path, 0777) != 0 && errno != EEXIST)
            flow_data_error(rt, k->path, 0, "cannot create directory: %s", strerror(errno));
        k->files = flow_alloc(sizeof *k->files * (size_t)n);
        memset(k->files, 0, sizeof *k->files * (size_t)n);
        k->nfiles = n;
        size_t plen = strlen(k->path) + 32;
        char *p = flow_alloc(plen);
        for (int i = 0; i < n; i++) {
            snprintf(p, plen, "%s/part_%d", k->path, i);
            k->files[i].path = flowi_strdup(p);
            k->files[i].fd = -1;
        }
        flow_free(p, plen);
        qsort(k->files, (size_t)n, sizeof *k->files, by_name);
        /* several workers: each opens the files it owns (flow_sink_owner) */
        for (int i = 0; i < n; i++)
            if (i % rt->nworkers == rt->worker) {
                char *path = k->files[i].path;
                open_file(k, &k->files[i], path);
                flowi_strfree(path);
            }
        break;
    }
    case FLOW_SINK_KAFKA:
        flowi_kafka_sink_open(k->rt, &k->kafka, k->path, &k->cfg);
        break;
    }
    k->next = rt->sinks;
    rt->sinks = k;
    return k;
}

int flow_sink_owner(const flow_sink *k, flow_str key, int nworkers)
{
    return (int)(adler32(key) % (uint32_t)k->nfiles % (uint32_t)nworkers);
}

flow_buf *flow_sink_buf(flow_sink *k, flow_str key)
{
    switch (k->cfg.kind) {
    case FLOW_SINK_STDOUT:
        return &k->rt->out;
    case FLOW_SINK_DIR:
        k->cur = (int)(adler32(key) % (uint32_t)k->nfiles);
        return &k->files[k->cur].buf;
    case FLOW_SINK_KAFKA:
        k->msg.n = 0;
        return &k->msg;
    default:
        k->cur = 0;
        return &k->files[0].buf;
    }
}

void flow_sink_end(flow_sink *k, bool has_key, flow_str key)
{
    if (k->cfg.kind == FLOW_SINK_KAFKA) {
        flowi_kafka_produce(k->rt, k->kafka, k->msg.p, k->msg.n, has_key, key);
        return;
    }
    flow_buf *b = flow_sink_buf(k, key);
    flow_buf_putc(b, '\n');
    if (k->cfg.kind != FLOW_SINK_STDOUT && b->n >= FLUSH_AT)
        write_all(k, &k->files[k->cur]);
}

void flow_sink_header(flow_sink *k, const char *line)
{
    if (k->rt->worker != 0 && k->cfg.kind != FLOW_SINK_DIR)
        return;    /* several workers: worker 0 writes stdout's and a file's header */
    if (k->cfg.kind == FLOW_SINK_STDOUT) {
        flow_buf_puts(&k->rt->out, line);
        flow_buf_putc(&k->rt->out, '\n');
        return;
    }
    for (int i = 0; i < k->nfiles; i++) {
        if (k->files[i].fd < 0)
            continue;    /* another worker's file */
        flow_buf_puts(&k->files[i].buf, line);
        flow_buf_putc(&k->files[i].buf, '\n');
    }
}

void flow_sink_flush(flow_sink *k)
{
    for (int i = 0; i < k->nfiles; i++)
        if (k->files[i].buf.n)
            write_all(k, &k->files[i]);
    if (k->kafka)
        flowi_kafka_sink_flush(k->rt, k->kafka);
}

void flow_sinks_flush(flow_rt *rt)
{
    /* a write error inside is fatal and flushes again: detach the list */
    flow_sink *list = rt->sinks;
    rt->sinks = NULL;
    for (flow_sink *k = list; k; k = k->next)
        flow_sink_flush(k);
    rt->sinks = list;
}

void flow_sink_close(flow_sink *k)
{
    if (!k)
        return;
    flow_sink_flush(k);
    for (flow_sink **pp = (flow_sink **)&k->rt->sinks; *pp; pp = &(*pp)->next)
        if (*pp == k) {
            *pp = k->next;
            break;
        }
    for (int i = 0; i < k->nfiles; i++) {
        if (k->files[i].fd >= 0)
            close(k->files[i].fd);
        flowi_strfree(k->files[i].path);
        flow_buf_free(&k->files[i].buf);
    }
    flow_free(k->files, sizeof *k->files * (size_t)k->nfiles);
    if (k->kafka)
        flowi_kafka_sink_close(k->rt, k->kafka);
    flow_buf_free(&k->msg);
    flowi_strfree(k->path);
    flow_free(k, sizeof *k);
}

/* The value of the I-th argument if it is --output VALUE / --output=VALUE,
 * else NULL (rt.c's flowi_arg_value). */
static const char *output_arg(const flow_rt *rt, int *i)
{
    return flowi_arg_value(rt, i, "--output");
}

/* --output STEP=PATH (the last one for STEP wins). */
const char *flow_rt_output_path(const flow_rt *rt, const char *step, const char *default_path)
{
    const char *path = default_path;
    size_t n = strlen(step);
    for (int i = 1; i < rt->argc; i++) {
        const char *v = output_arg(rt, &i);
        if (v && strncmp(v, step, n) == 0 && v[n] == '=')
            path = v + n + 1;
    }
    return path;
}

/* Every --output names one of NAMES (the flow's file, dir and kafka
 * outputs); otherwise a usage error (status 2). */
void flow_rt_check_outputs(const flow_rt *rt, const char *const *names, int n)
{
    for (int i = 1; i < rt->argc; i++) {
        const char *v = output_arg(rt, &i);
        if (!v)
            continue;
        const char *eq = strchr(v, '=');
        bool ok = false;
        for (int k = 0; eq && k < n; k++)
            ok |= strlen(names[k]) == (size_t)(eq - v) && strncmp(names[k], v, (size_t)(eq - v)) == 0;
        if (!ok) {
            flow_rt_flush((flow_rt *)rt);
            fflush(stdout);
            fprintf(stderr, "%s: error: --output: the flow has no file, dir or kafka output named '%.*s'\n",
                    rt->info->flow_name, eq ? (int)(eq - v) : (int)strlen(v), v);
            exit(2);
        }
    }
}

void flowi_sinks_save(flow_rt *rt)
{
    flow_buf b = { 0 };
    for (flow_sink *k = rt->sinks; k; k = k->next) {
        for (int i = 0; i < k->nfiles; i++) {
            sink_file *f = &k->files[i];
            if (f->fd < 0)
                continue;    /* several workers: another worker's file */
            if (f->buf.n)
                write_all(k, f);
            off_t len = lseek(f->fd, 0, SEEK_CUR);
            if (len < 0)
                flow_data_error(rt, f->path, 0, "cannot tell its length: %s", strerror(errno));
            b.n = 0;
            flow_enc_u64(&b, (uint64_t)len);
            flow_store_put(rt, k->cfg.step, (flow_str){ f->path, (int64_t)strlen(f->path) }, &b);
        }
    }
    flow_buf_free(&b);
    flow_rt_flush(rt);    /* stdout too: at-least-once, but not later than need be */
}
