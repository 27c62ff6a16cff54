/*
 * sema.c - the checker: declarations, names, and the types of expressions.
 *
 * Pipeline position: after the parser, before lowering. sema_check walks the
 * program in three passes:
 *   1. declare every top-level name (records, consts, fns, externs, steps),
 *      reporting redefinitions;
 *   2. resolve record field types and fn signatures, check fn bodies and
 *      consts (consts in dependency order, cycles reported);
 *   3. check the steps in declaration order (sema_steps.c), which builds the
 *      Graph's Step records.
 * It returns that Graph, the hand-off to lowering and the emitters. The
 * checker's state is a Sema (sema_internal.h) that sema_check makes and
 * passes to every checker function as S.
 * Every expression node gets its type in node->ty; names get node->sym.
 * Types are inferred bottom-up, with the expected type passed down as a hint
 * for lambdas, `[]` and `none` (bidirectional checking plus unification).
 */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "flowc.h"
#include "sema.h"
#include "sema_internal.h"
#include "embed.h"

static const char *const builtin_names[] = {
#define BUILTIN(id, name, minargs, maxargs) name,
#include "builtins.def"
#undef BUILTIN
};
static const int builtin_min[] = {
#define BUILTIN(id, name, minargs, maxargs) minargs,
#include "builtins.def"
#undef BUILTIN
};
static const int builtin_max[] = {
#define BUILTIN(id, name, minargs, maxargs) maxargs,
#include "builtins.def"
#undef BUILTIN
};

const char *builtin_name(Builtin b) { return builtin_names[b]; }

/* ===================================================================
 * Scopes
 * =================================================================== */

Symbol *sema_new_symbol(Sema *S, SymKind kind, const char *name, Loc loc)
{
    Symbol *s = arena_alloc(S->arena, sizeof *s);
    s->kind = kind;
    s->name = name;
    s->loc = loc;
    return s;
}

/* Append S to the arena-allocated array *V (*N used, *CAP allocated). */
static void push_symbol(Sema *S, Symbol ***v, int *n, int *cap, Symbol *s)
{
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 64;
        Symbol **nv = arena_alloc(S->arena, sizeof(Symbol *) * (size_t)nc);
        if (*n)
            memcpy(nv, *v, sizeof(Symbol *) * (size_t)*n);
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = s;
}

/* The slot of interned NAME in the index of globals (empty or NAME's). */
static size_t global_slot(Symbol **index, size_t cap, const char *name)
{
    size_t h = ((uintptr_t)name >> 4) * UINT64_C(0x9E3779B97F4A7C15);
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!index[i] || index[i]->name == name)
            return i;
}

static Symbol *global_find(Sema *S, const char *name)
{
    if (!S->gindex_cap)
        return NULL;
    return S->gindex[global_slot(S->gindex, S->gindex_cap, name)];
}

/* Globals are found by name in constant time (a program of 50,000 steps
 * looks names up some 100,000 times). */
static void global_index(Sema *S, Symbol *s)
{
    if ((size_t)(S->nglobals + 1) * 2 > S->gindex_cap) {
        size_t cap = S->gindex_cap ? S->gindex_cap * 2 : 256;
        Symbol **index = arena_alloc(S->arena, sizeof(Symbol *) * cap);
        memset(index, 0, sizeof(Symbol *) * cap);
        for (int i = 0; i < S->nglobals; i++)
            index[global_slot(index, cap, S->globals[i]->name)] = S->globals[i];
        S->gindex = index;
        S->gindex_cap = cap;
    }
    S->gindex[global_slot(S->gindex, S->gindex_cap, s->name)] = s;
}

void sema_declare_global(Sema *S, Symbol *s)
{
    Symbol *old = global_find(S, s->name);
    if (old) {
        diag_error(s->loc, "redefinition of `%s`", s->name);
        diag_note(old->loc, "previous definition of `%s` is here", s->name);
        return;
    }
    global_index(S, s);
    push_symbol(S, &S->globals, &S->nglobals, &S->capglobals, s);
}

void sema_push_local(Sema *S, Symbol *s)
{
    s->local_id = S->next_local++;
    push_symbol(S, &S->locals, &S->nlocals, &S->caplocals, s);
}

