/*
 * emit_c.c - the C emitter: one translation unit per dataflow.
 *
 * Pipeline position: last phase; reads the Graph (lower.c) and the typed
 * AST, writes C that includes only <flowrt_gen.h>. The shape of the output:
 *
 *   banner; includes; typedefs (records, tuples, lists, optionals);
 *   prototypes; struct <flow>_flow (every piece of mutable state: per-step
 *   buffers, keyed tables, source positions; no globals);
 *   per-type helpers (repr, eq, cmp, deep copy);
 *   per step: its lambda <flow>_<step>_fn, its item function
 *   <flow>_<step>_item (what one item does; upstream calls it directly when
 *   the step is fused) and, for group heads, <flow>_<step>_run (runs once a
 *   round, in declaration order, over what its upstreams buffered);
 *   <flow>_round, <flow>_run, <flow>_new, <flow>_free; main() unless
 *   FLOW_NO_MAIN is defined.
 *
 * Stateful steps keep per-key state in a flow_table whose value slots hold
 * the generated state struct. A round's items are applied grouped by key in
 * byte order (flow_sort_by_key); *_final steps, which emit nothing before
 * EOF, update state directly from their upstream instead (the order across
 * keys cannot be observed), and so do stateful_map / stateful_flat_map steps
 * that lower.c fused because they get at most one item a round. State
 * that outlives a round is deep-copied out of the round arena (emit_own);
 * memory it replaces is freed at the end of the round (the "dead" list),
 * because items emitted this round may still point into it.
 */
#include <stdlib.h>
#include <string.h>
#include "emit.h"
#include "embed.h"
#include "io.h"
#include "nexmark.h"
#include "window.h"

/* ===================================================================
 * Names
 * =================================================================== */

/* The step id as a C string (the runtime prefixes the flow name in messages). */
static const char *fq(Emit *E, Step *s) { return emit_strf(E, "\"%s\"", s->id); }
static const char *in_ty(Emit *E, Step *s) { return emit_ctype_name(E, s->in_type); }
static const char *out_ty(Emit *E, Step *s) { return emit_ctype_name(E, s->out_type); }

/* Does upstream call this step's item function directly? */
static bool direct(Step *s) { return s->fused || s->direct_final; }

/* Steps that buffer their input and run at their own place in the order. */
static bool buffered(Step *s) { return step_family(s->kind) != FAM_INPUT && !direct(s); }

/* Exchange points (docs/workers.md). With several workers, the items of
 * these steps go to the worker that must handle them before the step
 * runs: by key (every step keeping per-key state, TR_EXCHANGE), all to
 * worker 0 (a file sink, one writer), by the dir sink's file (each file
 * one writer), or spread evenly in order (redistribute). count_final
 * (XK_PARTIAL) instead counts on every worker and exchanges the counts,
 * by key, at the end of its input (<P>_<id>_combine): one item per key
 * and worker crosses, not every item. reduce_final, max_final and
 * min_final (XK_KEY, precombines) reduce each round's share of a worker
 * per key before the exchange (Bytewax's pre_reduce runs where the items
 * are), and exchange one partial per key and worker a round, which the
 * owner folds into the state in worker order; partial results cannot
 * wait longer than their round (worker order is input order within a
 * round only, and a max or min keeps the earliest of equal values). */
typedef enum XKind { XK_NONE, XK_KEY, XK_ZERO, XK_DIR, XK_BLOCK, XK_PARTIAL } XKind;

static XKind xkind(const Emit *E, const Step *s);

/* Does S exchange its items (before it runs, every round)? */
static bool xitems(const Emit *E, const Step *s)
{
    XKind k = xkind(E, s);
    return k != XK_NONE && k != XK_PARTIAL;
}

static XKind xkind(const Emit *E, const Step *s)
{
    if (E->opt->lib_header)
        return XK_NONE;    /* --lib: an embedded instance is one worker */
    if (step_is_clock(s) || step_is_windower(s))
        return XK_NONE;
    if (step_has(s, TR_ITEMWISE) && s->fused)
        return XK_NONE;    /* fed by a testing input (lower.c), which only worker 0 reads:
                            * its every key is on worker 0 already */
    if (s->kind == SK_COUNT_FINAL)
        return XK_PARTIAL;
    if (step_has(s, TR_EXCHANGE))
        return XK_KEY;
    if (s->kind == SK_REDISTRIBUTE)
        return XK_BLOCK;
    if (s->kind == SK_OUTPUT && s->io && s->io->kind == IOK_FILE)
        return XK_ZERO;
    if (s->kind == SK_OUTPUT && s->io && s->io->kind == IOK_DIR)
        return XK_DIR;
    return XK_NONE;
}

bool emit_step_by_owner(const Emit *E, const Step *s)
{
    return xkind(E, s) == XK_KEY || xkind(E, s) == XK_PARTIAL;
}

/* An exchange step its upstream calls directly (a final, a fused step):
 * with several workers its item function buffers instead, and the step
 * applies the gathered items at its own place (<P>_<id>_run). */
static bool xdirect(const Emit *E, Step *s) { return xitems(E, s) && direct(s); }

/* Steps with per-port input buffers: buffered ones and exchange points. */
static bool inbuf(const Emit *E, Step *s) { return buffered(s) || xitems(E, s); }

static bool grouped(Step *s) { return step_family(s->kind) == FAM_KEYED; }

/* collect and batch keep a list of items per key */
static bool collects(Step *s) { return s->kind == SK_COLLECT || s->kind == SK_BATCH; }

/* Steps with an item function (StepEmit.item): what one item does. */
static bool has_item_fn(Step *s)
{
    StepFamily f = step_family(s->kind);
    return (f == FAM_STATELESS && !step_has(s, TR_BATCH)) || f == FAM_OUTPUT || f == FAM_FINAL;
}

/* The item type on input port P (join's sides differ). */
static Type *port_type(Step *s, int p) { return s->in_types ? s->in_types[p] : s->in_type; }

static const char *port_ty(Emit *E, Step *s, int p) { return emit_ctype_name(E, port_type(s, p)); }

/* reduce_final, max_final, min_final: a round's values of a key are
 * reduced first, then into the key's state (Bytewax's pre_reduce, a
 * flat_map_batch before its fold_final: state = f(state, f(v1, v2))). */
bool emit_pre_reduces(const Step *s)
{
    return s->kind == SK_REDUCE_FINAL || s->kind == SK_MAX_FINAL || s->kind == SK_MIN_FINAL;
}

/* A pre-reducing final with several workers: each worker reduces its
 * items of the round per key (<P>_<id>_pre, into the table <id>_pre,
 * keys in first-seen order) and sends each key's partial to the key's
 * worker (<P>_<id>_xchg), which folds the partials into the state in
 * worker order (<P>_<id>_fold): Bytewax's reduce_final with -w N, its
 * pre_reduce before the exchange, its fold_final after. */
static bool precombines(const Emit *E, Step *s) { return emit_pre_reduces(s) && xkind(E, s) == XK_KEY; }

/* Steps that remember which keys an activation touched: to reschedule
 * them (timers), or to fold their round's values into their state. */
static bool has_touched(Step *s) { return step_has(s, TR_TIMERS) || emit_pre_reduces(s); }

/* ===================================================================
 * Emitting items downstream
 * =================================================================== */

/* Statements sending V (a C expression of S's output type) out of port P. */
void emit_step_send(Emit *E, Step *s, int port, const char *v)
{
    emit_line(E, "f->n_sent[%d]++;", emit_port_counter(E->g, s, port));
    for (int i = 0; i < s->nout_consumers[port]; i++) {
        Consumer *c = &s->outs[port][i];
        if (direct(c->step))
            emit_line(E, "%s_%s_item(f, %s);", E->P, c->step->id, v);
        else
            emit_line(E, "%s_%s_push%d(f, %s);", E->P, c->step->id, c->in_port, v);
    }
}

/* ===================================================================
 * Per-step declarations
 * =================================================================== */

/* Step S's members of the flow struct (under its banner) and its
 * prototypes: input buffers and push functions, item function, keyed
 * table. */
static void declare_step(Emit *E, Step *s)
{
    const char *P = E->P;
    fprintf(E->fields, "    /* step %s (%s) */\n", s->id, step_kind_name(s->kind));
    if (step_is_clock(s) || step_is_windower(s))
        return;    /* emit_window.c: configuration only */
    if (inbuf(E, s)) {
        for (int p = 0; p < s->nins; p++) {
            fprintf(E->fields, "    struct {\n        %s *v;\n        size_t n, cap;\n    } %s_in%d;\n",
                    port_ty(E, s, p), s->id, p);
            fprintf(E->protos, "static inline void %s_%s_push%d(%s_flow *f, %s x);\n", P, s->id, p, P, port_ty(E, s, p));
            fprintf(E->fini, "    flow_free(f->%s_in%d.v, f->%s_in%d.cap * sizeof f->%s_in%d.v[0]);\n", s->id, p,
                    s->id, p, s->id, p);
        }
    }
    if (has_item_fn(s) || (grouped(s) && s->fused))
        fprintf(E->protos, "static void %s_%s_item(%s_flow *f, %s x);\n", P, s->id, P, in_ty(E, s));
    if (xdirect(E, s))
        fprintf(E->protos, "static inline void %s_%s_apply(%s_flow *f, %s x);\n", P, s->id, P, in_ty(E, s));
    if (xitems(E, s)) {
        fprintf(E->fields, "    flow_xbox %s_x[%d];   /* exchange points, one per input (several workers) */\n",
                s->id, s->nins);
        for (int p = 0; p < s->nins; p++) {
            const char *enc, *dec;
            emit_xcodec(E, port_type(s, p), &enc, &dec);
            fprintf(E->init, "    flow_xbox_init(rt, &f->%s_x[%d], %d, sizeof(%s), %s, %s);\n", s->id, p,
                    E->xbox_first[s->index] + p, port_ty(E, s, p), enc, dec);
            fprintf(E->fini, "    flow_xbox_free(&f->%s_x[%d]);\n", s->id, p);
        }
        if (precombines(E, s)) {
            fprintf(E->types, "/* step %s, several workers: a key's partial of the round on the sending\n"
                              " * worker */\ntypedef struct %s_%s_part {\n    %s x;   /* the key, the values reduced */\n"
                              "    bool pending;   /* x holds this round's values */\n} %s_%s_part;\n\n",
                    s->id, P, s->id, in_ty(E, s), P, s->id);
            fprintf(E->fields, "    flow_table *%s_pre;   /* several workers: the partials of the round */\n"
                               "    flow_touched %s_ptouched;   /* ... their keys, in first-seen order */\n", s->id, s->id);
            fprintf(E->protos, "static void %s_%s_pre(%s_flow *f, %s x);\n", P, s->id, P, in_ty(E, s));
            fprintf(E->protos, "static void %s_%s_fold(%s_flow *f, %s x);\n", P, s->id, P, in_ty(E, s));
            fprintf(E->init, "    f->%s_pre = f->mw ? flow_table_new(sizeof(%s_%s_part)) : NULL;\n", s->id, P, s->id);
            fprintf(E->fini, "    flow_table_free(f->%s_pre, NULL);\n    flow_touched_free(&f->%s_ptouched);\n", s->id,
                    s->id);
        }
    } else if (xkind(E, s) == XK_PARTIAL) {
        const char *enc, *dec;
        emit_xcodec(E, s->out_type, &enc, &dec);
        fprintf(E->fields, "    flow_xbox %s_x[1];   /* several workers: the partial results, at the end */\n", s->id);
        fprintf(E->fields, "    struct {\n        %s *v;\n        size_t n, cap;\n    } %s_parts;\n", out_ty(E, s), s->id);
        fprintf(E->fields, "    flow_table *%s_old;   /* the partial results, read by other workers till the end */\n", s->id);
        fprintf(E->init, "    flow_xbox_init(rt, &f->%s_x[0], %d, sizeof(%s), %s, %s);\n", s->id,
                E->xbox_first[s->index], out_ty(E, s), enc, dec);
        fprintf(E->fini, "    flow_xbox_free(&f->%s_x[0]);\n", s->id);
        fprintf(E->fini, "    flow_free(f->%s_parts.v, f->%s_parts.cap * sizeof f->%s_parts.v[0]);\n", s->id, s->id, s->id);
        fprintf(E->fini, "    if (f->%s_old)\n        flow_table_free(f->%s_old, %s_%s_drop);\n", s->id, s->id, P, s->id);
    }
    if (step_is_stateful(s)) {
        fprintf(E->fields, "    flow_table *%s_tab;\n    bool %s_eof;\n", s->id, s->id);
        if (grouped(s)) {
            fprintf(E->fields, "    uint32_t *%s_order;\n    size_t %s_order_cap;\n", s->id, s->id);
            fprintf(E->fini, "    flow_free(f->%s_order, f->%s_order_cap * sizeof(uint32_t));\n", s->id, s->id);
        }
    }
}

/* The push functions of a buffered step: one item into input port P's
 * buffer for its run. */
static void emit_push_fns(Emit *E, Step *s)
{
    if (!inbuf(E, s))
        return;
    for (int p = 0; p < s->nins; p++) {
        fprintf(E->code, "/* step %s: item X of input %d, buffered for the step's run */\n", s->id, p);
        fprintf(E->code, "static inline void %s_%s_push%d(%s_flow *f, %s x)\n{\n", E->P, s->id, p, E->P, port_ty(E, s, p));
        fprintf(E->code, "    if (f->%s_in%d.n == f->%s_in%d.cap)\n", s->id, p, s->id, p);
        fprintf(E->code,
                "        flow_vec_grow((void **)&f->%s_in%d.v, &f->%s_in%d.cap, sizeof f->%s_in%d.v[0], f->%s_in%d.n + 1);\n",
                s->id, p, s->id, p, s->id, p, s->id, p);
        fprintf(E->code, "    f->%s_in%d.v[f->%s_in%d.n++] = x;\n}\n\n", s->id, p, s->id, p);
    }
}

static const char *call_fn(Emit *E, Step *s, const char *a0, const char *a1);

/* <P>_<id>_xchg: step S's exchange point, with several workers: route each
 * port's buffered items to their workers' outboxes, wait for every
 * worker, gather what the others sent this worker into the buffers. */
