/*
 * sema_window.c - the checker for windowing: clocks (`event_clock`,
 * `system_clock`), windowers (`tumbling`, `sliding`, `session`) and the
 * window operators (`collect_window`, `fold_window`, `reduce_window`,
 * `count_window`, `max_window`, `min_window`, `join_window`), and the
 * streams of a window result (`W.down`, `W.late`, `W.meta`, `W.with_meta`).
 *
 * Pipeline position: its checks (sema_check_event_clock, ...) are entries
 * of sema_steps.c's table check_fns; they fill Step.win (window.h) for
 * emit_window.c. Clocks and windowers are steps without a stream. An
 * event clock's timestamp function is checked when the first window step
 * uses the clock, against that step's item type (later users must carry
 * the same type). Options that are constants are
 * checked here (a sliding window with a gap between windows is an error,
 * as Bytewax raises ValueError); the others at start-up.
 */
#include <string.h>
#include "flowc.h"
#include "sema.h"
#include "sema_internal.h"
#include "window.h"

static Type *T(TypeKind k) { return ty_prim(k); }

static WinSpec *new_spec(Sema *S, Step *st, WinRole role)
{
    WinSpec *w = arena_alloc(S->arena, sizeof *w);
    memset(w, 0, sizeof *w);
    w->role = role;
    st->win = w;
    return w;
}

/* ===================================================================
 * Constant options
 * =================================================================== */

/* The value of E when it is a literal or a const made of literals,
 * timestamp +/- duration and duration * int; false otherwise. */
static bool const_value(Node *e, int64_t *v)
{
    int64_t a, b;
    switch (e->kind) {
    case ND_DURATION:
    case ND_TIMESTAMP:
    case ND_INT:
        *v = e->ival;
        return true;
    case ND_IDENT:
        if (e->sym && e->sym->kind == SYM_CONST && e->sym->decl)
            return const_value(e->sym->decl->lhs, v);
        return false;
    case ND_BINARY:
        if (!const_value(e->lhs, &a) || !const_value(e->rhs, &b))
            return false;
        switch (e->op) {
        case OP_ADD: return !__builtin_add_overflow(a, b, v);
        case OP_SUB: return !__builtin_sub_overflow(a, b, v);
        case OP_MUL: return !__builtin_mul_overflow(a, b, v);
        default: return false;
        }
    default:
        return false;
    }
}

static bool check_typed(Sema *S, Node *e, TypeKind k)
{
    Type *t = sema_check_expr(S, e, T(k));
    return sema_expect(e, T(k), t);
}

/* ===================================================================
 * Clocks and windowers
 * =================================================================== */

static const char *const no_opts[] = { NULL };
static const char *const event_opts[] = { "wait_for_system_duration", NULL };
static const char *const tumbling_opts[] = { "length", "align_to", NULL };
static const char *const sliding_opts[] = { "length", "offset", "align_to", NULL };
static const char *const session_opts[] = { "gap", NULL };

/* event_clock(TS_FN, wait_for_system_duration = D) */
Type *sema_check_event_clock(Sema *S, Step *st, Node *call)
{
    Args a;
    WinSpec *w = new_spec(S, st, WR_CLOCK);
    st->nouts = 0;
    if (!sema_bind_args(S, call, "event_clock", 1, 1, "a timestamp function", event_opts, &a))
        return NULL;
    w->ts_arg = a.pos[0];
    if (w->ts_arg->kind != ND_LAMBDA && w->ts_arg->kind != ND_IDENT) {
        diag_error(w->ts_arg->loc, "`event_clock` takes a function giving each item's timestamp, e.g. `|e| e.time`");
        return NULL;
    }
    w->wait = sema_opt(&a, "wait_for_system_duration");
    if (w->wait && !check_typed(S, w->wait, TY_DURATION))
        return NULL;
    return T(TY_BOOL);   /* placeholder: a clock has no stream */
}

