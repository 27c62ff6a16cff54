/*
 * emit_io.c - the C for the file, stdin, dir and kafka sources and the
 * stdout(format), file, dir and kafka sinks (io.h, docs/io.md).
 *
 * A source step keeps a flow_src; its run function polls one batch and
 * converts each record to the item type: a `lines` record is the string,
 * a csv/jsonl record is decoded into the schema record by a generated
 * <flow>_<step>_read (CSV cells and JSON members matched by field name,
 * through the runtime's flow_cell_* / flow_json_* parsers, so the messages
 * name the field). A bad record is reported by flow_src_bad and skipped in
 * the item loop; a pending one stops the program at the end of the round.
 *
 * A sink step keeps a flow_sink; its item function writes the item (or,
 * for dir and kafka sinks of a keyed stream, its value, the key choosing
 * the file or being the message key) in the sink's format: repr (what
 * print() shows, as the stdout sink always did), json (generated
 * <flow>_json<N> helpers per composite type, made on demand) or csv (one
 * row; records and tuples flattened into cells, a header row first).
 */
#include <stdlib.h>
#include <string.h>
#include "emit.h"
#include "io.h"

/* Helpers are written into a private buffer (making one may make others,
 * which go to E->helpers first), then appended to E->helpers: between
 * private_begin and private_end, statements go to the private buffer. */
typedef struct Private {
    char *buf;
    size_t len;
    FILE *f, *saved;
    int saved_indent;
} Private;

static FILE *private_begin(Emit *E, Private *pv)
{
    pv->buf = NULL;
    pv->len = 0;
    pv->f = open_memstream(&pv->buf, &pv->len);
    if (!pv->f)
        ICE("open_memstream failed");
    pv->saved = E->out;
    pv->saved_indent = E->indent;
    E->out = pv->f;
    E->indent = 1;
    return pv->f;
}

static void private_end(Emit *E, Private *pv)
{
    fclose(pv->f);
    fwrite(pv->buf, 1, pv->len, E->helpers);
    free(pv->buf);
    E->out = pv->saved;
    E->indent = pv->saved_indent;
}

/* ===================================================================
 * JSON decoders
 * =================================================================== */

static void gen_dec(Emit *E, CType *c);

/* A C expression (bool) decoding JSON value V of type T into *OUT. */
static const char *dec_call(Emit *E, Type *t, const char *v, const char *field, const char *out)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_INT: return emit_strf(E, "flow_json_int(s, %s, %s, %s)", v, field, out);
    case TY_FLOAT: return emit_strf(E, "flow_json_float(s, %s, %s, %s)", v, field, out);
    case TY_BOOL: return emit_strf(E, "flow_json_bool(s, %s, %s, %s)", v, field, out);
    case TY_STRING: return emit_strf(E, "flow_json_str(s, a, %s, %s, %s)", v, field, out);
    case TY_JSON: return emit_strf(E, "flow_json_jv(s, a, %s, %s, %s)", v, field, out);
    case TY_TIMESTAMP: return emit_strf(E, "flow_json_time(s, %s, %s, %s)", v, field, out);
    case TY_DURATION: return emit_strf(E, "flow_json_duration(s, %s, %s, %s)", v, field, out);
    default: {
        CType *c = emit_ctype(E, t);
        if (!c->done_dec) {
            c->done_dec = true;
            gen_dec(E, c);
        }
        return emit_strf(E, "%s_fromjson%d(s, a, %s, %s, %s)", E->P, c->id, v, field, out);
    }
    }
}

/* The statements of <P>_fromjson<N> for record REC: its members found in
 * one walk of the object, each decoded into its field (a missing member:
 * an error, or none for an optional field). */