static void emit_xchg_fn(Emit *E, Step *s)
{
    XKind k = xkind(E, s);
    if (!xitems(E, s))
        return;
    static const char *const why[] = {
        [XK_KEY] = "each item to the worker that owns its key",
        [XK_ZERO] = "every item to worker 0, the file's writer",
        [XK_DIR] = "each item to the worker that writes its file",
        [XK_BLOCK] = "the items, in order, spread evenly over the workers",
    };
    const char *P = E->P;
    fprintf(E->code, "/* step %s: its exchange point with several workers (docs/workers.md):\n * %s */\n", s->id,
            precombines(E, s) ? "each key's partial of the round to the worker that owns the key" : why[k]);
    fprintf(E->code, "static void %s_%s_xchg(%s_flow *f)\n{\n", P, s->id, P);
    E->out = E->code;
    E->indent = 1;
    if (precombines(E, s)) {
        /* a final not called directly (lower.c) has its round's items
         * buffered: they join this worker's partials first */
        emit_line(E, "for (size_t i = 0; i < f->%s_in0.n; i++)", s->id);
        emit_line(E, "    %s_%s_pre(f, f->%s_in0.v[i]);", P, s->id, s->id);
        emit_line(E, "f->%s_in0.n = 0;", s->id);
        emit_line(E, "flow_xbox_clear(&f->%s_x[0]);", s->id);
        emit_line(E, "for (size_t k = 0; k < f->%s_ptouched.n; k++) {", s->id);
        emit_line(E, "    %s_%s_part *p = flow_table_value(f->%s_pre, f->%s_ptouched.v[k]);", P, s->id, s->id, s->id);
        emit_line(E, "    p->pending = false;");
        emit_line(E, "    *(%s *)flow_xput(&f->%s_x[0], flow_key_owner(f->rt, p->x.f0)) = p->x;", in_ty(E, s), s->id);
        emit_line(E, "}");
        emit_line(E, "f->%s_ptouched.n = 0;", s->id);
    }
    for (int p = 0; p < s->nins && !precombines(E, s); p++) {
        emit_line(E, "flow_xbox_clear(&f->%s_x[%d]);", s->id, p);
        emit_line(E, "for (size_t i = 0; i < f->%s_in%d.n; i++) {", s->id, p);
        E->indent++;
        emit_line(E, "%s x = f->%s_in%d.v[i];", port_ty(E, s, p), s->id, p);
        const char *to = "0";
        if (k == XK_KEY && s->kind == SK_COUNT_WINDOW)
            to = emit_strf(E, "flow_key_owner(f->rt, %s)", call_fn(E, s, "x", NULL));
        else if (k == XK_KEY)
            to = "flow_key_owner(f->rt, x.f0)";
        else if (k == XK_DIR)
            to = emit_strf(E, "flow_sink_owner(f->%s_sink, x.f0, f->rt->nworkers)", s->id);
        emit_line(E, "*(%s *)flow_xput(&f->%s_x[%d], %s) = x;", port_ty(E, s, p), s->id, p, to);
        E->indent--;
        emit_line(E, "}");
    }
    emit_line(E, "flow_xsync(f->rt, f->%s_x, %d);", s->id, s->nins);
    for (int p = 0; p < s->nins; p++)
        emit_line(E, "flow_xgather%s(f->rt, &f->%s_x[%d], (void **)&f->%s_in%d.v, &f->%s_in%d.n, &f->%s_in%d.cap);",
                  k == XK_BLOCK ? "_block" : "", s->id, p, s->id, p, s->id, p, s->id, p);
    fprintf(E->code, "}\n\n");
}

void emit_input_end(Emit *E, int k)
{
    emit_line(E, "f->eof[%d] = true;", k);
}

int emit_step_xitems(Emit *E, Step *s)
{
    return xitems(E, s) ? E->xbox_first[s->index] + 1 : 0;
}

void emit_step_xchg_call(Emit *E, Step *s)
{
    if (!xitems(E, s))
        return;
    emit_line(E, "if (f->mw)");
    emit_line(E, "    %s_%s_xchg(f);    /* several workers */", E->P, s->id);
}

/* With several workers, an exchange step called directly by its upstream
 * applies the gathered items here, at its own place in the round. */
static void emit_xdirect_apply(Emit *E, Step *s)
{
    emit_line(E, "%s_%s_xchg(f);", E->P, s->id);
    emit_line(E, "for (size_t i = 0; i < f->%s_in0.n; i++)", s->id);
    emit_line(E, "    %s_%s_%s(f, f->%s_in0.v[i]);", E->P, s->id, precombines(E, s) ? "fold" : "apply", s->id);
    emit_line(E, "f->%s_in0.n = 0;", s->id);
}

/* ===================================================================
 * Per-key state of the keyed steps: <P>_<id>_state and the body of
 * <P>_<id>_drop (free what one key's state `s` owns): StepEmit.state, .drop
 * =================================================================== */

/* join: the values seen on each side, in slots */
static void state_join(Emit *E, Step *s)
{
    const char *P = E->P;
    fprintf(E->types, "/* step %s: per-key state: the values seen on each side */\n", s->id);
    for (int i = 0; i < s->nins; i++)
        fprintf(E->types, "typedef struct %s_%s_slot%d {\n    %s v;\n    void *mem;\n    size_t sz;\n} %s_%s_slot%d;\n",
                P, s->id, i, emit_ctype_name(E, ty_keyed_value(s->in_types[i])), P, s->id, i);
    fprintf(E->types, "typedef struct %s_%s_state {\n", P, s->id);
    for (int i = 0; i < s->nins; i++)
        fprintf(E->types, "    %s_%s_slot%d *s%d;\n    int64_t n%d;\n    size_t cap%d;\n", P, s->id, i, i, i, i);
    fprintf(E->types, "} %s_%s_state;\n\n", P, s->id);
}

static void drop_join(Emit *E, Step *s)
{
    for (int i = 0; i < s->nins; i++) {
        fprintf(E->code, "    for (int64_t i = 0; i < s->n%d; i++)\n        flow_free(s->s%d[i].mem, s->s%d[i].sz);\n", i, i, i);
        fprintf(E->code, "    flow_free(s->s%d, s->cap%d * sizeof s->s%d[0]);\n", i, i, i);
    }
}

/* collect, batch: the collected items and when the list times out (and,
 * in the flow struct, the step's timeout and size limit) */
static void state_collect(Emit *E, Step *s)
{
    const char *P = E->P;
    fprintf(E->types, "/* step %s: one collected item and the memory it owns */\n", s->id);
    fprintf(E->types, "typedef struct %s_%s_slot {\n    %s v;\n    void *mem;\n    size_t sz;\n} %s_%s_slot;\n\n", P,
            s->id, emit_ctype_name(E, ty_keyed_value(s->in_type)), P, s->id);
    fprintf(E->types, "/* step %s: per-key state */\n", s->id);
    fprintf(E->types,
            "typedef struct %s_%s_state {\n    %s_%s_slot *items;\n    int64_t n;\n    size_t cap;\n"
            "    flow_time timeout_at;\n} %s_%s_state;\n\n",
            P, s->id, P, s->id, P, s->id);
    fprintf(E->fields, "    int64_t %s_timeout;\n    int64_t %s_max;\n", s->id, s->id);
}

static void drop_collect(Emit *E, Step *s)
{
    (void)s;
    fprintf(E->code, "    for (int64_t i = 0; i < s->n; i++)\n        flow_free(s->items[i].mem, s->items[i].sz);\n");
    fprintf(E->code, "    flow_free(s->items, s->cap * sizeof s->items[0]);\n");
}

/* count_final: a count */
static void state_count(Emit *E, Step *s)
{
    fprintf(E->types, "/* step %s: per-key state */\ntypedef struct %s_%s_state {\n    int64_t n;\n} %s_%s_state;\n\n",
            s->id, E->P, s->id, E->P, s->id);
}

static void drop_count(Emit *E, Step *s)
{
    (void)s;
    fprintf(E->code, "    (void)s;\n");
}

/* the others: a value of the state type and the memory it owns (stateful:
 * and whether its logic lives) */
static void state_value(Emit *E, Step *s)
{
    const char *more = "";
    if (s->kind == SK_STATEFUL || s->kind == SK_STATEFUL_BATCH)
        more = "\n    bool live;   /* false once a callback returned none */";
    else if (emit_pre_reduces(s))
        more = emit_strf(E, "\n    %s pend;   /* this round's values, reduced */\n    void *pmem;\n    size_t psz;\n"
                         "    bool has_st;    /* st holds the earlier rounds' values */\n"
                         "    bool pending;   /* pend holds this round's values */",
                         emit_ctype_name(E, s->state_type));
    fprintf(E->types,
            "/* step %s: per-key state and the memory it owns */\ntypedef struct %s_%s_state {\n    %s st;\n"
            "    void *mem;\n    size_t sz;%s\n} %s_%s_state;\n\n",
            s->id, E->P, s->id, emit_ctype_name(E, s->state_type), more, E->P, s->id);
}

static void drop_value(Emit *E, Step *s)
{
    fprintf(E->code, "    flow_free(s->mem, s->sz);\n");
    if (emit_pre_reduces(s))
        fprintf(E->code, "    flow_free(s->pmem, s->psz);\n");
}

/* ===================================================================
 * Item functions: stateless operators, outputs, finals
 * =================================================================== */

/* The lambda's result type as emitted: (K, V) instead of the new state
 * where lower.c's put_entry rewrote it. */
static Type *fn_ret(Step *s) { return s->put_entry ? s->put_entry->ty : s->fn.ret; }

static const char *call_fn(Emit *E, Step *s, const char *a0, const char *a1)
{
    const char *t = emit_tmp(E);
    if (a1)
        emit_line(E, "%s %s = %s_%s_fn(f, %s, %s, %s);", emit_ctype_name(E, fn_ret(s)), t, E->P, s->id, fq(E, s), a0, a1);
    else
        emit_line(E, "%s %s = %s_%s_fn(f, %s, %s);", emit_ctype_name(E, fn_ret(s)), t, E->P, s->id, fq(E, s), a0);
    return t;
}

static void defer_free(Emit *E, const char *p, const char *sz)
{
    emit_line(E, "%s_dead(f, %s, %s);", E->P, p, sz);
}

/* Statements: a key's new state `s` (id `id`, `created`) starts as init. */
static void emit_init_if_created(Emit *E, Step *s, Type *st)
{
    emit_line(E, "if (created) {");
    E->indent++;
    const char *init = emit_coerce(E, s->init, st);
    emit_own(E, st, "s->st", init, "s->mem", "s->sz");
    emit_line(E, "s = flow_table_value(f->%s_tab, id);", s->id);
    E->indent--;
    emit_line(E, "}");
}

/* The *_value variants (TR_VALUE) apply the function to the value of
 * (key, value) and put the key back on what they emit: the argument to
 * pass and a format turning a result into the item to send. */
typedef struct ItemArg {
    const char *arg;           /* "x" or "x.f1" */
    const char *rekey;         /* "%s" or "((T){ x.f0, %s })" */
} ItemArg;

static ItemArg item_arg(Emit *E, Step *s)
{
    if (!step_has(s, TR_VALUE))
        return (ItemArg){ "x", "%s" };
    return (ItemArg){ "x.f1", emit_strf(E, "((%s){ x.f0, %%s })", out_ty(E, s)) };
}

/* Statements: if (COND) { send V on port 0 }. */
static void send_if(Emit *E, Step *s, const char *cond, const char *v)
{
    emit_line(E, "if (%s) {", cond);
    E->indent++;
    emit_step_send(E, s, 0, v);
    E->indent--;
    emit_line(E, "}");
}

/* Statements: send each element of L on port 0 (through REKEY): a list's
 * or set's elements, a dict's keys (LT: L's type). */
static void send_each(Emit *E, Step *s, const char *l, Type *lt, const char *rekey)
{
    if (ty_resolve(lt)->kind == TY_JSON) {   /* an array's elements, an object's keys (Python's iteration) */
        l = emit_jv_iter(E, s->decl->loc, l);
        lt = ty_list(lt);
    }
    const char *x = emit_iter_begin(E, lt, l);
    E->indent++;
    emit_step_send(E, s, 0, emit_strf(E, rekey, x));
    E->indent--;
    emit_line(E, "}");
}

/* map, map_value */
static void item_map(Emit *E, Step *s)
{
    ItemArg a = item_arg(E, s);
    emit_step_send(E, s, 0, emit_strf(E, a.rekey, call_fn(E, s, a.arg, NULL)));
}

/* filter, filter_value */
static void item_filter(Emit *E, Step *s)
{
    send_if(E, s, call_fn(E, s, item_arg(E, s).arg, NULL), "x");
}

/* branch: trues on port 0, falses on port 1 */
static void item_branch(Emit *E, Step *s)
{
    emit_line(E, "if (%s) {", call_fn(E, s, "x", NULL));
    E->indent++;
    emit_step_send(E, s, 0, "x");
    E->indent--;
    emit_line(E, "} else {");
    E->indent++;
    emit_step_send(E, s, 1, "x");
    E->indent--;
    emit_line(E, "}");
}

/* filter_map, filter_map_value */
static void item_filter_map(Emit *E, Step *s)
{
    ItemArg a = item_arg(E, s);
    const char *r = call_fn(E, s, a.arg, NULL);
    if (ty_resolve(s->fn.ret)->kind == TY_OPT)
        send_if(E, s, emit_strf(E, "%s.has", r), emit_strf(E, a.rekey, emit_strf(E, "%s.v", r)));
    else
        emit_step_send(E, s, 0, emit_strf(E, a.rekey, r));
}

/* flat_map, flat_map_value */
static void item_flat_map(Emit *E, Step *s)
{
    ItemArg a = item_arg(E, s);
    send_each(E, s, call_fn(E, s, a.arg, NULL), s->fn.ret, a.rekey);
}

static void item_flatten(Emit *E, Step *s) { send_each(E, s, "x", s->in_type, "%s"); }

/* inspect: prints FLOW.STEP: repr(x), as Bytewax's default inspector */
static void item_inspect(Emit *E, Step *s)
{
    emit_line(E, "flow_buf_puts(&f->rt->out, \"%s.%s: \");", E->P, s->id);
    emit_repr(E, s->in_type, "&f->rt->out", "x");
    emit_line(E, "flow_buf_putc(&f->rt->out, '\\n');");
    emit_step_send(E, s, 0, "x");
}

/* inspect_debug: Bytewax's default inspector, "FLOW.STEP W<worker> @<epoch>: repr" */
static void item_inspect_debug(Emit *E, Step *s)
{
    emit_line(E, "flow_inspect_debug_prefix(f->rt, \"%s.%s\");", E->P, s->id);
    emit_repr(E, s->in_type, "&f->rt->out", "x");
    emit_line(E, "flow_buf_putc(&f->rt->out, '\\n');");
    emit_step_send(E, s, 0, "x");
}

/* raises: the first item stops the run, with Bytewax's RuntimeError message */
static void item_raises(Emit *E, Step *s)
{
    emit_line(E, "f->scratch.n = 0;");
    emit_line(E, "flow_buf_puts(&f->scratch, \"`raises` step '%s' got an item: \");", s->id);
    emit_repr(E, s->in_type, "&f->scratch", "x");
    emit_line(E, "flow_buf_putc(&f->scratch, 0);");
    emit_line(E, "flow_step_error(f->rt, %s, %s, f->scratch.p);", emit_loc_str(E, s->call->loc), fq(E, s));
}

/* redistribute (one worker: passes items on) */
static void item_pass(Emit *E, Step *s) { emit_step_send(E, s, 0, "x"); }

static void item_key_on(Emit *E, Step *s)
{
    const char *r = call_fn(E, s, "x", NULL);
    emit_step_send(E, s, 0, emit_strf(E, "((%s){ %s, x })", out_ty(E, s), r));
}

static void item_key_rm(Emit *E, Step *s) { emit_step_send(E, s, 0, "x.f1"); }

static void item_output(Emit *E, Step *s)
{
    if (s->io) {
        emit_io_output(E, s);   /* emit_io.c: stdout(format), file, dir, kafka */
    } else if (s->sink == SINK_EXTERN) {
        emit_lib_output(E, s);   /* emit_lib.c: the host's callback */
    } else if (s->sink == SINK_STDOUT) {
        emit_str_form(E, s->in_type, "&f->rt->out", "x");
        emit_line(E, "flow_buf_putc(&f->rt->out, '\\n');");
    } else {
        emit_line(E, "FLOW_DISCARD(x);");
    }
}

