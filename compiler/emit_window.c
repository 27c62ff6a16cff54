/*
 * emit_window.c - the C emitter for windowing: clocks and windowers (a
 * configuration struct each window step fills at start-up) and window
 * steps (docs/semantics.md §12).
 *
 * Pipeline position: called by emit_c.c's emit_step for these kinds. The
 * generic machinery (watermarks, window ids, session merges, the per-key
 * queue) is runtime/src/window.c; generated here is what only the compiler
 * knows: the queued item and per-window accumulator structs, and per step
 *   <P>_<W>_qnew    a queued copy of an on-time item (kept past its round)
 *   <P>_<W>_apply   on_value: one item into one window
 *   <P>_<W>_merge   on_merge (session windowers only)
 *   <P>_<W>_close   on_close: emit down / with_meta, then meta
 *   <P>_<W>_flush   Bytewax's _flush_queue: inserts, merges, closes
 *   <P>_<W>_run     one activation: items grouped by key, then due
 *                   notifications, then EOF, then rescheduling (3.3)
 * Memory a closing window owns is freed at the end of the round (the
 * emitted items may point into it); a key whose windows are all closed and
 * whose queue is empty is dropped (Bytewax's DISCARD).
 */
#include <string.h>
#include "emit.h"
#include "window.h"

/* The names of one window step's generated pieces. */
typedef struct W {
    Emit *E;
    Step *s;
    WinSpec *w;
    const char *P, *id;
    Type *v;                  /* V */
    const char *vt;           /* its C type */
    const char *acc, *q, *st, *slot;
    bool has_heap;
    const struct WindowOp *op;   /* the operator's functions (window_ops) */
} W;

static const char *nm(W *x, const char *what) { return emit_strf(x->E, "%s_%s_%s", x->P, x->id, what); }

/* ===================================================================
 * Clocks and windowers: their configuration, filled at start-up
 * =================================================================== */

static void emit_config(W *x)
{
    Emit *E = x->E;
    WinSpec *w = x->w;
    Step *c = w->clock, *win = w->windower;
    WinSpec *cw = c->win, *ww = win->win;
    fprintf(E->fields, "    flow_wstep %s_ws;   /* clock %s, windower %s, keyed table, wake-ups */\n", x->id, c->id,
            win->id);
    E->out = E->init;
    E->indent = 1;
    emit_line(E, "f->%s_ws.clock.kind = %s;", x->id, c->kind == SK_SYSTEM_CLOCK ? "FLOW_CLOCK_SYSTEM" : "FLOW_CLOCK_EVENT");
    if (cw->wait)
        emit_line(E, "f->%s_ws.clock.wait = %s;", x->id, emit_expr(E, cw->wait));
    const char *stp = emit_strf(E, "\"%s\"", x->id);
    if (win->kind == SK_SESSION) {
        emit_line(E, "f->%s_ws.win.kind = FLOW_WINDOWER_SESSION;", x->id);
        emit_line(E, "f->%s_ws.win.gap = %s;", x->id, emit_expr(E, ww->gap));
        emit_line(E, "if (f->%s_ws.win.gap < 0)", x->id);
        emit_line(E, "    flow_step_error(rt, %s, %s, \"session window `gap` must not be negative\");", emit_loc_str(E, ww->gap->loc),
          stp);
        return;
    }
    emit_line(E, "f->%s_ws.win.kind = FLOW_WINDOWER_SLIDING;", x->id);
    emit_line(E, "f->%s_ws.win.length = %s;", x->id, emit_expr(E, ww->length));
    emit_line(E, "f->%s_ws.win.align = %s;", x->id, emit_expr(E, ww->align));
    if (ww->offset)
        emit_line(E, "f->%s_ws.win.offset = %s;", x->id, emit_expr(E, ww->offset));
    else
        emit_line(E, "f->%s_ws.win.offset = f->%s_ws.win.length;", x->id, x->id);
    emit_line(E, "if (f->%s_ws.win.length <= 0 || f->%s_ws.win.offset <= 0)", x->id, x->id);
    emit_line(E, "    flow_step_error(rt, %s, %s, \"window `length` and `offset` must be positive\");",
      emit_loc_str(E, ww->length->loc), stp);
    emit_line(E, "if (f->%s_ws.win.offset > f->%s_ws.win.length)", x->id, x->id);
    emit_line(E, "    flow_step_error(rt, %s, %s, \"sliding window `offset` can't be longer than `length`\");",
      emit_loc_str(E, ww->length->loc), stp);
}

/* ===================================================================
 * Helpers for the window operators' functions (statements on a window's
 * accumulator `a`)
 * =================================================================== */

/* Statements appending V (type V) to slot array ARR/N/CAP of `a`, owned. */
static void push_slot(W *x, const char *arr, const char *n, const char *cap, const char *v)
{
    Emit *E = x->E;
    emit_line(E, "if (a->%s == (int64_t)a->%s)", n, cap);
    emit_line(E, "    flow_vec_grow((void **)&a->%s, &a->%s, sizeof a->%s[0], (size_t)a->%s + 1);", arr, cap, arr, n);
    emit_own(E, x->v, emit_strf(E, "a->%s[a->%s].v", arr, n), v, emit_strf(E, "a->%s[a->%s].mem", arr, n),
        emit_strf(E, "a->%s[a->%s].sz", arr, n));
    emit_line(E, "a->%s++;", n);
}

/* Statements: replace a->st (owning its memory) with NV of type down. */
static void set_state(W *x, const char *nv)
{
    Emit *E = x->E;
    emit_line(E, "%s_dead(f, a->mem, a->sz);", x->P);
    emit_own(E, x->w->down, "a->st", nv, "a->mem", "a->sz");
}

static const char *call(W *x, Callable *c, const char *fn, const char *a0, const char *a1)
{
    Emit *E = x->E;
    const char *t = emit_tmp(E);
    if (a1)
        emit_line(E, "%s %s = %s(f, \"%s\", %s, %s);", emit_ctype_name(E, c->ret), t, fn, x->id, a0, a1);
    else
        emit_line(E, "%s %s = %s(f, \"%s\", %s);", emit_ctype_name(E, c->ret), t, fn, x->id, a0);
    return t;
}

/* Statements: the winner of max/min between the state a->st and V. */
static void emit_maxmin(W *x, const char *v, const char *repl)
{
    Emit *E = x->E;
    Step *s = x->s;
    const char *ka = "a->st", *kb = v;
    Type *kt = x->v;
    if (s->fn.lambda) {
        ka = call(x, &s->fn, nm(x, "fn"), "a->st", NULL);
        kb = call(x, &s->fn, nm(x, "fn"), v, NULL);
        kt = s->fn.ret;
    }
    /* Python's max/min keep the earlier value on ties */
    emit_line(E, "if (%s %s 0) {", emit_cmp(E, kt, kb, ka), s->kind == SK_MAX_WINDOW ? ">" : "<");
    E->indent++;
    set_state(x, repl);
    E->indent--;
    emit_line(E, "}");
}

/* Statements: emit every row of join accumulator `a` (product over sides,
 * None for an empty side, the first side varying slowest). */
