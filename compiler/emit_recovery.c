/*
 * emit_recovery.c - a program's recovery code (docs/recovery.md): the
 * function writing the snapshot at the end of an epoch and the one
 * restoring the flow from the store at start-up.
 *
 *   static void <flow>_snapshot(<flow>_flow *f);   rows of what changed, commit
 *   static void <flow>_restore(<flow>_flow *f);    fingerprints, rows, positions
 *   static void <flow>_<id>_load(void *f, flow_str key, flow_rd *r);  one key
 *
 * Pipeline position: emit_c.c calls emit_recovery_fns after the steps'
 * functions and before <flow>_run, whose loop calls <flow>_snapshot when
 * rt->store says an epoch ended (and once more at the end of the input);
 * main() calls <flow>_restore after <flow>_new. Not written for --lib
 * (an embedded dataflow has no recovery).
 *
 * A key's row is its state in the binary encoding (emit_codec.c) behind a
 * header: a flag byte, 1 when the key's timer is set, then the timer. Per
 * operator, what the state struct (emit_c.c's state_*) holds:
 *   value kinds    st (the state type) [, live: stateful, stateful_batch]
 *   count_final    n
 *   collect, batch the items' values, then timeout_at
 *   join           per side, its values
 */
#include "emit.h"

/* The kinds of keyed state this file knows how to save. */
typedef enum StateShape { SH_NONE, SH_VALUE, SH_COUNT, SH_COLLECT, SH_JOIN } StateShape;

static StateShape shape(const Step *s)
{
    switch (s->kind) {
    case SK_STATEFUL_MAP:
    case SK_STATEFUL_FLAT_MAP:
    case SK_REDUCE_FINAL:
    case SK_FOLD_FINAL:
    case SK_MAX_FINAL:
    case SK_MIN_FINAL:
    case SK_STATEFUL:
    case SK_STATEFUL_BATCH:
        return SH_VALUE;
    case SK_COUNT_FINAL:
        return SH_COUNT;
    case SK_COLLECT:
    case SK_BATCH:
        return SH_COLLECT;
    case SK_JOIN:
        return SH_JOIN;
    default:
        return SH_NONE;
    }
}

static bool has_live(const Step *s) { return s->kind == SK_STATEFUL || s->kind == SK_STATEFUL_BATCH; }

/* Steps whose keys are dropped at EOF (Bytewax's continuation starts them
 * fresh): the finals, collect and batch, join in final mode. flowc's EOF
 * flush of these leaves the keys in the table (the run ends), so the last
 * snapshot writes them as absent. */
static bool discards_at_eof(const Step *s)
{
    return step_family(s->kind) == FAM_FINAL || s->kind == SK_COLLECT || s->kind == SK_BATCH ||
           (s->kind == SK_JOIN && s->emit_mode == JOIN_FINAL);
}

static bool is_abort_input(const Step *s)
{
    for (int k = 0; k < s->nmarks; k++)
        if (s->marks[k].abort)
            return true;
    return false;
}

/* An input recovery can seek: testing lists and ranges, file and dir. */
static bool seekable_file(const Step *s)
{
    const char *k = emit_source_kind(s);
    return s->io && (strcmp(k, "file") == 0 || strcmp(k, "dir") == 0);
}

static const char *fingerprint(Emit *E, Step *s)
{
    const char *op = step_kind_name(s->kind);
    switch (shape(s)) {
    case SH_VALUE:
        return emit_codec_fingerprint(E, has_live(s) ? emit_strf(E, "%s live", op) : op, s->state_type);
    case SH_COUNT:
        return emit_strf(E, "%s int", op);
    case SH_COLLECT:
        return emit_codec_fingerprint(E, op, ty_keyed_value(s->in_type));
    case SH_JOIN: {
        const char *fp = emit_strf(E, "%s %d", op, (int)s->insert_mode);
        for (int i = 0; i < s->nins; i++)
            fp = emit_strf(E, "%s | %s", fp, emit_codec_fingerprint(E, "side", ty_keyed_value(s->in_types[i])));
        return fp;
    }
    default:
        return op;
    }
}

/* ===================================================================
 * Snapshot
 * =================================================================== */

