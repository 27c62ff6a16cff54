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
 *
 * Each operator (or family of alike operators) has its own check
 * function, found by step kind in the table check_fns near the end of
 * the file; the windowing ones live in sema_window.c.
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
bool sema_bind_args(Sema *S, Node *call, const char *op, int minpos, int maxpos,
                    const char *what_pos, const char *const *options, Args *a)
{
    memset(a, 0, sizeof *a);
    a->call = call;
    a->op = op;
    size_t n = (size_t)(call->list.n ? call->list.n : 1);
    a->pos = arena_alloc(S->arena, sizeof(Node *) * n);
    a->named = arena_alloc(S->arena, sizeof(Node *) * n);
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
                    list = !list ? arena_printf(S->arena, "`%s`", options[k])
                                 : arena_printf(S->arena, "%s%s `%s`", list, options[k + 1] ? "," : " and",
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

Node *sema_opt(Args *a, const char *name)
{
    for (int k = 0; k < a->nnamed; k++)
        if (strcmp(a->named[k]->name, name) == 0)
            return a->named[k]->lhs;
    return NULL;
}

Node *sema_required(Args *a, const char *name)
{
    Node *n = sema_opt(a, name);
    if (!n)
        diag_error(a->call->loc, "`%s` needs the option `%s = ...`", a->op, name);
    return n;
}

/* ===================================================================
 * Streams
 * =================================================================== */

/* stream = STEP_NAME | STEP_NAME `.` (trues | falses) */
bool sema_resolve_stream(Sema *S, Node *e, PortRef *out, Type **item)
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
    Symbol *s = sema_lookup(S, id->name);
    if (!s) {
        diag_error(id->loc, "use of undeclared stream `%s`%s", id->name,
                   sema_suggest_name(S, id->name, SUG_STREAM));
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
    if (step_family(st->kind) == FAM_OUTPUT) {
        diag_error(id->loc, "`%s` is an output step; it has no stream", id->name);
        return false;
    }
    if (st->win)
        return sema_window_stream(S, st, e, port_name, out, item);
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

static bool one_upstream(Sema *S, Step *st, Node *e)
{
    PortRef p;
    Type *t;
    if (!sema_resolve_stream(S, e, &p, &t))
        return false;
    st->ins = arena_alloc(S->arena, sizeof(PortRef));
    st->ins[0] = p;
    st->nins = 1;
    st->in_type = t;
    return true;
}

/* The stream argument E as written: `xs` or `parts.trues`. */
static const char *stream_text(Sema *S, Node *e)
{
    if (e->kind == ND_FIELD && e->lhs->kind == ND_IDENT)
        return arena_printf(S->arena, "%s.%s", e->lhs->name, e->name);
    return e->kind == ND_IDENT ? e->name : "stream";
}

/* The value type V of a keyed stream, or NULL after reporting; the note
 * points at the step that makes the unkeyed stream. */
Type *sema_keyed_value(Sema *S, Step *st, Node *e)
{
    Type *v = ty_keyed_value(st->in_type);
    if (v)
        return v;
    const char *name = stream_text(S, e);
    diag_error(e->loc, "`%s` needs a keyed stream of `(string, V)`, but `%s` carries `%s`",
               step_kind_name(st->kind), name, ty_str(st->in_type));
    Node *up = st->ins[0].step->decl;
    diag_note(up->name_loc.end ? up->name_loc : up->loc,
              "`%s` is made here; key it first, e.g. `keyed = key_on(%s, |x| ...)`", up->name, name);
    return NULL;
}

/* `init = E` of keyed stateful step ST: checks E, the first state of each
 * key, into st->init; returns its type, the state type, or NULL after an
 * error. */
Type *sema_init_state(Sema *S, Step *st, Node *init)
{
    Type *s = sema_check_expr(S, init, NULL);
    if (ty_resolve(s)->kind == TY_ERROR)
        return NULL;
    st->init = init;
    return s;
}

/* The expression a lambda body yields: the last expression of a block. */
Node *sema_result_expr(Node *body)
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
Type *sema_fn_arg_to(Sema *S, Step *st, Callable *dst, Node *e, Type **p, int n, Type *ret_hint, const char *what)
{
    char buf[128];
    snprintf(buf, sizeof buf, "the %s of `%s`", what, step_kind_name(st->kind));
    Node *lam = sema_callable_node(S, e, n, buf);
    if (!lam)
        return NULL;
    Type *r = sema_check_lambda(S, lam, p, n, ret_hint, arena_printf(S->arena, "%s", buf));
    dst->lambda = lam;
    dst->params = arena_alloc(S->arena, sizeof(Type *) * (size_t)n);
    memcpy(dst->params, p, sizeof(Type *) * (size_t)n);
    dst->nparams = n;
    dst->ret = r;
    if (ty_resolve(r)->kind == TY_ERROR)
        return NULL;
    return r;
}

static Type *fn_arg(Sema *S, Step *st, Node *e, Type **p, int n, Type *ret_hint, const char *what)
{
    return sema_fn_arg_to(S, st, &st->fn, e, p, n, ret_hint, what);
}

static Type *fn1(Sema *S, Step *st, Node *e, Type *p0, Type *ret_hint, const char *what)
{
    Type *p[1] = { p0 };
    return fn_arg(S, st, e, p, 1, ret_hint, what);
}

static bool fn_returns(Step *st, Type *r, Type *want, const char *what)
{
    if (ty_accepts(want, r) && !(ty_resolve(want)->kind != TY_OPT && ty_resolve(r)->kind == TY_OPT))
        return true;
    Node *body = st->fn.lambda->body;
    diag_error(body->loc, "the %s of `%s` must return `%s`, found `%s`", what,
               step_kind_name(st->kind), ty_str(want), ty_str(r));
    sema_json_note(body->loc, want, r);
    return false;
}

/* ===================================================================
 * Sources and sinks
 * =================================================================== */

static const char *const testing_opts[] = { "batch_size", NULL };

static bool check_int_option(Sema *S, Node *e, const char *what)
{
    Type *t = sema_check_expr(S, e, T(TY_INT));
    if (!sema_expect(e, T(TY_INT), t))
        return false;
    if (e->kind == ND_INT && e->ival < 1) {
        diag_error(e->loc, "%s must be at least 1", what);
        return false;
    }
    return true;
}

/* EOF and ABORT among the elements of a list literal given to testing (Bytewax's
 * TestingSource.EOF() and .ABORT(), unless the program binds those names):
 * taken out of the list into ST's marks, each with the count of items before it. */
static void take_testing_marks(Sema *S, Step *st, Node *l)
{
    if (l->kind != ND_LIST)
        return;
    int n = 0;
    for (int i = 0; i < l->list.n; i++) {
        Node *e = l->list.items[i];
        bool mark = e->kind == ND_IDENT && (strcmp(e->name, "EOF") == 0 || strcmp(e->name, "ABORT") == 0) &&
                    !sema_lookup(S, e->name);
        if (!mark) {
            l->list.items[n++] = e;
            continue;
        }
        if (st->nmarks % 8 == 0) {
            TestingMark *m = arena_alloc(S->arena, sizeof *m * (size_t)(st->nmarks + 8));
            if (st->nmarks)
                memcpy(m, st->marks, sizeof *m * (size_t)st->nmarks);
            st->marks = m;
        }
        st->marks[st->nmarks++] = (TestingMark){ .pos = n, .abort = e->name[0] == 'A' };
    }
    l->list.n = n;
}

/* source = testing(LIST [, batch_size = N]) | testing(range(N)) | file/stdin/dir/kafka(...) (sema_io.c) */
static Type *check_source(Sema *S, Step *st, Node *src)
{
    if (sema_is_extern(src))
        return sema_check_extern_source(S, st, src);   /* sema_extern.c */
    if (src->kind != ND_CALL || src->lhs->kind != ND_IDENT) {
        diag_error(src->loc, "expected a source: `testing(...)` or `file(...)`");
        return NULL;
    }
    const char *kind = src->lhs->name;
    Args a;
    if (strcmp(kind, "testing") == 0) {
        if (!sema_bind_args(S, src, "testing", 1, 1, "a list", testing_opts, &a))
            return NULL;
        Node *bs = sema_opt(&a, "batch_size");
        if (bs && !check_int_option(S, bs, "`batch_size`"))
            return NULL;
        st->batch_size = bs;
        Node *l = a.pos[0];
        Type *ann = src->type_ann ? sema_type_from_ann(S, src->type_ann) : NULL;
        if (l->kind == ND_CALL && l->lhs->kind == ND_IDENT && strcmp(l->lhs->name, "range") == 0 &&
            l->list.n == 1 && !l->list.items[0]->name && !sema_lookup(S, l->lhs->name)->decl) {
            Node *n = l->list.items[0]->lhs;
            Type *t = sema_check_expr(S, n, T(TY_INT));
            if (!sema_expect(n, T(TY_INT), t))
                return NULL;
            if (ann && !ty_unify(ann, T(TY_INT)))
                sema_mismatch(src->type_ann->loc, T(TY_INT), ann);
            st->source = SRC_RANGE;
            st->range_n = n;
            l->ty = ty_list(T(TY_INT));
            return T(TY_INT);
        }
        take_testing_marks(S, st, l);
        Type *t = sema_check_expr(S, l, ann ? ty_list(ann) : NULL);
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
        return sema_check_nexmark(S, st, src);   /* sema_nexmark.c */
    if (sema_io_source_kind(kind))
        return sema_check_io_source(S, st, src);   /* sema_io.c */
    diag_error(src->lhs->loc, "unknown source `%s`; expected `testing(...)`, `file(...)`, `stdin(...)`, `dir(...)` or `kafka(...)`", kind);
    return NULL;
}

static bool check_sink(Sema *S, Step *st, Node *e)
{
    const char *name = NULL;
    if (e->kind == ND_IDENT)
        name = e->name;
    else if (e->kind == ND_CALL && e->lhs->kind == ND_IDENT)
        name = e->lhs->name;
    if (sema_is_extern(e))
        return sema_check_extern_sink(st, e);   /* sema_extern.c */
    if (sema_io_sink(e))
        return sema_check_io_sink(S, st, e);   /* sema_io.c */
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
 * Operators' options, and the new state of keyed stateful operators
 * =================================================================== */

static const char *const no_opts[] = { NULL };
static const char *const init_opts[] = { "init", NULL };
static const char *const collect_opts[] = { "timeout", "max_size", NULL };
static const char *const batch_opts[] = { "timeout", "batch_size", NULL };
static const char *const by_opts[] = { "by", NULL };
static const char *const stateful_opts[] = { "init", "on_item", "on_notify", "on_eof", "notify_at", NULL };
static const char *const stateful_batch_opts[] = { "init", "on_batch", "on_notify", "on_eof", "notify_at", NULL };
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
 * with *W (NULL on the first callback, FIRST: its name) and returns false
 * after an error; OP names the operator in messages. */
static bool check_logic_result(Callable *c, Type *r, Type *s, Type **w, const char *what, const char *op,
                               const char *first)
{
    Type *rr = ty_resolve(r);
    Node *body = c->lambda->body;
    if (rr->kind != TY_TUPLE || rr->n != 2 || ty_resolve(rr->elems[1])->kind != TY_LIST) {
        diag_error(body->loc, "`%s` of `%s` must return `(new_state, [outputs])`, found `%s`", what, op, ty_str(r));
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
        diag_error(body->loc, "`%s` of `%s` emits `%s`, but `%s` emits `%s`", what, op, ty_str(el), first, ty_str(*w));
        return false;
    }
    return true;
}

/* ===================================================================
 * Operators: one check per operator (or family of alike operators),
 * found by kind in check_fns below. Each returns the step's output item
 * type, or NULL after an error.
 * =================================================================== */

/* input(SOURCE) */
static Type *check_input(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!sema_bind_args(S, call, "input", 1, 1, "a source", no_opts, &a))
        return NULL;
    Type *t = check_source(S, st, a.pos[0]);
    if (t) {
        st->input_no = S->graph->ninputs;
        S->graph->inputs[S->graph->ninputs++] = st;
    }
    return t;
}

/* output(stream, SINK) */
static Type *check_output(Sema *S, Step *st, Node *call)
{
    Args a;
    st->nouts = 0;
    if (!sema_bind_args(S, call, "output", 2, 2, "a stream and a sink", no_opts, &a))
        return NULL;
    if (!one_upstream(S, st, a.pos[0]) || !check_sink(S, st, a.pos[1]))
        return NULL;
    return T(TY_BOOL);   /* placeholder; output steps have no stream */
}

/* OP(stream) (NPOS 1) or OP(stream, function) (NPOS 2): bind the
 * arguments and read the stream. */
static bool stream_args(Sema *S, Step *st, Node *call, int npos, Args *a)
{
    const char *what = npos == 1 ? "a stream" : "a stream and a function";
    return sema_bind_args(S, call, step_kind_name(st->kind), npos, npos, what, no_opts, a) &&
           one_upstream(S, st, a->pos[0]);
}

/* map(stream, |x| y) */
static Type *check_map(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!stream_args(S, st, call, 2, &a))
        return NULL;
    return fn1(S, st, a.pos[1], st->in_type, NULL, "mapper");
}

/* filter(stream, |x| bool) */
static Type *check_filter(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!stream_args(S, st, call, 2, &a))
        return NULL;
    Type *r = fn1(S, st, a.pos[1], st->in_type, T(TY_BOOL), "predicate");
    return r && fn_returns(st, r, T(TY_BOOL), "predicate") ? st->in_type : NULL;
}

/* branch(stream, |x| bool): a filter with two ports, trues and falses */
static Type *check_branch(Sema *S, Step *st, Node *call)
{
    st->nouts = 2;
    return check_filter(S, st, call);
}

/* filter_map(stream, |x| y?) */
static Type *check_filter_map(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!stream_args(S, st, call, 2, &a))
        return NULL;
    Type *r = fn1(S, st, a.pos[1], st->in_type, NULL, "mapper");
    if (!r)
        return NULL;
    r = ty_resolve(r);
    if (r->kind == TY_OPT && ty_has_var(r->elem)) {
        diag_error(st->fn.lambda->body->loc, "the mapper of `filter_map` only returns none");
        return NULL;
    }
    return r->kind == TY_OPT ? r->elem : r;
}

/* What iterating a value of type T gives, as Python's `for x in v`: a
 * list's or set's elements, a dict's keys; NULL for other types. */
static Type *iter_elem(Type *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_LIST: case TY_SET: return t->elem;
    case TY_DICT: return t->key;
    case TY_JSON: return t;   /* an array's elements, an object's keys, a string's characters */
    default: return NULL;
    }
}