static void join_rows(W *x, const char *key, const char *wid, bool final_close, const char *meta)
{
    Emit *E = x->E;
    int n = x->w->nsides;
    for (int i = 0; i < n; i++) {
        emit_line(E, "for (int64_t j%d = 0; j%d < (a->n%d ? a->n%d : 1); j%d++) {", i, i, i, i, i);
        E->indent++;
    }
    Type *row = x->w->down;
    const char *r = emit_tmp(E);
    emit_line(E, "%s %s;", emit_ctype_name(E, row), r);
    bool opt = ty_resolve(x->w->value)->kind == TY_OPT;   /* T?? is T?: values as they are */
    for (int i = 0; i < n; i++) {
        if (opt) {
            emit_line(E, "if (a->n%d)", i);
            emit_line(E, "    %s.f%d = a->s%d[j%d].v;", r, i, i, i);
            emit_line(E, "else");
            emit_line(E, "    memset(&%s.f%d, 0, sizeof %s.f%d);", r, i, r, i);
            continue;
        }
        emit_line(E, "%s.f%d.has = a->n%d > 0;", r, i, i);
        emit_line(E, "if (a->n%d)", i);
        emit_line(E, "    %s.f%d.v = a->s%d[j%d].v;", r, i, i, i);
        emit_line(E, "else");
        emit_line(E, "    memset(&%s.f%d.v, 0, sizeof %s.f%d.v);", r, i, r, i);
    }
    const char *inner = emit_ctype_name(E, ty_resolve(x->w->port_type[WPORT_DOWN])->elems[1]);
    emit_step_send(E, x->s, WPORT_DOWN,
                   emit_strf(E, "((%s){ %s, ((%s){ %s, %s }) })", emit_ctype_name(E, x->w->port_type[WPORT_DOWN]), key, inner, wid, r));
    if (final_close && x->s->nout_consumers[WPORT_WITH_META]) {
        const char *wi = emit_ctype_name(E, ty_resolve(x->w->port_type[WPORT_WITH_META])->elems[1]);
        emit_step_send(E, x->s, WPORT_WITH_META,
                       emit_strf(E, "((%s){ %s, ((%s){ %s, %s }) })", emit_ctype_name(E, x->w->port_type[WPORT_WITH_META]), key, wi,
                             meta, r));
    }
    for (int i = 0; i < n; i++) {
        E->indent--;
        emit_line(E, "}");
    }
}

/* Statements: empty side I of join accumulator `a` (memory freed at the end of the round). */
static void join_clear_side(W *x, int i)
{
    Emit *E = x->E;
    emit_line(E, "for (int64_t i = 0; i < a->n%d; i++)", i);
    emit_line(E, "    %s_dead(f, a->s%d[i].mem, a->s%d[i].sz);", x->P, i, i);
    emit_line(E, "a->n%d = 0;", i);
}

/* Statements after a join insert or merge: complete / running emission. */
static void join_after(W *x)
{
    Emit *E = x->E;
    int n = x->w->nsides;
    if (x->w->emit_mode == JOIN_RUNNING) {
        join_rows(x, "key", "wid", false, NULL);
    } else if (x->w->emit_mode == JOIN_COMPLETE) {
        const char *c = "true";
        for (int i = 0; i < n; i++)
            c = emit_strf(E, "%s && a->n%d", c, i);
        emit_line(E, "if (%s) {", c);
        E->indent++;
        join_rows(x, "key", "wid", false, NULL);
        for (int i = 0; i < n; i++)
            join_clear_side(x, i);
        E->indent--;
        emit_line(E, "}");
    }
}

static void emit_acc_release(W *x, bool dead);

/* Statements: free the merged-in accumulator `o` (at the end of the round). */
static void release_orig(W *x)
{
    Emit *E = x->E;
    emit_line(E, "{");
    E->indent++;
    emit_line(E, "%s *a = o;", x->acc);
    emit_acc_release(x, true);
    E->indent--;
    emit_line(E, "}");
}

/* Statements: move the kept values of o's slot array ARR (count N,
 * capacity CAP) to the end of a's. */
static void append_slots(W *x, const char *arr, const char *n, const char *cap)
{
    Emit *E = x->E;
    emit_line(E, "if ((size_t)(a->%s + o->%s) > a->%s)", n, n, cap);
    emit_line(E, "    flow_vec_grow((void **)&a->%s, &a->%s, sizeof a->%s[0], (size_t)(a->%s + o->%s));", arr, cap, arr, n, n);
    emit_line(E, "memcpy(a->%s + a->%s, o->%s, sizeof o->%s[0] * (size_t)o->%s);", arr, n, arr, arr, n);
    emit_line(E, "a->%s += o->%s;", n, n);
    emit_line(E, "o->%s = 0;", n);
}

/* ===================================================================
 * The window operators: what differs between them, one function per
 * operator (or family) and role, found by kind in window_ops:
 *   acc       the members of the accumulator struct
 *   release   statements freeing what accumulator `a` owns, through FR
 *             ("flow_free(" or "<P>_dead(f, ")
 *   apply     on_value: statements taking value x into `a` (`created`
 *             when the window is new)
 *   merge     on_merge (session windowers): statements merging the
 *             accumulator `o` into `a`
 *   close     on_close: statements, then the C value of the window's
 *             result (NULL when they emitted the result themselves)
 * =================================================================== */

/* collect_window: every value, in a list of slots */
static void acc_collect(W *x)
{
    fprintf(x->E->types, "    %s *items;\n    int64_t n;\n    size_t cap;\n", x->slot);
}

static void release_collect(W *x, const char *fr)
{
    Emit *E = x->E;
    emit_line(E, "for (int64_t i = 0; i < a->n; i++)");
    emit_line(E, "    %sa->items[i].mem, a->items[i].sz);", fr);
    emit_line(E, "%sa->items, a->cap * sizeof a->items[0]);", fr);
}

static void apply_collect(W *x) { push_slot(x, "items", "n", "cap", "x"); }

static void merge_collect(W *x)
{
    /* target + orig; the slots move */
    append_slots(x, "items", "n", "cap");
    release_orig(x);
}

static const char *close_collect(W *x)
{
    Emit *E = x->E;
    const char *lt = emit_ctype_name(E, x->w->down);
    const char *val = emit_tmp(E);
    if (x->w->into == COLLECT_INTO_SET) {   /* Bytewax's folder: s.add(v) for each, in order */
        emit_line(E, "%s %s = { 0 };", lt, val);
        emit_line(E, "for (int64_t i = 0; i < a->n; i++)");
        emit_line(E, "    %s(&f->rt->arena, &%s, a->items[i].v);", emit_coll_fn(E, x->w->down, "ins"), val);
        return val;
    }
    if (x->w->into == COLLECT_INTO_DICT) {   /* d[k] = v for each, in order */
        emit_line(E, "%s %s = { .v = flow_arena_alloc(&f->rt->arena, sizeof(%s.v[0]) * (size_t)(a->n ? a->n : 1)), .n = 0 };",
                  lt, val, val);
        emit_line(E, "for (int64_t i = 0; i < a->n; i++)");
        emit_line(E, "    %s(&%s, a->items[i].v.f0, a->items[i].v.f1);", emit_coll_fn(E, x->w->down, "put"), val);
        return val;
    }
    emit_line(E, "%s %s = { .v = flow_arena_alloc(&f->rt->arena, sizeof(%s.v[0]) * (size_t)(a->n ? a->n : 1)), .n = a->n };",
      lt, val, val);
    emit_line(E, "for (int64_t i = 0; i < a->n; i++)");
    emit_line(E, "    %s.v[i] = a->items[i].v;", val);
    return val;
}

/* count_window: a count */
static void acc_count(W *x) { fprintf(x->E->types, "    int64_t n;\n"); }

static void apply_count(W *x) { emit_line(x->E, "a->n++;"); }

static void merge_count(W *x)
{
    emit_line(x->E, "a->n += o->n;");
    release_orig(x);
}

static const char *close_count(W *x)
{
    (void)x;
    return "a->n";
}

/* fold_window, reduce_window, max_window, min_window: a state (down's
 * type) and the memory it owns */
static void acc_state(W *x)
{
    fprintf(x->E->types, "    %s st;\n    void *mem;\n    size_t sz;\n", emit_ctype_name(x->E, x->w->down));
}

static void release_state(W *x, const char *fr) { emit_line(x->E, "%sa->mem, a->sz);", fr); }

static const char *close_state(W *x)
{
    (void)x;
    return "a->st";
}

/* fold_window: the state starts as init, the fold function takes each value */
static void apply_fold(W *x)
{
    Emit *E = x->E;
    Step *s = x->s;
    emit_line(E, "if (created) {");
    E->indent++;
    const char *init = emit_coerce(E, s->init, x->w->down);
    emit_own(E, x->w->down, "a->st", init, "a->mem", "a->sz");
    E->indent--;
    emit_line(E, "}");
    const char *r = call(x, &s->fn, nm(x, "fn"), "a->st", "x");
    set_state(x, emit_coerce_value(E, r, s->fn.ret, x->w->down));
}

