/*
 * emit_types.c - C types for flow types, and the per-type helpers the
 * generated code calls: repr (Python's repr), eq, cmp and deep copy.
 *
 * Pipeline position: called by the emitter whenever it needs a type's C
 * name or helper. Types are interned structurally, elements before the
 * types that hold them, so the typedef section is in dependency order.
 * Helpers are generated on demand: asking for a helper marks it needed, and
 * emit_type_helpers writes every needed one (and those they need) at the
 * end, so the output holds no unused static function.
 *
 * Names of generated types: a record is <flow>_<Record>; the others are
 * <flow>_<shape>_<N>, shape one of list, opt, pair (a 2-tuple) and tuple
 * (3 or more elements), N the type's serial number in this unit (the
 * typedef's comment gives the flow type, e.g. `(string, int)`). Primitive
 * types are the runtime's (int64_t, double, bool, flow_str, flow_time,
 * flow_window_meta), and list<string> is flow_list_str. A type's helpers
 * carry the same number: <flow>_repr<N>, <flow>_eq<N>, <flow>_copy<N>, ...
 *
 * The binary encoding (<flow>_benc<N>, <flow>_bdec<N>) is what an exchange
 * between workers carries when it moves bytes rather than structs
 * (docs/workers.md): each value in order, scalars as 8 bytes (bool: 1) in
 * the machine's byte order, strings and lists as their length and then
 * their bytes or elements, optionals as a has-byte and the value. The
 * decoder builds the heap parts in an arena. Every process of a run is the
 * same program on the same kind of machine: no tags, no versions.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "emit.h"

static const char *prim_name(TypeKind k)
{
    switch (k) {
    case TY_INT: return "int64_t";
    case TY_FLOAT: return "double";
    case TY_BOOL: return "bool";
    case TY_STRING: return "flow_str";
    case TY_TIMESTAMP: return "flow_time";
    case TY_DURATION: return "int64_t";
    case TY_META: return "flow_window_meta";
    case TY_META17: return "flow_window_meta";
    default: return NULL;
    }
}

static bool is_prim(Type *t) { return prim_name(ty_resolve(t)->kind) != NULL; }

const char *emit_field_name(Emit *E, const char *name)
{
    static const char *kw[] = { "auto", "break", "case", "char", "const", "continue", "default",
        "do", "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int",
        "long", "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
        "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true",
        "false", "has", "v", "n" };
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strcmp(name, kw[i]) == 0)
            return emit_strf(E, "%s_", name);
    return name;
}

/* Interning: a type is identified by its kind, its record and the ids of
 * its element types, which are interned first; so finding a type costs
 * its arity, not its depth (a type nested 1000 deep is 1000 lookups, not
 * a million comparisons). */
static uint64_t ct_hash(TypeKind kind, const Record *rec, const int *kids, int n)
{
    uint64_t h = (uint64_t)kind * UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t)(uintptr_t)rec;
    for (int i = 0; i < n; i++)
        h = (h ^ (uint64_t)kids[i]) * UINT64_C(0x100000001B3);
    return h ^ (h >> 29);
}

static bool ct_same(const CType *c, uint64_t h, TypeKind kind, const Record *rec, const int *kids, int n)
{
    return c->key_hash == h && c->t->kind == kind && (kind != TY_RECORD || c->t->rec == rec) &&
           c->nkids == n && (n == 0 || memcmp(c->kids, kids, sizeof(int) * (size_t)n) == 0);
}

static size_t ct_slot(CType **index, size_t cap, uint64_t h, TypeKind kind, const Record *rec, const int *kids, int n)
{
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!index[i] || ct_same(index[i], h, kind, rec, kids, n))
            return i;
}

static void ct_index_add(Emit *E, CType *c)
{
    if ((size_t)(E->nctypes + 1) * 2 > E->ct_index_cap) {
        size_t cap = E->ct_index_cap ? E->ct_index_cap * 2 : 64;
        CType **index = arena_alloc(E->a, sizeof(CType *) * cap);
        memset(index, 0, sizeof(CType *) * cap);
        for (int i = 0; i < E->nctypes; i++) {
            CType *o = E->ctypes[i];
            index[ct_slot(index, cap, o->key_hash, o->t->kind, o->t->rec, o->kids, o->nkids)] = o;
        }
        E->ct_index = index;
        E->ct_index_cap = cap;
    }
    E->ct_index[ct_slot(E->ct_index, E->ct_index_cap, c->key_hash, c->t->kind, c->t->rec, c->kids, c->nkids)] = c;
}

