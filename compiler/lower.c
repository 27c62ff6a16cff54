/*
 * lower.c - from the checked program to the dataflow graph the emitter
 * walks: who consumes each output port, which inputs each step depends on
 * (for EOF), and which steps are fused into their upstream.
 *
 * Execution model (docs/semantics.md §3): in each round every step runs in
 * declaration order and processes everything it received this round
 * (operator at a time, like Timely). Fusion is how we still let an
 * upstream call its downstream directly: a stateless step C is fused into
 * its upstream S (C's item function is called straight from S's, item by
 * item) when that cannot change anything a user can observe:
 *   - S has exactly one consumer (C) on that port, C has one input port;
 *   - C is not stateful, not a merge, not an input;
 *   - if C prints (inspect, output to stdout or extern), its group holds
 *     no other printing step, and if C is an extern output, no step that
 *     may fail; if C may fail (it calls user code), no printing step
 *     and no other step that may fail comes before it in its group
 *     (Bytewax would run that one over the whole round first, and stop
 *     there if it fails on a later item);
 *   - if C prints or may fail, every step before it in declaration order
 *     that prints or may fail is in its group or runs before its group
 *     does (their group heads come no later).
 *   These keep what a run that stops on an error has printed Bytewax's
 *   (docs/semantics.md §14.1): every step declared before the failing
 *   one ran its whole round, none declared after it ran; the one part a
 *   chain cannot keep, a printing step after the failing one in its
 *   group having printed the items before the failing one, is taken
 *   back from the stdout buffer (flow_rt_segment).
 *   - or C is a stateful_map / stateful_flat_map (TR_ITEMWISE in
 *     steps.def) that receives at most one item a round (one_per_round: a
 *     chain of one-in-at-most-one-out steps from a testing input without
 *     batch_size); with one item there is no grouping by key to wait for,
 *     its outputs just happen at its upstream's time, so the same
 *     conditions apply.
 * Everything else runs as a group head at its own place in the order,
 * reading the per-port buffer its upstreams filled. A final (fold_final,
 * reduce_final, count_final, max_final, min_final) emits nothing before
 * the end of its input, so its upstream calls its item function directly
 * (direct_final), unless its function may fail and its upstream's group
 * prints or may fail, or an effectful step's group comes later: then it
 * buffers and runs at its own place, as C above would not be fused.
 * (Deliberately simple: groups are chains; a branch or a step with two
 * consumers ends a chain.)
 */
#include <string.h>
#include "flowc.h"
#include "graph.h"
#include "sema.h"

static void add_consumer(Arena *a, Step *from, int port, Step *to, int in_port)
{
    int n = from->nout_consumers[port];
    Consumer *nc = arena_alloc(a, sizeof(Consumer) * (size_t)(n + 1));
    if (n)
        memcpy(nc, from->outs[port], sizeof(Consumer) * (size_t)n);
    nc[n].step = to;
    nc[n].in_port = in_port;
    from->outs[port] = nc;
    from->nout_consumers[port] = n + 1;
}

/* Can expression N raise at run time (docs/semantics.md §14.1)? Integer,
 * duration and timestamp arithmetic (overflow, the datetime range),
 * division (`/`, `//`) and `%` (by zero), indexing, and the built-ins that convert
 * or reduce can; a call of a fn can if its body can (DEPTH bounds the
 * recursion; beyond it, yes). Errs on the side of yes. */
static bool expr_may_fail(const Node *n, int depth)
{
    if (!n)
        return false;
    switch (n->kind) {
    case ND_INDEX:
        return true;
    case ND_BINARY:
        if (n->op == OP_ADD || n->op == OP_SUB || n->op == OP_MUL || n->op == OP_DIV || n->op == OP_MOD ||
            n->op == OP_FLOORDIV) {
            Type *t = n->lhs->ty ? ty_resolve(n->lhs->ty) : NULL;
            bool div = n->op == OP_DIV || n->op == OP_MOD || n->op == OP_FLOORDIV;
            /* by a positive literal: no division by zero, no MIN / -1 */
            bool safe_div = (n->rhs->kind == ND_INT && n->rhs->ival > 0) ||
                            (n->rhs->kind == ND_FLOAT && n->rhs->fval != 0.0);
            bool plain = t && (t->kind == TY_STRING || t->kind == TY_LIST || (t->kind == TY_FLOAT && !div) ||
                               (div && safe_div && (t->kind == TY_FLOAT || t->kind == TY_INT)));
            if (!plain)
                return true;
        }
        break;
    case ND_UNARY:
        if (n->op == OP_NEG && !(n->lhs->ty && ty_resolve(n->lhs->ty)->kind == TY_FLOAT))
            return true;
        break;
    case ND_CALL: {
        const Symbol *f = n->lhs && n->lhs->kind == ND_IDENT ? n->lhs->sym : NULL;
        if (!f)
            return true;
        if (f->kind == SYM_FN) {
            if (depth <= 0 || expr_may_fail(f->decl->body, depth - 1))
                return true;
        } else if (f->kind == SYM_BUILTIN) {
            switch (f->builtin) {
            case BI_STR: case BI_LEN: case BI_LOWER: case BI_UPPER: case BI_TRIM: case BI_SPLIT:
            case BI_STARTS_WITH: case BI_ENDS_WITH: case BI_CONTAINS: case BI_REPLACE:
            case BI_SUBSTR: case BI_FINDALL: case BI_NOW:
                break;
            default:
                return true;
            }
        } else {
            return true;   /* an extern fn, or something called through a value */
        }
        break;
    }
    default:
        break;
    }
    if (expr_may_fail(n->lhs, depth) || expr_may_fail(n->rhs, depth) || expr_may_fail(n->cond, depth) ||
        expr_may_fail(n->body, depth))
        return true;
    for (int i = 0; i < n->list.n; i++)
        if (expr_may_fail(n->list.items[i], depth))
            return true;
    return false;
}