/* reduce_window, max_window, min_window: the first value becomes the
 * state, later ones are reduced into it */
static void apply_reduce(W *x)
{
    Emit *E = x->E;
    Step *s = x->s;
    emit_line(E, "if (created) {");
    E->indent++;
    emit_own(E, x->v, "a->st", "x", "a->mem", "a->sz");
    E->indent--;
    emit_line(E, "} else {");
    E->indent++;
    if (s->kind == SK_REDUCE_WINDOW)
        set_state(x, emit_coerce_value(E, call(x, &s->fn, nm(x, "fn"), "a->st", "x"), s->fn.ret, x->v));
    else
        emit_maxmin(x, "x", "x");
    E->indent--;
    emit_line(E, "}");
}

/* fold_window (its merge function), reduce_window (its reduce function):
 * the two states combined */
static void merge_combine(W *x)
{
    Step *s = x->s;
    Callable *c = s->kind == SK_FOLD_WINDOW ? &x->w->merge : &s->fn;
    const char *fn = s->kind == SK_FOLD_WINDOW ? nm(x, "merge_fn") : nm(x, "fn");
    const char *r = call(x, c, fn, "a->st", "o->st");
    set_state(x, emit_coerce_value(x->E, r, c->ret, x->w->down));
    release_orig(x);
}

/* max_window, min_window */
static void merge_maxmin(W *x)
{
    emit_maxmin(x, "o->st", "o->st");
    release_orig(x);
}

/* join_window: each side's values, in slots */
static void acc_join(W *x)
{
    for (int i = 0; i < x->w->nsides; i++)
        fprintf(x->E->types, "    %s *s%d;\n    int64_t n%d;\n    size_t cap%d;\n", x->slot, i, i, i);
}

static void release_join(W *x, const char *fr)
{
    Emit *E = x->E;
    for (int i = 0; i < x->w->nsides; i++) {
        emit_line(E, "for (int64_t i = 0; i < a->n%d; i++)", i);
        emit_line(E, "    %sa->s%d[i].mem, a->s%d[i].sz);", fr, i, i);
        emit_line(E, "%sa->s%d, a->cap%d * sizeof a->s%d[0]);", fr, i, i, i);
    }
}

/* the value goes to its side by insert_mode, then what emit_mode emits */
static void apply_join(W *x)
{
    Emit *E = x->E;
    emit_line(E, "switch (side) {");
    for (int i = 0; i < x->w->nsides; i++) {
        emit_line(E, "case %d:", i);
        E->indent++;
        if (x->w->insert_mode == JOIN_FIRST) {
            emit_line(E, "if (a->n%d == 0) {", i);
            E->indent++;
        } else if (x->w->insert_mode == JOIN_LAST) {
            join_clear_side(x, i);
        }
        push_slot(x, emit_strf(E, "s%d", i), emit_strf(E, "n%d", i), emit_strf(E, "cap%d", i), "x");
        if (x->w->insert_mode == JOIN_FIRST) {
            E->indent--;
            emit_line(E, "}");
        }
        emit_line(E, "break;");
        E->indent--;
    }
    emit_line(E, "}");
    join_after(x);
}

static void merge_join(W *x)
{
    Emit *E = x->E;
    for (int i = 0; i < x->w->nsides; i++) {
        /* first: orig's values win when it has some; last: the target's; product: target then orig */
        if (x->w->insert_mode == JOIN_PRODUCT || x->w->insert_mode == JOIN_LAST)
            emit_line(E, "if (%s) {", x->w->insert_mode == JOIN_LAST ? emit_strf(E, "a->n%d == 0", i) : "true");
        else
            emit_line(E, "if (o->n%d) {", i);
        E->indent++;
        if (x->w->insert_mode != JOIN_PRODUCT)
            join_clear_side(x, i);
        append_slots(x, emit_strf(E, "s%d", i), emit_strf(E, "n%d", i), emit_strf(E, "cap%d", i));
        E->indent--;
        emit_line(E, "}");
    }
    release_orig(x);
    join_after(x);
}

/* emit_mode final: every row now (with_meta too); the others emitted at inserts */
static const char *close_join(W *x)
{
    if (x->w->emit_mode == JOIN_FINAL)
        join_rows(x, "key", "wid", true, "meta");
    return NULL;
}

/* Recovery (docs/recovery.md): statements encoding accumulator `a` into
 * flow_buf *b, and decoding one from flow_rd *r into a fresh `a` (zeroed),
 * owning its values (in scope: f, the flow). */

/* slot array ARR (count N, capacity CAP) */
static void enc_slots(W *x, const char *arr, const char *n)
{
    Emit *E = x->E;
    emit_line(E, "flow_enc_u64(b, (uint64_t)a->%s);", n);
    emit_line(E, "for (int64_t i = 0; i < a->%s; i++) {", n);
    E->indent++;
    emit_codec_enc(E, x->v, "b", emit_strf(E, "a->%s[i].v", arr));
    E->indent--;
    emit_line(E, "}");
}

static void dec_slots(W *x, const char *arr, const char *n, const char *cap)
{
    Emit *E = x->E;
    emit_line(E, "a->%s = flow_dec_count(r);", n);
    emit_line(E, "a->%s = (size_t)a->%s;", cap, n);
    emit_line(E, "a->%s = a->%s ? flow_alloc(a->%s * sizeof a->%s[0]) : NULL;", arr, n, cap, arr);
    emit_line(E, "for (int64_t i = 0; i < a->%s; i++) {", n);
    E->indent++;
    emit_line(E, "%s v;", x->vt);
    emit_codec_dec(E, x->v, "r", "&f->rt->arena", "v");
    emit_own(E, x->v, emit_strf(E, "a->%s[i].v", arr), "v", emit_strf(E, "a->%s[i].mem", arr),
             emit_strf(E, "a->%s[i].sz", arr));
    E->indent--;
    emit_line(E, "}");
}

static void enc_collect(W *x) { enc_slots(x, "items", "n"); }
static void dec_collect(W *x) { dec_slots(x, "items", "n", "cap"); }
static void enc_count(W *x) { emit_line(x->E, "flow_enc_i64(b, a->n);"); }
static void dec_count(W *x) { emit_line(x->E, "a->n = flow_dec_i64(r);"); }
static void enc_state(W *x) { emit_codec_enc(x->E, x->w->down, "b", "a->st"); }

static void dec_state(W *x)
{
    Emit *E = x->E;
    emit_line(E, "%s v;", emit_ctype_name(E, x->w->down));
    emit_codec_dec(E, x->w->down, "r", "&f->rt->arena", "v");
    emit_own(E, x->w->down, "a->st", "v", "a->mem", "a->sz");
}

static void enc_join(W *x)
{
    for (int i = 0; i < x->w->nsides; i++)
        enc_slots(x, emit_strf(x->E, "s%d", i), emit_strf(x->E, "n%d", i));
}

static void dec_join(W *x)
{
    for (int i = 0; i < x->w->nsides; i++)
        dec_slots(x, emit_strf(x->E, "s%d", i), emit_strf(x->E, "n%d", i), emit_strf(x->E, "cap%d", i));
}

/* window: a WindowLogic's state (the step's state type) and the memory
 * it owns; each callback's outputs go down as (key, (wid, w)) */
static void acc_logic(W *x)
{
    fprintf(x->E->types, "    %s st;\n    void *mem;\n    size_t sz;\n", emit_ctype_name(x->E, x->s->state_type));
}

/* Statements: keep new state NS of callback result R (`(S, list<W>)`),
 * then send each output of list L down (and with_meta when WITH_META). */