CType *emit_ctype(Emit *E, Type *t)
{
    t = ty_resolve(t);
    /* elements first, so typedefs come out in dependency order */
    int n = 0;
    switch (t->kind) {
    case TY_LIST:
    case TY_OPT:
        n = 1;
        break;
    case TY_TUPLE:
        n = t->n;
        break;
    case TY_RECORD:
        n = t->rec->n;
        break;
    default:
        break;
    }
    int *kids = n ? arena_alloc(E->a, sizeof(int) * (size_t)n) : NULL;
    for (int i = 0; i < n; i++) {
        Type *k = t->kind == TY_TUPLE ? t->elems[i] : t->kind == TY_RECORD ? t->rec->fields[i].ty : t->elem;
        kids[i] = emit_ctype(E, k)->id;
    }
    uint64_t h = ct_hash(t->kind, t->kind == TY_RECORD ? t->rec : NULL, kids, n);
    if (E->ct_index_cap) {
        CType *found = E->ct_index[ct_slot(E->ct_index, E->ct_index_cap, h, t->kind, t->rec, kids, n)];
        if (found)
            return found;
    }
    CType *c = arena_alloc(E->a, sizeof *c);
    memset(c, 0, sizeof *c);
    c->t = t;
    c->id = E->nctypes;
    c->key_hash = h;
    c->nkids = n;
    c->kids = kids;
    if (E->nctypes == E->capctypes) {
        int nc = E->capctypes ? E->capctypes * 2 : 32;
        CType **nv = arena_alloc(E->a, sizeof(CType *) * (size_t)nc);
        if (E->nctypes)
            memcpy(nv, E->ctypes, sizeof(CType *) * (size_t)E->nctypes);
        E->ctypes = nv;
        E->capctypes = nc;
    }
    ct_index_add(E, c);
    E->ctypes[E->nctypes++] = c;
    const char *pn = prim_name(t->kind);
    if (pn) {
        c->name = pn;
        return c;
    }
    switch (t->kind) {
    case TY_LIST:
        if (ty_resolve(t->elem)->kind == TY_STRING) {
            c->name = "flow_list_str";
            break;
        }
        c->name = emit_strf(E, "%s_list_%d", E->P, c->id);
        fprintf(E->types, "/* list<%s> */\ntypedef struct %s {\n    %s *v;\n    int64_t n;\n} %s;\n\n",
                ty_str_brief(t->elem), c->name, emit_ctype_name(E, t->elem), c->name);
        break;
    case TY_OPT:
        c->name = emit_strf(E, "%s_opt_%d", E->P, c->id);
        fprintf(E->types, "/* %s */\ntypedef struct %s {\n    bool has;\n    %s v;\n} %s;\n\n",
                ty_str_brief(t), c->name, emit_ctype_name(E, t->elem), c->name);
        break;
    case TY_TUPLE:
        c->name = emit_strf(E, "%s_%s_%d", E->P, t->n == 2 ? "pair" : "tuple", c->id);
        fprintf(E->types, "/* %s */\ntypedef struct %s {\n", ty_str_brief(t), c->name);
        for (int i = 0; i < t->n; i++)
            fprintf(E->types, "    %s f%d;\n", emit_ctype_name(E, t->elems[i]), i);
        fprintf(E->types, "} %s;\n\n", c->name);
        break;
    case TY_RECORD:
        c->name = emit_strf(E, "%s_%s", E->P, t->rec->name);
        fprintf(E->types, "/* record %s */\ntypedef struct %s {\n", t->rec->name, c->name);
        for (int i = 0; i < t->rec->n; i++)
            fprintf(E->types, "    %s %s;\n", emit_ctype_name(E, t->rec->fields[i].ty),
                    emit_field_name(E, t->rec->fields[i].name));
        fprintf(E->types, "} %s;\n\n", c->name);
        break;
    default:
        ICE("no C type for this type");
    }
    return c;
}