static void dec_record(Emit *E, Record *rec)
{
    emit_line(E, "if (!flow_json_object(s, v, field))");
    emit_line(E, "    return false;");
    if (rec->n) {
        /* the members in one walk of the object */
        emit_line(E, "static const char *const names[%d] = {", rec->n);
        for (int i = 0; i < rec->n; i++)
            emit_line(E, "    %s,", emit_c_str(E, rec->fields[i].name));
        emit_line(E, "};");
        emit_line(E, "const flow_json *ms[%d];", rec->n);
        emit_line(E, "flow_json_fields(v, names, %d, ms);", rec->n);
        emit_line(E, "const flow_json *m;");
    }
    for (int i = 0; i < rec->n; i++) {
        Field *fd = &rec->fields[i];
        /* the member's path for messages: "b" at the top, "a.b" nested */
        const char *name = emit_strf(E, "flow_json_path(a, field, %s)", emit_c_str(E, fd->name));
        const char *mem = emit_strf(E, "out->%s", emit_field_name(E, fd->name));
        emit_line(E, "m = ms[%d];", i);
        if (ty_resolve(fd->ty)->kind == TY_OPT) {
            emit_line(E, "if (!m)");
            emit_line(E, "    %s.has = false;", mem);
            emit_line(E, "else if (!%s)", dec_call(E, fd->ty, "m", name, emit_strf(E, "&%s", mem)));
            emit_line(E, "    return false;");
        } else {
            emit_line(E, "if (!m) {");
            emit_line(E, "    flow_src_bad(s, \"missing field '%%s'\", %s);", name);
            emit_line(E, "    return false;");
            emit_line(E, "}");
            emit_line(E, "if (!%s)", dec_call(E, fd->ty, "m", name, emit_strf(E, "&%s", mem)));
            emit_line(E, "    return false;");
        }
    }
    emit_line(E, "return true;");
}

static void gen_dec(Emit *E, CType *c)
{
    Type *t = c->t;
    const char *P = E->P;
    fprintf(E->protos,
            "static bool %s_fromjson%d(flow_src *s, flow_arena *a, const flow_json *v, const char *field, %s *out);\n",
            P, c->id, c->name);
    /* write into a private buffer: decoding an element may make helpers */
    Private pv;
    FILE *mine = private_begin(E, &pv);
    fprintf(mine, "/* %s from JSON */\nstatic bool %s_fromjson%d(flow_src *s, flow_arena *a, const flow_json *v, const char *field, %s *out)\n{\n",
            ty_str_brief(t), P, c->id, c->name);
    emit_line(E, "(void)a;");
    emit_line(E, "(void)field;");
    switch (t->kind) {
    case TY_OPT:
        emit_line(E, "if (flow_json_is_null(v)) {");
        emit_line(E, "    out->has = false;");
        emit_line(E, "    return true;");
        emit_line(E, "}");
        emit_line(E, "out->has = true;");
        emit_line(E, "return %s;", dec_call(E, t->elem, "v", "field", "&out->v"));
        break;
    case TY_LIST:
        emit_line(E, "int64_t n;");
        emit_line(E, "if (!flow_json_array(s, v, field, &n))");
        emit_line(E, "    return false;");
        emit_line(E, "out->n = n;");
        emit_line(E, "out->v = n ? flow_arena_alloc(a, sizeof out->v[0] * (size_t)n) : NULL;");
        emit_line(E, "for (int64_t i = 0; i < n; i++)");
        emit_line(E, "    if (!%s)", dec_call(E, t->elem, "flow_json_at(v, i)", "field", "&out->v[i]"));
        emit_line(E, "        return false;");
        emit_line(E, "return true;");
        break;
    case TY_TUPLE:
        emit_line(E, "int64_t n;");
        emit_line(E, "if (!flow_json_array(s, v, field, &n))");
        emit_line(E, "    return false;");
        emit_line(E, "if (n != %d) {", t->n);
        emit_line(E, "    flow_src_bad(s, \"field '%%s': expected an array of %d elements, found %%lld\", field, (long long)n);", t->n);
        emit_line(E, "    return false;");
        emit_line(E, "}");
        for (int i = 0; i < t->n; i++) {
            emit_line(E, "if (!%s)", dec_call(E, t->elems[i], emit_strf(E, "flow_json_at(v, %d)", i), "field",
                                             emit_strf(E, "&out->f%d", i)));
            emit_line(E, "    return false;");
        }
        emit_line(E, "return true;");
        break;
    case TY_RECORD:
        dec_record(E, t->rec);
        break;
    case TY_SET:   /* an array, its elements added in order */
        emit_line(E, "int64_t n;");
        emit_line(E, "if (!flow_json_array(s, v, field, &n))");
        emit_line(E, "    return false;");
        emit_line(E, "*out = (%s){ 0 };", c->name);
        emit_line(E, "for (int64_t i = 0; i < n; i++) {");
        emit_line(E, "    %s x;", emit_ctype_name(E, t->elem));
        emit_line(E, "    if (!%s)", dec_call(E, t->elem, "flow_json_at(v, i)", "field", "&x"));
        emit_line(E, "        return false;");
        emit_line(E, "    %s(a, out, x);", emit_coll_fn(E, t, "ins"));
        emit_line(E, "}");
        emit_line(E, "return true;");
        break;
    case TY_DICT: {   /* string keys: an object; others: an array of [key, value] */
        bool obj = ty_resolve(t->key)->kind == TY_STRING;
        emit_line(E, "int64_t n;");
        emit_line(E, "if (!flow_json_%s(s, v, field, &n))", obj ? "members" : "array");
        emit_line(E, "    return false;");
        emit_line(E, "out->n = 0;");
        emit_line(E, "out->v = n ? flow_arena_alloc(a, sizeof out->v[0] * (size_t)n) : NULL;");
        emit_line(E, "for (int64_t i = 0; i < n; i++) {");
        E->indent++;
        emit_line(E, "%s e;", emit_ctype_name(E, emit_dict_entry(t)));
        if (obj) {
            emit_line(E, "const flow_json *m = flow_json_member(v, i, &e.f0);");
            emit_line(E, "e.f0 = flow_str_dup(a, e.f0);");
            emit_line(E, "if (!%s)", dec_call(E, t->elem, "m", "field", "&e.f1"));
        } else {
            emit_line(E, "if (!%s)", dec_call(E, emit_dict_entry(t), "flow_json_at(v, i)", "field", "&e"));
        }
        emit_line(E, "    return false;");
        emit_line(E, "%s(out, e.f0, e.f1);", emit_coll_fn(E, t, "put"));
        E->indent--;
        emit_line(E, "}");
        emit_line(E, "return true;");
        break;
    }
    default:
        ICE("no JSON decoder for this type");
    }
    fprintf(mine, "}\n\n");
    private_end(E, &pv);
}