Symbol *sema_lookup(Sema *S, const char *name)
{
    for (int i = S->nlocals - 1; i >= 0; i--)
        if (S->locals[i]->name == name)
            return S->locals[i];
    Symbol *g = global_find(S, name);
    if (g)
        return g;
    for (int b = 0; b < BI_COUNT; b++)
        if (name == intern_cstr(builtin_names[b])) {
            Symbol *s = sema_new_symbol(S, SYM_BUILTIN, name, (Loc){ 0, 0, 0 });
            s->builtin = (Builtin)b;
            return s;
        }
    if (name == intern_cstr("stdout") || name == intern_cstr("discard"))
        return sema_new_symbol(S, SYM_SINK, name, (Loc){ 0, 0, 0 });
    return NULL;
}

/* ===================================================================
 * "Did you mean": the closest known name to a misspelt one
 * =================================================================== */

/* Edit distance of A and B counting a swap of two neighbours as one edit
 * (optimal string alignment); names longer than 63 bytes get none. */
static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 63 || lb > 63)
        return 1000;
    int d[64][64];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

void sema_suggest_init(Suggest *sg, const char *name)
{
    sg->name = name;
    sg->best = NULL;
    sg->dist = 0;
}

/* Consider CAND: kept when it is at most two edits away, at most one edit
 * per three characters, and closer than what was kept before. */
void sema_suggest_try(Suggest *sg, const char *cand)
{
    if (!cand || strcmp(cand, sg->name) == 0)
        return;
    int d = edit_distance(sg->name, cand);
    int la = (int)strlen(sg->name), lc = (int)strlen(cand);
    int longer = la > lc ? la : lc;
    if (d > 2 || d * 3 > longer)
        return;
    if (!sg->best || d < sg->dist) {
        sg->best = cand;
        sg->dist = d;
    }
}

/* "; did you mean `X`?" to append to a message, or "". */
const char *sema_did_you_mean(Sema *S, Suggest *sg)
{
    if (!sg->best)
        return "";
    return arena_printf(S->arena, "; did you mean `%s`?", sg->best);
}

/* The suggestion for an unknown NAME among the names of the kinds in WHAT. */
const char *sema_suggest_name(Sema *S, const char *name, unsigned what)
{
    Suggest sg;
    sema_suggest_init(&sg, name);
    if (what & SUG_VALUE)
        for (int i = 0; i < S->nlocals; i++)
            sema_suggest_try(&sg, S->locals[i]->name);
    for (int i = 0; i < S->nglobals; i++) {
        SymKind k = S->globals[i]->kind;
        if (((what & SUG_VALUE) && k == SYM_CONST) ||
            ((what & SUG_FN) && (k == SYM_FN || k == SYM_EXTERN)) ||
            ((what & SUG_STREAM) && k == SYM_STEP) ||
            ((what & SUG_RECORD) && k == SYM_RECORD))
            sema_suggest_try(&sg, S->globals[i]->name);
    }
    if (what & SUG_FN)
        for (int b = 0; b < BI_COUNT; b++)
            sema_suggest_try(&sg, builtin_names[b]);
    return sema_did_you_mean(S, &sg);
}

/* ===================================================================
 * Type annotations
 * =================================================================== */

