/*
 * emit_lib.c - `flowc --lib`: the dataflow as a library a host program
 * embeds (docs/embedding.md). The unit emit_c.c writes gains, in place of
 * <flow>_new, <flow>_free and main(), a C API; the header NAME.h declares
 * it with the item types of the extern inputs and outputs:
 *
 *   <flow>_open / _close / _errmsg          an instance (its own flow_rt)
 *   <flow>_push_<in>, _push_<in>_batch     items form the input's next batch
 *   <flow>_eof_<in>                        the input ends
 *   <flow>_on_<out>                        the output's callback
 *   <flow>_set_time, _advance_time         pin and move the clock
 *   <flow>_step, _finish                   run rounds
 *
 * Every call that runs the dataflow sets rt->trap, so a run-time error
 * (flow_step_error, flow_data_error) comes back as FLOW_ERROR with its
 * message in <flow>_errmsg instead of exiting; the instance can then only
 * be closed. Pushed items are deep-copied into the input's own arena
 * (two batches: the one being pushed and the one a round is polling), so
 * the host's memory is free again when the push returns and a callback may
 * push while a round runs.
 *
 * Pipeline position: part of the C emitter. emit_lib_begin runs first (the
 * extern item types are interned while the header's type section is the
 * current one, so the unit includes the header instead of defining them);
 * the per-step functions run while emit_c.c walks the steps, so that every
 * type helper they need exists before the helpers are written; emit_lib_tail
 * writes the API at the end of the unit and then the header.
 */
#include <stdlib.h>
#include <string.h>
#include "emit.h"
#include "embed.h"

static bool lib_mode(Emit *E) { return E->opt->lib_header != NULL; }

static bool is_extern_in(Step *s) { return s->kind == SK_INPUT && s->source == SRC_EXTERN; }
static bool is_extern_out(Step *s) { return s->kind == SK_OUTPUT && s->sink == SINK_EXTERN; }

void emit_lib_begin(Emit *E)
{
    E->lib_types = open_memstream(&E->lib_types_buf, &E->lib_types_len);
    if (!E->lib_types)
        ICE("open_memstream failed");
    FILE *unit_types = E->types;
    E->types = E->lib_types;   /* the header's item types, written out by emit_header */
    for (int i = 0; i < E->g->nsteps; i++) {
        Step *s = E->g->steps[i];
        if (is_extern_in(s))
            emit_ctype(E, s->out_type);
        else if (is_extern_out(s))
            emit_ctype(E, s->in_type);
    }
    E->types = unit_types;
    fprintf(E->types, "#include <setjmp.h>\n#include <stdio.h>\n#include \"%s\"\n\n",
            emit_base_name(E->opt->lib_header_path));
    fprintf(E->fields, "    /* embedding (flowc --lib) */\n    flow_rt lib_rt;      /* the instance's run context */\n");
    fprintf(E->fields, "    bool lib_dead;       /* after a run-time error: only _close */\n");
    fprintf(E->fields, "    bool lib_busy;       /* in _step: callbacks may push, not step */\n");
}

/* ===================================================================
 * Extern inputs
 * =================================================================== */

/* Statements returning a message when V (of type T, named WHAT in the
 * message) is not a value the dataflow can hold: strings must be UTF-8,
 * lengths sane, timestamps within Python's datetime range. */
static void emit_check(Emit *E, Type *t, const char *v, const char *what, int depth);

/* OPEN { the checks of V } when T needs any (an optional's value, a list's
 * elements). */
static void emit_nested_check(Emit *E, Type *t, const char *open, const char *v, const char *what, int depth)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *inner = open_memstream(&buf, &len);
    if (!inner)
        ICE("open_memstream failed");
    FILE *saved = E->out;
    E->out = inner;
    E->indent++;
    emit_check(E, t, v, what, depth);
    E->indent--;
    E->out = saved;
    fclose(inner);
    if (len) {
        emit_line(E, "%s", open);
        fwrite(buf, 1, len, E->out);
        emit_line(E, "}");
    }
    free(buf);
}