/* ===================================================================
 * Sources
 * =================================================================== */

static const char *src_kind(IoSpec *io)
{
    if (io->kind == IOK_STDIN)
        return "FLOW_SRC_STDIN";
    if (io->kind == IOK_DIR)
        return "FLOW_SRC_DIR";
    if (io->kind == IOK_KAFKA)
        return "FLOW_SRC_KAFKA";
    return "FLOW_SRC_FILE";
}

static const char *fmt_name(int f)
{
    static const char *const n[] = { "FLOW_FMT_LINES", "FLOW_FMT_CSV",  "FLOW_FMT_JSONL",
                                     "FLOW_FMT_REPR",  "FLOW_FMT_JSON", "FLOW_FMT_JSONV" };
    return n[f];
}

/* The record type a source's items are (or hold, for kafka's (key, V)). */
static Type *record_type(Step *s)
{
    Type *t = ty_resolve(s->out_type);
    if (s->io->kind == IOK_KAFKA)
        return ty_keyed_value(t);
    return t;
}

/* <P>_<id>_read: record R to *OUT (csv / jsonl). */
static void gen_read(Emit *E, Step *s)
{
    IoSpec *io = s->io;
    Type *rt = record_type(s);
    Record *rec = ty_resolve(rt)->rec;
    const char *P = E->P;
    Private pv;
    FILE *mine = private_begin(E, &pv);
    fprintf(E->protos, "static bool %s_%s_read(flow_src *s, flow_arena *a, const flow_rec *r, %s *out);\n", P, s->id,
            emit_ctype_name(E, rt));
    fprintf(mine, "/* %s: one %s record to a %s */\nstatic bool %s_%s_read(flow_src *s, flow_arena *a, const flow_rec *r, %s *out)\n{\n",
            s->id, io->format == IO_CSV ? "CSV" : "JSON", rec->name, P, s->id, emit_ctype_name(E, rt));
    if (io->format == IO_JSONL) {
        emit_line(E, "return %s;", dec_call(E, rt, "r->json", "\"\"", "out"));
    } else {
        emit_line(E, "(void)a;");
        for (int i = 0; i < rec->n; i++) {
            Field *fd = &rec->fields[i];
            Type *ft = ty_resolve(fd->ty);
            const char *name = emit_c_str(E, fd->name);
            const char *mem = emit_strf(E, "out->%s", emit_field_name(E, fd->name));
            const char *cell = emit_strf(E, "r->cols[%d]", i);
            bool opt = ft->kind == TY_OPT;
            Type *vt = opt ? ty_resolve(ft->elem) : ft;
            const char *dst = opt ? emit_strf(E, "%s.v", mem) : mem;
            if (opt) {
                emit_line(E, "%s.has = r->has_col[%d] && (%s.n > 0 || %s.p == flow_csv_quoted_empty);", mem, i, cell, cell);
                emit_line(E, "if (%s.has) {", mem);
            } else {
                emit_line(E, "if (!r->has_col[%d]) {", i);
                emit_line(E, "    flow_src_bad(s, \"missing column '%%s' (not in the header)\", %s);", name);
                emit_line(E, "    return false;");
                emit_line(E, "}");
                emit_line(E, "{");
            }
            E->indent++;
            switch (vt->kind) {
            case TY_STRING:
                emit_line(E, "%s = %s;", dst, cell);
                break;
            case TY_INT:
            case TY_FLOAT:
            case TY_BOOL:
            case TY_TIMESTAMP:
            case TY_DURATION: {
                const char *fn = vt->kind == TY_INT ? "int" : vt->kind == TY_FLOAT ? "float" : vt->kind == TY_BOOL ? "bool"
                               : vt->kind == TY_TIMESTAMP ? "time" : "duration";
                emit_line(E, "if (!flow_cell_%s(s, %s, %s, &%s))", fn, cell, name, dst);
                emit_line(E, "    return false;");
                break;
            }
            default:
                emit_line(E, "const flow_json *j = flow_cell_json(s, a, %s, %s);", cell, name);
                emit_line(E, "if (!j || !%s)", dec_call(E, vt, "j", name, emit_strf(E, "&%s", dst)));
                emit_line(E, "    return false;");
                break;
            }
            E->indent--;
            emit_line(E, "}");
        }
        emit_line(E, "return true;");
    }
    fprintf(mine, "}\n\n");
    private_end(E, &pv);
}