/* type = NAME | list<type> | (type, type, ...) | type? */
Type *sema_type_from_ann(Sema *S, Node *t)
{
    switch (t->kind) {
    case ND_TYPE_NAME: {
        static const struct { const char *name; TypeKind k; } prim[] = {
            { "int", TY_INT }, { "float", TY_FLOAT }, { "bool", TY_BOOL },
            { "string", TY_STRING }, { "timestamp", TY_TIMESTAMP },
            { "duration", TY_DURATION }, { "WindowMetadata", TY_META }, { "json", TY_JSON },
        };
        for (size_t i = 0; i < sizeof prim / sizeof prim[0]; i++)
            if (strcmp(t->name, prim[i].name) == 0)
                return t->ty = ty_prim(prim[i].k);
        Symbol *s = global_find(S, t->name);
        if (s && s->kind == SYM_RECORD)
            return t->ty = ty_record(s->rec);
        Suggest sg;
        sema_suggest_init(&sg, t->name);
        for (size_t i = 0; i < sizeof prim / sizeof prim[0]; i++)
            sema_suggest_try(&sg, prim[i].name);
        for (int i = 0; i < S->nglobals; i++)
            if (S->globals[i]->kind == SYM_RECORD)
                sema_suggest_try(&sg, S->globals[i]->name);
        diag_error(t->loc, "unknown type `%s`%s", t->name, sema_did_you_mean(S, &sg));
        return t->ty = ty_error();
    }
    case ND_TYPE_LIST:
        return t->ty = ty_list(sema_type_from_ann(S, t->lhs));
    case ND_TYPE_SET: {
        Type *e = sema_type_from_ann(S, t->lhs);
        sema_check_hashable(t->lhs->loc, e, "a set element");
        return t->ty = ty_set(e);
    }
    case ND_TYPE_DICT: {
        Type *k = sema_type_from_ann(S, t->lhs);
        sema_check_hashable(t->lhs->loc, k, "a dict key");
        return t->ty = ty_dict(k, sema_type_from_ann(S, t->rhs));
    }
    case ND_TYPE_OPT:
        return t->ty = ty_opt(sema_type_from_ann(S, t->lhs));
    case ND_TYPE_TUPLE: {
        Type **e = arena_alloc(S->arena, sizeof(Type *) * (size_t)t->list.n);
        for (int i = 0; i < t->list.n; i++)
            e[i] = sema_type_from_ann(S, t->list.items[i]);
        return t->ty = ty_tuple(e, t->list.n);
    }
    default:
        ICE("not a type expression");
    }
}

/* ===================================================================
 * Diagnostics helpers
 * =================================================================== */

void sema_mismatch(Loc loc, Type *expected, Type *found)
{
    if (ty_has_error(expected) || ty_has_error(found))
        return;
    diag_error(loc, "mismatched types: expected `%s`, found `%s`", ty_str(expected), ty_str(found));
    sema_json_note(loc, expected, found);
}

void sema_json_note(Loc loc, Type *want, Type *found)
{
    if (ty_resolve(found)->kind != TY_JSON)
        return;
    const char *how;
    switch (ty_resolve(want)->kind) {
    case TY_STRING: how = "str(...)"; break;
    case TY_INT: how = "int(...)"; break;
    case TY_FLOAT: how = "float(...)"; break;
    case TY_BOOL: how = "bool(...)"; break;
    case TY_TIMESTAMP: how = "timestamp(str(...))"; break;
    default: return;
    }
    diag_note(loc, "convert the `json` value with `%s`", how);
}

/* Check that ACTUAL (the type of E) fits EXPECTED; report at E otherwise. */
/* Python's name of the unhashable part of T (a list, dict, set, or a
 * record, which Python holds as a dict). */
static const char *unhashable_name(Type *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_LIST: return "list";
    case TY_SET: return "set";
    case TY_DICT: case TY_RECORD: return "dict";
    case TY_META: case TY_META17: return "WindowMetadata";
    case TY_JSON: return "dict";   /* what json.loads gives a JSONL line */
    case TY_OPT: return unhashable_name(t->elem);
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++)
            if (!ty_is_hashable(t->elems[i]))
                return unhashable_name(t->elems[i]);
        return "tuple";
    default: return "?";
    }
}

bool sema_check_hashable(Loc loc, Type *t, const char *what)
{
    if (ty_is_hashable(t) || ty_has_error(t))
        return true;
    diag_error(loc, "%s must be hashable, but `%s` is not (Python: unhashable type: '%s')", what, ty_str(t),
               unhashable_name(t));
    return false;
}

bool sema_expect(Node *e, Type *expected, Type *actual)
{
    if (ty_accepts(expected, actual))
        return true;
    sema_mismatch(e->loc, expected, actual);
    return false;
}

/* ===================================================================
 * Patterns
 * =================================================================== */

