/*
 * io_src.c - the sources file, stdin and dir (and the record layer under
 * kafka): partitions read in polls of up to `batch` records each, the
 * formats lines, csv and jsonl, bad records (stop at the end of the round,
 * or skip with a message and a count). docs/io.md is the user's view.
 *
 * Each partition is a file read in BLOCK-sized read(2) calls into one
 * buffer holding the unread tail, so memory is bounded by the longest
 * record (at most FLOW_MAX_RECORD) plus a block, whatever the file's size.
 * Line semantics are Bytewax's FileSource (docs/semantics.md §3.2): split on
 * '\n', which is removed; a '\r' stays; no item after a final '\n'.
 * CSV records may span lines inside quotes (io_csv.c splits them); JSON
 * lines are parsed by io_jsonl.c.
 */
#include "internal.h"
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK ((size_t)256 * 1024)

/* flow_src_next indexes its partitions per record: at 192 bytes (3 * 64)
 * that is a lea and a shift, one instruction more than the imul of the
 * 184 bytes before the byte ranges' fields (+0.13% of 1BRC's
 * instructions at -w 1, callgrind), at 208 two more. A field added may
 * cost that: measure. */
_Static_assert(sizeof(flowi_part) == 192, "flowi_part's size: see above");

char *flowi_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = flow_alloc(n);
    memcpy(p, s, n);
    return p;
}

void flowi_strfree(char *s)
{
    if (s)
        flow_free(s, strlen(s) + 1);
}

/* ---- one partition: a file read as lines ------------------------------- */

void flowi_part_open(flowi_part *p, flow_rt *rt, const char *path, int fd)
{
    memset(p, 0, sizeof *p);
    p->rt = rt;
    p->fd = fd;
    p->path = flowi_strdup(path);
    p->cap = BLOCK;
    p->buf = flow_alloc(p->cap);
    p->rend = -1;
    struct stat st;
    p->may_block = fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode);
}

void flowi_part_close(flowi_part *p)
{
    if (p->fd > 0)
        close(p->fd);
    p->fd = -1;
    flow_free(p->buf, p->cap);
    p->buf = NULL;
    flowi_strfree(p->path);
    p->path = NULL;
    flow_buf_free(&p->rec);
    flowi_csv_free(p);
}

/* Read more after the unread tail (moved to the front); sets eof, or
 * stalled when a stop signal interrupted the read. A read that would wait
 * (an idle pipe or terminal) does not happen after this poll gave records
 * (stalled: the round processes them first); otherwise everything
 * processed so far is flushed to stdout and the sinks before it waits, so
 * an idle pipeline does not sit on its output. */
static void fill(flowi_part *p)
{
    if (p->start > 0) {
        memmove(p->buf, p->buf + p->start, p->end - p->start);
        p->end -= p->start;
        p->valid = p->valid > p->start ? p->valid - p->start : 0;
        p->start = 0;
    }
    if (p->cap - p->end < BLOCK / 2) {
        size_t cap = p->cap * 2;
        p->buf = flow_realloc(p->buf, p->cap, cap);
        p->cap = cap;
    }
    if (p->may_block) {
        struct pollfd pf = { .fd = p->fd, .events = POLLIN };
        if (poll(&pf, 1, 0) == 0) {
            if (p->gave) {
                p->stalled = true;    /* end the poll: process what was read */
                return;
            }
            flow_rt_flush(p->rt);    /* about to wait: nothing may sit in a buffer */
        }
    }
    size_t room = p->cap - p->end;
    if (p->rend >= 0 && (int64_t)room > p->rend - p->nread)    /* a byte range: up to its end */
        room = p->rend > p->nread ? (size_t)(p->rend - p->nread) : 0;
    for (;;) {
        if (flowi_stop_signal) {
            p->stalled = true;
            return;
        }
        ssize_t n = room ? read(p->fd, p->buf + p->end, room) : 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0)
            p->nread += n;
        if (n < 0)
            flow_data_error(p->rt, p->path, flowi_part_abs_line(p, p->lineno + 1), "read error: %s", strerror(errno));
        if (n == 0)
            p->eof = true;
        p->end += (size_t)n;
        return;
    }
}

