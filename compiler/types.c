/*
 * types.c - type construction, unification and printing for the checker.
 *
 * Pipeline position: used by sema.c while checking and by emit_c.c to name
 * C types. Unification is the classic union-find on TY_VAR links; the one
 * extension is optional coercion (ty_accepts, ty_join): a T may stand where
 * a T? is expected, as Python lets any value stand where None is allowed.
 */
#include <stdint.h>
#include <string.h>
#include "types.h"

static Arena *types_arena;
static Type prims[TY_ERROR + 1];
static int next_var;

void types_init(Arena *a)
{
    types_arena = a;
    next_var = 0;
    for (int k = 0; k <= TY_ERROR; k++) {
        memset(&prims[k], 0, sizeof prims[k]);
        prims[k].kind = (TypeKind)k;
    }
}

static Type *new_type(TypeKind k)
{
    Type *t = arena_alloc(types_arena, sizeof *t);
    t->kind = k;
    return t;
}

Type *ty_prim(TypeKind k) { return &prims[k]; }
Type *ty_error(void) { return &prims[TY_ERROR]; }

Type *ty_list(Type *elem)
{
    Type *t = new_type(TY_LIST);
    t->elem = elem;
    return t;
}

Type *ty_dict(Type *key, Type *value)
{
    Type *t = new_type(TY_DICT);
    t->key = key;
    t->elem = value;
    return t;
}

Type *ty_set(Type *elem)
{
    Type *t = new_type(TY_SET);
    t->elem = elem;
    return t;
}

Type *ty_opt(Type *elem)
{
    Type *r = ty_resolve(elem);
    if (r->kind == TY_OPT)      /* T?? is T? */
        return r;
    Type *t = new_type(TY_OPT);
    t->elem = elem;
    return t;
}

Type *ty_tuple(Type **elems, int n)
{
    Type *t = new_type(TY_TUPLE);
    t->elems = arena_alloc(types_arena, sizeof(Type *) * (size_t)(n ? n : 1));
    memcpy(t->elems, elems, sizeof(Type *) * (size_t)n);
    t->n = n;
    return t;
}

Type *ty_pair(Type *a, Type *b)
{
    Type *e[2] = { a, b };
    return ty_tuple(e, 2);
}

Type *ty_record(Record *r)
{
    Type *t = new_type(TY_RECORD);
    t->rec = r;
    return t;
}

Type *ty_cache(Type *key, Type *value, struct Step *st)
{
    Type *t = new_type(TY_CACHE);
    t->key = key;
    t->elem = value;
    t->step = st;
    return t;
}

Type *ty_var(void)
{
    Type *t = new_type(TY_VAR);
    t->id = next_var++;
    return t;
}

Type *ty_resolve(Type *t)
{
    while (t && t->kind == TY_VAR && t->link)
        t = t->link;
    return t;
}

static bool occurs(Type *v, Type *t)
{
    t = ty_resolve(t);
    if (t == v)
        return true;
    switch (t->kind) {
    case TY_DICT:
    case TY_CACHE:
        return occurs(v, t->key) || occurs(v, t->elem);
    case TY_LIST:
    case TY_OPT:
    case TY_SET:
        return occurs(v, t->elem);
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++)
            if (occurs(v, t->elems[i]))
                return true;
        return false;
    default:
        return false;
    }
}

/* Do resolved A and B have the same constructor, with their parts related
 * by REL (unify, a unifiability check, or equality)? */
static bool parts_match(Type *a, Type *b, bool (*rel)(Type *, Type *))
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case TY_DICT:
        return rel(a->key, b->key) && rel(a->elem, b->elem);
    case TY_LIST:
    case TY_OPT:
    case TY_SET:
        return rel(a->elem, b->elem);
    case TY_TUPLE:
        if (a->n != b->n)
            return false;
        for (int i = 0; i < a->n; i++)
            if (!rel(a->elems[i], b->elems[i]))
                return false;
        return true;
    case TY_RECORD:
        return a->rec == b->rec;
    case TY_CACHE:
        return a->step == b->step && rel(a->key, b->key) && rel(a->elem, b->elem);
    case TY_VAR:
        return false;   /* two distinct unbound variables */
    default:
        return true;    /* the same primitive */
    }
}

