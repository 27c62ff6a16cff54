/*
 * sema_steps.c - the checker for step declarations: `NAME = OPERATOR(ARGS)`.
 *
 * Each step is checked in declaration order against its operator's
 * signature (Bytewax's argument order: upstream streams and functions
 * positionally, options by name). The result is a Step in the Graph with
 * its input ports, item types, functions and options; lowering adds the
 * edges' consumers. A step that fails to check still gets a Step whose
 * output type is the error type, so later steps that read it do not
 * report follow-on errors.
 */
#include <string.h>
#include "flowc.h"
#include "sema.h"
#include "sema_internal.h"
#include "embed.h"
#include "io.h"
#include "nexmark.h"

static Type *T(TypeKind k) { return ty_prim(k); }

/* ===================================================================
 * Arguments
 * =================================================================== */

/* Split CALL's arguments; report unknown or repeated options and a wrong
 * number of positional ones. MAXPOS < 0 means "any number". */
static bool bind_args(Node *call, const char *op, int minpos, int maxpos,
                      const char *what_pos, const char *const *options, Args *a)
{
    memset(a, 0, sizeof *a);
    a->call = call;
    a->op = op;
    size_t n = (size_t)(call->list.n ? call->list.n : 1);
    a->pos = arena_alloc(S.arena, sizeof(Node *) * n);
    a->named = arena_alloc(S.arena, sizeof(Node *) * n);
    bool ok = true;
    for (int i = 0; i < call->list.n; i++) {
        Node *arg = call->list.items[i];
        if (!arg->name) {
            a->pos[a->npos++] = arg->lhs;
            continue;
        }
        bool known = false;
        for (int k = 0; options && options[k]; k++)
            if (strcmp(options[k], arg->name) == 0)
                known = true;
        if (!known) {
            Loc at = arg->name_loc.end ? arg->name_loc : arg->loc;
            if (!options || !options[0]) {
                diag_error(at, "unknown option `%s`: `%s` takes no options", arg->name, op);
            } else {
                const char *list = NULL;
                for (int k = 0; options[k]; k++)
                    list = !list ? arena_printf(S.arena, "`%s`", options[k])
                                 : arena_printf(S.arena, "%s%s `%s`", list, options[k + 1] ? "," : " and",
                                                options[k]);
                diag_error(at, "unknown option `%s` for `%s`; it takes %s", arg->name, op, list);
            }
            ok = false;
            continue;
        }
        for (int k = 0; k < a->nnamed; k++)
            if (a->named[k]->name == arg->name) {
                diag_error(arg->loc, "option `%s` is given twice", arg->name);
                ok = false;
            }
        a->named[a->nnamed++] = arg;
    }
    if (a->npos < minpos || (maxpos >= 0 && a->npos > maxpos)) {
        if (maxpos == minpos)
            diag_error(call->loc, "`%s` takes %d positional argument%s (%s), but %d %s given", op,
                       minpos, minpos == 1 ? "" : "s", what_pos, a->npos, a->npos == 1 ? "was" : "were");
        else if (maxpos < 0)
            diag_error(call->loc, "`%s` takes at least %d positional argument%s (%s), but %d %s given", op,
                       minpos, minpos == 1 ? "" : "s", what_pos, a->npos, a->npos == 1 ? "was" : "were");
        else
            diag_error(call->loc, "`%s` takes %d to %d positional arguments (%s), but %d %s given", op,
                       minpos, maxpos, what_pos, a->npos, a->npos == 1 ? "was" : "were");
        ok = false;
    }
    return ok;
}

static Node *opt(Args *a, const char *name)
{
    for (int k = 0; k < a->nnamed; k++)
        if (strcmp(a->named[k]->name, name) == 0)
            return a->named[k]->lhs;
    return NULL;
}

static Node *required(Args *a, const char *name)
{
    Node *n = opt(a, name);
    if (!n)
        diag_error(a->call->loc, "`%s` needs the option `%s = ...`", a->op, name);
    return n;
}

/* ===================================================================
 * Streams
 * =================================================================== */