/* A kafka source's or sink's add_config as a static array CONFIG of KEY,
 * VALUE strings (nothing when it has none); returns the cfg's members. */
static const char *kafka_config(Emit *E, FILE *o, IoSpec *io)
{
    if (!io->nconfig)
        return "";
    fprintf(o, "        static const char *const config[] = {");
    for (int i = 0; i < 2 * io->nconfig; i++)
        fprintf(o, "%s %s", i ? "," : "", emit_c_str(E, io->config[i]));
    fprintf(o, " };\n");
    return emit_strf(E, ", .config = config, .nconfig = %d", io->nconfig);
}

void emit_io_input_state(Emit *E, Step *s)
{
    IoSpec *io = s->io;
    fprintf(E->fields, "    flow_src *%s_src;\n", s->id);
    FILE *o = E->init;
    fprintf(o, "    {\n");
    Record *rec = io->format == IO_CSV ? ty_resolve(record_type(s))->rec : NULL;
    if (rec) {
        fprintf(o, "        static const char *const fields[] = {");
        for (int i = 0; i < rec->n; i++)
            fprintf(o, "%s %s", i ? "," : "", emit_c_str(E, rec->fields[i].name));
        fprintf(o, " };\n");
    }
    if (io->ntopics) {
        fprintf(o, "        static const char *const topics[] = {");
        for (int i = 0; i < io->ntopics; i++)
            fprintf(o, "%s %s", i ? "," : "", emit_c_str(E, io->topics[i]));
        fprintf(o, " };\n");
    }
    const char *config = kafka_config(E, o, io);
    fprintf(o, "        static const flow_src_cfg cfg = {\n");
    fprintf(o, "            .step = \"%s\", .kind = %s, .format = %s, .skip = %s, .batch = %lld,%s\n", s->id, src_kind(io),
            fmt_name(io->format), io->skip ? "true" : "false", (long long)io->batch,
            io->split_bytes ? " .split_bytes = true," : "");
    fprintf(o, "            .glob = %s, .fields = %s, .nfields = %d,\n", io->glob ? emit_c_str(E, io->glob) : "NULL",
            rec ? "fields" : "NULL", rec ? rec->n : 0);
    fprintf(o, "            .topics = %s, .ntopics = %d, .group = %s, .from_end = %s, .tail = %s%s,\n",
            io->ntopics ? "topics" : "NULL", io->ntopics, io->group ? emit_c_str(E, io->group) : "NULL",
            io->from_end ? "true" : "false", io->tail ? "true" : "false", config);
    fprintf(o, "        };\n");
    fprintf(o, "        f->%s_src = flow_src_open(rt, &cfg, flow_rt_input_path(rt, %d));\n", s->id, s->input_no);
    fprintf(o, "    }\n");
    fprintf(E->fini, "    flow_src_close(f->%s_src);\n", s->id);
    if (io->format != IO_LINES && io->format != IO_JSONV)
        gen_read(E, s);
}