/* count_final: the key function's key counts one more */
static void item_count_final(Emit *E, Step *s)
{
    const char *r = call_fn(E, s, "x", NULL);
    emit_line(E, "uint32_t id = flow_table_upsert(f->%s_tab, %s, NULL);", s->id, r);
    emit_line(E, "((%s_%s_state *)flow_table_value(f->%s_tab, id))->n++;", E->P, s->id, s->id);
}

/* reduce_final, max_final, min_final: statements setting NV to A and B
 * combined: f(A, B), or max/min(A, B) by `by`. */
static void final_combine(Emit *E, Step *s, const char *nv, const char *a, const char *b)
{
    Type *st = s->state_type;
    if (s->kind == SK_REDUCE_FINAL) {
        const char *r = call_fn(E, s, a, b);
        emit_line(E, "%s = %s;", nv, emit_coerce_value(E, r, s->fn.ret, st));
    } else {
        const char *ka = a, *kb = b;
        Type *kt = ty_keyed_value(s->in_type);
        if (s->fn.lambda) {
            ka = call_fn(E, s, a, NULL);
            kb = call_fn(E, s, b, NULL);
            kt = s->fn.ret;
        }
        /* Python max/min keep the earlier value on ties */
        emit_line(E, "%s = (%s %s 0) ? %s : %s;", nv, emit_cmp(E, kt, kb, ka), s->kind == SK_MAX_FINAL ? ">" : "<", b,
                  a);
    }
}

/* Statements declaring a new value of the state's type, FIRST when COND
 * holds, else A and B combined (final_combine); returns its name. */
static const char *first_or_combine(Emit *E, Step *s, const char *cond, const char *first, const char *a,
                                    const char *b)
{
    const char *nv = emit_tmp(E);
    emit_line(E, "%s %s;", emit_ctype_name(E, s->state_type), nv);
    emit_line(E, "if (%s) {", cond);
    emit_line(E, "    %s = %s;", nv, first);
    emit_line(E, "} else {");
    E->indent++;
    final_combine(E, s, nv, a, b);
    E->indent--;
    emit_line(E, "}");
    return nv;
}

/* Statements: keep NV (of the state's type) in the key's s->DST, owned by
 * s->MEM of s->SZ bytes (the old memory freed at the end of the round). */
static void keep_value(Emit *E, Step *s, const char *dst, const char *mem, const char *sz, const char *nv)
{
    Type *st = s->state_type;
    if (ty_has_heap(st)) {
        emit_line(E, "s = flow_table_value(f->%s_tab, id);", s->id);
        defer_free(E, mem, sz);
        emit_own(E, st, dst, nv, mem, sz);
    } else {
        emit_line(E, "%s = %s;", dst, nv);
    }
}

/* reduce_final, max_final, min_final: the item joins its key's values of
 * this round (the first is taken as it is; then pend = f(pend, v), even
 * for a none: Bytewax's pre_reduce calls the reducer on it). */
static void item_pre_reduce(Emit *E, Step *s)
{
    emit_line(E, "uint32_t id = flow_table_upsert(f->%s_tab, x.f0, NULL);", s->id);
    emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, id);", E->P, s->id, s->id);
    const char *nv = first_or_combine(E, s, "!s->pending", "x.f1", "s->pend", "x.f1");
    emit_line(E, "if (!s->pending) {");
    E->indent++;
    emit_line(E, "s->pending = true;");
    emit_step_touch(E, s, "id");
    E->indent--;
    emit_line(E, "}");
    keep_value(E, s, "s->pend", "s->pmem", "s->psz", nv);
}

/* reduce_final, max_final, min_final: at the end of a round, each key's
 * values of the round are folded into its state (Bytewax's fold_final
 * after pre_reduce: the first becomes the state, and, a quirk, so does
 * the next when the state is none; Bytewax builds max_final and
 * min_final on reduce_final, so they have it too). In the order the keys
 * first came in the round: only an error could tell it from Bytewax's
 * ascending keys. (emit_fold_value: the statements folding V, values of
 * the key's state `s` (id `id`), into it.) */
static void emit_fold_value(Emit *E, Step *s, const char *v)
{
    bool opt = ty_resolve(s->state_type)->kind == TY_OPT;   /* max/min_final are reduce_finals too */
    const char *nv = first_or_combine(E, s, opt ? "!s->has_st || !s->st.has" : "!s->has_st", v, "s->st", v);
    keep_value(E, s, "s->st", "s->mem", "s->sz", nv);
    emit_line(E, "s->has_st = true;");
}

static void emit_pre_reduce_fold(Emit *E, Step *s)
{
    emit_line(E, "for (size_t k = 0; k < f->%s_touched.n; k++) {", s->id);
    E->indent++;
    emit_line(E, "uint32_t id = f->%s_touched.v[k];", s->id);
    emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, id);", E->P, s->id, s->id);
    emit_line(E, "s->pending = false;");
    emit_fold_value(E, s, "s->pend");
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "f->%s_touched.n = 0;", s->id);
}

/* <P>_<id>_pre and <P>_<id>_fold of a pre-reducing final with several
 * workers (precombines): an item joins its key's partial of the round on
 * this worker, as item_pre_reduce does (the partial's values live in the
 * round, which every worker ends together); a partial gathered from a
 * worker is folded into the key's state, as emit_pre_reduce_fold does. */
static void emit_precombine_fns(Emit *E, Step *s)
{
    const char *P = E->P, *id = s->id;
    E->out = E->code;
    E->indent = 1;
    fprintf(E->code, "/* step %s, several workers: item X joins its key's partial of the round */\n", id);
    fprintf(E->code, "static void %s_%s_pre(%s_flow *f, %s x)\n{\n", P, id, P, in_ty(E, s));
    emit_line(E, "uint32_t id = flow_table_upsert(f->%s_pre, x.f0, NULL);", id);
    emit_line(E, "%s_%s_part *p = flow_table_value(f->%s_pre, id);", P, id, id);
    const char *nv = first_or_combine(E, s, "!p->pending", "x.f1", "p->x.f1", "x.f1");
    emit_line(E, "if (!p->pending) {");
    emit_line(E, "    p->pending = true;");
    emit_line(E, "    p->x.f0 = x.f0;");
    emit_line(E, "    flow_touched_add(&f->%s_ptouched, id);", id);
    emit_line(E, "}");
    emit_line(E, "p->x.f1 = %s;", nv);
    fprintf(E->code, "}\n\n");
    fprintf(E->code, "/* step %s, several workers: a worker's partial X folded into its key's state */\n", id);
    fprintf(E->code, "static void %s_%s_fold(%s_flow *f, %s x)\n{\n", P, id, P, in_ty(E, s));
    emit_line(E, "uint32_t id = flow_table_upsert(f->%s_tab, x.f0, NULL);", id);
    emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, id);", P, id, id);
    emit_fold_value(E, s, "x.f1");
    fprintf(E->code, "}\n\n");
}

/* Statements: append the list or string TAIL (a C expression of the
 * state's type) to the key's state s->st in place (lower.c's
 * append_tail). */
static void emit_state_append(Emit *E, Step *s, const char *tail)
{
    Type *st = ty_resolve(s->state_type);
    bool str = st->kind == TY_STRING;
    const char *data = str ? "p" : "v";
    emit_line(E, "s->st.%s = flow_append(&s->mem, &s->sz, s->st.%s, s->st.n, sizeof s->st.%s[0], %s.%s, %s.n);", data,
              data, data, tail, data, tail);
    emit_line(E, "s->st.n += %s.n;", tail);
}

/* Statements: the dict state s->st takes the key and value of KV (a C
 * expression of type KVT, the (K, V) of lower.c's put_entry): V written in
 * place when K is a key already, else a copy with K added (as `with`). */
static void emit_state_put(Emit *E, Step *s, const char *kv, Type *kvt)
{
    Type *st = ty_resolve(s->state_type), *kt = ty_resolve(kvt)->elems[0], *vt = ty_resolve(kvt)->elems[1];
    const char *k = emit_tmp(E), *v = emit_tmp(E), *i = emit_tmp(E), *nd = emit_tmp(E);
    emit_line(E, "%s %s = %s;", emit_ctype_name(E, st->key), k, emit_coerce_value(E, emit_strf(E, "%s.f0", kv), kt, st->key));
    emit_line(E, "%s %s = %s;", emit_ctype_name(E, st->elem), v,
              emit_coerce_value(E, emit_strf(E, "%s.f1", kv), vt, st->elem));
    emit_line(E, "int64_t %s = %s(s->st, %s);", i, emit_coll_fn(E, st, "find"), k);
    emit_line(E, "if (%s >= 0) {", i);
    emit_line(E, "    s->st.v[%s].f1 = %s;", i, v);
    emit_line(E, "} else {");
    E->indent++;
    emit_line(E, "%s %s = { flow_arena_alloc(&f->rt->arena, sizeof(s->st.v[0]) * (size_t)(s->st.n + 1)), s->st.n };",
              emit_ctype_name(E, st), nd);
    emit_line(E, "if (s->st.n)");
    emit_line(E, "    memcpy(%s.v, s->st.v, sizeof(s->st.v[0]) * (size_t)s->st.n);", nd);
    emit_line(E, "%s(&%s, %s, %s);", emit_coll_fn(E, st, "put"), nd, k, v);
    defer_free(E, "s->mem", "s->sz");
    emit_own(E, st, "s->st", nd, "s->mem", "s->sz");
    E->indent--;
    emit_line(E, "}");
}

/* fold_final: update the key's state */
static void item_final(Emit *E, Step *s)
{
    emit_line(E, "bool created;");
    emit_line(E, "uint32_t id = flow_table_upsert(f->%s_tab, x.f0, &created);", s->id);
    emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, id);", E->P, s->id, s->id);
    Type *st = s->state_type;
    if (s->kind == SK_FOLD_FINAL && s->append_tail) {
        emit_init_if_created(E, s, st);
        emit_state_append(E, s, emit_coerce_value(E, call_fn(E, s, "s->st", "x.f1"), s->fn.ret, st));
        return;
    }
    if (s->kind == SK_FOLD_FINAL && s->put_entry) {
        emit_init_if_created(E, s, st);
        emit_state_put(E, s, call_fn(E, s, "s->st", "x.f1"), fn_ret(s));
        return;
    }
    const char *nv = emit_tmp(E);
    emit_line(E, "%s %s;", emit_ctype_name(E, st), nv);
    emit_init_if_created(E, s, st);
    const char *r = call_fn(E, s, "s->st", "x.f1");
    emit_line(E, "%s = %s;", nv, emit_coerce_value(E, r, s->fn.ret, st));
    /* keep the new state, freeing the old memory at the end of the round */
    keep_value(E, s, "s->st", "s->mem", "s->sz", nv);
}

/* ===================================================================
 * Run functions: one round of a step
 * =================================================================== */

/* EOF flush of a *_final step: (key, state) for every key, keys ascending. */
static void emit_final_flush(Emit *E, Step *s)
{
    const char *P = E->P;
    emit_line(E, "const uint32_t *ids;");
    emit_line(E, "size_t n = flow_table_sorted(f->%s_tab, &ids);", s->id);
    emit_line(E, "for (size_t k = 0; k < n; k++) {");
    E->indent++;
    emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, ids[k]);", P, s->id, s->id);
    const char *val = s->kind == SK_COUNT_FINAL ? "s->n" : "s->st";
    emit_step_send(E, s, 0, emit_strf(E, "((%s){ flow_table_key(f->%s_tab, ids[k]), %s })", out_ty(E, s), s->id, val));
    E->indent--;
    emit_line(E, "}");
}

/* The EOF condition of step S: every input it depends on ended, at least
 * S's eof_depth rounds ago (docs/semantics.md §9.1); with several workers,
 * ended on every worker (eof_at counts from the round after that). */
const char *emit_step_eof_cond(Emit *E, Step *s)
{
    char *c = emit_strf(E, "!f->%s_eof", s->id);
    for (int k = 0; k < E->g->ninputs; k++)
        if (s->upstream_inputs[k])
            c = emit_strf(E, "%s && f->eof_at[%d] && f->passes >= f->eof_at[%d] + %d", c, k, k, s->eof_depth);
    return c;
}

/* Statements: remember that the activation touched key ID (for rescheduling). */
void emit_step_touch(Emit *E, Step *s, const char *id)
{
    emit_line(E, "flow_touched_add(&f->%s%s, %s);", s->id, step_is_window_op(s) ? "_ws.touched" : "_touched", id);
}

/* Statements: sort buffered input port 0 by key into `order` (n items). */
static void emit_sort_prologue(Emit *E, Step *s, const char *items)
{
    /* one item (a testing source's round): no sort, no order array */
    emit_line(E, "uint32_t one = 0, *order = &one;");
    emit_line(E, "if (n > 1) {");
    emit_line(E, "    if (f->%s_order_cap < n)", s->id);
    emit_line(E, "        flow_vec_grow((void **)&f->%s_order, &f->%s_order_cap, sizeof(uint32_t), n);", s->id, s->id);
    emit_line(E, "    order = f->%s_order;", s->id);
    emit_line(E, "    flow_sort_by_key(%s, n, sizeof %s[0], order);", items, items);
    emit_line(E, "}");
}

/* collect / batch: emit KEY's list (id in variable `id`) and drop its state. */
static void emit_collect_flush_fn(Emit *E, Step *s)
{
    const char *P = E->P;
    fprintf(E->code, "/* step %s: emit one key's list and drop its state */\n", s->id);
    fprintf(E->code, "static void %s_%s_flush(%s_flow *f, uint32_t id)\n{\n", P, s->id, P);
    E->out = E->code;
    E->indent = 1;
    Type *lt = ty_resolve(s->out_type)->elems[1];
    emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, id);", P, s->id, s->id);
    emit_line(E, "%s y;", out_ty(E, s));
    emit_line(E, "y.f0 = flow_str_dup(&f->rt->arena, flow_table_key(f->%s_tab, id));", s->id);
    emit_line(E, "y.f1 = (%s){ .v = flow_arena_alloc(&f->rt->arena, sizeof(y.f1.v[0]) * (size_t)s->n), .n = s->n };",
              emit_ctype_name(E, lt));
    emit_line(E, "for (int64_t i = 0; i < s->n; i++) {");
    emit_line(E, "    y.f1.v[i] = s->items[i].v;");
    emit_line(E, "    %s_dead(f, s->items[i].mem, s->items[i].sz);", P);
    emit_line(E, "}");
    emit_line(E, "%s_dead(f, s->items, s->cap * sizeof s->items[0]);", P);
    emit_line(E, "flow_table_remove(f->%s_tab, id);", s->id);
    emit_step_send(E, s, 0, "y");
    fprintf(E->code, "}\n\n");
}

/* collect, batch: timeout and max_size (batch_size) at start-up, and the
 * function emitting one key's list. */
