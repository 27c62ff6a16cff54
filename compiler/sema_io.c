/*
 * sema_io.c - the checker for the sources file, stdin, dir and kafka and
 * the sinks stdout(format = ...), file, dir and kafka (docs/io.md). Option
 * values are literals or consts: they configure the program, they are not
 * computed per item. Called from check_source / check_sink (sema_steps.c).
 */
#include <stdint.h>
#include <string.h>
#include "flowc.h"
#include "io.h"
#include "sema.h"
#include "sema_internal.h"

/* The literal behind E (itself, or the value of a const), or NULL. */
static Node *literal(Sema *S, Node *e, NodeKind kind)
{
    if (e->kind == ND_IDENT) {
        Symbol *s = sema_lookup(S, e->name);
        if (s && s->kind == SYM_CONST && s->decl && s->decl->lhs->kind == kind)
            return s->decl->lhs;
        return NULL;
    }
    return e->kind == kind ? e : NULL;
}

static const char *string_opt(Sema *S, Node *e, const char *what)
{
    if (!e)
        return NULL;
    Node *l = literal(S, e, ND_STRING);
    if (!l) {
        diag_error(e->loc, "%s must be a string literal or a string const", what);
        return NULL;
    }
    return l->sval;
}

/* An int option: a literal or const from 1 to INT32_MAX (the runtime
 * keeps these counts in an int; a larger value must not wrap). */
static bool int_opt(Sema *S, Node *e, const char *what, int64_t *out)
{
    Node *l = literal(S, e, ND_INT);
    if (!l || l->ival < 1) {
        diag_error(e->loc, "%s must be an int literal (or const) of at least 1", what);
        return false;
    }
    if (l->ival > INT32_MAX) {
        diag_error(e->loc, "%s must be at most %d, found %lld", what, INT32_MAX, (long long)l->ival);
        return false;
    }
    *out = l->ival;
    return true;
}

static bool bool_opt(Sema *S, Node *e, const char *what, bool *out)
{
    Node *l = literal(S, e, ND_BOOL);
    if (!l) {
        diag_error(e->loc, "%s must be `true` or `false`", what);
        return false;
    }
    *out = l->ival != 0;
    return true;
}

/* One of CHOICES (NULL-terminated); returns its index or -1 after an error. */
static int choice(Sema *S, Node *e, const char *what, const char *const *choices)
{
    const char *v = string_opt(S, e, what);
    if (!v)
        return -1;
    for (int i = 0; choices[i]; i++)
        if (strcmp(v, choices[i]) == 0)
            return i;
    const char *list = NULL;
    for (int i = 0; choices[i]; i++)
        list = list ? arena_printf(S->arena, "%s, \"%s\"", list, choices[i])
                    : arena_printf(S->arena, "\"%s\"", choices[i]);
    diag_error(e->loc, "unknown %s \"%s\"; expected %s", what, v, list);
    return -1;
}

static const char *const io_kind_names[] = {
    [IOK_FILE] = "file", [IOK_STDIN] = "stdin", [IOK_DIR] = "dir", [IOK_KAFKA] = "kafka", [IOK_STDOUT] = "stdout",
};

const char *io_kind_name(IoKind k) { return io_kind_names[k]; }

/* The IoKind named NAME, or -1. */
static int io_kind_lookup(const char *name)
{
    for (int k = 0; k < (int)(sizeof io_kind_names / sizeof io_kind_names[0]); k++)
        if (strcmp(name, io_kind_names[k]) == 0)
            return k;
    return -1;
}

/* A new IoSpec of KIND; with a positional path (A's first), that path's
 * literal in *PATH, or NULL after an error. */
static IoSpec *new_spec(Sema *S, IoKind kind, Args *a, int npos, Node **path)
{
    IoSpec *io = arena_alloc(S->arena, sizeof *io);
    memset(io, 0, sizeof *io);
    io->kind = kind;
    io->batch = 1000;
    io->tail = true;
    io->file_count = 1;
    *path = NULL;
    if (npos) {
        *path = literal(S, a->pos[0], ND_STRING);
        if (!*path) {
            diag_error(a->pos[0]->loc, "the path of `%s` must be a string literal or a string const",
                       io_kind_name(kind));
            return NULL;
        }
        io->path = (*path)->sval;
    }
    return io;
}

bool sema_io_source_kind(const char *kind)
{
    int k = io_kind_lookup(kind);
    return k == IOK_FILE || k == IOK_STDIN || k == IOK_DIR || k == IOK_KAFKA;
}