const char *emit_ctype_name(Emit *E, Type *t) { return emit_ctype(E, t)->name; }

/* Field access expression for field I of a tuple or record value V. */
static const char *member(Emit *E, Type *t, int i)
{
    t = ty_resolve(t);
    if (t->kind == TY_TUPLE)
        return emit_strf(E, "f%d", i);
    return emit_field_name(E, t->rec->fields[i].name);
}

static int nmembers(Type *t)
{
    t = ty_resolve(t);
    return t->kind == TY_TUPLE ? t->n : t->rec->n;
}

static Type *member_type(Type *t, int i)
{
    t = ty_resolve(t);
    return t->kind == TY_TUPLE ? t->elems[i] : t->rec->fields[i].ty;
}

/* ===================================================================
 * Call sites
 * =================================================================== */

void emit_repr(Emit *E, Type *t, const char *buf, const char *v)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_INT: emit_line(E, "flow_repr_int(%s, %s);", buf, v); return;
    case TY_FLOAT: emit_line(E, "flow_repr_float(%s, %s);", buf, v); return;
    case TY_BOOL: emit_line(E, "flow_repr_bool(%s, %s);", buf, v); return;
    case TY_STRING: emit_line(E, "flow_repr_str(%s, %s);", buf, v); return;
    case TY_TIMESTAMP: emit_line(E, "flow_repr_time(%s, %s);", buf, v); return;
    case TY_DURATION: emit_line(E, "flow_repr_duration(%s, %s);", buf, v); return;
    case TY_META: emit_line(E, "flow_repr_window_meta(%s, %s);", buf, v); return;
    case TY_META17: emit_line(E, "flow_repr_window_meta_v017(%s, %s);", buf, v); return;
    default: {
        CType *c = emit_ctype(E, t);
        c->need_repr = true;
        emit_line(E, "%s_repr%d(%s, %s);", E->P, c->id, buf, v);
    }
    }
}

void emit_str_form(Emit *E, Type *t, const char *buf, const char *v)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_STRING: emit_line(E, "flow_buf_put(%s, %s.p, (size_t)%s.n);", buf, v, v); return;
    case TY_TIMESTAMP: emit_line(E, "flow_fmt_time(%s, %s);", buf, v); return;
    case TY_DURATION: emit_line(E, "flow_fmt_duration(%s, %s);", buf, v); return;
    case TY_OPT: {
        emit_line(E, "if (%s.has) {", v);
        E->indent++;
        emit_str_form(E, t->elem, buf, emit_strf(E, "%s.v", v));
        E->indent--;
        emit_line(E, "} else {");
        emit_line(E, "    flow_repr_none(%s);", buf);
        emit_line(E, "}");
        return;
    }
    default:
        emit_repr(E, t, buf, v);
    }
}

const char *emit_eq(Emit *E, Type *t, const char *a, const char *b)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_STRING: return emit_strf(E, "flow_str_eq(%s, %s)", a, b);
    case TY_META:
    case TY_META17: return emit_strf(E, "flow_window_meta_eq(%s, %s)", a, b);
    default:
        if (is_prim(t))
            return emit_strf(E, "(%s == %s)", a, b);
        CType *c = emit_ctype(E, t);
        c->need_eq = true;
        return emit_strf(E, "%s_eq%d(%s, %s)", E->P, c->id, a, b);
    }
}

const char *emit_cmp(Emit *E, Type *t, const char *a, const char *b)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_STRING: return emit_strf(E, "flow_str_cmp(%s, %s)", a, b);
    default:
        if (is_prim(t))
            return emit_strf(E, "((%s > %s) - (%s < %s))", a, b, a, b);
        CType *c = emit_ctype(E, t);
        c->need_cmp = true;
        return emit_strf(E, "%s_cmp%d(%s, %s)", E->P, c->id, a, b);
    }
}