static void emit_check(Emit *E, Type *t, const char *v, const char *what, int depth)
{
    t = ty_resolve(t);
    switch (t->kind) {
    case TY_STRING:
        emit_line(E, "if (%s.n < 0 || (%s.n > 0 && !%s.p) || !flow_utf8_valid(%s.p, (size_t)%s.n))", v, v, v, v, v);
        emit_line(E, "    return \"%s is not a UTF-8 string\";", what);
        break;
    case TY_TIMESTAMP:
        emit_line(E, "if (%s < FLOW_TIME_MIN || %s > FLOW_TIME_MAX)", v, v);
        emit_line(E, "    return \"%s is outside the years 1 to 9999\";", what);
        break;
    case TY_OPT:
        emit_nested_check(E, t->elem, emit_strf(E, "if (%s.has) {", v), emit_strf(E, "%s.v", v), what, depth);
        break;
    case TY_LIST: {
        emit_line(E, "if (%s.n < 0 || (%s.n > 0 && !%s.v))", v, v, v);
        emit_line(E, "    return \"%s is not a list (n < 0, or v NULL)\";", what);
        const char *i = emit_strf(E, "i%d", depth);
        emit_nested_check(E, t->elem, emit_strf(E, "for (int64_t %s = 0; %s < %s.n; %s++) {", i, i, v, i),
                          emit_strf(E, "%s.v[%s]", v, i), emit_strf(E, "%s[i]", what), depth + 1);
        break;
    }
    case TY_TUPLE:
        for (int i = 0; i < t->n; i++)
            emit_check(E, t->elems[i], emit_strf(E, "%s.f%d", v, i), emit_strf(E, "%s.%d", what, i), depth);
        break;
    case TY_RECORD:
        for (int i = 0; i < t->rec->n; i++) {
            const char *name = t->rec->fields[i].name;
            emit_check(E, t->rec->fields[i].ty, emit_strf(E, "%s.%s", v, emit_field_name(E, name)), emit_strf(E, "%s.%s", what, name),
                       depth);
        }
        break;
    default:
        break;
    }
}

void emit_lib_input_state(Emit *E, Step *s)
{
    if (!lib_mode(E))
        return;   /* at EOF at once (emit_lib_run_input) */
    const char *P = E->P, *id = s->id, *T = emit_ctype_name(E, s->out_type);
    fprintf(E->types, "/* extern input %s: a batch of pushed items and the memory they point to */\n", id);
    fprintf(E->types, "typedef struct %s_%s_batch {\n    %s *v;\n    size_t n, cap;\n    flow_arena mem;\n} %s_%s_batch;\n\n", P,
            id, T, P, id);
    fprintf(E->fields, "    %s_%s_batch %s_next;   /* pushed since the last poll */\n", P, id, id);
    fprintf(E->fields, "    %s_%s_batch %s_cur;    /* the batch this round polled */\n", P, id, id);
    fprintf(E->fields, "    bool %s_closed;        /* the host signalled EOF */\n", id);
    fprintf(E->fini, "    flow_free(f->%s_next.v, f->%s_next.cap * sizeof f->%s_next.v[0]);\n", id, id, id);
    fprintf(E->fini, "    flow_free(f->%s_cur.v, f->%s_cur.cap * sizeof f->%s_cur.v[0]);\n", id, id, id);
    fprintf(E->fini, "    flow_arena_destroy(&f->%s_next.mem);\n    flow_arena_destroy(&f->%s_cur.mem);\n", id, id);

    /* the check and the copy of pushed items (code that needs type helpers
     * is written now, before the helpers are) */
    E->out = E->code;
    E->indent = 1;
    fprintf(E->code, "/* extern input %s: NULL when *X can be pushed, else what is wrong with it */\n", id);
    fprintf(E->code, "static const char *%s_%s_check(const %s *x)\n{\n", P, id, T);
    emit_line(E, "(void)x;");
    emit_check(E, s->out_type, "(*x)", "item", 0);
    emit_line(E, "return NULL;");
    fprintf(E->code, "}\n\n");
    fprintf(E->code, "/* extern input %s: deep copies of N items into the next batch */\n", id);
    fprintf(E->code, "static void %s_%s_add(%s_flow *f, const %s *items, size_t n)\n{\n", P, id, P, T);
    emit_line(E, "%s_%s_batch *b = &f->%s_next;", P, id, id);
    emit_line(E, "if (b->n + n > b->cap)");
    emit_line(E, "    flow_vec_grow((void **)&b->v, &b->cap, sizeof b->v[0], b->n + n);");
    emit_line(E, "for (size_t i = 0; i < n; i++) {");
    E->indent++;
    emit_arena_copy(E, s->out_type, "&b->mem", "b->v[b->n]", "items[i]");
    emit_line(E, "b->n++;");
    E->indent--;
    emit_line(E, "}");
    fprintf(E->code, "}\n\n");
}

