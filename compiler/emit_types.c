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
#include <stdlib.h>
#include <string.h>
#include "emit.h"

static const char *prim_name(TypeKind k)
{
    switch (k) {
    case TY_INT: return "int64_t";
    case TY_FLOAT: return "double";
    case TY_BOOL: return "bool";
    case TY_STRING: return "flow_str";
    case TY_JSON: return "flow_str";   /* its canonical text (jsonv.c) */
    case TY_TIMESTAMP: return "flow_time";
    case TY_DURATION: return "int64_t";
    case TY_META: return "flow_window_meta";
    case TY_META17: return "flow_window_meta";
    case TY_CACHE: return "int";   /* a placeholder: get() reaches the step's cache */
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
    case TY_SET:
    case TY_DICT:
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
        Type *k = t->kind == TY_TUPLE ? t->elems[i] : t->kind == TY_RECORD ? t->rec->fields[i].ty
                  : t->kind == TY_DICT ? emit_dict_entry(t) : t->elem;
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
    case TY_DICT:
        c->name = emit_strf(E, "%s_dict_%d", E->P, c->id);
        fprintf(E->types, "/* %s: entries in insertion order */\ntypedef struct %s {\n    %s *v;\n    int64_t n;\n} %s;\n\n",
                ty_str_brief(t), c->name, emit_ctype_name(E, emit_dict_entry(t)), c->name);
        break;
    case TY_SET:
        c->name = emit_strf(E, "%s_set_%d", E->P, c->id);
        fprintf(E->types,
                "/* %s: CPython's set table (flow_set_slot) */\ntypedef struct %s_slot {\n    flow_set_slot hd;\n"
                "    %s k;\n} %s_slot;\ntypedef struct %s {\n    %s_slot *s;\n    int64_t mask;\n    int64_t used;\n"
                "    int64_t fill;\n} %s;\n\n",
                ty_str_brief(t), c->name, emit_ctype_name(E, t->elem), c->name, c->name, c->name, c->name);
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
    case TY_JSON: emit_line(E, "flow_jv_repr(%s, %s);", buf, v); return;
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
    case TY_JSON: emit_line(E, "flow_jv_str_form(%s, %s);", buf, v); return;
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
    case TY_JSON: return emit_strf(E, "flow_jv_eq(%s, %s)", a, b);   /* Python's == of the loaded values */
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

void emit_private_begin(Emit *E, PrivateHelper *h)
{
    h->buf = NULL;
    h->len = 0;
    h->out = open_memstream(&h->buf, &h->len);
    if (!h->out)
        ICE("open_memstream failed");
    h->saved = E->out;
    h->saved_indent = E->indent;
    E->out = h->out;
    E->indent = 1;
}

void emit_private_end(Emit *E, PrivateHelper *h)
{
    if (fclose(h->out) != 0)
        ICE("open_memstream failed");
    fwrite(h->buf, 1, h->len, E->helpers);
    free(h->buf);
    E->out = h->saved;
    E->indent = h->saved_indent;
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
    case TY_DICT:
        emit_line(E, "flow_buf_putc(b, '{');");
        emit_line(E, "for (int64_t i = 0; i < v.n; i++) {");
        emit_line(E, "    if (i)");
        emit_line(E, "        flow_buf_put(b, \", \", 2);");
        E->indent++;
        emit_repr(E, t->key, "b", "v.v[i].f0");
        emit_line(E, "flow_buf_put(b, \": \", 2);");
        emit_repr(E, t->elem, "b", "v.v[i].f1");
        E->indent--;
        emit_line(E, "}");
        emit_line(E, "flow_buf_putc(b, '}');");
        break;
    case TY_SET:
        emit_line(E, "if (v.used == 0) {");
        emit_line(E, "    flow_buf_puts(b, \"set()\");");
        emit_line(E, "    return;");
        emit_line(E, "}");
        emit_line(E, "flow_buf_putc(b, '{');");
        emit_line(E, "bool first = true;");
        emit_line(E, "for (int64_t i = 0; i <= v.mask; i++) {");
        emit_line(E, "    if (v.s[i].hd.st != FLOW_SLOT_ACTIVE)");
        emit_line(E, "        continue;");
        emit_line(E, "    if (!first)");
        emit_line(E, "        flow_buf_put(b, \", \", 2);");
        emit_line(E, "    first = false;");
        E->indent++;
        emit_repr(E, t->elem, "b", "v.s[i].k");
        E->indent--;
        emit_line(E, "}");
        emit_line(E, "flow_buf_putc(b, '}');");
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
    case TY_DICT:   /* Python: the same keys with equal values, in any order */
        emit_line(E, "if (a.n != b.n)");
        emit_line(E, "    return false;");
        emit_line(E, "for (int64_t i = 0; i < a.n; i++) {");
        emit_line(E, "    int64_t j = %s(b, a.v[i].f0);", emit_coll_fn(E, t, "find"));
        emit_line(E, "    if (j < 0 || !%s)", emit_eq(E, t->elem, "a.v[i].f1", "b.v[j].f1"));
        emit_line(E, "        return false;");
        emit_line(E, "}");
        emit_line(E, "return true;");
        break;
    case TY_SET:    /* Python: the same elements, in any order */
        emit_line(E, "if (a.used != b.used)");
        emit_line(E, "    return false;");
        emit_line(E, "for (int64_t i = 0; i <= a.mask && a.s; i++)");
        emit_line(E, "    if (a.s[i].hd.st == FLOW_SLOT_ACTIVE && !%s(b, a.s[i].k))", emit_coll_fn(E, t, "has"));
        emit_line(E, "        return false;");
        emit_line(E, "return true;");
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
    case TY_JSON:
        emit_line(E, "s += ((size_t)v.n + 15) & ~(size_t)15;");
        break;
    case TY_META:
    case TY_META17:
        emit_line(E, "s += (sizeof(int64_t) * (size_t)v.merged_ids.n + 15) & ~(size_t)15;");
        break;
    case TY_LIST:
    case TY_DICT: {
        Type *el = t->kind == TY_DICT ? emit_dict_entry(t) : t->elem;
        emit_line(E, "s += (sizeof(v.v[0]) * (size_t)v.n + 15) & ~(size_t)15;");
        if (ty_has_heap(el)) {
            CType *e = emit_ctype(E, el);
            e->need_copy = true;
            emit_line(E, "for (int64_t i = 0; i < v.n; i++)");
            emit_line(E, "    s += %s_size%d(v.v[i]);", P, e->id);
        }
        break;
    }
    case TY_SET:
        emit_line(E, "if (!v.s)");
        emit_line(E, "    return 0;");
        emit_line(E, "s += (sizeof(v.s[0]) * (size_t)(v.mask + 1) + 15) & ~(size_t)15;");
        if (ty_has_heap(t->elem)) {
            CType *e = emit_ctype(E, t->elem);
            e->need_copy = true;
            emit_line(E, "for (int64_t i = 0; i <= v.mask; i++)");
            emit_line(E, "    if (v.s[i].hd.st == FLOW_SLOT_ACTIVE)");
            emit_line(E, "        s += %s_size%d(v.s[i].k);", P, e->id);
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
    case TY_JSON:
        emit_line(E, "if (v.n) {");
        emit_line(E, "    memcpy(*cur, v.p, (size_t)v.n);");
        emit_line(E, "    v.p = *cur;");
        emit_line(E, "    *cur += ((size_t)v.n + 15) & ~(size_t)15;");
        emit_line(E, "}");
        break;
    case TY_LIST:
    case TY_DICT: {
        Type *el = t->kind == TY_DICT ? emit_dict_entry(t) : t->elem;
        emit_line(E, "if (v.n) {");
        emit_line(E, "    %s *a = (%s *)(void *)*cur;", emit_ctype_name(E, el), emit_ctype_name(E, el));
        emit_line(E, "    memcpy(a, v.v, sizeof(v.v[0]) * (size_t)v.n);");
        emit_line(E, "    *cur += (sizeof(v.v[0]) * (size_t)v.n + 15) & ~(size_t)15;");
        if (ty_has_heap(el)) {
            emit_line(E, "    for (int64_t i = 0; i < v.n; i++)");
            emit_line(E, "        a[i] = %s_copy%d(a[i], cur);", P, emit_ctype(E, el)->id);
        }
        emit_line(E, "    v.v = a;");
        emit_line(E, "}");
        break;
    }
    case TY_SET:
        emit_line(E, "if (v.s) {");
        emit_line(E, "    %s_slot *a = (%s_slot *)(void *)*cur;", c->name, c->name);
        emit_line(E, "    memcpy(a, v.s, sizeof(v.s[0]) * (size_t)(v.mask + 1));");
        emit_line(E, "    *cur += (sizeof(v.s[0]) * (size_t)(v.mask + 1) + 15) & ~(size_t)15;");
        if (ty_has_heap(t->elem)) {
            emit_line(E, "    for (int64_t i = 0; i <= v.mask; i++)");
            emit_line(E, "        if (a[i].hd.st == FLOW_SLOT_ACTIVE)");
            emit_line(E, "            a[i].k = %s_copy%d(a[i].k, cur);", P, emit_ctype(E, t->elem)->id);
        }
        emit_line(E, "    v.s = a;");
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

/* ===================================================================
 * Hashing, sets and dicts
 * =================================================================== */

Type *emit_dict_entry(Type *dict)
{
    dict = ty_resolve(dict);
    return ty_pair(dict->key, dict->elem);
}

const char *emit_hash(Emit *E, Type *t, const char *v)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_INT: case TY_BOOL: case TY_TIMESTAMP:
        return emit_strf(E, "flow_hash_int((int64_t)(%s))", v);
    case TY_FLOAT: return emit_strf(E, "flow_hash_float(%s)", v);
    case TY_STRING: return emit_strf(E, "flow_hash_str(%s)", v);
    case TY_DURATION: return emit_strf(E, "flow_hash_duration(%s)", v);
    case TY_OPT:
    case TY_TUPLE: {
        CType *c = emit_ctype(E, t);
        c->need_hash = true;
        return emit_strf(E, "%s_hash%d(%s)", E->P, c->id, v);
    }
    default:
        ICE("hash of an unhashable type");
    }
}

/* <P>_hash<N>: Python's hash() of an optional (None's: FLOW_HASH_NONE)
 * or a tuple (CPython's tuplehash). */
static void gen_hash(Emit *E, CType *c)
{
    Type *t = c->t;
    const char *P = E->P;
    fprintf(E->protos, "static int64_t %s_hash%d(%s v);\n", P, c->id, c->name);
    HelperScope hs = helper_begin(E);
    fprintf(E->helpers, "/* hash() of %s */\nstatic int64_t %s_hash%d(%s v)\n{\n", ty_str_brief(t), P, c->id, c->name);
    if (t->kind == TY_OPT) {
        emit_line(E, "return v.has ? %s : FLOW_HASH_NONE;", emit_hash(E, t->elem, "v.v"));
    } else {
        emit_line(E, "uint64_t acc = flow_hash_tuple_begin();");
        for (int i = 0; i < t->n; i++)
            emit_line(E, "acc = flow_hash_tuple_add(acc, %s);", emit_hash(E, t->elems[i], emit_strf(E, "v.f%d", i)));
        emit_line(E, "return flow_hash_tuple_end(acc, %d);", t->n);
    }
    fprintf(E->helpers, "}\n\n");
    helper_end(E, hs);
}

const char *emit_iter_begin(Emit *E, Type *t, const char *v)
{
    t = ty_resolve(t);
    if (t->kind == TY_SET) {
        emit_line(E, "for (int64_t i = 0; %s.used && i <= %s.mask; i++) {", v, v);
        emit_line(E, "    if (%s.s[i].hd.st != FLOW_SLOT_ACTIVE)", v);
        emit_line(E, "        continue;");
        return emit_strf(E, "%s.s[i].k", v);
    }
    emit_line(E, "for (int64_t i = 0; i < %s.n; i++) {", v);
    return emit_strf(E, t->kind == TY_DICT ? "%s.v[i].f0" : "%s.v[i]", v);
}

/* The operations of sets and dicts (emit_coll_fn), generated one by one
 * as they are asked for (a unit holds no unused static function). */
enum {
    OPS_SETEQ = 1, OPS_INS = 2, OPS_HAS = 4, OPS_ADD = 8, OPS_RM = 16,   /* sets */
    OPS_FIND = 32, OPS_PUT = 64,                                          /* dicts (and OPS_RM) */
};

static unsigned op_bit(const char *op)
{
    static const struct { const char *name; unsigned bit; } ops[] = {
        { "ins", OPS_INS }, { "has", OPS_HAS }, { "add", OPS_ADD }, { "rm", OPS_RM },
        { "find", OPS_FIND }, { "put", OPS_PUT },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i].name) == 0)
            return ops[i].bit;
    ICE("unknown collection operation");
}

