/*
 * emit.h - the C emitter's interface: every function one emit_*.c file
 * offers the others, all with the emit_ prefix. emit_c.c writes the
 * translation unit and the functions of each step (what differs by
 * operator found by kind in its table step_emits: per-key state, item
 * function body, run function body); emit_types.c C types for flow types
 * and their repr/eq/cmp/copy helpers; emit_expr.c expressions, lambdas and
 * built-ins (found in builtin_emits); emit_window.c window operators (what
 * differs by operator in window_ops); emit_io.c, emit_lib.c, emit_nexmark.c
 * sources and sinks; emit_info.c the program's info tables; emit_graph.c
 * --graph. Each construct an emit function opens (a brace, a loop) it
 * also closes.
 *
 * Output is assembled in sections (memory streams) and written in order:
 * banner, includes, type definitions, helper prototypes, helpers, the flow
 * struct, functions. Names: every generated type and non-static symbol
 * starts with the flow's name (`<flow>_`), as lemon and Ragel prefix theirs.
 */
#ifndef FLOWC_EMIT_H
#define FLOWC_EMIT_H

#include <stdio.h>
#include <string.h>
#include "flowc.h"
#include "sema.h"

/* A C type made for one flow type. */
typedef struct CType {
    Type *t;                 /* resolved flow type */
    const char *name;        /* C type name */
    int id;
    /* its identity, for interning (hash-consing): the kind, the record,
     * and the ids of the element types (already interned) */
    uint64_t key_hash;
    int nkids;
    int *kids;
    bool need_repr, done_repr;
    bool need_eq, done_eq;
    bool need_cmp, done_cmp;
    bool need_copy, done_copy;   /* size_N / copy_N: deep copy of the heap parts */
    bool need_hash, done_hash;   /* hash_N: Python's hash() (set elements) */
    unsigned ops_need, ops_done; /* a set's or dict's operations, one bit each (emit_types.c) */
    bool need_qcmp, done_qcmp;   /* qcmp_N: cmp_N on pointers (flow_sort_values) */
    bool done_dec, done_enc;     /* fromjson_N / json_N written (emit_io.c) */
    bool done_bin;               /* enc_N / dec_N written (emit_codec.c) */
    bool need_xcodec, done_xcodec; /* xenc_N / xdec_N: enc/dec for flow_xbox */
} CType;

/* The unit's sections (memory streams), indices of Emit.bufs / lens. */
enum {
    SEC_TYPES,               /* Emit.types */
    SEC_PROTOS,              /* Emit.protos */
    SEC_HELPERS,             /* Emit.helpers */
    SEC_FIELDS,              /* Emit.fields_common */
    SEC_INIT,                /* Emit.init */
    SEC_FINI,                /* Emit.fini */
    SEC_CODE,                /* Emit.code */
    SEC_COUNT
};

typedef struct Emit {
    Graph *g;
    const EmitOptions *opt;
    const char *P;           /* prefix: the flow name */
    Arena *a;

    FILE *types;             /* typedefs */
    FILE *protos;            /* helper prototypes */
    FILE *helpers;           /* helper definitions */
    FILE *fields;            /* members of the flow struct */
    FILE *fields_common;     /* ... not a step's (embedding, consts): first */
    FILE **step_fields;      /* ... of step i, under its banner (E->fields
                              * points here while step i is emitted) */
    char **sf_bufs;
    size_t *sf_lens;
    FILE *init;              /* statements of <P>_new after the struct is zeroed */
    FILE *fini;              /* statements of <P>_free */
    FILE *code;              /* functions */
    char *bufs[SEC_COUNT];   /* each section's text, once flushed */
    size_t lens[SEC_COUNT];
    FILE *lib_types;         /* --lib: the header's item types (emit_lib.c) */
    char *lib_types_buf;
    size_t lib_types_len;

    CType **ctypes;
    int nctypes, capctypes;
    CType **ct_index;        /* the same by identity: open addressing, at most half full */
    size_t ct_index_cap;

    FILE *out;               /* where statements go now (a function body) */
    int indent;
    int tmp;                 /* temporaries t<N> */
    int nregex;
    int nlists;              /* list literals written as static data (<flow>_data<N>) */
    const char *step_expr;   /* C expression naming the step for errors ("step") */
    int *xbox_first;         /* per step: its first exchange point (flow_xbox id), or -1 */
    int nxbox;               /* exchange points */
    const char *src_name;    /* .flow file as written in #line and error locations */
} Emit;

