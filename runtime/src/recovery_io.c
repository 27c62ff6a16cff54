/*
 * recovery_io.c - the positions of file and dir sources for recovery
 * (docs/recovery.md): each file's byte offset (what was read of it and
 * not buffered), line number and whether it ended, saved at the end of an
 * epoch and sought back to on resume. A csv file's header is read again
 * before the seek (the columns are matched by name). A file read with
 * split = "bytes" saves each range's unread bytes [offset, end), which a
 * resume divides among its workers, however many. A kafka source's
 * position is its offset per partition (io_kafka.c); stdin keeps none (a
 * resume refuses it).
 */
#include "io.h"

#include <errno.h>
#include <unistd.h>

void flow_src_save(flow_src *s, flow_buf *b)
{
    if (s->cfg.kind == FLOW_SRC_KAFKA) {
        flowi_kafka_save(s, b);
        return;
    }
    flow_enc_u64(b, s->nparts);
    for (size_t i = 0; i < s->nparts; i++) {
        flowi_part *p = &s->parts[i];
        off_t at = lseek(p->fd, 0, SEEK_CUR);
        if (at < 0 && errno == ESPIPE)
            at = (off_t)p->nread;    /* a pipe: the bytes read (a resume reads the file it was fed from) */
        else if (at < 0)
            flow_data_error(s->rt, p->path, 0, "recovery: cannot tell the read position: %s", strerror(errno));
        flow_enc_str(b, (flow_str){ p->path, (int64_t)strlen(p->path) });
        flow_enc_i64(b, (int64_t)at - (int64_t)(p->end - p->start));
        if (!s->cfg.split_bytes) {
            flow_enc_i64(b, p->lineno);
            flow_enc_bool(b, p->live);
            continue;
        }
        flow_enc_i64(b, p->lbase >= 0 ? p->lbase + p->lineno : -1);    /* -1: not counted */
        flow_enc_bool(b, p->live);
        flow_enc_i64(b, p->rend);
    }
}

bool flow_src_seek_ranges(flow_src *s, flow_rd *r)
{
    int64_t nw = flow_dec_count(r);
    flowi_seg *segs = NULL;
    size_t nseg = 0, cap = 0;
    for (int64_t w = 0; w < nw && !r->bad; w++) {
        int64_t n = flow_dec_count(r);
        for (int64_t i = 0; i < n && !r->bad; i++) {
            flow_str path = flow_dec_str(r, &s->rt->arena);
            flowi_seg g;
            g.start = flow_dec_i64(r);
            g.lines = flow_dec_i64(r);
            (void)flow_dec_bool(r);    /* an ended range is read on if it grows */
            g.end = flow_dec_i64(r);
            if (r->bad || g.start < 0 || g.lines < -1 || g.end < -1 || (g.end >= 0 && g.end < g.start))
                r->bad = true;
            else if (path.n != (int64_t)strlen(s->path) || memcmp(path.p, s->path, (size_t)path.n) != 0)
                r->bad = true;    /* another file: the worker read a pipe, or the row is foreign */
            if (r->bad)
                break;
            if (nseg == cap)
                flow_vec_grow((void **)&segs, &cap, sizeof *segs, nseg + 1);
            segs[nseg++] = g;
        }
    }
    if (!r->bad && !s->bytes && s->nparts > 0)
        flow_data_error(s->rt, s->path, 0, "recovery: an input read with split = \"bytes\" resumes from a regular file");
    if (!r->bad && s->bytes)
        flowi_src_pieces(s, segs, nseg);
    flow_free(segs, cap * sizeof *segs);
    return !r->bad;
}

bool flow_src_seek(flow_src *s, flow_rd *r)
{
    if (s->cfg.kind == FLOW_SRC_KAFKA)
        return flowi_kafka_seek(s, r);
    int64_t n = flow_dec_count(r);
    for (int64_t i = 0; i < n && !r->bad; i++) {
        flow_str path = flow_dec_str(r, &s->rt->arena);
        int64_t off = flow_dec_i64(r);
        int64_t line = flow_dec_i64(r);
        bool live = flow_dec_bool(r);
        if (r->bad || off < 0 || line < 0)
            return false;
        /* the partition of that file (a dir's files may have changed) */
        for (size_t k = 0; k < s->nparts; k++) {
            flowi_part *p = &s->parts[k];
            if (strlen(p->path) != (size_t)path.n || memcmp(p->path, path.p, (size_t)path.n) != 0)
                continue;
            if (s->cfg.format == FLOW_FMT_CSV && off > 0)
                flowi_csv_header(s, p);
            if (lseek(p->fd, off, SEEK_SET) < 0)
                flow_data_error(s->rt, p->path, 0, "recovery: cannot seek to byte %lld: %s", (long long)off,
                                strerror(errno));
            p->start = p->end = p->scanned = p->valid = 0;
            p->nread = off;
            p->eof = false;
            p->lineno = line;
            /* an ended file is read on from where it ended: new lines
             * appended since are read (Bytewax's continuation) */
            p->live = true;
            (void)live;
        }
    }
    return !r->bad;
}