/* system_clock() */
Type *sema_check_system_clock(Sema *S, Step *st, Node *call)
{
    Args a;
    new_spec(S, st, WR_CLOCK);
    st->nouts = 0;
    if (!sema_bind_args(S, call, "system_clock", 0, 0, "none", no_opts, &a))
        return NULL;
    return T(TY_BOOL);
}

/* session(gap = D) */
Type *sema_check_session(Sema *S, Step *st, Node *call)
{
    Args a;
    WinSpec *w = new_spec(S, st, WR_WINDOWER);
    int64_t gap = 0;
    st->nouts = 0;
    if (!sema_bind_args(S, call, "session", 0, 0, "none; give `gap = ...`", session_opts, &a))
        return NULL;
    w->gap = sema_required(&a, "gap");
    if (!w->gap || !check_typed(S, w->gap, TY_DURATION))
        return NULL;
    if (const_value(w->gap, &gap) && gap < 0) {
        diag_error(w->gap->loc, "session window `gap` must not be negative");
        return NULL;
    }
    return T(TY_BOOL);   /* placeholder: a windower has no stream */
}

/* The windows of tumbling and sliding: `length` and `align_to`, and with
 * HAS_OFFSET (sliding) `offset`; OPTS are the operator's options. */
static Type *fixed_windows(Sema *S, Step *st, Node *call, const char *const *opts, bool has_offset)
{
    Args a;
    WinSpec *w = new_spec(S, st, WR_WINDOWER);
    int64_t len = 0, off = 0;
    st->nouts = 0;
    if (!sema_bind_args(S, call, step_kind_name(st->kind), 0, 0, "none; give the options by name", opts, &a))
        return NULL;
    w->length = sema_required(&a, "length");
    w->align = sema_required(&a, "align_to");
    if (has_offset)
        w->offset = sema_required(&a, "offset");
    if (!w->length || !w->align || (has_offset && !w->offset))
        return NULL;
    bool ok = check_typed(S, w->length, TY_DURATION) & check_typed(S, w->align, TY_TIMESTAMP);
    if (w->offset)
        ok &= check_typed(S, w->offset, TY_DURATION);
    if (!ok)
        return NULL;
    if (const_value(w->length, &len) && len <= 0) {
        diag_error(w->length->loc, "window `length` must be positive");
        return NULL;
    }
    if (w->offset && const_value(w->offset, &off)) {
        if (off <= 0) {
            diag_error(w->offset->loc, "sliding window `offset` must be positive");
            return NULL;
        }
        if (const_value(w->length, &len) && off > len) {
            diag_error(w->offset->loc, "sliding window `offset` can't be longer than `length`; "
                       "there would be gaps between windows");
            diag_note(w->length->loc, "`length` is set here");
            return NULL;
        }
    }
    return T(TY_BOOL);
}

/* tumbling(length = D, align_to = TS) */
Type *sema_check_tumbling(Sema *S, Step *st, Node *call)
{
    return fixed_windows(S, st, call, tumbling_opts, false);
}

/* sliding(length = D, offset = D, align_to = TS) */
Type *sema_check_sliding(Sema *S, Step *st, Node *call)
{
    return fixed_windows(S, st, call, sliding_opts, true);
}

/* ===================================================================
 * Window operators
 * =================================================================== */

static const char *const fold_opts[] = { "init", "merge", NULL };
static const char *const by_opts[] = { "by", NULL };
static const char *const join_opts[] = { "insert_mode", "emit_mode", NULL };