/* pattern = NAME | `_` | ( pattern, pattern, ... ) */
void sema_bind_pattern(Sema *S, Node *p, Type *t)
{
    p->ty = t;
    switch (p->kind) {
    case ND_PAT_WILD:
        return;
    case ND_PAT_NAME: {
        Symbol *s = sema_new_symbol(S, SYM_LOCAL, p->name, p->loc);
        s->ty = t;
        s->decl = p;
        p->sym = s;
        sema_push_local(S, s);
        return;
    }
    case ND_PAT_TUPLE: {
        Type *r = ty_resolve(t);
        int n = p->list.n;
        if (r->kind == TY_VAR) {
            Type **e = arena_alloc(S->arena, sizeof(Type *) * (size_t)n);
            for (int i = 0; i < n; i++)
                e[i] = ty_var();
            ty_unify(r, ty_tuple(e, n));
            r = ty_resolve(r);
        }
        if (r->kind != TY_TUPLE || r->n != n) {
            if (r->kind != TY_ERROR)
                diag_error(p->loc, "cannot destructure `%s` with a pattern of %d elements", ty_str(r), n);
            for (int i = 0; i < n; i++)
                sema_bind_pattern(S, p->list.items[i], ty_error());
            return;
        }
        for (int i = 0; i < n; i++)
            sema_bind_pattern(S, p->list.items[i], r->elems[i]);
        return;
    }
    default:
        ICE("not a pattern");
    }
}

/* The names bound since local MARK (one parameter list or one pattern)
 * must differ: `|a, a|` and `let (a, a) = ...` are errors. WHAT is
 * "parameter" or "name". */
void sema_check_unique_bindings(Sema *S, int mark, const char *what)
{
    for (int i = mark + 1; i < S->nlocals; i++)
        for (int j = mark; j < i; j++)
            if (S->locals[j]->name == S->locals[i]->name) {
                diag_error(S->locals[i]->loc, "%s `%s` is bound twice", what, S->locals[i]->name);
                diag_note(S->locals[j]->loc, "`%s` is first bound here", S->locals[i]->name);
                break;
            }
}

/* ===================================================================
 * Lambdas and callables
 * =================================================================== */

/* lambda = `|` param, ... `|` expr ; checked against the parameter types
 * the operator supplies. Returns the body's type (or error). */
Type *sema_check_lambda(Sema *S, Node *lam, Type **ptypes, int n, Type *ret_hint, const char *what)
{
    if (lam->list.n != n) {
        diag_error(lam->loc, "%s must take %d parameter%s, found %d",
                   what, n, n == 1 ? "" : "s", lam->list.n);
        return lam->ty = ty_error();
    }
    int mark = S->nlocals;
    for (int i = 0; i < n; i++) {
        Node *p = lam->list.items[i];
        Type *t = ptypes[i];
        if (p->type_ann) {
            Type *ann = sema_type_from_ann(S, p->type_ann);
            if (!ty_unify(ann, t))
                sema_mismatch(p->type_ann->loc, t, ann);
            t = ann;
        }
        p->ty = t;
        sema_bind_pattern(S, p->lhs, t);
    }
    sema_check_unique_bindings(S, mark, "parameter");
    Type *body = sema_check_expr(S, lam->body, ret_hint);
    S->nlocals = mark;
    return lam->ty = body;
}

/* An argument where a function is wanted: a lambda, or the name of a fn,
 * extern fn or built-in, which is wrapped in a lambda `|a, ...| f(a, ...)`
 * so later phases only ever see lambdas. Returns NULL after an error. */
Node *sema_callable_node(Sema *S, Node *arg, int n, const char *what)
{
    if (arg->kind == ND_LAMBDA)
        return arg;
    if (arg->kind == ND_IDENT) {
        Symbol *s = sema_lookup(S, arg->name);
        if (s && (s->kind == SYM_FN || s->kind == SYM_EXTERN || s->kind == SYM_BUILTIN)) {
            Node *lam = ast_new(S->arena, ND_LAMBDA, arg->loc);
            Node *call = ast_new(S->arena, ND_CALL, arg->loc);
            Node *callee = ast_new(S->arena, ND_IDENT, arg->loc);
            callee->name = arg->name;
            call->lhs = callee;
            for (int i = 0; i < n; i++) {
                const char *pn = intern_cstr(arena_printf(S->arena, "_arg%d", i));
                Node *param = ast_new(S->arena, ND_PARAM, arg->loc);
                Node *pat = ast_new(S->arena, ND_PAT_NAME, arg->loc);
                pat->name = pn;
                param->lhs = pat;
                ast_push(S->arena, &lam->list, param);
                Node *a = ast_new(S->arena, ND_ARG, arg->loc);
                Node *id = ast_new(S->arena, ND_IDENT, arg->loc);
                id->name = pn;
                a->lhs = id;
                ast_push(S->arena, &call->list, a);
            }
            lam->body = call;
            return lam;
        }
        if (!s) {
            diag_error(arg->loc, "use of undeclared function `%s`%s", arg->name,
                       sema_suggest_name(S, arg->name, SUG_FN));
            return NULL;
        }
    }
    diag_error(arg->loc, "%s must be a function (a lambda `|x| ...` or a fn name)", what);
    return NULL;
}

