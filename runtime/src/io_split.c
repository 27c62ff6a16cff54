/*
 * io_split.c - byte ranges of a file for a `file` source read with
 * split = "bytes" (docs/workers.md §3): the bytes to read, one or more
 * segments of the file, taken in order as one sequence and cut at N equal
 * byte counts, each cut moved forward to the next line start (a line
 * belongs to the range its first byte is in), as Bytewax's
 * examples/1brc.py splits its file by hand; and the lines before an
 * offset, counted only when a message needs a line number.
 *
 * Everything here reads the file with pread(2), so a partition's read
 * position is never moved.
 */
#include "io.h"

#include <errno.h>
#include <unistd.h>

#define CHUNK ((size_t)64 * 1024)

int64_t flowi_line_start(int fd, int64_t start, int64_t off, int64_t end)
{
    if (off <= start)
        return start;
    if (off >= end)
        return end;
    char buf[4096];
    int64_t at = off - 1;    /* a line starts at OFF when byte OFF-1 is '\n' */
    while (at < end) {
        size_t want = sizeof buf;
        if ((int64_t)want > end - at)
            want = (size_t)(end - at);
        ssize_t n = pread(fd, buf, want, (off_t)at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return end;    /* the file is shorter than thought: its end */
        const char *nl = memchr(buf, '\n', (size_t)n);
        if (nl)
            return at + (nl - buf) + 1;
        at += n;
    }
    return end;
}

int64_t flowi_count_lines(int fd, int64_t off)
{
    char *buf = flow_alloc(CHUNK);
    int64_t lines = 0, at = 0;
    while (at < off) {
        size_t want = CHUNK;
        if ((int64_t)want > off - at)
            want = (size_t)(off - at);
        ssize_t n = pread(fd, buf, want, (off_t)at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            lines = -1;
            break;
        }
        for (const char *p = buf, *e = buf + n; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
            lines++;
        at += n;
    }
    flow_free(buf, CHUNK);
    return lines;
}

/* A segment's last byte + 1 now: its end, or the file's size for one read
 * to the end (never before its start). */
static int64_t seg_end(const flowi_seg *g, int64_t size)
{
    int64_t e = g->end >= 0 ? g->end : size;
    return e > g->start ? e : g->start;
}

/* Where cut K of N falls: the segment *SEG and the line start *AT in it.
 * Cut 0 is the first segment's start, cut N the last one's end. */
static void cut(int fd, int64_t size, const flowi_seg *segs, size_t nseg, int64_t total, int k, int n,
                size_t *seg, int64_t *at)
{
    int64_t x = (int64_t)((unsigned __int128)total * (unsigned)k / (unsigned)n), before = 0;
    for (size_t i = 0; i < nseg; i++) {
        int64_t len = seg_end(&segs[i], size) - segs[i].start;
        if (x < before + len) {
            *seg = i;
            *at = flowi_line_start(fd, segs[i].start, segs[i].start + (x - before), segs[i].start + len);
            return;
        }
        before += len;
    }
    *seg = nseg - 1;
    *at = seg_end(&segs[nseg - 1], size);
}

size_t flowi_split(int fd, int64_t size, const flowi_seg *segs, size_t nseg, int w, int n, flowi_seg *out)
{
    if (nseg == 0)
        return 0;
    int64_t total = 0;
    for (size_t i = 0; i < nseg; i++)
        total += seg_end(&segs[i], size) - segs[i].start;
    size_t a, b;
    int64_t from, to;
    cut(fd, size, segs, nseg, total, w, n, &a, &from);
    cut(fd, size, segs, nseg, total, w + 1, n, &b, &to);
    size_t np = 0;
    for (size_t i = a; i <= b; i++) {
        const flowi_seg *g = &segs[i];
        flowi_seg piece = *g;
        if (i == a && from > g->start) {
            piece.start = from;
            piece.lines = -1;    /* counted when a message needs it */
        }
        /* the last piece ends at the cut, unless the cut is its segment's
         * end: then the segment's own end (-1 reads on to the file's end,
         * which only the last worker does: lines appended are its) */
        if (i == b && (to < seg_end(g, size) || (g->end < 0 && w != n - 1)))
            piece.end = to;
        bool grows = piece.end < 0 && i == nseg - 1;    /* the file's end: lines appended are read */
        if (seg_end(&piece, size) > piece.start || (grows && w == n - 1))
            out[np++] = piece;
    }
    return np;
}