/* stream = STEP_NAME | STEP_NAME `.` (trues | falses) */
static bool resolve_stream(Node *e, PortRef *out, Type **item)
{
    Node *id = e;
    const char *port_name = NULL;
    if (e->kind == ND_FIELD && e->lhs->kind == ND_IDENT) {
        id = e->lhs;
        port_name = e->name;
    }
    if (id->kind != ND_IDENT) {
        diag_error(e->loc, "expected a stream (the name of an earlier step)");
        return false;
    }
    Symbol *s = sema_lookup(id->name);
    if (!s) {
        diag_error(id->loc, "use of undeclared stream `%s`%s", id->name,
                   sema_suggest_name(id->name, SUG_STREAM));
        return false;
    }
    id->sym = s;
    if (s->kind != SYM_STEP) {
        diag_error(id->loc, "expected a stream, but `%s` is not a step", id->name);
        return false;
    }
    Step *st = s->step;
    if (!st) {
        diag_error(id->loc, "stream `%s` is used before its step is declared", id->name);
        diag_note(s->loc, "`%s` is declared here", id->name);
        return false;
    }
    if (st->out_type && ty_resolve(st->out_type)->kind == TY_ERROR)
        return false;   /* already reported */
    if (st->kind == SK_OUTPUT) {
        diag_error(id->loc, "`%s` is an output step; it has no stream", id->name);
        return false;
    }
    if (st->win)
        return sema_window_stream(st, e, port_name, out, item);
    int port = 0;
    if (st->kind == SK_BRANCH) {
        if (!port_name) {
            diag_error(e->loc, "`%s` is a branch; use `%s.trues` or `%s.falses`", id->name, id->name, id->name);
            return false;
        }
        if (strcmp(port_name, "trues") == 0)
            port = 0;
        else if (strcmp(port_name, "falses") == 0)
            port = 1;
        else {
            diag_error(e->loc, "a branch has the streams `trues` and `falses`, not `%s`", port_name);
            return false;
        }
    } else if (port_name) {
        diag_error(e->loc, "stream `%s` has no field `%s`", id->name, port_name);
        return false;
    }
    out->step = st;
    out->port = port;
    *item = st->out_type;
    e->ty = st->out_type;
    return true;
}

static bool one_upstream(Step *st, Node *e)
{
    PortRef p;
    Type *t;
    if (!resolve_stream(e, &p, &t))
        return false;
    st->ins = arena_alloc(S.arena, sizeof(PortRef));
    st->ins[0] = p;
    st->nins = 1;
    st->in_type = t;
    return true;
}

/* The stream argument E as written: `xs` or `parts.trues`. */
static const char *stream_text(Node *e)
{
    if (e->kind == ND_FIELD && e->lhs->kind == ND_IDENT)
        return arena_printf(S.arena, "%s.%s", e->lhs->name, e->name);
    return e->kind == ND_IDENT ? e->name : "stream";
}

/* The value type V of a keyed stream, or NULL after reporting; the note
 * points at the step that makes the unkeyed stream. */
static Type *keyed_value(Step *st, Node *e)
{
    Type *v = ty_keyed_value(st->in_type);
    if (v)
        return v;
    const char *name = stream_text(e);
    diag_error(e->loc, "`%s` needs a keyed stream of `(string, V)`, but `%s` carries `%s`",
               step_kind_name(st->kind), name, ty_str(st->in_type));
    Node *up = st->ins[0].step->decl;
    diag_note(up->name_loc.end ? up->name_loc : up->loc,
              "`%s` is made here; key it first, e.g. `keyed = key_on(%s, |x| ...)`", up->name, name);
    return NULL;
}

/* The expression a lambda body yields: the last expression of a block. */
static Node *result_expr(Node *body)
{
    while (body->kind == ND_BLOCK)
        body = body->body;
    return body;
}

/* ===================================================================
 * Functions given to operators
 * =================================================================== */

/* Check function argument E with parameter types P[0..n) and store it in
 * DST. Returns its result type, or NULL after an error. */
static Type *fn_arg_to(Step *st, Callable *dst, Node *e, Type **p, int n, Type *ret_hint, const char *what)
{
    char buf[128];
    snprintf(buf, sizeof buf, "the %s of `%s`", what, step_kind_name(st->kind));
    Node *lam = sema_callable_node(e, n, buf);
    if (!lam)
        return NULL;
    Type *r = sema_check_lambda(lam, p, n, ret_hint, arena_printf(S.arena, "%s", buf));
    dst->lambda = lam;
    dst->params = arena_alloc(S.arena, sizeof(Type *) * (size_t)n);
    memcpy(dst->params, p, sizeof(Type *) * (size_t)n);
    dst->nparams = n;
    dst->ret = r;
    if (ty_resolve(r)->kind == TY_ERROR)
        return NULL;
    return r;
}

static Type *fn_arg(Step *st, Node *e, Type **p, int n, Type *ret_hint, const char *what)
{
    return fn_arg_to(st, &st->fn, e, p, n, ret_hint, what);
}

static Type *fn1(Step *st, Node *e, Type *p0, Type *ret_hint, const char *what)
{
    Type *p[1] = { p0 };
    return fn_arg(st, e, p, 1, ret_hint, what);
}