const char *emit_coll_fn(Emit *E, Type *t, const char *op)
{
    CType *c = emit_ctype(E, t);
    c->ops_need |= op_bit(op);
    return emit_strf(E, "%s_%s%d", E->P, op, c->id);
}

/* A set's operation BIT: CPython's set_add_entry on a table the caller
 * owns (ins), membership (has), and the copying add and remove of set
 * values; seteq compares a slot's element with a key for flow_set_find. */
static void gen_set_op(Emit *E, CType *c, unsigned bit)
{
    Type *t = c->t;
    const char *P = E->P, *S = c->name, *el = emit_ctype_name(E, t->elem), *ty = ty_str_brief(t);
    int n = c->id;
    HelperScope hs = helper_begin(E);
    switch (bit) {
    case OPS_SETEQ:
        fprintf(E->protos, "static bool %s_seteq%d(const void *slot, const void *key);\n", P, n);
        fprintf(E->helpers, "/* %s: is the element in SLOT equal to *KEY? */\n", ty);
        fprintf(E->helpers, "static bool %s_seteq%d(const void *slot, const void *key)\n{\n", P, n);
        emit_line(E, "return %s;", emit_eq(E, t->elem, emit_strf(E, "((const %s_slot *)slot)->k", S),
                                           emit_strf(E, "*(const %s *)key", el)));
        break;
    case OPS_INS:
        c->ops_need |= OPS_SETEQ;
        fprintf(E->protos, "static void %s_ins%d(flow_arena *a, %s *s, %s x);\n", P, n, S, el);
        fprintf(E->helpers, "/* %s: add X to the table *S owns (CPython's set_add_entry) */\n", ty);
        fprintf(E->helpers, "static void %s_ins%d(flow_arena *a, %s *s, %s x)\n{\n", P, n, S, el);
        emit_line(E, "int64_t h = %s;", emit_hash(E, t->elem, "x"));
        emit_line(E, "if (!s->s) {");
        emit_line(E, "    s->s = flow_set_new(a, sizeof(s->s[0]), 8);");
        emit_line(E, "    s->mask = 7;");
        emit_line(E, "}");
        emit_line(E, "int64_t at = 0;");
        emit_line(E, "if (flow_set_find(s->s, sizeof(s->s[0]), s->mask, h, %s_seteq%d, &x, &at) >= 0)", P, n);
        emit_line(E, "    return;");
        emit_line(E, "bool fresh = s->s[at].hd.st == FLOW_SLOT_EMPTY;");
        emit_line(E, "s->s[at].hd.h = h;");
        emit_line(E, "s->s[at].hd.st = FLOW_SLOT_ACTIVE;");
        emit_line(E, "s->s[at].k = x;");
        emit_line(E, "s->used++;");
        emit_line(E, "if (fresh) {");
        emit_line(E, "    s->fill++;");
        emit_line(E, "    s->s = flow_set_grown(a, s->s, &s->mask, &s->fill, s->used, sizeof(s->s[0]));");
        emit_line(E, "}");
        break;
    case OPS_HAS:
        c->ops_need |= OPS_SETEQ;
        fprintf(E->protos, "static bool %s_has%d(%s s, %s x);\n", P, n, S, el);
        fprintf(E->helpers, "/* %s: x in s */\nstatic bool %s_has%d(%s s, %s x)\n{\n", ty, P, n, S, el);
        emit_line(E, "if (!s.used)");
        emit_line(E, "    return false;");
        emit_line(E, "int64_t at = 0;");
        emit_line(E, "return flow_set_find(s.s, sizeof(s.s[0]), s.mask, %s, %s_seteq%d, &x, &at) >= 0;",
                  emit_hash(E, t->elem, "x"), P, n);
        break;
    case OPS_ADD:
        c->ops_need |= OPS_HAS | OPS_INS;
        fprintf(E->protos, "static %s %s_add%d(flow_arena *a, %s s, %s x);\n", S, P, n, S, el);
        fprintf(E->helpers, "/* %s: a copy of S with X (s.add(x) on a copy) */\n", ty);
        fprintf(E->helpers, "static %s %s_add%d(flow_arena *a, %s s, %s x)\n{\n", S, P, n, S, el);
        emit_line(E, "if (%s_has%d(s, x))", P, n);
        emit_line(E, "    return s;");
        emit_line(E, "if (s.s)");
        emit_line(E, "    s.s = flow_set_clone(a, s.s, s.mask, sizeof(s.s[0]));");
        emit_line(E, "%s_ins%d(a, &s, x);", P, n);
        emit_line(E, "return s;");
        break;
    case OPS_RM:
        c->ops_need |= OPS_SETEQ;
        fprintf(E->protos, "static %s %s_rm%d(flow_arena *a, %s s, %s x);\n", S, P, n, S, el);
        fprintf(E->helpers, "/* %s: a copy of S without X (s.discard(x) on a copy: a dummy slot, as CPython) */\n", ty);
        fprintf(E->helpers, "static %s %s_rm%d(flow_arena *a, %s s, %s x)\n{\n", S, P, n, S, el);
        emit_line(E, "if (!s.used)");
        emit_line(E, "    return s;");
        emit_line(E, "int64_t at = 0;");
        emit_line(E, "int64_t i = flow_set_find(s.s, sizeof(s.s[0]), s.mask, %s, %s_seteq%d, &x, &at);",
                  emit_hash(E, t->elem, "x"), P, n);
        emit_line(E, "if (i < 0)");
        emit_line(E, "    return s;");
        emit_line(E, "s.s = flow_set_clone(a, s.s, s.mask, sizeof(s.s[0]));");
        emit_line(E, "memset(&s.s[i], 0, sizeof(s.s[i]));");
        emit_line(E, "s.s[i].hd.h = -1;");
        emit_line(E, "s.s[i].hd.st = FLOW_SLOT_DUMMY;");
        emit_line(E, "s.used--;");
        emit_line(E, "return s;");
        break;
    default:
        ICE("not a set operation");
    }
    fprintf(E->helpers, "}\n\n");
    helper_end(E, hs);
}