/* In <flow>_<id>_run, after the EOF check: poll the pushed batch. */
void emit_lib_run_input(Emit *E, Step *s)
{
    const char *P = E->P, *id = s->id;
    int k = s->input_no;
    if (!lib_mode(E)) {
        emit_line(E, "/* no host program pushes (not compiled with --lib) */");
        emit_input_end(E, k);
        return;
    }
    emit_line(E, "if (f->%s_next.n == 0 && f->%s_closed) {", id, id);
    E->indent++;
    emit_input_end(E, k);
    emit_line(E, "return;");
    E->indent--;
    emit_line(E, "}");
    emit_line(E, "/* what the host pushed is this round's batch; the last one's memory takes new pushes */");
    emit_line(E, "%s_%s_batch b = f->%s_cur;", P, id, id);
    emit_line(E, "f->%s_cur = f->%s_next;", id, id);
    emit_line(E, "b.n = 0;");
    emit_line(E, "flow_arena_reset(&b.mem);");
    emit_line(E, "f->%s_next = b;", id);
    emit_line(E, "for (size_t i = 0; i < f->%s_cur.n; i++) {", id);
    E->indent++;
    emit_line(E, "%s x = f->%s_cur.v[i];", emit_ctype_name(E, s->out_type), id);
    emit_step_send(E, s, 0, "x");
    E->indent--;
    emit_line(E, "}");
}

/* ===================================================================
 * Extern outputs
 * =================================================================== */

/* The body of <flow>_<id>_item(f, x): the host's callback, if it set one. */
void emit_lib_output(Emit *E, Step *s)
{
    if (!lib_mode(E)) {
        emit_line(E, "(void)x;   /* no host program (not compiled with --lib) */");
        return;
    }
    fprintf(E->fields, "    %s_%s_fn *%s_cb;   /* extern output %s: the host's callback */\n    void *%s_ud;\n", E->P,
            s->id, s->id, s->id, s->id);
    emit_line(E, "if (f->%s_cb)", s->id);
    emit_line(E, "    f->%s_cb(f->%s_ud, &x);", s->id, s->id);
}

/* ===================================================================
 * The API (end of the unit)
 * =================================================================== */

/* The condition "every input is at EOF". */
static const char *all_eof(Emit *E)
{
    if (E->g->ninputs == 0)
        return "true";
    char *c = emit_strf(E, "f->eof[0]");
    for (int k = 1; k < E->g->ninputs; k++)
        c = emit_strf(E, "%s && f->eof[%d]", c, k);
    return c;
}