static bool fn_returns(Step *st, Type *r, Type *want, const char *what)
{
    if (ty_accepts(want, r) && !(ty_resolve(want)->kind != TY_OPT && ty_resolve(r)->kind == TY_OPT))
        return true;
    Node *body = st->fn.lambda->body;
    diag_error(body->loc, "the %s of `%s` must return `%s`, found `%s`", what,
               step_kind_name(st->kind), ty_str(want), ty_str(r));
    return false;
}

/* ===================================================================
 * Sources and sinks
 * =================================================================== */

static const char *const testing_opts[] = { "batch_size", NULL };

static bool check_int_option(Node *e, const char *what)
{
    Type *t = sema_check_expr(e, T(TY_INT));
    if (!sema_expect(e, T(TY_INT), t))
        return false;
    if (e->kind == ND_INT && e->ival < 1) {
        diag_error(e->loc, "%s must be at least 1", what);
        return false;
    }
    return true;
}

/* source = testing(LIST [, batch_size = N]) | testing(range(N)) | file/stdin/dir/kafka(...) (sema_io.c) */
static Type *check_source(Step *st, Node *src)
{
    if (sema_is_extern(src))
        return sema_check_extern_source(st, src);   /* sema_extern.c */
    if (src->kind != ND_CALL || src->lhs->kind != ND_IDENT) {
        diag_error(src->loc, "expected a source: `testing(...)` or `file(...)`");
        return NULL;
    }
    const char *kind = src->lhs->name;
    Args a;
    if (strcmp(kind, "testing") == 0) {
        if (!bind_args(src, "testing", 1, 1, "a list", testing_opts, &a))
            return NULL;
        Node *bs = opt(&a, "batch_size");
        if (bs && !check_int_option(bs, "`batch_size`"))
            return NULL;
        st->batch_size = bs;
        Node *l = a.pos[0];
        Type *ann = src->type_ann ? sema_type_from_ann(src->type_ann) : NULL;
        if (l->kind == ND_CALL && l->lhs->kind == ND_IDENT && strcmp(l->lhs->name, "range") == 0 &&
            l->list.n == 1 && !l->list.items[0]->name && !sema_lookup(l->lhs->name)->decl) {
            Node *n = l->list.items[0]->lhs;
            Type *t = sema_check_expr(n, T(TY_INT));
            if (!sema_expect(n, T(TY_INT), t))
                return NULL;
            if (ann && !ty_unify(ann, T(TY_INT)))
                sema_mismatch(src->type_ann->loc, T(TY_INT), ann);
            st->source = SRC_RANGE;
            st->range_n = n;
            l->ty = ty_list(T(TY_INT));
            return T(TY_INT);
        }
        Type *t = sema_check_expr(l, ann ? ty_list(ann) : NULL);
        Type *r = ty_resolve(t);
        if (r->kind == TY_ERROR)
            return NULL;
        if (r->kind != TY_LIST) {
            diag_error(l->loc, "`testing` takes a list, found `%s`", ty_str(t));
            return NULL;
        }
        if (ann && !ty_unify(r->elem, ann)) {
            sema_mismatch(l->loc, ty_list(ann), t);
            return NULL;
        }
        if (ty_has_var(r->elem)) {
            diag_error(l->loc, "cannot infer the item type of this empty list; write `testing<TYPE>([])`");
            ty_unify(r->elem, ty_error());
            return NULL;
        }
        st->source = SRC_TESTING;
        st->source_list = l;
        return r->elem;
    }
    if (strcmp(kind, "nexmark") == 0)
        return sema_check_nexmark(st, src);   /* sema_nexmark.c */
    if (sema_io_source_kind(kind))
        return sema_check_io_source(st, src);   /* sema_io.c */
    diag_error(src->lhs->loc, "unknown source `%s`; expected `testing(...)`, `file(...)`, `stdin(...)`, `dir(...)` or `kafka(...)`", kind);
    return NULL;
}

static bool check_sink(Step *st, Node *e)
{
    const char *name = NULL;
    if (e->kind == ND_IDENT)
        name = e->name;
    else if (e->kind == ND_CALL && e->lhs->kind == ND_IDENT)
        name = e->lhs->name;
    if (sema_is_extern(e))
        return sema_check_extern_sink(st, e);   /* sema_extern.c */
    if (sema_io_sink(e))
        return sema_check_io_sink(st, e);   /* sema_io.c */
    SinkKind kind;
    if (name && strcmp(name, "stdout") == 0)
        kind = SINK_STDOUT;
    else if (name && strcmp(name, "discard") == 0)
        kind = SINK_DISCARD;
    else {
        diag_error(e->loc, "expected a sink: `stdout`, `discard`, `file(...)`, `dir(...)` or `kafka(...)`");
        return false;
    }
    if (e->kind == ND_CALL && e->list.n) {
        diag_error(e->list.items[0]->loc, "`%s` takes no arguments", name);
        return false;
    }
    st->sink = kind;
    return true;
}