/* emit_types.c */
CType *emit_ctype(Emit *E, Type *t);                    /* intern; never NULL for resolved types */
const char *emit_ctype_name(Emit *E, Type *t);              /* its C name */
void emit_type_helpers(Emit *E);                /* write all needed helpers */
/* Statements appending repr(V) of type T to the flow_buf* expression BUF. */
void emit_repr(Emit *E, Type *t, const char *buf, const char *v);
/* Statements appending str(V) (top-level print form) to BUF. */
void emit_str_form(Emit *E, Type *t, const char *buf, const char *v);
/* C expressions: equality (bool) and three-way comparison (int) of A and B. */
const char *emit_eq(Emit *E, Type *t, const char *a, const char *b);
const char *emit_cmp(Emit *E, Type *t, const char *a, const char *b);
/* Statements: DST = a deep copy of V with heap parts in one flow_alloc block
 * (stored in MEM / SZ, NULL/0 when T has no heap parts). */
void emit_own(Emit *E, Type *t, const char *dst, const char *v, const char *mem, const char *sz);
/* Statements: DST = a deep copy of V in the arena ARENA (a flow_arena * expression). */
void emit_arena_copy(Emit *E, Type *t, const char *arena, const char *dst, const char *v);
/* C expression: Python's hash() of V of hashable type T (an int64_t). */
const char *emit_hash(Emit *E, Type *t, const char *v);
/* The entry type of dict<K, V>: the tuple (K, V); a dict's C struct is
 * { entries *v; int64_t n; }, entries in insertion order, the same shape
 * as list<(K, V)>. */
Type *emit_dict_entry(Type *dict);
/* The C functions of set type T (set<E>) or dict type T, named
 * <flow>_<OP><N> (N: T's number), generated on first use:
 *   set:  ins (add in place into an owned table: `void ins(flow_arena *,
 *         S *, E)`), add (copy with x: `S add(flow_arena *, S, E)`), has
 *         (`bool has(S, E)`), rm (copy without x: `S rm(flow_arena *, S, E)`)
 *   dict: find (index of key or -1: `int64_t find(D, K)`), put (set key in
 *         place, room for one more entry assumed: `void put(D *, K, V)`),
 *         rm (copy without key: `D rm(flow_arena *, D, K)`)
 * Returns "<flow>_<OP><N>". */
const char *emit_coll_fn(Emit *E, Type *t, const char *op);
/* C statements looping over the elements of V of type T (list, set, or
 * a dict's keys): `for (...) {` with ELEM (an lvalue expression naming
 * the element, built from the loop index `i`) returned; close with
 * emit_line(E, "}"). */
const char *emit_iter_begin(Emit *E, Type *t, const char *v);

/* The name of <flow>_qcmp<N>(const void *, const void *), the three-way
 * comparison of two values of ordered type T through pointers, for
 * flow_sort_values. */
const char *emit_qcmp(Emit *E, Type *t);

/* A helper function written into a private buffer and appended to the
 * helpers whole, so that the helpers it asks for while being written
 * (written at once, as the codec's are) go before it, not inside it.
 * emit_private_begin points E->out at the buffer (indent 1): write the
 * function's text to H->out and its statements with emit_line;
 * emit_private_end appends it to E->helpers and restores E->out. */
typedef struct PrivateHelper {
    char *buf;
    size_t len;
    FILE *out;               /* the buffer */
    FILE *saved;             /* E->out before */
    int saved_indent;
} PrivateHelper;
void emit_private_begin(Emit *E, PrivateHelper *h);
void emit_private_end(Emit *E, PrivateHelper *h);