static void emit_collect_state(Emit *E, Step *s)
{
    E->out = E->init;
    E->indent = 1;
    emit_line(E, "f->%s_timeout = %s;", s->id, emit_expr(E, s->timeout_expr));
    const char *m = emit_expr(E, s->max_size_expr);
    emit_line(E, "if (%s < 1)", m);
    emit_line(E, "    flow_step_error(rt, %s, %s, \"%s must be at least 1\");", emit_loc_str(E, s->max_size_expr->loc),
              fq(E, s), s->kind == SK_BATCH ? "batch_size" : "max_size");
    emit_line(E, "f->%s_max = %s;", s->id, m);
    emit_collect_flush_fn(E, s);
}

/* Statements: apply item `x` to the state `s` (id `id`, `created` when new)
 * of a stateful_map / stateful_flat_map step and send its outputs. */
static void emit_grouped_apply(Emit *E, Step *s)
{
    Type *st = s->state_type;
    emit_init_if_created(E, s, st);
    const char *r = call_fn(E, s, "s->st", "x.f1");
    Type *rt = ty_resolve(fn_ret(s));
    Type *nst = rt->elems[0];
    const char *out = emit_strf(E, "%s.f1", r);
    Type *outt = rt->elems[1];
    const char *nsv = s->put_entry ? NULL : emit_coerce_value(E, emit_strf(E, "%s.f0", r), nst, st);
    if (s->state_opt_result) {
        /* a none new state discards the key's state (Bytewax: None) */
        emit_line(E, "if (%s.f0.has) {", r);
        E->indent++;
        nsv = emit_coerce_value(E, emit_strf(E, "%s.f0.v", r), ty_resolve(nst)->elem, st);
    }
    if (s->append_tail) {
        emit_state_append(E, s, nsv);
    } else if (s->put_entry) {
        emit_state_put(E, s, emit_strf(E, "%s.f0", r), nst);
    } else if (ty_has_heap(st)) {
        defer_free(E, "s->mem", "s->sz");
        emit_own(E, st, "s->st", nsv, "s->mem", "s->sz");
    } else {
        emit_line(E, "s->st = %s;", nsv);
    }
    if (s->state_opt_result) {
        E->indent--;
        emit_line(E, "} else {");
        E->indent++;
        defer_free(E, "s->mem", "s->sz");
        emit_line(E, "flow_table_remove(f->%s_tab, id);", s->id);
        emit_line(E, "id = FLOW_NO_ENTRY;");
        E->indent--;
        emit_line(E, "}");
    }
    Type *ot = ty_resolve(s->out_type)->elems[1];
    if (s->kind == SK_STATEFUL_MAP) {
        emit_step_send(E, s, 0, emit_strf(E, "((%s){ x.f0, %s })", out_ty(E, s), emit_coerce_value(E, out, outt, ot)));
    } else {
        emit_line(E, "for (int64_t i = 0; i < %s.n; i++) {", out);
        E->indent++;
        emit_step_send(E, s, 0, emit_strf(E, "((%s){ x.f0, %s.v[i] })", out_ty(E, s), out));
        E->indent--;
        emit_line(E, "}");
    }
}

/* Statements declaring a grouped activation's loop state: `items` (port
 * 0's buffer, n > 0 of them) sorted by key into `order`, and `id`/`key`,
 * the entry and key of the group being applied. */
static void emit_group_vars(Emit *E, Step *s)
{
    emit_line(E, "%s *items = f->%s_in0.v;", in_ty(E, s), s->id);
    emit_sort_prologue(E, s, "items");
    emit_line(E, "uint32_t id = FLOW_NO_ENTRY;");
    emit_line(E, "flow_str key = { NULL, 0 };");
}

/* Statements applying the round's buffered items, grouped by key, keys
 * ascending: for each item `x`, APPLY's statements with its key's state
 * `s` (entry `id`, `created` when new). */
static void emit_grouped_items(Emit *E, Step *s, void (*apply)(Emit *E, Step *s))
{
    emit_line(E, "size_t n = f->%s_in0.n;", s->id);
    emit_line(E, "if (n) {");
    E->indent++;
    emit_group_vars(E, s);
    emit_line(E, "for (size_t k = 0; k < n; k++) {");
    E->indent++;
    emit_line(E, "%s x = items[order[k]];", in_ty(E, s));
    emit_line(E, "bool created = false;");
    emit_line(E, "if (id == FLOW_NO_ENTRY || !flow_str_eq(x.f0, key)) {");
    emit_line(E, "    key = x.f0;");
    emit_line(E, "    id = flow_table_upsert(f->%s_tab, key, &created);", s->id);
    emit_line(E, "}");
    emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, id);", E->P, s->id, s->id);
    apply(E, s);
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "f->%s_in0.n = 0;", s->id);
    E->indent--;
    emit_line(E, "}");
}

/* stateful_map, stateful_flat_map: the round's items by key, then EOF. */
static void emit_run_grouped(Emit *E, Step *s)
{
    emit_grouped_items(E, s, emit_grouped_apply);
    emit_line(E, "if (%s) {", emit_step_eof_cond(E, s));
    emit_line(E, "    f->%s_eof = true;", s->id);
    emit_line(E, "}");
}

/* collect, batch: statements adding item `x` to its key's list `s` (entry
 * `id`), emitting the list when it is full. */
static void emit_collect_item(Emit *E, Step *s)
{
    emit_line(E, "if (s->n == (int64_t)s->cap) {");
    emit_line(E, "    size_t nc = s->cap ? s->cap * 2 : 4;");
    emit_line(E, "    s->items = flow_realloc(s->items, s->cap * sizeof s->items[0], nc * sizeof s->items[0]);");
    emit_line(E, "    s->cap = nc;");
    emit_line(E, "}");
    emit_own(E, ty_keyed_value(s->in_type), "s->items[s->n].v", "x.f1", "s->items[s->n].mem", "s->items[s->n].sz");
    emit_line(E, "s->n++;");
    emit_line(E, "if (__builtin_add_overflow(f->rt->now, f->%s_timeout, &s->timeout_at))", s->id);
    emit_line(E, "    s->timeout_at = FLOW_TIME_MAX;");
    emit_step_touch(E, s, "id");
    emit_line(E, "if (s->n >= f->%s_max) {", s->id);
    emit_line(E, "    %s_%s_flush(f, id);", E->P, s->id);
    emit_line(E, "    id = FLOW_NO_ENTRY;");
    emit_line(E, "}");
}

/* collect, batch: the round's items by key, then the lists whose timeout
 * was due at the start of the activation, then EOF (every list, keys
 * ascending), then the touched keys' new timeouts. */
static void emit_run_collect(Emit *E, Step *s)
{
    const char *P = E->P;
    emit_grouped_items(E, s, emit_collect_item);
    emit_line(E, "flow_time next = flow_table_next_timer(f->%s_tab);", s->id);
    emit_line(E, "if (next != FLOW_NO_TIME && next <= f->rt->now) {");
    emit_line(E, "    const uint32_t *ids;");
    emit_line(E, "    size_t nd = flow_table_due(f->%s_tab, f->rt->now, &ids);", s->id);
    emit_line(E, "    for (size_t k = 0; k < nd; k++)");
    emit_line(E, "        %s_%s_flush(f, ids[k]);", P, s->id);
    emit_line(E, "}");
    emit_line(E, "if (%s) {", emit_step_eof_cond(E, s));
    emit_line(E, "    f->%s_eof = true;", s->id);
    emit_line(E, "    const uint32_t *ids;");
    emit_line(E, "    size_t ne = flow_table_sorted(f->%s_tab, &ids);", s->id);
    emit_line(E, "    for (size_t k = 0; k < ne; k++)");
    emit_line(E, "        %s_%s_flush(f, ids[k]);", P, s->id);
    emit_line(E, "}");
    emit_line(E, "for (size_t k = 0; k < f->%s_touched.n; k++) {", s->id);
    emit_line(E, "    uint32_t id = f->%s_touched.v[k];", s->id);
    emit_line(E, "    if (flow_table_live(f->%s_tab, id))", s->id);
    emit_line(E, "        flow_table_set_timer(f->%s_tab, id, ((%s_%s_state *)flow_table_value(f->%s_tab, id))->timeout_at);",
              s->id, P, s->id, s->id);
    emit_line(E, "}");
    emit_line(E, "f->%s_touched.n = 0;", s->id);
}

/* Statements after a StatefulLogic callback C returned R for the state of
 * `s`: keep the new state, or mark the logic dead when it returned none;
 * then send each output as (KEY, w). */
static void emit_logic_result(Emit *E, Step *s, Callable *c, const char *r, const char *key)
{
    Type *st = s->state_type;
    Type *rt = ty_resolve(c->ret);
    Type *ns = ty_resolve(rt->elems[0]);
    bool opt = ns->kind == TY_OPT;   /* none discards the logic */
    const char *nsv = emit_coerce_value(E, emit_strf(E, opt ? "%s.f0.v" : "%s.f0", r), opt ? ns->elem : ns, st);
    if (opt) {
        emit_line(E, "if (%s.f0.has) {", r);
        E->indent++;
    }
    defer_free(E, "s->mem", "s->sz");
    emit_own(E, st, "s->st", nsv, "s->mem", "s->sz");
    if (opt) {
        E->indent--;
        emit_line(E, "} else {");
        E->indent++;
        defer_free(E, "s->mem", "s->sz");
        emit_line(E, "s->mem = NULL;");
        emit_line(E, "s->sz = 0;");
        emit_line(E, "s->live = false;");
        E->indent--;
        emit_line(E, "}");
    }
    Type *ot = ty_resolve(s->out_type)->elems[1];
    Type *lt = ty_resolve(rt->elems[1]);
    emit_line(E, "for (int64_t i = 0; i < %s.f1.n; i++) {", r);
    E->indent++;
    emit_step_send(E, s, 0, emit_strf(E, "((%s){ %s, %s })", out_ty(E, s), key,
                             emit_coerce_value(E, emit_strf(E, "%s.f1.v[i]", r), lt->elem, ot)));
    E->indent--;
    emit_line(E, "}");
}

/* Statements: call callback C (named <P>_<step>_NAME; absent: keep the
 * state, emit nothing) for the nk keys in ids[], in order; drop a key whose
 * logic it discarded, remember the others for rescheduling. */
static void emit_logic_callback_loop(Emit *E, Step *s, Callable *c, const char *name)
{
    const char *P = E->P;
    emit_line(E, "for (size_t k = 0; k < nk; k++) {");
    E->indent++;
    emit_line(E, "uint32_t id = ids[k];");
    emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, id);", P, s->id, s->id);
    if (c->lambda) {
        /* the key outlives a removal of its entry: copy it into the round */
        emit_line(E, "flow_str key = flow_str_dup(&f->rt->arena, flow_table_key(f->%s_tab, id));", s->id);
        const char *r = emit_tmp(E);
        emit_line(E, "%s %s = %s_%s_%s(f, \"%s\", s->st);", emit_ctype_name(E, c->ret), r, P, s->id, name, s->id);
        emit_logic_result(E, s, c, r, "key");
    }
    emit_line(E, "if (!s->live)");
    emit_line(E, "    flow_table_remove(f->%s_tab, id);", s->id);
    emit_line(E, "else");
    E->indent++;
    emit_step_touch(E, s, "id");
    E->indent--;
    E->indent--;
    emit_line(E, "}");
}

/* stateful, stateful_batch: the entry `id`'s logic `s` (started from init
 * when it has none) applied to ARG (a value, or the list of a batch), its
 * outputs sent under KEY. */
static void emit_logic_apply(Emit *E, Step *s, const char *arg, const char *key)
{
    Type *st = s->state_type;
    emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, id);", E->P, s->id, s->id);
    emit_line(E, "if (!s->live) {");
    E->indent++;
    emit_own(E, st, "s->st", emit_coerce(E, s->init, st), "s->mem", "s->sz");
    emit_line(E, "s->live = true;");
    E->indent--;
    emit_line(E, "}");
    emit_logic_result(E, s, &s->fn, call_fn(E, s, "s->st", arg), key);
}

/* stateful: the round's items grouped by key: a key's logic starts (init)
 * when it has none, and is dropped only if none is left at the end of its
 * group. */
static void emit_stateful_items(Emit *E, Step *s)
{
    const char *P = E->P;
    emit_line(E, "size_t n = f->%s_in0.n;", s->id);
    emit_line(E, "if (n) {");
    E->indent++;
    emit_group_vars(E, s);
    emit_line(E, "for (size_t k = 0; k <= n; k++) {");
    E->indent++;
    emit_line(E, "if (k < n && id != FLOW_NO_ENTRY && flow_str_eq(items[order[k]].f0, key))");
    emit_line(E, "    goto same_key;");
    emit_line(E, "if (id != FLOW_NO_ENTRY && !((%s_%s_state *)flow_table_value(f->%s_tab, id))->live)", P, s->id, s->id);
    emit_line(E, "    flow_table_remove(f->%s_tab, id);", s->id);
    emit_line(E, "if (k == n)");
    emit_line(E, "    break;");
    emit_line(E, "key = items[order[k]].f0;");
    emit_line(E, "id = flow_table_upsert(f->%s_tab, key, NULL);", s->id);
    emit_step_touch(E, s, "id");
    E->indent--;
    emit_line(E, "same_key:;");
    E->indent++;
    emit_line(E, "%s x = items[order[k]];", in_ty(E, s));
    emit_logic_apply(E, s, "x.f1", "x.f0");
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "f->%s_in0.n = 0;", s->id);
    E->indent--;
    emit_line(E, "}");
}

/* stateful_batch: the round's items grouped by key, each key's values (in
 * arrival order) as one list, in the round arena, to on_batch: Bytewax's
 * StatefulBatchLogic.on_batch with what one activation brings for the key. */
static void emit_stateful_batch_items(Emit *E, Step *s)
{
    Type *v = ty_keyed_value(s->in_type);
    emit_line(E, "size_t n = f->%s_in0.n;", s->id);
    emit_line(E, "if (n) {");
    E->indent++;
    emit_group_vars(E, s);
    emit_line(E, "for (size_t k = 0, j; k < n; k = j) {");
    E->indent++;
    emit_line(E, "key = items[order[k]].f0;");
    emit_line(E, "for (j = k + 1; j < n && flow_str_eq(items[order[j]].f0, key); j++)");
    emit_line(E, "    ;");
    emit_line(E, "id = flow_table_upsert(f->%s_tab, key, NULL);", s->id);
    emit_step_touch(E, s, "id");
    const char *lt = emit_ctype_name(E, ty_list(v));
    const char *vt = emit_ctype_name(E, v);
    emit_line(E, "%s values = { flow_arena_alloc(&f->rt->arena, (j - k) * sizeof(%s)), (int64_t)(j - k) };", lt, vt);
    emit_line(E, "for (size_t i = k; i < j; i++)");
    emit_line(E, "    values.v[i - k] = items[order[i]].f1;");
    emit_logic_apply(E, s, "values", "key");
    emit_line(E, "if (!s->live)");
    emit_line(E, "    flow_table_remove(f->%s_tab, id);", s->id);
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "f->%s_in0.n = 0;", s->id);
    E->indent--;
    emit_line(E, "}");
}