/* ===================================================================
 * Steps
 * =================================================================== */

static const char *const no_opts[] = { NULL };
static const char *const init_opts[] = { "init", NULL };
static const char *const collect_opts[] = { "timeout", "max_size", NULL };
static const char *const batch_opts[] = { "timeout", "batch_size", NULL };
static const char *const by_opts[] = { "by", NULL };
static const char *const stateful_opts[] = { "init", "on_item", "on_notify", "on_eof", "notify_at", NULL };
static const char *const join_opts[] = { "insert_mode", "emit_mode", NULL };

/* Does a callback's new state NS fit the state type S? A new state that
 * may be none discards the key's state, as Bytewax's None does (*DISCARD);
 * otherwise it is stored, a T standing for a T? state. */
static bool new_state_fits(Type *s, Type *ns, bool *discard)
{
    Type *rs = ty_resolve(s), *rn = ty_resolve(ns);
    Type *inner = rs->kind == TY_OPT ? rs->elem : rs;
    *discard = rn->kind == TY_OPT;
    return ty_unify(*discard ? rn->elem : rn, inner);
}

/* A StatefulLogic callback's result must be `(new_state, [outputs])` with
 * new_state of the state type S or none. Unifies the output element type
 * with *W (NULL on the first callback) and returns false after an error. */
static bool check_logic_result(Step *st, Callable *c, Type *r, Type *s, Type **w, const char *what)
{
    Type *rr = ty_resolve(r);
    Node *body = c->lambda->body;
    if (rr->kind != TY_TUPLE || rr->n != 2 || ty_resolve(rr->elems[1])->kind != TY_LIST) {
        diag_error(body->loc, "`%s` of `stateful` must return `(new_state, [outputs])`, found `%s`", what, ty_str(r));
        return false;
    }
    Type *ns = ty_resolve(rr->elems[0]);
    bool discard;
    if (!new_state_fits(s, ns, &discard)) {
        diag_error(body->loc, "the new state returned by `%s` must have the state type `%s` (or be none), found `%s`",
                   what, ty_str(s), ty_str(ns));
        return false;
    }
    Type *el = ty_resolve(rr->elems[1])->elem;
    if (!*w) {
        *w = el;
    } else if (!ty_unify(*w, el)) {
        diag_error(body->loc, "`%s` of `stateful` emits `%s`, but `on_item` emits `%s`", what, ty_str(el), ty_str(*w));
        return false;
    }
    (void)st;
    return true;
}

/* stateful(keyed, init = E, on_item = f, on_notify = g, on_eof = h, notify_at = n):
 * Bytewax's StatefulLogic (docs/semantics.md §11.2). */
static Type *check_stateful(Step *st, Node *call)
{
    Args a;
    if (!bind_args(call, "stateful", 1, 1, "a keyed stream", stateful_opts, &a))
        return NULL;
    Node *init = required(&a, "init");
    Node *on_item = required(&a, "on_item");
    Type *v;
    if (!one_upstream(st, a.pos[0]) || !(v = keyed_value(st, a.pos[0])) || !init || !on_item)
        return NULL;
    Type *s = sema_check_expr(init, NULL);
    if (ty_resolve(s)->kind == TY_ERROR)
        return NULL;
    st->init = init;
    st->state_type = s;
    Type *w = NULL;
    Type *p[2] = { s, v };
    Type *r = fn_arg_to(st, &st->fn, on_item, p, 2, NULL, "on_item function");
    if (!r || !check_logic_result(st, &st->fn, r, s, &w, "on_item"))
        return NULL;
    static const char *names[] = { "on_notify", "on_eof" };
    Callable *dst[] = { &st->on_notify, &st->on_eof };
    for (int i = 0; i < 2; i++) {
        Node *g = opt(&a, names[i]);
        if (!g)
            continue;
        r = fn_arg_to(st, dst[i], g, p, 1, NULL, arena_printf(S.arena, "%s function", names[i]));
        if (!r || !check_logic_result(st, dst[i], r, s, &w, names[i]))
            return NULL;
    }
    Node *n = opt(&a, "notify_at");
    if (n) {
        r = fn_arg_to(st, &st->notify_at, n, p, 1, ty_opt(T(TY_TIMESTAMP)), "notify_at function");
        if (!r)
            return NULL;
        if (!ty_accepts(ty_opt(T(TY_TIMESTAMP)), r)) {
            diag_error(st->notify_at.lambda->body->loc,
                       "`notify_at` of `stateful` must return `timestamp?`, found `%s`", ty_str(r));
            return NULL;
        }
    }
    return ty_pair(T(TY_STRING), w);
}