/* The condition "an extern input holds pushed items or an unseen EOF". */
static const char *pending(Emit *E)
{
    char *c = NULL;
    for (int k = 0; k < E->g->ninputs; k++) {
        Step *s = E->g->inputs[k];
        if (!is_extern_in(s))
            continue;
        const char *one = emit_strf(E, "f->%s_next.n > 0 || (f->%s_closed && !f->eof[%d])", s->id, s->id, k);
        c = c ? emit_strf(E, "%s || %s", c, one) : (char *)one;
    }
    return c ? c : "false";
}

static void emit_internals(Emit *E, FILE *out)
{
    const char *P = E->P;
    fprintf(out, "/* Build the dataflow's state in F (zeroed, F->rt set); errors go through rt->trap. */\n");
    fprintf(out, "static void %s_init(%s_flow *f)\n{\n    flow_rt *rt = f->rt;\n    (void)rt;\n", P, P);
    emit_state_init(E, out);
    fprintf(out, "}\n\n");
    fprintf(out, "/* Free everything F owns (also after a failed or interrupted _init or round). */\n");
    fprintf(out, "static void %s_fini(%s_flow *f)\n{\n", P, P);
    emit_state_fini(E, out);
    fprintf(out, "}\n\n");

    fprintf(out, "/* Keep \"WHAT: MSG\" as F's error message; FLOW_MISUSE. */\n");
    fprintf(out, "static int %s_misuse(%s_flow *f, const char *what, const char *msg)\n{\n", P, P);
    fprintf(out, "    snprintf(f->lib_rt.error, sizeof f->lib_rt.error, \"%%s: %%s\", what, msg);\n");
    fprintf(out, "    return FLOW_MISUSE;\n}\n\n");
    fprintf(out, "/* May F run a call named WHAT? FLOW_OK, or the code to return. */\n");
    fprintf(out, "static int %s_usable(%s_flow *f, const char *what, bool from_callback_ok)\n{\n", P, P);
    fprintf(out, "    if (!f)\n        return FLOW_MISUSE;\n    if (f->lib_dead)\n        return FLOW_ERROR;\n");
    fprintf(out, "    if (f->lib_busy && !from_callback_ok)\n");
    fprintf(out, "        return %s_misuse(f, what, \"not allowed in a callback\");\n", P);
    fprintf(out, "    return FLOW_OK;\n}\n\n");
    fprintf(out, "/* A run-time error came back through the trap: F is dead. */\n");
    fprintf(out, "static int %s_failed(%s_flow *f)\n{\n    f->lib_busy = false;\n    f->lib_dead = true;\n", P, P);
    fprintf(out, "    return FLOW_ERROR;\n}\n\n");
}

/* The start of API function WHAT: NULL instance, dead, or in a callback
 * (CB_OK: allowed there) return at once. */
static void emit_prologue(Emit *E, FILE *out, const char *what, bool cb_ok)
{
    fprintf(out, "    int rc = %s_usable(f, \"%s_%s\", %s);\n    if (rc != FLOW_OK)\n        return rc;\n", E->P,
            E->P, what, cb_ok ? "true" : "false");
}

