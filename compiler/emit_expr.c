/*
 * emit_expr.c - C for expressions, lambdas and fns.
 *
 * An expression is emitted as a sequence of C statements into the current
 * function (E->out) followed by a C expression for its value, usually a
 * temporary `tN` (three-address style; the C compiler folds it all back).
 * Statement form lets every check Python makes at run time become an
 * explicit branch: integer overflow, division by zero, timestamps out of
 * range, bad conversions. Each failure calls flow_step_error with the
 * .flow location and the step's id, so the message names both.
 * Transient values (strings, lists) are allocated in the round arena
 * (f->rt->arena).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <string.h>
#include <flowrt_gen.h>   /* flow_fmtspec_parse: a format spec is parsed as it will run */
#include "emit.h"

#define ARENA "&f->rt->arena"

char *emit_strf(Emit *E, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[512];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < (int)sizeof tmp)
        return arena_strndup(E->a, tmp, (size_t)n);
    char *big = arena_alloc(E->a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return big;
}

void emit_line(Emit *E, const char *fmt, ...)
{
    for (int i = 0; i < E->indent; i++)
        fputs("    ", E->out);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(E->out, fmt, ap);
    va_end(ap);
    fputc('\n', E->out);
}

const char *emit_tmp(Emit *E) { return emit_strf(E, "t%d", E->tmp++); }

const char *emit_loc_str(Emit *E, Loc loc)
{
    int line, col;
    srcfile_linecol(loc.file, loc.start, &line, &col);
    return emit_strf(E, "\"%s:%d:%d\"", E->src_name, line, col);
}

void emit_line_directive(Emit *E, Loc loc)
{
    if (!E->opt->line_directives)
        return;
    int line, col;
    srcfile_linecol(loc.file, loc.start, &line, &col);
    fprintf(E->out, "#line %d \"%s\"\n", line, E->src_name);
}

/* Back to the generated file: a marker that emit_c's final pass turns into
 * `#line N "out.c"` once output line numbers are known (re2c's scheme). */
void emit_line_back(Emit *E)
{
    if (E->opt->line_directives)
        fputs(EMIT_LINE_BACK_MARKER "\n", E->out);
}

static void fail(Emit *E, Loc loc, const char *cond, const char *msg)
{
    emit_line(E, "if (%s)", cond);
    emit_line(E, "    flow_step_error(f->rt, %s, %s, \"%s\");", emit_loc_str(E, loc), E->step_expr, msg);
}

const char *emit_local_name(Emit *E, Symbol *s)
{
    if (s->kind == SYM_CONST)
        return emit_strf(E, "f->c_%s", s->name);
    return emit_strf(E, "v%d_%s", s->local_id, s->name);
}

/* A C string literal for N bytes at S: '"' and '\\' escaped, octal escapes
 * for control bytes, '?' (no trigraphs) and bytes outside ASCII. */
const char *emit_c_string(Emit *E, const char *s, size_t n)
{
    size_t cap = n * 4 + 3;
    char *out = arena_alloc(E->a, cap);
    size_t k = 0;
    out[k++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[k++] = '\\';
            out[k++] = (char)c;
        } else if (c >= 0x20 && c < 0x7f && c != '?') {
            out[k++] = (char)c;
        } else {
            k += (size_t)snprintf(out + k, cap - k, "\\%03o", c);
        }
    }
    out[k++] = '"';
    out[k] = 0;
    return out;
}

static const char *int_lit(Emit *E, int64_t v)
{
    if (v == INT64_MIN)
        return "INT64_MIN";
    return emit_strf(E, "INT64_C(%" PRId64 ")", v);
}

static Type *T(TypeKind k) { return ty_prim(k); }
static TypeKind kind_of(Type *t) { return ty_resolve(t)->kind; }

/* ===================================================================
 * Coercions
 * =================================================================== */

const char *emit_coerce_value(Emit *E, const char *v, Type *from, Type *want)
{
    Type *f = ty_resolve(from), *w = ty_resolve(want);
    if (ty_equal(f, w))
        return v;
    if (w->kind == TY_FLOAT && f->kind == TY_INT)
        return emit_strf(E, "((double)%s)", v);
    if (w->kind == TY_OPT && f->kind != TY_OPT)
        return emit_strf(E, "((%s){ .has = true, .v = %s })", emit_ctype_name(E, w), emit_coerce_value(E, v, f, w->elem));
    if (w->kind == TY_OPT && f->kind == TY_OPT) {
        /* none's own type vs the wanted optional: rebuild */
        const char *t = emit_tmp(E);
        emit_line(E, "%s %s = { .has = %s.has };", emit_ctype_name(E, w), t, v);
        if (!ty_has_var(f->elem) && kind_of(f->elem) != TY_ERROR) {
            emit_line(E, "if (%s.has)", v);
            emit_line(E, "    %s.v = %s;", t, emit_coerce_value(E, emit_strf(E, "%s.v", v), f->elem, w->elem));
        }
        return t;
    }
    if (w->kind == TY_TUPLE && f->kind == TY_TUPLE && w->n == f->n) {
        const char *t = emit_tmp(E);
        emit_line(E, "%s %s;", emit_ctype_name(E, w), t);
        for (int i = 0; i < w->n; i++)
            emit_line(E, "%s.f%d = %s;", t, i,
                      emit_coerce_value(E, emit_strf(E, "%s.f%d", v, i), f->elems[i], w->elems[i]));
        return t;
    }
    return v;   /* same shape; the checker has unified the rest */
}

const char *emit_coerce(Emit *E, Node *e, Type *want)
{
    if (e->kind == ND_NONE) {
        Type *w = ty_resolve(want);
        if (w->kind == TY_OPT)
            return emit_strf(E, "((%s){ .has = false })", emit_ctype_name(E, w));
    }
    const char *v = emit_expr(E, e);
    return emit_coerce_value(E, v, e->ty, want);
}

/* ===================================================================
 * Operators
 * =================================================================== */

static const char *emit_arith(Emit *E, Node *e)
{
    Type *lt = e->lhs->ty, *rt = e->rhs->ty;
    TypeKind a = kind_of(lt), b = kind_of(rt), r = kind_of(e->ty);
    const char *l = emit_expr(E, e->lhs);
    const char *rr = emit_expr(E, e->rhs);
    const char *t = emit_tmp(E);
    const char *op = ast_op_name(e->op);
    if (r == TY_FLOAT && e->op == OP_DIV && a != TY_FLOAT && b != TY_FLOAT) {
        /* int / int, duration / duration: Python's correctly rounded
         * true division of two integers */
        fail(E, e->loc, emit_strf(E, "%s == 0", rr), "division by zero");
        emit_line(E, "double %s = flow_i64_truediv(%s, %s);", t, l, rr);
        return t;
    }
    if (r == TY_FLOAT) {
        const char *x = a == TY_INT ? emit_strf(E, "((double)%s)", l) : l;
        const char *y = b == TY_INT ? emit_strf(E, "((double)%s)", rr) : rr;
        switch (e->op) {
        case OP_ADD: emit_line(E, "double %s = %s + %s;", t, x, y); break;
        case OP_SUB: emit_line(E, "double %s = %s - %s;", t, x, y); break;
        case OP_MUL: emit_line(E, "double %s = %s * %s;", t, x, y); break;
        case OP_DIV:
            fail(E, e->loc, emit_strf(E, "%s == 0.0", y), "division by zero");
            emit_line(E, "double %s = %s / %s;", t, x, y);
            break;
        case OP_FLOORDIV:
            fail(E, e->loc, emit_strf(E, "%s == 0.0", y), "division by zero");
            emit_line(E, "double %s = flow_f64_floordiv(%s, %s);", t, x, y);
            break;
        case OP_MOD:
            fail(E, e->loc, emit_strf(E, "%s == 0.0", y), "division by zero");
            emit_line(E, "double %s = flow_f64_mod(%s, %s);", t, x, y);
            break;
        }
        return t;
    }
    if (r == TY_STRING) {
        emit_line(E, "flow_str %s = flow_str_concat(" ARENA ", %s, %s);", t, l, rr);
        return t;
    }
    if (r == TY_LIST) {
        const char *ln = emit_ctype_name(E, e->ty);
        emit_line(E, "%s %s;", ln, t);
        emit_line(E, "%s.n = %s.n + %s.n;", t, l, rr);
        emit_line(E, "%s.v = flow_arena_alloc(" ARENA ", sizeof(%s.v[0]) * (size_t)(%s.n ? %s.n : 1));", t, t, t, t);
        emit_line(E, "if (%s.n)", l);
        emit_line(E, "    memcpy(%s.v, %s.v, sizeof(%s.v[0]) * (size_t)%s.n);", t, l, t, l);
        emit_line(E, "if (%s.n)", rr);
        emit_line(E, "    memcpy(%s.v + %s.n, %s.v, sizeof(%s.v[0]) * (size_t)%s.n);", t, l, rr, t, rr);
        return t;
    }
    /* int64 arithmetic: int, duration, timestamp */
    const char *what = r == TY_INT ? "integer" : r == TY_DURATION ? "duration" : "timestamp";
    emit_line(E, "int64_t %s;", t);
    switch (e->op) {
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
        fail(E, e->loc,
             emit_strf(E, "__builtin_%s_overflow(%s, %s, &%s)",
                   e->op == OP_ADD ? "add" : e->op == OP_SUB ? "sub" : "mul", l, rr, t),
             r == TY_TIMESTAMP ? "timestamp out of range" : emit_strf(E, "%s overflow in '%s'", what, op));
        break;
    case OP_DIV:        /* duration / int: Python rounds half to even */
    case OP_FLOORDIV:
        fail(E, e->loc, emit_strf(E, "%s == 0", rr), "division by zero");
        fail(E, e->loc, emit_strf(E, "%s == INT64_MIN && %s == -1", l, rr), emit_strf(E, "%s overflow in '%s'", what, op));
        emit_line(E, "%s = flow_i64_%s(%s, %s);", t, e->op == OP_DIV ? "div_nearest" : "floordiv", l, rr);
        break;
    case OP_MOD:
        fail(E, e->loc, emit_strf(E, "%s == 0", rr), "division by zero");
        emit_line(E, "%s = flow_i64_mod(%s, %s);", t, l, rr);
        break;
    }
    if (r == TY_TIMESTAMP)
        fail(E, e->loc, emit_strf(E, "%s < FLOW_TIME_MIN || %s > FLOW_TIME_MAX", t, t), "timestamp out of range");
    return t;
}

