/*
 * sema_expr.c - the checker for expressions: literals, names, operators,
 * records, lists, tuples, optionals, blocks and built-in calls.
 *
 * sema_check_expr(S, e, hint) returns e's type and stores it in e->ty. HINT is
 * the type the context expects, or NULL; it only guides inference (of `[]`,
 * `none`, lambda parameters). Callers still check the result against what
 * they need with sema_expect, so every mismatch is reported once, where it
 * is found.
 */
#include <string.h>
#include <flowrt_gen.h>   /* flow_regex_compile: a pattern is checked as it will run */
#include "flowc.h"
#include "sema.h"
#include "sema_internal.h"

static Type *T(TypeKind k) { return ty_prim(k); }

static Type *set(Node *e, Type *t)
{
    e->ty = t;
    return t;
}

static bool is_kind(Type *t, TypeKind k) { return ty_resolve(t)->kind == k; }
static bool is_err(Type *t) { return ty_resolve(t)->kind == TY_ERROR; }

static Field *record_field(Record *r, const char *name)
{
    for (int i = 0; i < r->n; i++)
        if (r->fields[i].name == name)
            return &r->fields[i];
    return NULL;
}

/* "record `R` has no field `F`", with the closest field as a suggestion. */
static void no_such_field(Sema *S, Node *at, Record *r, const char *name)
{
    Suggest sg;
    sema_suggest_init(&sg, name);
    for (int i = 0; i < r->n; i++)
        sema_suggest_try(&sg, r->fields[i].name);
    diag_error(at->name_loc.end ? at->name_loc : at->loc, "record `%s` has no field `%s`%s",
               r->name, name, sema_did_you_mean(S, &sg));
}

static bool is_step_operator(const char *name) { return step_kind_lookup(name) >= 0; }

/* ===================================================================
 * Names
 * =================================================================== */

static Type *check_ident(Sema *S, Node *e)
{
    Symbol *s = sema_lookup(S, e->name);
    if (!s && strcmp(e->name, "_") == 0) {
        diag_error(e->loc, "`_` ignores a value; it cannot be read");
        return set(e, ty_error());
    }
    if (!s && strcmp(e->name, "extern") == 0) {
        diag_error(e->loc, "`extern` is a source or a sink: `input(extern<TYPE>)`, `output(STREAM, extern)`");
        return set(e, ty_error());
    }
    if (!s) {
        diag_error(e->loc, "use of undeclared name `%s`%s", e->name,
                   sema_suggest_name(S, e->name, SUG_VALUE));
        return set(e, ty_error());
    }
    e->sym = s;
    switch (s->kind) {
    case SYM_LOCAL:
        if (s->ty && ty_resolve(s->ty)->kind == TY_CACHE) {
            diag_error(e->loc, "`%s` is the cache of `enrich_cached`; it can only be read with `%s.get(KEY)` or `get(%s, KEY)`",
                       e->name, e->name, e->name);
            return set(e, ty_error());
        }
        return set(e, s->ty);
    case SYM_CONST:
        sema_check_const(S, s, e);
        return set(e, s->ty ? s->ty : ty_error());
    case SYM_STEP:
        diag_error(e->loc, "`%s` is a stream; streams can only be passed to steps", e->name);
        return set(e, ty_error());
    case SYM_FN:
    case SYM_EXTERN:
    case SYM_BUILTIN:
        diag_error(e->loc, "`%s` is a function; call it with `%s(...)`", e->name, e->name);
        return set(e, ty_error());
    case SYM_RECORD:
        diag_error(e->loc, "`%s` is a record type, not a value", e->name);
        return set(e, ty_error());
    case SYM_SINK:
        diag_error(e->loc, "`%s` is a sink; it can only be passed to `output`", e->name);
        return set(e, ty_error());
    }
    return set(e, ty_error());
}

/* ===================================================================
 * Operators
 * =================================================================== */

static Type *arith_result(int op, Type *l, Type *r)
{
    TypeKind a = ty_resolve(l)->kind, b = ty_resolve(r)->kind;
    if (a == TY_ERROR || b == TY_ERROR)
        return ty_error();
    /* no implicit int/float mixing (docs/language.md §4); `/` is Python
     * 3's true division, so int / int is a float */
    if ((a == TY_INT || a == TY_FLOAT) && a == b)
        return op == OP_DIV ? T(TY_FLOAT) : T(a);
    switch (op) {
    case OP_ADD:
        if (a == TY_STRING && b == TY_STRING)
            return T(TY_STRING);
        if (a == TY_LIST && b == TY_LIST) {
            Type *j = ty_join(l, r);
            return j ? j : NULL;
        }
        if (a == TY_TIMESTAMP && b == TY_DURATION)
            return T(TY_TIMESTAMP);
        if (a == TY_DURATION && b == TY_TIMESTAMP)
            return T(TY_TIMESTAMP);
        if (a == TY_DURATION && b == TY_DURATION)
            return T(TY_DURATION);
        return NULL;
    case OP_SUB:
        if (a == TY_TIMESTAMP && b == TY_DURATION)
            return T(TY_TIMESTAMP);
        if (a == TY_TIMESTAMP && b == TY_TIMESTAMP)
            return T(TY_DURATION);
        if (a == TY_DURATION && b == TY_DURATION)
            return T(TY_DURATION);
        return NULL;
    case OP_MUL:
        if ((a == TY_DURATION && b == TY_INT) || (a == TY_INT && b == TY_DURATION))
            return T(TY_DURATION);
        return NULL;
    case OP_DIV:
        if (a == TY_DURATION && b == TY_INT)
            return T(TY_DURATION);   /* Python td / n: rounded half to even */
        if (a == TY_DURATION && b == TY_DURATION)
            return T(TY_FLOAT);      /* Python td / td */
        return NULL;
    case OP_FLOORDIV:
        if (a == TY_DURATION && b == TY_INT)
            return T(TY_DURATION);   /* Python td // n */
        if (a == TY_DURATION && b == TY_DURATION)
            return T(TY_INT);        /* Python td // td */
        return NULL;
    case OP_MOD:
        if (a == TY_DURATION && b == TY_DURATION)
            return T(TY_DURATION);
        return NULL;
    default:
        return NULL;
    }
}

/* The fix for int operand N beside a float: `2.0` for the literal `2`,
 * else `float(TEXT)` with N's source text (`float(...)` when that is long
 * or spans lines). */
static void int_to_float_note(Node *n)
{
    const char *src = srcfile_text(n->loc.file) + n->loc.start;
    int len = n->loc.end - n->loc.start;
    if (n->kind == ND_INT && len <= 21)
        diag_note(n->loc, "ints and floats do not mix; write `%.*s.0` to make it a float", len, src);
    else if (len > 0 && len <= 40 && !memchr(src, '\n', (size_t)len))
        diag_note(n->loc, "ints and floats do not mix; write `float(%.*s)` to make it a float", len, src);
    else
        diag_note(n->loc, "ints and floats do not mix; convert the int with `float(...)`");
}

/* After an int/float mismatch: say how to convert the int side. */
static void mixed_numbers_note(Node *ln, Type *l, Node *rn, Type *r)
{
    TypeKind a = ty_resolve(l)->kind, b = ty_resolve(r)->kind;
    if (a == TY_INT && b == TY_FLOAT)
        int_to_float_note(ln);
    else if (a == TY_FLOAT && b == TY_INT)
        int_to_float_note(rn);
}