/* ===================================================================
 * Declarations
 * =================================================================== */

static void declare_all(Sema *S, Node *prog)
{
    for (int i = 0; i < prog->list.n; i++) {
        Node *d = prog->list.items[i];
        Loc nl = d->name_loc.end ? d->name_loc : d->loc;
        Symbol *s = NULL;
        switch (d->kind) {
        case ND_RECORD_DECL:
            s = sema_new_symbol(S, SYM_RECORD, d->name, nl);
            s->rec = arena_alloc(S->arena, sizeof(Record));
            s->rec->name = d->name;
            s->rec->decl = d;
            break;
        case ND_CONST_DECL:
            s = sema_new_symbol(S, SYM_CONST, d->name, nl);
            break;
        case ND_FN_DECL:
            s = sema_new_symbol(S, SYM_FN, d->name, nl);
            break;
        case ND_EXTERN_FN:
            s = sema_new_symbol(S, SYM_EXTERN, d->name, nl);
            break;
        case ND_STEP_DECL:
            s = sema_new_symbol(S, SYM_STEP, d->name, nl);
            break;
        default:
            continue;
        }
        if (!d->name)
            continue;
        s->decl = d;
        d->sym = s;
        sema_declare_global(S, s);
    }
}

static void resolve_record(Sema *S, Symbol *s)
{
    Node *d = s->decl;
    Record *r = s->rec;
    r->n = d->list.n;
    r->fields = arena_alloc(S->arena, sizeof(Field) * (size_t)(r->n ? r->n : 1));
    for (int i = 0; i < r->n; i++) {
        Node *f = d->list.items[i];
        for (int j = 0; j < i; j++)
            if (r->fields[j].name == f->name) {
                diag_error(f->name_loc.end ? f->name_loc : f->loc,
                           "duplicate field `%s` in record `%s`", f->name, r->name);
                diag_note(r->fields[j].loc, "previous field `%s` is here", f->name);
            }
        r->fields[i].name = f->name;
        r->fields[i].loc = f->name_loc.end ? f->name_loc : f->loc;
        r->fields[i].ty = sema_type_from_ann(S, f->type_ann);
    }
}

/* Does type T hold a value of record TARGET? Records on the way are
 * pushed on PATH (so the cycle can be named); SEEN stops revisits. */
static bool type_holds(Type *t, Record *target, Record **path, int *npath, Record **seen, int *nseen)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_LIST:
    case TY_OPT:
        return type_holds(t->elem, target, path, npath, seen, nseen);
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++)
            if (type_holds(t->elems[i], target, path, npath, seen, nseen))
                return true;
        return false;
    case TY_RECORD: {
        if (t->rec == target)
            return true;
        for (int i = 0; i < *nseen; i++)
            if (seen[i] == t->rec)
                return false;
        seen[(*nseen)++] = t->rec;
        path[(*npath)++] = t->rec;
        for (int i = 0; i < t->rec->n; i++)
            if (type_holds(t->rec->fields[i].ty, target, path, npath, seen, nseen))
                return true;
        (*npath)--;
        return false;
    }
    default:
        return false;
    }
}

/* A record may not contain itself, directly or through other records,
 * lists, tuples or optionals: values are printed and copied by value, and
 * the emitter lays records out as C structs. One error per cycle. */