static void logic_emit(W *x, const char *l, bool with_meta)
{
    Emit *E = x->E;
    WinSpec *w = x->w;
    Step *s = x->s;
    emit_line(E, "for (int64_t i = 0; i < %s.n; i++) {", l);
    E->indent++;
    const char *inner = emit_ctype_name(E, ty_resolve(w->port_type[WPORT_DOWN])->elems[1]);
    emit_step_send(E, s, WPORT_DOWN, emit_strf(E, "((%s){ key, ((%s){ wid, %s.v[i] }) })",
                                               emit_ctype_name(E, w->port_type[WPORT_DOWN]), inner, l));
    if (with_meta && s->nout_consumers[WPORT_WITH_META]) {
        const char *wi = emit_ctype_name(E, ty_resolve(w->port_type[WPORT_WITH_META])->elems[1]);
        emit_step_send(E, s, WPORT_WITH_META, emit_strf(E, "((%s){ key, ((%s){ meta, %s.v[i] }) })",
                                                        emit_ctype_name(E, w->port_type[WPORT_WITH_META]), wi, l));
    }
    E->indent--;
    emit_line(E, "}");
}

static void logic_result(W *x, Callable *c, const char *r)
{
    Emit *E = x->E;
    Type *st = x->s->state_type;
    emit_line(E, "%s_dead(f, a->mem, a->sz);", x->P);
    emit_own(E, st, "a->st", emit_coerce_value(E, emit_strf(E, "%s.f0", r), ty_resolve(c->ret)->elems[0], st), "a->mem",
             "a->sz");
    logic_emit(x, emit_strf(E, "%s.f1", r), false);
}

/* on_value: a new window's logic starts from init */
static void apply_logic(W *x)
{
    Emit *E = x->E;
    Step *s = x->s;
    emit_line(E, "if (created) {");
    E->indent++;
    emit_own(E, s->state_type, "a->st", emit_coerce(E, s->init, s->state_type), "a->mem", "a->sz");
    E->indent--;
    emit_line(E, "}");
    logic_result(x, &s->fn, call(x, &s->fn, nm(x, "fn"), "a->st", "x"));
}

/* on_merge: the target's logic takes the original's state */
static void merge_logic(W *x)
{
    logic_result(x, &x->w->merge, call(x, &x->w->merge, nm(x, "merge_fn"), "a->st", "o->st"));
    release_orig(x);
}

/* on_close: its outputs (without on_close: none) */
static const char *close_logic(W *x)
{
    Step *s = x->s;
    if (s->on_eof.lambda)
        logic_emit(x, call(x, &s->on_eof, nm(x, "on_eof"), "a->st", NULL), true);
    return NULL;
}

/* recovery: a WindowLogic's state, of the step's state type */
static void enc_logic(W *x) { emit_codec_enc(x->E, x->s->state_type, "b", "a->st"); }

static void dec_logic(W *x)
{
    Emit *E = x->E;
    emit_line(E, "%s v;", emit_ctype_name(E, x->s->state_type));
    emit_codec_dec(E, x->s->state_type, "r", "&f->rt->arena", "v");
    emit_own(E, x->s->state_type, "a->st", "v", "a->mem", "a->sz");
}

typedef struct WindowOp {
    bool slots;                                  /* keeps each value (a <P>_<W>_slot) */
    void (*acc)(W *x);
    void (*release)(W *x, const char *fr);       /* NULL: `a` owns nothing */
    void (*apply)(W *x);
    void (*merge)(W *x);
    const char *(*close)(W *x);
    void (*enc)(W *x);                           /* recovery: encode `a` into b */
    void (*dec)(W *x);                           /* recovery: decode r into `a` */
} WindowOp;

static const WindowOp window_ops[SK_COUNT] = {
    [SK_COLLECT_WINDOW] = { true, acc_collect, release_collect, apply_collect, merge_collect, close_collect,
                            enc_collect, dec_collect },
    [SK_COUNT_WINDOW] = { false, acc_count, NULL, apply_count, merge_count, close_count, enc_count, dec_count },
    [SK_FOLD_WINDOW] = { false, acc_state, release_state, apply_fold, merge_combine, close_state, enc_state, dec_state },
    [SK_REDUCE_WINDOW] = { false, acc_state, release_state, apply_reduce, merge_combine, close_state, enc_state,
                           dec_state },
    [SK_MAX_WINDOW] = { false, acc_state, release_state, apply_reduce, merge_maxmin, close_state, enc_state, dec_state },
    [SK_MIN_WINDOW] = { false, acc_state, release_state, apply_reduce, merge_maxmin, close_state, enc_state, dec_state },
    [SK_JOIN_WINDOW] = { true, acc_join, release_join, apply_join, merge_join, close_join, enc_join, dec_join },
    [SK_WINDOW] = { false, acc_logic, release_state, apply_logic, merge_logic, close_logic, enc_logic, dec_logic },
};

/* ===================================================================
 * Types
 * =================================================================== */

static void emit_structs(W *x)
{
    Emit *E = x->E;
    const char *P = x->P, *id = x->id;
    fprintf(E->types, "/* step %s: one queued on-time item and the memory it owns (one block) */\n", id);
    fprintf(E->types, "typedef struct %s {\n    size_t sz;\n    int side;\n    %s v;\n} %s;\n\n", x->q, x->vt, x->q);
    if (x->op->slots)
        fprintf(E->types, "/* step %s: one kept value */\ntypedef struct %s {\n    %s v;\n    void *mem;\n    size_t sz;\n} %s;\n\n",
                id, x->slot, x->vt, x->slot);
    fprintf(E->types, "/* step %s: one window's accumulator */\ntypedef struct %s {\n", id, x->acc);
    x->op->acc(x);
    fprintf(E->types, "} %s;\n", x->acc);
    fprintf(E->types, "_Static_assert(sizeof(%s) >= sizeof(void *), \"a pooled accumulator holds a link\");\n\n", x->acc);
    fprintf(E->fields, "    void *%s_accpool;    /* closed windows' accumulator structs, linked */\n", id);
    fprintf(E->types,
            "/* step %s: one key's state: its windows and wake-up time (flow_wkey), first */\n"
            "typedef struct %s {\n    flow_wkey k;\n    bool noted;    /* in this round's keys (f_deferred) */\n} %s;\n\n",
            id, x->st, x->st);
    fprintf(E->types, "/* step %s: one buffered item, for grouping by key */\n", id);
    fprintf(E->types, "typedef struct %s_%s_ref {\n    flow_str key;\n    int32_t side;\n    uint32_t i;\n} %s_%s_ref;\n\n",
            P, id, P, id);
    fprintf(E->fields, "    %s_%s_ref *%s_refs;\n    size_t %s_refs_cap;\n    uint32_t *%s_order;\n    size_t %s_order_cap;\n",
            P, id, id, id, id, id);
    fprintf(E->fini, "    flow_free(f->%s_refs, f->%s_refs_cap * sizeof f->%s_refs[0]);\n", id, id, id);
    fprintf(E->fini, "    flow_free(f->%s_order, f->%s_order_cap * sizeof(uint32_t));\n", id, id);
    fprintf(E->init, "    flow_wstep_init(&f->%s_ws, sizeof(%s), %s);\n    f->%s_tab = f->%s_ws.tab;\n", id, x->st,
            x->w->ordered ? "true" : "false", id, id);
    fprintf(E->fini, "    {\n        const uint32_t *ids;\n        size_t n = flow_table_sorted(f->%s_tab, &ids);\n", id);
    fprintf(E->fini, "        for (size_t k = 0; k < n; k++)\n");
    fprintf(E->fini, "            flow_wstate_free(&((%s *)flow_table_value(f->%s_tab, ids[k]))->k.w, %s, %s);\n", x->st,
            id, nm(x, "accfree"), nm(x, "qfree"));
    fprintf(E->fini, "        flow_wstep_free(&f->%s_ws);\n    }\n", id);
    fprintf(E->fini, "    while (f->%s_accpool) {\n        void *next = *(void **)f->%s_accpool;\n", id, id);
    fprintf(E->fini, "        flow_free(f->%s_accpool, sizeof(%s));\n        f->%s_accpool = next;\n    }\n", id, x->acc, id);
}

/* ===================================================================
 * Queue items and accumulators
 * =================================================================== */

/* Unordered and no insert emits anything (every operator but join_window,
 * whose complete/running modes emit at inserts): items go into their
 * windows as they are clocked instead of through the queue. */