/* After an operator refused a json operand: how to convert it (Python
 * would apply the operator to whatever json.loads gave; flowc wants the
 * type said, once). */
static void json_operand_note(Node *ln, Type *l, Node *rn, Type *r)
{
    Node *j = is_kind(l, TY_JSON) ? ln : is_kind(r, TY_JSON) ? rn : NULL;
    if (!j)
        return;
    const char *src = srcfile_text(j->loc.file) + j->loc.start;
    int len = j->loc.end - j->loc.start;
    if (len <= 0 || len > 40 || memchr(src, '\n', (size_t)len))
        src = "j[\"n\"]", len = 6;
    diag_note(j->loc, "a `json` value has no type until converted: write `int(%.*s)`, `float(%.*s)`, `str(%.*s)` "
              "or `bool(%.*s)`", len, src, len, src, len, src, len, src);
}

/* Is X (of type T) a value `x in JSON` can look for: a string, number,
 * bool or json (converted to JSON, then Python's `in`)? */
static bool json_scalar(Type *t)
{
    TypeKind k = ty_resolve(t)->kind;
    return k == TY_STRING || k == TY_INT || k == TY_FLOAT || k == TY_BOOL || k == TY_JSON;
}

/* The type of what `x in C` looks for in a C of type T: a dict's key, a
 * set's or list's element, a string's substring; NULL for other types. */
static Type *member_type_of(Type *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_DICT: return t->key;
    case TY_SET: case TY_LIST: return t->elem;
    case TY_STRING: return t;
    default: return NULL;
    }
}

/* cmp_expr = add_expr ( `in` | `not` `in` ) add_expr: Python's membership
 * test of a dict's keys, a set, a list, or a substring. */
static Type *check_in(Sema *S, Node *e)
{
    Type *r = sema_check_expr(S, e->rhs, NULL);
    if (is_kind(r, TY_JSON)) {   /* a key, an element or a substring of the loaded value */
        Type *l = sema_check_expr(S, e->lhs, NULL);
        if (!is_err(l) && !json_scalar(l))
            diag_error(e->lhs->loc, "`%s` of a `json` value looks for a string, int, float, bool or json, found `%s`",
                       ast_op_name(e->op), ty_str(l));
        return T(TY_BOOL);
    }
    Type *m = member_type_of(r);
    Type *l = sema_check_expr(S, e->lhs, m);
    if (is_err(l) || is_err(r))
        return T(TY_BOOL);
    if (!m) {
        diag_error(e->rhs->loc, "`%s` needs a dict, set, list or string on its right, found `%s`",
                   ast_op_name(e->op), ty_str(r));
        return T(TY_BOOL);
    }
    if (!ty_accepts(m, l) && !ty_has_error(m))
        diag_error(e->loc, "`%s` cannot look for `%s` in `%s`", ast_op_name(e->op), ty_str(l), ty_str(r));
    return T(TY_BOOL);
}

static Type *check_binary(Sema *S, Node *e, Type *hint)
{
    int op = e->op;
    if (op == OP_AND || op == OP_OR) {
        Type *l = sema_check_expr(S, e->lhs, T(TY_BOOL));
        Type *r = sema_check_expr(S, e->rhs, T(TY_BOOL));
        sema_expect(e->lhs, T(TY_BOOL), l);
        sema_expect(e->rhs, T(TY_BOOL), r);
        return set(e, T(TY_BOOL));
    }
    if (op == OP_EQ || op == OP_NE) {
        Type *l = sema_check_expr(S, e->lhs, NULL);
        Type *r = sema_check_expr(S, e->rhs, l);
        if (!is_err(l) && !is_err(r) && !(ty_is_numeric(l) && ty_is_numeric(r)) && !ty_join(l, r)) {
            diag_error(e->loc, "operator `%s` cannot compare `%s` with `%s`",
                       ast_op_name(op), ty_str(l), ty_str(r));
            json_operand_note(e->lhs, l, e->rhs, r);
        }
        return set(e, T(TY_BOOL));
    }
    if (op == OP_IN || op == OP_NOT_IN)
        return set(e, check_in(S, e));
    if (op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE) {
        Type *l = sema_check_expr(S, e->lhs, NULL);
        Type *r = sema_check_expr(S, e->rhs, l);
        if (is_err(l) || is_err(r))
            return set(e, T(TY_BOOL));
        bool ok = (ty_is_numeric(l) && ty_is_numeric(r)) ||
                  (ty_unify(l, r) && ty_is_ordered(l));
        if (!ok) {
            diag_error(e->loc, "operator `%s` cannot compare `%s` with `%s`",
                       ast_op_name(op), ty_str(l), ty_str(r));
            json_operand_note(e->lhs, l, e->rhs, r);
        }
        return set(e, T(TY_BOOL));
    }
    /* arithmetic; the hint flows to list operands (`acc + [x]`) */
    Type *l = sema_check_expr(S, e->lhs, hint && is_kind(hint, TY_LIST) ? hint : NULL);
    Type *r = sema_check_expr(S, e->rhs, is_kind(l, TY_LIST) ? l : NULL);
    Type *res = arith_result(op, l, r);
    if (!res) {
        diag_error(e->loc, "operator `%s` cannot be applied to `%s` and `%s`",
                   ast_op_name(op), ty_str(l), ty_str(r));
        mixed_numbers_note(e->lhs, l, e->rhs, r);
        json_operand_note(e->lhs, l, e->rhs, r);
        res = ty_error();
    }
    return set(e, res);
}

static Type *check_unary(Sema *S, Node *e)
{
    if (e->op == OP_NOT) {
        Type *t = sema_check_expr(S, e->lhs, T(TY_BOOL));
        sema_expect(e->lhs, T(TY_BOOL), t);
        return set(e, T(TY_BOOL));
    }
    Type *t = sema_check_expr(S, e->lhs, NULL);
    TypeKind k = ty_resolve(t)->kind;
    if (k != TY_INT && k != TY_FLOAT && k != TY_DURATION && k != TY_ERROR) {
        diag_error(e->loc, "operator `-` cannot be applied to `%s`", ty_str(t));
        json_operand_note(e->lhs, t, e->lhs, t);
        return set(e, ty_error());
    }
    return set(e, t);
}

/* ===================================================================
 * Records, fields, optionals
 * =================================================================== */

static void check_field_inits(Sema *S, Node *e, Record *r, bool all_required)
{
    for (int i = 0; i < e->list.n; i++) {
        Node *fi = e->list.items[i];
        Field *f = record_field(r, fi->name);
        for (int j = 0; j < i; j++)
            if (e->list.items[j]->name == fi->name) {
                Node *first = e->list.items[j];
                diag_error(fi->name_loc.end ? fi->name_loc : fi->loc, "field `%s` is given twice", fi->name);
                diag_note(first->name_loc.end ? first->name_loc : first->loc, "`%s` is first given here",
                          fi->name);
                break;
            }
        if (!f) {
            no_such_field(S, fi, r, fi->name);
            sema_check_expr(S, fi->lhs, NULL);
            continue;
        }
        Type *t = sema_check_expr(S, fi->lhs, f->ty);
        sema_expect(fi->lhs, f->ty, t);
        fi->ty = f->ty;
    }
    if (!all_required)
        return;
    for (int k = 0; k < r->n; k++) {
        bool given = false;
        for (int i = 0; i < e->list.n; i++)
            if (e->list.items[i]->name == r->fields[k].name)
                given = true;
        if (!given)
            diag_error(e->loc, "missing field `%s` in `%s` literal", r->fields[k].name, r->name);
    }
}