static const char *emit_compare(Emit *E, Node *e)
{
    Type *lt = e->lhs->ty, *rt = e->rhs->ty;
    const char *l = emit_expr(E, e->lhs);
    const char *r = emit_expr(E, e->rhs);
    const char *t = emit_tmp(E);
    if (ty_is_numeric(lt) && ty_is_numeric(rt) && !ty_equal(lt, rt)) {
        if (kind_of(lt) == TY_INT)
            l = emit_strf(E, "((double)%s)", l);
        if (kind_of(rt) == TY_INT)
            r = emit_strf(E, "((double)%s)", r);
        lt = rt = T(TY_FLOAT);
    }
    Type *j = ty_join(lt, rt);
    l = emit_coerce_value(E, l, lt, j);
    r = emit_coerce_value(E, r, rt, j);
    const char *cop = NULL;
    switch (e->op) {
    case OP_EQ: emit_line(E, "bool %s = %s;", t, emit_eq(E, j, l, r)); return t;
    case OP_NE: emit_line(E, "bool %s = !%s;", t, emit_eq(E, j, l, r)); return t;
    case OP_LT: cop = "<"; break;
    case OP_LE: cop = "<="; break;
    case OP_GT: cop = ">"; break;
    case OP_GE: cop = ">="; break;
    }
    TypeKind k = kind_of(j);
    if (k == TY_INT || k == TY_FLOAT || k == TY_TIMESTAMP || k == TY_DURATION || k == TY_BOOL)
        emit_line(E, "bool %s = %s %s %s;", t, l, cop, r);
    else
        emit_line(E, "bool %s = %s %s 0;", t, emit_cmp(E, j, l, r), cop);
    return t;
}

static const char *emit_logic(Emit *E, Node *e)
{
    const char *t = emit_tmp(E);
    emit_line(E, "bool %s = %s;", t, emit_expr(E, e->lhs));
    emit_line(E, e->op == OP_AND ? "if (%s) {" : "if (!%s) {", t);
    E->indent++;
    const char *r = emit_expr(E, e->rhs);
    emit_line(E, "%s = %s;", t, r);
    E->indent--;
    emit_line(E, "}");
    return t;
}

static const char *emit_unary(Emit *E, Node *e)
{
    const char *v = emit_expr(E, e->lhs);
    const char *t = emit_tmp(E);
    if (e->op == OP_NOT) {
        emit_line(E, "bool %s = !%s;", t, v);
        return t;
    }
    if (kind_of(e->ty) == TY_FLOAT) {
        emit_line(E, "double %s = -%s;", t, v);
        return t;
    }
    fail(E, e->loc, emit_strf(E, "%s == INT64_MIN", v),
         kind_of(e->ty) == TY_INT ? "integer overflow in '-'" : "duration overflow in '-'");
    emit_line(E, "int64_t %s = -%s;", t, v);
    return t;
}

/* ===================================================================
 * Patterns and blocks
 * =================================================================== */

static void bind_pattern(Emit *E, Node *p, const char *v)
{
    switch (p->kind) {
    case ND_PAT_WILD:
        return;
    case ND_PAT_NAME:
        emit_line(E, "%s %s = %s;", emit_ctype_name(E, p->ty), emit_local_name(E, p->sym), v);
        emit_line(E, "(void)%s;", emit_local_name(E, p->sym));
        return;
    case ND_PAT_TUPLE:
        for (int i = 0; i < p->list.n; i++)
            bind_pattern(E, p->list.items[i], emit_strf(E, "%s.f%d", v, i));
        return;
    default:
        ICE("bad pattern");
    }
}

static const char *emit_block(Emit *E, Node *e)
{
    const char *t = emit_tmp(E);
    emit_line(E, "%s %s;", emit_ctype_name(E, e->ty), t);
    emit_line(E, "{");
    E->indent++;
    for (int i = 0; i < e->list.n; i++) {
        Node *let = e->list.items[i];
        const char *v = emit_expr(E, let->rhs);
        if (let->lhs->kind == ND_PAT_TUPLE) {
            const char *tv = emit_tmp(E);
            emit_line(E, "%s %s = %s;", emit_ctype_name(E, let->rhs->ty), tv, v);
            v = tv;
        }
        bind_pattern(E, let->lhs, v);
    }
    emit_line(E, "%s = %s;", t, emit_coerce(E, e->body, e->ty));
    E->indent--;
    emit_line(E, "}");
    return t;
}

static const char *emit_if(Emit *E, Node *e)
{
    const char *t = emit_tmp(E);
    emit_line(E, "%s %s;", emit_ctype_name(E, e->ty), t);
    emit_line(E, "if (%s) {", emit_expr(E, e->cond));
    E->indent++;
    emit_line(E, "%s = %s;", t, emit_coerce(E, e->lhs, e->ty));
    E->indent--;
    emit_line(E, "} else {");
    E->indent++;
    emit_line(E, "%s = %s;", t, emit_coerce(E, e->rhs, e->ty));
    E->indent--;
    emit_line(E, "}");
    return t;
}

static const char *emit_coalesce(Emit *E, Node *e)
{
    const char *o = emit_expr(E, e->lhs);
    const char *t = emit_tmp(E);
    Type *inner = ty_resolve(e->lhs->ty)->elem;
    emit_line(E, "%s %s;", emit_ctype_name(E, e->ty), t);
    emit_line(E, "if (%s.has) {", o);
    emit_line(E, "    %s = %s;", t, emit_coerce_value(E, emit_strf(E, "%s.v", o), inner, e->ty));
    emit_line(E, "} else {");
    E->indent++;
    emit_line(E, "%s = %s;", t, emit_coerce(E, e->rhs, e->ty));
    E->indent--;
    emit_line(E, "}");
    return t;
}

/* ===================================================================
 * Records, lists, tuples
 * =================================================================== */

static const char *emit_record_lit(Emit *E, Node *e)
{
    const char *t = emit_tmp(E);
    emit_line(E, "%s %s;", emit_ctype_name(E, e->ty), t);
    for (int i = 0; i < e->list.n; i++) {
        Node *fi = e->list.items[i];
        emit_line(E, "%s.%s = %s;", t, emit_field_name(E, fi->name), emit_coerce(E, fi->lhs, fi->ty));
    }
    return t;
}

static const char *emit_with(Emit *E, Node *e)
{
    const char *t = emit_tmp(E);
    emit_line(E, "%s %s = %s;", emit_ctype_name(E, e->ty), t, emit_expr(E, e->lhs));
    for (int i = 0; i < e->list.n; i++) {
        Node *fi = e->list.items[i];
        emit_line(E, "%s.%s = %s;", t, emit_field_name(E, fi->name), emit_coerce(E, fi->lhs, fi->ty));
    }
    return t;
}

/* A C constant initializer for literal E as a value of type WANT (ints,
 * floats, bools, strings, timestamps, durations, a negated number, none,
 * and tuples, records and optionals of those), or NULL when E is not such
 * a literal. */