static void check_record_cycles(Sema *S)
{
    int nrec = S->graph->nrecords;
    Record **path = arena_alloc(S->arena, sizeof(Record *) * (size_t)(nrec + 1));
    Record **seen = arena_alloc(S->arena, sizeof(Record *) * (size_t)(nrec + 1));
    Record **reported = arena_alloc(S->arena, sizeof(Record *) * (size_t)(nrec + 1));
    int nreported = 0;
    for (int r = 0; r < nrec; r++) {
        Record *rec = S->graph->records[r];
        bool done = false;
        for (int i = 0; i < nreported; i++)
            if (reported[i] == rec)
                done = true;
        for (int f = 0; f < rec->n && !done; f++) {
            int npath = 0, nseen = 0;
            if (!type_holds(rec->fields[f].ty, rec, path, &npath, seen, &nseen))
                continue;
            const char *chain = arena_printf(S->arena, "`%s`", rec->name);
            for (int i = 0; i < npath; i++) {
                chain = arena_printf(S->arena, "%s -> `%s`", chain, path[i]->name);
                reported[nreported++] = path[i];
            }
            if (npath)
                diag_error(rec->fields[f].loc,
                           "record `%s` contains itself through field `%s` (%s -> `%s`); recursive records are not supported",
                           rec->name, rec->fields[f].name, chain, rec->name);
            else
                diag_error(rec->fields[f].loc,
                           "record `%s` contains itself through field `%s`; recursive records are not supported",
                           rec->name, rec->fields[f].name);
            done = true;
        }
    }
}

static void resolve_signature(Sema *S, Symbol *s)
{
    Node *d = s->decl;
    s->nparams = d->list.n;
    s->params = arena_alloc(S->arena, sizeof(Type *) * (size_t)(s->nparams ? s->nparams : 1));
    for (int i = 0; i < s->nparams; i++) {
        Node *p = d->list.items[i];
        if (!p->type_ann) {
            diag_error(p->loc, "parameter of `%s` needs a type annotation", s->name);
            s->params[i] = ty_error();
        } else {
            s->params[i] = sema_type_from_ann(S, p->type_ann);
        }
        p->ty = s->params[i];
    }
    s->ret = d->type_ann ? sema_type_from_ann(S, d->type_ann) : NULL;
    if (s->kind == SYM_EXTERN) {
        for (int i = 0; i < s->nparams; i++)
            if (!sema_extern_json_ok(d->list.items[i]->loc, s->params[i], "an extern fn's parameter"))
                s->params[i] = ty_error();
        if (s->ret && !sema_extern_json_ok(d->type_ann->loc, s->ret, "an extern fn's result"))
            s->ret = ty_error();
    }
    if (!s->ret) {
        if (s->kind == SYM_EXTERN) {
            diag_error(d->loc, "extern fn `%s` needs a return type", s->name);
            s->ret = ty_error();
        } else {
            s->ret = ty_var();   /* inferred from the body */
        }
    }
}

static void check_fn_body(Sema *S, Symbol *s)
{
    Node *d = s->decl;
    int mark = S->nlocals;
    for (int i = 0; i < d->list.n; i++)
        sema_bind_pattern(S, d->list.items[i]->lhs, s->params[i]);
    sema_check_unique_bindings(S, mark, "parameter");
    Symbol *saved = S->current_fn;
    S->current_fn = s;
    Type *body = sema_check_expr(S, d->body, s->ret);
    S->current_fn = saved;
    sema_expect(d->body, s->ret, body);
    S->nlocals = mark;
    S->fns[S->nfns++] = s;
}

/* Check a const on first use (USE, the ND_IDENT naming it) or in pass 2
 * (USE is NULL), detecting cycles: the consts being checked form a chain,
 * and a use of one of them closes a cycle. */
void sema_check_const(Sema *S, Symbol *s, Node *use)
{
    if (s->visit == 2)
        return;
    if (s->visit == 1) {
        int from = S->nconst_chain - 1;
        while (from > 0 && S->const_chain[from] != s)
            from--;
        Symbol *user = S->const_chain[S->nconst_chain - 1];
        if (user == s) {
            diag_error(s->loc, "const `%s` depends on itself", s->name);
        } else {
            const char *path = arena_printf(S->arena, "`%s`", s->name);
            for (int i = from + 1; i < S->nconst_chain; i++)
                path = arena_printf(S->arena, "%s -> `%s`", path, S->const_chain[i]->name);
            diag_error(s->loc, "const `%s` depends on itself: %s -> `%s`", s->name, path, s->name);
        }
        if (use) {
            if (user == s)
                diag_note(use->loc, "`%s` is used here, in its own value", s->name);
            else
                diag_note(use->loc, "`%s` is used here, in the value of `%s`", s->name, user->name);
        }
        s->ty = ty_error();
        s->visit = 2;
        return;
    }
    s->visit = 1;
    S->const_chain[S->nconst_chain++] = s;
    int saved_locals = S->nlocals;
    S->nlocals = 0;            /* a const sees no locals */
    bool saved_in_const = S->in_const;
    S->in_const = true;
    Type *t = sema_check_expr(S, s->decl->lhs, NULL);
    S->in_const = saved_in_const;
    S->nlocals = saved_locals;
    S->nconst_chain--;
    if (s->visit == 2)        /* a cycle through it was reported */
        return;
    s->ty = t;
    s->visit = 2;
    s->const_no = S->nconsts;
    S->consts[S->nconsts++] = s;
}