/* flat_map(stream, |x| [y]) (the mapper may also return a set, or a
 * dict whose keys are emitted, as Python iterates them) */
static Type *check_flat_map(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!stream_args(S, st, call, 2, &a))
        return NULL;
    Type *r = fn1(S, st, a.pos[1], st->in_type, NULL, "mapper");
    if (!r)
        return NULL;
    if (!iter_elem(r)) {
        diag_error(st->fn.lambda->body->loc, "the mapper of `flat_map` must return a list, found `%s`",
                   ty_str(r));
        return NULL;
    }
    return iter_elem(r);
}

/* flat_map_batch(stream, |batch: list<T>| list<U>): the round's items at once */
static Type *check_flat_map_batch(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!stream_args(S, st, call, 2, &a))
        return NULL;
    Type *r = fn1(S, st, a.pos[1], ty_list(st->in_type), NULL, "mapper");
    if (!r)
        return NULL;
    if (ty_resolve(r)->kind != TY_LIST) {
        diag_error(st->fn.lambda ? st->fn.lambda->body->loc : a.pos[1]->loc,
                   "the mapper of `flat_map_batch` must return a list, found `%s`", ty_str(r));
        return NULL;
    }
    return ty_resolve(r)->elem;
}

static const char *const enrich_opts[] = { "ttl", NULL };