/* stateful: the touched keys' next notification (notify_at). */
static void emit_stateful_reschedule(Emit *E, Step *s)
{
    const char *P = E->P;
    emit_line(E, "for (size_t k = 0; k < f->%s_touched.n; k++) {", s->id);
    E->indent++;
    emit_line(E, "uint32_t id = f->%s_touched.v[k];", s->id);
    if (s->notify_at.lambda) {
        emit_line(E, "if (!flow_table_live(f->%s_tab, id))", s->id);
        emit_line(E, "    continue;");
        emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, id);", P, s->id, s->id);
        const char *r = emit_tmp(E);
        Type *ot = ty_opt(ty_prim(TY_TIMESTAMP));
        emit_line(E, "%s %s = %s;", emit_ctype_name(E, ot), r,
                  emit_coerce_value(E, emit_strf(E, "%s_%s_notify_at(f, \"%s\", s->st)", P, s->id, s->id), s->notify_at.ret, ot));
        emit_line(E, "if (%s.has)", r);
        emit_line(E, "    flow_table_set_timer(f->%s_tab, id, %s.v);", s->id, r);
    } else {
        emit_line(E, "(void)id;");
    }
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "f->%s_touched.n = 0;", s->id);
}

/* stateful: docs/semantics.md §11.2 — items grouped by key (a key's logic is
 * dropped only if none is left at the end of its group), then due
 * notifications in key order, then EOF, then notify_at for touched keys
 * (a none from notify_at keeps an earlier time: Bytewax's quirk). */
static void emit_run_stateful(Emit *E, Step *s)
{
    if (s->kind == SK_STATEFUL_BATCH)
        emit_stateful_batch_items(E, s);
    else
        emit_stateful_items(E, s);

    /* notifications that were due at the start of this activation */
    emit_line(E, "flow_time next = flow_table_next_timer(f->%s_tab);", s->id);
    emit_line(E, "if (next != FLOW_NO_TIME && next <= f->rt->now) {");
    E->indent++;
    emit_line(E, "const uint32_t *ids;");
    emit_line(E, "size_t nk = flow_table_due(f->%s_tab, f->rt->now, &ids);", s->id);
    emit_logic_callback_loop(E, s, &s->on_notify, "on_notify");
    E->indent--;
    emit_line(E, "}");

    /* EOF: on_eof for every live key, keys ascending */
    emit_line(E, "if (%s) {", emit_step_eof_cond(E, s));
    E->indent++;
    emit_line(E, "f->%s_eof = true;", s->id);
    if (s->on_eof.lambda) {
        emit_line(E, "const uint32_t *ids;");
        emit_line(E, "size_t nk = flow_table_sorted(f->%s_tab, &ids);", s->id);
        emit_logic_callback_loop(E, s, &s->on_eof, "on_eof");
    }
    E->indent--;
    emit_line(E, "}");

    /* reschedule touched keys */
    emit_stateful_reschedule(E, s);
}

/* Statements: send every row of join state `s` for key KEY (the cartesian
 * product of the sides, an empty side giving one none; side 0 slowest). */
static void emit_join_rows(Emit *E, Step *s, const char *key)
{
    Type *row = ty_resolve(ty_resolve(s->out_type)->elems[1]);
    for (int i = 0; i < s->nins; i++) {
        emit_line(E, "for (int64_t i%d = 0; i%d < (s->n%d ? s->n%d : 1); i%d++) {", i, i, i, i, i);
        E->indent++;
    }
    emit_line(E, "%s r;", emit_ctype_name(E, row));
    for (int i = 0; i < s->nins; i++) {
        /* a side of optional values gives them as they are (T?? is T?) */
        if (s->emit_mode == JOIN_COMPLETE)
            emit_line(E, "r.f%d = s->s%d[i%d].v;", i, i, i);
        else if (ty_resolve(ty_keyed_value(s->in_types[i]))->kind == TY_OPT)
            emit_line(E, "r.f%d = s->n%d ? s->s%d[i%d].v : (%s){ .has = false };", i, i, i, i,
                      emit_ctype_name(E, row->elems[i]));
        else
            emit_line(E, "r.f%d = s->n%d ? (%s){ .has = true, .v = s->s%d[i%d].v } : (%s){ .has = false };", i, i,
                      emit_ctype_name(E, row->elems[i]), i, i, emit_ctype_name(E, row->elems[i]));
    }
    emit_step_send(E, s, 0, emit_strf(E, "((%s){ %s, r })", out_ty(E, s), key));
    for (int i = 0; i < s->nins; i++) {
        E->indent--;
        emit_line(E, "}");
    }
}

/* join: the switch case inserting value v of side I into the key's state
 * `s` by insert_mode (first: only while the side is empty; last: replacing
 * what it holds; product: appended). */
static void emit_join_insert(Emit *E, Step *s, int i)
{
    const char *P = E->P;
    Type *v = ty_keyed_value(s->in_types[i]);
    emit_line(E, "case %d: {", i);
    E->indent++;
    emit_line(E, "%s v = f->%s_in%d.v[items[order[k]].idx].f1;", emit_ctype_name(E, v), s->id, i);
    if (s->insert_mode == JOIN_FIRST) {
        emit_line(E, "if (s->n%d)", i);
        emit_line(E, "    break;");
    } else if (s->insert_mode == JOIN_LAST) {
        emit_line(E, "for (int64_t j = 0; j < s->n%d; j++)", i);
        emit_line(E, "    %s_dead(f, s->s%d[j].mem, s->s%d[j].sz);", P, i, i);
        emit_line(E, "s->n%d = 0;", i);
    }
    emit_line(E, "if (s->n%d == (int64_t)s->cap%d) {", i, i);
    emit_line(E, "    size_t nc = s->cap%d ? s->cap%d * 2 : 2;", i, i);
    emit_line(E, "    s->s%d = flow_realloc(s->s%d, s->cap%d * sizeof s->s%d[0], nc * sizeof s->s%d[0]);", i, i, i, i, i);
    emit_line(E, "    s->cap%d = nc;", i);
    emit_line(E, "}");
    emit_own(E, v, emit_strf(E, "s->s%d[s->n%d].v", i, i), "v", emit_strf(E, "s->s%d[s->n%d].mem", i, i),
             emit_strf(E, "s->s%d[s->n%d].sz", i, i));
    emit_line(E, "s->n%d++;", i);
    emit_line(E, "break;");
    E->indent--;
    emit_line(E, "}");
}

/* join: after an insert into the key's state `s`, what emit_mode emits
 * (running: every row; complete: every row once each side has a value,
 * then the state goes; final: nothing until EOF). */
static void emit_join_emit(Emit *E, Step *s)
{
    const char *P = E->P;
    if (s->emit_mode == JOIN_RUNNING) {
        emit_join_rows(E, s, "key");
    } else if (s->emit_mode == JOIN_COMPLETE) {
        char *all = emit_strf(E, "s->n0");
        for (int i = 1; i < s->nins; i++)
            all = emit_strf(E, "%s && s->n%d", all, i);
        emit_line(E, "if (%s) {", all);
        E->indent++;
        emit_join_rows(E, s, "key");
        for (int i = 0; i < s->nins; i++) {
            emit_line(E, "for (int64_t j = 0; j < s->n%d; j++)", i);
            emit_line(E, "    %s_dead(f, s->s%d[j].mem, s->s%d[j].sz);", P, i, i);
            emit_line(E, "%s_dead(f, s->s%d, s->cap%d * sizeof s->s%d[0]);", P, i, i, i);
        }
        emit_line(E, "flow_table_remove(f->%s_tab, id);", s->id);
        E->indent--;
        emit_line(E, "}");
    }
}

/* join: docs/semantics.md §11.5. The sides are merged in argument order, grouped
 * by key (stable), inserted by insert_mode, emitted by emit_mode. */
static void emit_run_join(Emit *E, Step *s)
{
    const char *P = E->P;
    emit_line(E, "size_t n = 0;");
    for (int i = 0; i < s->nins; i++)
        emit_line(E, "n += f->%s_in%d.n;", s->id, i);
    emit_line(E, "if (n) {");
    E->indent++;
    emit_line(E, "struct { flow_str k; uint32_t side, idx; } *items = flow_arena_alloc(&f->rt->arena, sizeof *items * n);");
    emit_line(E, "size_t m = 0;");
    for (int i = 0; i < s->nins; i++) {
        emit_line(E, "for (size_t j = 0; j < f->%s_in%d.n; j++, m++) {", s->id, i);
        emit_line(E, "    items[m].k = f->%s_in%d.v[j].f0;", s->id, i);
        emit_line(E, "    items[m].side = %d;", i);
        emit_line(E, "    items[m].idx = (uint32_t)j;");
        emit_line(E, "}");
    }
    emit_sort_prologue(E, s, "items");
    emit_line(E, "for (size_t k = 0; k < n; k++) {");
    E->indent++;
    emit_line(E, "flow_str key = items[order[k]].k;");
    emit_line(E, "uint32_t id = flow_table_upsert(f->%s_tab, key, NULL);", s->id);
    emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, id);", P, s->id, s->id);
    emit_line(E, "switch (items[order[k]].side) {");
    for (int i = 0; i < s->nins; i++)
        emit_join_insert(E, s, i);
    emit_line(E, "}");
    emit_join_emit(E, s);
    E->indent--;
    emit_line(E, "}");
    for (int i = 0; i < s->nins; i++)
        emit_line(E, "f->%s_in%d.n = 0;", s->id, i);
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "if (%s) {", emit_step_eof_cond(E, s));
    E->indent++;
    emit_line(E, "f->%s_eof = true;", s->id);
    if (s->emit_mode == JOIN_FINAL) {
        emit_line(E, "const uint32_t *ids;");
        emit_line(E, "size_t ne = flow_table_sorted(f->%s_tab, &ids);", s->id);
        emit_line(E, "for (size_t k = 0; k < ne; k++) {");
        E->indent++;
        emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, ids[k]);", P, s->id, s->id);
        emit_join_rows(E, s, emit_strf(E, "flow_table_key(f->%s_tab, ids[k])", s->id));
        E->indent--;
        emit_line(E, "}");
    }
    E->indent--;
    emit_line(E, "}");
}

/* <P>_<id>_combine: count_final with several workers (XK_PARTIAL): send
 * each key's count to the key's worker, and add up what the workers sent
 * this one in a new table (the old one stays: the others read its keys
 * until the end). */
static void emit_combine_fn(Emit *E, Step *s)
{
    const char *P = E->P, *id = s->id;
    fprintf(E->code, "/* step %s, several workers: every key's count to its worker, then the\n"
                     " * counts this worker got, added up (docs/workers.md) */\n", id);
    fprintf(E->code, "static void %s_%s_combine(%s_flow *f)\n{\n", P, id, P);
    E->out = E->code;
    E->indent = 1;
    emit_line(E, "flow_xbox_clear(&f->%s_x[0]);", id);
    emit_line(E, "const uint32_t *ids;");
    emit_line(E, "size_t n = flow_table_sorted(f->%s_tab, &ids);", id);
    emit_line(E, "for (size_t k = 0; k < n; k++) {");
    E->indent++;
    emit_line(E, "flow_str key = flow_table_key(f->%s_tab, ids[k]);", id);
    emit_line(E, "int64_t c = ((%s_%s_state *)flow_table_value(f->%s_tab, ids[k]))->n;", P, id, id);
    emit_line(E, "*(%s *)flow_xput(&f->%s_x[0], flow_key_owner(f->rt, key)) = (%s){ key, c };", out_ty(E, s), id,
              out_ty(E, s));
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "flow_xsync(f->rt, f->%s_x, 1);", id);
    emit_line(E, "flow_xgather(f->rt, &f->%s_x[0], (void **)&f->%s_parts.v, &f->%s_parts.n, &f->%s_parts.cap);", id, id,
              id, id);
    emit_line(E, "f->%s_old = f->%s_tab;", id, id);
    emit_line(E, "f->%s_tab = flow_table_new(sizeof(%s_%s_state));", id, P, id);
    emit_line(E, "for (size_t i = 0; i < f->%s_parts.n; i++) {", id);
    emit_line(E, "    %s x = f->%s_parts.v[i];", out_ty(E, s), id);
    emit_line(E, "    uint32_t id = flow_table_upsert(f->%s_tab, x.f0, NULL);", id);
    emit_line(E, "    ((%s_%s_state *)flow_table_value(f->%s_tab, id))->n += x.f1;", P, id, id);
    emit_line(E, "}");
    fprintf(E->code, "}\n\n");
}

/* A stateless step or an output that is not fused, or a final that is
 * not called directly (lower.c): its buffered items through its item
 * function. */
static void emit_run_items(Emit *E, Step *s)
{
    emit_line(E, "for (size_t i = 0; i < f->%s_in0.n; i++)", s->id);
    emit_line(E, "    %s_%s_item(f, f->%s_in0.v[i]);", E->P, s->id, s->id);
    emit_line(E, "f->%s_in0.n = 0;", s->id);
}

/* *_final: at EOF, (key, state) for every key, keys ascending. */
static void emit_run_final(Emit *E, Step *s)
{
    if (!direct(s)) {    /* lower.c: its function may fail after a print upstream */
        if (precombines(E, s)) {
            /* several workers: the exchange gathered the partials, folded
             * into the state in worker order (emit_xchg_fn) */
            emit_line(E, "if (f->mw) {");
            emit_line(E, "    for (size_t i = 0; i < f->%s_in0.n; i++)", s->id);
            emit_line(E, "        %s_%s_fold(f, f->%s_in0.v[i]);", E->P, s->id, s->id);
            emit_line(E, "    f->%s_in0.n = 0;", s->id);
            emit_line(E, "}");
        }
        emit_run_items(E, s);
    }
    if (emit_pre_reduces(s))
        emit_pre_reduce_fold(E, s);
    if (xkind(E, s) == XK_PARTIAL) {
        /* several workers: meet, so that every worker has polled the
         * inputs of this round before the EOF test (flow_xeof); it costs
         * one wait a round, the counts cross only at the end */
        emit_line(E, "if (f->mw)");
        emit_line(E, "    flow_xsync(f->rt, f->%s_x, 0);", s->id);
    }
    emit_line(E, "if (%s) {", emit_step_eof_cond(E, s));
    E->indent++;
    emit_line(E, "f->%s_eof = true;", s->id);
    if (xkind(E, s) == XK_PARTIAL) {
        emit_line(E, "if (f->mw)");
        emit_line(E, "    %s_%s_combine(f);    /* several workers */", E->P, s->id);
    }
    emit_final_flush(E, s);
    E->indent--;
    emit_line(E, "}");
}

/* merge: each upstream's buffered items, in argument order. */
static void emit_run_merge(Emit *E, Step *s)
{
    for (int p = 0; p < s->nins; p++) {
        emit_line(E, "for (size_t i = 0; i < f->%s_in%d.n; i++) {", s->id, p);
        E->indent++;
        emit_line(E, "%s x = f->%s_in%d.v[i];", in_ty(E, s), s->id, p);
        emit_step_send(E, s, 0, "x");
        E->indent--;
        emit_line(E, "}");
        emit_line(E, "f->%s_in%d.n = 0;", s->id, p);
    }
}

/* flat_map_batch: the mapper called once with the round's items as a list
 * (the buffer itself, not copied), when there are any; its items sent. */