static void emit_instance_api(Emit *E, FILE *out)
{
    const char *P = E->P;
    fprintf(out, "int %s_open(%s_flow **out)\n{\n    if (!out)\n        return FLOW_MISUSE;\n", P, P);
    fprintf(out, "    %s_flow *f = flow_alloc(sizeof *f);\n    memset(f, 0, sizeof *f);\n    *out = f;\n", P);
    fprintf(out, "    f->rt = &f->lib_rt;\n");
    fprintf(out, "    if (flow_rt_init(f->rt, &%s_info, 0, NULL) >= 0) {\n", P);
    fprintf(out, "        %s_misuse(f, \"%s_open\", \"invalid FLOW_CLOCK or FLOW_CLOCK_STEP in the environment\");\n", P, P);
    fprintf(out, "        return %s_failed(f);\n    }\n", P);
    fprintf(out, "    f->rt->progress = false;   /* no progress lines from inside a host */\n");
    fprintf(out, "    f->rt->round_slow = false;\n");
    fprintf(out, "    jmp_buf jb;\n    if (setjmp(jb))\n        return %s_failed(f);\n", P);
    fprintf(out, "    f->rt->trap = &jb;\n    %s_init(f);\n    f->rt->trap = NULL;\n    return FLOW_OK;\n}\n\n", P);

    fprintf(out, "void %s_close(%s_flow *f)\n{\n    if (!f)\n        return;\n", P, P);
    fprintf(out, "    if (f->lib_busy) {\n        %s_misuse(f, \"%s_close\", \"not allowed in a callback\");\n", P, P);
    fprintf(out, "        return;\n    }\n");
    fprintf(out, "    fflush(stdout);\n    %s_fini(f);\n    flow_rt_finish(&f->lib_rt, 0);\n    flow_free(f, sizeof *f);\n}\n\n", P);

    fprintf(out, "const char *%s_errmsg(const %s_flow *f)\n{\n", P, P);
    fprintf(out, "    return f ? f->lib_rt.error : \"no instance (NULL)\";\n}\n\n");
}

static void emit_input_api(Emit *E, FILE *out, Step *s)
{
    const char *P = E->P, *id = s->id;
    fprintf(out, "/* extern input %s */\n", id);
    fprintf(out, "static int %s_%s_push(%s_flow *f, const %s_%s_type *items, size_t n, const char *what)\n{\n", P, id, P,
            P, id);
    fprintf(out, "    int rc = %s_usable(f, what, true);\n    if (rc != FLOW_OK)\n        return rc;\n", P);
    fprintf(out, "    if (n > 0 && !items)\n        return %s_misuse(f, what, \"no items (NULL)\");\n", P);
    fprintf(out, "    if (f->%s_closed)\n        return %s_misuse(f, what, \"the input is at EOF (%s_eof_%s)\");\n", id, P, P,
            id);
    fprintf(out, "    for (size_t i = 0; i < n; i++) {\n        const char *bad = %s_%s_check(&items[i]);\n", P, id);
    fprintf(out, "        if (bad) {\n            char msg[160];\n");
    fprintf(out, "            snprintf(msg, sizeof msg, \"%%s (item %%zu); nothing was pushed\", bad, i);\n");
    fprintf(out, "            return %s_misuse(f, what, msg);\n        }\n    }\n", P);
    fprintf(out, "    %s_%s_add(f, items, n);\n    return FLOW_OK;\n}\n\n", P, id);
    fprintf(out, "int %s_push_%s(%s_flow *f, const %s_%s_type *item)\n{\n", P, id, P, P, id);
    fprintf(out, "    return %s_%s_push(f, item, 1, \"%s_push_%s\");\n}\n\n", P, id, P, id);
    fprintf(out, "int %s_push_%s_batch(%s_flow *f, const %s_%s_type *items, size_t n)\n{\n", P, id, P, P, id);
    fprintf(out, "    return %s_%s_push(f, items, n, \"%s_push_%s_batch\");\n}\n\n", P, id, P, id);
    fprintf(out, "int %s_eof_%s(%s_flow *f)\n{\n", P, id, P);
    emit_prologue(E, out, emit_strf(E, "eof_%s", id), true);
    fprintf(out, "    f->%s_closed = true;\n    return FLOW_OK;\n}\n\n", id);
}

static void emit_output_api(Emit *E, FILE *out, Step *s)
{
    const char *P = E->P, *id = s->id;
    fprintf(out, "/* extern output %s */\n", id);
    fprintf(out, "void %s_on_%s(%s_flow *f, %s_%s_fn *fn, void *ud)\n{\n    if (!f)\n        return;\n", P, id, P, P, id);
    fprintf(out, "    f->%s_cb = fn;\n    f->%s_ud = ud;\n}\n\n", id, id);
}