/* A dict's operation BIT. Deliberately simple: the entries are an array
 * in insertion order and a key is found by a scan (dicts here are small
 * values, copied whole by every update). */
static void gen_dict_op(Emit *E, CType *c, unsigned bit)
{
    Type *t = c->t;
    const char *P = E->P, *D = c->name, *k = emit_ctype_name(E, t->key), *v = emit_ctype_name(E, t->elem);
    const char *ty = ty_str_brief(t);
    int n = c->id;
    HelperScope hs = helper_begin(E);
    switch (bit) {
    case OPS_FIND:
        fprintf(E->protos, "static int64_t %s_find%d(%s d, %s k);\n", P, n, D, k);
        fprintf(E->helpers, "/* %s: the index of key K, or -1 */\n", ty);
        fprintf(E->helpers, "static int64_t %s_find%d(%s d, %s k)\n{\n", P, n, D, k);
        emit_line(E, "for (int64_t i = 0; i < d.n; i++)");
        emit_line(E, "    if (%s)", emit_eq(E, t->key, "d.v[i].f0", "k"));
        emit_line(E, "        return i;");
        emit_line(E, "return -1;");
        break;
    case OPS_PUT:
        c->ops_need |= OPS_FIND;
        fprintf(E->protos, "static void %s_put%d(%s *d, %s k, %s v);\n", P, n, D, k, v);
        fprintf(E->helpers, "/* %s: d[k] = v on entries *D owns, with room for one more (a new key goes\n"
                            " * last, an existing one keeps its place) */\n", ty);
        fprintf(E->helpers, "static void %s_put%d(%s *d, %s k, %s v)\n{\n", P, n, D, k, v);
        emit_line(E, "int64_t i = %s_find%d(*d, k);", P, n);
        emit_line(E, "if (i < 0) {");
        emit_line(E, "    i = d->n++;");
        emit_line(E, "    d->v[i].f0 = k;");
        emit_line(E, "}");
        emit_line(E, "d->v[i].f1 = v;");
        break;
    case OPS_RM:
        c->ops_need |= OPS_FIND;
        fprintf(E->protos, "static %s %s_rm%d(flow_arena *a, %s d, %s k);\n", D, P, n, D, k);
        fprintf(E->helpers, "/* %s: a copy of D without key K (unchanged when absent) */\n", ty);
        fprintf(E->helpers, "static %s %s_rm%d(flow_arena *a, %s d, %s k)\n{\n", D, P, n, D, k);
        emit_line(E, "int64_t i = %s_find%d(d, k);", P, n);
        emit_line(E, "if (i < 0)");
        emit_line(E, "    return d;");
        emit_line(E, "%s r = { flow_arena_alloc(a, sizeof(d.v[0]) * (size_t)d.n), d.n - 1 };", D);
        emit_line(E, "memcpy(r.v, d.v, sizeof(d.v[0]) * (size_t)i);");
        emit_line(E, "memcpy(r.v + i, d.v + i + 1, sizeof(d.v[0]) * (size_t)(d.n - i - 1));");
        emit_line(E, "return r;");
        break;
    default:
        ICE("not a dict operation");
    }
    fprintf(E->helpers, "}\n\n");
    helper_end(E, hs);
}

