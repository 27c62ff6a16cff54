/*
 * lines.c - the file source: reads a file as lines with Bytewax FileSource
 * semantics (SEMANTICS.md 10.1): split on '\n', which is removed; a '\r'
 * stays; blank lines are "" items; no item after a final '\n'.
 *
 * The file is read in BLOCK-sized read(2) calls into one buffer that holds
 * the unread tail; memory is bounded by the longest line plus one block.
 * Each line is checked to be UTF-8 (Python would fail to decode it) and
 * copied into the caller's round arena.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK ((size_t)256 * 1024)

struct flow_lines {
    flow_rt *rt;         /* for fatal errors (flushes its stdout) */
    int fd;
    char *path;          /* for messages */
    char *buf;
    size_t cap;
    size_t start;        /* first unread byte */
    size_t end;          /* end of the data read so far */
    size_t scanned;      /* bytes after start known to hold no '\n' */
    bool eof;
    int64_t lineno;
};

flow_lines *flow_lines_open(flow_rt *rt, const char *path)
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
    flow_lines *r = flow_alloc(sizeof *r);
    memset(r, 0, sizeof *r);
    r->rt = rt;
    r->fd = fd;
    size_t plen = strlen(path) + 1;
    r->path = flow_alloc(plen);
    memcpy(r->path, path, plen);
    r->cap = BLOCK;
    r->buf = flow_alloc(r->cap);
    return r;
}

/* Read more data after the unread tail, moving it to the front and growing
 * the buffer when the tail fills it. Sets eof at the end of the file. */
static void fill(flow_lines *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->cap - r->end < BLOCK / 2) {
        size_t cap = r->cap * 2;
        r->buf = flow_realloc(r->buf, r->cap, cap);
        r->cap = cap;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            flow_data_error(r->rt, r->path, r->lineno + 1, "read error: %s", strerror(errno));
        if (n == 0)
            r->eof = true;
        r->end += (size_t)n;
        return;
    }
}

bool flow_lines_next(flow_lines *r, flow_arena *a, flow_str *line)
{
    const char *nl;
    for (;;) {
        char *from = r->buf + r->start + r->scanned;
        nl = memchr(from, '\n', r->end - r->start - r->scanned);
        if (nl || r->eof)
            break;
        r->scanned = r->end - r->start;
        fill(r);
    }
    size_t len = nl ? (size_t)(nl - (r->buf + r->start)) : r->end - r->start;
    if (!nl && len == 0)
        return false;    /* EOF, and no unterminated last line */
    r->lineno++;
    const char *p = r->buf + r->start;
    if (!flow_utf8_valid(p, len))
        flow_data_error(r->rt, r->path, r->lineno, "invalid UTF-8");
    *line = flowi_arena_str(a, p, len);
    r->start += len + (nl ? 1 : 0);
    r->scanned = 0;
    return true;
}

int64_t flow_lines_lineno(const flow_lines *r)
{
    return r->lineno;
}

void flow_lines_close(flow_lines *r)
{
    if (!r)
        return;
    close(r->fd);
    flow_free(r->buf, r->cap);
    flow_free(r->path, strlen(r->path) + 1);
    flow_free(r, sizeof *r);
}