static Type *check_record_lit(Sema *S, Node *e)
{
    Symbol *s = sema_lookup(S, e->name);
    if (!s || s->kind != SYM_RECORD) {
        diag_error(e->name_loc.end ? e->name_loc : e->loc, "unknown record type `%s`%s", e->name,
                   sema_suggest_name(S, e->name, SUG_RECORD));
        for (int i = 0; i < e->list.n; i++)
            sema_check_expr(S, e->list.items[i]->lhs, NULL);
        return set(e, ty_error());
    }
    check_field_inits(S, e, s->rec, true);
    return set(e, ty_record(s->rec));
}

static Type *check_field(Sema *S, Node *e)
{
    Type *t = ty_resolve(sema_check_expr(S, e->lhs, NULL));
    if (t->kind == TY_ERROR)
        return set(e, t);
    if (t->kind == TY_META || t->kind == TY_META17) {
        if (strcmp(e->name, "open_time") == 0 || strcmp(e->name, "close_time") == 0)
            return set(e, T(TY_TIMESTAMP));
        if (strcmp(e->name, "merged_ids") == 0)
            return set(e, ty_list(T(TY_INT)));
    }
    if (t->kind == TY_RECORD) {
        Field *f = record_field(t->rec, e->name);
        if (f)
            return set(e, f->ty);
        no_such_field(S, e, t->rec, e->name);
        return set(e, ty_error());
    }
    if (t->kind == TY_OPT && ty_resolve(t->elem)->kind == TY_RECORD)
        diag_error(e->loc, "`%s` may be none; use `?.%s` or `??`", ty_str(t), e->name);
    else if (t->kind == TY_JSON)
        diag_error(e->loc, "a `json` value has no fields; take a member with `[\"%s\"]` or `.get(\"%s\")`", e->name,
                   e->name);
    else
        diag_error(e->loc, "type `%s` has no field `%s`", ty_str(t), e->name);
    return set(e, ty_error());
}

static Type *check_opt_field(Sema *S, Node *e)
{
    Type *t = ty_resolve(sema_check_expr(S, e->lhs, NULL));
    if (t->kind == TY_ERROR)
        return set(e, t);
    if (t->kind != TY_OPT || ty_resolve(t->elem)->kind != TY_RECORD) {
        diag_error(e->loc, "`?.` needs an optional record, found `%s`", ty_str(t));
        return set(e, ty_error());
    }
    Record *r = ty_resolve(t->elem)->rec;
    Field *f = record_field(r, e->name);
    if (!f) {
        no_such_field(S, e, r, e->name);
        return set(e, ty_error());
    }
    return set(e, ty_opt(f->ty));
}

static Type *check_tuple_index(Sema *S, Node *e)
{
    Type *t = ty_resolve(sema_check_expr(S, e->lhs, NULL));
    if (t->kind == TY_ERROR)
        return set(e, t);
    if (t->kind != TY_TUPLE) {
        diag_error(e->loc, "`.%lld` needs a tuple, found `%s`", (long long)e->ival, ty_str(t));
        return set(e, ty_error());
    }
    if (e->ival < 0 || e->ival >= t->n) {
        diag_error(e->loc, "tuple index %lld out of range for `%s`", (long long)e->ival, ty_str(t));
        return set(e, ty_error());
    }
    return set(e, t->elems[e->ival]);
}

/* index = postfix `[` expr `]`: a list element (Python's negative
 * indexes) or a dict's value (an error naming the key when absent). */
static Type *check_index(Sema *S, Node *e)
{
    Type *t = ty_resolve(sema_check_expr(S, e->lhs, NULL));
    if (t->kind == TY_JSON) {   /* an object's member (string) or an array's element (int) */
        Type *k = sema_check_expr(S, e->rhs, T(TY_STRING));
        if (!is_err(k) && !is_kind(k, TY_STRING) && !is_kind(k, TY_INT))
            diag_error(e->rhs->loc, "a `json` value is indexed by a string (an object's key) or an int (an "
                       "array's element), not by `%s`", ty_str(k));
        return set(e, t);
    }
    if (t->kind == TY_DICT) {
        Type *k = sema_check_expr(S, e->rhs, t->key);
        sema_expect(e->rhs, t->key, k);
        return set(e, t->elem);
    }
    Type *i = sema_check_expr(S, e->rhs, T(TY_INT));
    if (t->kind == TY_ERROR)
        return set(e, t);
    sema_expect(e->rhs, T(TY_INT), i);
    if (t->kind != TY_LIST) {
        diag_error(e->loc, "`[...]` needs a list, a dict or a json value, found `%s`", ty_str(t));
        return set(e, ty_error());
    }
    return set(e, t->elem);
}

/* with = postfix `with` `{` `[` expr `]` `:` expr, ... `}` on a dict: a
 * copy with each key set, in order (a new key goes last, an existing one
 * keeps its place, as Python's d[k] = v) */
static Type *check_dict_with(Sema *S, Node *e, Type *t)
{
    for (int i = 0; i < e->list.n; i++) {
        Node *fi = e->list.items[i];
        if (fi->kind != ND_DICT_ENTRY) {
            diag_error(fi->name_loc.end ? fi->name_loc : fi->loc,
                       "`%s` is a dict: set a key with `[KEY]: VALUE`, e.g. `d with { [\"%s\"]: ... }`",
                       ty_str(t), fi->name);
            sema_check_expr(S, fi->lhs, NULL);
            continue;
        }
        Type *k = sema_check_expr(S, fi->lhs, t->key);
        if (sema_expect(fi->lhs, t->key, k))
            sema_check_hashable(fi->lhs->loc, k, "a dict key");
        Type *v = sema_check_expr(S, fi->rhs, t->elem);
        sema_expect(fi->rhs, t->elem, v);
    }
    return set(e, t);
}

static Type *check_with(Sema *S, Node *e)
{
    Type *t = ty_resolve(sema_check_expr(S, e->lhs, NULL));
    if (t->kind == TY_ERROR)
        return set(e, t);
    if (t->kind == TY_DICT)
        return check_dict_with(S, e, t);
    if (t->kind != TY_RECORD) {
        diag_error(e->loc, "`with` needs a record or a dict, found `%s`", ty_str(t));
        return set(e, ty_error());
    }
    for (int i = 0; i < e->list.n; i++)
        if (e->list.items[i]->kind == ND_DICT_ENTRY) {
            Node *fi = e->list.items[i];
            diag_error(fi->loc, "`[KEY]: VALUE` sets a dict's key, but `%s` is a record: write `FIELD: VALUE`",
                       ty_str(t));
            sema_check_expr(S, fi->lhs, NULL);
            sema_check_expr(S, fi->rhs, NULL);
            return set(e, ty_error());
        }
    check_field_inits(S, e, t->rec, false);
    return set(e, t);
}

static Type *check_coalesce(Sema *S, Node *e, Type *hint)
{
    Type *l = ty_resolve(sema_check_expr(S, e->lhs, hint ? ty_opt(hint) : NULL));
    if (l->kind == TY_ERROR) {
        sema_check_expr(S, e->rhs, NULL);
        return set(e, l);
    }
    if (l->kind != TY_OPT) {
        diag_error(e->lhs->loc, "left side of `??` must be optional, found `%s`", ty_str(l));
        sema_check_expr(S, e->rhs, NULL);
        return set(e, ty_error());
    }
    Type *r = sema_check_expr(S, e->rhs, l->elem);
    Type *j = ty_join(l->elem, r);
    if (!j) {
        sema_mismatch(e->rhs->loc, l->elem, r);
        return set(e, ty_error());
    }
    return set(e, j);
}