/* The next line in *LINE (pointing into the buffer, valid until the next
 * call). 1: a line; 0: end of file; -1: a line longer than FLOW_MAX_RECORD,
 * which has been consumed (its number counted). */
int flowi_part_line(flowi_part *p, const char **line, size_t *len)
{
    const char *nl;
    for (;;) {
        char *from = p->buf + p->start + p->scanned;
        nl = memchr(from, '\n', p->end - p->start - p->scanned);
        if (nl || p->eof)
            break;
        p->scanned = p->end - p->start;
        if (p->scanned > FLOW_MAX_RECORD) {
            /* too long: drop the rest of this line (csv: its quotes counted) */
            p->lineno++;
            for (;;) {
                const char *from_ = p->buf + p->start;
                nl = memchr(from_, '\n', p->end - p->start);
                size_t upto = nl ? (size_t)(nl - from_) : p->end - p->start;
                if (p->qs)
                    flowi_csvq_feed(p->qs, from_, upto);
                if (nl) {
                    p->start += upto + 1;
                    break;
                }
                p->start = p->end;
                if (p->eof)
                    break;
                fill(p);
                if (p->stalled)
                    return 0;    /* stopping */
            }
            p->scanned = 0;
            return -1;
        }
        fill(p);
        if (p->stalled)
            return 0;    /* stopping: the partial line stays unread */
    }
    size_t n = nl ? (size_t)(nl - (p->buf + p->start)) : p->end - p->start;
    if (!nl && n == 0)
        return 0;
    p->lineno++;
    if (n > FLOW_MAX_RECORD) {
        if (p->qs)
            flowi_csvq_feed(p->qs, p->buf + p->start, n);
        p->start += n + (nl ? 1 : 0);
        p->scanned = 0;
        return -1;
    }
    *line = p->buf + p->start;
    *len = n;
    p->start += n + (nl ? 1 : 0);
    p->scanned = 0;
    return 1;
}

void flowi_part_range(flowi_part *p, const flowi_seg *g)
{
    if (lseek(p->fd, (off_t)g->start, SEEK_SET) < 0)
        flow_data_error(p->rt, p->path, 0, "cannot seek to byte %lld: %s", (long long)g->start, strerror(errno));
    p->start = p->end = p->scanned = p->valid = 0;
    p->eof = false;
    p->nread = g->start;
    p->rend = g->end;
    p->lbase = g->start == 0 ? 0 : g->lines >= 0 ? g->lines : -1 - g->start;
    p->lineno = 0;
}

int64_t flowi_part_abs_line(flowi_part *p, int64_t rel)
{
    if (p->lbase < 0) {
        int64_t n = flowi_count_lines(p->fd, -1 - p->lbase);
        if (n < 0)
            return 0;    /* a read error: the message goes without a line */
        p->lbase = n;
    }
    return p->lbase + rel;
}

bool flowi_part_utf8(flowi_part *p, const char *line, size_t len)
{
    size_t off = (size_t)(line - p->buf), stop = off + len;
    if (stop <= p->valid)
        return true;
    /* from the line's start, or from where the known part of it ends
     * (the end of a whole sequence) */
    size_t from = p->valid > off ? p->valid : off;
    p->valid = from + flowi_utf8_valid_prefix((const unsigned char *)p->buf + from, p->end - from);
    return stop <= p->valid;
}

/* ---- the source -------------------------------------------------------- */

int flowi_open_file(flow_rt *rt, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        fd = -1;
        errno = EISDIR;
    }
    if (fd < 0)
        flow_data_error(rt, path, 0, "cannot open: %s", strerror(errno));
    return fd;
}

static void add_part(flow_src *s, const char *path, int fd)
{
    if (s->nparts == s->capparts)
        flow_vec_grow((void **)&s->parts, &s->capparts, sizeof s->parts[0], s->nparts + 1);
    flowi_part_open(&s->parts[s->nparts++], s->rt, path, fd);
}

/* With several workers, the share of worker W of N among N_ITEMS things
 * in order: [W*N_ITEMS/N, (W+1)*N_ITEMS/N). */
