/*
 * emit_jsonv.c - the C of expressions on `json` values (docs/language.md,
 * "JSON values"): j["a"], j[0], get/keys/values/items, int/float/len/
 * bool of a json value, json(x), parse_json(s), `x in j`, and iteration
 * (flat_map over a json value).
 *
 * A json value is a flow_str holding canonical JSON text; every operation
 * is a call into the runtime's jsonv.c. Operations that can fail (a
 * missing key, an int() of a dict) leave Python's message in f->scratch
 * and the generated code stops the step with it, naming the expression's
 * place: `if (!flow_jv_...(..., &f->scratch)) flow_step_error(...)`.
 */
#include <string.h>
#include "emit.h"

#define ARENA "&f->rt->arena"

static TypeKind kind_of(Type *t) { return ty_resolve(t)->kind; }

/* Statements stopping the step with f->scratch's message when COND holds. */
static void fail_scratch(Emit *E, Loc loc, const char *cond)
{
    emit_line(E, "if (%s)", cond);
    emit_line(E, "    flow_step_error(f->rt, %s, %s, f->scratch.p);", emit_loc_str(E, loc), E->step_expr);
}

const char *emit_jv_of(Emit *E, Type *t, const char *v)
{
    const char *r = emit_tmp(E);
    switch (kind_of(t)) {
    case TY_JSON: return v;
    case TY_INT: emit_line(E, "flow_str %s = flow_jv_from_int(" ARENA ", %s);", r, v); return r;
    case TY_FLOAT: emit_line(E, "flow_str %s = flow_jv_from_float(" ARENA ", %s);", r, v); return r;
    case TY_BOOL: emit_line(E, "flow_str %s = flow_jv_from_bool(%s);", r, v); return r;
    case TY_STRING: emit_line(E, "flow_str %s = flow_jv_from_str(" ARENA ", %s);", r, v); return r;
    default:   /* json.loads(json.dumps(v)): the text the json sinks write, read back */
        emit_line(E, "f->scratch.n = 0;");
        emit_json(E, t, "&f->scratch", v);
        emit_line(E, "flow_str %s = FLOW_STR(\"null\");", r);
        emit_line(E, "(void)flow_jv_parse(" ARENA ", f->scratch.p, f->scratch.n, &%s, &f->scratch);   /* JSON: no error */",
                  r);
        return r;
    }
}

const char *emit_jv_index(Emit *E, Node *e)
{
    const char *j = emit_expr(E, e->lhs);
    const char *k = emit_expr(E, e->rhs);
    const char *t = emit_tmp(E);
    emit_line(E, "flow_str %s;", t);
    if (kind_of(e->rhs->ty) == TY_STRING)
        fail_scratch(E, e->loc, emit_strf(E, "!flow_jv_index_str(%s, %s, &%s, &f->scratch)", j, k, t));
    else
        fail_scratch(E, e->loc, emit_strf(E, "!flow_jv_index_int(" ARENA ", %s, %s, &%s, &f->scratch)", j, k, t));
    return t;
}

const char *emit_jv_in(Emit *E, Node *e, const char *x, const char *c)
{
    const char *t = emit_tmp(E);
    emit_line(E, "int %s = flow_jv_contains(%s, %s, &f->scratch);", t, c, emit_jv_of(E, e->lhs->ty, x));
    fail_scratch(E, e->loc, emit_strf(E, "%s < 0", t));
    return emit_strf(E, "(%s == %d)", t, e->op == OP_IN ? 1 : 0);
}

const char *emit_jv_iter(Emit *E, Loc loc, const char *v)
{
    const char *t = emit_tmp(E);
    emit_line(E, "flow_list_str %s;", t);
    fail_scratch(E, loc, emit_strf(E, "!flow_jv_iter(" ARENA ", %s, &%s, &f->scratch)", v, t));
    return t;
}

/* keys(j), values(j), items(j) of an object: a list<string>, list<json>
 * or list<(string, json)> in the object's order (a repeated key once,
 * its last value). */