static const char *const_value(Emit *E, Node *e, Type *want)
{
    want = ty_resolve(want);
    if (want->kind == TY_OPT) {
        if (e->kind == ND_NONE)
            return "{ .has = false }";
        const char *v = const_value(E, e, want->elem);
        return v ? emit_strf(E, "{ .has = true, .v = %s }", v) : NULL;
    }
    switch (e->kind) {
    case ND_INT:
    case ND_DURATION:
    case ND_TIMESTAMP:
        return want->kind == TY_FLOAT ? emit_strf(E, "(double)%s", int_lit(E, e->ival)) : int_lit(E, e->ival);
    case ND_FLOAT:
    case ND_BOOL:
        return emit_expr(E, e);    /* a literal: no statements */
    case ND_STRING:
        return emit_strf(E, "{ %s, %zu }", emit_c_string(E, e->sval, e->slen), e->slen);
    case ND_UNARY:
        if (e->op != OP_NEG || (e->lhs->kind != ND_INT && e->lhs->kind != ND_FLOAT) ||
            (e->lhs->kind == ND_INT && e->lhs->ival == INT64_MIN))
            return NULL;
        if (e->lhs->kind == ND_INT && want->kind != TY_FLOAT)
            return int_lit(E, -e->lhs->ival);
        return emit_strf(E, "(-%s)", const_value(E, e->lhs, want));
    case ND_TUPLE: {
        if (want->kind != TY_TUPLE)
            return NULL;
        const char *v = "{";
        for (int i = 0; i < e->list.n; i++) {
            const char *x = const_value(E, e->list.items[i], want->elems[i]);
            if (!x)
                return NULL;
            v = emit_strf(E, "%s%s %s", v, i ? "," : "", x);
        }
        return emit_strf(E, "%s }", v);
    }
    case ND_RECORD_LIT: {
        const char *v = "{";
        for (int i = 0; i < e->list.n; i++) {
            Node *fi = e->list.items[i];
            const char *x = const_value(E, fi->lhs, fi->ty);
            if (!x)
                return NULL;
            v = emit_strf(E, "%s%s .%s = %s", v, i ? "," : "", emit_field_name(E, fi->name), x);
        }
        return emit_strf(E, "%s }", v);
    }
    default:
        return NULL;
    }
}

/* A long list of literals (a testing input of 100,000 items) is data, a
 * static array, not a statement per element for the C compiler to chew
 * on; LIST_AS_DATA is the length from which it pays. */
#define LIST_AS_DATA 32

static const char *emit_list_data(Emit *E, Node *e, Type *lt)
{
    int n = e->list.n;
    const char **vals = arena_alloc(E->a, sizeof(char *) * (size_t)n);
    for (int i = 0; i < n; i++)
        if (!(vals[i] = const_value(E, e->list.items[i], lt->elem)))
            return NULL;
    int k = E->nlists++;
    const char *elem = emit_ctype_name(E, lt->elem);
    fprintf(E->helpers, "/* a list literal of %d elements (%s) */\nstatic const %s %s_data%d[%d] = {\n", n,
            emit_loc_str(E, e->loc), elem, E->P, k, n);
    for (int i = 0; i < n; i++)
        fprintf(E->helpers, "    %s,\n", vals[i]);
    fprintf(E->helpers, "};\n\n");
    return emit_strf(E, "((%s){ (%s *)%s_data%d, %d })", emit_ctype_name(E, lt), elem, E->P, k, n);
}

static const char *emit_list(Emit *E, Node *e)
{
    Type *lt = ty_resolve(e->ty);
    if (e->list.n >= LIST_AS_DATA) {
        const char *data = emit_list_data(E, e, lt);
        if (data)
            return data;
    }
    const char *t = emit_tmp(E);
    int n = e->list.n;
    emit_line(E, "%s %s;", emit_ctype_name(E, lt), t);
    emit_line(E, "%s.n = %d;", t, n);
    if (n == 0) {
        emit_line(E, "%s.v = NULL;", t);
        return t;
    }
    emit_line(E, "%s.v = flow_arena_alloc(" ARENA ", sizeof(%s.v[0]) * %d);", t, t, n);
    for (int i = 0; i < n; i++)
        emit_line(E, "%s.v[%d] = %s;", t, i, emit_coerce(E, e->list.items[i], lt->elem));
    return t;
}

/* Is E a constant as CPython's compiler folds them (a number, string,
 * bool, none, or a tuple of those)? A set literal of three or more
 * constants is then built as a frozenset and merged (flow_set_literal). */
static bool py_constant(Node *e)
{
    switch (e->kind) {
    case ND_INT: case ND_FLOAT: case ND_STRING: case ND_BOOL: case ND_NONE:
        return true;
    case ND_UNARY:
        return e->op == OP_NEG && (e->lhs->kind == ND_INT || e->lhs->kind == ND_FLOAT);
    case ND_TUPLE:
        for (int i = 0; i < e->list.n; i++)
            if (!py_constant(e->list.items[i]))
                return false;
        return true;
    default:
        return false;
    }
}

/* set = `{` expr, ... `}`: the elements added in order (BUILD_SET) */
static const char *emit_set_lit(Emit *E, Node *e)
{
    Type *st = ty_resolve(e->ty);
    const char *t = emit_tmp(E);
    emit_line(E, "%s %s = { 0 };", emit_ctype_name(E, st), t);
    bool constant = e->list.n >= 3;
    for (int i = 0; i < e->list.n; i++) {
        Node *x = e->list.items[i];
        constant = constant && py_constant(x);
        emit_line(E, "%s(" ARENA ", &%s, %s);", emit_coll_fn(E, st, "ins"), t, emit_coerce(E, x, st->elem));
    }
    if (constant)
        emit_line(E, "%s.s = flow_set_literal(" ARENA ", %s.s, &%s.mask, &%s.fill, %s.used, sizeof(%s.s[0]));", t, t,
                  t, t, t, t);
    return t;
}

/* dict = `{` `}` | `{` key `:` value, ... `}`: a repeated key keeps its
 * first place and takes its last value, as in Python */
static const char *emit_dict_lit(Emit *E, Node *e)
{
    Type *dt = ty_resolve(e->ty);
    const char *t = emit_tmp(E);
    int n = e->list.n;
    emit_line(E, "%s %s = { 0 };", emit_ctype_name(E, dt), t);
    if (n == 0)
        return t;
    emit_line(E, "%s.v = flow_arena_alloc(" ARENA ", sizeof(%s.v[0]) * %d);", t, t, n);
    for (int i = 0; i < n; i++) {
        Node *en = e->list.items[i];
        const char *k = emit_coerce(E, en->lhs, dt->key);
        const char *v = emit_coerce(E, en->rhs, dt->elem);
        emit_line(E, "%s(&%s, %s, %s);", emit_coll_fn(E, dt, "put"), t, k, v);
    }
    return t;
}

/* d with { [k]: v, ... }: a copy of D's entries with room for the new
 * keys, each put in order */
static const char *emit_dict_with(Emit *E, Node *e)
{
    Type *dt = ty_resolve(e->ty);
    const char *d = emit_expr(E, e->lhs);
    const char *t = emit_tmp(E);
    int n = e->list.n;
    emit_line(E, "%s %s;", emit_ctype_name(E, dt), t);
    emit_line(E, "%s.n = %s.n;", t, d);
    emit_line(E, "%s.v = flow_arena_alloc(" ARENA ", sizeof(%s.v[0]) * (size_t)(%s.n + %d));", t, t, d, n);
    emit_line(E, "if (%s.n)", d);
    emit_line(E, "    memcpy(%s.v, %s.v, sizeof(%s.v[0]) * (size_t)%s.n);", t, d, t, d);
    for (int i = 0; i < n; i++) {
        Node *en = e->list.items[i];
        const char *k = emit_coerce(E, en->lhs, dt->key);
        const char *v = emit_coerce(E, en->rhs, dt->elem);
        emit_line(E, "%s(&%s, %s, %s);", emit_coll_fn(E, dt, "put"), t, k, v);
    }
    return t;
}

/* Statements ending the step with "KeyError: REPR(K)" when COND holds. */
static void fail_key(Emit *E, Loc loc, const char *cond, Type *kt, const char *k)
{
    emit_line(E, "if (%s) {", cond);
    E->indent++;
    emit_line(E, "f->scratch.n = 0;");
    emit_line(E, "flow_buf_puts(&f->scratch, \"KeyError: \");");
    emit_repr(E, kt, "&f->scratch", k);
    emit_line(E, "flow_buf_putc(&f->scratch, 0);");
    emit_line(E, "flow_step_error(f->rt, %s, %s, f->scratch.p);", emit_loc_str(E, loc), E->step_expr);
    E->indent--;
    emit_line(E, "}");
}