/* Statements encoding the state `s` of step S into the flow_buf * b. */
static void encode_state(Emit *E, Step *s)
{
    switch (shape(s)) {
    case SH_VALUE:
        emit_codec_enc(E, s->state_type, "b", "s->st");
        if (has_live(s))
            emit_line(E, "flow_enc_bool(b, s->live);");
        break;
    case SH_COUNT:
        emit_line(E, "flow_enc_i64(b, s->n);");
        break;
    case SH_COLLECT:
        emit_line(E, "flow_enc_u64(b, (uint64_t)s->n);");
        emit_line(E, "for (int64_t i = 0; i < s->n; i++) {");
        E->indent++;
        emit_codec_enc(E, ty_keyed_value(s->in_type), "b", "s->items[i].v");
        E->indent--;
        emit_line(E, "}");
        emit_line(E, "flow_enc_i64(b, s->timeout_at);");
        break;
    case SH_JOIN:
        for (int p = 0; p < s->nins; p++) {
            emit_line(E, "flow_enc_u64(b, (uint64_t)s->n%d);", p);
            emit_line(E, "for (int64_t i = 0; i < s->n%d; i++) {", p);
            E->indent++;
            emit_codec_enc(E, ty_keyed_value(s->in_types[p]), "b", emit_strf(E, "s->s%d[i].v", p));
            E->indent--;
            emit_line(E, "}");
        }
        break;
    default:
        ICE("no state encoding for this operator");
    }
}

/* Statements: the rows of step S's keys touched in this epoch. */
static void snapshot_step(Emit *E, Step *s)
{
    const char *tab = emit_strf(E, "f->%s_tab", s->id);
    emit_line(E, "{   /* step %s (%s) */", s->id, step_kind_name(s->kind));
    E->indent++;
    emit_line(E, "const uint32_t *ids;");
    emit_line(E, "for (size_t k = 0; k < flow_table_gone_count(%s); k++)", tab);
    emit_line(E, "    flow_store_put(f->rt, \"%s\", flow_table_gone_key(%s, k), NULL);", s->id, tab);
    emit_line(E, "size_t n = flow_table_dirty(%s, &ids);", tab);
    emit_line(E, "for (size_t k = 0; k < n; k++) {");
    E->indent++;
    emit_line(E, "flow_str key = flow_table_key(%s, ids[k]);", tab);
    if (discards_at_eof(s)) {
        emit_line(E, "if (f->%s_eof) {   /* flushed at EOF: a continuation starts it fresh */", s->id);
        emit_line(E, "    flow_store_put(f->rt, \"%s\", key, NULL);", s->id);
        emit_line(E, "    continue;");
        emit_line(E, "}");
    }
    emit_line(E, "const %s_%s_state *s = flow_table_value(%s, ids[k]);", E->P, s->id, tab);
    emit_line(E, "flow_time tm = flow_table_timer(%s, ids[k]);", tab);
    emit_line(E, "b->n = 0;");
    emit_line(E, "flow_enc_bool(b, tm != FLOW_NO_TIME);");
    emit_line(E, "if (tm != FLOW_NO_TIME)");
    emit_line(E, "    flow_enc_i64(b, tm);");
    encode_state(E, s);
    emit_line(E, "flow_store_put(f->rt, \"%s\", key, b);", s->id);
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "flow_table_clean(%s);", tab);
    E->indent--;
    emit_line(E, "}");
}

static void snapshot_input(Emit *E, Step *s)
{
    if (s->source == SRC_TESTING) {
        emit_line(E, "b->n = 0;   /* input %s: its position */", s->id);
        emit_line(E, "flow_enc_i64(b, f->%s_pos);", s->id);
        if (s->nmarks)
            emit_line(E, "flow_enc_i64(b, f->%s_mark);", s->id);
        emit_line(E, "flow_store_put(f->rt, \"%s\", (flow_str){ \"\", 0 }, b);", s->id);
    } else if (s->source == SRC_RANGE) {
        emit_line(E, "b->n = 0;   /* input %s: its position */", s->id);
        emit_line(E, "flow_enc_i64(b, f->%s_pos);", s->id);
        emit_line(E, "flow_store_put(f->rt, \"%s\", (flow_str){ \"\", 0 }, b);", s->id);
    } else if (seekable_file(s)) {
        emit_line(E, "b->n = 0;   /* input %s: each file's position */", s->id);
        emit_line(E, "flow_src_save(f->%s_src, b);", s->id);
        emit_line(E, "flow_store_put(f->rt, \"%s\", (flow_str){ \"\", 0 }, b);", s->id);
    }
}