static const char *const file_src_opts[] = { "format", "schema", "on_error", "batch_size", "split", NULL };
static const char *const dir_src_opts[] = { "format", "schema", "on_error", "batch_size", "glob", NULL };
static const char *const kafka_src_opts[] = { "brokers", "topics", "group", "starting_offset", "tail", "format",
                                              "schema", "on_error", "batch_size", "add_config", NULL };
static const char *const src_formats[] = { "lines", "csv", "jsonl", NULL };
static const char *const on_errors[] = { "stop", "skip", NULL };
static const char *const splits[] = { "batch", "bytes", NULL };
static const char *const offsets[] = { "beginning", "end", NULL };

/* The librdkafka properties that an option of kafka(...) sets; add_config
 * and --kafka-property (runtime/src/io_kafka.c, the same list) refuse
 * them and name the option instead. */
static const char *const kafka_owned[][2] = {
    { "bootstrap.servers", "brokers" },
    { "group.id", "group" },
    { "auto.offset.reset", "starting_offset" },
    { "enable.partition.eof", "tail" },
};

/* add_config = [("KEY", VALUE), ...]: librdkafka properties, Bytewax's
 * add_config dict written as a list of pairs (what Python's dict() takes).
 * A VALUE is a string, int or bool literal or const and reaches librdkafka
 * as text ("5", "true"); the whole list may be a const. librdkafka checks
 * the keys and values when the program starts. */
static bool kafka_config(Sema *S, Node *e, IoSpec *io)
{
    Node *l = literal(S, e, ND_LIST);
    if (!l) {
        diag_error(e->loc, "`add_config` must be a list of (\"KEY\", VALUE) pairs, e.g. [(\"client.id\", \"flowc\")]");
        return false;
    }
    io->config = arena_alloc(S->arena, sizeof(char *) * 2 * (size_t)(l->list.n ? l->list.n : 1));
    bool ok = true;
    for (int i = 0; i < l->list.n; i++) {
        Node *p = l->list.items[i];
        if (p->kind != ND_TUPLE || p->list.n != 2) {
            diag_error(p->loc, "an `add_config` entry must be a pair (\"KEY\", VALUE)");
            ok = false;
            continue;
        }
        const char *key = string_opt(S, p->list.items[0], "a librdkafka property name");
        if (!key) {
            ok = false;
            continue;
        }
        Node *v = p->list.items[1], *lv;
        const char *val = NULL;
        if ((lv = literal(S, v, ND_STRING)))
            val = lv->sval;
        else if ((lv = literal(S, v, ND_INT)))
            val = arena_printf(S->arena, "%lld", (long long)lv->ival);
        else if ((lv = literal(S, v, ND_BOOL)))
            val = lv->ival ? "true" : "false";
        else {
            diag_error(v->loc, "the value of `%s` must be a string, int or bool literal (or const)", key);
            ok = false;
            continue;
        }
        bool owned = false;
        for (size_t k = 0; k < sizeof kafka_owned / sizeof kafka_owned[0]; k++)
            if (strcmp(key, kafka_owned[k][0]) == 0) {
                diag_error(p->list.items[0]->loc, "`%s` is set by the `%s` option of kafka(...), not by `add_config`",
                           key, kafka_owned[k][1]);
                owned = true;
            }
        if (owned) {
            ok = false;
            continue;
        }
        io->config[2 * io->nconfig] = key;
        io->config[2 * io->nconfig + 1] = val;
        io->nconfig++;
    }
    return ok;
}

/* Every field type a schema may hold (no WindowMetadata). */
static bool schema_type_ok(Type *t)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_LIST:
    case TY_OPT:
        return schema_type_ok(t->elem);
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++)
            if (!schema_type_ok(t->elems[i]))
                return false;
        return true;
    case TY_RECORD:
        for (int i = 0; i < t->rec->n; i++)
            if (!schema_type_ok(t->rec->fields[i].ty))
                return false;
        return true;
    case TY_META:
    case TY_META17:
    case TY_VAR:
    case TY_ERROR:
        return false;
    default:
        return true;
    }
}

/* The item type of source SRC (A its arguments) in format io->format: a
 * string per line, or the record `schema = RECORD` names (io->schema);
 * NULL after an error. */
