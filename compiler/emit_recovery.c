/*
 * emit_recovery.c - a program's recovery code (docs/recovery.md): the
 * function writing the snapshot at the end of an epoch and the one
 * restoring the flow from the store at start-up.
 *
 *   static bool <flow>_snap_rows(void *f);         this worker's rows of what changed
 *   static void <flow>_restore(<flow>_flow *f);    fingerprints, rows, positions
 *   static void <flow>_<id>_load(void *f, flow_str key, flow_rd *r);  one key
 *
 * Pipeline position: emit_c.c calls emit_recovery_fns after the steps'
 * functions and before <flow>_run; main() (several workers: cluster.c,
 * for every worker in turn) calls <flow>_restore after <flow>_new, which
 * hands <flow>_snap_rows to the runtime (flow_store_hook): the end of a
 * round calls it for every worker when an epoch ended, then commits; the
 * run loop's flow_store_end (several workers: cluster.c's) writes the
 * last snapshot at the end of the input. Not written for --lib
 * (an embedded dataflow has no recovery).
 *
 * A key's row is its state in the binary encoding (emit_codec.c) behind a
 * header: a flag byte, 1 when the key's timer is set, then the timer. Per
 * operator, what the state struct (emit_c.c's state_*) holds:
 *   value kinds    st (the state type) [, live: stateful, stateful_batch]
 *   count_final    n
 *   collect, batch the items' values, then timeout_at
 *   join           per side, its values
 *   window ops     the key's wake-up time (flow_wkey.sched), then its
 *                  flow_wstate (window.c's flow_wstate_enc, with the
 *                  step's <flow>_<id>_accenc/_qenc from emit_window.c);
 *                  one more row per step, "<id>/ws": the flow_wstep's
 *                  lastnow and legacy
 */
#include "emit.h"
#include "io.h"

/* The kinds of keyed state this file knows how to save. */
typedef enum StateShape { SH_NONE, SH_VALUE, SH_COUNT, SH_COLLECT, SH_JOIN, SH_WINDOW } StateShape;

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
        return step_is_window_op(s) ? SH_WINDOW : SH_NONE;
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

/* An input recovery can seek besides testing lists and ranges: file, dir
 * (byte offsets) and kafka (offsets per partition). */
static bool seekable_file(const Step *s)
{
    const char *k = emit_source_kind(s);
    return s->io && (strcmp(k, "file") == 0 || strcmp(k, "dir") == 0 || strcmp(k, "kafka") == 0);
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
    case SH_WINDOW:
        return emit_window_fingerprint(E, s);
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
    case SH_WINDOW:
        emit_line(E, "flow_enc_i64(b, s->k.sched);");
        emit_line(E, "flow_wstate_enc(b, &s->k.w, %s_%s_accenc, %s_%s_qenc);", E->P, s->id, E->P, s->id);
        break;
    default:
        ICE("no state encoding for this operator");
    }
}

/* Statements: count_final's rows with several workers, where every
 * worker counts its items per key: a key's row is the sum of every
 * worker's count (read in their tables, flow_table_peek), restored into
 * the key's owner alone. At EOF the counts were combined (<id>_old holds
 * this worker's): every key goes, as with one worker. */
static void snapshot_partial_counts(Emit *E, Step *s)
{
    const char *P = E->P, *id = s->id;
    emit_line(E, "if (f->mw) {   /* several workers: the sum of every worker's count */");
    E->indent++;
    emit_line(E, "const uint32_t *ids;");
    emit_line(E, "if (f->%s_eof) {", id);
    emit_line(E, "    size_t n = f->%s_old ? flow_table_sorted(f->%s_old, &ids) : 0;", id, id);
    emit_line(E, "    for (size_t k = 0; k < n; k++)");
    emit_line(E, "        flow_store_put(f->rt, \"%s\", flow_table_key(f->%s_old, ids[k]), NULL);", id, id);
    emit_line(E, "} else {");
    E->indent++;
    emit_line(E, "size_t n = flow_table_dirty(f->%s_tab, &ids);", id);
    emit_line(E, "for (size_t k = 0; k < n; k++) {");
    E->indent++;
    emit_line(E, "flow_str key = flow_table_key(f->%s_tab, ids[k]);", id);
    emit_line(E, "int64_t sum = 0;");
    emit_line(E, "for (int w = 0; w < flow_store_workers(f->rt); w++) {");
    emit_line(E, "    %s_flow *g = flow_store_peer(f->rt, w);", P);
    emit_line(E, "    uint32_t j = flow_table_peek(g->%s_tab, key);", id);
    emit_line(E, "    if (j != FLOW_NO_ENTRY)");
    emit_line(E, "        sum += ((const %s_%s_state *)flow_table_value(g->%s_tab, j))->n;", P, id, id);
    emit_line(E, "}");
    emit_line(E, "b->n = 0;");
    emit_line(E, "flow_enc_bool(b, false);");
    emit_line(E, "flow_enc_i64(b, sum);");
    emit_line(E, "flow_store_put_state(f->rt, \"%s\", key, b, flow_table_wrote(f->%s_tab, ids[k], true));", id, id);
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "flow_table_clean(f->%s_tab);", id);
    E->indent--;
    emit_line(E, "}");
    E->indent--;
    emit_line(E, "} else");
}