/* d[k]: the value, or the step error naming the key */
static const char *emit_dict_index(Emit *E, Node *e)
{
    Type *dt = ty_resolve(e->lhs->ty);
    const char *d = emit_expr(E, e->lhs);
    const char *k = emit_coerce(E, e->rhs, dt->key);
    const char *i = emit_tmp(E);
    emit_line(E, "int64_t %s = %s(%s, %s);", i, emit_coll_fn(E, dt, "find"), d, k);
    fail_key(E, e->loc, emit_strf(E, "%s < 0", i), dt->key, k);
    return emit_strf(E, "%s.v[%s].f1", d, i);
}

/* Whether X (of type XT) is in C (of type CT): a dict's key, a set's or
 * list's element, a substring. */
static const char *emit_member(Emit *E, Type *ct, const char *c, Type *xt, const char *x)
{
    ct = ty_resolve(ct);
    const char *t = emit_tmp(E);
    switch (ct->kind) {
    case TY_DICT:
        emit_line(E, "bool %s = %s(%s, %s) >= 0;", t, emit_coll_fn(E, ct, "find"), c,
                  emit_coerce_value(E, x, xt, ct->key));
        return t;
    case TY_SET:
        emit_line(E, "bool %s = %s(%s, %s);", t, emit_coll_fn(E, ct, "has"), c, emit_coerce_value(E, x, xt, ct->elem));
        return t;
    case TY_LIST: {
        const char *y = emit_coerce_value(E, x, xt, ct->elem);
        emit_line(E, "bool %s = false;", t);
        emit_line(E, "for (int64_t i = 0; i < %s.n && !%s; i++)", c, t);
        emit_line(E, "    %s = %s;", t, emit_eq(E, ct->elem, emit_strf(E, "%s.v[i]", c), y));
        return t;
    }
    default:
        emit_line(E, "bool %s = flow_str_contains(%s, %s);", t, c, x);
        return t;
    }
}

/* x in c, x not in c */
static const char *emit_in(Emit *E, Node *e)
{
    const char *x = emit_expr(E, e->lhs);
    const char *c = emit_expr(E, e->rhs);
    if (kind_of(e->rhs->ty) == TY_JSON)
        return emit_jv_in(E, e, x, c);
    const char *r = emit_member(E, e->rhs->ty, c, e->lhs->ty, x);
    return e->op == OP_IN ? r : emit_strf(E, "(!%s)", r);
}

static const char *emit_tuple(Emit *E, Node *e)
{
    Type *tt = ty_resolve(e->ty);
    const char *t = emit_tmp(E);
    emit_line(E, "%s %s;", emit_ctype_name(E, tt), t);
    for (int i = 0; i < e->list.n; i++)
        emit_line(E, "%s.f%d = %s;", t, i, emit_coerce(E, e->list.items[i], tt->elems[i]));
    return t;
}

static const char *emit_opt_field(Emit *E, Node *e)
{
    const char *o = emit_expr(E, e->lhs);
    Record *r = ty_resolve(ty_resolve(e->lhs->ty)->elem)->rec;
    Type *ft = NULL;
    for (int i = 0; i < r->n; i++)
        if (r->fields[i].name == e->name)
            ft = r->fields[i].ty;
    const char *t = emit_tmp(E);
    emit_line(E, "%s %s = { .has = false };", emit_ctype_name(E, e->ty), t);
    emit_line(E, "if (%s.has)", o);
    emit_line(E, "    %s = %s;", t,
              emit_coerce_value(E, emit_strf(E, "%s.v.%s", o, emit_field_name(E, e->name)), ft, e->ty));
    return t;
}

/* ===================================================================
 * Built-ins
 * =================================================================== */

static const char *arg(Emit *E, Node *call, int i)
{
    return emit_expr(E, call->list.items[i]->lhs);
}

static Type *arg_ty(Node *call, int i) { return call->list.items[i]->lhs->ty; }

/* str() of V (type TY) as a flow_str in the arena. */
static const char *str_of(Emit *E, Type *ty, const char *v)
{
    const char *t = emit_tmp(E);
    switch (kind_of(ty)) {
    case TY_STRING:
        return v;
    case TY_INT:
        emit_line(E, "flow_str %s = flow_str_from_int(" ARENA ", %s);", t, v);
        return t;
    case TY_FLOAT:
        emit_line(E, "flow_str %s = flow_str_from_float(" ARENA ", %s);", t, v);
        return t;
    case TY_BOOL:
        emit_line(E, "flow_str %s = %s ? FLOW_STR(\"True\") : FLOW_STR(\"False\");", t, v);
        return t;
    case TY_TIMESTAMP:
        emit_line(E, "flow_str %s = flow_str_from_time(" ARENA ", %s);", t, v);
        return t;
    case TY_DURATION:
        emit_line(E, "flow_str %s = flow_str_from_duration(" ARENA ", %s);", t, v);
        return t;
    default:
        emit_line(E, "f->scratch.n = 0;");
        emit_str_form(E, ty, "&f->scratch", v);
        emit_line(E, "flow_str %s = flow_str_dup(" ARENA ", (flow_str){ f->scratch.p, (int64_t)f->scratch.n });", t);
        return t;
    }
}

/* Python's message quotes the value with repr(). */
static void fail_with_repr(Emit *E, Loc loc, const char *cond, const char *prefix, const char *s)
{
    emit_line(E, "if (%s) {", cond);
    emit_line(E, "    f->scratch.n = 0;");
    emit_line(E, "    flow_buf_puts(&f->scratch, \"%s\");", prefix);
    emit_line(E, "    flow_repr_str(&f->scratch, %s);", s);
    emit_line(E, "    flow_buf_putc(&f->scratch, 0);");
    emit_line(E, "    flow_step_error(f->rt, %s, %s, f->scratch.p);", emit_loc_str(E, loc), E->step_expr);
    emit_line(E, "}");
}

/* Python's int(D) of a float D (toward zero); inf, nan and values outside
 * int64 are a run-time error. */
static const char *float_to_int(Emit *E, Loc loc, const char *d)
{
    fail(E, loc, emit_strf(E, "!(%s > -9223372036854775809.0 && %s < 9223372036854775808.0)", d, d),
         "cannot convert float to int: out of range");
    const char *t = emit_tmp(E);
    emit_line(E, "int64_t %s = (int64_t)%s;", t, d);
    return t;
}

static const char *emit_minmax_list(Emit *E, Node *e, const char *l, bool is_max)
{
    Type *el = ty_resolve(arg_ty(e, 0))->elem;
    const char *t = emit_tmp(E);
    fail(E, e->loc, emit_strf(E, "%s.n == 0", l), is_max ? "max() arg is an empty sequence" : "min() arg is an empty sequence");
    emit_line(E, "%s %s = %s.v[0];", emit_ctype_name(E, el), t, l);
    emit_line(E, "for (int64_t i = 1; i < %s.n; i++)", l);
    emit_line(E, "    if (%s %s 0)", emit_cmp(E, el, emit_strf(E, "%s.v[i]", l), t), is_max ? ">" : "<");
    emit_line(E, "        %s = %s.v[i];", t, l);
    return t;
}

/* str */
static const char *bi_str(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    return str_of(E, a0, arg(E, e, 0));
}

/* int */
static const char *bi_int(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    const char *v = arg(E, e, 0);
    const char *t = emit_tmp(E);
    switch (kind_of(a0)) {
    case TY_INT:
        return v;
    case TY_BOOL:
        emit_line(E, "int64_t %s = %s ? 1 : 0;", t, v);
        return t;
    case TY_FLOAT:
        return float_to_int(E, e->loc, v);
    default:
        emit_line(E, "int64_t %s;", t);
        fail_with_repr(E, e->loc, emit_strf(E, "!flow_int_parse(%s, &%s)", v, t),
                       "invalid literal for int() with base 10: ", v);
        return t;
    }
}

/* float */
static const char *bi_float(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    const char *v = arg(E, e, 0);
    const char *t = emit_tmp(E);
    switch (kind_of(a0)) {
    case TY_FLOAT:
        return v;
    case TY_INT:
        emit_line(E, "double %s = (double)%s;", t, v);
        return t;
    default:
        emit_line(E, "double %s;", t);
        fail_with_repr(E, e->loc, emit_strf(E, "!flow_float_parse(%s, &%s)", v, t),
                       "could not convert string to float: ", v);
        return t;
    }
}