static bool direct_insert(W *x)
{
    return !x->w->ordered && x->s->kind != SK_JOIN_WINDOW;
}

/* <P>_<W>_qnew (unless nothing is queued: direct_insert) and _qfree. */
static void emit_q_fns(W *x)
{
    Emit *E = x->E;
    E->out = E->code;
    E->indent = 1;
    if (!direct_insert(x)) {
        fprintf(E->code, "/* step %s: a queued copy of X (one block) */\nstatic void *%s(int side, %s x)\n{\n", x->id,
                nm(x, "qnew"), x->vt);
        emit_line(E, "size_t head = (sizeof(%s) + 15) & ~(size_t)15;", x->q);
        if (x->has_heap) {
            CType *c = emit_ctype(E, x->v);
            c->need_copy = true;
            emit_line(E, "size_t sz = head + %s_size%d(x);", x->P, c->id);
            emit_line(E, "%s *q = flow_alloc(sz);", x->q);
            emit_line(E, "char *cur = (char *)q + head;");
            emit_line(E, "q->v = %s_copy%d(x, &cur);", x->P, c->id);
        } else {
            emit_line(E, "size_t sz = head;");
            emit_line(E, "%s *q = flow_alloc(sz);", x->q);
            emit_line(E, "q->v = x;");
        }
        emit_line(E, "q->sz = sz;");
        emit_line(E, "q->side = side;");
        emit_line(E, "return q;");
        fprintf(E->code, "}\n\n");
    }
    /* sz 0: a round-arena entry (see emit_flush) */
    fprintf(E->code, "static void %s(void *p)\n{\n    if (((%s *)p)->sz)\n        flow_free(p, ((%s *)p)->sz);\n}\n\n",
            nm(x, "qfree"), x->q, x->q);
}

/* Free (DEAD: at the end of the round) what accumulator `a` owns, and `a`. */
static void emit_acc_release(W *x, bool dead)
{
    Emit *E = x->E;
    const char *fr = dead ? emit_strf(E, "%s_dead(f, ", x->P) : "flow_free(";
    if (x->op->release)
        x->op->release(x, fr);
    if (dead) {
        /* nothing emitted points into the struct itself: reuse it at once */
        emit_line(E, "*(void **)a = f->%s_accpool;", x->id);
        emit_line(E, "f->%s_accpool = a;", x->id);
    } else {
        emit_line(E, "flow_free(a, sizeof *a);");
    }
}

static void emit_acc_fns(W *x)
{
    Emit *E = x->E;
    E->out = E->code;
    E->indent = 1;
    fprintf(E->code, "/* step %s: free a window's accumulator now (at exit) */\nstatic void %s(void *p)\n{\n", x->id,
            nm(x, "accfree"));
    emit_line(E, "%s *a = p;", x->acc);
    emit_line(E, "if (!a)");
    emit_line(E, "    return;");
    emit_acc_release(x, false);
    fprintf(E->code, "}\n\n");
    fprintf(E->code, "/* step %s: free a window's accumulator at the end of the round */\n", x->id);
    fprintf(E->code, "static void %s(%s_flow *f, %s *a)\n{\n", nm(x, "accdrop"), x->P, x->acc);
    E->indent = 1;
    emit_acc_release(x, true);
    fprintf(E->code, "}\n\n");
}

/* ===================================================================
 * The window logic: on_value, on_merge, on_close
 * =================================================================== */

/* <P>_<W>_apply: value x of input SIDE into window WID's accumulator
 * (made, or taken from the pool, when the window is new). */
static void emit_apply(W *x)
{
    Emit *E = x->E;
    E->out = E->code;
    E->indent = 1;
    fprintf(E->code, "/* step %s: window WID takes value X of input SIDE (on_value) */\n", x->id);
    fprintf(E->code, "static void %s(%s_flow *f, flow_str key, int64_t wid, void **slot, int side, %s x)\n{\n",
            nm(x, "apply"), x->P, x->vt);
    emit_line(E, "(void)f;");
    emit_line(E, "(void)key;");
    emit_line(E, "(void)wid;");
    emit_line(E, "(void)side;");
    emit_line(E, "%s *a = *slot;", x->acc);
    emit_line(E, "bool created = false;");
    emit_line(E, "if (!a) {");
    emit_line(E, "    if ((a = f->%s_accpool))    /* a closed window's, reused */", x->id);
    emit_line(E, "        f->%s_accpool = *(void **)a;", x->id);
    emit_line(E, "    else");
    emit_line(E, "        a = flow_alloc(sizeof *a);");
    emit_line(E, "    memset(a, 0, sizeof *a);");
    emit_line(E, "    *slot = a;");
    emit_line(E, "    created = true;");
    emit_line(E, "}");
    emit_line(E, "(void)created;");
    x->op->apply(x);
    fprintf(E->code, "}\n\n");
}

/* <P>_<W>_merge (session windowers): session ORIG's accumulator merged
 * into window WID's. */
static void emit_merge(W *x)
{
    Emit *E = x->E;
    if (x->w->merge.lambda)
        emit_lambda(E, x->w->merge.lambda, nm(x, "merge_fn"), x->w->merge.ret);
    E->out = E->code;
    E->indent = 1;
    fprintf(E->code, "/* step %s: session ORIG merged into window WID (on_merge) */\n", x->id);
    fprintf(E->code, "static void %s(%s_flow *f, flow_str key, int64_t wid, void **slot, %s *o)\n{\n", nm(x, "merge"),
            x->P, x->acc);
    emit_line(E, "(void)key;");
    emit_line(E, "(void)wid;");
    emit_line(E, "%s *a = *slot;", x->acc);
    emit_line(E, "if (!o)");
    emit_line(E, "    return;");
    emit_line(E, "if (!a) {");
    emit_line(E, "    *slot = o;");
    emit_line(E, "    return;");
    emit_line(E, "}");
    x->op->merge(x);
    fprintf(E->code, "}\n\n");
}

/* <P>_<W>_close: window WID's result down (and with_meta), its
 * accumulator dropped, then its metadata on meta. */
static void emit_close(W *x)
{
    Emit *E = x->E;
    Step *s = x->s;
    WinSpec *w = x->w;
    E->out = E->code;
    E->indent = 1;
    fprintf(E->code, "/* step %s: window WID closes (on_close, then its metadata) */\n", x->id);
    fprintf(E->code, "static void %s(%s_flow *f, flow_str key, int64_t wid, %s *a, flow_window_meta meta)\n{\n",
            nm(x, "close"), x->P, x->acc);
    emit_line(E, "(void)f;");
    emit_line(E, "(void)key;");
    emit_line(E, "(void)wid;");
    emit_line(E, "(void)meta;");
    emit_line(E, "if (a) {");
    E->indent++;
    const char *val = x->op->close(x);
    if (val) {
        const char *inner = emit_ctype_name(E, ty_resolve(w->port_type[WPORT_DOWN])->elems[1]);
        emit_step_send(E, s, WPORT_DOWN,
                       emit_strf(E, "((%s){ key, ((%s){ wid, %s }) })", emit_ctype_name(E, w->port_type[WPORT_DOWN]), inner, val));
        if (s->nout_consumers[WPORT_WITH_META]) {
            const char *wi = emit_ctype_name(E, ty_resolve(w->port_type[WPORT_WITH_META])->elems[1]);
            emit_step_send(E, s, WPORT_WITH_META,
                           emit_strf(E, "((%s){ key, ((%s){ meta, %s }) })", emit_ctype_name(E, w->port_type[WPORT_WITH_META]), wi, val));
        }
    }
    emit_line(E, "%s(f, a);", nm(x, "accdrop"));
    E->indent--;
    emit_line(E, "}");
    if (s->nout_consumers[WPORT_META]) {
        const char *mi = emit_ctype_name(E, ty_resolve(w->port_type[WPORT_META])->elems[1]);
        emit_step_send(E, s, WPORT_META,
                       emit_strf(E, "((%s){ key, ((%s){ wid, meta }) })", emit_ctype_name(E, w->port_type[WPORT_META]), mi));
    }
    fprintf(E->code, "}\n\n");
}