/* A mode option of join: a string literal among NAMES; returns its index. */
static int join_mode(Args *a, const char *opt_name, const char *const *names, int dflt, bool *ok)
{
    Node *m = opt(a, opt_name);
    if (!m)
        return dflt;
    if (m->kind == ND_STRING)
        for (int i = 0; names[i]; i++)
            if (strcmp(m->sval, names[i]) == 0)
                return i;
    diag_error(m->loc, "unknown join %s; expected \"%s\", \"%s\" or \"%s\"",
               strcmp(opt_name, "insert_mode") == 0 ? "insert mode" : "emit mode", names[0], names[1], names[2]);
    *ok = false;
    return dflt;
}

/* join(a, b, ..., insert_mode = "last", emit_mode = "complete"): docs/semantics.md §11.5.
 * Emits (key, (v_a, v_b, ...)); a side's element is optional where it can be
 * missing (final, running). */
static Type *check_join(Step *st, Node *call)
{
    Args a;
    if (!bind_args(call, "join", 1, -1, "keyed streams", join_opts, &a))
        return NULL;
    static const char *const inserts[] = { "first", "last", "product", NULL };
    static const char *const emits[] = { "complete", "final", "running", NULL };
    bool ok = true;
    st->insert_mode = join_mode(&a, "insert_mode", inserts, JOIN_LAST, &ok);
    st->emit_mode = join_mode(&a, "emit_mode", emits, JOIN_COMPLETE, &ok);
    st->ins = arena_alloc(S.arena, sizeof(PortRef) * (size_t)a.npos);
    st->in_types = arena_alloc(S.arena, sizeof(Type *) * (size_t)a.npos);
    st->nins = a.npos;
    Type **row = arena_alloc(S.arena, sizeof(Type *) * (size_t)a.npos);
    for (int i = 0; i < a.npos; i++) {
        Type *t;
        if (!resolve_stream(a.pos[i], &st->ins[i], &t)) {
            ok = false;
            continue;
        }
        st->in_types[i] = t;
        st->in_type = t;
        Type *v = ty_keyed_value(t);
        if (!v) {
            diag_error(a.pos[i]->loc, "`join` needs keyed streams of `(string, V)`, but this side carries `%s`", ty_str(t));
            ok = false;
            continue;
        }
        row[i] = st->emit_mode == JOIN_COMPLETE ? v : ty_opt(v);
    }
    if (!ok)
        return NULL;
    st->in_type = st->in_types[0];
    return ty_pair(T(TY_STRING), ty_tuple(row, a.npos));
}

/* Check the body of step ST (operator KIND) called as CALL; returns the
 * output item type, or NULL after an error. */
