/*
 * sema_extern.c - the checker for `extern` sources and sinks: an input
 * whose items a host program pushes, `input(extern<TYPE>)`, and an output
 * whose items go to the host's callback, `output(STREAM, extern)`. Called
 * from check_source / check_sink (sema_steps.c); the parser turns both
 * spellings into an ND_IDENT named "extern" (the type in type_ann).
 */
#include <string.h>
#include "flowc.h"
#include "embed.h"
#include "sema.h"
#include "sema_internal.h"

bool sema_is_extern(const Node *e)
{
    return e && e->kind == ND_IDENT && e->name && strcmp(e->name, "extern") == 0;
}

/* Does T hold a value of kind A or B (through lists, optionals, tuples
 * and records)? */
static bool holds(Type *t, TypeKind a, TypeKind b, int depth)
{
    t = ty_resolve(t);
    if (depth > 64)
        return false;
    if (t->kind == a || t->kind == b)
        return true;
    switch (t->kind) {
    case TY_LIST: case TY_OPT:
        return holds(t->elem, a, b, depth + 1);
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++)
            if (holds(t->elems[i], a, b, depth + 1))
                return true;
        return false;
    case TY_RECORD:
        for (int i = 0; i < t->rec->n; i++)
            if (holds(t->rec->fields[i].ty, a, b, depth + 1))
                return true;
        return false;
    default:
        return false;
    }
}

bool sema_extern_json_ok(Loc loc, Type *t, const char *what)
{
    if (!holds(t, TY_JSON, TY_JSON, 0))
        return true;
    diag_error(loc, "%s cannot hold a `json` value (`%s`): a host could hand over text that is not JSON; "
               "pass its text as a `string`: `parse_json(s)` reads it, `dumps(j)` writes it", what, ty_str(t));
    return false;
}

/* A dict or a set: the --lib header gives a host no form for them. */
static bool extern_item_ok(Loc loc, Type *t)
{
    if (!holds(t, TY_DICT, TY_SET, 0))
        return sema_extern_json_ok(loc, t, "extern items");
    diag_error(loc, "extern items cannot hold a dict or a set (`%s`): the host API has no form for them; "
               "pass `items(d)` or `sorted(s)` instead", ty_str(t));
    return false;
}

/* source = "extern" "<" type ">" */
Type *sema_check_extern_source(Sema *S, Step *st, Node *src)
{
    if (!src->type_ann) {
        diag_error(src->loc, "an `extern` source needs the type of its items, e.g. `input(extern<int>)`");
        return NULL;
    }
    Type *t = sema_type_from_ann(S, src->type_ann);
    if (!t || ty_has_error(t) || !extern_item_ok(src->type_ann->loc, t))
        return NULL;
    st->source = SRC_EXTERN;
    return t;
}

/* sink = "extern" */
bool sema_check_extern_sink(Step *st, Node *e)
{
    if (e->type_ann) {
        diag_error(e->type_ann->loc, "an `extern` sink takes no type: its items are the stream's");
        return false;
    }
    st->sink = SINK_EXTERN;
    return !st->in_type || extern_item_ok(e->loc, st->in_type);
}

/* The `extern` argument of input or output step S-> */
static Node *extern_arg(Step *s)
{
    for (int i = 0; s->call && i < s->call->list.n; i++)
        if (sema_is_extern(s->call->list.items[i]->lhs))
            return s->call->list.items[i]->lhs;
    return s->decl;
}

bool sema_no_extern(Graph *g)
{
    bool ok = true;
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        bool in = s->kind == SK_INPUT && s->source == SRC_EXTERN;
        bool out = s->kind == SK_OUTPUT && s->sink == SINK_EXTERN;
        if (!in && !out)
            continue;
        diag_error(extern_arg(s)->loc, "`%s` is an extern %s: it needs a host program; compile with `flowc --lib`",
                   s->id, in ? "input" : "output");
        ok = false;
    }
    return ok;
}
