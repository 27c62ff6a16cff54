/*
 * emit_codec.c - the compact binary encoding of every C type of a program
 * (docs/recovery.md, "State encoding"), and the type fingerprints the
 * recovery store checks.
 *
 * Pipeline position: called by the emitter (emit_recovery.c) while it
 * writes a step's snapshot and restore code. For each composite type
 * asked for it writes, once, into the helpers:
 *
 *   static void <flow>_enc<N>(flow_buf *b, const void *v);          append
 *   static void <flow>_dec<N>(flow_rd *r, flow_arena *a, void *v);  read back
 *
 * N is the type's CType id (as <flow>_repr<N>). The void pointers give
 * every type's pair one shape, the shape the workers branch's exchange
 * points (flow_xbox's enc/dec) take. Primitives call the runtime
 * (codec.c) directly. A decoded value's heap parts (strings, lists) live
 * in the arena A; the caller copies what it keeps.
 */
#include <stdlib.h>
#include "emit.h"

static void gen_codec(Emit *E, CType *c);

/* The runtime's codec of a primitive type (flow_enc_<name>,
 * flow_dec_<name>), or NULL for a composite one; *ARENA: its decoder
 * takes the arena (heap parts). */
static const char *prim_codec(TypeKind k, bool *arena)
{
    *arena = k == TY_STRING || k == TY_JSON || k == TY_META || k == TY_META17;
    switch (k) {
    case TY_INT:
    case TY_DURATION:
    case TY_TIMESTAMP: return "i64";
    case TY_FLOAT: return "f64";
    case TY_BOOL: return "bool";
    case TY_STRING:
    case TY_JSON: return "str";   /* its canonical text */
    case TY_META:
    case TY_META17: return "meta";
    default: return NULL;
    }
}

void emit_codec_enc(Emit *E, Type *t, const char *b, const char *v)
{
    t = ty_resolve(t);
    bool arena;
    const char *prim = prim_codec(t->kind, &arena);
    if (prim) {
        emit_line(E, "flow_enc_%s(%s, %s);", prim, b, v);
        return;
    }
    CType *c = emit_ctype(E, t);
    gen_codec(E, c);
    emit_line(E, "%s_enc%d(%s, &%s);", E->P, c->id, b, v);
}

void emit_codec_dec(Emit *E, Type *t, const char *r, const char *a, const char *dst)
{
    t = ty_resolve(t);
    bool arena;
    const char *prim = prim_codec(t->kind, &arena);
    if (prim) {
        emit_line(E, "%s = flow_dec_%s(%s%s%s);", dst, prim, r, arena ? ", " : "", arena ? a : "");
        return;
    }
    CType *c = emit_ctype(E, t);
    gen_codec(E, c);
    emit_line(E, "%s_dec%d(%s, %s, &%s);", E->P, c->id, r, a, dst);
}

/* Member I of a tuple or record, as a C member name. */
static const char *member(Emit *E, Type *t, int i)
{
    return t->kind == TY_TUPLE ? emit_strf(E, "f%d", i) : emit_field_name(E, t->rec->fields[i].name);
}