bool ty_unify(Type *a, Type *b)
{
    a = ty_resolve(a);
    b = ty_resolve(b);
    if (a == b)
        return true;
    /* An unknown unified with an error becomes the error, so one mistake
     * does not also leave "cannot infer the type" holes behind it. */
    if (a->kind == TY_VAR && b->kind == TY_ERROR) {
        a->link = b;
        return true;
    }
    if (b->kind == TY_VAR && a->kind == TY_ERROR) {
        b->link = a;
        return true;
    }
    if (a->kind == TY_ERROR || b->kind == TY_ERROR)
        return true;
    if (a->kind == TY_VAR) {
        if (occurs(a, b))
            return false;
        a->link = b;
        return true;
    }
    if (b->kind == TY_VAR)
        return ty_unify(b, a);
    return parts_match(a, b, ty_unify);
}

/* Would unification succeed? (No bindings are kept when it would not.) */
static bool unifiable(Type *a, Type *b)
{
    /* Cheap structural pre-check that binds nothing: variables match all. */
    a = ty_resolve(a);
    b = ty_resolve(b);
    if (a == b || a->kind == TY_VAR || b->kind == TY_VAR)
        return true;
    if (a->kind == TY_ERROR || b->kind == TY_ERROR)
        return true;
    return parts_match(a, b, unifiable);
}

bool ty_accepts(Type *expected, Type *actual)
{
    Type *e = ty_resolve(expected);
    Type *a = ty_resolve(actual);
    if (unifiable(e, a))
        return ty_unify(e, a);
    if (e->kind == TY_OPT && a->kind != TY_OPT && unifiable(e->elem, a))
        return ty_unify(e->elem, a);
    return false;
}

Type *ty_join(Type *a, Type *b)
{
    Type *ra = ty_resolve(a);
    Type *rb = ty_resolve(b);
    if (unifiable(ra, rb)) {
        if (!ty_unify(ra, rb))
            return NULL;
        return ra;
    }
    /* element-wise: (none, int) and (int, int) join to (int?, int) */
    if (ra->kind == TY_TUPLE && rb->kind == TY_TUPLE && ra->n == rb->n) {
        Type **e = arena_alloc(types_arena, sizeof(Type *) * (size_t)ra->n);
        for (int i = 0; i < ra->n; i++)
            if (!(e[i] = ty_join(ra->elems[i], rb->elems[i])))
                return NULL;
        return ty_tuple(e, ra->n);
    }
    if (ra->kind == TY_OPT && rb->kind != TY_OPT && unifiable(ra->elem, rb))
        return ty_unify(ra->elem, rb) ? ra : NULL;
    if (rb->kind == TY_OPT && ra->kind != TY_OPT && unifiable(rb->elem, ra))
        return ty_unify(rb->elem, ra) ? rb : NULL;
    return NULL;
}

bool ty_is_numeric(Type *t)
{
    t = ty_resolve(t);
    return t->kind == TY_INT || t->kind == TY_FLOAT;
}

bool ty_is_ordered(Type *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_INT: case TY_FLOAT: case TY_BOOL: case TY_STRING:
    case TY_TIMESTAMP: case TY_DURATION: case TY_ERROR:
        return true;
    case TY_LIST:
        return ty_is_ordered(t->elem);
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++)
            if (!ty_is_ordered(t->elems[i]))
                return false;
        return true;
    default:
        return false;
    }
}

/* Does T contain a type of kind K (looking through lists, optionals and
 * tuples, not into records)? */
static bool contains_kind(Type *t, TypeKind k)
{
    t = ty_resolve(t);
    if (t->kind == k)
        return true;
    switch (t->kind) {
    case TY_DICT:
    case TY_CACHE:
        return contains_kind(t->key, k) || contains_kind(t->elem, k);
    case TY_LIST:
    case TY_OPT:
    case TY_SET:
        return contains_kind(t->elem, k);
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++)
            if (contains_kind(t->elems[i], k))
                return true;
        return false;
    default:
        return false;
    }
}

bool ty_has_error(Type *t) { return contains_kind(t, TY_ERROR); }
bool ty_has_var(Type *t) { return contains_kind(t, TY_VAR); }

bool ty_is_hashable(Type *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_LIST: case TY_DICT: case TY_SET: case TY_RECORD: case TY_META: case TY_META17: case TY_CACHE:
    case TY_JSON:   /* a dict or list in Python, unhashable; one rule for every JSON value */
        return false;
    case TY_OPT:
        return ty_is_hashable(t->elem);
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++)
            if (!ty_is_hashable(t->elems[i]))
                return false;
        return true;
    default:
        return true;
    }
}