/* The names of T's exchange encoder and decoder (<P>_xenc<N>, <P>_xdec<N>:
 * flow_xbox_init's ENC and DEC, docs/workers.md), written with the helpers. */
void emit_xcodec(Emit *E, Type *t, const char **enc, const char **dec);
/* The C member name for a record field (C keywords get a trailing _). */
const char *emit_field_name(Emit *E, const char *name);

/* emit_c.c, for emit_window.c: send V out of port PORT of S; S's EOF
 * condition; remember that the activation touched key ID. */
void emit_step_send(Emit *E, Step *s, int port, const char *v);
const char *emit_step_eof_cond(Emit *E, Step *s);
void emit_step_touch(Emit *E, Step *s, const char *id);

/* emit_c.c, for emit_window.c: with several workers, a window step's run
 * begins with its exchange point (docs/workers.md). */
void emit_step_xchg_call(Emit *E, Step *s);
/* emit_c.c, for emit_info.c: 1 + the first exchange point of S's items
 * (flow_step_info.xbox: --stats counts what each worker received), or 0. */
int emit_step_xitems(Emit *E, Step *s);
/* Statements: input K has reached its end on this worker (f->ieof[K]);
 * with one worker, that is its end (f->eof[K]). */
void emit_input_end(Emit *E, int k);

/* emit_c.c, for emit_lib.c: the statements that build the state of `f`
 * (given `rt`) and that free it (also half built), into OUT. */
void emit_state_init(Emit *E, FILE *out);
void emit_state_fini(Emit *E, FILE *out);
/* emit_c.c: the "Generated by flowc ..." first line of a generated file;
 * the last component of a path. */
void emit_banner(Emit *E, FILE *out);
const char *emit_base_name(const char *path);

/* emit_window.c: clocks, windowers and window steps (WHERE: the step's
 * "file:line:col: operator id" for comments) */
void emit_window_step(Emit *E, Step *s, const char *where);
/* The fingerprint of window step S's state (emit_recovery.c): operator,
 * windower, clock, the value type and what a window accumulates. */
const char *emit_window_fingerprint(Emit *E, Step *s);

/* emit_io.c: file/stdin/dir/kafka sources and stdout(format)/file/dir/kafka
 * sinks (io.h's IoSpec). An input's state and its poll (a loop over the
 * batch's records, each decoded into x and sent); an output's item body. */
void emit_io_input_state(Emit *E, Step *s);
void emit_io_run_input(Emit *E, Step *s);
void emit_io_output(Emit *E, Step *s);
/* Whether output step S (with an IoSpec) writes the stdout buffer. */
bool emit_io_to_stdout(const Step *s);
/* Statements ending a round (into C): pending bad records stop here. */
void emit_io_round_end(Emit *E, FILE *c);

/* emit_lib.c: extern sources and sinks, and --lib (embed.h).
 * emit_lib_begin: before anything else is emitted (the header's item
 * types first). An extern input's state and poll (item x sent downstream),
 * an extern output's item function body; without --lib an extern input is
 * at EOF at once and an extern output discards. emit_lib_tail: the end of
 * the unit (OUT) and the whole header. */
void emit_lib_begin(Emit *E);
void emit_lib_input_state(Emit *E, Step *s);
void emit_lib_run_input(Emit *E, Step *s);
void emit_lib_output(Emit *E, Step *s);
void emit_lib_tail(Emit *E, FILE *out);

/* emit_nexmark.c: the nexmark(...) source's state and poll (nexmark.h). */
void emit_nexmark_input_state(Emit *E, Step *s);
void emit_nexmark_run_input(Emit *E, Step *s);

/* emit_codec.c: the binary encoding of values (docs/recovery.md).
 * Statements appending V (type T) to the flow_buf * B; statements reading
 * one from the flow_rd * R into the lvalue DST, heap parts in the
 * flow_arena * A. A fingerprint: WHAT and the type spelt out. */