static void emit_snapshot_fn(Emit *E, Graph *g)
{
    const char *P = E->P;
    fprintf(E->code, "/* Recovery: the end of an epoch (docs/recovery.md). The rows of every\n"
                     " * key touched since the last snapshot, the inputs' positions, then the\n"
                     " * commit (which adds the file sinks' lengths). Not while an ABORT\n"
                     " * marker is pending: Bytewax keeps only completed epochs. */\n");
    fprintf(E->code, "static void %s_snapshot(%s_flow *f)\n{\n", P, P);
    E->out = E->code;
    E->indent = 1;
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        if (s->kind == SK_INPUT && is_abort_input(s)) {
            emit_line(E, "if (f->%s_stop == 2)", s->id);
            emit_line(E, "    return;");
        }
    }
    emit_line(E, "flow_buf bb = { 0 }, *b = &bb;");
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        if (shape(s) != SH_NONE)
            snapshot_step(E, s);
        else if (s->kind == SK_INPUT)
            snapshot_input(E, s);
    }
    emit_line(E, "flow_buf_free(b);");
    emit_line(E, "flow_store_commit(f->rt);");
    fprintf(E->code, "}\n\n");
}

/* ===================================================================
 * Restore
 * =================================================================== */

/* Statements: decode a value of type T from r into a new owned copy in
 * DST / MEM / SZ. */
static void decode_owned(Emit *E, Type *t, const char *dst, const char *mem, const char *sz)
{
    emit_line(E, "{");
    E->indent++;
    emit_line(E, "%s v;", emit_ctype_name(E, t));
    emit_codec_dec(E, t, "r", "&f->rt->arena", "v");
    emit_own(E, t, dst, "v", mem, sz);
    E->indent--;
    emit_line(E, "}");
}

static void emit_load_fn(Emit *E, Step *s)
{
    const char *P = E->P;
    const char *tab = emit_strf(E, "f->%s_tab", s->id);
    fprintf(E->code, "/* Recovery: restore one key of step %s from its row. */\n", s->id);
    fprintf(E->code, "static void %s_%s_load(void *ctx, flow_str key, flow_rd *r)\n{\n", P, s->id);
    E->out = E->code;
    E->indent = 1;
    emit_line(E, "%s_flow *f = ctx;", P);
    emit_line(E, "uint32_t id = flow_table_insert(%s, key);", tab);
    emit_line(E, "%s_%s_state *s = flow_table_value(%s, id);", P, s->id, tab);
    emit_line(E, "bool timed = flow_dec_bool(r);");
    emit_line(E, "flow_time tm = timed ? flow_dec_i64(r) : FLOW_NO_TIME;");
    switch (shape(s)) {
    case SH_VALUE:
        decode_owned(E, s->state_type, "s->st", "s->mem", "s->sz");
        if (has_live(s))
            emit_line(E, "s->live = flow_dec_bool(r);");
        break;
    case SH_COUNT:
        emit_line(E, "s->n = flow_dec_i64(r);");
        break;
    case SH_COLLECT:
        emit_line(E, "s->n = flow_dec_count(r);");
        emit_line(E, "s->cap = (size_t)s->n;");
        emit_line(E, "s->items = s->n ? flow_alloc(s->cap * sizeof s->items[0]) : NULL;");
        emit_line(E, "for (int64_t i = 0; i < s->n; i++)");
        decode_owned(E, ty_keyed_value(s->in_type), "s->items[i].v", "s->items[i].mem", "s->items[i].sz");
        emit_line(E, "s->timeout_at = flow_dec_i64(r);");
        break;
    case SH_JOIN:
        for (int p = 0; p < s->nins; p++) {
            emit_line(E, "s->n%d = flow_dec_count(r);", p);
            emit_line(E, "s->cap%d = (size_t)s->n%d;", p, p);
            emit_line(E, "s->s%d = s->n%d ? flow_alloc(s->cap%d * sizeof s->s%d[0]) : NULL;", p, p, p, p);
            emit_line(E, "for (int64_t i = 0; i < s->n%d; i++)", p);
            decode_owned(E, ty_keyed_value(s->in_types[p]), emit_strf(E, "s->s%d[i].v", p),
                         emit_strf(E, "s->s%d[i].mem", p), emit_strf(E, "s->s%d[i].sz", p));
        }
        break;
    default:
        ICE("no state decoding for this operator");
    }
    emit_line(E, "if (r->bad || r->p != r->end)");
    emit_line(E, "    flow_store_corrupt(f->rt, \"%s\", key);", s->id);
    emit_line(E, "if (timed)");
    emit_line(E, "    flow_table_set_timer(%s, id, tm);", tab);
    fprintf(E->code, "}\n\n");
}