/* The poll: a loop over the records of one batch, each decoded into the
 * item x and sent downstream. */
void emit_io_run_input(Emit *E, Step *s)
{
    IoSpec *io = s->io;
    bool kafka = io->kind == IOK_KAFKA;
    Type *rt = kafka ? record_type(s) : s->out_type;
    emit_line(E, "flow_src_poll(f->%s_src);", s->id);
    emit_line(E, "for (;;) {");
    E->indent++;
    emit_line(E, "flow_rec r;");
    emit_line(E, "int rc = flow_src_next(f->%s_src, &f->rt->arena, &r);", s->id);
    emit_line(E, "if (rc < 0) {");
    E->indent++;
    emit_input_end(E, s->input_no);
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "if (rc <= 0)");
    emit_line(E, "    return;");
    if (io->format == IO_LINES || io->format == IO_JSONV) {   /* JSONV: the canonical JSON text */
        emit_line(E, "flow_str v = r.text;");
    } else {
        emit_line(E, "%s v;", emit_ctype_name(E, rt));
        emit_line(E, "if (!%s_%s_read(f->%s_src, &f->rt->arena, &r, &v))", E->P, s->id, s->id);
        emit_line(E, "    continue;");
    }
    if (kafka)
        emit_line(E, "%s x = { r.key, v };", emit_ctype_name(E, s->out_type));
    else
        emit_line(E, "%s x = v;", emit_ctype_name(E, s->out_type));
    emit_step_send(E, s, 0, "x");
    E->indent--;
    emit_line(E, "}");
}

void emit_io_round_end(Emit *E, FILE *c)
{
    Graph *g = E->g;
    for (int k = 0; k < g->ninputs; k++)
        if (g->inputs[k]->io)
            fprintf(c, "    flow_src_raise(f->%s_src);\n", g->inputs[k]->id);
}

/* ===================================================================
 * JSON encoders
 * =================================================================== */

static void gen_enc(Emit *E, CType *c);

void emit_json(Emit *E, Type *t, const char *b, const char *v)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_INT: emit_line(E, "flow_repr_int(%s, %s);", b, v); return;
    case TY_FLOAT: emit_line(E, "flow_json_put_float(%s, %s);", b, v); return;
    case TY_BOOL: emit_line(E, "flow_buf_puts(%s, %s ? \"true\" : \"false\");", b, v); return;
    case TY_STRING: emit_line(E, "flow_json_put_str(%s, %s);", b, v); return;
    case TY_JSON: emit_line(E, "flow_jv_put_json(%s, %s);", b, v); return;
    case TY_TIMESTAMP: emit_line(E, "flow_json_put_time(%s, %s);", b, v); return;
    case TY_DURATION: emit_line(E, "flow_json_put_duration(%s, %s);", b, v); return;
    case TY_META:
    case TY_META17: emit_line(E, "flow_json_put_meta(%s, %s);", b, v); return;
    default: {
        CType *c = emit_ctype(E, t);
        if (!c->done_enc) {
            c->done_enc = true;
            gen_enc(E, c);
        }
        emit_line(E, "%s_json%d(%s, %s);", E->P, c->id, b, v);
    }
    }
}