static Type *check_operator(Step *st, Node *call)
{
    Args a;
    Type *v, *r, *p[2];
    switch (st->kind) {
    case SK_INPUT: {
        if (!bind_args(call, "input", 1, 1, "a source", no_opts, &a))
            return NULL;
        Type *t = check_source(st, a.pos[0]);
        if (t) {
            st->input_no = S.graph->ninputs;
            S.graph->inputs[S.graph->ninputs++] = st;
        }
        return t;
    }
    case SK_OUTPUT:
        if (!bind_args(call, "output", 2, 2, "a stream and a sink", no_opts, &a))
            return NULL;
        if (!one_upstream(st, a.pos[0]) || !check_sink(st, a.pos[1]))
            return NULL;
        return T(TY_BOOL);   /* placeholder; output steps have no stream */
    case SK_MAP:
    case SK_FILTER:
    case SK_FILTER_MAP:
    case SK_FLAT_MAP:
    case SK_KEY_ON:
    case SK_BRANCH:
        if (!bind_args(call, step_kind_name(st->kind), 2, 2, "a stream and a function", no_opts, &a))
            return NULL;
        if (!one_upstream(st, a.pos[0]))
            return NULL;
        switch (st->kind) {
        case SK_MAP:
            return fn1(st, a.pos[1], st->in_type, NULL, "mapper");
        case SK_FILTER:
        case SK_BRANCH:
            r = fn1(st, a.pos[1], st->in_type, T(TY_BOOL), "predicate");
            return r && fn_returns(st, r, T(TY_BOOL), "predicate") ? st->in_type : NULL;
        case SK_FILTER_MAP:
            r = fn1(st, a.pos[1], st->in_type, NULL, "mapper");
            if (!r)
                return NULL;
            r = ty_resolve(r);
            if (r->kind == TY_OPT && ty_has_var(r->elem)) {
                diag_error(st->fn.lambda->body->loc, "the mapper of `filter_map` only returns none");
                return NULL;
            }
            return r->kind == TY_OPT ? r->elem : r;
        case SK_FLAT_MAP:
            r = fn1(st, a.pos[1], st->in_type, NULL, "mapper");
            if (!r)
                return NULL;
            if (ty_resolve(r)->kind != TY_LIST) {
                diag_error(st->fn.lambda->body->loc, "the mapper of `flat_map` must return a list, found `%s`",
                           ty_str(r));
                return NULL;
            }
            return ty_resolve(r)->elem;
        case SK_KEY_ON:
            r = fn1(st, a.pos[1], st->in_type, T(TY_STRING), "key function");
            if (!r || !fn_returns(st, r, T(TY_STRING), "key function"))
                return NULL;
            return ty_pair(T(TY_STRING), st->in_type);
        default:
            return NULL;
        }
    case SK_FLATTEN:
    case SK_INSPECT:
    case SK_REDISTRIBUTE:
    case SK_KEY_RM:
        if (!bind_args(call, step_kind_name(st->kind), 1, 1, "a stream", no_opts, &a))
            return NULL;
        if (!one_upstream(st, a.pos[0]))
            return NULL;
        if (st->kind == SK_FLATTEN) {
            Type *t = ty_resolve(st->in_type);
            if (t->kind != TY_LIST) {
                diag_error(a.pos[0]->loc, "`flatten` needs a stream of lists, but `%s` carries `%s`",
                           stream_text(a.pos[0]), ty_str(t));
                return NULL;
            }
            return t->elem;
        }
        if (st->kind == SK_KEY_RM)
            return keyed_value(st, a.pos[0]);
        return st->in_type;
    case SK_MERGE: {
        if (!bind_args(call, "merge", 1, -1, "streams", no_opts, &a))
            return NULL;
        st->ins = arena_alloc(S.arena, sizeof(PortRef) * (size_t)a.npos);
        st->nins = a.npos;
        Type *acc = NULL;
        bool ok = true;
        for (int i = 0; i < a.npos; i++) {
            Type *t;
            if (!resolve_stream(a.pos[i], &st->ins[i], &t)) {
                ok = false;
                continue;
            }
            if (!acc)
                acc = t;
            else if (!ty_unify(acc, t)) {
                diag_error(a.pos[i]->loc, "`merge` upstreams must carry one type: `%s` and `%s`",
                           ty_str(acc), ty_str(t));
                ok = false;
            }
        }
        st->in_type = acc;
        return ok ? acc : NULL;
    }
    case SK_MAP_VALUE:
    case SK_FILTER_VALUE:
    case SK_FILTER_MAP_VALUE:
    case SK_FLAT_MAP_VALUE:
        if (!bind_args(call, step_kind_name(st->kind), 2, 2, "a keyed stream and a function", no_opts, &a))
            return NULL;
        if (!one_upstream(st, a.pos[0]) || !(v = keyed_value(st, a.pos[0])))
            return NULL;
        if (st->kind == SK_FILTER_VALUE) {
            r = fn1(st, a.pos[1], v, T(TY_BOOL), "predicate");
            return r && fn_returns(st, r, T(TY_BOOL), "predicate") ? st->in_type : NULL;
        }
        r = fn1(st, a.pos[1], v, NULL, "mapper");
        if (!r)
            return NULL;
        r = ty_resolve(r);
        if (st->kind == SK_FILTER_MAP_VALUE && r->kind == TY_OPT)
            r = r->elem;
        if (st->kind == SK_FLAT_MAP_VALUE) {
            if (r->kind != TY_LIST) {
                diag_error(st->fn.lambda->body->loc,
                           "the mapper of `flat_map_value` must return a list, found `%s`", ty_str(r));
                return NULL;
            }
            r = r->elem;
        }
        return ty_pair(T(TY_STRING), r);
    case SK_STATEFUL_MAP:
    case SK_STATEFUL_FLAT_MAP:
    case SK_FOLD_FINAL: {
        if (!bind_args(call, step_kind_name(st->kind), 2, 2, "a keyed stream and a function", init_opts, &a))
            return NULL;
        Node *init = required(&a, "init");
        if (!one_upstream(st, a.pos[0]) || !(v = keyed_value(st, a.pos[0])) || !init)
            return NULL;
        Type *s = sema_check_expr(init, NULL);
        if (ty_resolve(s)->kind == TY_ERROR)
            return NULL;
        st->init = init;
        p[0] = s;
        p[1] = v;
        const char *what = st->kind == SK_FOLD_FINAL ? "folder" : "mapper";
        r = fn_arg(st, a.pos[1], p, 2, NULL, what);
        if (!r)
            return NULL;
        st->state_type = s;
        if (st->kind == SK_FOLD_FINAL) {
            if (!ty_accepts(s, r) || ty_resolve(r)->kind == TY_OPT) {
                diag_error(result_expr(st->fn.lambda->body)->loc,
                           "the folder of `fold_final` must return the state type `%s`, found `%s`",
                           ty_str(s), ty_str(r));
                diag_note(init->loc, "the state type is the type of `init`");
                return NULL;
            }
            return ty_pair(T(TY_STRING), s);
        }
        Type *rr = ty_resolve(r);
        if (rr->kind != TY_TUPLE || rr->n != 2) {
            diag_error(st->fn.lambda->body->loc,
                       "the mapper of `%s` must return a pair `(new_state, %s)`, found `%s`",
                       step_kind_name(st->kind), st->kind == SK_STATEFUL_MAP ? "output" : "[outputs]",
                       ty_str(r));
            return NULL;
        }
        Type *ns = ty_resolve(rr->elems[0]);
        bool ok = new_state_fits(s, ns, &st->state_opt_result);
        if (!ok) {
            Node *res = result_expr(st->fn.lambda->body);
            if (res->kind == ND_TUPLE && res->list.n == 2)
                res = res->list.items[0];
            diag_error(res->loc, "the new state must have the state type `%s` (or be none), found `%s`",
                       ty_str(s), ty_str(ns));
            diag_note(init->loc, "the state type is the type of `init`");
            return NULL;
        }
        Type *out = rr->elems[1];
        if (st->kind == SK_STATEFUL_FLAT_MAP) {
            if (ty_resolve(out)->kind != TY_LIST) {
                diag_error(st->fn.lambda->body->loc,
                           "the mapper of `stateful_flat_map` must return `(new_state, [outputs])`, found `%s`",
                           ty_str(r));
                return NULL;
            }
            out = ty_resolve(out)->elem;
        }
        return ty_pair(T(TY_STRING), out);
    }
    case SK_COLLECT:
    case SK_BATCH: {
        bool is_batch = st->kind == SK_BATCH;
        if (!bind_args(call, step_kind_name(st->kind), 1, 1, "a keyed stream",
                       is_batch ? batch_opts : collect_opts, &a))
            return NULL;
        Node *to = required(&a, "timeout");
        Node *ms = required(&a, is_batch ? "batch_size" : "max_size");
        if (!one_upstream(st, a.pos[0]) || !(v = keyed_value(st, a.pos[0])) || !to || !ms)
            return NULL;
        Type *tt = sema_check_expr(to, T(TY_DURATION));
        if (!sema_expect(to, T(TY_DURATION), tt))
            return NULL;
        if (!check_int_option(ms, is_batch ? "`batch_size`" : "`max_size`"))
            return NULL;
        st->timeout_expr = to;
        st->max_size_expr = ms;
        st->state_type = ty_list(v);
        return ty_pair(T(TY_STRING), ty_list(v));
    }
    case SK_REDUCE_FINAL:
        if (!bind_args(call, "reduce_final", 2, 2, "a keyed stream and a reducer", no_opts, &a))
            return NULL;
        if (!one_upstream(st, a.pos[0]) || !(v = keyed_value(st, a.pos[0])))
            return NULL;
        p[0] = v;
        p[1] = v;
        r = fn_arg(st, a.pos[1], p, 2, v, "reducer");
        if (!r || !fn_returns(st, r, v, "reducer"))
            return NULL;
        st->state_type = v;
        return st->in_type;
    case SK_COUNT_FINAL:
        if (!bind_args(call, "count_final", 2, 2, "a stream and a key function", no_opts, &a))
            return NULL;
        if (!one_upstream(st, a.pos[0]))
            return NULL;
        r = fn1(st, a.pos[1], st->in_type, T(TY_STRING), "key function");
        if (!r || !fn_returns(st, r, T(TY_STRING), "key function"))
            return NULL;
        st->state_type = T(TY_INT);
        return ty_pair(T(TY_STRING), T(TY_INT));
    case SK_MAX_FINAL:
    case SK_MIN_FINAL: {
        if (!bind_args(call, step_kind_name(st->kind), 1, 1, "a keyed stream", by_opts, &a))
            return NULL;
        if (!one_upstream(st, a.pos[0]) || !(v = keyed_value(st, a.pos[0])))
            return NULL;
        Node *by = opt(&a, "by");
        if (by) {
            r = fn1(st, by, v, NULL, "`by` function");
            if (!r)
                return NULL;
            if (!ty_is_ordered(r)) {
                diag_error(st->fn.lambda->body->loc, "the `by` function of `%s` must return an ordered value, found `%s`",
                           step_kind_name(st->kind), ty_str(r));
                return NULL;
            }
        } else if (!ty_is_ordered(v)) {
            diag_error(call->loc, "`%s` needs `by = ...` to compare values of type `%s`",
                       step_kind_name(st->kind), ty_str(v));
            return NULL;
        }
        st->state_type = v;
        return st->in_type;
    }
    case SK_STATEFUL:
        return check_stateful(st, call);
    case SK_JOIN:
        return check_join(st, call);
    case SK_EVENT_CLOCK:
    case SK_SYSTEM_CLOCK:
    case SK_TUMBLING:
    case SK_SLIDING:
    case SK_SESSION:
    case SK_COLLECT_WINDOW:
    case SK_FOLD_WINDOW:
    case SK_REDUCE_WINDOW:
    case SK_COUNT_WINDOW:
    case SK_MAX_WINDOW:
    case SK_MIN_WINDOW:
    case SK_JOIN_WINDOW:
        return sema_check_window(st, call);
    case SK_COUNT:
        break;
    }
    return NULL;
}