/* ===================================================================
 * Lists, tuples, blocks, if
 * =================================================================== */

/* The common type of ACC, the elements so far, and element IT (checked
 * with ACC as its hint); ACC itself after reporting a mismatch. */
static Type *join_elem(Sema *S, Node *it, Type *acc)
{
    Type *t = sema_check_expr(S, it, acc);
    Type *j = ty_join(acc, t);
    if (!j) {
        sema_mismatch(it->loc, acc, t);
        return acc;
    }
    return j;
}

static Type *check_list(Sema *S, Node *e, Type *hint)
{
    Type *h = hint ? ty_resolve(hint) : NULL;
    Type *acc = h && h->kind == TY_LIST ? h->elem : ty_var();
    for (int i = 0; i < e->list.n; i++)
        acc = join_elem(S, e->list.items[i], acc);
    return set(e, ty_list(acc));
}

/* set = `{` expr, ... `}`: the elements' common type, which must be
 * hashable */
static Type *check_set_lit(Sema *S, Node *e, Type *hint)
{
    Type *h = hint ? ty_resolve(hint) : NULL;
    Type *acc = h && h->kind == TY_SET ? h->elem : ty_var();
    for (int i = 0; i < e->list.n; i++)
        acc = join_elem(S, e->list.items[i], acc);
    sema_check_hashable(e->loc, acc, "a set element");
    return set(e, ty_set(acc));
}

/* dict = `{` `}` | `{` expr `:` expr, ... `}`: insertion-ordered; the keys'
 * common type (hashable) and the values' */
static Type *check_dict_lit(Sema *S, Node *e, Type *hint)
{
    Type *h = hint ? ty_resolve(hint) : NULL;
    Type *kt = h && h->kind == TY_DICT ? h->key : ty_var();
    Type *vt = h && h->kind == TY_DICT ? h->elem : ty_var();
    for (int i = 0; i < e->list.n; i++) {
        kt = join_elem(S, e->list.items[i]->lhs, kt);
        vt = join_elem(S, e->list.items[i]->rhs, vt);
    }
    sema_check_hashable(e->loc, kt, "a dict key");
    return set(e, ty_dict(kt, vt));
}

static Type *check_tuple(Sema *S, Node *e, Type *hint)
{
    Type *h = hint ? ty_resolve(hint) : NULL;
    int n = e->list.n;
    Type **el = arena_alloc(S->arena, sizeof(Type *) * (size_t)n);
    for (int i = 0; i < n; i++) {
        Type *eh = (h && h->kind == TY_TUPLE && h->n == n) ? h->elems[i] : NULL;
        el[i] = sema_check_expr(S, e->list.items[i], eh);
    }
    return set(e, ty_tuple(el, n));
}

/* block = `{` { `let` pattern `=` expr `;` } expr `}` */
static Type *check_block(Sema *S, Node *e, Type *hint)
{
    int mark = S->nlocals;
    for (int i = 0; i < e->list.n; i++) {
        Node *let = e->list.items[i];
        Type *t = sema_check_expr(S, let->rhs, NULL);
        int before = S->nlocals;
        sema_bind_pattern(S, let->lhs, t);
        sema_check_unique_bindings(S, before, "name");
        let->ty = t;
    }
    Type *t = sema_check_expr(S, e->body, hint);
    S->nlocals = mark;
    return set(e, t);
}

static Type *check_if(Sema *S, Node *e, Type *hint)
{
    Type *c = sema_check_expr(S, e->cond, T(TY_BOOL));
    sema_expect(e->cond, T(TY_BOOL), c);
    Type *a = sema_check_expr(S, e->lhs, hint);
    Type *b = sema_check_expr(S, e->rhs, hint ? hint : a);
    Type *j = ty_join(a, b);
    if (!j) {
        diag_error(e->rhs->loc, "`if` and `else` have different types: expected `%s`, found `%s`",
                   ty_str(a), ty_str(b));
        diag_note(e->lhs->loc, "the `then` branch has type `%s`", ty_str(a));
        return set(e, ty_error());
    }
    return set(e, j);
}

static void check_spec(Loc loc, const char *spec, size_t n, Type *t);

/* fstring = `f"` { text | `{` expr [`!` conv] [`:` spec] `}` } `"`: each
 * field's value formatted (its spec checked for its type) */
static Type *check_fstring(Sema *S, Node *e)
{
    for (int i = 0; i < e->list.n; i++) {
        Node *p = e->list.items[i];
        if (p->kind != ND_FMT)
            continue;
        if (!p->lhs) {   /* a syntax error, reported */
            p->ty = ty_error();
            continue;
        }
        Type *t = sema_check_expr(S, p->lhs, NULL);
        p->ty = t;
        if (p->sval)
            check_spec(p->loc, p->sval, p->slen, p->ival ? T(TY_STRING) : t);
    }
    return set(e, T(TY_STRING));
}

/* ===================================================================
 * Calls: built-ins and fns
 * =================================================================== */

static Type *arg_type(Sema *S, Node *call, int i, Type *hint)
{
    return sema_check_expr(S, call->list.items[i]->lhs, hint);
}

static Node *arg(Node *call, int i) { return call->list.items[i]->lhs; }

static bool want(Node *call, int i, Type *t, Type *want_ty)
{
    return sema_expect(arg(call, i), want_ty, t);
}

/* The check of one built-in's arguments, called once their number is
 * right and the first one is checked (A0, its type; NULL without
 * arguments). Returns the call's type; NULL when A0 does not fit (the
 * caller reports "cannot be applied to"); ty_error() after its own report. */
typedef Type *BuiltinCheck(Sema *S, Node *e, Type *a0);

/* A0's kind, resolved */
static TypeKind kind0(Type *a0) { return ty_resolve(a0)->kind; }

/* str(any) */
static Type *bi_str(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e, (void)a0;
    return T(TY_STRING);
}

/* int(int | float | string | bool) */
static Type *bi_int(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e;
    TypeKind k = kind0(a0);
    return k == TY_INT || k == TY_FLOAT || k == TY_STRING || k == TY_BOOL || k == TY_JSON ? T(TY_INT) : NULL;
}

/* float(int | float | string) */
static Type *bi_float(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e;
    TypeKind k = kind0(a0);
    return k == TY_INT || k == TY_FLOAT || k == TY_STRING || k == TY_JSON ? T(TY_FLOAT) : NULL;
}

/* bool(x): Python's truth of an int, float, string, bool, list, dict, set
 * or json value */
static Type *bi_bool(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e;
    TypeKind k = kind0(a0);
    return k == TY_INT || k == TY_FLOAT || k == TY_STRING || k == TY_BOOL || k == TY_JSON || k == TY_LIST ||
                   k == TY_DICT || k == TY_SET
               ? T(TY_BOOL)
               : NULL;
}

/* json(x): the JSON value of x: a scalar itself (Python: the value, which
 * json.dumps would write), another value json.loads(json.dumps(x)) as
 * the json sinks write it (a list, tuple or set an array, a record or
 * dict<string, V> an object, none null) */