/* The clock or windower named by E (ROLE), or NULL after reporting. */
static Step *ref_decl(Sema *S, Node *e, WinRole role, const char *op)
{
    const char *what = role == WR_CLOCK ? "clock" : "windower";
    const char *eg = role == WR_CLOCK ? "`clock = event_clock(|e| e.time, wait_for_system_duration = 0s)`"
                                      : "`win = tumbling(length = 10s, align_to = @2022-01-01T00:00:00Z)`";
    if (e->kind != ND_IDENT) {
        diag_error(e->loc, "`%s` wants the name of a %s here, declared as a step, e.g. %s", op, what, eg);
        return NULL;
    }
    Symbol *s = sema_lookup(S, e->name);
    if (!s) {
        diag_error(e->loc, "use of undeclared %s `%s`%s", what, e->name, sema_suggest_name(S, e->name, SUG_STREAM));
        return NULL;
    }
    e->sym = s;
    Step *st = s->kind == SYM_STEP ? s->step : NULL;
    if (!st) {
        if (s->kind == SYM_STEP)
            diag_error(e->loc, "%s `%s` is used before it is declared", what, e->name);
        else
            diag_error(e->loc, "`%s` is not a %s; declare one as a step, e.g. %s", e->name, what, eg);
        return NULL;
    }
    if (st->out_type && ty_resolve(st->out_type)->kind == TY_ERROR)
        return NULL;
    if (!st->win || st->win->role != role) {
        diag_error(e->loc, "`%s` is %s, not a %s; `%s` takes the %s here", e->name,
                   st->win && st->win->role == WR_CLOCK ? "a clock"
                   : st->win && st->win->role == WR_WINDOWER ? "a windower" : "a stream",
                   what, op, what);
        diag_note(st->decl->name_loc.end ? st->decl->name_loc : st->decl->loc, "`%s` is declared here", e->name);
        return NULL;
    }
    return st;
}

/* Check the event clock's timestamp function against item type V. */
static bool use_clock(Sema *S, Step *clock, Type *v, Node *at)
{
    WinSpec *c = clock->win;
    if (clock->kind == SK_SYSTEM_CLOCK)
        return true;
    if (c->ts_checked) {
        if (!ty_unify(c->ts_item, v)) {
            diag_error(at->loc, "event clock `%s` reads items of type `%s`, but this stream carries `%s`",
                       clock->id, ty_str(c->ts_item), ty_str(v));
            diag_note(clock->decl->loc, "one event clock serves one item type; declare another clock");
            return false;
        }
        return true;
    }
    c->ts_checked = true;
    c->ts_item = v;
    Type *p[1] = { v };
    Type *r = sema_fn_arg_to(S, clock, &clock->fn, c->ts_arg, p, 1, T(TY_TIMESTAMP), "timestamp function");
    if (!r)
        return false;
    if (ty_resolve(r)->kind != TY_TIMESTAMP) {
        diag_error(sema_result_expr(clock->fn.lambda->body)->loc,
                   "the timestamp function of `event_clock` must return `timestamp`, found `%s`", ty_str(r));
        sema_json_note(sema_result_expr(clock->fn.lambda->body)->loc, T(TY_TIMESTAMP), r);
        return false;
    }
    return true;
}

/* OP(stream, clock, windower, ...), every window operator but
 * join_window: NPOS positional arguments (WHAT says which) and OPTS;
 * resolves the clock and the windower into a new WinSpec and reads the
 * stream (keyed unless KEYED is false: count_window keys it itself).
 * Returns the value type V (the item when not keyed), NULL after an error. */
static Type *window_args(Sema *S, Step *st, Node *call, int npos, const char *what,
                         const char *const *opts, bool keyed, Args *a)
{
    WinSpec *w = new_spec(S, st, WR_OP);
    const char *op = step_kind_name(st->kind);
    if (!sema_bind_args(S, call, op, npos, npos, what, opts, a))
        return NULL;
    w->clock = ref_decl(S, a->pos[1], WR_CLOCK, op);
    w->windower = ref_decl(S, a->pos[2], WR_WINDOWER, op);
    bool ok = w->clock && w->windower;
    st->ins = arena_alloc(S->arena, sizeof(PortRef));
    st->nins = 1;
    if (!sema_resolve_stream(S, a->pos[0], &st->ins[0], &st->in_type))
        return NULL;
    Type *v = st->in_type;
    if (keyed && !(v = sema_keyed_value(S, st, a->pos[0])))
        return NULL;
    if (!ok)
        return NULL;
    w->value = v;
    if (!use_clock(S, w->clock, v, a->pos[1]))
        return NULL;
    return v;
}

/* The four streams of window step ST, from its value type and what a
 * closing window emits (w->down); LATE_V is what a late item carries. */