void emit_own(Emit *E, Type *t, const char *dst, const char *v, const char *mem, const char *sz)
{
    if (!ty_has_heap(t)) {
        emit_line(E, "%s = %s;", dst, v);
        if (mem)
            emit_line(E, "%s = NULL;", mem);
        if (sz)
            emit_line(E, "%s = 0;", sz);
        return;
    }
    CType *c = emit_ctype(E, t);
    c->need_copy = true;
    emit_line(E, "{");
    emit_line(E, "    size_t sz_ = %s_size%d(%s);", E->P, c->id, v);
    emit_line(E, "    char *mem_ = sz_ ? flow_alloc(sz_) : NULL;");
    emit_line(E, "    char *cur_ = mem_;");
    emit_line(E, "    %s = %s_copy%d(%s, &cur_);", dst, E->P, c->id, v);
    emit_line(E, "    %s = mem_;", mem);
    emit_line(E, "    %s = sz_;", sz);
    emit_line(E, "}");
}

void emit_arena_copy(Emit *E, Type *t, const char *arena, const char *dst, const char *v)
{
    if (!ty_has_heap(t)) {
        emit_line(E, "%s = %s;", dst, v);
        return;
    }
    CType *c = emit_ctype(E, t);
    c->need_copy = true;
    emit_line(E, "{");
    emit_line(E, "    size_t sz_ = %s_size%d(%s);", E->P, c->id, v);
    emit_line(E, "    char *cur_ = sz_ ? flow_arena_alloc(%s, sz_) : NULL;", arena);
    emit_line(E, "    %s = %s_copy%d(%s, &cur_);", dst, E->P, c->id, v);
    emit_line(E, "}");
}

/* The runtime's binary encoding of a scalar type T (flow_benc_X and
 * flow_bdec_X), or NULL: a composite type has its own <P>_benc<N>. */
static const char *bin_scalar(Type *t)
{
    switch (t->kind) {
    case TY_INT:
    case TY_DURATION:
    case TY_TIMESTAMP:
        return "i64";
    case TY_FLOAT:
        return "f64";
    case TY_BOOL:
        return "bool";
    case TY_STRING:
        return "str";
    case TY_META:
    case TY_META17:
        return "meta";
    default:
        return NULL;
    }
}

/* &V, written without `&*` */
static const char *addr_of(Emit *E, const char *v)
{
    return v[0] == '*' ? v + 1 : emit_strf(E, "&%s", v);
}

/* A statement appending the binary encoding of V (of type T) to flow_buf *B. */
static void emit_benc(Emit *E, Type *t, const char *b, const char *v)
{
    t = ty_resolve(t);
    const char *x = bin_scalar(t);
    if (x) {
        emit_line(E, "flow_benc_%s(%s, %s);", x, b, v);
        return;
    }
    CType *c = emit_ctype(E, t);
    c->need_bin = true;
    emit_line(E, "%s_benc%d(%s, %s);", E->P, c->id, b, addr_of(E, v));
}

/* A statement decoding a T from *P (const char **) into lvalue DST, heap
 * parts in flow_arena *A. */
static void emit_bdec(Emit *E, Type *t, const char *p, const char *a, const char *dst)
{
    t = ty_resolve(t);
    const char *x = bin_scalar(t);
    if (x) {
        emit_line(E, "%s = flow_bdec_%s(%s, %s);", dst, x, p, a);
        return;
    }
    CType *c = emit_ctype(E, t);
    c->need_bin = true;
    emit_line(E, "%s_bdec%d(%s, %s, %s);", E->P, c->id, p, a, addr_of(E, dst));
}

void emit_xcodec(Emit *E, Type *t, const char **enc, const char **dec)
{
    CType *c = emit_ctype(E, t);
    c->need_xcodec = true;
    *enc = emit_strf(E, "%s_xenc%d", E->P, c->id);
    *dec = emit_strf(E, "%s_xdec%d", E->P, c->id);
}

/* ===================================================================
 * Helper definitions
 * =================================================================== */

/* Helper definitions are written to E->helpers, one level indented,
 * whatever function the emitter was in the middle of; these save and
 * restore where statements were going. */
typedef struct HelperScope {
    FILE *out;
    int indent;
} HelperScope;

static HelperScope helper_begin(Emit *E)
{
    HelperScope hs = { E->out, E->indent };
    E->out = E->helpers;
    E->indent = 1;
    return hs;
}

static void helper_end(Emit *E, HelperScope hs)
{
    E->out = hs.out;
    E->indent = hs.indent;
}