static void gen_enc(Emit *E, CType *c)
{
    Type *t = c->t;
    const char *P = E->P;
    fprintf(E->protos, "static void %s_json%d(flow_buf *b, %s v);\n", P, c->id, c->name);
    Private pv;
    FILE *mine = private_begin(E, &pv);
    fprintf(mine, "/* JSON of %s */\nstatic void %s_json%d(flow_buf *b, %s v)\n{\n", ty_str_brief(t), P, c->id, c->name);
    switch (t->kind) {
    case TY_OPT:
        emit_line(E, "if (!v.has) {");
        emit_line(E, "    flow_buf_put(b, \"null\", 4);");
        emit_line(E, "    return;");
        emit_line(E, "}");
        emit_json(E, t->elem, "b", "v.v");
        break;
    case TY_LIST:
        emit_line(E, "flow_buf_putc(b, '[');");
        emit_line(E, "for (int64_t i = 0; i < v.n; i++) {");
        emit_line(E, "    if (i)");
        emit_line(E, "        flow_buf_put(b, \", \", 2);");
        E->indent++;
        emit_json(E, t->elem, "b", "v.v[i]");
        E->indent--;
        emit_line(E, "}");
        emit_line(E, "flow_buf_putc(b, ']');");
        break;
    case TY_TUPLE:
        emit_line(E, "flow_buf_putc(b, '[');");
        for (int i = 0; i < t->n; i++) {
            if (i)
                emit_line(E, "flow_buf_put(b, \", \", 2);");
            emit_json(E, t->elems[i], "b", emit_strf(E, "v.f%d", i));
        }
        emit_line(E, "flow_buf_putc(b, ']');");
        break;
    case TY_RECORD:
        emit_line(E, "flow_buf_putc(b, '{');");
        for (int i = 0; i < t->rec->n; i++) {
            Field *fd = &t->rec->fields[i];
            emit_line(E, "flow_buf_puts(b, %s);", emit_c_str(E, emit_strf(E, "%s\"%s\": ", i ? ", " : "", fd->name)));
            emit_json(E, fd->ty, "b", emit_strf(E, "v.%s", emit_field_name(E, fd->name)));
        }
        emit_line(E, "flow_buf_putc(b, '}');");
        break;
    case TY_SET: {   /* an array, in the set's order */
        const char *x;
        emit_line(E, "bool first = true;");
        emit_line(E, "flow_buf_putc(b, '[');");
        x = emit_iter_begin(E, t, "v");
        E->indent++;
        emit_line(E, "if (!first)");
        emit_line(E, "    flow_buf_put(b, \", \", 2);");
        emit_line(E, "first = false;");
        emit_json(E, t->elem, "b", x);
        E->indent--;
        emit_line(E, "}");
        emit_line(E, "flow_buf_putc(b, ']');");
        break;
    }
    case TY_DICT: {   /* string keys: an object, as json.dumps; others: [[key, value], ...] */
        bool obj = ty_resolve(t->key)->kind == TY_STRING;
        emit_line(E, "flow_buf_putc(b, '%c');", obj ? '{' : '[');
        emit_line(E, "for (int64_t i = 0; i < v.n; i++) {");
        emit_line(E, "    if (i)");
        emit_line(E, "        flow_buf_put(b, \", \", 2);");
        E->indent++;
        if (obj) {
            emit_json(E, t->key, "b", "v.v[i].f0");
            emit_line(E, "flow_buf_put(b, \": \", 2);");
            emit_json(E, t->elem, "b", "v.v[i].f1");
        } else {
            emit_json(E, emit_dict_entry(t), "b", "v.v[i]");
        }
        E->indent--;
        emit_line(E, "}");
        emit_line(E, "flow_buf_putc(b, '%c');", obj ? '}' : ']');
        break;
    }
    default:
        ICE("no JSON encoder for this type");
    }
    fprintf(mine, "}\n\n");
    private_end(E, &pv);
}

/* ===================================================================
 * CSV encoders: one row, records and tuples flattened
 * =================================================================== */