static Type *window_ports(Step *st, Type *late_v)
{
    WinSpec *w = st->win;
    Type *id = T(TY_INT), *key = T(TY_STRING);
    w->port_type[WPORT_DOWN] = ty_pair(key, ty_pair(id, w->down));
    w->port_type[WPORT_LATE] = ty_pair(key, ty_pair(id, late_v));
    w->port_type[WPORT_META] = ty_pair(key, ty_pair(id, T(TY_META)));
    w->port_type[WPORT_WITH_META] = ty_pair(key, ty_pair(T(TY_META17), w->down));
    st->nouts = WPORT_COUNT;
    return w->port_type[WPORT_DOWN];
}

/* Does function result R fit the type WANT it must return (an optional
 * only where WANT is one)? */
static bool returns_exactly(Type *r, Type *want)
{
    return ty_accepts(want, r) && !(ty_resolve(r)->kind == TY_OPT && ty_resolve(want)->kind != TY_OPT);
}

static const char *const collect_opts[] = { "into", NULL };

/* collect_window's container for values V: `into = "list"` (the default),
 * "set" (V hashable) or "dict" (V a (key, value) pair, the key hashable),
 * as Bytewax's into=list|set|dict; NULL after an error */
static Type *collect_into(Step *st, Args *a, Type *v)
{
    static const char *const names[] = { "list", "set", "dict", NULL };
    Node *m = sema_opt(a, "into");
    int into = -1;
    if (!m)
        into = COLLECT_INTO_LIST;
    else if (m->kind == ND_STRING)
        for (int i = 0; names[i]; i++)
            if (strcmp(m->sval, names[i]) == 0)
                into = i;
    if (into < 0) {
        diag_error(m->loc, "`into` must be one of \"list\", \"set\" or \"dict\" (Bytewax's `into=list`, `set`, `dict`)");
        return NULL;
    }
    st->win->into = into;
    if (into == COLLECT_INTO_LIST)
        return ty_list(v);
    if (into == COLLECT_INTO_SET)
        return sema_check_hashable(m->loc, v, "the values collected into a set") ? ty_set(v) : NULL;
    Type *r = ty_resolve(v);
    if (r->kind != TY_TUPLE || r->n != 2) {
        diag_error(m->loc, "`collect_window` into a dict needs `(key, value)` pairs as the values of its stream, "
                   "found `%s`", ty_str(v));
        return NULL;
    }
    if (!sema_check_hashable(m->loc, r->elems[0], "the keys of the dict a window collects into"))
        return NULL;
    return ty_dict(r->elems[0], r->elems[1]);
}

/* collect_window(keyed, clock, windower [, into = "list" | "set" | "dict"]) */
Type *sema_check_collect_window(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v = window_args(S, st, call, 3, "a keyed stream, a clock and a windower", collect_opts, true, &a);
    if (!v)
        return NULL;
    st->win->ordered = true;
    if (!(st->win->down = collect_into(st, &a, v)))
        return NULL;
    return window_ports(st, v);
}

/* count_window(stream, clock, windower, |x| string) */
Type *sema_check_count_window(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v = window_args(S, st, call, 4, "a stream, a clock, a windower and a key function", no_opts, false, &a);
    if (!v)
        return NULL;
    Type *p[1] = { v };
    Type *r = sema_fn_arg_to(S, st, &st->fn, a.pos[3], p, 1, T(TY_STRING), "key function");
    if (!r)
        return NULL;
    if (ty_resolve(r)->kind != TY_STRING) {
        diag_error(sema_result_expr(st->fn.lambda->body)->loc,
                   "the key function of `count_window` must return `string`, found `%s`", ty_str(r));
        return NULL;
    }
    st->win->down = T(TY_INT);
    return window_ports(st, v);
}