/* Can step S's function (or fn), or its init, raise? */
static bool fn_may_fail(const Step *s)
{
    if (expr_may_fail(s->init, 8))
        return true;
    if (s->fn.fn)
        return s->fn.fn->kind != SYM_FN || expr_may_fail(s->fn.fn->decl->body, 8);
    return s->fn.lambda && expr_may_fail(s->fn.lambda->body, 8);
}

/* Can step S stop the run with an error? Every stateful step may (its
 * callbacks, its init), `raises` does; a stateless one when its function
 * may. */
static bool may_fail(const Step *s)
{
    if (step_is_stateful(s) || s->kind == SK_RAISES)
        return true;
    return fn_may_fail(s);
}

/* Does step S print to stdout, whose buffer an error can take back
 * (flow_rt_segment), unlike an extern output's callback? */
static bool prints_stdout(const Step *s)
{
    return s->kind == SK_INSPECT || s->kind == SK_INSPECT_DEBUG || (s->kind == SK_OUTPUT && s->sink == SINK_STDOUT);
}

/* Does step S do something a user sees: print, or possibly fail? */
static bool effectful(const Step *s) { return s->side_effect || may_fail(s); }

/* ===================================================================
 * States that only grow: `acc + [x]`
 * =================================================================== */

/* Does the expression N read the local SYM? */
static bool mentions(const Node *n, const struct Symbol *sym)
{
    if (!n)
        return false;
    if (n->kind == ND_IDENT && n->sym == sym)
        return true;
    if (mentions(n->lhs, sym) || mentions(n->rhs, sym) || mentions(n->cond, sym) || mentions(n->body, sym))
        return true;
    for (int i = 0; i < n->list.n; i++)
        if (mentions(n->list.items[i], sym))
            return true;
    return false;
}

/* Is E `ACC + TAIL` (list or string concatenation, also a chain
 * `ACC + a + b`, which is `(ACC + a) + b`) with ACC the local SYM, which
 * the rest does not read? Then TAIL (`a + b`, a new node in A:
 * concatenation is associative). */
static Node *grows_by(Arena *a, Node *e, const struct Symbol *sym)
{
    if (e->kind != ND_BINARY || e->op != OP_ADD || mentions(e->rhs, sym))
        return NULL;
    if (e->lhs->kind == ND_IDENT && e->lhs->sym == sym)
        return e->rhs;
    Node *left = grows_by(a, e->lhs, sym);
    if (!left)
        return NULL;
    Node *t = ast_new(a, ND_BINARY, e->loc);
    *t = *e;
    t->lhs = left;
    return t;
}

/* A fold_final, stateful_map or stateful_flat_map whose function is
 * `|acc, v| acc + TAIL` (fold) or `|acc, v| (acc + TAIL, OUT)` (maps), the
 * state a list of values without heap parts or a string, ACC read nowhere
 * else: the state is used only to grow, so the emitter appends TAIL to it
 * in place (amortised O(1) per item, as functional compilers reuse a
 * uniquely owned value) instead of building the whole new list each item.
 * The lambda it emits returns TAIL (or (TAIL, OUT)) in place of the new
 * state. Returns that body, or NULL. */