/* Statements: the rows of step S's keys touched in this epoch. */
static void snapshot_step(Emit *E, Step *s)
{
    const char *tab = emit_strf(E, "f->%s_tab", s->id);
    if (s->kind == SK_COUNT_FINAL && emit_step_by_owner(E, s))
        snapshot_partial_counts(E, s);
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
        emit_line(E, "    if (flow_table_has_row(%s, ids[k]))", tab);
        emit_line(E, "        flow_store_put(f->rt, \"%s\", key, NULL);", s->id);
        emit_line(E, "    flow_table_wrote(%s, ids[k], false);", tab);
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
    /* (older rows are collected with every fourth state: flow_table_wrote) */
    emit_line(E, "flow_store_put_state(f->rt, \"%s\", key, b, flow_table_wrote(%s, ids[k], true));", s->id, tab);
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "flow_table_clean(%s);", tab);
    if (shape(s) == SH_WINDOW) {
        /* the step's own part: system time seen, and whether it went
         * backwards (the same on every worker: one clock) */
        emit_line(E, "if (f->rt->worker == 0) {");
        emit_line(E, "    b->n = 0;");
        emit_line(E, "    flow_enc_i64(b, f->%s_ws.lastnow);", s->id);
        emit_line(E, "    flow_enc_bool(b, f->%s_ws.legacy);", s->id);
        emit_line(E, "    flow_store_put(f->rt, \"%s/ws\", (flow_str){ \"\", 0 }, b);", s->id);
        emit_line(E, "}");
    }
    E->indent--;
    emit_line(E, "}");
}

/* An input's one row, written by worker 0 (testing inputs are read by
 * worker 0 alone; for file, dir and kafka inputs the row holds every
 * worker's positions, so that a resume with another -w finds them all:
 * each process's first worker writes its workers', and with several MPI
 * processes rank 0 joins the processes' rows into one, recovery.c). */
static void snapshot_input(Emit *E, Step *s)
{
    if (s->source != SRC_TESTING && s->source != SRC_RANGE && !seekable_file(s))
        return;
    if (s->source == SRC_TESTING || s->source == SRC_RANGE)
        emit_line(E, "if (f->rt->worker == 0) {   /* input %s: its position */", s->id);
    else
        emit_line(E, "if (flow_store_lead(f->rt)) {   /* input %s: its process's positions */", s->id);
    E->indent++;
    emit_line(E, "b->n = 0;");
    if (s->source == SRC_TESTING || s->source == SRC_RANGE) {
        emit_line(E, "flow_enc_i64(b, f->%s_pos);", s->id);
        if (s->nmarks)
            emit_line(E, "flow_enc_i64(b, f->%s_mark);", s->id);
    } else {
        emit_line(E, "int nw = f->mw ? flow_store_workers(f->rt) : 1;   /* each worker's %s' positions */",
                  strcmp(emit_source_kind(s), "kafka") == 0 ? "partitions" : "files");
        emit_line(E, "flow_enc_u64(b, (uint64_t)nw);");
        emit_line(E, "for (int w = 0; w < nw; w++)");
        emit_line(E, "    flow_src_save(((%s_flow *)(f->mw ? flow_store_peer(f->rt, w) : f))->%s_src, b);", E->P, s->id);
    }
    emit_line(E, "flow_store_put(f->rt, \"%s\", (flow_str){ \"\", 0 }, b);", s->id);
    E->indent--;
    emit_line(E, "}");
}