/* step = NAME `=` OPERATOR `(` args `)` */
void sema_check_step(Node *decl)
{
    Graph *g = S.graph;
    Step *st = arena_alloc(S.arena, sizeof *st);
    st->index = g->nsteps;
    st->id = decl->name;
    st->decl = decl;
    st->call = decl->lhs;
    g->steps[g->nsteps++] = st;
    Node *call = decl->lhs;
    Type *out = NULL;
    if (call->kind != ND_CALL || call->lhs->kind != ND_IDENT) {
        diag_error(call->loc, "a step must be an operator call, e.g. `%s = map(stream, |x| x)`", decl->name);
    } else {
        int k = step_kind_lookup(call->lhs->name);
        if (k < 0) {
            Suggest sg;
            sema_suggest_init(&sg, call->lhs->name);
            for (k = 0; k < SK_COUNT; k++)
                sema_suggest_try(&sg, step_kind_name((StepKind)k));
            diag_error(call->lhs->loc, "unknown step operator `%s`%s", call->lhs->name,
                       sema_did_you_mean(&sg));
        } else {
            st->kind = (StepKind)k;
            st->stateful = step_is_stateful(st);
            st->nouts = st->kind == SK_OUTPUT ? 0 : st->kind == SK_BRANCH ? 2 : 1;
            if (call->type_ann && st->kind == SK_INPUT)
                diag_error(call->type_ann->loc, "`input` takes no type argument; give it to the source, e.g. `input(testing<int>([]))`");
            else if (call->type_ann)
                diag_error(call->type_ann->loc, "`%s` takes no type argument", call->lhs->name);
            S.current_step = st;
            out = check_operator(st, call);
            S.current_step = NULL;
        }
    }
    if (!out && diag_error_count() == 0)
        ICE("step check failed without a diagnostic");
    st->out_type = out && st->kind != SK_OUTPUT ? out : (out ? NULL : ty_error());
    decl->sym->step = st;
}