/* reduce_window(keyed, clock, windower, |v, v| v) */
Type *sema_check_reduce_window(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v = window_args(S, st, call, 4, "a keyed stream, a clock, a windower and a reducer", no_opts, true, &a);
    if (!v)
        return NULL;
    Type *p[2] = { v, v };
    Type *r = sema_fn_arg_to(S, st, &st->fn, a.pos[3], p, 2, v, "reducer");
    if (!r)
        return NULL;
    if (!returns_exactly(r, v)) {
        diag_error(sema_result_expr(st->fn.lambda->body)->loc,
                   "the reducer of `reduce_window` must return `%s`, found `%s`", ty_str(v), ty_str(r));
        return NULL;
    }
    st->win->down = v;
    return window_ports(st, v);
}

/* The error of window step ST at CALL over a session windower without
 * NEED, the function merging two sessions' states: false. */
static bool session_needs(Step *st, Node *call, const char *need)
{
    Step *ws = st->win->windower;
    diag_error(call->loc, "`%s` over session windows needs %s", step_kind_name(st->kind), need);
    diag_note(ws->decl->name_loc.end ? ws->decl->name_loc : ws->decl->loc, "`%s` is a session windower", ws->id);
    return false;
}

/* fold_window's merge = |s, s| s, needed over session windows: false
 * after an error. */
static bool check_fold_merge(Sema *S, Step *st, Node *call, Args *a, Type *s)
{
    WinSpec *w = st->win;
    Node *m = sema_opt(a, "merge");
    if (m) {
        Type *p[2] = { s, s };
        Type *r = sema_fn_arg_to(S, st, &w->merge, m, p, 2, s, "merge function");
        if (!r)
            return false;
        if (!returns_exactly(r, s)) {
            diag_error(sema_result_expr(w->merge.lambda->body)->loc,
                       "the merge function of `fold_window` must return the state type `%s`, found `%s`",
                       ty_str(s), ty_str(r));
            return false;
        }
    } else if (w->windower->kind == SK_SESSION) {
        return session_needs(st, call, "`merge = |a, b| ...` to combine the states of two sessions that merge");
    }
    return true;
}

/* fold_window(keyed, clock, windower, |s, v| s, init = E [, merge = |s, s| s]) */
Type *sema_check_fold_window(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v = window_args(S, st, call, 4, "a keyed stream, a clock, a windower and a folder", fold_opts, true, &a);
    if (!v)
        return NULL;
    st->win->ordered = true;
    Node *init = sema_required(&a, "init");
    if (!init)
        return NULL;
    Type *s = sema_init_state(S, st, init);
    if (!s)
        return NULL;
    Type *p[2] = { s, v };
    Type *r = sema_fn_arg_to(S, st, &st->fn, a.pos[3], p, 2, s, "folder");
    if (!r)
        return NULL;
    if (!returns_exactly(r, s)) {
        diag_error(sema_result_expr(st->fn.lambda->body)->loc,
                   "the folder of `fold_window` must return the state type `%s`, found `%s`", ty_str(s),
                   ty_str(r));
        diag_note(init->loc, "the state type is the type of `init`");
        return NULL;
    }
    if (!check_fold_merge(S, st, call, &a, s))
        return NULL;
    st->state_type = s;
    st->win->down = s;
    return window_ports(st, v);
}

static const char *const window_opts[] = { "init", "on_value", "on_merge", "on_close", NULL };

/* A WindowLogic callback's result R: `(new_state, [outputs])` with the
 * state type S (ON_CLOSE: just `[outputs]`); unifies the outputs' type
 * with *W (NULL at the first callback). False after an error. */