static void emit_flush(W *x)
{
    Emit *E = x->E;
    const char *id = x->id;
    E->out = E->code;
    E->indent = 1;
    fprintf(E->code, "/* step %s: Bytewax's _flush_queue at watermark WM for key TID: inserts, merges, closes */\n", id);
    fprintf(E->code, "static void %s(%s_flow *f, uint32_t tid, flow_time wm)\n{\n", nm(x, "flush"), x->P);
    emit_line(E, "%s *s = flow_table_value(f->%s_tab, tid);", x->st, id);
    /* the key's copy for the round (the key may be dropped at settle while
     * what is emitted points to it), made when something needs it */
    const char *dup = emit_strf(E, "key = flow_str_dup(&f->rt->arena, flow_table_key(f->%s_tab, tid));", id);
    emit_line(E, "flow_str key = { NULL, 0 };");
    if (!direct_insert(x)) {
        /* (direct inserts queue nothing: no take) */
        emit_line(E, "const flow_wentry *e;");
        emit_line(E, "size_t n = flow_wstate_take(&s->k.w, %s, wm, &e);", x->w->ordered ? "true" : "false");
        emit_line(E, "if (n)");
        emit_line(E, "    %s", dup);
        emit_line(E, "for (size_t i = 0; i < n; i++) {");
        emit_line(E, "    %s *q = e[i].item;", x->q);
        emit_line(E, "    const int64_t *ids;");
        emit_line(E, "    size_t k = flow_wstate_open_for(&s->k.w, &f->%s_ws.win, e[i].ts, &ids);", id);
        emit_line(E, "    for (size_t j = 0; j < k; j++)");
        emit_line(E, "        %s(f, key, ids[j], flow_wstate_logic(&s->k.w, ids[j], NULL), q->side, q->v);", nm(x, "apply"));
        emit_line(E, "    if (q->sz)");
        emit_line(E, "        %s_dead(f, q, q->sz);", x->P);
        emit_line(E, "}");
        /* The round's items are queued by reference, in the round arena
         * (sz 0), and this flush follows them in the same round: what it
         * leaves queued is copied to the heap (qnew) before the arena is
         * reset. Most items (wait 0) are taken at once and never copied. */
        emit_line(E, "for (size_t i = 0; i < s->k.w.nq; i++) {");
        emit_line(E, "    %s *q = s->k.w.q[i].item;", x->q);
        emit_line(E, "    if (!q->sz)");
        emit_line(E, "        s->k.w.q[i].item = %s(q->side, q->v);", nm(x, "qnew"));
        emit_line(E, "}");
    }
    if (x->w->windower->kind == SK_SESSION) {
        emit_line(E, "flow_wmerge m;");
        emit_line(E, "while (flow_wstate_merged(&s->k.w, &m, 1))");
        emit_line(E, "    if (m.orig != m.target) {");
        emit_line(E, "        if (!key.p)");
        emit_line(E, "            %s", dup);
        emit_line(E, "        void *o = flow_wstate_logic_pop(&s->k.w, m.orig);");
        emit_line(E, "        %s(f, key, m.target, flow_wstate_logic(&s->k.w, m.target, NULL), o);", nm(x, "merge"));
        emit_line(E, "    }");
    }
    emit_line(E, "int64_t wid;");
    emit_line(E, "flow_window_meta meta;");
    emit_line(E, "while (flow_wstate_close_next(&s->k.w, &f->%s_ws.win, wm, &f->rt->arena, &wid, &meta)) {", id);
    emit_line(E, "    if (!key.p)");
    emit_line(E, "        %s", dup);
    emit_line(E, "    %s(f, key, wid, flow_wstate_logic_pop(&s->k.w, wid), meta);", nm(x, "close"));
    emit_line(E, "}");
    fprintf(E->code, "}\n\n");

    /* settle: drop an empty key, or remember it for rescheduling */
    fprintf(E->code, "/* step %s: drop key TID when it holds nothing (Bytewax's DISCARD), else remember it */\n", id);
    fprintf(E->code, "static void %s(%s_flow *f, uint32_t tid)\n{\n", nm(x, "settle"), x->P);
    emit_line(E, "flow_wstep_settle(&f->%s_ws, tid, %s, %s);", id, nm(x, "accfree"), nm(x, "qfree"));
    fprintf(E->code, "}\n\n");

    /* fire: what the runtime calls for a due or EOF key (flow_wfire_fn) */
    fprintf(E->code, "/* step %s: flush key TID at watermark WM, then settle it */\n", id);
    fprintf(E->code, "static void %s(void *fv, uint32_t tid, flow_time wm)\n{\n", nm(x, "fire"));
    fprintf(E->code, "    %s_flow *f = fv;\n    %s(f, tid, wm);\n    %s(f, tid);\n}\n\n", x->P, nm(x, "flush"), nm(x, "settle"));
}

/* The value V of buffered item R (a ref) as a C expression. */
static const char *ref_value(W *x, int side)
{
    if (x->s->kind == SK_COUNT_WINDOW)
        return emit_strf(x->E, "f->%s_in0.v[r.i]", x->id);
    return emit_strf(x->E, "f->%s_in%d.v[r.i].f1", x->id, side);
}

/* Statements for one buffered item: its value x, its timestamp, the
 * clock (wm = the key's watermark after it), then late (ts < wm) or on
 * time: inserted at once (direct_insert) or queued. In scope: r (the
 * item's ref), key, tid, s (the key's state) and wm. */
static void emit_item(W *x)
{
    Emit *E = x->E;
    Step *s = x->s;
    WinSpec *w = x->w;
    const char *id = x->id, *P = x->P;
    emit_line(E, "%s x;", x->vt);
    if (s->nins == 1) {
        emit_line(E, "x = %s;", ref_value(x, 0));
    } else {
        emit_line(E, "switch (r.side) {");
        for (int p = 0; p < s->nins; p++)
            emit_line(E, "case %d: x = %s; break;", p, ref_value(x, p));
        emit_line(E, "default: memset(&x, 0, sizeof x); break;");
        emit_line(E, "}");
    }
    if (w->clock->kind == SK_EVENT_CLOCK) {
        const char *t = emit_tmp(E);
        emit_line(E, "flow_time %s = %s_%s_fn(f, \"%s\", x);", t, P, w->clock->id, w->clock->id);
        emit_line(E, "flow_time ts = %s;", t);
    } else {
        emit_line(E, "flow_time ts = 0;");
    }
    emit_line(E, "wm = flow_clock_on_item(&f->%s_ws.clock, &s->k.w.clock, &ts);", id);
    emit_line(E, "if (ts < wm) {");
    E->indent++;
    if (s->nout_consumers[WPORT_LATE]) {
        emit_line(E, "const int64_t *ids;");
        emit_line(E, "size_t nl = flow_wstate_late_for(&s->k.w, &f->%s_ws.win, ts, &ids);", id);
        emit_line(E, "for (size_t j = 0; j < nl; j++) {");
        E->indent++;
        Type *lt = w->port_type[WPORT_LATE];
        Type *inner = ty_resolve(lt)->elems[1];
        const char *lv = "x";
        if (s->kind == SK_JOIN_WINDOW)
            lv = emit_strf(E, "((%s){ r.side, x })", emit_ctype_name(E, ty_resolve(inner)->elems[1]));
        emit_step_send(E, s, WPORT_LATE,
                       emit_strf(E, "((%s){ key, ((%s){ ids[j], %s }) })", emit_ctype_name(E, lt), emit_ctype_name(E, inner), lv));
        E->indent--;
        emit_line(E, "}");
    } else {
        emit_line(E, "(void)0;   /* late: nobody reads `%s.late` */", id);
    }
    E->indent--;
    emit_line(E, "} else {");
    if (direct_insert(x)) {
        /* Bytewax queues the item and its flush takes the whole queue in
         * arrival order, after the batch's late events; an insert here
         * emits nothing and does not touch the clock or what late_for
         * reads, so applying it at once gives the same windows, merges
         * (still handled by the flush) and events, without the copy. */
        emit_line(E, "    const int64_t *ids;");
        emit_line(E, "    size_t nk = flow_wstate_open_for(&s->k.w, &f->%s_ws.win, ts, &ids);", id);
        emit_line(E, "    for (size_t j = 0; j < nk; j++)");
        emit_line(E, "        %s(f, key, ids[j], flow_wstate_logic(&s->k.w, ids[j], NULL), r.side, x);", nm(x, "apply"));
    } else {
        /* by reference until the flush below (emit_flush) */
        emit_line(E, "    %s *q = flow_arena_alloc(&f->rt->arena, sizeof *q);", x->q);
        emit_line(E, "    q->sz = 0;");
        emit_line(E, "    q->side = r.side;");
        emit_line(E, "    q->v = x;");
        emit_line(E, "    flow_wstate_enqueue(&s->k.w, ts, q);");
    }
    emit_line(E, "}");
}