/* len */
static const char *bi_len(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    const char *v = arg(E, e, 0);
    const char *t = emit_tmp(E);
    if (kind_of(a0) == TY_STRING)
        emit_line(E, "int64_t %s = flow_utf8_len(%s);", t, v);
    else if (kind_of(a0) == TY_SET)
        emit_line(E, "int64_t %s = %s.used;", t, v);
    else
        emit_line(E, "int64_t %s = %s.n;", t, v);
    return t;
}

/* bool: Python's truth of a number, string or collection (json: emit_jsonv.c) */
static const char *bi_bool(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    const char *v = arg(E, e, 0);
    switch (kind_of(a0)) {
    case TY_BOOL: return v;
    case TY_INT: case TY_FLOAT: return emit_strf(E, "(%s != 0)", v);
    case TY_SET: return emit_strf(E, "(%s.used != 0)", v);
    default: return emit_strf(E, "(%s.n != 0)", v);   /* string, list, dict */
    }
}

/* abs */
static const char *bi_abs(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    const char *v = arg(E, e, 0);
    const char *t = emit_tmp(E);
    if (kind_of(a0) == TY_FLOAT) {
        emit_line(E, "double %s = fabs(%s);", t, v);
        return t;
    }
    fail(E, e->loc, emit_strf(E, "%s == INT64_MIN", v), "integer overflow in abs()");
    emit_line(E, "int64_t %s = %s < 0 ? -%s : %s;", t, v, v, v);
    return t;
}

/* min, max */
static const char *bi_minmax(Emit *E, Node *e, Builtin b, Type *a0)
{
    bool is_max = b == BI_MAX;
    if (e->list.n == 1)
        return emit_minmax_list(E, e, arg(E, e, 0), is_max);
    const char *x = emit_coerce_value(E, arg(E, e, 0), a0, e->ty);
    const char *y = emit_coerce_value(E, arg(E, e, 1), arg_ty(e, 1), e->ty);
    const char *t = emit_tmp(E);
    /* Python: max(a, b) keeps a unless b is greater; min keeps a unless b is smaller */
    emit_line(E, "%s %s = (%s %s 0) ? %s : %s;", emit_ctype_name(E, e->ty), t, emit_cmp(E, e->ty, y, x),
              is_max ? ">" : "<", y, x);
    return t;
}

/* floor, ceil, round */
static const char *bi_rounding(Emit *E, Node *e, Builtin b, Type *a0)
{
    const char *v = arg(E, e, 0);
    if (kind_of(a0) == TY_INT)
        return v;
    const char *fn = b == BI_FLOOR ? "floor" : b == BI_CEIL ? "ceil" : "flow_f64_round_half_even";
    const char *d = emit_tmp(E);
    emit_line(E, "double %s = %s(%s);", d, fn, v);
    return float_to_int(E, e->loc, d);
}

/* sqrt */
static const char *bi_sqrt(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    const char *v = arg(E, e, 0);
    if (kind_of(a0) == TY_INT)
        v = emit_strf(E, "((double)%s)", v);
    fail(E, e->loc, emit_strf(E, "%s < 0", v), "math domain error");
    const char *t = emit_tmp(E);
    emit_line(E, "double %s = sqrt(%s);", t, v);
    return t;
}

/* lower, upper, trim */
static const char *bi_case(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)a0;
    const char *v = arg(E, e, 0);
    const char *t = emit_tmp(E);
    emit_line(E, "flow_str %s = flow_str_%s(" ARENA ", %s);", t,
              b == BI_LOWER ? "lower" : b == BI_UPPER ? "upper" : "trim", v);
    return t;
}

/* split(s [, sep [, maxsplit]]); sep may be an optional (none:
 * whitespace) */
static const char *bi_split(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    (void)a0;
    const char *v = arg(E, e, 0);
    const char *t = emit_tmp(E);
    if (e->list.n == 1) {
        emit_line(E, "flow_list_str %s = flow_str_split_ws(" ARENA ", %s);", t, v);
        return t;
    }
    Node *sn = e->list.items[1]->lhs;
    const char *max = e->list.n == 3 ? arg(E, e, 2) : NULL;
    if (kind_of(sn->ty) == TY_OPT) {
        const char *sep = emit_expr(E, sn);
        fail(E, e->loc, emit_strf(E, "%s.has && %s.v.n == 0", sep, sep), "empty separator");
        emit_line(E, "flow_list_str %s = %s.has ? flow_str_split_max(" ARENA ", %s, %s.v, %s) : flow_str_split_ws_max(" ARENA
                     ", %s, %s);", t, sep, v, sep, max ? max : "-1", v, max ? max : "-1");
        return t;
    }
    const char *sep = emit_expr(E, sn);
    fail(E, e->loc, emit_strf(E, "%s.n == 0", sep), "empty separator");
    if (max)
        emit_line(E, "flow_list_str %s = flow_str_split_max(" ARENA ", %s, %s, %s);", t, v, sep, max);
    else
        emit_line(E, "flow_list_str %s = flow_str_split(" ARENA ", %s, %s);", t, v, sep);
    return t;
}

/* join(sep, xs) or join(xs, sep) */
static const char *bi_join(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    const char *x = arg(E, e, 0), *y = arg(E, e, 1);
    bool list_first = kind_of(a0) == TY_LIST;
    const char *t = emit_tmp(E);
    emit_line(E, "flow_str %s = flow_str_join(" ARENA ", %s, %s);", t, list_first ? y : x, list_first ? x : y);
    return t;
}

/* strip, lstrip, rstrip (with or without chars) */
static const char *bi_strip(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)a0;
    const char *v = arg(E, e, 0);
    int sides = b == BI_LSTRIP ? 1 : b == BI_RSTRIP ? 2 : 3;
    const char *t = emit_tmp(E);
    if (e->list.n == 2)
        emit_line(E, "flow_str %s = flow_str_strip_chars(" ARENA ", %s, %s, %d);", t, v, arg(E, e, 1), sides);
    else
        emit_line(E, "flow_str %s = flow_str_strip_ws(" ARENA ", %s, %d);", t, v, sides);
    return t;
}

/* zfill */
static const char *bi_zfill(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    (void)a0;
    const char *v = arg(E, e, 0), *w = arg(E, e, 1);
    const char *t = emit_tmp(E);
    emit_line(E, "flow_str %s = flow_str_zfill(" ARENA ", %s, %s);", t, v, w);
    return t;
}

/* ===================================================================
 * Formatting: format(x, spec) and f-strings
 * =================================================================== */

/* A C character constant for C (printable ASCII as itself). */
static const char *char_lit(Emit *E, char c)
{
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
        return emit_strf(E, "'%c'", c);
    return emit_strf(E, "%d", (unsigned char)c);
}

/* A pointer to a constant flow_fmtspec: SPEC (N bytes, checked by the
 * checker) parsed for KIND, as flowc parses it when compiling. */
static const char *spec_lit(Emit *E, const char *spec, size_t n, char kind)
{
    flow_fmtspec sp;
    char err[256];
    if (!flow_fmtspec_parse(spec, n, kind, &sp, err, sizeof err))
        ICE("a format spec the checker accepted does not parse");
    return emit_strf(E, "&(const flow_fmtspec){ .fill = %u, .align = %s, .sign = %s, .grouping = %s, .type = %s, "
                        ".z = %s, .alt = %s, .width = %lld, .precision = %lld }   /* %s */",
                     (unsigned)sp.fill, char_lit(E, sp.align), char_lit(E, sp.sign), char_lit(E, sp.grouping),
                     char_lit(E, sp.type), sp.z ? "true" : "false", sp.alt ? "true" : "false", (long long)sp.width,
                     (long long)sp.precision, emit_c_string(E, spec, n));
}

/* One value to format: V of type T, converted by CONV ('r', 's' or 0),
 * with SPEC (N bytes, NULL: none). */
typedef struct FmtField {
    Type *t;
    const char *v;
    int conv;
    const char *spec;
    size_t n;
    Loc loc;
} FmtField;

/* Statements run before anything is written to the scratch buffer: a
 * converted value that has a spec becomes a string first. */
static FmtField field_prepare(Emit *E, FmtField f)
{
    if (f.conv && f.spec && f.n) {
        if (f.conv == 's') {
            f.v = str_of(E, f.t, f.v);
        } else {
            const char *t = emit_tmp(E);
            emit_line(E, "f->scratch.n = 0;");
            emit_repr(E, f.t, "&f->scratch", f.v);
            emit_line(E, "flow_str %s = flow_str_dup(" ARENA ", (flow_str){ f->scratch.p, (int64_t)f->scratch.n });", t);
            f.v = t;
        }
        f.t = T(TY_STRING);
        f.conv = 0;
    }
    return f;
}