static size_t share(size_t n_items, int w, int n)
{
    return (size_t)((unsigned __int128)n_items * (unsigned)w / (unsigned)n);
}

flow_src *flow_src_open(flow_rt *rt, const flow_src_cfg *cfg, const char *path)
{
    flow_src *s = flow_alloc(sizeof *s);
    memset(s, 0, sizeof *s);
    s->rt = rt;
    s->cfg = *cfg;
    if (s->cfg.batch < 1)
        s->cfg.batch = 1000;
    s->path = flowi_strdup(path ? path : "-");
    if (rt->cluster)
        flowi_cluster_add_src(rt, s);
    int w = rt->worker, nw = rt->nworkers;
    if (cfg->kind == FLOW_SRC_KAFKA) {
        flowi_kafka_open(s);    /* several workers: each its share of the partitions */
        if (rt->cluster)
            flowi_cluster_may_block(rt);    /* its polls wait for messages */
        return s;
    }
    if (cfg->kind == FLOW_SRC_DIR && strcmp(s->path, "-") != 0) {
        /* several workers: each reads a contiguous block of the files */
        char **names;
        size_t n = flowi_dir_list(rt, s->path, cfg->glob ? cfg->glob : "*", &names);
        size_t lo = share(n, w, nw), hi = share(n, w + 1, nw);
        for (size_t i = 0; i < n; i++) {
            if (i >= lo && i < hi)
                add_part(s, names[i], flowi_open_file(rt, names[i]));
            flowi_strfree(names[i]);
        }
        flow_free(names, n * sizeof *names);
    } else if (strcmp(s->path, "-") == 0) {
        if (w == 0)    /* several workers: worker 0 reads stdin */
            add_part(s, "<stdin>", STDIN_FILENO);
        flowi_strfree(s->path);    /* messages name it as its records do */
        s->path = flowi_strdup("<stdin>");
    } else {
        add_part(s, s->path, flowi_open_file(rt, s->path));
        if (nw > 1 && s->parts[0].may_block) {
            if (w > 0) {    /* a pipe or terminal: worker 0 reads it */
                flowi_part_close(&s->parts[0]);
                s->nparts = 0;
            }
        } else if (s->cfg.split_bytes && !s->parts[0].may_block) {
            /* a byte range of the file (the whole file for one worker) */
            s->bytes = true;
            flowi_seg all = { 0, -1, 0 };
            flowi_src_pieces(s, &all, 1);
        } else if (nw > 1) {
            s->split = true;
            s->lo = share((size_t)s->cfg.batch, w, nw);
            s->hi = share((size_t)s->cfg.batch, w + 1, nw);
        }
    }
    for (size_t i = 0; i < s->nparts; i++) {
        s->parts[i].live = true;
        if (rt->cluster && s->parts[i].may_block)
            flowi_cluster_may_block(rt);
    }
    return s;
}

void flowi_src_pieces(flow_src *s, const flowi_seg *segs, size_t nseg)
{
    flow_rt *rt = s->rt;
    for (size_t i = 0; i < s->nparts; i++)
        flowi_part_close(&s->parts[i]);
    s->nparts = 0;
    int fd = flowi_open_file(rt, s->path);
    struct stat st;
    int64_t size = fstat(fd, &st) == 0 ? (int64_t)st.st_size : 0;
    flowi_seg one, *pieces = nseg > 1 ? flow_alloc(sizeof *pieces * nseg) : &one;
    size_t np = flowi_split(fd, size, segs, nseg, rt->worker, rt->nworkers, pieces);
    for (size_t i = 0; i < np; i++) {
        add_part(s, s->path, i ? flowi_open_file(rt, s->path) : fd);
        flowi_part *p = &s->parts[s->nparts - 1];
        flowi_seg g = pieces[i];
        if (s->cfg.format == FLOW_FMT_CSV && g.start > 0) {
            /* the header first (every worker reads it), then the range,
             * after the header if it began inside it */
            s->cur = s->nparts - 1;
            flowi_csv_header(s, p);
            int64_t after = p->nread - (int64_t)(p->end - p->start);
            if (!p->have_header)
                g.end = g.start;    /* none, or a bad one (reported): nothing to read */
            else if (g.start < after) {
                g.start = after;
                g.lines = p->lineno;
                if (g.end >= 0 && g.end < after)
                    g.end = after;
            }
            s->cur = 0;
        }
        flowi_part_range(p, &g);
        p->live = true;
    }
    if (np == 0)
        close(fd);
    if (pieces != &one)
        flow_free(pieces, sizeof *pieces * nseg);
}

