/*
 * sema_internal.h - the checker's state and helpers, shared by sema.c
 * (declarations), sema_expr.c (expressions), sema_steps.c (step
 * operators), sema_window.c, sema_io.c, sema_extern.c and sema_nexmark.c.
 * Not used outside the checker: what the later phases get is the Graph
 * that sema_check returns (graph.h, sema.h).
 *
 * The state of one check is a Sema, made by sema_check and passed to
 * every checker function as its first argument `S`, as Lua's parser
 * passes `LexState *ls`: the checker keeps no global state.
 */
#ifndef FLOWC_SEMA_INTERNAL_H
#define FLOWC_SEMA_INTERNAL_H

#include "sema.h"

typedef struct Sema {
    Arena *arena;             /* everything the checker makes: symbols, types, steps */
    Graph *graph;             /* the graph being built (sema_check returns it) */
    Symbol **globals;         /* top-level names, in declaration order */
    int nglobals, capglobals;
    Symbol **gindex;          /* the same by name: open addressing on the
                               * interned name's address, at most half full */
    size_t gindex_cap;        /* a power of two (0: none yet) */
    Symbol **locals;          /* the scope stack of lambda params and lets */
    int nlocals, caplocals;
    int next_local;           /* the next local_id (C names of locals) */
    Symbol **consts;          /* in evaluation order */
    int nconsts;
    Symbol **const_chain;     /* the consts being checked, outermost first */
    int nconst_chain;
    Symbol **fns;             /* fn declarations whose bodies are checked */
    int nfns;
    Symbol *current_fn;       /* the fn whose body is being checked (recursion) */
    bool in_const;            /* checking a const: no now(), no steps */
} Sema;

/* "Did you mean": collect the closest candidate to a misspelt name. */
typedef struct Suggest {
    const char *name;
    const char *best;
    int dist;
} Suggest;
enum { SUG_VALUE = 1, SUG_FN = 2, SUG_STREAM = 4, SUG_RECORD = 8 };
void sema_suggest_init(Suggest *sg, const char *name);
void sema_suggest_try(Suggest *sg, const char *cand);
const char *sema_did_you_mean(Sema *S, Suggest *sg);
const char *sema_suggest_name(Sema *S, const char *name, unsigned what);

Symbol *sema_new_symbol(Sema *S, SymKind kind, const char *name, Loc loc);
void sema_declare_global(Sema *S, Symbol *s);
void sema_push_local(Sema *S, Symbol *s);
Symbol *sema_lookup(Sema *S, const char *name);
Type *sema_type_from_ann(Sema *S, Node *t);
void sema_mismatch(Loc loc, Type *expected, Type *found);
/* After a mismatch where FOUND is json and WANT a string, int, float,
 * bool or timestamp: a note with the conversion to write. */
void sema_json_note(Loc loc, Type *want, Type *found);
bool sema_expect(Node *e, Type *expected, Type *actual);
/* Report at LOC unless T can be WHAT ("a set element", "a dict key"):
 * Python's hashable values (ty_is_hashable). */
bool sema_check_hashable(Loc loc, Type *t, const char *what);
void sema_bind_pattern(Sema *S, Node *p, Type *t);
void sema_check_unique_bindings(Sema *S, int mark, const char *what);
Type *sema_check_lambda(Sema *S, Node *lam, Type **ptypes, int n, Type *ret_hint, const char *what);
Node *sema_callable_node(Sema *S, Node *arg, int n, const char *what);
void sema_check_const(Sema *S, Symbol *s, Node *use);
int sema_builtin_min(Builtin b);
int sema_builtin_max(Builtin b);

/* sema_expr.c */
Type *sema_check_expr(Sema *S, Node *e, Type *hint);

/* sema_steps.c */
/* A step call's arguments: positional ones and named options. */
typedef struct Args {
    Node *call;
    const char *op;
    Node **pos;                /* as many as the call has arguments */
    int npos;
    Node **named;              /* ND_ARG nodes with a name */
    int nnamed;
} Args;
void sema_check_step(Sema *S, Node *decl);
/* Whole-graph rules, once every step checked without error. */
void sema_check_graph(Sema *S);
/* The helpers of step checks (arguments, streams, functions given to an
 * operator), also used by sema_window.c, sema_io.c, sema_nexmark.c. */
bool sema_bind_args(Sema *S, Node *call, const char *op, int minpos, int maxpos, const char *what_pos,
                    const char *const *options, Args *a);
Node *sema_opt(Args *a, const char *name);
Node *sema_required(Args *a, const char *name);
bool sema_resolve_stream(Sema *S, Node *e, PortRef *out, Type **item);
Type *sema_keyed_value(Sema *S, Step *st, Node *e);
Type *sema_fn_arg_to(Sema *S, Step *st, Callable *dst, Node *e, Type **p, int n, Type *ret_hint, const char *what);
Node *sema_result_expr(Node *body);
/* `init = E` of a keyed stateful step: the state type, or NULL. */
Type *sema_init_state(Sema *S, Step *st, Node *init);
/* The option `by = |v| ordered` of the max and min operators (A their
 * arguments, V their values); false after an error. */
bool sema_check_by(Sema *S, Step *st, Node *call, Args *a, Type *v);
/* join's and join_window's options insert_mode and emit_mode (string
 * literals, Bytewax's names); absent ones leave *INSERT and *EMIT (the
 * defaults). WINDOW: join_window's wording of an unknown mode. False after
 * reporting. */
bool sema_join_modes(Args *a, bool window, JoinInsertMode *insert, JoinEmitMode *emit);

/* The check of a step of one kind, called with st->kind set: returns the
 * output item type, or NULL after an error. sema_steps.c's table check_fns
 * has one per kind of steps.def. */
typedef Type *StepCheck(Sema *S, Step *st, Node *call);

/* sema_window.c: the checks of clocks, windowers and window operators */
StepCheck sema_check_event_clock, sema_check_system_clock;
StepCheck sema_check_tumbling, sema_check_sliding, sema_check_session;
StepCheck sema_check_collect_window, sema_check_fold_window, sema_check_reduce_window;
StepCheck sema_check_window;   /* Bytewax's generic window operator */
StepCheck sema_check_count_window, sema_check_max_min_window, sema_check_join_window;
/* A stream read from clock/windower/window step ST (PORT_NAME may be NULL). */
bool sema_window_stream(Sema *S, Step *st, Node *e, const char *port_name, PortRef *out, Type **item);

#endif