/* <P>_xenc<N>, <P>_xdec<N>: T's binary encoding (the recovery store's,
 * emit_codec.c) with flow_xbox's signatures (an item by address). */
static void gen_xcodec(Emit *E, CType *c)
{
    const char *P = E->P;
    fprintf(E->protos, "static void %s_xenc%d(flow_buf *b, const void *item);\n", P, c->id);
    fprintf(E->protos, "static void %s_xdec%d(flow_rd *r, flow_arena *a, void *item);\n", P, c->id);
    /* privately: the codec (emit_codec.c) writes its own helpers when
     * first asked for, which must not land inside these */
    PrivateHelper h;
    emit_private_begin(E, &h);
    FILE *mine = h.out;
    fprintf(mine, "/* an exchange's encoder of %s items */\nstatic void %s_xenc%d(flow_buf *b, const void *item)\n{\n",
            ty_str_brief(c->t), P, c->id);
    emit_line(E, "const %s *v = item;", c->name);
    emit_codec_enc(E, c->t, "b", "(*v)");
    fprintf(mine, "}\n\n");
    fprintf(mine, "/* an exchange's decoder of %s items */\nstatic void %s_xdec%d(flow_rd *r, flow_arena *a, void *item)\n{\n",
            ty_str_brief(c->t), P, c->id);
    emit_line(E, "%s *v = item;", c->name);
    if (!ty_has_heap(c->t))
        emit_line(E, "(void)a;");
    emit_codec_dec(E, c->t, "r", "a", "(*v)");
    fprintf(mine, "}\n\n");
    emit_private_end(E, &h);
}