static void restore_input(Emit *E, Step *s)
{
    if (s->source == SRC_TESTING || s->source == SRC_RANGE) {
        const char *n = s->source == SRC_TESTING ? emit_strf(E, "f->%s_list.n", s->id) : emit_strf(E, "f->%s_n", s->id);
        emit_line(E, "if (flow_store_get(f->rt, \"%s\", (flow_str){ \"\", 0 }, &r)) {   /* input %s */", s->id, s->id);
        E->indent++;
        emit_line(E, "f->%s_pos = flow_dec_i64(&r);", s->id);
        if (s->nmarks)
            emit_line(E, "f->%s_mark = (int)flow_dec_i64(&r);", s->id);
        emit_line(E, "if (r.bad || r.p != r.end || f->%s_pos < 0 || f->%s_pos > %s%s)", s->id, s->id, n,
                  s->nmarks ? emit_strf(E, " || f->%s_mark < 0 || f->%s_mark > %d", s->id, s->id, s->nmarks) : "");
        emit_line(E, "    flow_store_corrupt(f->rt, \"%s\", (flow_str){ \"\", 0 });", s->id);
        E->indent--;
        emit_line(E, "}");
    } else if (seekable_file(s)) {
        emit_line(E, "if (flow_store_get(f->rt, \"%s\", (flow_str){ \"\", 0 }, &r) && !flow_src_seek(f->%s_src, &r))",
                  s->id, s->id);
        emit_line(E, "    flow_store_corrupt(f->rt, \"%s\", (flow_str){ \"\", 0 });", s->id);
    } else {
        emit_line(E, "flow_store_refuse(f->rt, \"%s\", \"a %s input\");", s->id, emit_source_kind(s));
    }
}

static void emit_restore_fn(Emit *E, Graph *g)
{
    const char *P = E->P;
    for (int i = 0; i < g->nsteps; i++)
        if (shape(g->steps[i]) != SH_NONE)
            emit_load_fn(E, g->steps[i]);
    fprintf(E->code, "/* Recovery: check the store's fingerprints, load every step's keys and\n"
                     " * seek the inputs back (docs/recovery.md); then track what changes. */\n");
    fprintf(E->code, "static void %s_restore(%s_flow *f)\n{\n", P, P);
    E->out = E->code;
    E->indent = 1;
    emit_line(E, "flow_rd r;");
    emit_line(E, "(void)r;");
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        if (shape(s) != SH_NONE) {
            emit_line(E, "flow_store_type(f->rt, \"%s\", %s);", s->id, emit_c_str(E, fingerprint(E, s)));
            emit_line(E, "flow_store_load(f->rt, \"%s\", %s_%s_load, f);", s->id, P, s->id);
            emit_line(E, "flow_table_track(f->%s_tab);", s->id);
        } else if (s->kind == SK_INPUT) {
            restore_input(E, s);
        } else if (step_is_window_op(s)) {
            emit_line(E, "flow_store_refuse(f->rt, \"%s\", \"a window operator\");", s->id);
        }
    }
    fprintf(E->code, "}\n\n");
}

void emit_recovery_fns(Emit *E, Graph *g)
{
    emit_snapshot_fn(E, g);
    emit_restore_fn(E, g);
}