static void gen_repr(Emit *E, CType *c)
{
    Type *t = c->t;
    const char *P = E->P;
    fprintf(E->protos, "static void %s_repr%d(flow_buf *b, %s v);\n", P, c->id, c->name);
    HelperScope hs = helper_begin(E);
    fprintf(E->helpers, "/* repr() of %s */\nstatic void %s_repr%d(flow_buf *b, %s v)\n{\n", ty_str_brief(t), P,
            c->id, c->name);
    switch (t->kind) {
    case TY_LIST:
        emit_line(E, "flow_buf_putc(b, '[');");
        emit_line(E, "for (int64_t i = 0; i < v.n; i++) {");
        emit_line(E, "    if (i)");
        emit_line(E, "        flow_buf_put(b, \", \", 2);");
        E->indent++;
        emit_repr(E, t->elem, "b", "v.v[i]");
        E->indent--;
        emit_line(E, "}");
        emit_line(E, "flow_buf_putc(b, ']');");
        break;
    case TY_OPT:
        emit_line(E, "if (!v.has) {");
        emit_line(E, "    flow_repr_none(b);");
        emit_line(E, "    return;");
        emit_line(E, "}");
        emit_repr(E, t->elem, "b", "v.v");
        break;
    case TY_TUPLE:
        emit_line(E, "flow_buf_putc(b, '(');");
        for (int i = 0; i < t->n; i++) {
            if (i)
                emit_line(E, "flow_buf_put(b, \", \", 2);");
            emit_repr(E, t->elems[i], "b", emit_strf(E, "v.f%d", i));
        }
        if (t->n == 1)
            emit_line(E, "flow_buf_putc(b, ',');");
        emit_line(E, "flow_buf_putc(b, ')');");
        break;
    case TY_RECORD:
        emit_line(E, "flow_buf_putc(b, '{');");
        for (int i = 0; i < t->rec->n; i++) {
            emit_line(E, "flow_buf_puts(b, \"%s'%s': \");", i ? ", " : "", t->rec->fields[i].name);
            emit_repr(E, t->rec->fields[i].ty, "b", emit_strf(E, "v.%s", member(E, t, i)));
        }
        emit_line(E, "flow_buf_putc(b, '}');");
        break;
    default:
        ICE("repr of a primitive");
    }
    fprintf(E->helpers, "}\n\n");
    helper_end(E, hs);
}

static void gen_eq(Emit *E, CType *c)
{
    Type *t = c->t;
    const char *P = E->P;
    fprintf(E->protos, "static bool %s_eq%d(%s a, %s b);\n", P, c->id, c->name, c->name);
    HelperScope hs = helper_begin(E);
    fprintf(E->helpers, "/* == on %s */\nstatic bool %s_eq%d(%s a, %s b)\n{\n", ty_str_brief(t), P, c->id,
            c->name, c->name);
    switch (t->kind) {
    case TY_LIST:
        emit_line(E, "if (a.n != b.n)");
        emit_line(E, "    return false;");
        emit_line(E, "for (int64_t i = 0; i < a.n; i++)");
        emit_line(E, "    if (!%s)", emit_eq(E, t->elem, "a.v[i]", "b.v[i]"));
        emit_line(E, "        return false;");
        emit_line(E, "return true;");
        break;
    case TY_OPT:
        emit_line(E, "if (a.has != b.has)");
        emit_line(E, "    return false;");
        emit_line(E, "return !a.has || %s;", emit_eq(E, t->elem, "a.v", "b.v"));
        break;
    case TY_TUPLE:
    case TY_RECORD:
        for (int i = 0; i < nmembers(t); i++) {
            const char *m = member(E, t, i);
            emit_line(E, "if (!%s)", emit_eq(E, member_type(t, i), emit_strf(E, "a.%s", m), emit_strf(E, "b.%s", m)));
            emit_line(E, "    return false;");
        }
        emit_line(E, "return true;");
        break;
    default:
        ICE("eq of a primitive");
    }
    fprintf(E->helpers, "}\n\n");
    helper_end(E, hs);
}