static Type *source_item(Sema *S, Node *src, Args *a, IoSpec *io)
{
    int fmt = io->format;
    Node *sc = sema_opt(a, "schema");
    if (fmt == IO_LINES) {
        if (!sc)
            return ty_prim(TY_STRING);
        diag_error(sc->loc, "`schema` needs format \"csv\" or \"jsonl\"; \"lines\" gives strings");
        return NULL;
    }
    Symbol *js = sc && sc->kind == ND_IDENT && strcmp(sc->name, "json") == 0 ? sema_lookup(S, sc->name) : NULL;
    if (fmt == IO_JSONL && (!sc || (js && js->kind == SYM_BUILTIN))) {
        io->format = IO_JSONV;   /* no record: each line a json value, as json.loads gives it */
        return ty_prim(TY_JSON);
    }
    if (!sc) {
        diag_error(src->loc, "format \"%s\" needs `schema = RECORD`: the record whose columns are matched to its "
                   "fields", src_formats[fmt]);
        return NULL;
    }
    Symbol *r = sc->kind == ND_IDENT ? sema_lookup(S, sc->name) : NULL;
    if (!r || r->kind != SYM_RECORD) {
        diag_error(sc->loc, "`schema` must name a record type%s",
                   fmt == IO_JSONL ? " (or be left out, or be `json`: each line a `json` value)"
                   : js ? " (a `json` value per line needs format \"jsonl\")" : "");
        return NULL;
    }
    io->schema = r->rec;
    Type *item = ty_record(r->rec);
    if (!schema_type_ok(item)) {
        diag_error(sc->loc, "record `%s` cannot be read from %s: a field has a type that has no encoding there",
                   r->rec->name, src_formats[fmt]);
        return NULL;
    }
    return item;
}

Type *sema_check_io_source(Sema *S, Step *st, Node *src)
{
    IoKind kind = (IoKind)io_kind_lookup(src->lhs->name);   /* a source: sema_io_source_kind said so */
    bool is_kafka = kind == IOK_KAFKA;
    int npos = kind == IOK_FILE || kind == IOK_DIR ? 1 : 0;
    const char *const *opts = is_kafka ? kafka_src_opts : kind == IOK_DIR ? dir_src_opts : file_src_opts;
    Args a;
    if (!sema_bind_args(S, src, io_kind_name(kind), npos, npos, npos ? "a path" : "no positional arguments", opts,
                        &a))
        return NULL;
    Node *path;
    IoSpec *io = new_spec(S, kind, &a, npos, &path);
    if (!io)
        return NULL;
    bool ok = true;
    if (is_kafka) {
        Node *b = sema_required(&a, "brokers");
        Node *t = sema_required(&a, "topics");
        if (!b || !t)
            return NULL;
        path = literal(S, b, ND_STRING);
        if (!path) {
            diag_error(b->loc, "`brokers` must be a string literal or a string const (\"host:port,host:port\")");
            return NULL;
        }
        io->path = path->sval;
        Node *tl = t->kind == ND_IDENT ? NULL : t;
        if (!tl || tl->kind != ND_LIST || tl->list.n == 0) {
            diag_error(t->loc, "`topics` must be a non-empty list of string literals, e.g. [\"events\"]");
            return NULL;
        }
        io->topics = arena_alloc(S->arena, sizeof(char *) * (size_t)tl->list.n);
        for (int i = 0; i < tl->list.n; i++) {
            const char *name = string_opt(S, tl->list.items[i], "a topic");
            if (!name)
                return NULL;
            io->topics[io->ntopics++] = name;
        }
        Node *g = sema_opt(&a, "group");
        if (g && !(io->group = string_opt(S, g, "`group`")))
            ok = false;
        Node *so = sema_opt(&a, "starting_offset");
        int k = so ? choice(S, so, "starting_offset", offsets) : 0;
        ok &= k >= 0;
        io->from_end = k == 1;
        Node *tail = sema_opt(&a, "tail");
        if (tail)
            ok &= bool_opt(S, tail, "`tail`", &io->tail);
        Node *ac = sema_opt(&a, "add_config");
        if (ac)
            ok &= kafka_config(S, ac, io);
    }
    if (kind == IOK_DIR) {
        Node *g = sema_opt(&a, "glob");
        io->glob = g ? string_opt(S, g, "`glob`") : "*";
        ok &= io->glob != NULL;
    }
    Node *bs = sema_opt(&a, "batch_size");
    if (bs)
        ok &= int_opt(S, bs, "`batch_size`", &io->batch);
    Node *oe = sema_opt(&a, "on_error");
    int k = oe ? choice(S, oe, "on_error", on_errors) : 0;
    ok &= k >= 0;
    io->skip = k == 1;
    Node *sp = sema_opt(&a, "split");
    int spk = sp ? choice(S, sp, "split", splits) : 0;
    ok &= spk >= 0;
    io->split_bytes = spk == 1;
    Node *f = sema_opt(&a, "format");
    int fmt = f ? choice(S, f, "format", src_formats) : IO_LINES;
    if (fmt < 0)
        return NULL;
    io->format = fmt;
    if (is_kafka && fmt == IO_CSV) {
        diag_error(f->loc, "a `kafka` source reads \"lines\" or \"jsonl\" messages, not \"csv\"");
        return NULL;
    }
    Type *item = source_item(S, src, &a, io);
    if (!item)
        return NULL;
    if (!ok)
        return NULL;
    st->io = io;
    st->source = SRC_FILE_LINES;
    st->path = path;
    if (is_kafka) {
        Type *p[2] = { ty_prim(TY_STRING), item };
        return ty_tuple(p, 2);
    }
    return item;
}