static const char *dict_view(Emit *E, Node *e, Builtin b, const char *j)
{
    const char *t = emit_tmp(E);
    fail_scratch(E, e->loc, emit_strf(E, "!flow_jv_is_dict(%s, \"%s\", &f->scratch)", j, builtin_name(b)));
    const char *keys = emit_jv_iter(E, e->loc, j);
    const char *lt = emit_ctype_name(E, e->ty);
    emit_line(E, "%s %s = { flow_arena_alloc(" ARENA ", sizeof(%s.v[0]) * (size_t)(%s.n ? %s.n : 1)), %s.n };", lt, t,
              t, keys, keys, keys);
    emit_line(E, "for (int64_t i = 0; i < %s.n; i++) {", keys);
    E->indent++;
    emit_line(E, "flow_str k = flow_jv_to_str(" ARENA ", %s.v[i], &f->scratch);", keys);
    if (b != BI_KEYS) {
        emit_line(E, "flow_str v = { 0 };");
        emit_line(E, "flow_jv_get(%s, k, &v, &f->scratch);", j);
    }
    if (b == BI_KEYS)
        emit_line(E, "%s.v[i] = k;", t);
    else if (b == BI_VALUES)
        emit_line(E, "%s.v[i] = v;", t);
    else
        emit_line(E, "%s.v[i] = (%s){ k, v };", t, emit_ctype_name(E, ty_resolve(e->ty)->elem));
    E->indent--;
    emit_line(E, "}");
    return t;
}

const char *emit_jv_builtin(Emit *E, Node *e, Builtin b)
{
    Node *a0 = e->list.items[0]->lhs;
    const char *v = emit_expr(E, a0);
    const char *t = emit_tmp(E);
    switch (b) {
    case BI_JSON:
        return emit_jv_of(E, a0->ty, v);
    case BI_PARSE_JSON:
        emit_line(E, "flow_str %s;", t);
        fail_scratch(E, e->loc,
                     emit_strf(E, "!flow_jv_parse(" ARENA ", %s.p, (size_t)%s.n, &%s, &f->scratch)", v, v, t));
        return t;
    case BI_INT:
        emit_line(E, "int64_t %s;", t);
        fail_scratch(E, e->loc, emit_strf(E, "!flow_jv_to_int(" ARENA ", %s, &%s, &f->scratch)", v, t));
        return t;
    case BI_FLOAT:
        emit_line(E, "double %s;", t);
        fail_scratch(E, e->loc, emit_strf(E, "!flow_jv_to_float(" ARENA ", %s, &%s, &f->scratch)", v, t));
        return t;
    case BI_LEN:
        emit_line(E, "int64_t %s;", t);
        fail_scratch(E, e->loc, emit_strf(E, "!flow_jv_len(%s, &%s, &f->scratch)", v, t));
        return t;
    case BI_BOOL:
        return emit_strf(E, "flow_jv_truth(%s)", v);
    case BI_DUMPS:
        emit_line(E, "f->scratch.n = 0;");
        emit_line(E, "flow_jv_put_json(&f->scratch, %s);", v);
        emit_line(E, "flow_str %s = flow_str_dup(" ARENA ", (flow_str){ f->scratch.p, (int64_t)f->scratch.n });", t);
        return t;
    case BI_GET: {
        const char *k = emit_expr(E, e->list.items[1]->lhs);
        const char *r = emit_tmp(E);
        emit_line(E, "flow_str %s = FLOW_STR(\"null\");", t);
        emit_line(E, "int %s = flow_jv_get(%s, %s, &%s, &f->scratch);", r, v, k, t);
        fail_scratch(E, e->loc, emit_strf(E, "%s < 0", r));
        if (e->list.n == 3) {
            emit_line(E, "if (%s == 0) {", r);
            E->indent++;
            Node *d = e->list.items[2]->lhs;
            emit_line(E, "%s = %s;", t, emit_jv_of(E, d->ty, emit_expr(E, d)));
            E->indent--;
            emit_line(E, "}");
        }
        return t;
    }
    case BI_KEYS:
    case BI_VALUES:
    case BI_ITEMS:
        return dict_view(E, e, b, v);
    default:
        ICE("no json form of this built-in");
    }
}