/* Statements: the round's buffers (refs and order) hold N items. */
static void emit_grow_round(W *x)
{
    Emit *E = x->E;
    const char *id = x->id;
    emit_line(E, "if (f->%s_refs_cap < n)", id);
    emit_line(E, "    flow_vec_grow((void **)&f->%s_refs, &f->%s_refs_cap, sizeof f->%s_refs[0], n);", id, id, id);
    emit_line(E, "if (f->%s_order_cap < n)", id);
    emit_line(E, "    flow_vec_grow((void **)&f->%s_order, &f->%s_order_cap, sizeof(uint32_t), n);", id, id);
}

/* Statements: tid and s, the state of `key`, created when new. */
static void emit_key_state(W *x)
{
    Emit *E = x->E;
    const char *id = x->id;
    emit_line(E, "bool created;");
    emit_line(E, "uint32_t tid = flow_table_upsert(f->%s_tab, key, &created);", id);
    emit_line(E, "%s *s = flow_table_value(f->%s_tab, tid);", x->st, id);
    emit_line(E, "if (created) {");
    emit_line(E, "    flow_wkey_init(&s->k, &f->%s_ws.clock, f->rt->now);", id);
    emit_line(E, "    s->noted = false;");
    emit_line(E, "}");
}

/* Whether a round's items are applied in arrival order and only the keys
 * whose flush closes a window are sorted (emit_batch_deferred). */
static bool f_deferred(W *x)
{
    return direct_insert(x) && !x->s->nout_consumers[WPORT_LATE];
}

/* The round's buffered items (n of them), grouped by key, keys ascending
 * (LANGUAGE.md section 10): each key's items, then its flush and settle. */
static void emit_batch_sorted(W *x)
{
    Emit *E = x->E;
    Step *s = x->s;
    const char *id = x->id, *P = x->P;
    emit_grow_round(x);
    emit_line(E, "size_t m = 0;");
    for (int p = 0; p < s->nins; p++) {
        emit_line(E, "for (size_t i = 0; i < f->%s_in%d.n; i++) {", id, p);
        E->indent++;
        if (s->kind == SK_COUNT_WINDOW) {
            const char *k = call(x, &s->fn, nm(x, "fn"), emit_strf(E, "f->%s_in0.v[i]", id), NULL);
            emit_line(E, "f->%s_refs[m].key = %s;", id, k);
        } else {
            emit_line(E, "f->%s_refs[m].key = f->%s_in%d.v[i].f0;", id, id, p);
        }
        emit_line(E, "f->%s_refs[m].side = %d;", id, p);
        emit_line(E, "f->%s_refs[m].i = (uint32_t)i;", id);
        emit_line(E, "m++;");
        E->indent--;
        emit_line(E, "}");
    }
    emit_line(E, "uint32_t *order = f->%s_order;", id);
    emit_line(E, "flow_sort_by_key(f->%s_refs, n, sizeof f->%s_refs[0], order);", id, id);
    emit_line(E, "for (size_t k = 0; k < n;) {");
    E->indent++;
    emit_line(E, "flow_str key = f->%s_refs[order[k]].key;", id);
    emit_key_state(x);
    emit_line(E, "flow_clock_before_batch(&f->%s_ws.clock, &s->k.w.clock, f->rt->now);", id);
    emit_line(E, "flow_time wm = FLOW_TIME_MIN;");
    emit_line(E, "for (; k < n && flow_str_eq(f->%s_refs[order[k]].key, key); k++) {", id);
    E->indent++;
    emit_line(E, "%s_%s_ref r = f->%s_refs[order[k]];", P, id, id);
    emit_item(x);
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "%s(f, tid, wm);", nm(x, "flush"));
    emit_line(E, "%s(f, tid);", nm(x, "settle"));
    E->indent--;
    emit_line(E, "}");
}

/*
 * The round's items when nothing but a flush's closes can emit
 * (f_deferred: inserts emit nothing, late items go nowhere): the items in
 * arrival order, each key's clock and windows as in the sorted order, then
 * only the keys whose flush closes something, in ascending key order.
 * Output order is unchanged: a key's state depends only on its own items
 * (in arrival order either way) and clock, so every key reaches its flush
 * with the same windows, logics and watermark (flow_clock_on_notify after
 * the items = the last flow_clock_on_item's: before_batch is idempotent
 * within a round); inserts and late items emit nothing, and a flush that
 * closes nothing emits nothing (take: nothing is queued; session merges
 * combine accumulators silently), so what is emitted is exactly the
 * closing keys' flushes, in the same key order. The rest (table upserts
 * before any settle, the order of settles and of the touched list) is not
 * observable: due and sorted ids come out by key. docs/windowing.md,
 * "Order within a round".
 */
static void emit_batch_deferred(W *x)
{
    Emit *E = x->E;
    Step *s = x->s;
    const char *id = x->id, *P = x->P;
    emit_grow_round(x);
    emit_line(E, "size_t nr = 0;    /* the round's keys, first seen first, in f->%s_order */", id);
    for (int p = 0; p < s->nins; p++) {
        emit_line(E, "for (size_t i = 0; i < f->%s_in%d.n; i++) {", id, p);
        E->indent++;
        const char *k = s->kind == SK_COUNT_WINDOW ? call(x, &s->fn, nm(x, "fn"), emit_strf(E, "f->%s_in0.v[i]", id), NULL)
                                                  : emit_strf(E, "f->%s_in%d.v[i].f0", id, p);
        emit_line(E, "flow_str key = %s;", k);
        emit_line(E, "%s_%s_ref r = { key, %d, (uint32_t)i };", P, id, p);
        emit_key_state(x);
        emit_line(E, "if (!s->noted) {");
        emit_line(E, "    s->noted = true;");
        emit_line(E, "    flow_clock_before_batch(&f->%s_ws.clock, &s->k.w.clock, f->rt->now);", id);
        emit_line(E, "    f->%s_order[nr++] = tid;", id);
        emit_line(E, "}");
        emit_line(E, "flow_time wm;");
        emit_item(x);
        emit_line(E, "(void)wm;    /* the flush below reads the clock again */");
        E->indent--;
        emit_line(E, "}");
    }
    /* closing keys to the refs (keys read after every settle here: a
     * removal may move the table's keys), the others settle now */
    emit_line(E, "size_t nc = 0;");
    emit_line(E, "for (size_t k = 0; k < nr; k++) {");
    emit_line(E, "    uint32_t tid = f->%s_order[k];", id);
    emit_line(E, "    %s *s = flow_table_value(f->%s_tab, tid);", x->st, id);
    emit_line(E, "    s->noted = false;");
    emit_line(E, "    flow_time wm = flow_clock_on_notify(&f->%s_ws.clock, &s->k.w.clock, f->rt->now);", id);
    emit_line(E, "    if (flow_wstate_closes(&s->k.w, &f->%s_ws.win, wm)) {", id);
    emit_line(E, "        f->%s_refs[nc].side = 0;", id);
    emit_line(E, "        f->%s_refs[nc++].i = tid;", id);
    emit_line(E, "        continue;");
    emit_line(E, "    }");
    if (x->w->windower->kind == SK_SESSION)
        emit_line(E, "    %s(f, tid, wm);    /* merges only */", nm(x, "flush"));
    emit_line(E, "    %s(f, tid);", nm(x, "settle"));
    emit_line(E, "}");
    emit_line(E, "for (size_t k = 0; k < nc; k++)");
    emit_line(E, "    f->%s_refs[k].key = flow_table_key(f->%s_tab, f->%s_refs[k].i);", id, id, id);
    emit_line(E, "uint32_t *order = f->%s_order;", id);
    emit_line(E, "flow_sort_by_key(f->%s_refs, nc, sizeof f->%s_refs[0], order);", id, id);
    emit_line(E, "for (size_t k = 0; k < nc; k++) {");
    emit_line(E, "    uint32_t tid = f->%s_refs[order[k]].i;", id);
    emit_line(E, "    %s *s = flow_table_value(f->%s_tab, tid);", x->st, id);
    emit_line(E, "    %s(f, tid, flow_clock_on_notify(&f->%s_ws.clock, &s->k.w.clock, f->rt->now));", nm(x, "flush"), id);
    emit_line(E, "    %s(f, tid);", nm(x, "settle"));
    emit_line(E, "}");
}

