/*
 * lines.c - flow_lines, the public line reader over a file, with Bytewax
 * FileSource semantics (docs/semantics.md §3.2): split on '\n', which is
 * removed; a '\r' stays; blank lines are "" items; no item after a final
 * '\n'. It is a thin layer over the sources' partition reader (io_src.c),
 * which reads in large blocks with memory bounded by the longest line;
 * here every line is checked to be UTF-8 and copied into the caller's
 * arena, and a bad line is a fatal data error at once.
 */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

struct flow_lines {
    flowi_part part;
};

flow_lines *flow_lines_open(flow_rt *rt, const char *path)
{
    flow_lines *r = flow_alloc(sizeof *r);
    flowi_part_open(&r->part, rt, path, flowi_open_file(rt, path));
    return r;
}

bool flow_lines_next(flow_lines *r, flow_arena *a, flow_str *line)
{
    const char *p;
    size_t len;
    int rc = flowi_part_line(&r->part, &p, &len);
    if (rc == 0)
        return false;
    if (rc < 0)
        flow_data_error(r->part.rt, r->part.path, r->part.lineno, "line longer than %zu bytes", FLOW_MAX_RECORD);
    if (!flowi_part_utf8(&r->part, p, len))
        flow_data_error(r->part.rt, r->part.path, r->part.lineno, "invalid UTF-8");
    *line = flowi_arena_str(a, p, len);
    return true;
}

int64_t flow_lines_lineno(const flow_lines *r)
{
    return r->part.lineno;
}

void flow_lines_close(flow_lines *r)
{
    if (!r)
        return;
    flowi_part_close(&r->part);
    flow_free(r, sizeof *r);
}