static Type *bi_json(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e;
    return ty_resolve(a0)->kind == TY_CACHE || ty_has_var(a0) ? NULL : T(TY_JSON);
}

/* dumps(json): json.dumps */
static Type *bi_dumps(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e;
    return kind0(a0) == TY_JSON ? T(TY_STRING) : NULL;
}

/* parse_json(string): json.loads */
static Type *bi_parse_json(Sema *S, Node *e, Type *a0)
{
    (void)S;
    return want(e, 0, a0, T(TY_STRING)) ? T(TY_JSON) : ty_error();
}

/* len(string | list | dict | set) */
static Type *bi_len(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e;
    TypeKind k = kind0(a0);
    return k == TY_STRING || k == TY_LIST || k == TY_DICT || k == TY_SET || k == TY_JSON ? T(TY_INT) : NULL;
}

/* abs(int | float | duration) */
static Type *bi_abs(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e;
    TypeKind k = kind0(a0);
    return k == TY_INT || k == TY_FLOAT || k == TY_DURATION ? a0 : NULL;
}

/* min(list) | min(a, b), max likewise: ordered values */
static Type *bi_min_max(Sema *S, Node *e, Type *a0)
{
    Type *r0 = ty_resolve(a0);
    if (e->list.n == 1)
        return r0->kind == TY_LIST && ty_is_ordered(r0->elem) ? r0->elem : NULL;
    Type *a1 = arg_type(S, e, 1, a0);
    if (!want(e, 1, a1, a0)) {
        mixed_numbers_note(arg(e, 0), a0, arg(e, 1), a1);
        return ty_error();
    }
    return ty_is_ordered(a0) ? a0 : NULL;
}

/* floor(number) | ceil(number) | round(number) */
static Type *bi_to_int(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e;
    return ty_is_numeric(a0) ? T(TY_INT) : NULL;
}

/* sqrt(number) */
static Type *bi_sqrt(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e;
    return ty_is_numeric(a0) ? T(TY_FLOAT) : NULL;
}

/* lower(string) | upper(string) | trim(string) */
static Type *bi_string_op(Sema *S, Node *e, Type *a0)
{
    (void)S;
    return want(e, 0, a0, T(TY_STRING)) ? T(TY_STRING) : ty_error();
}

/* split(string [, separator [, maxsplit]]): the separator may be `none`
 * (whitespace, as Python's s.split(None, n)) */
static Type *bi_split(Sema *S, Node *e, Type *a0)
{
    want(e, 0, a0, T(TY_STRING));
    if (e->list.n >= 2) {
        Type *a1 = arg_type(S, e, 1, ty_opt(T(TY_STRING)));
        want(e, 1, a1, ty_opt(T(TY_STRING)));
        Node *sep = arg(e, 1);
        if (sep->kind == ND_STRING && sep->slen == 0)
            diag_error(sep->loc, "`split` separator must not be empty");
    }
    if (e->list.n == 3)
        want(e, 2, arg_type(S, e, 2, T(TY_INT)), T(TY_INT));
    return ty_list(T(TY_STRING));
}

/* The kind of value flow_fmtspec_parse formats ('i', 'b', 'f', 's'), or
 * 0 for a type a format spec cannot apply to. */
static char format_kind(Type *t)
{
    switch (ty_resolve(t)->kind) {
    case TY_INT: return 'i';
    case TY_BOOL: return 'b';
    case TY_FLOAT: return 'f';
    case TY_STRING: return 's';
    default: return 0;
    }
}

/* A format spec SPEC (N bytes, at LOC) for a value of type T: checked as
 * Python's __format__ of that type would, at compile time. */
static void check_spec(Loc loc, const char *spec, size_t n, Type *t)
{
    if (n == 0 || ty_has_error(t))
        return;
    char kind = format_kind(t);
    if (!kind) {
        Type *r = ty_resolve(t);
        if (r->kind == TY_JSON)
            diag_error(loc, "a format spec applies to ints, floats, bools and strings; convert the `json` value "
                       "first: `float(j)`, `int(j)` or `str(j)`");
        else if (r->kind == TY_OPT)
            diag_error(loc, "a format spec needs a value, but `%s` may be none (Python cannot format None with "
                       "a spec); write `x ?? default`", ty_str(t));
        else
            diag_error(loc, "a format spec applies to ints, floats, bools and strings, not to `%s`; "
                       "format `str(x)` instead", ty_str(t));
        return;
    }
    flow_fmtspec sp;
    char err[256];
    if (!flow_fmtspec_parse(spec, n, kind, &sp, err, sizeof err))
        diag_error(loc, "invalid format spec '%.*s': %s", (int)n, spec, err);
}

/* format(x [, spec]): Python's format(); the spec a string literal */
static Type *bi_format(Sema *S, Node *e, Type *a0)
{
    if (e->list.n == 2) {
        Node *sp = arg(e, 1);
        Type *t = arg_type(S, e, 1, T(TY_STRING));
        if (sp->kind != ND_STRING) {
            if (!ty_has_error(t))
                diag_error(sp->loc, "the spec of `format` must be a string literal, e.g. \".2f\"");
            return T(TY_STRING);
        }
        check_spec(sp->loc, sp->sval, sp->slen, a0);
    }
    return T(TY_STRING);
}

/* join(separator, list<string>), or join(list<string>, separator):
 * Python's separator.join(list) */
static Type *bi_join(Sema *S, Node *e, Type *a0)
{
    bool list_first = ty_resolve(a0)->kind == TY_LIST;
    Type *a1 = arg_type(S, e, 1, list_first ? T(TY_STRING) : ty_list(T(TY_STRING)));
    want(e, 0, a0, list_first ? ty_list(T(TY_STRING)) : T(TY_STRING));
    want(e, 1, a1, list_first ? T(TY_STRING) : ty_list(T(TY_STRING)));
    return T(TY_STRING);
}

/* strip(string [, chars]), lstrip, rstrip */
static Type *bi_strip(Sema *S, Node *e, Type *a0)
{
    want(e, 0, a0, T(TY_STRING));
    if (e->list.n == 2)
        want(e, 1, arg_type(S, e, 1, T(TY_STRING)), T(TY_STRING));
    return T(TY_STRING);
}

/* zfill(string, width) */
static Type *bi_zfill(Sema *S, Node *e, Type *a0)
{
    want(e, 0, a0, T(TY_STRING));
    want(e, 1, arg_type(S, e, 1, T(TY_INT)), T(TY_INT));
    return T(TY_STRING);
}

/* starts_with(string, string) | ends_with(string, string) */
static Type *bi_affix(Sema *S, Node *e, Type *a0)
{
    want(e, 0, a0, T(TY_STRING));
    Type *a1 = arg_type(S, e, 1, T(TY_STRING));
    want(e, 1, a1, T(TY_STRING));
    return T(TY_BOOL);
}

/* contains(list | set, element) | contains(dict, key) | contains(string, string) */
static Type *bi_contains(Sema *S, Node *e, Type *a0)
{
    Type *r0 = ty_resolve(a0);
    if (r0->kind == TY_DICT) {
        Type *a1 = arg_type(S, e, 1, r0->key);
        want(e, 1, a1, r0->key);
        return T(TY_BOOL);
    }
    if (r0->kind == TY_LIST || r0->kind == TY_SET) {
        Type *a1 = arg_type(S, e, 1, r0->elem);
        want(e, 1, a1, r0->elem);
        return T(TY_BOOL);
    }
    return bi_affix(S, e, a0);
}