static bool window_logic_result(Callable *c, Type *r, Type *s, Type **w, const char *what, bool on_close)
{
    Type *rr = ty_resolve(r), *out = rr;
    Node *body = sema_result_expr(c->lambda->body);
    if (!on_close) {
        if (rr->kind != TY_TUPLE || rr->n != 2 || ty_resolve(rr->elems[1])->kind != TY_LIST) {
            diag_error(body->loc, "`%s` of `window` must return `(new_state, [outputs])`, found `%s`", what, ty_str(r));
            return false;
        }
        if (!returns_exactly(rr->elems[0], s)) {
            diag_error(body->loc, "the new state returned by `%s` must have the state type `%s`, found `%s`", what,
                       ty_str(s), ty_str(rr->elems[0]));
            return false;
        }
        out = ty_resolve(rr->elems[1]);
    } else if (rr->kind != TY_LIST) {
        diag_error(body->loc, "`on_close` of `window` must return `[outputs]`, found `%s`", ty_str(r));
        return false;
    }
    if (!*w) {
        *w = out->elem;
    } else if (!ty_unify(*w, out->elem)) {
        diag_error(body->loc, "`%s` of `window` emits `%s`, but `on_value` emits `%s`", what, ty_str(out->elem),
                   ty_str(*w));
        return false;
    }
    return true;
}

/* window(keyed, clock, windower, init = E, on_value = |s, v| (s, [w])
 *        [, on_merge = |s, orig| (s, [w]), on_close = |s| [w]]):
 * Bytewax's generic window operator, one WindowLogic per key and window */
Type *sema_check_window(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v = window_args(S, st, call, 3, "a keyed stream, a clock and a windower", window_opts, true, &a);
    if (!v)
        return NULL;
    WinSpec *w = st->win;
    w->ordered = true;
    Node *init = sema_required(&a, "init");
    Node *on_value = sema_required(&a, "on_value");
    if (!init || !on_value)
        return NULL;
    Type *s = sema_init_state(S, st, init), *out = NULL;
    if (!(st->state_type = s))
        return NULL;
    Type *p[2] = { s, v };
    Type *r = sema_fn_arg_to(S, st, &st->fn, on_value, p, 2, NULL, "on_value function");
    if (!r || !window_logic_result(&st->fn, r, s, &out, "on_value", false))
        return NULL;
    Node *m = sema_opt(&a, "on_merge");
    if (m) {
        p[1] = s;
        r = sema_fn_arg_to(S, st, &w->merge, m, p, 2, NULL, "on_merge function");
        if (!r || !window_logic_result(&w->merge, r, s, &out, "on_merge", false))
            return NULL;
    } else if (w->windower->kind == SK_SESSION) {
        session_needs(st, call, "`on_merge = |state, original| ...` for two sessions that merge");
        return NULL;
    }
    Node *c = sema_opt(&a, "on_close");
    if (c) {
        r = sema_fn_arg_to(S, st, &st->on_eof, c, p, 1, NULL, "on_close function");
        if (!r || !window_logic_result(&st->on_eof, r, s, &out, "on_close", true))
            return NULL;
    }
    if (ty_has_var(out)) {
        diag_error(call->loc, "cannot tell what `window` emits: its callbacks return empty lists only; "
                   "say what one emits, e.g. `[\"x\"]`");
        return NULL;
    }
    w->down = out;
    return window_ports(st, v);
}

/* max_window(keyed, clock, windower [, by = |v| ordered]) | min_window(...) */
Type *sema_check_max_min_window(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v = window_args(S, st, call, 3, "a keyed stream, a clock and a windower", by_opts, true, &a);
    if (!v)
        return NULL;
    if (!sema_check_by(S, st, call, &a, v))
        return NULL;
    st->win->down = v;
    return window_ports(st, v);
}

/* The sides of join_window, A's positional arguments from the third on:
 * keyed streams of one value type, returned (NULL after an error). */
static Type *join_sides(Sema *S, Step *st, Args *a)
{
    WinSpec *w = st->win;
    Type *v = NULL;
    Node *first = NULL;
    bool ok = true;
    w->nsides = a->npos - 2;
    st->nins = w->nsides;
    st->ins = arena_alloc(S->arena, sizeof(PortRef) * (size_t)st->nins);
    for (int i = 0; i < w->nsides; i++) {
        Type *t;
        Node *e = a->pos[2 + i];
        if (!sema_resolve_stream(S, e, &st->ins[i], &t)) {
            ok = false;
            continue;
        }
        Type *sv = ty_keyed_value(t);
        if (!sv) {
            diag_error(e->loc, "`join_window` needs keyed streams of `(string, V)`, but this one carries `%s`",
                       ty_str(t));
            ok = false;
            continue;
        }
        if (!v) {
            v = sv;
            first = e;
            st->in_type = t;
        } else if (!ty_unify(v, sv)) {
            diag_error(e->loc, "the sides of `join_window` must carry one value type, but this side's "
                       "values are `%s`, not `%s`", ty_str(sv), ty_str(v));
            diag_note(first->loc, "the first side's values are `%s`; map the sides to one type "
                      "(e.g. with `map_value`) before joining", ty_str(v));
            ok = false;
        }
    }
    return ok ? v : NULL;
}