static void gen_codec(Emit *E, CType *c)
{
    if (c->done_bin)
        return;
    c->done_bin = true;
    Type *t = c->t;
    const char *P = E->P;
    fprintf(E->protos, "static void %s_enc%d(flow_buf *b, const void *vp);\n", P, c->id);
    fprintf(E->protos, "static void %s_dec%d(flow_rd *r, flow_arena *a, void *vp);\n", P, c->id);
    /* the encoder, then the decoder, into a private buffer: asking for an
     * element type's codec writes that one's helpers in between */
    PrivateHelper h;
    emit_private_begin(E, &h);
    FILE *mine = h.out;
    int n = t->kind == TY_TUPLE ? t->n : t->kind == TY_RECORD ? t->rec->n : 0;

    fprintf(mine, "/* binary encoding of %s */\nstatic void %s_enc%d(flow_buf *b, const void *vp)\n{\n",
            ty_str_brief(t), P, c->id);
    emit_line(E, "const %s *v = vp;", c->name);
    switch (t->kind) {
    case TY_LIST:
    case TY_DICT:   /* a dict: its entries (key, value) in insertion order, as a list */
        emit_line(E, "flow_enc_u64(b, (uint64_t)v->n);");
        emit_line(E, "for (int64_t i = 0; i < v->n; i++) {");
        E->indent++;
        emit_codec_enc(E, t->kind == TY_DICT ? emit_dict_entry(t) : t->elem, "b", "v->v[i]");
        E->indent--;
        emit_line(E, "}");
        break;
    case TY_OPT:
        emit_line(E, "flow_enc_bool(b, v->has);");
        emit_line(E, "if (v->has) {");
        E->indent++;
        emit_codec_enc(E, t->elem, "b", "v->v");
        E->indent--;
        emit_line(E, "}");
        break;
    case TY_TUPLE:
    case TY_RECORD:
        for (int i = 0; i < n; i++)
            emit_codec_enc(E, t->kind == TY_TUPLE ? t->elems[i] : t->rec->fields[i].ty, "b",
                           emit_strf(E, "v->%s", member(E, t, i)));
        break;
    case TY_SET:    /* a set: its table slot by slot, so that the order survives */
        emit_line(E, "flow_enc_u64(b, v->s ? (uint64_t)v->mask + 1 : 0);");
        emit_line(E, "if (v->s) {");
        E->indent++;
        emit_line(E, "flow_enc_i64(b, v->used);");
        emit_line(E, "flow_enc_i64(b, v->fill);");
        emit_line(E, "for (int64_t i = 0; i <= v->mask; i++) {");
        E->indent++;
        emit_line(E, "flow_enc_i64(b, v->s[i].hd.st);");
        emit_line(E, "if (v->s[i].hd.st == FLOW_SLOT_ACTIVE) {");
        E->indent++;
        emit_line(E, "flow_enc_i64(b, v->s[i].hd.h);");
        emit_codec_enc(E, t->elem, "b", "v->s[i].k");
        E->indent--;
        emit_line(E, "}");
        E->indent--;
        emit_line(E, "}");
        E->indent--;
        emit_line(E, "}");
        break;
    default:
        ICE("no binary encoder for this type");
    }
    fprintf(mine, "}\n\n");

    fprintf(mine, "/* %s from its binary encoding (r->bad when malformed) */\n"
                  "static void %s_dec%d(flow_rd *r, flow_arena *a, void *vp)\n{\n",
            ty_str_brief(t), P, c->id);
    emit_line(E, "%s *v = vp;", c->name);
    emit_line(E, "(void)a;");
    switch (t->kind) {
    case TY_LIST:
    case TY_DICT:
        emit_line(E, "v->n = flow_dec_count(r);");
        emit_line(E, "v->v = v->n ? flow_arena_alloc(a, sizeof(v->v[0]) * (size_t)v->n) : NULL;");
        emit_line(E, "for (int64_t i = 0; i < v->n; i++) {");
        E->indent++;
        emit_codec_dec(E, t->kind == TY_DICT ? emit_dict_entry(t) : t->elem, "r", "a", "v->v[i]");
        E->indent--;
        emit_line(E, "}");
        break;
    case TY_OPT:
        emit_line(E, "memset(v, 0, sizeof *v);");
        emit_line(E, "v->has = flow_dec_bool(r);");
        emit_line(E, "if (v->has) {");
        E->indent++;
        emit_codec_dec(E, t->elem, "r", "a", "v->v");
        E->indent--;
        emit_line(E, "}");
        break;
    case TY_TUPLE:
    case TY_RECORD:
        for (int i = 0; i < n; i++)
            emit_codec_dec(E, t->kind == TY_TUPLE ? t->elems[i] : t->rec->fields[i].ty, "r", "a",
                           emit_strf(E, "v->%s", member(E, t, i)));
        break;
    case TY_SET:
        emit_line(E, "memset(v, 0, sizeof *v);");
        emit_line(E, "int64_t size = flow_dec_count(r);");
        emit_line(E, "if (size >= 8 && (size & (size - 1)) == 0) {");
        E->indent++;
        emit_line(E, "v->mask = size - 1;");
        emit_line(E, "v->used = flow_dec_i64(r);");
        emit_line(E, "v->fill = flow_dec_i64(r);");
        emit_line(E, "v->s = flow_set_new(a, sizeof v->s[0], size);");
        emit_line(E, "for (int64_t i = 0; i < size && !r->bad; i++) {");
        E->indent++;
        emit_line(E, "v->s[i].hd.st = flow_dec_i64(r);");
        emit_line(E, "if (v->s[i].hd.st == FLOW_SLOT_ACTIVE) {");
        E->indent++;
        emit_line(E, "v->s[i].hd.h = flow_dec_i64(r);");
        emit_codec_dec(E, t->elem, "r", "a", "v->s[i].k");
        E->indent--;
        emit_line(E, "}");
        E->indent--;
        emit_line(E, "}");
        E->indent--;
        emit_line(E, "} else if (size != 0) {");
        emit_line(E, "    r->bad = true;   /* not a table size */");
        emit_line(E, "}");
        break;
    default:
        ICE("no binary decoder for this type");
    }
    fprintf(mine, "}\n\n");
    emit_private_end(E, &h);
}

/* ===================================================================
 * Fingerprints: a type spelt out, records with their fields, so that a
 * change anywhere in what a step keeps changes its fingerprint.
 * =================================================================== */

static void fp(Emit *E, FILE *o, Type *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_LIST:
        fputs("list<", o);
        fp(E, o, t->elem);
        fputc('>', o);
        return;
    case TY_OPT:
        fp(E, o, t->elem);
        fputc('?', o);
        return;
    case TY_SET:
        fputs("set<", o);
        fp(E, o, t->elem);
        fputc('>', o);
        return;
    case TY_DICT:
        fputs("dict<", o);
        fp(E, o, t->key);
        fputs(", ", o);
        fp(E, o, t->elem);
        fputc('>', o);
        return;
    case TY_TUPLE:
        fputc('(', o);
        for (int i = 0; i < t->n; i++) {
            if (i)
                fputs(", ", o);
            fp(E, o, t->elems[i]);
        }
        fputc(')', o);
        return;
    case TY_RECORD:
        fprintf(o, "%s{", t->rec->name);
        for (int i = 0; i < t->rec->n; i++) {
            fprintf(o, "%s%s: ", i ? ", " : "", t->rec->fields[i].name);
            fp(E, o, t->rec->fields[i].ty);
        }
        fputc('}', o);
        return;
    default:
        fputs(ty_str_brief(t), o);
    }
}

const char *emit_codec_fingerprint(Emit *E, const char *what, Type *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    if (!o)
        ICE("open_memstream failed");
    fprintf(o, "%s ", what);
    if (t)
        fp(E, o, t);
    fclose(o);
    const char *s = emit_strf(E, "%s", buf);
    free(buf);
    return s;
}