bool ty_has_heap(Type *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_STRING:
    case TY_JSON:
    case TY_LIST:
    case TY_DICT:
    case TY_SET:
    case TY_META:      /* merged_ids */
    case TY_META17:
        return true;
    case TY_OPT:
        return ty_has_heap(t->elem);
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++)
            if (ty_has_heap(t->elems[i]))
                return true;
        return false;
    case TY_RECORD:
        for (int i = 0; i < t->rec->n; i++)
            if (ty_has_heap(t->rec->fields[i].ty))
                return true;
        return false;
    default:
        return false;
    }
}

Type *ty_keyed_value(Type *t)
{
    t = ty_resolve(t);
    if (t->kind == TY_TUPLE && t->n == 2 && ty_resolve(t->elems[0])->kind == TY_STRING)
        return t->elems[1];
    return NULL;
}

void ty_poison(Type *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_VAR:
        t->link = ty_error();
        return;
    case TY_DICT:
    case TY_CACHE:
        ty_poison(t->key);
        ty_poison(t->elem);
        return;
    case TY_LIST:
    case TY_OPT:
    case TY_SET:
        ty_poison(t->elem);
        return;
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++)
            ty_poison(t->elems[i]);
        return;
    default:
        return;
    }
}

bool ty_equal(Type *a, Type *b)
{
    a = ty_resolve(a);
    b = ty_resolve(b);
    if (a == b)
        return true;
    return parts_match(a, b, ty_equal);
}

static void put(char **buf, size_t *n, size_t *cap, const char *s)
{
    size_t l = strlen(s);
    if (*n + l + 1 > *cap) {
        size_t nc = (*cap ? *cap * 2 : 64);
        while (nc < *n + l + 1)
            nc *= 2;
        char *nb = arena_alloc(types_arena, nc);
        if (*n)
            memcpy(nb, *buf, *n);
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *n, s, l + 1);
    *n += l;
}

/* T's text appended to *BUF, at most about LIMIT bytes of it (a deeper
 * type stops there: no quadratic text for a deep type's every level). */
static void ty_str_into(Type *t, char **buf, size_t *n, size_t *cap, size_t limit)
{
    if (*n >= limit)
        return;
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_INT: put(buf, n, cap, "int"); break;
    case TY_FLOAT: put(buf, n, cap, "float"); break;
    case TY_BOOL: put(buf, n, cap, "bool"); break;
    case TY_STRING: put(buf, n, cap, "string"); break;
    case TY_JSON: put(buf, n, cap, "json"); break;
    case TY_TIMESTAMP: put(buf, n, cap, "timestamp"); break;
    case TY_DURATION: put(buf, n, cap, "duration"); break;
    case TY_META: put(buf, n, cap, "WindowMetadata"); break;
    case TY_META17: put(buf, n, cap, "WindowMetadata"); break;
    case TY_ERROR: put(buf, n, cap, "<error>"); break;
    case TY_VAR: put(buf, n, cap, "_"); break;
    case TY_RECORD: put(buf, n, cap, t->rec->name); break;
    case TY_LIST:
    case TY_SET:
        put(buf, n, cap, t->kind == TY_LIST ? "list<" : "set<");
        ty_str_into(t->elem, buf, n, cap, limit);
        put(buf, n, cap, ">");
        break;
    case TY_DICT:
    case TY_CACHE:
        put(buf, n, cap, t->kind == TY_DICT ? "dict<" : "cache<");
        ty_str_into(t->key, buf, n, cap, limit);
        put(buf, n, cap, ", ");
        ty_str_into(t->elem, buf, n, cap, limit);
        put(buf, n, cap, ">");
        break;
    case TY_OPT: {
        Type *e = ty_resolve(t->elem);
        if (e->kind == TY_VAR) {
            put(buf, n, cap, "none");
            break;
        }
        ty_str_into(e, buf, n, cap, limit);
        put(buf, n, cap, "?");
        break;
    }
    case TY_TUPLE:
        put(buf, n, cap, "(");
        for (int i = 0; i < t->n; i++) {
            if (i)
                put(buf, n, cap, ", ");
            ty_str_into(t->elems[i], buf, n, cap, limit);
        }
        put(buf, n, cap, t->n == 1 ? ",)" : ")");
        break;
    }
}

const char *ty_str(Type *t)
{
    char *buf = NULL;
    size_t n = 0, cap = 0;
    ty_str_into(t, &buf, &n, &cap, SIZE_MAX);
    return buf;
}

const char *ty_str_brief(Type *t)
{
    char *buf = NULL;
    size_t n = 0, cap = 0;
    ty_str_into(t, &buf, &n, &cap, TY_BRIEF);
    if (n >= TY_BRIEF) {
        n = TY_BRIEF;
        while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80)
            n--;
        buf[n] = 0;
        put(&buf, &n, &cap, "...");
    }
    return buf;
}