static void emit_run_batch(Emit *E, Step *s)
{
    emit_line(E, "if (f->%s_in0.n) {", s->id);
    E->indent++;
    emit_line(E, "%s batch = { f->%s_in0.v, (int64_t)f->%s_in0.n };", emit_ctype_name(E, ty_list(s->in_type)), s->id,
              s->id);
    send_each(E, s, call_fn(E, s, "batch", NULL), s->fn.ret, "%s");
    emit_line(E, "f->%s_in0.n = 0;", s->id);
    E->indent--;
    emit_line(E, "}");
}

/* enrich_cached: the mapper, its cache parameter a placeholder (get()
 * calls the step's <P>_<id>_cache_get) */
static void item_enrich(Emit *E, Step *s) { emit_step_send(E, s, 0, call_fn(E, s, "0", "x")); }

/* enrich_cached's cache, Bytewax's TTLCache: the fields (entries of
 * (key, value), the time each was got and the memory it owns), the ttl at
 * start-up, and <P>_<id>_cache_get(f, step, k), which returns the key's
 * value, calling the getter when it is absent or older than the ttl
 * (`now - t > ttl`, now the round's clock). Deliberately simple: a key is
 * found by a scan, as in a dict value; a cache holds what a getter was
 * asked for, typically dozens of keys. */
static void emit_cache(Emit *E, Step *s)
{
    const char *P = E->P, *id = s->id;
    Type *kt = s->getter.params[0], *vt = s->getter.ret, *kv = ty_pair(kt, vt);
    const char *kvn = emit_ctype_name(E, kv), *vn = emit_ctype_name(E, vt);
    fprintf(E->fields, "    struct { %s kv; flow_time t; void *mem; size_t sz; } *%s_cache;   /* enrich_cached */\n", kvn,
            id);
    fprintf(E->fields, "    size_t %s_cache_n, %s_cache_cap;\n    int64_t %s_ttl;\n    bool %s_has_ttl;\n", id, id, id, id);
    fprintf(E->fini, "    for (size_t i = 0; i < f->%s_cache_n; i++)\n        flow_free(f->%s_cache[i].mem, f->%s_cache[i].sz);\n",
            id, id, id);
    fprintf(E->fini, "    flow_free(f->%s_cache, f->%s_cache_cap * sizeof f->%s_cache[0]);\n", id, id, id);
    if (s->ttl_expr) {
        E->out = E->init;
        E->indent = 1;
        emit_line(E, "f->%s_ttl = %s;", id, emit_expr(E, s->ttl_expr));
        emit_line(E, "f->%s_has_ttl = true;", id);
    }
    emit_lambda(E, s->getter.lambda, emit_strf(E, "%s_%s_getter", P, id), vt);
    E->out = E->code;
    E->indent = 1;
    fprintf(E->code, "/* step %s: get(cache, k), Bytewax's TTLCache.get */\n", id);
    fprintf(E->code, "static %s %s_%s_cache_get(%s_flow *f, const char *step, %s k)\n{\n", vn, P, id, P,
            emit_ctype_name(E, kt));
    emit_line(E, "flow_time now = f->rt->now;");
    emit_line(E, "size_t i = 0;");
    emit_line(E, "while (i < f->%s_cache_n && !%s)", id, emit_eq(E, kt, emit_strf(E, "f->%s_cache[i].kv.f0", id), "k"));
    emit_line(E, "    i++;");
    emit_line(E, "if (i < f->%s_cache_n && !(f->%s_has_ttl && now - f->%s_cache[i].t > f->%s_ttl))", id, id, id, id);
    emit_line(E, "    return f->%s_cache[i].kv.f1;", id);
    emit_line(E, "%s v = %s_%s_getter(f, step, k);", vn, P, id);
    emit_line(E, "if (i < f->%s_cache_n) {", id);
    emit_line(E, "    %s_dead(f, f->%s_cache[i].mem, f->%s_cache[i].sz);   /* still read this round */", P, id, id);
    emit_line(E, "} else {");
    emit_line(E, "    if (f->%s_cache_n == f->%s_cache_cap) {", id, id);
    emit_line(E, "        size_t nc = f->%s_cache_cap ? f->%s_cache_cap * 2 : 4;", id, id);
    emit_line(E, "        f->%s_cache = flow_realloc(f->%s_cache, f->%s_cache_cap * sizeof f->%s_cache[0], "
              "nc * sizeof f->%s_cache[0]);", id, id, id, id, id);
    emit_line(E, "        f->%s_cache_cap = nc;", id);
    emit_line(E, "    }");
    emit_line(E, "    f->%s_cache_n++;", id);
    emit_line(E, "}");
    emit_own(E, kv, emit_strf(E, "f->%s_cache[i].kv", id), emit_strf(E, "((%s){ k, v })", kvn),
             emit_strf(E, "f->%s_cache[i].mem", id), emit_strf(E, "f->%s_cache[i].sz", id));
    emit_line(E, "f->%s_cache[i].t = now;", id);
    emit_line(E, "return f->%s_cache[i].kv.f1;", id);
    fprintf(E->code, "}\n\n");
}

/* ===================================================================
 * Sources
 * =================================================================== */

/* testing and range sources: batch_size at start-up (1 when not given). */
static void emit_batch_size(Emit *E, Step *s)
{
    E->out = E->init;
    E->indent = 1;
    if (s->batch_size) {
        const char *b = emit_expr(E, s->batch_size);
        emit_line(E, "if (%s < 1)", b);
        emit_line(E, "    flow_step_error(rt, %s, %s, \"batch_size must be at least 1\");", emit_loc_str(E, s->batch_size->loc),
                  fq(E, s));
        emit_line(E, "f->%s_batch = %s;", s->id, b);
    } else {
        emit_line(E, "f->%s_batch = 1;", s->id);
    }
}

/* testing(LIST): the list (copied at start-up) and the position in it */
static void testing_state(Emit *E, Step *s)
{
    Type *lt = ty_list(s->out_type);
    fprintf(E->fields, "    %s %s_list;\n    int64_t %s_pos;\n    int64_t %s_batch;\n", emit_ctype_name(E, lt), s->id,
            s->id, s->id);
    E->out = E->init;
    E->indent = 1;
    emit_line(E, "{");
    E->indent++;
    const char *v = emit_coerce(E, s->source_list, lt);
    emit_arena_copy(E, lt, "&f->perm", emit_strf(E, "f->%s_list", s->id), v);
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "if (rt->worker) {    /* several workers: worker 0 reads it (Bytewax's TestingSource) */");
    emit_line(E, "    f->%s_pos = f->%s_list.n;", s->id, s->id);
    if (s->nmarks)   /* and meets its markers */
        emit_line(E, "    f->%s_mark = %d;", s->id, s->nmarks);
    emit_line(E, "}");
    emit_batch_size(E, s);
    if (s->nmarks) {   /* EOF/ABORT markers: the next one, the one met */
        fprintf(E->fields, "    int %s_mark;         /* the next of %s_marks */\n", s->id, s->id);
        fprintf(E->fields, "    int %s_stop;         /* 1 after an EOF marker, 2 after an ABORT */\n", s->id);
    }
}

/* The markers of testing(LIST): a table of {item position, 1 EOF | 2 ABORT}. */
static void testing_marks(Emit *E, Step *s)
{
    emit_line(E, "static const struct { int64_t pos; int stop; } %s_marks[%d] = {", s->id, s->nmarks);
    for (int i = 0; i < s->nmarks; i++)
        emit_line(E, "    { %lld, %d },", (long long)s->marks[i].pos, s->marks[i].abort ? 2 : 1);
    emit_line(E, "};");
}

/* testing(LIST) with EOF/ABORT markers, as Bytewax's TestingSource: a marker
 * ends the batch early (the items before it, maybe none); the next poll then
 * ends the input (EOF) or the run (ABORT: no EOF is delivered, stateful steps
 * flush nothing, what was written stays). Items after the marker are never read. */
static void testing_run_marked(Emit *E, Step *s)
{
    testing_marks(E, s);
    bool abort = false;
    for (int i = 0; i < s->nmarks; i++)
        abort |= s->marks[i].abort;
    emit_line(E, "if (f->%s_stop) {", s->id);
    if (abort) {
        emit_line(E, "    if (f->%s_stop == 2)", s->id);
        emit_line(E, "        f->aborted = true;");
        emit_line(E, "    else");
        emit_line(E, "        f->eof[%d] = true;", s->input_no);
    } else {
        emit_line(E, "    f->eof[%d] = true;", s->input_no);
    }
    emit_line(E, "    return;");
    emit_line(E, "}");
    emit_line(E, "if (f->%s_pos >= f->%s_list.n && f->%s_mark == %d) {", s->id, s->id, s->id, s->nmarks);
    emit_line(E, "    f->eof[%d] = true;", s->input_no);
    emit_line(E, "    return;");
    emit_line(E, "}");
    emit_line(E, "for (int64_t i = 0; i < f->%s_batch; i++) {", s->id);
    E->indent++;
    emit_line(E, "if (f->%s_mark < %d && %s_marks[f->%s_mark].pos == f->%s_pos) {", s->id, s->nmarks, s->id, s->id,
              s->id);
    if (abort) {   /* recovery: an ABORT is recorded when hit and skipped on resume (docs/recovery.md) */
        emit_line(E, "    if (%s_marks[f->%s_mark].stop == 2 && f->rt->store) {", s->id, s->id);
        emit_line(E, "        if (flow_store_abort_seen(f->rt, \"%s\", f->%s_mark)) {", s->id, s->id);
        emit_line(E, "            f->%s_mark++;", s->id);
        emit_line(E, "            i--;");
        emit_line(E, "            continue;");
        emit_line(E, "        }");
        emit_line(E, "        flow_store_abort_hit(f->rt, \"%s\", f->%s_mark);", s->id, s->id);
        emit_line(E, "    }");
    }
    emit_line(E, "    f->%s_stop = %s_marks[f->%s_mark++].stop;", s->id, s->id, s->id);
    emit_line(E, "    break;");
    emit_line(E, "}");
    emit_line(E, "if (f->%s_pos >= f->%s_list.n)", s->id, s->id);
    emit_line(E, "    break;");
    emit_line(E, "%s x = f->%s_list.v[f->%s_pos++];", out_ty(E, s), s->id, s->id);
    emit_step_send(E, s, 0, "x");
    E->indent--;
    emit_line(E, "}");
}

static void testing_run(Emit *E, Step *s)
{
    if (s->nmarks) {
        testing_run_marked(E, s);
        return;
    }
    emit_line(E, "if (f->%s_pos >= f->%s_list.n) {", s->id, s->id);
    E->indent++;
    emit_input_end(E, s->input_no);
    emit_line(E, "return;");
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "for (int64_t i = 0; i < f->%s_batch && f->%s_pos < f->%s_list.n; i++) {", s->id, s->id, s->id);
    E->indent++;
    emit_line(E, "%s x = f->%s_list.v[f->%s_pos++];", out_ty(E, s), s->id, s->id);
    emit_step_send(E, s, 0, "x");
    E->indent--;
    emit_line(E, "}");
}

/* testing(range(N)): the integers 0 .. N-1, none stored */
static void range_state(Emit *E, Step *s)
{
    fprintf(E->fields, "    int64_t %s_n;\n    int64_t %s_pos;\n    int64_t %s_batch;\n", s->id, s->id, s->id);
    E->out = E->init;
    E->indent = 1;
    emit_line(E, "f->%s_n = %s;", s->id, emit_expr(E, s->range_n));
    emit_line(E, "if (rt->worker)    /* several workers: worker 0 reads it (a testing source) */");
    emit_line(E, "    f->%s_pos = f->%s_n;", s->id, s->id);
    emit_batch_size(E, s);
}

static void range_run(Emit *E, Step *s)
{
    emit_line(E, "if (f->%s_pos >= f->%s_n) {", s->id, s->id);
    E->indent++;
    emit_input_end(E, s->input_no);
    emit_line(E, "return;");
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "for (int64_t i = 0; i < f->%s_batch && f->%s_pos < f->%s_n; i++) {", s->id, s->id, s->id);
    E->indent++;
    emit_line(E, "int64_t x = f->%s_pos++;", s->id);
    emit_step_send(E, s, 0, "x");
    E->indent--;
    emit_line(E, "}");
}

/* Each kind of source: its state (members of the flow struct, start-up
 * statements) and its poll (the body of the input's run after the EOF
 * check: one batch, each item x sent). */
static const struct {
    void (*state)(Emit *E, Step *s);
    void (*run)(Emit *E, Step *s);
} source_emits[] = {
    [SRC_TESTING] = { testing_state, testing_run },
    [SRC_RANGE] = { range_state, range_run },
    [SRC_FILE_LINES] = { emit_io_input_state, emit_io_run_input },          /* file, stdin, dir, kafka */
    [SRC_EXTERN] = { emit_lib_input_state, emit_lib_run_input },            /* what the host pushed */
    [SRC_NEXMARK] = { emit_nexmark_input_state, emit_nexmark_run_input },
};

/* Inputs: poll one batch. */
static void emit_run_input(Emit *E, Step *s)
{
    emit_line(E, "if (f->eof[%d])", s->input_no);
    emit_line(E, "    return;");
    source_emits[s->source].run(E, s);
}

/* ===================================================================
 * The operators: what the emitter writes for each kind (window
 * operators: emit_window.c's window_ops)
 * =================================================================== */

typedef struct StepEmit {
    void (*state)(Emit *E, Step *s);   /* keyed: the struct of one key's state */
    void (*drop)(Emit *E, Step *s);    /* keyed: what freeing one key's state `s` frees */
    void (*item)(Emit *E, Step *s);    /* the body of the item function: what item x does */
    void (*run)(Emit *E, Step *s);     /* the body of the run function: one round */
} StepEmit;

static const StepEmit step_emits[SK_COUNT] = {
    [SK_INPUT] = { .run = emit_run_input },
    [SK_OUTPUT] = { .item = item_output, .run = emit_run_items },
    [SK_MAP] = { .item = item_map, .run = emit_run_items },
    [SK_FILTER] = { .item = item_filter, .run = emit_run_items },
    [SK_FILTER_MAP] = { .item = item_filter_map, .run = emit_run_items },
    [SK_FLAT_MAP] = { .item = item_flat_map, .run = emit_run_items },
    [SK_FLATTEN] = { .item = item_flatten, .run = emit_run_items },
    [SK_INSPECT] = { .item = item_inspect, .run = emit_run_items },
    [SK_INSPECT_DEBUG] = { .item = item_inspect_debug, .run = emit_run_items },
    [SK_FLAT_MAP_BATCH] = { .run = emit_run_batch },
    [SK_RAISES] = { .item = item_raises, .run = emit_run_items },
    [SK_BRANCH] = { .item = item_branch, .run = emit_run_items },
    [SK_MERGE] = { .run = emit_run_merge },
    [SK_KEY_ON] = { .item = item_key_on, .run = emit_run_items },
    [SK_KEY_RM] = { .item = item_key_rm, .run = emit_run_items },
    [SK_MAP_VALUE] = { .item = item_map, .run = emit_run_items },
    [SK_FILTER_VALUE] = { .item = item_filter, .run = emit_run_items },
    [SK_FILTER_MAP_VALUE] = { .item = item_filter_map, .run = emit_run_items },
    [SK_FLAT_MAP_VALUE] = { .item = item_flat_map, .run = emit_run_items },
    [SK_REDISTRIBUTE] = { .item = item_pass, .run = emit_run_items },
    [SK_ENRICH_CACHED] = { .item = item_enrich, .run = emit_run_items },
    [SK_STATEFUL_MAP] = { .state = state_value, .drop = drop_value, .run = emit_run_grouped },
    [SK_STATEFUL_FLAT_MAP] = { .state = state_value, .drop = drop_value, .run = emit_run_grouped },
    [SK_COLLECT] = { .state = state_collect, .drop = drop_collect, .run = emit_run_collect },
    [SK_BATCH] = { .state = state_collect, .drop = drop_collect, .run = emit_run_collect },
    [SK_REDUCE_FINAL] = { .state = state_value, .drop = drop_value, .item = item_pre_reduce, .run = emit_run_final },
    [SK_FOLD_FINAL] = { .state = state_value, .drop = drop_value, .item = item_final, .run = emit_run_final },
    [SK_COUNT_FINAL] = { .state = state_count, .drop = drop_count, .item = item_count_final, .run = emit_run_final },
    [SK_MAX_FINAL] = { .state = state_value, .drop = drop_value, .item = item_pre_reduce, .run = emit_run_final },
    [SK_MIN_FINAL] = { .state = state_value, .drop = drop_value, .item = item_pre_reduce, .run = emit_run_final },
    [SK_STATEFUL] = { .state = state_value, .drop = drop_value, .run = emit_run_stateful },
    [SK_STATEFUL_BATCH] = { .state = state_value, .drop = drop_value, .run = emit_run_stateful },
    [SK_JOIN] = { .state = state_join, .drop = drop_join, .run = emit_run_join },
};