static Node *append_tail(Arena *a, Step *s)
{
    Node *lam = s->fn.lambda;
    if (!lam || lam->list.n < 1 || s->state_opt_result || !s->state_type)
        return NULL;
    if (s->kind != SK_FOLD_FINAL && s->kind != SK_STATEFUL_MAP && s->kind != SK_STATEFUL_FLAT_MAP)
        return NULL;
    Type *st = ty_resolve(s->state_type);
    if (!(st->kind == TY_STRING || (st->kind == TY_LIST && !ty_has_heap(st->elem))))
        return NULL;
    Node *acc = lam->list.items[0]->kind == ND_PARAM ? lam->list.items[0]->lhs : lam->list.items[0];
    if (acc->kind != ND_PAT_NAME || !acc->sym)
        return NULL;
    Node *body = lam->body;
    if (s->kind == SK_FOLD_FINAL)
        return grows_by(a, body, acc->sym);
    if (body->kind != ND_TUPLE || body->list.n != 2 || mentions(body->list.items[1], acc->sym))
        return NULL;
    Node *tail = grows_by(a, body->list.items[0], acc->sym);
    if (!tail)
        return NULL;
    Node *t = ast_new(a, ND_TUPLE, body->loc);
    *t = *body;
    t->list.items = arena_alloc(a, sizeof(Node *) * 2);
    t->list.n = t->list.cap = 2;
    t->list.items[0] = tail;
    t->list.items[1] = body->list.items[1];
    return t;
}

/* ===================================================================
 * Dict states updated one key at a time: `acc with {[k]: v}`
 * =================================================================== */

/* BODY with its result (the last expression inside its blocks) replaced
 * by R: the blocks are copied, typed as R. */
static Node *with_result(Arena *a, Node *body, Node *r)
{
    if (body->kind != ND_BLOCK)
        return r;
    Node *b = ast_new(a, ND_BLOCK, body->loc);
    *b = *body;
    b->body = with_result(a, body->body, r);
    b->ty = b->body->ty;
    return b;
}

/* A fold_final, stateful_map or stateful_flat_map whose function is
 * `|acc, x| acc with {[K]: V}` (fold) or `|acc, x| (acc with {[K]: V},
 * OUT)` (maps), the state a dict whose values have no heap parts, OUT not
 * reading ACC unless it has no heap parts either (K, V and OUT are all
 * computed before the update): no emitted item can point into the state, so when K is already a key the
 * emitter writes V in place instead of copying the dict (the counter
 * pattern `acc with {[w]: get(acc, w, 0) + 1}` costs a lookup, not O(n)
 * bytes). Lets before the result are kept (a let reading ACC counts as
 * OUT reading it). The lambda it emits returns (K, V) (or ((K, V), OUT));
 * a new key still makes a copy. Returns that body, or NULL. */
static Node *put_entry(Arena *a, Step *s)
{
    Node *lam = s->fn.lambda;
    if (!lam || lam->list.n < 1 || s->state_opt_result || !s->state_type || s->append_tail)
        return NULL;
    if (s->kind != SK_FOLD_FINAL && s->kind != SK_STATEFUL_MAP && s->kind != SK_STATEFUL_FLAT_MAP)
        return NULL;
    Type *st = ty_resolve(s->state_type);
    if (st->kind != TY_DICT || ty_has_heap(st->elem))
        return NULL;
    Node *acc = lam->list.items[0]->kind == ND_PARAM ? lam->list.items[0]->lhs : lam->list.items[0];
    if (acc->kind != ND_PAT_NAME || !acc->sym)
        return NULL;
    Node *res = lam->body, *upd;
    bool lets_read_acc = false;   /* a let of the body's blocks reads ACC (may alias it) */
    for (; res->kind == ND_BLOCK; res = res->body)
        for (int i = 0; i < res->list.n; i++)
            lets_read_acc = lets_read_acc || mentions(res->list.items[i]->rhs, acc->sym);
    if (s->kind != SK_FOLD_FINAL) {
        if (res->kind != ND_TUPLE || res->list.n != 2)
            return NULL;
        Node *out = res->list.items[1];
        if ((mentions(out, acc->sym) || lets_read_acc) && (!out->ty || ty_has_heap(out->ty)))
            return NULL;
        upd = res->list.items[0];
    } else {
        upd = res;
    }
    if (upd->kind != ND_WITH || upd->list.n != 1 || upd->list.items[0]->kind != ND_DICT_ENTRY ||
        upd->lhs->kind != ND_IDENT || upd->lhs->sym != acc->sym)
        return NULL;
    Node *en = upd->list.items[0];
    Node *kv = ast_new(a, ND_TUPLE, upd->loc);
    ast_push(a, &kv->list, en->lhs);
    ast_push(a, &kv->list, en->rhs);
    kv->ty = ty_pair(en->lhs->ty, en->rhs->ty);
    if (s->kind == SK_FOLD_FINAL)
        return with_result(a, lam->body, kv);
    Node *t = ast_new(a, ND_TUPLE, res->loc);
    ast_push(a, &t->list, kv);
    ast_push(a, &t->list, res->list.items[1]);
    t->ty = ty_pair(kv->ty, res->list.items[1]->ty);
    return with_result(a, lam->body, t);
}