/* Statements appending format(F) to f->scratch. */
static void field_append(Emit *E, FmtField f)
{
    if (f.conv == 'r') {
        emit_repr(E, f.t, "&f->scratch", f.v);
        return;
    }
    if (!f.spec || f.n == 0 || f.conv) {
        emit_str_form(E, f.t, "&f->scratch", f.v);   /* format(x, '') is str(x) */
        return;
    }
    switch (kind_of(f.t)) {
    case TY_INT:
    case TY_BOOL: {
        const char *sp = spec_lit(E, f.spec, f.n, kind_of(f.t) == TY_INT ? 'i' : 'b');
        emit_line(E, "if (!flow_format_int(&f->scratch, (int64_t)%s, %s))", f.v, sp);
        emit_line(E, "    flow_step_error(f->rt, %s, %s, \"%%c arg not in range(0x110000)\");", emit_loc_str(E, f.loc),
                  E->step_expr);
        break;
    }
    case TY_FLOAT:
        emit_line(E, "flow_format_float(&f->scratch, %s, %s);", f.v, spec_lit(E, f.spec, f.n, 'f'));
        break;
    default:
        emit_line(E, "flow_format_str(&f->scratch, %s, %s);", f.v, spec_lit(E, f.spec, f.n, 's'));
        break;
    }
}

/* format(x [, spec]) */
static const char *bi_format(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    Node *sp = e->list.n == 2 ? e->list.items[1]->lhs : NULL;
    FmtField f = { a0, arg(E, e, 0), 0, sp ? sp->sval : NULL, sp ? sp->slen : 0, e->loc };
    f = field_prepare(E, f);
    const char *t = emit_tmp(E);
    emit_line(E, "f->scratch.n = 0;");
    field_append(E, f);
    emit_line(E, "flow_str %s = flow_str_dup(" ARENA ", (flow_str){ f->scratch.p, (int64_t)f->scratch.n });", t);
    return t;
}

/* f"...": every field's value first (each may use the scratch buffer),
 * then the text and the formatted values into it, one string copied out */
static const char *emit_fstring(Emit *E, Node *e)
{
    int n = e->list.n;
    FmtField *fs = arena_alloc(E->a, sizeof(FmtField) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        Node *p = e->list.items[i];
        if (p->kind != ND_FMT)
            continue;
        fs[i] = (FmtField){ p->lhs->ty, emit_expr(E, p->lhs), (int)p->ival, p->sval, p->slen, p->loc };
        fs[i] = field_prepare(E, fs[i]);
    }
    const char *t = emit_tmp(E);
    emit_line(E, "f->scratch.n = 0;");
    for (int i = 0; i < n; i++) {
        Node *p = e->list.items[i];
        if (p->kind == ND_FMT)
            field_append(E, fs[i]);
        else if (p->slen)
            emit_line(E, "flow_buf_put(&f->scratch, %s, %zu);", emit_c_string(E, p->sval, p->slen), p->slen);
    }
    emit_line(E, "flow_str %s = flow_str_dup(" ARENA ", (flow_str){ f->scratch.p, (int64_t)f->scratch.n });", t);
    return t;
}

/* starts_with, ends_with */
static const char *bi_affix(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)a0;
    const char *v = arg(E, e, 0), *w = arg(E, e, 1);
    const char *t = emit_tmp(E);
    emit_line(E, "bool %s = flow_str_%s(%s, %s);", t, b == BI_STARTS_WITH ? "starts_with" : "ends_with", v, w);
    return t;
}

/* contains: `x in c` as a function */
static const char *bi_contains(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    const char *c = arg(E, e, 0);
    const char *x = arg(E, e, 1);
    return emit_member(E, a0, c, arg_ty(e, 1), x);
}

/* get(d, k [, default]) */
static const char *bi_get(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    Type *dt = ty_resolve(a0);
    if (dt->kind == TY_CACHE) {   /* enrich_cached's get(cache, k): the step's function */
        const char *k = emit_coerce(E, e->list.items[1]->lhs, dt->key);
        const char *t = emit_tmp(E);
        emit_line(E, "%s %s = %s_%s_cache_get(f, %s, %s);", emit_ctype_name(E, dt->elem), t, E->P, dt->step->id,
                  E->step_expr, k);
        return t;
    }
    const char *d = arg(E, e, 0);
    const char *k = emit_coerce(E, e->list.items[1]->lhs, dt->key);
    const char *i = emit_tmp(E), *t = emit_tmp(E);
    emit_line(E, "int64_t %s = %s(%s, %s);", i, emit_coll_fn(E, dt, "find"), d, k);
    emit_line(E, "%s %s;", emit_ctype_name(E, e->ty), t);
    emit_line(E, "if (%s >= 0) {", i);
    emit_line(E, "    %s = %s;", t, emit_coerce_value(E, emit_strf(E, "%s.v[%s].f1", d, i), dt->elem, e->ty));
    emit_line(E, "} else {");
    E->indent++;
    if (e->list.n == 3)
        emit_line(E, "%s = %s;", t, emit_coerce(E, e->list.items[2]->lhs, e->ty));
    else
        emit_line(E, "%s = (%s){ .has = false };", t, emit_ctype_name(E, e->ty));
    E->indent--;
    emit_line(E, "}");
    return t;
}

/* remove(d, k), remove(s, x) */
static const char *bi_remove(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    Type *ct = ty_resolve(a0);
    const char *c = arg(E, e, 0);
    const char *x = emit_coerce(E, e->list.items[1]->lhs, ct->kind == TY_DICT ? ct->key : ct->elem);
    const char *t = emit_tmp(E);
    emit_line(E, "%s %s = %s(" ARENA ", %s, %s);", emit_ctype_name(E, ct), t, emit_coll_fn(E, ct, "rm"), c, x);
    return t;
}

/* keys(d), values(d), items(d): items are the dict's own entries */
static const char *bi_dict_view(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)a0;
    const char *d = arg(E, e, 0);
    const char *t = emit_tmp(E);
    const char *lt = emit_ctype_name(E, e->ty);
    if (b == BI_ITEMS) {
        emit_line(E, "%s %s = { %s.v, %s.n };", lt, t, d, d);
        return t;
    }
    emit_line(E, "%s %s = { flow_arena_alloc(" ARENA ", sizeof(%s.v[0]) * (size_t)%s.n), %s.n };", lt, t, t, d, d);
    emit_line(E, "for (int64_t i = 0; i < %s.n; i++)", d);
    emit_line(E, "    %s.v[i] = %s.v[i].f%d;", t, d, b == BI_KEYS ? 0 : 1);
    return t;
}

/* add(s, x) */
static const char *bi_add(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    Type *st = ty_resolve(a0);
    const char *s = arg(E, e, 0);
    const char *x = emit_coerce(E, e->list.items[1]->lhs, st->elem);
    const char *t = emit_tmp(E);
    emit_line(E, "%s %s = %s(" ARENA ", %s, %s);", emit_ctype_name(E, st), t, emit_coll_fn(E, st, "add"), s, x);
    return t;
}

/* set(), set(list | set | dict): a set is its own value; the others
 * are added in order */
static const char *bi_set(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    Type *st = ty_resolve(e->ty);
    const char *t = emit_tmp(E);
    if (!a0) {
        emit_line(E, "%s %s = { 0 };", emit_ctype_name(E, st), t);
        return t;
    }
    const char *v = arg(E, e, 0);
    if (kind_of(a0) == TY_SET)
        return v;
    emit_line(E, "%s %s = { 0 };", emit_ctype_name(E, st), t);
    const char *x = emit_iter_begin(E, a0, v);
    emit_line(E, "    %s(" ARENA ", &%s, %s);", emit_coll_fn(E, st, "ins"), t, x);
    emit_line(E, "}");
    return t;
}

/* dict(), dict(list of pairs | dict) */
static const char *bi_dict(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    Type *dt = ty_resolve(e->ty);
    const char *t = emit_tmp(E);
    if (!a0) {
        emit_line(E, "%s %s = { 0 };", emit_ctype_name(E, dt), t);
        return t;
    }
    const char *v = arg(E, e, 0);
    if (kind_of(a0) == TY_DICT)
        return v;
    emit_line(E, "%s %s = { flow_arena_alloc(" ARENA ", sizeof(%s.v[0]) * (size_t)%s.n), 0 };",
              emit_ctype_name(E, dt), t, t, v);
    emit_line(E, "for (int64_t i = 0; i < %s.n; i++)", v);
    emit_line(E, "    %s(&%s, %s.v[i].f0, %s.v[i].f1);", emit_coll_fn(E, dt, "put"), t, v, v);
    return t;
}