/* A keyed step's state: its struct, its drop function, its table (and
 * its touched keys, for a step with timers). */
static void declare_state(Emit *E, Step *s)
{
    const char *P = E->P;
    if (!step_emits[s->kind].state)
        ICE("no state for this step");
    if (has_touched(s)) {
        fprintf(E->fields, "    flow_touched %s_touched;   /* keys this activation touched */\n", s->id);
        fprintf(E->fini, "    flow_touched_free(&f->%s_touched);\n", s->id);
    }
    step_emits[s->kind].state(E, s);
    /* drop: free what a live state owns (at free time) */
    fprintf(E->code, "/* step %s: free what one key's state owns */\nstatic void %s_%s_drop(void *p)\n{\n", s->id, P, s->id);
    fprintf(E->code, "    %s_%s_state *s = p;\n", P, s->id);
    step_emits[s->kind].drop(E, s);
    fprintf(E->code, "}\n\n");
    fprintf(E->init, "    f->%s_tab = flow_table_new(sizeof(%s_%s_state));\n", s->id, P, s->id);
    fprintf(E->fini, "    flow_table_free(f->%s_tab, %s_%s_drop);\n", s->id, P, s->id);
}

/* The lambdas of step S: its function and StatefulLogic's callbacks. */
static void emit_step_lambdas(Emit *E, Step *s)
{
    const char *P = E->P;
    if (s->kind == SK_ENRICH_CACHED)   /* before the mapper, which calls its get */
        emit_cache(E, s);
    if (s->fn.lambda && s->append_tail) {
        /* the state grows in place: the lambda returns what to append */
        Node lam = *s->fn.lambda;
        lam.body = s->append_tail;
        emit_lambda(E, &lam, emit_strf(E, "%s_%s_fn", P, s->id), s->fn.ret);
    } else if (s->fn.lambda && s->put_entry) {
        /* a dict state set one key: the lambda returns the key and value */
        Node lam = *s->fn.lambda;
        lam.body = s->put_entry;
        emit_lambda(E, &lam, emit_strf(E, "%s_%s_fn", P, s->id), s->put_entry->ty);
    } else if (s->fn.lambda) {
        emit_lambda(E, s->fn.lambda, emit_strf(E, "%s_%s_fn", P, s->id), s->fn.ret);
    }
    if (s->on_notify.lambda)
        emit_lambda(E, s->on_notify.lambda, emit_strf(E, "%s_%s_on_notify", P, s->id), s->on_notify.ret);
    if (s->on_eof.lambda)
        emit_lambda(E, s->on_eof.lambda, emit_strf(E, "%s_%s_on_eof", P, s->id), s->on_eof.ret);
    if (s->notify_at.lambda)
        emit_lambda(E, s->notify_at.lambda, emit_strf(E, "%s_%s_notify_at", P, s->id), s->notify_at.ret);
}

/* Step S's item function (WHERE: "file:line:col: operator id"): what one
 * item x does, when upstream calls it directly or a run passes the
 * buffered items through it. */
static void emit_item_fn(Emit *E, Step *s, const char *where)
{
    const char *P = E->P;
    E->out = E->code;
    E->indent = 1;
    /* an exchange step called directly: the body is _apply, _item decides */
    const char *name = xdirect(E, s) ? "apply" : "item";
    /* _apply is inlined into both its callers (the item function and, with
     * several workers, the run): a call would cost a one-item round ~40
     * instructions (W1) */
    const char *pre = xdirect(E, s) ? "FLOW_ALWAYS_INLINE static inline" : "static";
    if (has_item_fn(s)) {
        fprintf(E->code, "/* %s: one item */\n%s void %s_%s_%s(%s_flow *f, %s x)\n{\n", where, pre, P, s->id,
                name, P, in_ty(E, s));
        emit_line(E, "(void)f;");
        if (!step_emits[s->kind].item)
            ICE("no item function for this step");
        step_emits[s->kind].item(E, s);
        fprintf(E->code, "}\n\n");
    } else if (grouped(s) && s->fused) {
        /* at most one item a round (lower.c): applied at once, no buffer, no
         * sort; the step's run (only its EOF flag) is not needed */
        fprintf(E->code, "/* %s: one item, applied at once */\n%s void %s_%s_%s(%s_flow *f, %s x)\n{\n", where,
                pre, P, s->id, name, P, in_ty(E, s));
        emit_line(E, "bool created = false;");
        emit_line(E, "uint32_t id = flow_table_upsert(f->%s_tab, x.f0, &created);", s->id);
        emit_line(E, "%s_%s_state *s = flow_table_value(f->%s_tab, id);", P, s->id, s->id);
        emit_grouped_apply(E, s);
        emit_line(E, "(void)id;");
        fprintf(E->code, "}\n\n");
    }
    if (xdirect(E, s)) {
        fprintf(E->code, "/* step %s: an item from upstream, applied at once; with several workers\n"
                         " * it waits in the buffer for the step's exchange point */\n", s->id);
        fprintf(E->code, "static inline void %s_%s_item(%s_flow *f, %s x)\n{\n", P, s->id, P, in_ty(E, s));
        fprintf(E->code, "    if (f->mw) {\n        %s_%s_%s(f, x);\n        return;\n    }\n", P, s->id,
                precombines(E, s) ? "pre" : "push0");
        fprintf(E->code, "    %s_%s_apply(f, x);\n}\n\n", P, s->id);
    }
}

/* Everything of step S: its lambdas, state, push and item functions and,
 * unless it is fused into its upstream, its run function. */
static void emit_step(Emit *E, Step *s)
{
    const char *P = E->P;
    int line, col;
    srcfile_linecol(s->decl->loc.file, s->decl->loc.start, &line, &col);
    const char *where = emit_strf(E, "%s:%d:%d: %s %s", E->src_name, line, col, step_kind_name(s->kind), s->id);

    emit_step_lambdas(E, s);
    emit_xchg_fn(E, s);
    if (xkind(E, s) == XK_PARTIAL)
        emit_combine_fn(E, s);
    if (step_is_windowing(s)) {
        emit_push_fns(E, s);
        emit_window_step(E, s, where);
        return;
    }
    if (step_is_stateful(s))
        declare_state(E, s);
    if (s->kind == SK_INPUT)
        source_emits[s->source].state(E, s);
    if (collects(s))
        emit_collect_state(E, s);
    emit_push_fns(E, s);
    if (precombines(E, s))
        emit_precombine_fns(E, s);
    emit_item_fn(E, s, where);
    if (s->fused) {
        if (xdirect(E, s)) {
            E->out = E->code;
            fprintf(E->code, "/* %s: one round with several workers (alone it runs inside\n"
                             " * its upstream's) */\nstatic void %s_%s_run(%s_flow *f)\n{\n", where, P, s->id, P);
            E->indent = 1;
            emit_xdirect_apply(E, s);
            fprintf(E->code, "}\n\n");
        }
        return;
    }
    if (!step_emits[s->kind].run)
        ICE("no run function for this step");
    E->out = E->code;
    fprintf(E->code, "/* %s: one round */\nstatic void %s_%s_run(%s_flow *f)\n{\n", where, P, s->id, P);
    E->indent = 1;
    if (xdirect(E, s)) {
        emit_line(E, "if (f->mw) {    /* several workers */");
        E->indent++;
        emit_xdirect_apply(E, s);
        E->indent--;
        emit_line(E, "}");
    } else {
        emit_step_xchg_call(E, s);
    }
    step_emits[s->kind].run(E, s);
    fprintf(E->code, "}\n\n");
}

/* ===================================================================
 * The translation unit
 * =================================================================== */

/* The stream of section I (SEC_*). */
static FILE **section(Emit *E, int i)
{
    FILE **const files[SEC_COUNT] = {
        [SEC_TYPES] = &E->types,
        [SEC_PROTOS] = &E->protos,
        [SEC_HELPERS] = &E->helpers,
        [SEC_FIELDS] = &E->fields_common,
        [SEC_INIT] = &E->init,
        [SEC_FINI] = &E->fini,
        [SEC_CODE] = &E->code,
    };
    return files[i];
}

static void emit_consts(Emit *E)
{
    Graph *g = E->g;
    for (int i = 0; i < g->nconsts; i++) {
        Symbol *c = g->consts[i];
        fprintf(E->fields, "    %s c_%s;   /* const %s */\n", emit_ctype_name(E, c->ty), c->name, c->name);
        E->out = E->init;
        E->indent = 1;
        emit_line(E, "{");
        E->indent++;
        const char *v = emit_expr(E, c->decl->lhs);
        emit_arena_copy(E, c->ty, "&f->perm", emit_strf(E, "f->c_%s", c->name), v);
        E->indent--;
        emit_line(E, "}");
    }
}

/* The last component of PATH (the .flow file as comments and the info
 * table name it). */
const char *emit_base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The first line of every generated file (the unit, --lib's header). */
void emit_banner(Emit *E, FILE *out)
{
    const char *src = emit_base_name(E->src_name);
    if (E->opt->no_version)
        fprintf(out, "/* Generated by flowc from %s. Do not edit; edit %s. */\n", src, src);
    else
        fprintf(out, "/* Generated by flowc %s from %s. Do not edit; edit %s. */\n", FLOWC_VERSION, src, src);
}

static void emit_c_unit(Graph *g, FILE *out, const EmitOptions *opt);

/* The statements that build the state of `f` (on `rt`, f->rt set) and
 * that free it, for <flow>_new / <flow>_free and emit_lib.c. */
void emit_state_init(Emit *E, FILE *out)
{
    fprintf(out, "    rt->counters = f->n_sent;\n    rt->eof = f->eof;\n");
    fprintf(out, "    f->mw = rt->cluster != NULL;\n");
    fprintf(out, "    flow_arena_init(&f->perm);\n");
    if (E->nregex)
        fprintf(out, "    char err[256];   /* a regular expression's compile error */\n");
    fwrite(E->bufs[SEC_INIT], 1, E->lens[SEC_INIT], out);
}

void emit_state_fini(Emit *E, FILE *out)
{
    fwrite(E->bufs[SEC_FINI], 1, E->lens[SEC_FINI], out);
    fprintf(out, "    for (size_t i = 0; i < f->dead_n; i++)\n        flow_free(f->dead[i].p, f->dead[i].sz);\n");
    fprintf(out, "    flow_free(f->dead, f->dead_cap * sizeof f->dead[0]);\n");
    fprintf(out, "    flow_buf_free(&f->scratch);\n    flow_arena_destroy(&f->perm);\n");
}

/* Does the generated code read the round's clock? Every reader (now(),
 * timeouts, timers, windows' clocks) goes through `rt->now`, so the
 * flushed sections are searched for it; rounds of a flow that never reads
 * it skip sampling the clock (flow_rt.clock_unused). */
static bool reads_clock(Emit *E)
{
    for (int i = 0; i < SEC_COUNT; i++)
        if (E->bufs[i] && strstr(E->bufs[i], "rt->now"))
            return true;
    return false;
}

/* Write the unit, replacing each EMIT_LINE_BACK_MARKER with a #line directive
 * naming the generated file at the following line. */
void emit_c(Graph *g, FILE *final, const EmitOptions *opt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        ICE("open_memstream failed");
    emit_c_unit(g, out, opt);
    fclose(out);
    const char *cname = opt->c_path ? opt->c_path : "flow.c";
    size_t mlen = strlen(EMIT_LINE_BACK_MARKER);
    long line = 1;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (buf + i)) + 1 : len - i;
        if (n == mlen + 1 && memcmp(buf + i, EMIT_LINE_BACK_MARKER, mlen) == 0)
            fprintf(final, "#line %ld \"%s\"\n", line + 1, cname);
        else
            fwrite(buf + i, 1, n, final);
        line++;
        i += n;
    }
    free(buf);
}

/* Whether a step of G writes the stdout buffer (rt->out): an inspect or a
 * stdout output. Without one the buffer stays empty and the round's end
 * has only the progress line to see to (flow_rt_round_end_quiet). */
static bool writes_stdout(const Graph *g)
{
    for (int i = 0; i < g->nsteps; i++) {
        const Step *s = g->steps[i];
        if (step_has(s, TR_PRINTS))   /* inspect */
            return true;
        if (s->kind == SK_OUTPUT && (s->io ? emit_io_to_stdout(s) : s->sink == SINK_STDOUT))
            return true;
    }
    return false;
}

/* Open the emitter's sections (memory streams, written out in order by
 * emit_c_unit). */
static void emit_open(Emit *E, Graph *g, const EmitOptions *opt)
{
    memset(E, 0, sizeof *E);
    E->g = g;
    E->opt = opt;
    E->P = g->flow_name;
    E->a = arena_new();
    E->src_name = opt->source_path ? opt->source_path : "input.flow";
    E->step_expr = "NULL";
    for (int i = 0; i < SEC_COUNT; i++) {
        *section(E, i) = open_memstream(&E->bufs[i], &E->lens[i]);
        if (!*section(E, i))
            ICE("open_memstream failed");
    }
    E->fields = E->fields_common;
}

static void emit_close(Emit *E)
{
    for (int i = 0; i < E->g->nsteps; i++) {
        fclose(E->step_fields[i]);
        free(E->sf_bufs[i]);
    }
    for (int i = 0; i < SEC_COUNT; i++) {
        fclose(*section(E, i));
        free(E->bufs[i]);
    }
    arena_free(E->a);
}