static void emit_clock_and_step_api(Emit *E, FILE *out)
{
    const char *P = E->P;
    fprintf(out, "/* the time the next round will see */\n");
    fprintf(out, "static flow_time %s_next_time(const flow_rt *rt)\n{\n", P);
    fprintf(out, "    if (!rt->clock_pinned)\n        return rt->round > 0 ? rt->now : flow_time_now_real();\n");
    fprintf(out, "    int64_t off, t;\n");
    fprintf(out, "    if (__builtin_mul_overflow(rt->round, rt->clock_step, &off) ||\n");
    fprintf(out, "        __builtin_add_overflow(rt->clock_start, off, &t) || t > FLOW_TIME_MAX)\n");
    fprintf(out, "        return FLOW_TIME_MAX;\n    return t;\n}\n\n");

    fprintf(out, "int %s_set_time(%s_flow *f, flow_time now)\n{\n", P, P);
    emit_prologue(E, out, "set_time", true);
    fprintf(out, "    if (now < FLOW_TIME_MIN || now > FLOW_TIME_MAX)\n");
    fprintf(out, "        return %s_misuse(f, \"%s_set_time\", \"the time is outside the years 1 to 9999\");\n", P, P);
    fprintf(out, "    if (f->rt->round > 0 && now < f->rt->now)\n");
    fprintf(out, "        return %s_misuse(f, \"%s_set_time\", \"the clock cannot go back\");\n", P, P);
    fprintf(out, "    f->rt->clock_pinned = true;\n    f->rt->clock_start = now;\n    f->rt->clock_step = 0;\n");
    fprintf(out, "    return FLOW_OK;\n}\n\n");

    fprintf(out, "int %s_advance_time(%s_flow *f, int64_t us)\n{\n", P, P);
    emit_prologue(E, out, "advance_time", true);
    fprintf(out, "    if (us < 0)\n        return %s_misuse(f, \"%s_advance_time\", \"the clock cannot go back\");\n", P, P);
    fprintf(out, "    flow_time t = %s_next_time(f->rt);\n", P);
    fprintf(out, "    if (__builtin_add_overflow(t, us, &t) || t > FLOW_TIME_MAX)\n        t = FLOW_TIME_MAX;\n");
    fprintf(out, "    f->rt->clock_pinned = true;\n    f->rt->clock_start = t;\n    f->rt->clock_step = 0;\n");
    fprintf(out, "    return FLOW_OK;\n}\n\n");

    fprintf(out, "/* Every input is at EOF: the dataflow has ended. */\n");
    fprintf(out, "static bool %s_ended(const %s_flow *f)\n{\n    (void)f;\n    return %s;\n}\n\n", P, P, all_eof(E));
    fprintf(out, "/* An extern input holds items or an EOF that no round has polled yet. */\n");
    fprintf(out, "static bool %s_pending(const %s_flow *f)\n{\n    (void)f;\n    return %s;\n}\n\n", P, P, pending(E));

    fprintf(out, "int %s_step(%s_flow *f)\n{\n", P, P);
    emit_prologue(E, out, "step", false);
    fprintf(out, "    jmp_buf jb;\n    if (setjmp(jb))\n        return %s_failed(f);\n", P);
    fprintf(out, "    f->rt->trap = &jb;\n    f->lib_busy = true;\n");
    fprintf(out, "    do {\n        %s_round(f, true);\n    } while (!%s_ended(f) && %s_pending(f));\n", P, P, P);
    fprintf(out, "    if (%s_ended(f) && !f->settled)\n        %s_settle(f);\n", P, P);
    fprintf(out, "    f->lib_busy = false;\n    f->rt->trap = NULL;\n");
    fprintf(out, "    fflush(stdout);\n    flow_rt_flush(f->rt);   /* what stdout sinks and inspect wrote */\n");
    fprintf(out, "    return %s_ended(f) ? FLOW_DONE : FLOW_OK;\n}\n\n", P);

    fprintf(out, "int %s_finish(%s_flow *f)\n{\n", P, P);
    emit_prologue(E, out, "finish", false);
    for (int k = 0; k < E->g->ninputs; k++)
        if (is_extern_in(E->g->inputs[k]))
            fprintf(out, "    f->%s_closed = true;\n", E->g->inputs[k]->id);
    fprintf(out, "    while ((rc = %s_step(f)) == FLOW_OK)\n        continue;\n    return rc;\n}\n", P);
}