/* enrich_cached(stream, getter, |cache, x| y [, ttl = D]): the mapper reads
 * the cache with get(cache, k), which calls getter(k) on a miss or once
 * the key's entry is older than D (Bytewax's TTLCache). The key type is the
 * getter's parameter, or what the mapper passes to get. */
static Type *check_enrich_cached(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!sema_bind_args(S, call, "enrich_cached", 3, 3, "a stream, a getter and a mapper", enrich_opts, &a) ||
        !one_upstream(S, st, a.pos[0]))
        return NULL;
    Node *ttl = sema_opt(&a, "ttl");
    if (ttl) {
        if (!sema_expect(ttl, T(TY_DURATION), sema_check_expr(S, ttl, T(TY_DURATION))))
            return NULL;
        st->ttl_expr = ttl;
    }
    Type *k = ty_var();
    Type *p[2] = { k, NULL };
    Type *v = sema_fn_arg_to(S, st, &st->getter, a.pos[1], p, 1, NULL, "getter");
    if (!v)
        return NULL;
    if (a.pos[2]->kind != ND_LAMBDA) {
        diag_error(a.pos[2]->loc,
                   "the mapper of `enrich_cached` must be a lambda `|cache, item| ...`: its cache can only be read "
                   "inside it, with `get(cache, KEY)`");
        return NULL;
    }
    p[0] = ty_cache(k, v, st);
    p[1] = st->in_type;
    Type *r = fn_arg(S, st, a.pos[2], p, 2, NULL, "mapper");
    if (!r)
        return NULL;
    if (ty_has_var(k) || ty_has_var(v)) {
        diag_error(st->getter.lambda->loc,
                   "cannot tell the %s of the getter of `enrich_cached`; annotate it, e.g. `|key: string| ...`",
                   ty_has_var(k) ? "key type" : "result type");
        return NULL;
    }
    return r;
}