/* replace(string, old, new) */
static Type *bi_replace(Sema *S, Node *e, Type *a0)
{
    want(e, 0, a0, T(TY_STRING));
    for (int i = 1; i < 3; i++)
        want(e, i, arg_type(S, e, i, T(TY_STRING)), T(TY_STRING));
    return T(TY_STRING);
}

/* substr(string, start [, end]) */
static Type *bi_substr(Sema *S, Node *e, Type *a0)
{
    want(e, 0, a0, T(TY_STRING));
    for (int i = 1; i < e->list.n; i++)
        want(e, i, arg_type(S, e, i, T(TY_INT)), T(TY_INT));
    return T(TY_STRING);
}

/* findall(string, r'PATTERN'): the pattern is compiled here, so a bad
 * one is a compile-time error */
static Type *bi_findall(Sema *S, Node *e, Type *a0)
{
    want(e, 0, a0, T(TY_STRING));
    Node *re = arg(e, 1);
    arg_type(S, e, 1, T(TY_STRING));
    if (re->kind != ND_STRING) {
        diag_error(re->loc, "the pattern of `findall` must be a string literal, e.g. r'[a-z]+'");
        return ty_error();
    }
    char err[256];
    struct flow_regex *rx = flow_regex_compile(re->sval, re->slen, err, sizeof err);
    if (!rx) {
        diag_error(re->loc, "invalid regular expression: %s", err);
        return ty_error();
    }
    flow_regex_free(rx);
    return ty_list(T(TY_STRING));
}

/* sum(list of numbers) */
static Type *bi_sum(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e;
    Type *r0 = ty_resolve(a0);
    return r0->kind == TY_LIST && ty_is_numeric(r0->elem) ? r0->elem : NULL;
}

/* range(int [, int [, int]]) */
static Type *bi_range(Sema *S, Node *e, Type *a0)
{
    want(e, 0, a0, T(TY_INT));
    for (int i = 1; i < e->list.n; i++)
        want(e, i, arg_type(S, e, i, T(TY_INT)), T(TY_INT));
    return ty_list(T(TY_INT));
}

/* now(): not in a const (a const is one value for the whole run) */
static Type *bi_now(Sema *S, Node *e, Type *a0)
{
    (void)a0;
    if (S->in_const) {
        diag_error(e->loc, "`now()` cannot be used in a const");
        return ty_error();
    }
    return T(TY_TIMESTAMP);
}

/* timestamp(string) */
static Type *bi_timestamp(Sema *S, Node *e, Type *a0)
{
    (void)S;
    return want(e, 0, a0, T(TY_STRING)) ? T(TY_TIMESTAMP) : ty_error();
}

/* get(dict, key) -> V? | get(dict, key, default) -> V: Python's d.get */
static Type *bi_get(Sema *S, Node *e, Type *a0)
{
    Type *r0 = ty_resolve(a0);
    if (r0->kind == TY_JSON) {   /* j.get(k): json null when absent; a default is made json */
        want(e, 1, arg_type(S, e, 1, T(TY_STRING)), T(TY_STRING));
        if (e->list.n == 3) {
            Type *d = arg_type(S, e, 2, r0);
            if (!is_err(d) && !json_scalar(d)) {
                diag_error(arg(e, 2)->loc, "the default of `get` on a `json` value is a string, int, float, bool or "
                           "json, not `%s`", ty_str(d));
                return ty_error();
            }
        }
        return r0;
    }
    if (r0->kind != TY_DICT)
        return NULL;
    want(e, 1, arg_type(S, e, 1, r0->key), r0->key);
    if (e->list.n == 2)
        return ty_opt(r0->elem);
    Type *d = arg_type(S, e, 2, r0->elem);
    Type *j = ty_join(r0->elem, d);
    if (!j) {
        sema_mismatch(arg(e, 2)->loc, r0->elem, d);
        return ty_error();
    }
    return j;
}

/* remove(dict, key) | remove(set, element): a copy without it (unchanged
 * when absent, as Python's d.pop(k, None) and s.discard(x)) */
static Type *bi_remove(Sema *S, Node *e, Type *a0)
{
    Type *r0 = ty_resolve(a0);
    if (r0->kind != TY_DICT && r0->kind != TY_SET)
        return NULL;
    Type *k = r0->kind == TY_DICT ? r0->key : r0->elem;
    want(e, 1, arg_type(S, e, 1, k), k);
    return r0;
}

/* keys(dict) | values(dict) | items(dict): lists, in the dict's order
 * (Python's list(d.keys()) ...) */
static Type *bi_dict_view(Sema *S, Node *e, Type *a0)
{
    (void)S;
    Type *r0 = ty_resolve(a0);
    Builtin b = e->lhs->sym->builtin;
    if (r0->kind == TY_JSON)   /* an object's keys, values, (key, value) pairs */
        return b == BI_KEYS ? ty_list(T(TY_STRING)) : b == BI_VALUES ? ty_list(r0) : ty_list(ty_pair(T(TY_STRING), r0));
    if (r0->kind != TY_DICT)
        return NULL;
    if (b == BI_KEYS)
        return ty_list(r0->key);
    if (b == BI_VALUES)
        return ty_list(r0->elem);
    return ty_list(ty_pair(r0->key, r0->elem));
}

/* add(set, element): a copy with it, as Python's s.add(x) */
static Type *bi_add(Sema *S, Node *e, Type *a0)
{
    Type *r0 = ty_resolve(a0);
    if (r0->kind != TY_SET)
        return NULL;
    Type *a1 = arg_type(S, e, 1, r0->elem);
    if (want(e, 1, a1, r0->elem))
        sema_check_hashable(arg(e, 1)->loc, a1, "a set element");
    return r0;
}

/* The type argument of `set<T>()` / `dict<K, V>()` (NULL without one). */
static Type *type_arg(Sema *S, Node *e)
{
    return e->type_ann ? sema_type_from_ann(S, e->type_ann) : NULL;
}

/* set() | set<T>() | set(list | set) | set(dict): Python's set(), of a
 * dict its keys */
static Type *bi_set(Sema *S, Node *e, Type *a0)
{
    Type *ann = type_arg(S, e);
    if (ann && !sema_check_hashable(e->type_ann->loc, ann, "a set element"))
        return ty_error();
    if (!a0)
        return ty_set(ann ? ann : ty_var());
    Type *r0 = ty_resolve(a0);
    Type *el = r0->kind == TY_LIST || r0->kind == TY_SET ? r0->elem : r0->kind == TY_DICT ? r0->key : NULL;
    if (!el)
        return NULL;
    if (ann && !ty_unify(ann, el))
        sema_mismatch(arg(e, 0)->loc, ty_list(ann), a0);
    sema_check_hashable(arg(e, 0)->loc, el, "a set element");
    return ty_set(el);
}