static void gen_cmp(Emit *E, CType *c)
{
    Type *t = c->t;
    const char *P = E->P;
    fprintf(E->protos, "static int %s_cmp%d(%s a, %s b);\n", P, c->id, c->name, c->name);
    HelperScope hs = helper_begin(E);
    fprintf(E->helpers, "/* three-way comparison of %s (Python's order) */\nstatic int %s_cmp%d(%s a, %s b)\n{\n",
            ty_str_brief(t), P, c->id, c->name, c->name);
    switch (t->kind) {
    case TY_LIST:
        emit_line(E, "for (int64_t i = 0; i < a.n && i < b.n; i++) {");
        emit_line(E, "    int c = %s;", emit_cmp(E, t->elem, "a.v[i]", "b.v[i]"));
        emit_line(E, "    if (c)");
        emit_line(E, "        return c;");
        emit_line(E, "}");
        emit_line(E, "return (a.n > b.n) - (a.n < b.n);");
        break;
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++) {
            emit_line(E, "{");
            emit_line(E, "    int c = %s;", emit_cmp(E, t->elems[i], emit_strf(E, "a.f%d", i), emit_strf(E, "b.f%d", i)));
            emit_line(E, "    if (c)");
            emit_line(E, "        return c;");
            emit_line(E, "}");
        }
        emit_line(E, "return 0;");
        break;
    default:
        ICE("cmp of an unordered type");
    }
    fprintf(E->helpers, "}\n\n");
    helper_end(E, hs);
}

/* <P>_size<N>: the bytes of T's heap parts, each rounded up to 16 (the
 * block a deep copy needs). */
static void gen_size(Emit *E, CType *c)
{
    Type *t = c->t;
    const char *P = E->P;
    fprintf(E->protos, "static size_t %s_size%d(%s v);\n", P, c->id, c->name);
    HelperScope hs = helper_begin(E);
    fprintf(E->helpers, "/* bytes a deep copy of %s needs */\nstatic size_t %s_size%d(%s v)\n{\n", ty_str_brief(t), P,
            c->id, c->name);
    emit_line(E, "size_t s = 0;");
    switch (t->kind) {
    case TY_STRING:
        emit_line(E, "s += ((size_t)v.n + 15) & ~(size_t)15;");
        break;
    case TY_META:
    case TY_META17:
        emit_line(E, "s += (sizeof(int64_t) * (size_t)v.merged_ids.n + 15) & ~(size_t)15;");
        break;
    case TY_LIST:
        emit_line(E, "s += (sizeof(v.v[0]) * (size_t)v.n + 15) & ~(size_t)15;");
        if (ty_has_heap(t->elem)) {
            CType *e = emit_ctype(E, t->elem);
            e->need_copy = true;
            emit_line(E, "for (int64_t i = 0; i < v.n; i++)");
            emit_line(E, "    s += %s_size%d(v.v[i]);", P, e->id);
        }
        break;
    case TY_OPT: {
        CType *e = emit_ctype(E, t->elem);
        e->need_copy = true;
        emit_line(E, "if (v.has)");
        emit_line(E, "    s += %s_size%d(v.v);", P, e->id);
        break;
    }
    case TY_TUPLE:
    case TY_RECORD:
        for (int i = 0; i < nmembers(t); i++)
            if (ty_has_heap(member_type(t, i))) {
                CType *e = emit_ctype(E, member_type(t, i));
                e->need_copy = true;
                emit_line(E, "s += %s_size%d(v.%s);", P, e->id, member(E, t, i));
            }
        break;
    default:
        ICE("copy of a flat type");
    }
    emit_line(E, "return s;");
    fprintf(E->helpers, "}\n\n");
    helper_end(E, hs);
}