/* sorted(list | set | dict) */
static const char *bi_sorted(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    Type *lt = ty_resolve(e->ty);
    const char *v = arg(E, e, 0);
    const char *t = emit_tmp(E);
    TypeKind k = kind_of(a0);
    const char *n = k == TY_SET ? emit_strf(E, "%s.used", v) : emit_strf(E, "%s.n", v);
    emit_line(E, "%s %s = { flow_arena_alloc(" ARENA ", sizeof(%s.v[0]) * (size_t)%s), 0 };", emit_ctype_name(E, lt), t,
              t, n);
    const char *x = emit_iter_begin(E, a0, v);
    emit_line(E, "    %s.v[%s.n++] = %s;", t, t, x);
    emit_line(E, "}");
    emit_line(E, "flow_sort_values(%s.v, (size_t)%s.n, sizeof(%s.v[0]), %s, " ARENA ");", t, t, t,
              emit_qcmp(E, lt->elem));
    return t;
}

/* replace */
static const char *bi_replace(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    (void)a0;
    const char *v = arg(E, e, 0), *o = arg(E, e, 1), *n = arg(E, e, 2);
    const char *t = emit_tmp(E);
    emit_line(E, "flow_str %s = flow_str_replace(" ARENA ", %s, %s, %s);", t, v, o, n);
    return t;
}

/* substr */
static const char *bi_substr(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    (void)a0;
    const char *v = arg(E, e, 0), *s = arg(E, e, 1);
    const char *n = e->list.n == 3 ? arg(E, e, 2) : "INT64_MAX";
    const char *t = emit_tmp(E);
    emit_line(E, "flow_str %s = flow_str_substr(" ARENA ", %s, %s, %s);", t, v, s, n);
    return t;
}

/* findall */
static const char *bi_findall(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    (void)a0;
    Node *re = e->list.items[1]->lhs;
    const char *v = arg(E, e, 0);
    int k = E->nregex++;
    fprintf(E->fields, "    flow_regex *re%d;   /* %s */\n", k, emit_c_string(E, re->sval, re->slen));
    fprintf(E->init, "    f->re%d = flow_regex_compile(%s, %zu, err, sizeof err);\n", k,
            emit_c_string(E, re->sval, re->slen), re->slen);
    fprintf(E->init, "    if (!f->re%d)\n        flow_step_error(rt, %s, NULL, err);\n", k, emit_loc_str(E, re->loc));
    fprintf(E->fini, "    flow_regex_free(f->re%d);\n", k);
    const char *t = emit_tmp(E);
    emit_line(E, "flow_list_str %s = flow_regex_findall(" ARENA ", f->re%d, %s);", t, k, v);
    return t;
}

/* sum */
static const char *bi_sum(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    (void)a0;
    const char *v = arg(E, e, 0);
    const char *t = emit_tmp(E);
    if (kind_of(e->ty) == TY_FLOAT) {
        emit_line(E, "double %s = 0.0;", t);
        emit_line(E, "for (int64_t i = 0; i < %s.n; i++)", v);
        emit_line(E, "    %s += %s.v[i];", t, v);
        return t;
    }
    emit_line(E, "int64_t %s = 0;", t);
    emit_line(E, "for (int64_t i = 0; i < %s.n; i++)", v);
    emit_line(E, "    if (__builtin_add_overflow(%s, %s.v[i], &%s))", t, v, t);
    emit_line(E, "        flow_step_error(f->rt, %s, %s, \"integer overflow in sum()\");", emit_loc_str(E, e->loc),
              E->step_expr);
    return t;
}

/* range */
static const char *bi_range(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    (void)a0;
    const char *lo = "0", *hi, *st = "1";
    if (e->list.n == 1) {
        hi = arg(E, e, 0);
    } else {
        lo = arg(E, e, 0);
        hi = arg(E, e, 1);
        if (e->list.n == 3)
            st = arg(E, e, 2);
    }
    fail(E, e->loc, emit_strf(E, "%s == 0", st), "range() arg 3 must not be zero");
    const char *n = emit_tmp(E);
    const char *t = emit_tmp(E);
    /* Python's len(range(lo, hi, st)), in unsigned arithmetic so no step overflows */
    emit_line(E, "uint64_t %s = 0;", n);
    emit_line(E, "if (%s > 0 && %s < %s)", st, lo, hi);
    emit_line(E, "    %s = ((uint64_t)%s - (uint64_t)%s - 1) / (uint64_t)%s + 1;", n, hi, lo, st);
    emit_line(E, "else if (%s < 0 && %s > %s)", st, lo, hi);
    emit_line(E, "    %s = ((uint64_t)%s - (uint64_t)%s - 1) / (0 - (uint64_t)%s) + 1;", n, lo, hi, st);
    fail(E, e->loc, emit_strf(E, "%s > (UINT64_C(1) << 32)", n), "range() is too long to build as a list");
    emit_line(E, "%s %s = { .v = flow_arena_alloc(" ARENA ", sizeof(int64_t) * (size_t)(%s ? %s : 1)), .n = (int64_t)%s };",
              emit_ctype_name(E, e->ty), t, n, n, n);
    emit_line(E, "for (int64_t i = 0; i < (int64_t)%s; i++)", n);
    emit_line(E, "    %s.v[i] = (int64_t)((uint64_t)%s + (uint64_t)i * (uint64_t)%s);", t, lo, st);
    return t;
}

/* now */
static const char *bi_now(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)E;
    (void)e;
    (void)b;
    (void)a0;
    return "f->rt->now";
}

/* timestamp */
static const char *bi_timestamp(Emit *E, Node *e, Builtin b, Type *a0)
{
    (void)b;
    (void)a0;
    const char *v = arg(E, e, 0);
    const char *t = emit_tmp(E);
    emit_line(E, "flow_time %s;", t);
    fail_with_repr(E, e->loc, emit_strf(E, "!flow_time_parse(%s.p, (size_t)%s.n, &%s)", v, v, t),
                   "invalid timestamp: ", v);
    return t;
}

/* The code of each built-in, found by its Builtin (builtins.def): called
 * with the call E, the built-in B and A0, the type of its first argument
 * (NULL without arguments); returns a C expression for the result. */
static const char *(*const builtin_emits[BI_COUNT])(Emit *E, Node *e, Builtin b, Type *a0) = {
    [BI_STR] = bi_str,
    [BI_INT] = bi_int,
    [BI_FLOAT] = bi_float,
    [BI_LEN] = bi_len,
    [BI_ABS] = bi_abs,
    [BI_MIN] = bi_minmax,
    [BI_MAX] = bi_minmax,
    [BI_FLOOR] = bi_rounding,
    [BI_CEIL] = bi_rounding,
    [BI_ROUND] = bi_rounding,
    [BI_SQRT] = bi_sqrt,
    [BI_LOWER] = bi_case,
    [BI_UPPER] = bi_case,
    [BI_TRIM] = bi_case,
    [BI_SPLIT] = bi_split,
    [BI_STARTS_WITH] = bi_affix,
    [BI_ENDS_WITH] = bi_affix,
    [BI_CONTAINS] = bi_contains,
    [BI_REPLACE] = bi_replace,
    [BI_SUBSTR] = bi_substr,
    [BI_FINDALL] = bi_findall,
    [BI_SUM] = bi_sum,
    [BI_RANGE] = bi_range,
    [BI_NOW] = bi_now,
    [BI_TIMESTAMP] = bi_timestamp,
    [BI_GET] = bi_get,
    [BI_REMOVE] = bi_remove,
    [BI_KEYS] = bi_dict_view,
    [BI_VALUES] = bi_dict_view,
    [BI_ITEMS] = bi_dict_view,
    [BI_ADD] = bi_add,
    [BI_SET] = bi_set,
    [BI_DICT] = bi_dict,
    [BI_SORTED] = bi_sorted,
    [BI_FORMAT] = bi_format,
    [BI_JOIN] = bi_join,
    [BI_STRIP] = bi_strip,
    [BI_LSTRIP] = bi_strip,
    [BI_RSTRIP] = bi_strip,
    [BI_ZFILL] = bi_zfill,
    [BI_BOOL] = bi_bool,
};

static const char *emit_builtin(Emit *E, Node *e, Builtin b)
{
    if (b == BI_JSON || b == BI_PARSE_JSON || b == BI_DUMPS ||
        ((b == BI_INT || b == BI_FLOAT || b == BI_LEN || b == BI_BOOL || b == BI_GET || b == BI_KEYS ||
          b == BI_VALUES || b == BI_ITEMS) && kind_of(arg_ty(e, 0)) == TY_JSON))
        return emit_jv_builtin(E, e, b);
    if (b >= BI_COUNT || !builtin_emits[b])
        ICE("unknown built-in");
    return builtin_emits[b](E, e, b, e->list.n ? arg_ty(e, 0) : NULL);
}

