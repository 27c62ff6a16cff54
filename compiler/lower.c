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
 *   - if C prints (inspect, output to stdout), its group holds no other
 *     printing step, and the printing steps before C in declaration order
 *     all run before C's group does (their group heads come earlier).
 *   - or C is a stateful_map / stateful_flat_map (TR_ITEMWISE in
 *     steps.def) that receives at most one item a round (one_per_round: a
 *     chain of one-in-at-most-one-out steps from a testing input without
 *     batch_size); with one item there is no grouping by key to wait for,
 *     its outputs just happen at its upstream's time, so the same
 *     conditions apply.
 * Everything else runs as a group head at its own place in the order,
 * reading the per-port buffer its upstreams filled.
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

static bool group_prints(Graph *g, Step *head)
{
    for (int i = head->index; i < g->nsteps; i++)
        if (g->steps[i]->head == head && g->steps[i]->side_effect)
            return true;
    return false;
}

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
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        s->port_base = g->nports;   /* the steps' output ports, numbered in order */
        g->nports += s->nouts;
        s->side_effect = step_prints(s);   /* an extern output counts: the host sees its callbacks in Bytewax's order */
        s->upstream_inputs = arena_alloc(a, (size_t)(g->ninputs ? g->ninputs : 1));
        if (s->kind == SK_INPUT)
            s->upstream_inputs[s->input_no] = 1;
        for (int p = 0; p < s->nins; p++) {
            Step *u = s->ins[p].step;
            add_consumer(a, u, s->ins[p].port, s, p);
            for (int k = 0; k < g->ninputs; k++)
                s->upstream_inputs[k] |= u->upstream_inputs[k];
        }
    }
    for (int i = 0; i < g->nsteps; i++)
        g->steps[i]->append_tail = append_tail(a, g->steps[i]);
    /* fusion, in declaration order */
    Step *last_printer = NULL;
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
            can = s->nout_consumers[c->ins[0].port] == 1 && s->nouts == 1;
            if (can && c->side_effect) {
                Step *h = s->head;
                can = !group_prints(g, h) && (!last_printer || last_printer->head->index < h->index);
            }
            if (can) {
                c->head = s->head;
                c->fused = true;
            }
        }
        if (c->side_effect)
            last_printer = c;
    }
}