/* Consts, extern and fn declarations, then every step's code. */
static void emit_program(Emit *E, Graph *g)
{
    emit_consts(E);
    Node *prog = g->prog;
    for (int i = 0; i < prog->list.n; i++) {
        Node *d = prog->list.items[i];
        if (d->kind == ND_EXTERN_FN && d->sym)
            emit_extern_decl(E, d->sym);
    }
    for (int i = 0; i < g->nfns; i++)
        emit_fn_decl(E, g->fns[i]);
    size_t n = (size_t)(g->nsteps ? g->nsteps : 1);
    E->xbox_first = arena_alloc(E->a, n * sizeof(int));
    for (int i = 0; i < g->nsteps; i++) {
        Step *st = g->steps[i];
        E->xbox_first[i] = xkind(E, st) != XK_NONE ? E->nxbox : -1;
        if (xkind(E, st) != XK_NONE)
            E->nxbox += st->nins;
    }
    E->step_fields = arena_alloc(E->a, n * sizeof(FILE *));
    E->sf_bufs = arena_alloc(E->a, n * sizeof(char *));
    E->sf_lens = arena_alloc(E->a, n * sizeof(size_t));
    for (int i = 0; i < g->nsteps; i++) {
        E->step_fields[i] = open_memstream(&E->sf_bufs[i], &E->sf_lens[i]);
        if (!E->step_fields[i])
            ICE("open_memstream failed");
        E->fields = E->step_fields[i];
        declare_step(E, g->steps[i]);
    }
    for (int i = 0; i < g->nsteps; i++) {
        E->fields = E->step_fields[i];
        E->step_expr = fq(E, g->steps[i]);
        emit_step(E, g->steps[i]);
    }
    E->fields = E->fields_common;
    E->step_expr = "NULL";
}

/* <flow>_round: every group head's run function, in declaration order. */
static void emit_round_fn(Emit *E, Graph *g, FILE *c)
{
    const char *P = E->P;
    fprintf(c, "/* One round: every step, in declaration order (docs/semantics.md section 3.1). */\n");
    fprintf(c, "/* POLL false: a round in which no input is polled (epoch interval 0). */\n");
    fprintf(c, "static void %s_round(%s_flow *f, bool poll)\n{\n    flow_rt_round_begin_fast(f->rt);\n"
               "    f->passes++;\n", P, P);
    /* the printing step of each group (lower.c: at most one), by head */
    int *printer = arena_alloc(E->a, sizeof(int) * (size_t)(g->nsteps ? g->nsteps : 1));
    for (int i = 0; i < g->nsteps; i++)
        printer[i] = -1;
    for (int i = 0; i < g->nsteps; i++)
        if (g->steps[i]->side_effect)
            printer[g->steps[i]->head->index] = i;
    for (int i = 0; i < g->nsteps; i++) {
        Step *st = g->steps[i];
        if (step_is_clock(st) || step_is_windower(st))
            continue;
        if (st->fused) {
            if (xdirect(E, st))
                fprintf(c, "    if (f->mw)    /* several workers: its exchange point */\n        %s_%s_run(f);\n", P, st->id);
            continue;
        }
        bool seg = printer[i] > i;   /* prints after its head: an error may take that back */
        if (seg)
            fprintf(c, "    flow_rt_segment(f->rt, %d);   /* %s prints */\n", printer[i], g->steps[printer[i]]->id);
        if (st->kind == SK_INPUT)
            /* the round its end is seen in; with several workers, once it
             * has ended on every worker (as of the last round's end) */
            fprintf(c, "    if (poll)\n        %s_%s_run(f);\n    if (f->eof[%d] && !f->eof_at[%d] && (!f->mw || flow_xgeof(f->rt, %d)))\n"
                       "        f->eof_at[%d] = f->passes;\n",
                    P, st->id, st->input_no, st->input_no, st->input_no, st->input_no);
        else
            fprintf(c, "    %s_%s_run(f);\n", P, st->id);
        if (seg)
            fprintf(c, "    f->rt->seg_step = 0;\n");
    }
    emit_io_round_end(E, c);   /* a pending bad record stops the run here */
    fprintf(c, "    if (f->dead_n)\n        %s_free_dead(f);\n", P);
    fprintf(c, "    flow_rt_round_end_%s(f->rt);\n}\n\n", writes_stdout(g) ? "fast" : "quiet");
}

/* Whether a testing input of G has an ABORT marker. */
static bool has_abort_mark(Graph *g)
{
    for (int i = 0; i < g->nsteps; i++)
        for (int k = 0; k < g->steps[i]->nmarks; k++)
            if (g->steps[i]->marks[k].abort)
                return true;
    return false;
}

/* <flow>_run: rounds until every input is at EOF (with several workers,
 * on every worker: flow_xdone). One call of the round,
 * so that the C compiler inlines it into the loop (a round of one item
 * costs no call, no register saves). */
static void emit_run_fn(Emit *E, Graph *g, FILE *c)
{
    const char *P = E->P;
    fprintf(c, "/* The end of input reaches the steps (docs/semantics.md section 9.1):\n"
               " * rounds that poll nothing, on a clock that stands still, until every\n"
               " * step has seen it. */\n");
    fprintf(c, "static void %s_settle(%s_flow *f)\n{\n    f->settled = true;\n", P, P);
    if (g->max_eof_depth > 0)
        /* several workers: one more, the one in which eof_at is set */
        fprintf(c, "    f->rt->settling = true;\n    for (int i = 0; i < %d + f->mw; i++)\n        %s_round(f, false);\n",
                g->max_eof_depth, P);
    fprintf(c, "}\n\n");
    fprintf(c, "/* Run the dataflow to the end of its inputs. Returns 0. With epoch\n"
               " * interval 0, each polling round is followed by one that polls nothing.\n"
               " * (Recovery's snapshots at the end of an epoch are taken at the end of\n"
               " * a round, flow_store_hook: the loop checks nothing for them.) */\n");
    bool rec = !E->opt->lib_header;   /* recovery (emit_recovery.c): not embedded */
    fprintf(c, "int %s_run(%s_flow *f)\n{\n    for (bool poll = true;;) {\n", P, P);
    fprintf(c, "        %s_round(f, poll);\n        if (poll", P);
    fprintf(c, g->ninputs > 1 ? " && (" : g->ninputs ? " && " : "");
    for (int k = 0; k < g->ninputs; k++)
        fprintf(c, "%sf->eof[%d]", k ? " && " : "", k);
    fprintf(c, g->ninputs > 1 ? ")" : "");
    /* several workers: and on every worker, as of this round's end */
    fprintf(c, " && (!f->mw || flow_xdone(f->rt)))\n            break;\n");
    if (has_abort_mark(g))   /* testing(...ABORT...): the run stops without EOF, on every worker */
        fprintf(c, "        if (f->aborted) {\n            if (f->mw)\n                flow_cluster_abort(f->rt);\n"
                   "            return 0;\n        }\n");
    fprintf(c, "        poll = !poll || f->rt->epoch_interval != 0;\n");
    fprintf(c, "    }\n    %s_settle(f);\n", P);
    if (rec)   /* (several workers: cluster.c's, once every worker has ended) */
        fprintf(c, "    if (f->rt->store && !f->mw)\n        flow_store_end(f->rt);   /* the last epoch, once every step has seen the end */\n");
    fprintf(c, "    return 0;\n}\n\n");
}

/* The banner, includes, type definitions, the flow struct, prototypes,
 * the dead-list helper, the helpers and the step functions. */
static void emit_unit_body(Emit *E, Graph *g, FILE *out)
{
    const char *P = E->P;
    emit_banner(E, out);
    fprintf(out, "#include <flowrt_gen.h>\n#include <math.h>\n#include <string.h>\n\n");
    fprintf(out, "typedef struct %s_flow %s_flow;\n\n", P, P);
    fwrite(E->bufs[SEC_TYPES], 1, E->lens[SEC_TYPES], out);
    fprintf(out, "/* the dataflow's state: everything mutable lives here */\nstruct %s_flow {\n", P);
    fprintf(out, "    flow_rt *rt;         /* the run: clock, round arena, stdout buffer */\n");
    fprintf(out, "    flow_arena perm;     /* consts and testing lists */\n");
    fprintf(out, "    flow_buf scratch;    /* str() of composite values */\n");
    fprintf(out, "    bool eof[%d];%*s/* per input: at its end (on this worker) */\n", g->ninputs ? g->ninputs : 1,
            g->ninputs >= 10 ? 8 : 9, "");
    fprintf(out, "    int64_t eof_at[%d];%*s/* per input: the round it ended in (passes), else 0 */\n",
            g->ninputs ? g->ninputs : 1, g->ninputs >= 10 ? 2 : 3, "");
    fprintf(out, "    int64_t passes;      /* rounds run, end-of-input rounds too */\n");
    fprintf(out, "    bool settled;        /* the end of input has reached every step */\n");
    fprintf(out, "    struct { void *p; size_t sz; } *dead;   /* freed at the end of the round */\n");
    fprintf(out, "    size_t dead_n, dead_cap;\n");
    fprintf(out, "    size_t dead_old;     /* several workers: those of earlier rounds */\n");
    fprintf(out, "    uint64_t n_sent[%d];   /* items sent per output port (--stats) */\n",
            emit_port_count(g) ? emit_port_count(g) : 1);
    if (has_abort_mark(g))
        fprintf(out, "    bool aborted;        /* a testing input met an ABORT marker: stop, no EOF */\n");
    fprintf(out, "    bool mw;             /* several workers (rt->cluster): exchange points run */\n");
    fwrite(E->bufs[SEC_FIELDS], 1, E->lens[SEC_FIELDS], out);
    for (int i = 0; i < g->nsteps; i++) {   /* a step's banner, if it has members */
        fflush(E->step_fields[i]);
        const char *nl = memchr(E->sf_bufs[i], '\n', E->sf_lens[i]);
        if (nl && (size_t)(nl + 1 - E->sf_bufs[i]) < E->sf_lens[i])
            fwrite(E->sf_bufs[i], 1, E->sf_lens[i], out);
    }
    fprintf(out, "};\n\n");
    fprintf(out, "int %s_run(%s_flow *f);\n", P, P);
    fwrite(E->bufs[SEC_PROTOS], 1, E->lens[SEC_PROTOS], out);
    fprintf(out, "\n/* Free P (SZ bytes) at the end of this round. */\n");
    fprintf(out, "static inline void %s_dead(%s_flow *f, void *p, size_t sz)\n{\n", P, P);
    fprintf(out, "    if (!p)\n        return;\n");
    fprintf(out, "    if (f->dead_n == f->dead_cap)\n");
    fprintf(out, "        flow_vec_grow((void **)&f->dead, &f->dead_cap, sizeof f->dead[0], f->dead_n + 1);\n");
    fprintf(out, "    f->dead[f->dead_n].p = p;\n    f->dead[f->dead_n].sz = sz;\n    f->dead_n++;\n}\n\n");
    fprintf(out, "/* At the end of a round: free what the dead list holds. With several\n"
                 " * workers, only what earlier rounds put there: an item of this round\n"
                 " * may point into this round's, and another worker may read it until\n"
                 " * every worker has ended the round. */\n");
    fprintf(out, "static void %s_free_dead(%s_flow *f)\n{\n", P, P);
    fprintf(out, "    size_t n = f->mw ? f->dead_old : f->dead_n;\n");
    fprintf(out, "    for (size_t i = 0; i < n; i++)\n        flow_free(f->dead[i].p, f->dead[i].sz);\n");
    fprintf(out, "    if (n < f->dead_n)\n        memmove(f->dead, f->dead + n, (f->dead_n - n) * sizeof f->dead[0]);\n");
    fprintf(out, "    f->dead_n -= n;\n    f->dead_old = f->dead_n;\n}\n\n");
    fwrite(E->bufs[SEC_HELPERS], 1, E->lens[SEC_HELPERS], out);
    fwrite(E->bufs[SEC_CODE], 1, E->lens[SEC_CODE], out);
}

/* <flow>_new, <flow>_free, the program's info tables and main(). */
static void emit_standalone_tail(Emit *E, FILE *out)
{
    const char *P = E->P;
    fprintf(out, "/* Create the dataflow on run context RT. */\n%s_flow *%s_new(flow_rt *rt)\n{\n", P, P);
    fprintf(out, "    %s_flow *f = flow_alloc(sizeof *f);\n    memset(f, 0, sizeof *f);\n", P);
    fprintf(out, "    f->rt = rt;\n");
    emit_state_init(E, out);
    if (!reads_clock(E))
        fprintf(out, "    rt->clock_unused = true;   /* nothing reads rt->now */\n");
    fprintf(out, "    return f;\n}\n\n");
    fprintf(out, "/* Free the dataflow and everything it owns. */\nvoid %s_free(%s_flow *f)\n{\n", P, P);
    emit_state_fini(E, out);
    fprintf(out, "    flow_free(f, sizeof *f);\n}\n\n");

    emit_program_info(E, out);
    fprintf(out, "#ifndef FLOW_NO_MAIN\n");
    fprintf(out, "/* for flow_cluster_main: several workers, each with its instance */\n");
    fprintf(out, "static void *%s_make(flow_rt *rt)\n{\n    return %s_new(rt);\n}\n\n", P, P);
    fprintf(out, "static int %s_run_any(void *f)\n{\n    return %s_run(f);\n}\n\n", P, P);
    fprintf(out, "static void %s_destroy(void *f)\n{\n    %s_free(f);\n}\n\n", P, P);
    fprintf(out, "static void %s_restore_any(void *f)\n{\n    %s_restore(f);\n}\n\n", P, P);
    fprintf(out, "static const flow_program %s_program = { %s_make, %s_run_any, %s_destroy, %s_restore_any };\n\n", P,
            P, P, P, P);
    fprintf(out, "int main(int argc, char **argv)\n{\n");
    fprintf(out, "    flow_rt rt;\n    int rc = flow_rt_init(&rt, &%s_info, argc, argv);\n", P);
    fprintf(out, "    if (rc >= 0)\n        return rc;\n");
    if (E->opt->mpi)
        fprintf(out, "    flow_mpi_init(&rt);    /* --mpi: the processes of an mpirun job */\n");
    fprintf(out, "    if (rt.nworkers > 1)\n        return flow_cluster_main(&rt, &%s_program);\n", P);
    fprintf(out, "    %s_flow *f = %s_new(&rt);\n", P, P);
    fprintf(out, "    if (rt.store)\n        %s_restore(f);   /* recovery: resume from the store */\n", P);
    fprintf(out, "    %s_run(f);\n    flow_rt_report(&rt);\n    %s_free(f);\n", P, P);
    fprintf(out, "    return flow_rt_finish(&rt, 0);\n}\n#endif\n");
}

static void emit_c_unit(Graph *g, FILE *out, const EmitOptions *opt)
{
    Emit EE;
    Emit *E = &EE;
    emit_open(E, g, opt);
    if (opt->lib_header)
        emit_lib_begin(E);   /* --lib (emit_lib.c): the header's item types first */
    emit_program(E, g);
    emit_round_fn(E, g, E->code);
    if (!opt->lib_header)
        emit_recovery_fns(E, g);   /* emit_recovery.c: <flow>_snap_rows, <flow>_restore */
    emit_run_fn(E, g, E->code);

    /* assemble: the type helpers the code asked for, then every section */
    emit_type_helpers(E);
    for (int i = 0; i < SEC_COUNT; i++)
        fflush(*section(E, i));
    emit_unit_body(E, g, out);
    if (opt->lib_header)
        emit_lib_tail(E, out);   /* --lib (emit_lib.c): the embedding API instead of _new, _free and main() */
    else
        emit_standalone_tail(E, out);
    emit_close(E);
}