/* Whole-graph rules (Bytewax's build-time checks). */
void sema_check_graph(void)
{
    Graph *g = S.graph;
    bool has_out = false;
    for (int i = 0; i < g->nsteps; i++)
        if (g->steps[i]->kind == SK_OUTPUT || g->steps[i]->kind == SK_INSPECT)
            has_out = true;
    Loc at = g->prog->name_loc;
    if (!at.end) {
        at = g->prog->loc;
        at.end = at.start;
    }
    if (g->ninputs == 0)
        diag_error(at, "dataflow `%s` has no input step; add one, e.g. `inp = input(testing([1, 2, 3]))`",
                   g->flow_name);
    else if (!has_out)
        diag_error(at, "dataflow `%s` has no output or inspect step, so it would do nothing", g->flow_name);
}

/* ===================================================================
 * The helpers above, for sema_window.c
 * =================================================================== */

bool sema_bind_args(Node *call, const char *op, int minpos, int maxpos, const char *what_pos,
                    const char *const *options, Args *a)
{
    return bind_args(call, op, minpos, maxpos, what_pos, options, a);
}

Node *sema_opt(Args *a, const char *name) { return opt(a, name); }
Node *sema_required(Args *a, const char *name) { return required(a, name); }
bool sema_resolve_stream(Node *e, PortRef *out, Type **item) { return resolve_stream(e, out, item); }
Type *sema_keyed_value(Step *st, Node *e) { return keyed_value(st, e); }
Node *sema_result_expr(Node *body) { return result_expr(body); }

Type *sema_fn_arg_to(Step *st, Callable *dst, Node *e, Type **p, int n, Type *ret_hint, const char *what)
{
    return fn_arg_to(st, dst, e, p, n, ret_hint, what);
}