/* ===================================================================
 * Final pass: every type must be known.
 * =================================================================== */

static void finalize(Node *n)
{
    if (!n)
        return;
    if (n->ty && n->kind != ND_LAMBDA && ty_has_var(n->ty) && !ty_has_error(n->ty)) {
        diag_error(n->loc, "cannot infer the type of this expression (`%s`); add a type annotation",
                   ty_str(n->ty));
        /* bind the rest to errors so one hole gives one message */
        ty_poison(n->ty);
    }
    finalize(n->lhs);
    finalize(n->rhs);
    finalize(n->cond);
    finalize(n->body);
    for (int i = 0; i < n->list.n; i++)
        finalize(n->list.items[i]);
}

Graph *sema_check(Node *prog, Arena *a)
{
    Sema state = { 0 };   /* this compile's checker state, passed down as S (Lua's LexState *ls) */
    Sema *S = &state;
    S->arena = a;
    types_init(a);
    int errors_before = diag_error_count();
    S->graph = arena_alloc(a, sizeof(Graph));
    S->graph->prog = prog;
    S->graph->flow_name = prog->name ? prog->name : intern_cstr("flow");
    int nd = prog->list.n;
    S->consts = arena_alloc(a, sizeof(Symbol *) * (size_t)(nd + 1));
    S->fns = arena_alloc(a, sizeof(Symbol *) * (size_t)(nd + 1));
    S->const_chain = arena_alloc(a, sizeof(Symbol *) * (size_t)(nd + 1));
    S->graph->steps = arena_alloc(a, sizeof(Step *) * (size_t)(nd + 1));
    S->graph->inputs = arena_alloc(a, sizeof(Step *) * (size_t)(nd + 1));
    S->graph->records = arena_alloc(a, sizeof(Record *) * (size_t)(nd + 1));

    declare_all(S, prog);
    for (int i = 0; i < S->nglobals; i++)
        if (S->globals[i]->kind == SYM_RECORD) {
            resolve_record(S, S->globals[i]);
            S->graph->records[S->graph->nrecords++] = S->globals[i]->rec;
        }
    check_record_cycles(S);
    for (int i = 0; i < S->nglobals; i++)
        if (S->globals[i]->kind == SYM_FN || S->globals[i]->kind == SYM_EXTERN)
            resolve_signature(S, S->globals[i]);
    for (int i = 0; i < S->nglobals; i++)
        if (S->globals[i]->kind == SYM_FN)
            check_fn_body(S, S->globals[i]);
    for (int i = 0; i < S->nglobals; i++)
        if (S->globals[i]->kind == SYM_CONST)
            sema_check_const(S, S->globals[i], NULL);
    for (int i = 0; i < nd; i++) {
        Node *d = prog->list.items[i];
        if (d->kind == ND_STEP_DECL && d->sym)
            sema_check_step(S, d);
    }
    if (diag_error_count() == errors_before)
        for (int i = 0; i < nd; i++)
            finalize(prog->list.items[i]);
    if (diag_error_count() == errors_before)
        sema_check_graph(S);

    S->graph->consts = S->consts;
    S->graph->nconsts = S->nconsts;
    S->graph->fns = S->fns;
    S->graph->nfns = S->nfns;
    prog->sym = NULL;
    return diag_error_count() == errors_before ? S->graph : NULL;
}

/* Builtin arity (for sema_expr.c). */
int sema_builtin_min(Builtin b) { return builtin_min[b]; }
int sema_builtin_max(Builtin b) { return builtin_max[b]; }