static const char *emit_call(Emit *E, Node *e)
{
    Symbol *s = e->lhs->sym;
    if (s->kind == SYM_BUILTIN)
        return emit_builtin(E, e, s->builtin);
    const char **args = arena_alloc(E->a, sizeof(char *) * (size_t)(e->list.n + 1));
    for (int i = 0; i < e->list.n; i++)
        args[i] = emit_coerce(E, e->list.items[i]->lhs, s->params[i]);
    const char *t = emit_tmp(E);
    fprintf(E->out, "%*s%s %s = ", E->indent * 4, "", emit_ctype_name(E, s->ret), t);
    if (s->kind == SYM_FN)
        fprintf(E->out, "%s_fn_%s(f, %s", E->P, s->name, E->step_expr);
    else
        fprintf(E->out, "%s(", s->name);
    for (int i = 0; i < e->list.n; i++)
        fprintf(E->out, "%s%s", (i || s->kind == SYM_FN) ? ", " : "", args[i]);
    fprintf(E->out, ");\n");
    return t;
}

/* ===================================================================
 * The dispatcher
 * =================================================================== */

const char *emit_expr(Emit *E, Node *e)
{
    switch (e->kind) {
    case ND_INT:
    case ND_DURATION:
    case ND_TIMESTAMP:
        return int_lit(E, e->ival);
    case ND_FLOAT: {
        /* Python reads 1e999 as inf: C has no literal for it */
        if (isinf(e->fval))
            return e->fval < 0 ? "(-INFINITY)" : "INFINITY";
        if (isnan(e->fval))
            return "NAN";
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g", e->fval);
        if (!strpbrk(buf, ".eEn"))
            strcat(buf, ".0");
        return emit_strf(E, "%s", buf);
    }
    case ND_STRING:
        return emit_strf(E, "((flow_str){ %s, %zu })", emit_c_string(E, e->sval, e->slen), e->slen);
    case ND_BOOL:
        return e->ival ? "true" : "false";
    case ND_NONE:
        return emit_strf(E, "((%s){ .has = false })", emit_ctype_name(E, e->ty));
    case ND_IDENT:
        return emit_local_name(E, e->sym);
    case ND_BINARY:
        switch (e->op) {
        case OP_AND:
        case OP_OR:
            return emit_logic(E, e);
        case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
            return emit_compare(E, e);
        case OP_IN:
        case OP_NOT_IN:
            return emit_in(E, e);
        default:
            return emit_arith(E, e);
        }
    case ND_UNARY:
        return emit_unary(E, e);
    case ND_IF:
        return emit_if(E, e);
    case ND_COALESCE:
        return emit_coalesce(E, e);
    case ND_FIELD: {
        const char *v = emit_expr(E, e->lhs);
        Type *lt = ty_resolve(e->lhs->ty);
        if ((lt->kind == TY_META || lt->kind == TY_META17) && strcmp(e->name, "merged_ids") == 0)
            return emit_strf(E, "((%s){ %s.merged_ids.v, %s.merged_ids.n })", emit_ctype_name(E, e->ty), v, v);
        return emit_strf(E, "%s.%s", v, lt->kind == TY_RECORD ? emit_field_name(E, e->name) : e->name);
    }
    case ND_OPT_FIELD:
        return emit_opt_field(E, e);
    case ND_TUPLE_INDEX:
        return emit_strf(E, "%s.f%lld", emit_expr(E, e->lhs), (long long)e->ival);
    case ND_INDEX: {
        if (kind_of(e->lhs->ty) == TY_JSON)
            return emit_jv_index(E, e);
        if (kind_of(e->lhs->ty) == TY_DICT)
            return emit_dict_index(E, e);
        /* Python: xs[-1] is the last element; outside the list is an error */
        const char *l = emit_expr(E, e->lhs);
        const char *i = emit_expr(E, e->rhs);
        const char *k = emit_tmp(E);
        emit_line(E, "int64_t %s = %s < 0 ? %s + %s.n : %s;", k, i, i, l, i);
        fail(E, e->loc, emit_strf(E, "%s < 0 || %s >= %s.n", k, k, l), "list index out of range");
        return emit_strf(E, "%s.v[%s]", l, k);
    }
    case ND_WITH:
        return kind_of(e->ty) == TY_DICT ? emit_dict_with(E, e) : emit_with(E, e);
    case ND_RECORD_LIT:
        return emit_record_lit(E, e);
    case ND_TUPLE:
        return emit_tuple(E, e);
    case ND_LIST:
        return emit_list(E, e);
    case ND_FSTRING:
        return emit_fstring(E, e);
    case ND_SET:
        return emit_set_lit(E, e);
    case ND_DICT:
        return emit_dict_lit(E, e);
    case ND_CALL:
        return emit_call(E, e);
    case ND_BLOCK:
        return emit_block(E, e);
    default:
        ICE("cannot emit this expression");
    }
}

/* ===================================================================
 * Lambdas and fns
 * =================================================================== */

static void emit_params_and_body(Emit *E, NodeList *params, Node *body, Type *ret)
{
    for (int i = 0; i < params->n; i++) {
        Node *p = params->items[i];
        Node *pat = p->kind == ND_PARAM ? p->lhs : p;
        emit_line(E, "(void)%s;", pat->kind == ND_PAT_NAME ? emit_local_name(E, pat->sym) : emit_strf(E, "p%d", i));
    }
    /* parameters that are tuple patterns arrive as pN and are destructured */
    for (int i = 0; i < params->n; i++) {
        Node *p = params->items[i];
        Node *pat = p->kind == ND_PARAM ? p->lhs : p;
        if (pat->kind == ND_PAT_TUPLE)
            bind_pattern(E, pat, emit_strf(E, "p%d", i));
    }
    emit_line_directive(E, body->loc);
    const char *v = emit_coerce(E, body, ret);
    emit_line(E, "return %s;", v);
    emit_line_back(E);
}

static void emit_param_list(Emit *E, NodeList *params, Type **ptypes)
{
    fprintf(E->out, "%s_flow *f, const char *step", E->P);
    for (int i = 0; i < params->n; i++) {
        Node *p = params->items[i];
        Node *pat = p->kind == ND_PARAM ? p->lhs : p;
        Type *pt = ptypes ? ptypes[i] : p->ty;
        if (pat->kind == ND_PAT_NAME)
            fprintf(E->out, ", %s %s", emit_ctype_name(E, pt), emit_local_name(E, pat->sym));
        else
            fprintf(E->out, ", %s p%d", emit_ctype_name(E, pt), i);
    }
}

/* A static function NAME(f, step, PARAMS) -> RET computing BODY, after a
 * comment naming WHAT at LOC (PTYPES: the parameters' types, or NULL to
 * take them from the parameters). */
static void emit_function(Emit *E, Loc loc, const char *what, const char *name, NodeList *params, Type **ptypes,
                          Node *body, Type *ret)
{
    E->out = E->code;
    E->indent = 1;
    int line, col;
    srcfile_linecol(loc.file, loc.start, &line, &col);
    fprintf(E->out, "/* %s:%d:%d: %s */\n", E->src_name, line, col, what);
    fprintf(E->out, "static %s %s(", emit_ctype_name(E, ret), name);
    emit_param_list(E, params, ptypes);
    fprintf(E->out, ")\n{\n");
    emit_line(E, "(void)f;");
    emit_line(E, "(void)step;");
    const char *saved = E->step_expr;
    E->step_expr = "step";
    emit_params_and_body(E, params, body, ret);
    E->step_expr = saved;
    fprintf(E->out, "}\n\n");
}

void emit_lambda(Emit *E, Node *lam, const char *name, Type *ret)
{
    emit_function(E, lam->loc, "lambda", name, &lam->list, NULL, lam->body, ret);
}

void emit_fn_decl(Emit *E, Symbol *s)
{
    Node *d = s->decl;
    const char *name = emit_strf(E, "%s_fn_%s", E->P, s->name);
    E->out = E->protos;
    fprintf(E->out, "static %s %s(", emit_ctype_name(E, s->ret), name);
    emit_param_list(E, &d->list, s->params);
    fprintf(E->out, ");\n");
    emit_function(E, d->loc, emit_strf(E, "fn %s", s->name), name, &d->list, s->params, d->body, s->ret);
}

void emit_extern_decl(Emit *E, Symbol *s)
{
    fprintf(E->protos, "extern %s %s(", emit_ctype_name(E, s->ret), s->name);
    for (int i = 0; i < s->nparams; i++)
        fprintf(E->protos, "%s%s", i ? ", " : "", emit_ctype_name(E, s->params[i]));
    if (!s->nparams)
        fprintf(E->protos, "void");
    fprintf(E->protos, ");\n");
}