/* <P>_copy<N>: a deep copy of T, its heap parts into the block at *cur. */
static void gen_copy(Emit *E, CType *c)
{
    Type *t = c->t;
    const char *P = E->P;
    fprintf(E->protos, "static %s %s_copy%d(%s v, char **cur);\n", c->name, P, c->id, c->name);
    HelperScope hs = helper_begin(E);
    fprintf(E->helpers, "/* deep copy of %s into the memory at *cur */\nstatic %s %s_copy%d(%s v, char **cur)\n{\n",
            ty_str_brief(t), c->name, P, c->id, c->name);
    switch (t->kind) {
    case TY_META:
    case TY_META17:
        emit_line(E, "if (v.merged_ids.n) {");
        emit_line(E, "    memcpy(*cur, v.merged_ids.v, sizeof(int64_t) * (size_t)v.merged_ids.n);");
        emit_line(E, "    v.merged_ids.v = (int64_t *)(void *)*cur;");
        emit_line(E, "    *cur += (sizeof(int64_t) * (size_t)v.merged_ids.n + 15) & ~(size_t)15;");
        emit_line(E, "}");
        break;
    case TY_STRING:
        emit_line(E, "if (v.n) {");
        emit_line(E, "    memcpy(*cur, v.p, (size_t)v.n);");
        emit_line(E, "    v.p = *cur;");
        emit_line(E, "    *cur += ((size_t)v.n + 15) & ~(size_t)15;");
        emit_line(E, "}");
        break;
    case TY_LIST:
        emit_line(E, "if (v.n) {");
        emit_line(E, "    %s *a = (%s *)(void *)*cur;", emit_ctype_name(E, t->elem), emit_ctype_name(E, t->elem));
        emit_line(E, "    memcpy(a, v.v, sizeof(v.v[0]) * (size_t)v.n);");
        emit_line(E, "    *cur += (sizeof(v.v[0]) * (size_t)v.n + 15) & ~(size_t)15;");
        if (ty_has_heap(t->elem)) {
            emit_line(E, "    for (int64_t i = 0; i < v.n; i++)");
            emit_line(E, "        a[i] = %s_copy%d(a[i], cur);", P, emit_ctype(E, t->elem)->id);
        }
        emit_line(E, "    v.v = a;");
        emit_line(E, "}");
        break;
    case TY_OPT:
        emit_line(E, "if (v.has)");
        emit_line(E, "    v.v = %s_copy%d(v.v, cur);", P, emit_ctype(E, t->elem)->id);
        break;
    case TY_TUPLE:
    case TY_RECORD:
        for (int i = 0; i < nmembers(t); i++)
            if (ty_has_heap(member_type(t, i))) {
                const char *m = member(E, t, i);
                emit_line(E, "v.%s = %s_copy%d(v.%s, cur);", m, P, emit_ctype(E, member_type(t, i))->id, m);
            }
        break;
    default:
        break;
    }
    emit_line(E, "return v;");
    fprintf(E->helpers, "}\n\n");
    helper_end(E, hs);
}

/* A statement encoding (ENC: from `v`, into `b`) or decoding (into V,
 * from `p`, heap parts in `a`) V, of type T. */
static void emit_bin(Emit *E, bool enc, Type *t, const char *v)
{
    if (enc)
        emit_benc(E, t, "b", v);
    else
        emit_bdec(E, t, "p", "a", v);
}

/* The body of <P>_benc<N> (ENC) or <P>_bdec<N> for the composite C:
 * lists as their length and elements, optionals as a flag and the value,
 * tuples and records member by member. */
static void gen_bin_body(Emit *E, CType *c, bool enc)
{
    Type *t = c->t;
    switch (t->kind) {
    case TY_LIST:
        if (enc) {
            emit_line(E, "flow_benc_i64(b, v->n);");
        } else {
            emit_line(E, "v->n = flow_bdec_i64(p, a);");
            emit_line(E, "v->v = v->n ? flow_arena_alloc(a, sizeof v->v[0] * (size_t)v->n) : NULL;");
        }
        emit_line(E, "for (int64_t i = 0; i < v->n; i++) {");
        E->indent++;
        emit_bin(E, enc, t->elem, "v->v[i]");
        E->indent--;
        emit_line(E, "}");
        break;
    case TY_OPT:
        if (enc) {
            emit_line(E, "flow_benc_bool(b, v->has);");
        } else {
            emit_line(E, "memset(v, 0, sizeof *v);");
            emit_line(E, "v->has = flow_bdec_bool(p, a);");
        }
        emit_line(E, "if (v->has) {");
        E->indent++;
        emit_bin(E, enc, t->elem, "v->v");
        E->indent--;
        emit_line(E, "}");
        break;
    case TY_TUPLE:
    case TY_RECORD:
        for (int i = 0; i < nmembers(t); i++)
            emit_bin(E, enc, member_type(t, i), emit_strf(E, "v->%s", member(E, t, i)));
        break;
    default:
        ICE("binary encoding of a primitive");
    }
}