/* dict() | dict<K, V>() | dict(list<(K, V)>) | dict(dict): Python's dict() */
static Type *bi_dict(Sema *S, Node *e, Type *a0)
{
    Type *ann = type_arg(S, e);
    if (ann && ty_resolve(ann)->kind != TY_DICT) {
        diag_error(e->type_ann->loc, "the type argument of `dict` is its key and value types: `dict<K, V>()`");
        return ty_error();
    }
    if (!a0)
        return ann ? ann : ty_dict(ty_var(), ty_var());
    Type *r0 = ty_resolve(a0);
    Type *d = NULL;
    if (r0->kind == TY_DICT)
        d = r0;
    else if (r0->kind == TY_LIST) {
        Type *p = ty_resolve(r0->elem);
        if (p->kind == TY_VAR)
            ty_unify(p, ty_pair(ty_var(), ty_var())), p = ty_resolve(p);
        if (p->kind == TY_TUPLE && p->n == 2)
            d = ty_dict(p->elems[0], p->elems[1]);
    }
    if (!d)
        return NULL;
    if (ann && !ty_unify(ann, d))
        sema_mismatch(arg(e, 0)->loc, ann, d);
    sema_check_hashable(arg(e, 0)->loc, d->key, "a dict key");
    return d;
}

/* sorted(list | set | dict): a new list in ascending order (of a dict,
 * its keys), Python's sorted() */
static Type *bi_sorted(Sema *S, Node *e, Type *a0)
{
    (void)S, (void)e;
    Type *r0 = ty_resolve(a0);
    Type *el = r0->kind == TY_LIST || r0->kind == TY_SET ? r0->elem : r0->kind == TY_DICT ? r0->key : NULL;
    return el && ty_is_ordered(el) ? ty_list(el) : NULL;
}

/* The check of each built-in of builtins.def. */
static BuiltinCheck *const builtin_checks[BI_COUNT] = {
    [BI_STR] = bi_str,
    [BI_INT] = bi_int,
    [BI_FLOAT] = bi_float,
    [BI_LEN] = bi_len,
    [BI_ABS] = bi_abs,
    [BI_MIN] = bi_min_max,
    [BI_MAX] = bi_min_max,
    [BI_FLOOR] = bi_to_int,
    [BI_CEIL] = bi_to_int,
    [BI_ROUND] = bi_to_int,
    [BI_SQRT] = bi_sqrt,
    [BI_LOWER] = bi_string_op,
    [BI_UPPER] = bi_string_op,
    [BI_TRIM] = bi_string_op,
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
    [BI_JSON] = bi_json,
    [BI_PARSE_JSON] = bi_parse_json,
    [BI_DUMPS] = bi_dumps,
};

/* call = BUILTIN `(` expr, ... `)`: the arguments' number (builtins.def),
 * then the first argument, then the built-in's own check. */
/* The cache type when CALL's first argument names the cache parameter of
 * an enrich_cached mapper (which check_ident refuses anywhere else). */
static Type *cache_arg(Sema *S, Node *call)
{
    Node *a0 = call->list.n ? arg(call, 0) : NULL;
    if (!a0 || a0->kind != ND_IDENT)
        return NULL;
    Symbol *s = sema_lookup(S, a0->name);
    if (!s || s->kind != SYM_LOCAL || !s->ty || ty_resolve(s->ty)->kind != TY_CACHE)
        return NULL;
    a0->sym = s;
    a0->ty = s->ty;
    return ty_resolve(s->ty);
}

/* get(cache, key): Bytewax's TTLCache.get, the key's cached value (the
 * getter's, called on a miss or once the entry is older than the ttl) */
static Type *check_cache_get(Sema *S, Node *e, Type *c)
{
    if (e->list.n != 2) {
        diag_error(e->loc, "`get` of the cache takes the cache and a key, `get(%s, KEY)`, but %d arguments were given",
                   arg(e, 0)->name, e->list.n);
        for (int i = 1; i < e->list.n; i++)
            arg_type(S, e, i, NULL);
        return ty_error();
    }
    Type *k = arg_type(S, e, 1, c->key);
    if (!want(e, 1, k, c->key)) {
        if (!ty_has_error(k))
            diag_note(c->step->getter.lambda->loc, "the cache's keys are the getter's parameter, `%s`", ty_str(c->key));
        return ty_error();
    }
    return c->elem;
}

static Type *check_builtin(Sema *S, Node *e, Builtin b)
{
    int n = e->list.n;
    for (int i = 0; i < n; i++)
        if (e->list.items[i]->name) {
            diag_error(e->list.items[i]->loc, "`%s` takes no named arguments", builtin_name(b));
            return set(e, ty_error());
        }
    int mn = sema_builtin_min(b), mx = sema_builtin_max(b);
    if (n < mn || n > mx) {
        if (mn == mx)
            diag_error(e->loc, "`%s` takes %d argument%s, but %d %s given", builtin_name(b), mn,
                       mn == 1 ? "" : "s", n, n == 1 ? "was" : "were");
        else
            diag_error(e->loc, "`%s` takes %d to %d arguments, but %d %s given", builtin_name(b), mn,
                       mx, n, n == 1 ? "was" : "were");
        for (int i = 0; i < n; i++)
            arg_type(S, e, i, NULL);
        return set(e, ty_error());
    }
    Type *c = b == BI_GET ? cache_arg(S, e) : NULL;
    if (c)
        return set(e, check_cache_get(S, e, c));
    Type *a0 = n > 0 ? arg_type(S, e, 0, NULL) : NULL;
    if (a0 && ty_resolve(a0)->kind == TY_ERROR) {
        for (int i = 1; i < n; i++)
            arg_type(S, e, i, NULL);
        return set(e, ty_error());
    }
    if (!builtin_checks[b])
        ICE("no check for a built-in");
    Type *t = builtin_checks[b](S, e, a0);
    if (t)
        return set(e, t);
    diag_error(arg(e, 0)->loc, "`%s` cannot be applied to `%s`", builtin_name(b), ty_str(a0));
    for (int i = 1; i < n; i++)
        if (!e->list.items[i]->lhs->ty)
            arg_type(S, e, i, NULL);
    return set(e, ty_error());
}

static Type *check_fn_call(Sema *S, Node *e, Symbol *s)
{
    int n = e->list.n;
    if (n != s->nparams) {
        diag_error(e->loc, "`%s` takes %d argument%s, but %d %s given", s->name, s->nparams,
                   s->nparams == 1 ? "" : "s", n, n == 1 ? "was" : "were");
        for (int i = 0; i < n; i++)
            arg_type(S, e, i, NULL);
        return set(e, ty_error());
    }
    for (int i = 0; i < n; i++) {
        if (e->list.items[i]->name)
            diag_error(e->list.items[i]->loc, "`%s` takes no named arguments", s->name);
        Type *t = arg_type(S, e, i, s->params[i]);
        if (!want(e, i, t, s->params[i]) && !ty_has_error(t) && !ty_has_error(s->params[i])) {
            Node *p = s->decl->list.items[i];
            if (p->lhs && p->lhs->kind == ND_PAT_NAME)
                diag_note(p->loc, "parameter `%s` of `%s` is declared here", p->lhs->name, s->name);
        }
    }
    if (s == S->current_fn && ty_has_var(s->ret)) {
        diag_error(e->loc, "recursive fn `%s` needs a declared return type", s->name);
        return set(e, ty_error());
    }
    return set(e, s->ret);
}

/* Rewrite the method call E, `OBJ.NAME(args)`, to the built-in call
 * `B(OBJ, args)` (B whatever a fn named NAME would hide). */