void emit_codec_enc(Emit *E, Type *t, const char *b, const char *v);
void emit_codec_dec(Emit *E, Type *t, const char *r, const char *a, const char *dst);
const char *emit_codec_fingerprint(Emit *E, const char *what, Type *t);

/* emit_recovery.c: <flow>_snap_rows and <flow>_restore (docs/recovery.md),
 * and the testing source's ABORT bookkeeping. */
void emit_recovery_fns(Emit *E, Graph *g);

/* emit_info.c: the per-port item counters (--stats) and the program info
 * tables (inputs, outputs, steps) that main() gives flow_rt_init. */
int emit_port_counter(Graph *g, Step *s, int port);
/* The kind of an input's source ("testing", "range", "file", "stdin",
 * "dir", "kafka", "extern", "nexmark") and of an output's sink ("stdout",
 * "discard", "file", "dir", "kafka", "extern"), as --help prints them. */
const char *emit_source_kind(const Step *s);
/* emit_c.c: with several workers, does step S's state live with the
 * worker that owns each key (flow_key_owner), rather than on worker 0
 * (a step fed by a testing input)? */
bool emit_step_by_owner(const Emit *E, const Step *s);
/* emit_c.c: reduce_final, max_final, min_final: a round's values of a key
 * are reduced first (pend), then into the key's state (st, valid once
 * has_st is set). */
bool emit_pre_reduces(const Step *s);
const char *emit_sink_kind(const Step *s);
int emit_port_count(Graph *g);
void emit_program_info(Emit *E, FILE *out);

/* emit_io.c: statements appending the JSON of V (type T), as the json
 * sinks write it, to the flow_buf * B. */
void emit_json(Emit *E, Type *t, const char *b, const char *v);

/* emit_jsonv.c: expressions on json values (the runtime's jsonv.c). Each
 * returns a C expression of the result; failures stop the step. */
/* json(V): a scalar made json, another value through its JSON (as the json sinks write it) */
const char *emit_jv_of(Emit *E, Type *t, const char *v);
const char *emit_jv_index(Emit *E, Node *e);                /* j["a"], j[0] */
const char *emit_jv_in(Emit *E, Node *e, const char *x, const char *c);   /* x in j, x not in j */
/* A flow_list_str of what iterating json value V gives (flat_map). */
const char *emit_jv_iter(Emit *E, Loc loc, const char *v);
/* int/float/len/bool/get/keys/values/items/dumps of a json value, json(x), parse_json(s). */
const char *emit_jv_builtin(Emit *E, Node *e, Builtin b);

/* emit_expr.c */
void emit_line(Emit *E, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *emit_tmp(Emit *E);
const char *emit_loc_str(Emit *E, Loc loc);          /* "file.flow:L:C" as a C string literal */
void emit_line_directive(Emit *E, Loc loc);
void emit_line_back(Emit *E);
#define EMIT_LINE_BACK_MARKER "#line FLOWC_BACK"
/* Statements computing E's value; returns a C expression for it. */
const char *emit_expr(Emit *E, Node *e);
/* Same, converted to type WANT (wrapping T into T?, int into float). */
const char *emit_coerce(Emit *E, Node *e, Type *want);
const char *emit_coerce_value(Emit *E, const char *v, Type *from, Type *want);
/* Emit a static function for lambda LAM: NAME(f, step, params) -> RET. */
void emit_lambda(Emit *E, Node *lam, const char *name, Type *ret);
void emit_fn_decl(Emit *E, Symbol *s);
void emit_extern_decl(Emit *E, Symbol *s);
/* The C name of a local / const. */
const char *emit_local_name(Emit *E, Symbol *s);
char *emit_strf(Emit *E, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A C string literal for the N bytes at S (see emit_expr.c for the
 * escapes); emit_c_str for a NUL-terminated S. */
const char *emit_c_string(Emit *E, const char *s, size_t n);
static inline const char *emit_c_str(Emit *E, const char *s) { return emit_c_string(E, s, strlen(s)); }

#endif