/* Column names of T under PREFIX, comma-separated, appended to *OUT. */
static void csv_header(Emit *E, Type *t, const char *prefix, const char **out)
{
    t = ty_resolve(t);
    if (t->kind == TY_RECORD || t->kind == TY_TUPLE || t->kind == TY_META || t->kind == TY_META17) {
        int n = t->kind == TY_RECORD ? t->rec->n : t->kind == TY_TUPLE ? t->n : 3;
        static const char *const meta[] = { "open_time", "close_time", "merged_ids" };
        for (int i = 0; i < n; i++) {
            const char *name = t->kind == TY_RECORD ? t->rec->fields[i].name
                             : t->kind == TY_TUPLE ? emit_strf(E, "%d", i) : meta[i];
            const char *full = prefix ? emit_strf(E, "%s.%s", prefix, name) : name;
            if (t->kind == TY_RECORD)
                csv_header(E, t->rec->fields[i].ty, full, out);
            else if (t->kind == TY_TUPLE)
                csv_header(E, t->elems[i], full, out);
            else
                *out = *out ? emit_strf(E, "%s,%s", *out, full) : full;
        }
        return;
    }
    const char *name = prefix ? prefix : "value";
    *out = *out ? emit_strf(E, "%s,%s", *out, name) : name;
}

/* Statements writing the cells of V (type T); *FIRST: no ',' before. */
static void emit_csv_cells(Emit *E, Type *t, const char *b, const char *v, bool *first)
{
    t = ty_resolve(t);
    if (t->kind == TY_RECORD) {
        for (int i = 0; i < t->rec->n; i++)
            emit_csv_cells(E, t->rec->fields[i].ty, b, emit_strf(E, "%s.%s", v, emit_field_name(E, t->rec->fields[i].name)), first);
        return;
    }
    if (t->kind == TY_TUPLE) {
        for (int i = 0; i < t->n; i++)
            emit_csv_cells(E, t->elems[i], b, emit_strf(E, "%s.f%d", v, i), first);
        return;
    }
    if (t->kind == TY_META || t->kind == TY_META17) {
        emit_csv_cells(E, ty_prim(TY_TIMESTAMP), b, emit_strf(E, "%s.open_time", v), first);
        emit_csv_cells(E, ty_prim(TY_TIMESTAMP), b, emit_strf(E, "%s.close_time", v), first);
        emit_line(E, "flow_buf_putc(%s, ',');", b);
        emit_line(E, "f->scratch.n = 0;");
        emit_line(E, "flow_buf_putc(&f->scratch, '[');");
        emit_line(E, "for (int64_t i = 0; i < %s.merged_ids.n; i++) {", v);
        emit_line(E, "    if (i)");
        emit_line(E, "        flow_buf_put(&f->scratch, \", \", 2);");
        emit_line(E, "    flow_repr_int(&f->scratch, %s.merged_ids.v[i]);", v);
        emit_line(E, "}");
        emit_line(E, "flow_buf_putc(&f->scratch, ']');");
        emit_line(E, "flow_csv_put_str(%s, (flow_str){ f->scratch.p, (int64_t)f->scratch.n });", b);
        return;
    }
    if (!*first)
        emit_line(E, "flow_buf_putc(%s, ',');", b);
    *first = false;
    if (t->kind == TY_OPT) {
        emit_line(E, "if (%s.has) {", v);
        E->indent++;
        if (ty_resolve(t->elem)->kind == TY_STRING) {
            /* present and empty: "" (none is an empty cell) */
            emit_line(E, "if (%s.v.n == 0)", v);
            emit_line(E, "    flow_buf_put(%s, \"\\\"\\\"\", 2);", b);
            emit_line(E, "else");
            E->indent++;
        }
        bool inner = true;
        emit_csv_cells(E, t->elem, b, emit_strf(E, "%s.v", v), &inner);
        if (ty_resolve(t->elem)->kind == TY_STRING)
            E->indent--;
        E->indent--;
        emit_line(E, "}");
        return;
    }
    switch (t->kind) {
    case TY_INT: emit_line(E, "flow_repr_int(%s, %s);", b, v); return;
    case TY_FLOAT: emit_line(E, "flow_repr_float(%s, %s);", b, v); return;
    case TY_BOOL: emit_line(E, "flow_buf_puts(%s, %s ? \"true\" : \"false\");", b, v); return;
    case TY_STRING: emit_line(E, "flow_csv_put_str(%s, %s);", b, v); return;
    case TY_TIMESTAMP: emit_line(E, "flow_fmt_rfc3339(%s, %s);", b, v); return;
    case TY_DURATION: emit_line(E, "flow_fmt_seconds(%s, %s);", b, v); return;
    default:
        /* a list: its JSON in one cell */
        emit_line(E, "f->scratch.n = 0;");
        emit_json(E, t, "&f->scratch", v);
        emit_line(E, "flow_csv_put_str(%s, (flow_str){ f->scratch.p, (int64_t)f->scratch.n });", b);
        return;
    }
}