static void emit_run(W *x, const char *where)
{
    Emit *E = x->E;
    Step *s = x->s;
    WinSpec *w = x->w;
    const char *id = x->id, *P = x->P;
    E->out = E->code;
    E->indent = 1;
    fprintf(E->code, "/* %s: one round (docs/semantics.md sections 8, 12.6) */\nstatic void %s_%s_run(%s_flow *f)\n{\n", where, P, id, P);
    emit_step_xchg_call(E, s);
    if (w->clock->kind == SK_EVENT_CLOCK)
        emit_line(E, "flow_wstep_round_begin(&f->%s_ws, f->rt->now);   /* system time went backwards? */", id);
    const char *n = "0";
    for (int p = 0; p < s->nins; p++)
        n = emit_strf(E, "%s + f->%s_in%d.n", n, id, p);
    emit_line(E, "size_t n = %s;", n);
    emit_line(E, "if (n) {");
    E->indent++;
    if (f_deferred(x))
        emit_batch_deferred(x);
    else
        emit_batch_sorted(x);
    for (int p = 0; p < s->nins; p++)
        emit_line(E, "f->%s_in%d.n = 0;", id, p);
    E->indent--;
    emit_line(E, "}");
    /* notifications due at the start of this activation, keys ascending */
    emit_line(E, "flow_wstep_fire_due(&f->%s_ws, f->rt->now, %s, f);", id, nm(x, "fire"));
    /* EOF: every key, ascending, at the end of time */
    emit_line(E, "if (%s) {", emit_step_eof_cond(E, s));
    emit_line(E, "    f->%s_eof = true;", id);
    emit_line(E, "    flow_wstep_fire_eof(&f->%s_ws, &f->rt->arena, %s, f);", id, nm(x, "fire"));
    emit_line(E, "}");
    /* reschedule the keys this activation touched (a none keeps an earlier time) */
    emit_line(E, "flow_wstep_reschedule(&f->%s_ws, f->rt->now);", id);
    fprintf(E->code, "}\n\n");
}

/* Recovery (docs/recovery.md, emit_recovery.c): the step's accumulator and
 * queued item in the binary encoding, for flow_wstate_enc / _dec:
 *   <P>_<W>_accenc, <P>_<W>_accdec, <P>_<W>_qenc, <P>_<W>_qdec
 * (a queued item: its input side, then its value). */
/* The head of a generated function: COMMENT, "static SIG", its brace and
 * its first statement FIRST (the argument P or CTX given its type). */
static void codec_fn(W *x, const char *comment, const char *sig, const char *first)
{
    fprintf(x->E->code, "/* step %s: %s */\nstatic %s\n{\n", x->id, comment, sig);
    emit_line(x->E, "%s", first);
}

static void emit_codec_fns(W *x)
{
    Emit *E = x->E;
    E->out = E->code;
    E->indent = 1;
    const char *flow_ctx = emit_strf(E, "%s_flow *f = ctx;", x->P);
    codec_fn(x, "a window's accumulator in the binary encoding (recovery)",
             emit_strf(E, "void %s(flow_buf *b, const void *p)", nm(x, "accenc")),
             emit_strf(E, "const %s *a = p;", x->acc));
    x->op->enc(x);
    fprintf(E->code, "}\n\n");
    codec_fn(x, "a window's accumulator from its encoding (r->bad when malformed)",
             emit_strf(E, "void *%s(void *ctx, flow_rd *r)", nm(x, "accdec")), flow_ctx);
    emit_line(E, "(void)f;");
    emit_line(E, "%s *a = flow_alloc(sizeof *a);", x->acc);
    emit_line(E, "memset(a, 0, sizeof *a);");
    x->op->dec(x);
    emit_line(E, "return a;");
    fprintf(E->code, "}\n\n");
    codec_fn(x, "a queued item in the binary encoding (recovery)",
             emit_strf(E, "void %s(flow_buf *b, const void *p)", nm(x, "qenc")), emit_strf(E, "const %s *q = p;", x->q));
    emit_line(E, "flow_enc_u64(b, (uint64_t)q->side);");
    emit_codec_enc(E, x->v, "b", "q->v");
    fprintf(E->code, "}\n\n");
    codec_fn(x, "a queued item from its encoding (NULL when malformed)",
             emit_strf(E, "void *%s(void *ctx, flow_rd *r)", nm(x, "qdec")), flow_ctx);
    emit_line(E, "uint64_t side = flow_dec_u64(r);");
    emit_line(E, "%s v;", x->vt);
    emit_codec_dec(E, x->v, "r", "&f->rt->arena", "v");
    if (direct_insert(x)) {
        emit_line(E, "(void)side;");
        emit_line(E, "return NULL;    /* nothing is queued: items go straight into their windows */");
    } else {
        emit_line(E, "if (r->bad || side >= %d)", x->s->nins);
        emit_line(E, "    return NULL;");
        emit_line(E, "return %s((int)side, v);", nm(x, "qnew"));
    }
    fprintf(E->code, "}\n\n");
}

const char *emit_window_fingerprint(Emit *E, Step *s)
{
    WinSpec *w = s->win;
    const char *head = emit_strf(E, "%s %s %s", step_kind_name(s->kind), w->windower->kind == SK_SESSION ? "session" : "sliding",
                                 w->clock->kind == SK_SYSTEM_CLOCK ? "system_clock" : "event_clock");
    if (s->kind == SK_JOIN_WINDOW)
        head = emit_strf(E, "%s %d sides %d", head, w->nsides, (int)w->insert_mode);
    const char *fp = emit_codec_fingerprint(E, head, w->value);
    if (s->kind != SK_COLLECT_WINDOW && s->kind != SK_COUNT_WINDOW && s->kind != SK_JOIN_WINDOW)
        fp = emit_codec_fingerprint(E, emit_strf(E, "%s ->", fp), w->down);
    return fp;
}

void emit_window_step(Emit *E, Step *s, const char *where)
{
    if (!step_is_window_op(s))
        return;    /* clocks and windowers: each window step copies their configuration */
    W x;
    memset(&x, 0, sizeof x);
    x.E = E;
    x.s = s;
    x.w = s->win;
    x.P = E->P;
    x.id = s->id;
    x.v = x.w->value;
    x.vt = emit_ctype_name(E, x.v);
    x.has_heap = ty_has_heap(x.v);
    x.acc = nm(&x, "acc");
    x.q = nm(&x, "q");
    x.st = nm(&x, "state");
    x.slot = nm(&x, "slot");
    x.op = &window_ops[s->kind];
    if (!x.op->apply)
        ICE("not a window operator");
    emit_config(&x);
    emit_structs(&x);
    emit_q_fns(&x);
    emit_acc_fns(&x);
    emit_apply(&x);
    if (x.w->windower->kind == SK_SESSION)
        emit_merge(&x);
    emit_close(&x);
    emit_flush(&x);
    emit_run(&x, where);
    if (!E->opt->lib_header)
        emit_codec_fns(&x);    /* recovery (emit_recovery.c) */
}