/* key_on(stream, |x| string) */
static Type *check_key_on(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!stream_args(S, st, call, 2, &a))
        return NULL;
    Type *r = fn1(S, st, a.pos[1], st->in_type, T(TY_STRING), "key function");
    if (!r || !fn_returns(st, r, T(TY_STRING), "key function"))
        return NULL;
    return ty_pair(T(TY_STRING), st->in_type);
}

/* flatten(stream of lists) */
static Type *check_flatten(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!stream_args(S, st, call, 1, &a))
        return NULL;
    Type *t = ty_resolve(st->in_type);
    if (t->kind != TY_LIST) {
        diag_error(a.pos[0]->loc, "`flatten` needs a stream of lists, but `%s` carries `%s`",
                   stream_text(S, a.pos[0]), ty_str(t));
        return NULL;
    }
    return t->elem;
}

/* inspect(stream) | redistribute(stream): the items pass unchanged */
static Type *check_pass(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!stream_args(S, st, call, 1, &a))
        return NULL;
    return st->in_type;
}

/* key_rm(keyed stream) */
static Type *check_key_rm(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!stream_args(S, st, call, 1, &a))
        return NULL;
    return sema_keyed_value(S, st, a.pos[0]);
}

/* merge(stream, stream, ...) */
static Type *check_merge(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!sema_bind_args(S, call, "merge", 1, -1, "streams", no_opts, &a))
        return NULL;
    st->ins = arena_alloc(S->arena, sizeof(PortRef) * (size_t)a.npos);
    st->nins = a.npos;
    Type *acc = NULL;
    bool ok = true;
    for (int i = 0; i < a.npos; i++) {
        Type *t;
        if (!sema_resolve_stream(S, a.pos[i], &st->ins[i], &t)) {
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

/* OP(keyed stream, function): bind and read the stream; its value type V,
 * or NULL after an error. */
static Type *keyed_and_fn(Sema *S, Step *st, Node *call, Args *a)
{
    if (!sema_bind_args(S, call, step_kind_name(st->kind), 2, 2, "a keyed stream and a function", no_opts, a))
        return NULL;
    if (!one_upstream(S, st, a->pos[0]))
        return NULL;
    return sema_keyed_value(S, st, a->pos[0]);
}

/* map_value(keyed, |v| w) */
static Type *check_map_value(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v = keyed_and_fn(S, st, call, &a);
    Type *r = v ? fn1(S, st, a.pos[1], v, NULL, "mapper") : NULL;
    if (!r)
        return NULL;
    return ty_pair(T(TY_STRING), ty_resolve(r));
}

/* filter_value(keyed, |v| bool) */
static Type *check_filter_value(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v = keyed_and_fn(S, st, call, &a);
    if (!v)
        return NULL;
    Type *r = fn1(S, st, a.pos[1], v, T(TY_BOOL), "predicate");
    return r && fn_returns(st, r, T(TY_BOOL), "predicate") ? st->in_type : NULL;
}

/* filter_map_value(keyed, |v| w?) */
static Type *check_filter_map_value(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v = keyed_and_fn(S, st, call, &a);
    Type *r = v ? fn1(S, st, a.pos[1], v, NULL, "mapper") : NULL;
    if (!r)
        return NULL;
    r = ty_resolve(r);
    return ty_pair(T(TY_STRING), r->kind == TY_OPT ? r->elem : r);
}

/* flat_map_value(keyed, |v| [w]) */
static Type *check_flat_map_value(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v = keyed_and_fn(S, st, call, &a);
    Type *r = v ? fn1(S, st, a.pos[1], v, NULL, "mapper") : NULL;
    if (!r)
        return NULL;
    if (!iter_elem(r)) {
        diag_error(st->fn.lambda->body->loc,
                   "the mapper of `flat_map_value` must return a list, found `%s`", ty_str(r));
        return NULL;
    }
    return ty_pair(T(TY_STRING), iter_elem(r));
}

/* OP(keyed, |state, v| ..., init = E): the stream, init (the state type,
 * in st->state_type) and the function, called WHAT. Returns the
 * function's result type, or NULL after an error. */
static Type *init_and_fn(Sema *S, Step *st, Node *call, const char *what)
{
    Args a;
    Type *v;
    if (!sema_bind_args(S, call, step_kind_name(st->kind), 2, 2, "a keyed stream and a function", init_opts, &a))
        return NULL;
    Node *init = sema_required(&a, "init");
    if (!one_upstream(S, st, a.pos[0]) || !(v = sema_keyed_value(S, st, a.pos[0])) || !init)
        return NULL;
    Type *s = sema_init_state(S, st, init);
    if (!s)
        return NULL;
    Type *p[2] = { s, v };
    Type *r = fn_arg(S, st, a.pos[1], p, 2, NULL, what);
    if (!r)
        return NULL;
    st->state_type = s;
    return r;
}

/* fold_final(keyed, |state, v| state, init = E) */
static Type *check_fold_final(Sema *S, Step *st, Node *call)
{
    Type *r = init_and_fn(S, st, call, "folder");
    if (!r)
        return NULL;
    Type *s = st->state_type;
    if (!ty_accepts(s, r) || ty_resolve(r)->kind == TY_OPT) {
        diag_error(sema_result_expr(st->fn.lambda->body)->loc,
                   "the folder of `fold_final` must return the state type `%s`, found `%s`",
                   ty_str(s), ty_str(r));
        diag_note(st->init->loc, "the state type is the type of `init`");
        return NULL;
    }
    return ty_pair(T(TY_STRING), s);
}

/* stateful_map and stateful_flat_map: the mapper returns
 * `(new_state, OUT)` (OUT_WHAT names OUT in messages); returns that
 * result type, or NULL after an error. */
static Type *stateful_mapper(Sema *S, Step *st, Node *call, const char *out_what)
{
    Type *r = init_and_fn(S, st, call, "mapper");
    if (!r)
        return NULL;
    Type *s = st->state_type;
    Type *rr = ty_resolve(r);
    if (rr->kind != TY_TUPLE || rr->n != 2) {
        diag_error(st->fn.lambda->body->loc, "the mapper of `%s` must return a pair `(new_state, %s)`, found `%s`",
                   step_kind_name(st->kind), out_what, ty_str(r));
        return NULL;
    }
    Type *ns = ty_resolve(rr->elems[0]);
    if (!new_state_fits(s, ns, &st->state_opt_result)) {
        Node *res = sema_result_expr(st->fn.lambda->body);
        if (res->kind == ND_TUPLE && res->list.n == 2)
            res = res->list.items[0];
        diag_error(res->loc, "the new state must have the state type `%s` (or be none), found `%s`",
                   ty_str(s), ty_str(ns));
        diag_note(st->init->loc, "the state type is the type of `init`");
        return NULL;
    }
    return r;
}

/* stateful_map(keyed, |state, v| (new_state, w), init = E) */
static Type *check_stateful_map(Sema *S, Step *st, Node *call)
{
    Type *r = stateful_mapper(S, st, call, "output");
    if (!r)
        return NULL;
    return ty_pair(T(TY_STRING), ty_resolve(r)->elems[1]);
}

/* stateful_flat_map(keyed, |state, v| (new_state, [w]), init = E) */
static Type *check_stateful_flat_map(Sema *S, Step *st, Node *call)
{
    Type *r = stateful_mapper(S, st, call, "[outputs]");
    if (!r)
        return NULL;
    Type *out = ty_resolve(r)->elems[1];
    if (ty_resolve(out)->kind != TY_LIST) {
        diag_error(st->fn.lambda->body->loc,
                   "the mapper of `stateful_flat_map` must return `(new_state, [outputs])`, found `%s`",
                   ty_str(r));
        return NULL;
    }
    return ty_pair(T(TY_STRING), ty_resolve(out)->elem);
}

/* collect(keyed, timeout = D, max_size = N) | batch(keyed, timeout = D,
 * batch_size = N): OPTS, the size option SIZE_OPT (SIZE_WHAT in messages). */
static Type *check_buffer(Sema *S, Step *st, Node *call, const char *const *opts, const char *size_opt,
                          const char *size_what)
{
    Args a;
    Type *v;
    if (!sema_bind_args(S, call, step_kind_name(st->kind), 1, 1, "a keyed stream", opts, &a))
        return NULL;
    Node *to = sema_required(&a, "timeout");
    Node *ms = sema_required(&a, size_opt);
    if (!one_upstream(S, st, a.pos[0]) || !(v = sema_keyed_value(S, st, a.pos[0])) || !to || !ms)
        return NULL;
    Type *tt = sema_check_expr(S, to, T(TY_DURATION));
    if (!sema_expect(to, T(TY_DURATION), tt))
        return NULL;
    if (!check_int_option(S, ms, size_what))
        return NULL;
    st->timeout_expr = to;
    st->max_size_expr = ms;
    st->state_type = ty_list(v);
    return ty_pair(T(TY_STRING), ty_list(v));
}

/* collect(keyed, timeout = D, max_size = N) */
static Type *check_collect(Sema *S, Step *st, Node *call)
{
    return check_buffer(S, st, call, collect_opts, "max_size", "`max_size`");
}

/* batch(keyed, timeout = D, batch_size = N) */
static Type *check_batch(Sema *S, Step *st, Node *call)
{
    return check_buffer(S, st, call, batch_opts, "batch_size", "`batch_size`");
}

/* reduce_final(keyed, |v, v| v) */
static Type *check_reduce_final(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v;
    if (!sema_bind_args(S, call, "reduce_final", 2, 2, "a keyed stream and a reducer", no_opts, &a))
        return NULL;
    if (!one_upstream(S, st, a.pos[0]) || !(v = sema_keyed_value(S, st, a.pos[0])))
        return NULL;
    Type *p[2] = { v, v };
    Type *r = fn_arg(S, st, a.pos[1], p, 2, v, "reducer");
    if (!r || !fn_returns(st, r, v, "reducer"))
        return NULL;
    st->state_type = v;
    return st->in_type;
}

/* count_final(stream, |x| string) */
static Type *check_count_final(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!sema_bind_args(S, call, "count_final", 2, 2, "a stream and a key function", no_opts, &a))
        return NULL;
    if (!one_upstream(S, st, a.pos[0]))
        return NULL;
    Type *r = fn1(S, st, a.pos[1], st->in_type, T(TY_STRING), "key function");
    if (!r || !fn_returns(st, r, T(TY_STRING), "key function"))
        return NULL;
    st->state_type = T(TY_INT);
    return ty_pair(T(TY_STRING), T(TY_INT));
}

/* The option `by = |v| ordered` of max_final, min_final, max_window and
 * min_window (A their arguments, V their values): without it, V itself
 * must be ordered. False after an error. */
bool sema_check_by(Sema *S, Step *st, Node *call, Args *a, Type *v)
{
    Node *by = sema_opt(a, "by");
    if (by) {
        Type *r = fn1(S, st, by, v, NULL, "`by` function");
        if (!r)
            return false;
        if (!ty_is_ordered(r)) {
            diag_error(st->fn.lambda->body->loc, "the `by` function of `%s` must return an ordered value, found `%s`",
                       step_kind_name(st->kind), ty_str(r));
            return false;
        }
    } else if (!ty_is_ordered(v)) {
        diag_error(call->loc, "`%s` needs `by = ...` to compare values of type `%s`",
                   step_kind_name(st->kind), ty_str(v));
        return false;
    }
    return true;
}

/* max_final(keyed [, by = |v| ordered]) | min_final(...) */
static Type *check_max_min_final(Sema *S, Step *st, Node *call)
{
    Args a;
    Type *v;
    if (!sema_bind_args(S, call, step_kind_name(st->kind), 1, 1, "a keyed stream", by_opts, &a))
        return NULL;
    if (!one_upstream(S, st, a.pos[0]) || !(v = sema_keyed_value(S, st, a.pos[0])))
        return NULL;
    if (!sema_check_by(S, st, call, &a, v))
        return NULL;
    st->state_type = v;
    return st->in_type;
}

/* stateful and stateful_batch: Bytewax's StatefulLogic and StatefulBatchLogic
 * (docs/semantics.md §11.2); with BATCH, on_batch gets the list of the key's
 * values of the round instead of on_item one value. */
static Type *check_stateful_logic(Sema *S, Step *st, Node *call, bool batch)
{
    const char *op = batch ? "stateful_batch" : "stateful";
    const char *first = batch ? "on_batch" : "on_item";
    Args a;
    if (!sema_bind_args(S, call, op, 1, 1, "a keyed stream", batch ? stateful_batch_opts : stateful_opts, &a))
        return NULL;
    Node *init = sema_required(&a, "init");
    Node *on_item = sema_required(&a, first);
    Type *v;
    if (!one_upstream(S, st, a.pos[0]) || !(v = sema_keyed_value(S, st, a.pos[0])) || !init || !on_item)
        return NULL;
    Type *s = sema_init_state(S, st, init);
    if (!s)
        return NULL;
    st->state_type = s;
    Type *w = NULL;
    Type *p[2] = { s, batch ? ty_list(v) : v };
    Type *r = sema_fn_arg_to(S, st, &st->fn, on_item, p, 2, NULL, arena_printf(S->arena, "%s function", first));
    if (!r || !check_logic_result(&st->fn, r, s, &w, first, op, first))
        return NULL;
    static const char *const names[] = { "on_notify", "on_eof" };
    Callable *dst[] = { &st->on_notify, &st->on_eof };
    for (int i = 0; i < 2; i++) {
        Node *g = sema_opt(&a, names[i]);
        if (!g)
            continue;
        r = sema_fn_arg_to(S, st, dst[i], g, p, 1, NULL, arena_printf(S->arena, "%s function", names[i]));
        if (!r || !check_logic_result(dst[i], r, s, &w, names[i], op, first))
            return NULL;
    }
    Node *n = sema_opt(&a, "notify_at");
    if (n) {
        r = sema_fn_arg_to(S, st, &st->notify_at, n, p, 1, ty_opt(T(TY_TIMESTAMP)), "notify_at function");
        if (!r)
            return NULL;
        if (!ty_accepts(ty_opt(T(TY_TIMESTAMP)), r)) {
            diag_error(st->notify_at.lambda->body->loc,
                       "`notify_at` of `%s` must return `timestamp?`, found `%s`", op, ty_str(r));
            return NULL;
        }
    }
    return ty_pair(T(TY_STRING), w);
}

/* stateful(keyed, init = E, on_item = f [, on_notify = g, on_eof = h, notify_at = n]) */
static Type *check_stateful(Sema *S, Step *st, Node *call) { return check_stateful_logic(S, st, call, false); }

/* stateful_batch(keyed, init = E, on_batch = |s, values| ..., on_notify, on_eof, notify_at) */
static Type *check_stateful_batch(Sema *S, Step *st, Node *call) { return check_stateful_logic(S, st, call, true); }

/* Mode option OPT_NAME of join (join_window when WINDOW, which words an
 * unknown mode its own way): a string literal among NAMES; returns its
 * index, DFLT when absent or unknown (*OK false after reporting). */
static int join_mode(Args *a, const char *opt_name, const char *const *names, bool window, int dflt, bool *ok)
{
    Node *m = sema_opt(a, opt_name);
    if (!m)
        return dflt;
    if (m->kind == ND_STRING)
        for (int i = 0; names[i]; i++)
            if (strcmp(m->sval, names[i]) == 0)
                return i;
    if (window)
        diag_error(m->loc, "`%s` must be one of \"%s\", \"%s\" or \"%s\"", opt_name, names[0], names[1], names[2]);
    else
        diag_error(m->loc, "unknown join %s; expected \"%s\", \"%s\" or \"%s\"",
                   strcmp(opt_name, "insert_mode") == 0 ? "insert mode" : "emit mode", names[0], names[1], names[2]);
    *ok = false;
    return dflt;
}

bool sema_join_modes(Args *a, bool window, JoinInsertMode *insert, JoinEmitMode *emit)
{
    static const char *const inserts[] = { "first", "last", "product", NULL };
    static const char *const emits[] = { "complete", "final", "running", NULL };
    bool ok = true;
    *insert = (JoinInsertMode)join_mode(a, "insert_mode", inserts, window, (int)*insert, &ok);
    *emit = (JoinEmitMode)join_mode(a, "emit_mode", emits, window, (int)*emit, &ok);
    return ok;
}

/* join(a, b, ..., insert_mode = "last", emit_mode = "complete"): docs/semantics.md §11.5.
 * Emits (key, (v_a, v_b, ...)); a side's element is optional where it can be
 * missing (final, running). */
static Type *check_join(Sema *S, Step *st, Node *call)
{
    Args a;
    if (!sema_bind_args(S, call, "join", 1, -1, "keyed streams", join_opts, &a))
        return NULL;
    st->insert_mode = JOIN_LAST;
    st->emit_mode = JOIN_COMPLETE;
    bool ok = sema_join_modes(&a, false, &st->insert_mode, &st->emit_mode);
    st->ins = arena_alloc(S->arena, sizeof(PortRef) * (size_t)a.npos);
    st->in_types = arena_alloc(S->arena, sizeof(Type *) * (size_t)a.npos);
    st->nins = a.npos;
    Type **row = arena_alloc(S->arena, sizeof(Type *) * (size_t)a.npos);
    for (int i = 0; i < a.npos; i++) {
        Type *t;
        if (!sema_resolve_stream(S, a.pos[i], &st->ins[i], &t)) {
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

/* ===================================================================
 * Step declarations
 * =================================================================== */

/* The check of each step kind of steps.def, called by sema_check_step
 * with the step's kind set (windowing: sema_window.c). */
static StepCheck *const check_fns[SK_COUNT] = {
    [SK_INPUT] = check_input,
    [SK_OUTPUT] = check_output,
    [SK_MAP] = check_map,
    [SK_FILTER] = check_filter,
    [SK_FILTER_MAP] = check_filter_map,
    [SK_FLAT_MAP] = check_flat_map,
    [SK_FLATTEN] = check_flatten,
    [SK_INSPECT] = check_pass,
    [SK_INSPECT_DEBUG] = check_pass,
    [SK_FLAT_MAP_BATCH] = check_flat_map_batch,
    [SK_RAISES] = check_pass,
    [SK_BRANCH] = check_branch,
    [SK_MERGE] = check_merge,
    [SK_KEY_ON] = check_key_on,
    [SK_KEY_RM] = check_key_rm,
    [SK_MAP_VALUE] = check_map_value,
    [SK_FILTER_VALUE] = check_filter_value,
    [SK_FILTER_MAP_VALUE] = check_filter_map_value,
    [SK_FLAT_MAP_VALUE] = check_flat_map_value,
    [SK_REDISTRIBUTE] = check_pass,
    [SK_ENRICH_CACHED] = check_enrich_cached,
    [SK_STATEFUL_MAP] = check_stateful_map,
    [SK_STATEFUL_FLAT_MAP] = check_stateful_flat_map,
    [SK_COLLECT] = check_collect,
    [SK_BATCH] = check_batch,
    [SK_REDUCE_FINAL] = check_reduce_final,
    [SK_FOLD_FINAL] = check_fold_final,
    [SK_COUNT_FINAL] = check_count_final,
    [SK_MAX_FINAL] = check_max_min_final,
    [SK_MIN_FINAL] = check_max_min_final,
    [SK_STATEFUL] = check_stateful,
    [SK_STATEFUL_BATCH] = check_stateful_batch,
    [SK_JOIN] = check_join,
    [SK_EVENT_CLOCK] = sema_check_event_clock,
    [SK_SYSTEM_CLOCK] = sema_check_system_clock,
    [SK_TUMBLING] = sema_check_tumbling,
    [SK_SLIDING] = sema_check_sliding,
    [SK_SESSION] = sema_check_session,
    [SK_COLLECT_WINDOW] = sema_check_collect_window,
    [SK_FOLD_WINDOW] = sema_check_fold_window,
    [SK_REDUCE_WINDOW] = sema_check_reduce_window,
    [SK_COUNT_WINDOW] = sema_check_count_window,
    [SK_MAX_WINDOW] = sema_check_max_min_window,
    [SK_MIN_WINDOW] = sema_check_max_min_window,
    [SK_JOIN_WINDOW] = sema_check_join_window,
    [SK_WINDOW] = sema_check_window,
};

/* step = NAME `=` OPERATOR `(` args `)` */
void sema_check_step(Sema *S, Node *decl)
{
    Graph *g = S->graph;
    Step *st = arena_alloc(S->arena, sizeof *st);
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
                       sema_did_you_mean(S, &sg));
        } else {
            st->kind = (StepKind)k;
            st->nouts = 1;   /* the checks of output, branch and windowing set theirs */
            if (call->type_ann && st->kind == SK_INPUT)
                diag_error(call->type_ann->loc, "`input` takes no type argument; give it to the source, e.g. `input(testing<int>([]))`");
            else if (call->type_ann)
                diag_error(call->type_ann->loc, "`%s` takes no type argument", call->lhs->name);
            if (!check_fns[k])
                ICE("no check for step kind");
            out = check_fns[k](S, st, call);
        }
    }
    if (!out && diag_error_count() == 0)
        ICE("step check failed without a diagnostic");
    st->out_type = out && step_family(st->kind) != FAM_OUTPUT ? out : (out ? NULL : ty_error());
    decl->sym->step = st;
}

/* Whole-graph rules (Bytewax's build-time checks). */
void sema_check_graph(Sema *S)
{
    Graph *g = S->graph;
    bool has_out = false;
    for (int i = 0; i < g->nsteps; i++)
        if (step_family(g->steps[i]->kind) == FAM_OUTPUT || step_has(g->steps[i], TR_PRINTS))
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