/* <P>_benc<N>, <P>_bdec<N>: the binary encoding of a composite T. */
static void gen_bin(Emit *E, CType *c)
{
    Type *t = c->t;
    const char *P = E->P;
    fprintf(E->protos, "static void %s_benc%d(flow_buf *b, const %s *v);\n", P, c->id, c->name);
    fprintf(E->protos, "static void %s_bdec%d(const char **p, flow_arena *a, %s *v);\n", P, c->id, c->name);
    HelperScope hs = helper_begin(E);
    fprintf(E->helpers, "/* binary encoding of %s (an exchange's bytes) */\nstatic void %s_benc%d(flow_buf *b, const %s *v)\n{\n",
            ty_str_brief(t), P, c->id, c->name);
    gen_bin_body(E, c, true);
    fprintf(E->helpers, "}\n\n");
    fprintf(E->helpers, "/* decoding of %s, heap parts in A */\nstatic void %s_bdec%d(const char **p, flow_arena *a, %s *v)\n{\n",
            ty_str_brief(t), P, c->id, c->name);
    if (!ty_has_heap(t))
        emit_line(E, "(void)a;");
    gen_bin_body(E, c, false);
    fprintf(E->helpers, "}\n\n");
    helper_end(E, hs);
}

/* <P>_xenc<N>, <P>_xdec<N>: T's binary encoding with flow_xbox's
 * signatures (an item by address). */
static void gen_xcodec(Emit *E, CType *c)
{
    const char *P = E->P;
    fprintf(E->protos, "static void %s_xenc%d(flow_buf *b, const void *item);\n", P, c->id);
    fprintf(E->protos, "static void %s_xdec%d(const char **p, flow_arena *a, void *item);\n", P, c->id);
    HelperScope hs = helper_begin(E);
    fprintf(E->helpers, "/* an exchange's encoder of %s items */\nstatic void %s_xenc%d(flow_buf *b, const void *item)\n{\n",
            ty_str_brief(c->t), P, c->id);
    emit_line(E, "const %s *v = item;", c->name);
    emit_benc(E, c->t, "b", "*v");
    fprintf(E->helpers, "}\n\n");
    fprintf(E->helpers, "/* an exchange's decoder of %s items */\nstatic void %s_xdec%d(const char **p, flow_arena *a, void *item)\n{\n",
            ty_str_brief(c->t), P, c->id);
    emit_line(E, "%s *v = item;", c->name);
    if (!ty_has_heap(c->t))
        emit_line(E, "(void)a;");
    emit_bdec(E, c->t, "p", "a", "*v");
    fprintf(E->helpers, "}\n\n");
    helper_end(E, hs);
}

static void gen_size_copy(Emit *E, CType *c)
{
    gen_size(E, c);
    gen_copy(E, c);
}

/* Every kind of helper: the CType flags saying it is needed and written,
 * whether a primitive type has one, and what writes it. */
static const struct {
    size_t need, done;       /* offsetof the two bools in CType */
    bool prims;
    void (*gen)(Emit *E, CType *c);
} helper_kinds[] = {
    { offsetof(CType, need_repr), offsetof(CType, done_repr), false, gen_repr },
    { offsetof(CType, need_eq), offsetof(CType, done_eq), false, gen_eq },
    { offsetof(CType, need_cmp), offsetof(CType, done_cmp), false, gen_cmp },
    { offsetof(CType, need_xcodec), offsetof(CType, done_xcodec), true, gen_xcodec },
    { offsetof(CType, need_bin), offsetof(CType, done_bin), false, gen_bin },
    { offsetof(CType, need_copy), offsetof(CType, done_copy), true, gen_size_copy },
};

void emit_type_helpers(Emit *E)
{
    /* writing a helper may ask for others: until none is left */
    bool again = true;
    while (again) {
        again = false;
        for (int i = 0; i < E->nctypes; i++) {
            CType *c = E->ctypes[i];
            for (size_t h = 0; h < sizeof helper_kinds / sizeof helper_kinds[0]; h++) {
                bool *need = (bool *)((char *)c + helper_kinds[h].need);
                bool *done = (bool *)((char *)c + helper_kinds[h].done);
                if (*need && !*done && (helper_kinds[h].prims || !is_prim(c->t))) {
                    *done = true;
                    helper_kinds[h].gen(E, c);
                    again = true;
                }
            }
        }
    }
}