/* ===================================================================
 * Sinks
 * =================================================================== */

static const char *sink_kind(IoSpec *io)
{
    if (io->kind == IOK_FILE)
        return "FLOW_SINK_FILE";
    if (io->kind == IOK_DIR)
        return "FLOW_SINK_DIR";
    if (io->kind == IOK_KAFKA)
        return "FLOW_SINK_KAFKA";
    return "FLOW_SINK_STDOUT";
}

bool emit_io_to_stdout(const Step *s)
{
    IoKind k = s->io->kind;
    return k != IOK_FILE && k != IOK_DIR && k != IOK_KAFKA;   /* sink_kind's FLOW_SINK_STDOUT */
}

static bool has_path(Step *s)
{
    return s->kind == SK_OUTPUT && s->io && s->io->kind != IOK_STDOUT;
}

void emit_io_output(Emit *E, Step *s)
{
    IoSpec *io = s->io;
    Graph *g = E->g;
    FILE *o = E->init;
    fprintf(E->fields, "    flow_sink *%s_sink;\n", s->id);
    fprintf(o, "    {\n");
    /* the first sink with a path checks every --output STEP=PATH */
    Step *first = NULL;
    int npath = 0;
    for (int i = 0; i < g->nsteps; i++)
        if (has_path(g->steps[i])) {
            if (!first)
                first = g->steps[i];
            npath++;
        }
    if (first == s) {
        fprintf(o, "        static const char *const outputs[] = {");
        int k = 0;
        for (int i = 0; i < g->nsteps; i++)
            if (has_path(g->steps[i]))
                fprintf(o, "%s \"%s\"", k++ ? "," : "", g->steps[i]->id);
        fprintf(o, " };\n        flow_rt_check_outputs(rt, outputs, %d);\n", npath);
    }
    const char *config = kafka_config(E, o, io);
    fprintf(o, "        static const flow_sink_cfg cfg = { .step = \"%s\", .kind = %s, .file_count = %lld, .topic = %s%s };\n",
            s->id, sink_kind(io), (long long)io->file_count, io->topic ? emit_c_str(E, io->topic) : "NULL", config);
    if (has_path(s))
        fprintf(o, "        f->%s_sink = flow_sink_open(rt, &cfg, flow_rt_output_path(rt, \"%s\", %s));\n", s->id,
                s->id, emit_c_str(E, io->path));
    else
        fprintf(o, "        f->%s_sink = flow_sink_open(rt, &cfg, NULL);\n", s->id);
    Type *t = io->keyed ? ty_keyed_value(s->in_type) : s->in_type;
    if (io->format == IO_CSV && io->kind != IOK_KAFKA) {
        const char *h = NULL;
        csv_header(E, t, NULL, &h);
        fprintf(o, "        flow_sink_header(f->%s_sink, %s);\n", s->id, emit_c_str(E, h));
    }
    fprintf(o, "    }\n");
    fprintf(E->fini, "    flow_sink_close(f->%s_sink);\n", s->id);

    const char *key = io->keyed ? "x.f0" : "(flow_str){ \"\", 0 }";
    const char *v = io->keyed ? "x.f1" : "x";
    emit_line(E, "flow_buf *b = flow_sink_buf(f->%s_sink, %s);", s->id, key);
    switch (io->format) {
    case IO_JSON:
        emit_json(E, t, "b", v);
        break;
    case IO_CSV: {
        bool firstcell = true;
        emit_csv_cells(E, t, "b", v, &firstcell);
        break;
    }
    default:
        emit_str_form(E, t, "b", v);
        break;
    }
    emit_line(E, "flow_sink_end(f->%s_sink, %s, %s);", s->id, io->keyed ? "true" : "false", key);
}