void flow_src_poll(flow_src *s)
{
    s->cur = 0;
    s->taken = 0;
    s->gave = false;
    while (s->cur < s->nparts && !s->parts[s->cur].live)
        s->cur++;
}

static void report_skipped(flow_src *s)
{
    if (s->rt->cluster)
        return;    /* cluster.c: the sum of every worker's, at the global end */
    if (s->skipped && !s->reported) {
        s->reported = true;
        flow_rt_flush(s->rt);
        fflush(stdout);
        fprintf(stderr, "%s: warning: skipped %lld bad record%s\n", s->path, (long long)s->skipped,
                s->skipped == 1 ? "" : "s");
    }
}

/* The next record of partition P: 1, 0 at its end, -1 for a bad one
 * (already reported through flow_src_bad). */
static int part_record(flow_src *s, flowi_part *p, flow_arena *a, flow_rec *rec)
{
    const char *line;
    size_t len;
    for (;;) {
        flowi_csvq q;
        bool csv = s->cfg.format == FLOW_FMT_CSV && p->have_header;
        if (csv) {
            flowi_csvq_init(&q);
            p->qs = &q;    /* a record's first line too long: its quotes still count */
        }
        int rc = flowi_part_line(p, &line, &len);
        p->qs = NULL;
        s->line = p->lineno;
        s->cur_path = p->path;
        if (rc == 0)
            return 0;
        if (rc < 0 && csv && flowi_csvq_open(&q) && !s->cfg.split_bytes)    /* skip the whole record */
            return flowi_csv_rest(s, p, &q, p->lineno, true) > 0 ? 0 : -1;
        if (rc < 0 && s->cfg.format == FLOW_FMT_CSV && !p->have_header) {
            /* a bad header cannot be skipped: the next line is no header */
            bool skip = s->cfg.skip;
            s->cfg.skip = false;
            flow_src_bad(s, "bad header row: line longer than %zu bytes", FLOW_MAX_RECORD);
            s->cfg.skip = skip;
            return -1;
        }
        if (rc < 0) {
            flow_src_bad(s, "line longer than %zu bytes", FLOW_MAX_RECORD);
            return -1;
        }
        memset(rec, 0, sizeof *rec);
        if (p->lineno == 1 && p->lbase == 0 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0 && s->cfg.format != FLOW_FMT_LINES) {
            line += 3;    /* a UTF-8 byte order mark, as Python's utf-8-sig reads it */
            len -= 3;
        }
        switch (s->cfg.format) {
        case FLOW_FMT_LINES:
            if (!flowi_part_utf8(p, line, len)) {
                flow_src_bad(s, "invalid UTF-8");
                return -1;
            }
            rec->text = flowi_arena_str(a, line, len);
            return 1;
        case FLOW_FMT_CSV: {
            int r = flowi_csv_record(s, p, a, line, len, rec);
            if (r == 2)
                continue;    /* the header, or a blank line */
            return r;
        }
        case FLOW_FMT_JSONV:
            if (len == 0 || (len == 1 && line[0] == '\r'))
                continue;    /* blank lines between JSON values, as jsonl */
            return flowi_jv_record(s, a, line, len, rec);
        case FLOW_FMT_JSONL: {
            int r = flowi_json_line(s, line, len, &rec->json);
            if (r == 0)
                continue;    /* blank lines between JSON records */
            /* rec->text stays empty: the decoder reads rec->json only
             * (a copy of every line cost W4 ~90 instructions a line) */
            return r;
        }
        }
        return 0;
    }
}

/* The rest of a CSV record whose quoted cell spans lines, consumed (the
 * record is another worker's: nothing is reported). */