/* Does stream S (output port 0) carry at most one item a round? True for a
 * testing input polled one item at a time, and for a chain of steps that
 * each send at most one item per item from one. */
static bool one_per_round(Step *s)
{
    for (;;) {
        if (s->kind == SK_INPUT)
            return (s->source == SRC_TESTING || s->source == SRC_RANGE) && !s->batch_size && !s->io;
        if (!step_has(s, TR_ONE_OUT) || s->nins != 1 || s->nouts != 1)
            return false;
        s = s->ins[0].step;
    }
}

void lower_program(Graph *g, Arena *a)
{
    g->nports = 0;
    g->max_eof_depth = 0;
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        s->port_base = g->nports;   /* the steps' output ports, numbered in order */
        g->nports += s->nouts;
        s->side_effect = step_prints(s);   /* an extern output counts: the host sees its callbacks in Bytewax's order */
        s->upstream_inputs = arena_alloc(a, (size_t)(g->ninputs ? g->ninputs : 1));
        if (s->kind == SK_INPUT)
            s->upstream_inputs[s->input_no] = 1;
        s->eof_depth = 0;
        for (int p = 0; p < s->nins; p++) {
            Step *u = s->ins[p].step;
            add_consumer(a, u, s->ins[p].port, s, p);
            for (int k = 0; k < g->ninputs; k++)
                s->upstream_inputs[k] |= u->upstream_inputs[k];
            if (u->eof_depth > s->eof_depth)
                s->eof_depth = u->eof_depth;
        }
        /* A stateful step sees the end of its input one round after the
         * steps before it (docs/semantics.md §9.1): what they flush at
         * the end reaches it first, as in Bytewax, where the end of input
         * is Timely's progress, which follows the data. */
        if (step_is_stateful(s))
            s->eof_depth++;
        if (s->eof_depth > g->max_eof_depth)
            g->max_eof_depth = s->eof_depth;
    }
    for (int i = 0; i < g->nsteps; i++) {
        g->steps[i]->append_tail = append_tail(a, g->steps[i]);
        g->steps[i]->put_entry = put_entry(a, g->steps[i]);
    }
    /* fusion, in declaration order */
    unsigned char *head_prints = arena_alloc(a, (size_t)(g->nsteps ? g->nsteps : 1));
    unsigned char *head_fails = arena_alloc(a, (size_t)(g->nsteps ? g->nsteps : 1));
    memset(head_prints, 0, (size_t)g->nsteps);
    memset(head_fails, 0, (size_t)g->nsteps);
    int eff_head = -1;   /* the latest group head of an effectful step so far */
    for (int i = 0; i < g->nsteps; i++) {
        Step *c = g->steps[i];
        c->head = c;
        c->fused = false;
        StepFamily fam = step_family(c->kind);
        bool can = c->nins == 1 && !step_is_stateful(c) && fam != FAM_MERGE && fam != FAM_INPUT && !step_has(c, TR_BATCH);
        if (step_has(c, TR_ITEMWISE) && c->nins == 1)
            can = c->ins[0].port == 0 && one_per_round(c->ins[0].step);
        if (can) {
            Step *s = c->ins[0].step;
            Step *h = s->head;
            can = s->nout_consumers[c->ins[0].port] == 1 && s->nouts == 1;
            if (can && c->side_effect)
                can = !head_prints[h->index] && (prints_stdout(c) || !head_fails[h->index]);
            if (can && may_fail(c))
                can = !head_prints[h->index] && !head_fails[h->index];
            if (can && effectful(c))
                can = eff_head <= h->index;
            if (can) {
                c->head = h;
                c->fused = true;
            }
        }
        /* A final (fold_final, reduce_final, ...) emits nothing before the
         * end of its input, so its upstream may call it item by item,
         * unless its function may fail where a step before it in the round
         * prints or may fail: Bytewax's final runs over the whole round
         * after them (its pre_reduce or fold batch), so they must have
         * gone through every item before it fails (docs/semantics.md
         * §14.1; tests/differential/cases/error_final_after_printer). */
        c->direct_final = false;
        if (step_is_final(c) && c->nins == 1) {
            Step *h = c->ins[0].step->head;
            c->direct_final = !fn_may_fail(c) ||
                              (!head_prints[h->index] && !head_fails[h->index] && eff_head <= h->index);
        }
        if (c->side_effect)
            head_prints[c->head->index] = 1;
        if (may_fail(c))
            head_fails[c->head->index] = 1;
        if (effectful(c) && c->head->index > eff_head)
            eff_head = c->head->index;
    }
}