/* join_window(clock, windower, keyed, keyed, ..., insert_mode = M, emit_mode = M) */
Type *sema_check_join_window(Sema *S, Step *st, Node *call)
{
    Args a;
    WinSpec *w = new_spec(S, st, WR_OP);
    if (!sema_bind_args(S, call, "join_window", 3, -1, "a clock, a windower and keyed streams", join_opts, &a))
        return NULL;
    w->ordered = true;
    w->clock = ref_decl(S, a.pos[0], WR_CLOCK, "join_window");
    w->windower = ref_decl(S, a.pos[1], WR_WINDOWER, "join_window");
    bool ok = w->clock && w->windower;
    Type *v = join_sides(S, st, &a);
    w->insert_mode = JOIN_LAST;
    w->emit_mode = JOIN_FINAL;
    bool mok = sema_join_modes(&a, true, &w->insert_mode, &w->emit_mode);
    if (!ok || !mok || !v)
        return NULL;
    w->value = v;
    if (!use_clock(S, w->clock, v, a.pos[0]))
        return NULL;
    Type **row = arena_alloc(S->arena, sizeof(Type *) * (size_t)w->nsides);
    for (int i = 0; i < w->nsides; i++)
        row[i] = ty_opt(v);
    w->down = ty_tuple(row, w->nsides);
    return window_ports(st, ty_pair(T(TY_INT), v));
}

/* ===================================================================
 * Streams of a window result
 * =================================================================== */

static const char *const port_names[WPORT_COUNT] = { "down", "late", "meta", "with_meta" };

/* window_stream = STEP `.` (down | late | meta | with_meta) */
bool sema_window_stream(Sema *S, Step *st, Node *e, const char *port_name, PortRef *out, Type **item)
{
    Node *id = e->kind == ND_FIELD ? e->lhs : e;
    if (st->win->role != WR_OP) {
        diag_error(id->loc, "`%s` is a %s, not a stream; pass it to a window operator, e.g. "
                   "`collect_window(keyed, clock, windower)`",
                   id->name, st->win->role == WR_CLOCK ? "clock" : "windower");
        return false;
    }
    if (!port_name) {
        diag_error(e->loc, "`%s` is a window result; use `%s.down`, `%s.late`, `%s.meta` or `%s.with_meta`",
                   id->name, id->name, id->name, id->name, id->name);
        return false;
    }
    for (int p = 0; p < WPORT_COUNT; p++) {
        if (strcmp(port_name, port_names[p]) != 0)
            continue;
        if (p == WPORT_WITH_META && st->kind == SK_JOIN_WINDOW && st->win->emit_mode != JOIN_FINAL) {
            diag_error(e->loc, "`%s.with_meta` needs `emit_mode = \"final\"`: a `%s` row is emitted "
                       "before its window closes, when there is no metadata yet",
                       id->name, st->win->emit_mode == JOIN_COMPLETE ? "complete" : "running");
            return false;
        }
        out->step = st;
        out->port = p;
        *item = st->win->port_type[p];
        e->ty = *item;
        return true;
    }
    Suggest sg;
    sema_suggest_init(&sg, port_name);
    for (int p = 0; p < WPORT_COUNT; p++)
        sema_suggest_try(&sg, port_names[p]);
    diag_error(e->loc, "a window result has the streams `down`, `late`, `meta` and `with_meta`, not `%s`%s",
               port_name, sema_did_you_mean(S, &sg));
    return false;
}