static void skip_csv_rest(flowi_part *p, flowi_csvq *q)
{
    p->qs = q;
    while (flowi_csvq_open(q)) {
        const char *more;
        size_t mlen;
        flowi_csvq_feed(q, "\n", 1);
        int rc = flowi_part_line(p, &more, &mlen);
        if (rc == 0)
            break;    /* unterminated, or a stop signal */
        if (rc > 0)
            flowi_csvq_feed(q, more, mlen);
    }
    p->qs = NULL;
}

/* Skip up to K lines of partition P, other workers' records of a split
 * file in the lines format (every line a record, nothing checked): what
 * flowi_part_line does, without a record to return. The lines skipped
 * (fewer at the end of the file, or when stopping). */
static size_t skip_lines(flowi_part *p, size_t k)
{
    size_t done = 0;
    while (done < k) {
        char *from = p->buf + p->start + p->scanned;
        char *nl = memchr(from, '\n', p->end - p->start - p->scanned);
        if (nl) {
            p->start = (size_t)(nl + 1 - p->buf);
            p->scanned = 0;
            done++;
            continue;
        }
        if (p->eof) {
            if (p->end > p->start) {    /* the last line, without its newline */
                p->start = p->end;
                p->scanned = 0;
                done++;
            }
            break;
        }
        if (p->end - p->start > FLOW_MAX_RECORD) {
            p->start = p->end;    /* a long line: drop what is read of it */
            p->scanned = 0;
        } else {
            p->scanned = p->end - p->start;
        }
        fill(p);
        if (p->stalled)
            break;
    }
    p->lineno += (int64_t)done;
    return done;
}

/* Skip the next record of partition P, another worker's (a split file):
 * what part_record would read, counted the same way, without decoding or
 * checking it. 1, or 0 at its end; a CSV header is read (every worker
 * reads it), which may give part_record's -1 for a bad one. */
__attribute__((noinline)) static int part_skip(flow_src *s, flowi_part *p, flow_arena *a, flow_rec *rec)
{
    int format = s->cfg.format;
    for (;;) {
        const char *line;
        size_t len;
        flowi_csvq q;
        bool csv = format == FLOW_FMT_CSV && p->have_header;
        if (csv) {
            flowi_csvq_init(&q);
            p->qs = &q;
        }
        int rc = flowi_part_line(p, &line, &len);
        p->qs = NULL;
        if (rc == 0)
            return 0;
        if (rc < 0) {    /* too long: one bad record (csv: its whole quoted cell) */
            if (csv && flowi_csvq_open(&q))
                skip_csv_rest(p, &q);
            return 1;
        }
        if (p->lineno == 1 && p->lbase == 0 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0 && format != FLOW_FMT_LINES) {
            line += 3;
            len -= 3;
        }
        bool blank = len == 0 || (len == 1 && line[0] == '\r');
        switch (format) {
        case FLOW_FMT_JSONV:
        case FLOW_FMT_JSONL:
            if (blank)
                continue;
            return 1;
        case FLOW_FMT_CSV:
            if (!p->have_header) {
                s->line = p->lineno;
                s->cur_path = p->path;
                int r = flowi_csv_record(s, p, a, line, len, rec);
                if (r == 2)
                    continue;
                return r;
            }
            if (memchr(line, '"', len)) {
                flowi_csvq_init(&q);
                flowi_csvq_feed(&q, line, len);
                if (flowi_csvq_open(&q))
                    skip_csv_rest(p, &q);
                return 1;
            }
            if (blank)
                continue;
            return 1;
        default:
            return 1;
        }
    }
}