const char *emit_qcmp(Emit *E, Type *t)
{
    CType *c = emit_ctype(E, t);
    c->need_qcmp = true;
    return emit_strf(E, "%s_qcmp%d", E->P, c->id);
}

static void gen_qcmp(Emit *E, CType *c)
{
    HelperScope hs = helper_begin(E);
    fprintf(E->helpers, "/* %s through pointers, for flow_sort_values */\n", ty_str_brief(c->t));
    fprintf(E->helpers, "static int %s_qcmp%d(const void *a, const void *b)\n{\n", E->P, c->id);
    emit_line(E, "return %s;", emit_cmp(E, c->t, emit_strf(E, "*(const %s *)a", c->name),
                                        emit_strf(E, "*(const %s *)b", c->name)));
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
    { offsetof(CType, need_qcmp), offsetof(CType, done_qcmp), true, gen_qcmp },
    { offsetof(CType, need_hash), offsetof(CType, done_hash), true, gen_hash },
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
            while (c->ops_need & ~c->ops_done) {
                unsigned todo = c->ops_need & ~c->ops_done;
                unsigned bit = todo & -todo;   /* the lowest; an operation may ask for others */
                c->ops_done |= bit;
                if (c->t->kind == TY_SET)
                    gen_set_op(E, c, bit);
                else
                    gen_dict_op(E, c, bit);
                again = true;
            }
        }
    }
}