static void emit_snapshot_fn(Emit *E, Graph *g)
{
    const char *P = E->P;
    fprintf(E->code, "/* Recovery: the end of an epoch (docs/recovery.md). This worker's rows of\n"
                     " * every key touched since the last snapshot and the inputs' positions\n"
                     " * (the runtime then commits, adding the sinks' lengths). False while an\n"
                     " * ABORT marker is pending: Bytewax keeps only completed epochs. */\n");
    fprintf(E->code, "static bool %s_snap_rows(void *fv)\n{\n", P);
    E->out = E->code;
    E->indent = 1;
    emit_line(E, "%s_flow *f = fv;", P);
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        if (s->kind == SK_INPUT && is_abort_input(s)) {
            emit_line(E, "if (f->%s_stop == 2)", s->id);
            emit_line(E, "    return false;");
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
    emit_line(E, "return true;");
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
    emit_line(E, "if (f->mw && %s != f->rt->worker)", emit_step_by_owner(E, s) ? "flow_key_owner(f->rt, key)" : "0");
    emit_line(E, "    return;   /* several workers: another worker's key */");
    emit_line(E, "uint32_t id = flow_table_insert(%s, key);", tab);
    emit_line(E, "%s_%s_state *s = flow_table_value(%s, id);", P, s->id, tab);
    emit_line(E, "bool timed = flow_dec_bool(r);");
    emit_line(E, "flow_time tm = timed ? flow_dec_i64(r) : FLOW_NO_TIME;");
    switch (shape(s)) {
    case SH_VALUE:
        decode_owned(E, s->state_type, "s->st", "s->mem", "s->sz");
        if (has_live(s))
            emit_line(E, "s->live = flow_dec_bool(r);");
        if (emit_pre_reduces(s))    /* the next round's values fold into it */
            emit_line(E, "s->has_st = true;");
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
    case SH_WINDOW:
        emit_line(E, "flow_wkey_init(&s->k, &f->%s_ws.clock, f->rt->now);", s->id);
        emit_line(E, "s->noted = false;");
        emit_line(E, "s->k.sched = flow_dec_i64(r);");
        emit_line(E, "flow_wstate_dec(r, &s->k.w, &f->%s_ws.win, %s_%s_accdec, %s_%s_qdec, f);", s->id, P, s->id, P, s->id);
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
        /* (several workers: worker 0 reads it, the others start at its end) */
        emit_line(E, "if (f->rt->worker == 0 && flow_store_get(f->rt, \"%s\", (flow_str){ \"\", 0 }, &r)) {   /* input %s */",
                  s->id, s->id);
        E->indent++;
        emit_line(E, "f->%s_pos = flow_dec_i64(&r);", s->id);
        if (s->nmarks)
            emit_line(E, "f->%s_mark = (int)flow_dec_i64(&r);", s->id);
        emit_line(E, "if (r.bad || r.p != r.end || f->%s_pos < 0 || f->%s_pos > %s%s)", s->id, s->id, n,
                  s->nmarks ? emit_strf(E, " || f->%s_mark < 0 || f->%s_mark > %d", s->id, s->id, s->nmarks) : "");
        emit_line(E, "    flow_store_corrupt(f->rt, \"%s\", (flow_str){ \"\", 0 });", s->id);
        E->indent--;
        emit_line(E, "}");
    } else if (seekable_file(s) && s->io->split_bytes) {
        /* byte ranges: the unread bytes of every range of the saving run,
         * divided among this run's workers */
        emit_line(E, "if (flow_store_get(f->rt, \"%s\", (flow_str){ \"\", 0 }, &r)) {   /* input %s */", s->id, s->id);
        emit_line(E, "    if (!flow_src_seek_ranges(f->%s_src, &r) || r.p != r.end)", s->id);
        emit_line(E, "        flow_store_corrupt(f->rt, \"%s\", (flow_str){ \"\", 0 });", s->id);
        emit_line(E, "}");
    } else if (seekable_file(s)) {
        /* every worker's positions of the saving run: each worker seeks
         * those of its own files or partitions (matched by name) */
        emit_line(E, "if (flow_store_get(f->rt, \"%s\", (flow_str){ \"\", 0 }, &r)) {   /* input %s */", s->id, s->id);
        emit_line(E, "    int64_t nw = flow_dec_count(&r);");
        emit_line(E, "    for (int64_t w = 0; w < nw && !r.bad; w++)");
        emit_line(E, "        flow_src_seek(f->%s_src, &r);", s->id);
        emit_line(E, "    if (r.bad || r.p != r.end)");
        emit_line(E, "        flow_store_corrupt(f->rt, \"%s\", (flow_str){ \"\", 0 });", s->id);
        emit_line(E, "}");
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
            if (s->kind == SK_COUNT_FINAL && emit_step_by_owner(E, s))
            {   /* its rows sum the counts of this process's workers only */
                emit_line(E, "if (f->mw && flow_store_workers(f->rt) < f->rt->nworkers)");
                emit_line(E, "    flow_store_sum_step(f->rt, \"%s\");   /* rank 0 adds the processes' up */", s->id);
            }
            emit_line(E, "flow_store_load(f->rt, \"%s\", %s_%s_load, f);", s->id, P, s->id);
            emit_line(E, "flow_table_track(f->%s_tab);", s->id);
            if (shape(s) == SH_WINDOW) {
                emit_line(E, "if (flow_store_get(f->rt, \"%s/ws\", (flow_str){ \"\", 0 }, &r)) {", s->id);
                emit_line(E, "    f->%s_ws.lastnow = flow_dec_i64(&r);", s->id);
                emit_line(E, "    f->%s_ws.legacy = flow_dec_bool(&r);", s->id);
                emit_line(E, "    if (r.bad || r.p != r.end)");
                emit_line(E, "        flow_store_corrupt(f->rt, \"%s/ws\", (flow_str){ \"\", 0 });", s->id);
                emit_line(E, "}");
            }
        } else if (s->kind == SK_INPUT) {
            restore_input(E, s);
        }
    }
    emit_line(E, "flow_store_hook(f->rt, %s_snap_rows, f);   /* epochs end at the end of a round */", P);
    fprintf(E->code, "}\n\n");
}

void emit_recovery_fns(Emit *E, Graph *g)
{
    emit_snapshot_fn(E, g);
    emit_restore_fn(E, g);
}