int flow_src_next(flow_src *s, flow_arena *a, flow_rec *rec)
{
    if (s->nheld)
        flowi_json_release(s);
    if (s->pending || flowi_stop_signal)
        return 0;    /* stopping: nothing more this round, and no EOF */
    if (s->cfg.kind == FLOW_SRC_KAFKA)
        return s->kafka ? flowi_kafka_next(s, a, rec) : -1;
    while (s->cur < s->nparts) {
        flowi_part *p = &s->parts[s->cur];
        if (s->taken < (size_t)s->cfg.batch) {
            int rc;
            if (s->split && (s->taken < s->lo || s->taken >= s->hi) && s->cfg.format == FLOW_FMT_LINES) {
                /* other workers' lines, up to this worker's share or the batch's end */
                size_t want = (s->taken < s->lo ? s->lo : (size_t)s->cfg.batch) - s->taken;
                size_t got = skip_lines(p, want);
                s->taken += got;
                if (got == want)
                    continue;
                rc = 0;    /* the end of the file, or stopping */
            } else if (s->split && (s->taken < s->lo || s->taken >= s->hi)) {
                rc = part_skip(s, p, a, rec);    /* another worker's record */
                if (rc != 0) {
                    s->taken++;
                    if (rc < 0 && s->pending)
                        return 0;
                    continue;
                }
            } else {
                rc = part_record(s, p, a, rec);
                if (rc != 0)
                    s->taken++;
                if (rc > 0) {
                    s->gave = true;
                    p->gave = true;
                    return 1;
                }
                if (rc < 0) {
                    p->gave = true;   /* a bad record counts as read */
                    if (s->pending)
                        return 0;
                    continue;
                }
            }
            if (p->stalled) {
                p->stalled = false;
                p->gave = false;
                return 0;    /* a stop signal, or nothing more yet: no EOF */
            }
            /* end of this file: it ends on the poll that finds nothing */
            if (!p->gave)
                p->live = false;
        }
        p->gave = false;
        s->taken = 0;
        do
            s->cur++;
        while (s->cur < s->nparts && !s->parts[s->cur].live);
    }
    for (size_t i = 0; i < s->nparts; i++)
        if (s->parts[i].live)
            return 0;
    if (s->gave)
        return 0;
    report_skipped(s);
    return -1;
}

void flow_src_bad(flow_src *s, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *path = s->cur_path ? s->cur_path : s->path;
    int64_t line = s->line;
    if (s->bytes && line > 0 && s->cur < s->nparts)    /* a byte range's line: in the file */
        line = flowi_part_abs_line(&s->parts[s->cur], line);
    if (s->cfg.skip) {
        s->skipped++;
        if (s->rt->cluster) {    /* written in order at the round's end (cluster.c) */
            flow_buf *b = flowi_cluster_err(s->rt);
            int n = line > 0 ? snprintf(NULL, 0, "%s:%lld: ", path, (long long)line) : snprintf(NULL, 0, "%s: ", path);
            flow_buf_reserve(b, (size_t)n + 1);
            if (line > 0)
                snprintf(b->p + b->n, (size_t)n + 1, "%s:%lld: ", path, (long long)line);
            else
                snprintf(b->p + b->n, (size_t)n + 1, "%s: ", path);
            b->n += (size_t)n;
            flow_buf_puts(b, "warning: ");
            flow_buf_puts(b, msg);
            flow_buf_puts(b, " (record skipped)\n");
            return;
        }
        flow_rt_flush(s->rt);
        fflush(stdout);
        if (line > 0)
            fprintf(stderr, "%s:%lld: warning: %s (record skipped)\n", path, (long long)line, msg);
        else
            fprintf(stderr, "%s: warning: %s (record skipped)\n", path, msg);
        return;
    }
    if (s->pending)
        return;
    s->pending = true;
    s->err_line = line;
    s->err_round = s->rt->round;
    s->err_path = flowi_strdup(path);
    s->err_msg = flowi_strdup(msg);
}

void flow_src_raise(flow_src *s)
{
    if (!s || !s->pending || s->rt->cluster)
        return;    /* several workers: cluster.c raises the first at the round's end */
    flow_data_error(s->rt, s->err_path, s->err_line, "%s", s->err_msg);
}

int64_t flow_src_skipped(const flow_src *s)
{
    return s->skipped;
}

void flow_src_close(flow_src *s)
{
    if (!s)
        return;
    if (s->cfg.kind == FLOW_SRC_KAFKA)
        flowi_kafka_close(s);
    flowi_json_free(s);
    for (size_t i = 0; i < s->nparts; i++)
        flowi_part_close(&s->parts[i]);
    flow_free(s->parts, s->capparts * sizeof s->parts[0]);
    flowi_strfree(s->path);
    flowi_strfree(s->err_path);
    flowi_strfree(s->err_msg);
    flow_free(s, sizeof *s);
}