/* ===================================================================
 * The header
 * =================================================================== */

/* The header, in memory until it is complete: #line directives back to it
 * need its line numbers. */
typedef struct Header {
    FILE *f;
    char *buf;
    size_t len;
} Header;

static long header_lines(Header *hd)
{
    fflush(hd->f);
    long n = 0;
    for (size_t i = 0; i < hd->len; i++)
        n += hd->buf[i] == '\n';
    return n;
}

/* `#line` to step S's declaration in the .flow file, or back to the header. */
static void H_to_flow(Emit *E, FILE *h, Step *s)
{
    if (!E->opt->line_directives)
        return;
    int line, col;
    srcfile_linecol(s->decl->loc.file, s->decl->loc.start, &line, &col);
    fprintf(h, "#line %d \"%s\"\n", line, E->src_name);
}

static void H_back(Emit *E, Header *hd)
{
    if (E->opt->line_directives)
        fprintf(hd->f, "#line %ld \"%s\"\n", header_lines(hd) + 2, E->opt->lib_header_path);
}

static void emit_header(Emit *E, FILE *final)
{
    const char *P = E->P;
    Header hd = { NULL, NULL, 0 };
    FILE *h = hd.f = open_memstream(&hd.buf, &hd.len);
    if (!h)
        ICE("open_memstream failed");
    emit_banner(E, h);
    fprintf(h, "/*\n * The C API of the dataflow `%s` (flowc --lib), docs/embedding.md:\n", P);
    fprintf(h, " * create an instance, push items into its extern inputs, receive its\n");
    fprintf(h, " * extern outputs through callbacks, drive its clock, step it. Calls\n");
    fprintf(h, " * return FLOW_OK, FLOW_DONE (the dataflow has ended), FLOW_ERROR (a\n");
    fprintf(h, " * run-time error: only _close is left) or FLOW_MISUSE (a bad call: the\n");
    fprintf(h, " * instance goes on); %s_errmsg says why. Instances share nothing;\n", P);
    fprintf(h, " * one instance must not be used by two threads at once.\n */\n");
    char *guard = emit_strf(E, "%s_FLOW_H", P);
    for (char *p = guard; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    fprintf(h, "#ifndef %s\n#define %s\n\n#include <flowrt.h>\n\n", guard, guard);
    fprintf(h, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    fflush(E->lib_types);
    if (E->lib_types_len) {
        fprintf(h, "/* the item types of the extern inputs and outputs */\n");
        fwrite(E->lib_types_buf, 1, E->lib_types_len, h);
    }
    fprintf(h, "/* an instance of the dataflow */\ntypedef struct %s_flow %s_flow;\n\n", P, P);
    fprintf(h, "/* Create an instance in *OUT: FLOW_OK, or FLOW_ERROR with *OUT still set\n");
    fprintf(h, " * (read %s_errmsg, then %s_close it), as sqlite3_open does. */\n", P, P);
    fprintf(h, "int %s_open(%s_flow **out);\n", P, P);
    fprintf(h, "/* Free F and everything it owns (F may be NULL). Not from a callback. */\n");
    fprintf(h, "void %s_close(%s_flow *f);\n", P, P);
    fprintf(h, "/* The message of the last FLOW_ERROR or FLOW_MISUSE (\"\" when none). */\n");
    fprintf(h, "const char *%s_errmsg(const %s_flow *f);\n\n", P, P);

    for (int i = 0; i < E->g->nsteps; i++) {
        Step *s = E->g->steps[i];
        if (is_extern_in(s)) {
            fprintf(h, "/* extern input `%s`: items of type %s */\n", s->id, ty_str_brief(s->out_type));
            H_to_flow(E, h, s);
            fprintf(h, "typedef %s %s_%s_type;\n", emit_ctype_name(E, s->out_type), P, s->id);
            H_back(E, &hd);
            fprintf(h, "/* Push one item / N items: they form the input's next batch, which\n");
            fprintf(h, " * the next round polls. Items are copied (strings and lists too). */\n");
            fprintf(h, "int %s_push_%s(%s_flow *f, const %s_%s_type *item);\n", P, s->id, P, P, s->id);
            fprintf(h, "int %s_push_%s_batch(%s_flow *f, const %s_%s_type *items, size_t n);\n", P, s->id, P, P, s->id);
            fprintf(h, "/* The input ends after what was pushed (pushing more is FLOW_MISUSE). */\n");
            fprintf(h, "int %s_eof_%s(%s_flow *f);\n\n", P, s->id, P);
        } else if (is_extern_out(s)) {
            fprintf(h, "/* extern output `%s`: items of type %s */\n", s->id, ty_str_brief(s->in_type));
            H_to_flow(E, h, s);
            fprintf(h, "typedef %s %s_%s_type;\n", emit_ctype_name(E, s->in_type), P, s->id);
            H_back(E, &hd);
            fprintf(h, "/* Called during _step for each item, in the dataflow's order; *ITEM and\n");
            fprintf(h, " * what it points to live until the callback returns. */\n");
            fprintf(h, "typedef void %s_%s_fn(void *ud, const %s_%s_type *item);\n", P, s->id, P, s->id);
            fprintf(h, "void %s_on_%s(%s_flow *f, %s_%s_fn *fn, void *ud);\n\n", P, s->id, P, P, s->id);
        }
    }
    fprintf(h, "/* The clock (system time by default): pin it at NOW, or move it US\n");
    fprintf(h, " * microseconds on (pinning it where it is first). It cannot go back. */\n");
    fprintf(h, "int %s_set_time(%s_flow *f, flow_time now);\n", P, P);
    fprintf(h, "int %s_advance_time(%s_flow *f, int64_t us);\n", P, P);
    fprintf(h, "/* Run rounds until what was pushed (and an EOF) has gone through: each\n");
    fprintf(h, " * input gives its next batch, then every step runs, in Bytewax's order.\n");
    fprintf(h, " * FLOW_OK, or FLOW_DONE once every input is at EOF. */\n");
    fprintf(h, "int %s_step(%s_flow *f);\n", P, P);
    fprintf(h, "/* EOF on every extern input, then step until the dataflow ends: stateful\n");
    fprintf(h, " * steps flush. FLOW_DONE, or an error. */\n");
    fprintf(h, "int %s_finish(%s_flow *f);\n\n", P, P);
    fprintf(h, "#ifdef __cplusplus\n}\n#endif\n#endif\n");
    fclose(h);
    fwrite(hd.buf, 1, hd.len, final);
    free(hd.buf);
}

void emit_lib_tail(Emit *E, FILE *out)
{
    emit_program_info(E, out);
    emit_internals(E, out);
    emit_instance_api(E, out);
    for (int i = 0; i < E->g->nsteps; i++) {
        Step *s = E->g->steps[i];
        if (is_extern_in(s))
            emit_input_api(E, out, s);
        else if (is_extern_out(s))
            emit_output_api(E, out, s);
    }
    emit_clock_and_step_api(E, out);
    emit_header(E, E->opt->lib_header);
    fclose(E->lib_types);
    free(E->lib_types_buf);
    E->lib_types = NULL;
    E->lib_types_buf = NULL;
}
