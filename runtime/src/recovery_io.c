/*
 * recovery_io.c - the positions of file and dir sources for recovery
 * (docs/recovery.md): each file's byte offset (what was read of it and
 * not buffered), line number and whether it ended, saved at the end of an
 * epoch and sought back to on resume. A csv file's header is read again
 * before the seek (the columns are matched by name). A kafka source's
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
        flow_enc_i64(b, p->lineno);
        flow_enc_bool(b, p->live);
    }
}

/* Read P's csv header (the first record) from the start of its file. */
static void read_header(flow_src *s, flowi_part *p)
{
    while (!p->have_header) {
        const char *line;
        size_t len;
        if (flowi_part_line(p, &line, &len) <= 0)
            return;
        flow_rec rec;
        if (flowi_csv_record(s, p, &s->rt->arena, line, len, &rec) < 0)
            return;
    }
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
                read_header(s, p);
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
