/*
 * emit_nexmark.c - the code of the built-in Nexmark source (checked in
 * sema_nexmark.c): a generator state and a position in the flow struct;
 * each poll converts up to batch_size events (flow_nexmark_event_at, only
 * the fields the schema declares) into the schema record and sends them.
 */
#include <string.h>
#include "emit.h"
#include "nexmark.h"

void emit_nexmark_input_state(Emit *E, Step *s)
{
    fprintf(E->fields, "    flow_nexmark %s_gen;\n    int64_t %s_n;\n    int64_t %s_pos;\n    int64_t %s_batch;\n",
            s->id, s->id, s->id, s->id);
    fprintf(E->fields, "    int64_t %s_lo, %s_hi;   /* this worker's events of each batch */\n", s->id, s->id);
    E->out = E->init;
    E->indent = 1;
    emit_line(E, "f->%s_n = %s;", s->id, emit_expr(E, s->range_n));
    emit_line(E, "flow_nexmark_init(&f->%s_gen, %s, 0);", s->id,
              s->nexmark_rate ? emit_expr(E, s->nexmark_rate) : "10000000");
    if (s->batch_size) {
        const char *b = emit_expr(E, s->batch_size);
        emit_line(E, "f->%s_batch = %s < 1 ? 1 : %s;", s->id, b, b);
    } else {
        emit_line(E, "f->%s_batch = 1000;", s->id);
    }
    /* several workers: worker w generates events [lo, hi) of every batch,
     * w/N of the way in, so the workers' items in worker order are the
     * batch in order (docs/workers.md) */
    emit_line(E, "f->%s_lo = (int64_t)((__int128)f->%s_batch * rt->worker / rt->nworkers);", s->id, s->id);
    emit_line(E, "f->%s_hi = (int64_t)((__int128)f->%s_batch * (rt->worker + 1) / rt->nworkers);", s->id, s->id);
}

void emit_nexmark_run_input(Emit *E, Step *s)
{
    Record *r = s->nexmark_schema;
    unsigned mask = 0;
    for (int i = 0; i < r->n; i++)
        mask |= nexmark_field(r->fields[i].name)->mask;
    emit_line(E, "if (f->%s_pos >= f->%s_n) {", s->id, s->id);
    E->indent++;
    emit_input_end(E, s->input_no);
    emit_line(E, "return;");
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "int64_t end = f->%s_n - f->%s_pos > f->%s_batch ? f->%s_pos + f->%s_batch : f->%s_n;", s->id, s->id,
              s->id, s->id, s->id, s->id);
    emit_line(E, "int64_t hi = f->%s_n - f->%s_pos > f->%s_hi ? f->%s_pos + f->%s_hi : f->%s_n;", s->id, s->id, s->id,
              s->id, s->id, s->id);
    emit_line(E, "int64_t i = f->%s_pos + f->%s_lo;", s->id, s->id);
    emit_line(E, "f->%s_pos = end;", s->id);
    emit_line(E, "for (; i < hi; i++) {");
    E->indent++;
    emit_line(E, "flow_nexmark_event ev;");
    emit_line(E, "flow_nexmark_event_at(&f->%s_gen, i, %uu, &f->rt->arena, &ev);", s->id, mask);
    emit_line(E, "%s x;", emit_ctype_name(E, s->out_type));
    for (int i = 0; i < r->n; i++)
        emit_line(E, "x.%s = ev.%s;", emit_field_name(E, r->fields[i].name), r->fields[i].name);
    emit_step_send(E, s, 0, "x");
    E->indent--;
    emit_line(E, "}");
}