static void method_to_builtin(Sema *S, Node *e, Builtin b)
{
    Node *m = e->lhs;
    Node *a = ast_new(S->arena, ND_ARG, m->lhs->loc);
    a->lhs = m->lhs;
    NodeList args = { 0 };
    ast_push(S->arena, &args, a);
    for (int i = 0; i < e->list.n; i++)
        ast_push(S->arena, &args, e->list.items[i]);
    e->list = args;
    Node *callee = ast_new(S->arena, ND_IDENT, m->name_loc.end ? m->name_loc : m->loc);
    callee->name = m->name;
    callee->sym = sema_new_symbol(S, SYM_BUILTIN, m->name, callee->loc);
    callee->sym->builtin = b;
    e->lhs = callee;
}

/* call = IDENT `.` `get` `(` args `)` on enrich_cached's cache: Bytewax's
 * `cache.get(k)`, rewritten to `get(cache, k)` (the built-in, even where a
 * fn named get hides it). Returns false when E is not such a call. */
static bool cache_method(Sema *S, Node *e)
{
    Node *m = e->lhs;
    if (m->kind != ND_FIELD || m->lhs->kind != ND_IDENT)
        return false;
    Symbol *c = sema_lookup(S, m->lhs->name);
    if (!c || c->kind != SYM_LOCAL || !c->ty || ty_resolve(c->ty)->kind != TY_CACHE)
        return false;
    if (strcmp(m->name, "get") != 0) {
        /* Bytewax's cache.remove(k) included: an expression cannot drop an entry */
        diag_error(m->name_loc.end ? m->name_loc : m->loc,
                   "the cache of `enrich_cached` has only `get`: `%s.get(KEY)` or `get(%s, KEY)`", m->lhs->name,
                   m->lhs->name);
        for (int i = 0; i < e->list.n; i++)
            arg_type(S, e, i, NULL);
        e->lhs = m->lhs;   /* checked no further */
        return true;
    }
    method_to_builtin(S, e, BI_GET);
    return true;
}

/* call = expr `.` NAME `(` args `)` on a json value: Python's dict
 * methods j.get(k), j.get(k, d), j.keys(), j.values(), j.items(),
 * rewritten to the built-ins get(j, ...), keys(j), ... Returns the
 * built-in, -1 when E is not such a call, -2 after reporting an unknown
 * method. */
static int json_method(Sema *S, Node *e)
{
    static const struct { const char *name; Builtin b; } methods[] = {
        { "get", BI_GET }, { "keys", BI_KEYS }, { "values", BI_VALUES }, { "items", BI_ITEMS },
    };
    Node *m = e->lhs;
    if (m->kind != ND_FIELD)
        return -1;
    int saved = diag_error_count();
    Type *t = sema_check_expr(S, m->lhs, NULL);
    if (!is_kind(t, TY_JSON) || diag_error_count() != saved)
        return -1;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(m->name, methods[i].name) == 0) {
            method_to_builtin(S, e, methods[i].b);
            return methods[i].b;
        }
    diag_error(m->name_loc.end ? m->name_loc : m->loc,
               "a `json` value has the methods `get`, `keys`, `values` and `items` (Python's dict's), not `%s`",
               m->name);
    for (int k = 0; k < e->list.n; k++)
        arg_type(S, e, k, NULL);
    e->lhs = m->lhs;   /* checked no further */
    return -2;
}

static Type *check_call(Sema *S, Node *e)
{
    if (cache_method(S, e))
        return e->lhs->kind == ND_IDENT && e->lhs->sym ? check_builtin(S, e, BI_GET) : set(e, ty_error());
    int jm = json_method(S, e);
    if (jm == -2)   /* reported */
        return set(e, ty_error());
    if (jm >= 0)
        return check_builtin(S, e, (Builtin)jm);
    if (e->lhs->kind != ND_IDENT) {
        diag_error(e->lhs->loc, "only named functions can be called");
        return set(e, ty_error());
    }
    Symbol *s = sema_lookup(S, e->lhs->name);
    if (!s) {
        const char *nm = e->lhs->name;
        if (is_step_operator(nm) || strcmp(nm, "testing") == 0 || strcmp(nm, "file") == 0) {
            /* its arguments are streams and sources: checking them as
             * expressions would only add noise */
            if (is_step_operator(nm))
                diag_error(e->lhs->loc, "`%s` is a step operator; it can only stand at the top of a step declaration `NAME = %s(...)`",
                           nm, nm);
            else
                diag_error(e->lhs->loc, "`%s` is a source; it can only be passed to `input`, e.g. `NAME = input(%s(...))`",
                           nm, nm);
            return set(e, ty_error());
        }
        diag_error(e->lhs->loc, "use of undeclared function `%s`%s", nm, sema_suggest_name(S, nm, SUG_FN));
        for (int i = 0; i < e->list.n; i++)
            if (e->list.items[i]->lhs->kind != ND_LAMBDA)
                arg_type(S, e, i, NULL);
        return set(e, ty_error());
    }
    e->lhs->sym = s;
    if (e->type_ann && !(s->kind == SYM_BUILTIN && (s->builtin == BI_SET || s->builtin == BI_DICT)))
        diag_error(e->type_ann->loc, "`%s` takes no type argument", s->name);
    switch (s->kind) {
    case SYM_BUILTIN:
        return check_builtin(S, e, s->builtin);
    case SYM_FN:
    case SYM_EXTERN:
        return check_fn_call(S, e, s);
    default:
        diag_error(e->lhs->loc, "`%s` is not a function", s->name);
        return set(e, ty_error());
    }
}

/* ===================================================================
 * The dispatcher
 * =================================================================== */

Type *sema_check_expr(Sema *S, Node *e, Type *hint)
{
    switch (e->kind) {
    case ND_INT:
        return set(e, T(TY_INT));
    case ND_FLOAT:
        return set(e, T(TY_FLOAT));
    case ND_STRING:
        return set(e, T(TY_STRING));
    case ND_BOOL:
        return set(e, T(TY_BOOL));
    case ND_DURATION:
        return set(e, T(TY_DURATION));
    case ND_TIMESTAMP:
        return set(e, T(TY_TIMESTAMP));
    case ND_NONE: {
        Type *h = hint ? ty_resolve(hint) : NULL;
        if (h && h->kind == TY_OPT)
            return set(e, h);
        return set(e, ty_opt(ty_var()));
    }
    case ND_IDENT:
        return check_ident(S, e);
    case ND_BINARY:
        return check_binary(S, e, hint);
    case ND_UNARY:
        return check_unary(S, e);
    case ND_IF:
        return check_if(S, e, hint);
    case ND_COALESCE:
        return check_coalesce(S, e, hint);
    case ND_FIELD:
        return check_field(S, e);
    case ND_OPT_FIELD:
        return check_opt_field(S, e);
    case ND_TUPLE_INDEX:
        return check_tuple_index(S, e);
    case ND_INDEX:
        return check_index(S, e);
    case ND_WITH:
        return check_with(S, e);
    case ND_RECORD_LIT:
        return check_record_lit(S, e);
    case ND_TUPLE:
        return check_tuple(S, e, hint);
    case ND_LIST:
        return check_list(S, e, hint);
    case ND_SET:
        return check_set_lit(S, e, hint);
    case ND_DICT:
        return check_dict_lit(S, e, hint);
    case ND_FSTRING:
        return check_fstring(S, e);
    case ND_CALL:
        return check_call(S, e);
    case ND_BLOCK:
        return check_block(S, e, hint);
    case ND_LAMBDA:
        diag_error(e->loc, "a lambda can only be passed to a step");
        return set(e, ty_error());
    default:
        diag_error(e->loc, "this is not an expression");
        return set(e, ty_error());
    }
}