/* ---- sinks ----------------------------------------------------------------- */

bool sema_io_sink(Node *e)
{
    if (e->kind != ND_CALL || e->lhs->kind != ND_IDENT)
        return false;
    int k = io_kind_lookup(e->lhs->name);
    return (k == IOK_STDOUT && e->list.n > 0) || k == IOK_FILE || k == IOK_DIR || k == IOK_KAFKA;
}

static const char *const stdout_opts[] = { "format", NULL };
static const char *const dir_sink_opts[] = { "format", "file_count", NULL };
static const char *const kafka_sink_opts[] = { "brokers", "topic", "format", "add_config", NULL };
static const char *const sink_formats[] = { "repr", "json", "csv", NULL };

/* Can T be written as CSV cells (scalars, or records/tuples of them; a
 * list becomes one cell of JSON)? Optionals of records and tuples have no
 * flat form. */
static bool csv_ok(Type *t)
{
    t = ty_resolve(t);
    if (t->kind == TY_OPT) {
        Type *e = ty_resolve(t->elem);
        return e->kind != TY_RECORD && e->kind != TY_TUPLE && e->kind != TY_META && e->kind != TY_META17 &&
               csv_ok(e);
    }
    if (t->kind == TY_TUPLE) {
        for (int i = 0; i < t->n; i++)
            if (!csv_ok(t->elems[i]))
                return false;
    }
    if (t->kind == TY_RECORD) {
        for (int i = 0; i < t->rec->n; i++)
            if (!csv_ok(t->rec->fields[i].ty))
                return false;
    }
    return true;
}

bool sema_check_io_sink(Sema *S, Step *st, Node *e)
{
    IoKind kind = (IoKind)io_kind_lookup(e->lhs->name);   /* a sink: sema_io_sink said so */
    bool is_kafka = kind == IOK_KAFKA, is_dir = kind == IOK_DIR;
    int npos = kind == IOK_FILE || is_dir ? 1 : 0;
    const char *const *opts = is_kafka ? kafka_sink_opts : is_dir ? dir_sink_opts : stdout_opts;
    Args a;
    if (!sema_bind_args(S, e, io_kind_name(kind), npos, npos, npos ? "a path" : "no positional arguments", opts,
                        &a))
        return false;
    Node *path;
    IoSpec *io = new_spec(S, kind, &a, npos, &path);
    if (!io)
        return false;
    if (is_kafka) {
        Node *b = sema_required(&a, "brokers");
        Node *t = sema_required(&a, "topic");
        if (!b || !t || !(io->path = string_opt(S, b, "`brokers`")) || !(io->topic = string_opt(S, t, "`topic`")))
            return false;
        Node *ac = sema_opt(&a, "add_config");
        if (ac && !kafka_config(S, ac, io))
            return false;
    }
    if (is_dir) {
        Node *fc = sema_opt(&a, "file_count");
        if (fc && !int_opt(S, fc, "`file_count`", &io->file_count))
            return false;
    }
    Node *f = sema_opt(&a, "format");
    int fmt = f ? choice(S, f, "format", sink_formats) : 0;
    if (fmt < 0)
        return false;
    io->format = fmt == 0 ? IO_REPR : fmt == 1 ? IO_JSON : IO_CSV;
    Type *t = st->in_type;
    if (t && ty_has_error(t))
        return false;
    if (is_dir || is_kafka) {
        Type *v = t ? ty_keyed_value(t) : NULL;
        if (is_dir && !v) {
            diag_error(e->loc, "a `dir` sink needs a keyed stream `(string, V)`: the key picks the file; found `%s`",
                       t ? ty_str(t) : "?");
            return false;
        }
        io->keyed = v != NULL;
    }
    Type *written = io->keyed ? ty_keyed_value(t) : t;
    if (io->format == IO_CSV && written && !csv_ok(written)) {
        diag_error(f->loc, "items of type `%s` have no CSV form (an optional record or tuple cannot be flattened into cells)",
                   ty_str(written));
        return false;
    }
    st->io = io;
    st->sink = SINK_STDOUT;
    return true;
}
