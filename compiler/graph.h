/*
 * graph.h - the dataflow graph: what the checker learns about each step,
 * and what lowering adds (consumers, fusion groups, EOF dependencies).
 *
 * Steps are kept in declaration order, which is a topological order (a step
 * may only read streams declared before it). Each step has input ports
 * (merge has one per upstream, every other step one; inputs none) and
 * output ports (branch: 0 = trues, 1 = falses; every other stream step one
 * port 0; output steps none).
 */
#ifndef FLOWC_GRAPH_H
#define FLOWC_GRAPH_H

#include "types.h"

typedef enum StepKind {
#define STEP(kind, name, family, traits) kind,
#include "steps.def"
#undef STEP
    SK_COUNT
} StepKind;

/* How a step of a kind runs (steps.def explains each). */
typedef enum StepFamily {
    FAM_INPUT,
    FAM_OUTPUT,
    FAM_STATELESS,
    FAM_MERGE,
    FAM_KEYED,
    FAM_FINAL,
    FAM_CLOCK,
    FAM_WINDOWER,
    FAM_WINDOW,
} StepFamily;

/* Traits of a step kind, bits (steps.def explains each). */
enum {
    TR_ONE_OUT = 1,
    TR_PRINTS = 2,
    TR_EXCHANGE = 4,
    TR_VALUE = 8,
    TR_TIMERS = 16,
    TR_ITEMWISE = 32,
    TR_BATCH = 64,
};

typedef enum SourceKind { SRC_TESTING, SRC_RANGE, SRC_FILE_LINES, SRC_EXTERN, SRC_NEXMARK } SourceKind;
typedef enum SinkKind { SINK_STDOUT, SINK_DISCARD, SINK_EXTERN } SinkKind;
/* The modes of join and join_window, Bytewax's JoinInsertMode and
 * JoinEmitMode (docs/semantics.md §11.5): the option values "first", "last",
 * "product" and "complete", "final", "running", in this order. */
typedef enum JoinInsertMode {
    JOIN_FIRST,      // a side keeps the first value of a key
    JOIN_LAST,       // a side keeps the latest value (the default)
    JOIN_PRODUCT,    // a side keeps every value; rows are the cross product
} JoinInsertMode;
typedef enum JoinEmitMode {
    JOIN_COMPLETE,   // a row once every side has a value, then the key starts over (join's default)
    JOIN_FINAL,      // rows at EOF, or when the window closes (join_window's default)
    JOIN_RUNNING,    // a row on every item, a missing side none
} JoinEmitMode;

/* A TestingSource.EOF()/ABORT() marker of testing(LIST): it stands
 * before the list's item POS (the count of items before it; the list's
 * length when it is last). */
typedef struct TestingMark {
    int64_t pos;
    bool abort;             // ABORT (stop without EOF), else EOF
} TestingMark;

typedef struct Step Step;

/* An edge end: output port PORT of step STEP. */
typedef struct PortRef {
    Step *step;
    int port;
} PortRef;

/* Something callable where an operator wants a function: a lambda, or a
 * named fn / extern fn / built-in passed by name. */
typedef struct Callable {
    Node *lambda;           // ND_LAMBDA, or NULL
    struct Symbol *fn;      // a named function, or NULL
    Type **params;          // parameter types (as checked)
    int nparams;
    Type *ret;              // result type
} Callable;

typedef struct Consumer {
    Step *step;
    int in_port;
} Consumer;

struct Step {
    int index;              // declaration order, 0-based
    const char *id;         // step id
    StepKind kind;
    Node *decl;             // ND_STEP_DECL
    Node *call;             // its ND_CALL

    PortRef *ins;           // upstream of each input port
    int nins;
    Type *in_type;          // item type on the input port(s)
    Type *out_type;         // item type on the output port(s); NULL for output
    int nouts;              // number of output ports

    /* operator arguments */
    Callable fn;            // the main function (map's mapper, key_on's key, stateful's on_item, ...)
    Callable on_notify;     // stateful: the other StatefulLogic callbacks (lambda NULL when absent)
    Callable on_eof;
    Callable notify_at;
    Callable getter;        // enrich_cached: the getter, called on a cache miss
    Node *ttl_expr;         // enrich_cached: ttl = D, or NULL (never expires)
    Type **in_types;        // join: the item type of each input port (sides differ)
    JoinInsertMode insert_mode;  // join
    JoinEmitMode emit_mode;      // join
    Node *init;             // init = E (stateful_map, fold_final, ...)
    Type *state_type;       // per-key state (stateful steps)
    int64_t timeout_us;     // collect
    Node *timeout_expr;
    Node *max_size_expr;    // collect / batch
    bool state_opt_result;  // stateful_map: the lambda's new state may be none
    struct WinSpec *win;    // clocks, windowers and window steps (window.h), else NULL
    struct IoSpec *io;      // file/stdin/dir/kafka sources, stdout(format)/file/dir/kafka sinks (io.h)

    /* input steps */
    SourceKind source;
    Node *source_list;      // testing(LIST): the list expression, markers taken out
    struct TestingMark *marks;   // testing(LIST): its EOF/ABORT markers, in order
    int nmarks;
    Node *range_n;          // testing(range(N))
    Node *batch_size;       // testing(..., batch_size = N)
    Node *nexmark_rate;     // nexmark(events = N, rate = R): range_n is N (sema_nexmark.c)
    struct Record *nexmark_schema;
    Node *path;             // file(PATH)
    int input_no;           // index among input steps

    /* output steps */
    SinkKind sink;

    /* filled by lowering */
    Consumer *outs[4];      // consumers of each output port (window steps have 4)
    int nout_consumers[4];
    Step *head;             // fusion group head (itself when not fused)
    int port_base;          // counter index of its output port 0 (--stats: n_sent)
    Node *append_tail;      // the state only grows: the lambda's body with ACC + TAIL
                            // replaced by TAIL, appended in place (lower.c), or NULL
    Node *put_entry;        // the dict state changes one key: the lambda's body with
                            // `acc with {[K]: V}` replaced by (K, V), V written in
                            // place when K is present (lower.c), or NULL
    bool fused;             // runs inside its upstream's group
    bool direct_final;      // a final (fold_final, reduce_final, ...) whose item
                            // function its upstream calls item by item; else
                            // it buffers the round's items and applies them at
                            // its own place (lower.c: when its function may
                            // fail after a print or another failure upstream)
    bool side_effect;       // prints (inspect, output to stdout)
    unsigned char *upstream_inputs;  // [n_inputs]: inputs this step depends on
    int eof_depth;          // stateful steps on the longest path from an input to
                            // here, this one included: the end of input reaches the
                            // step that many rounds after its inputs ended (lower.c)
};

typedef struct Graph {
    Node *prog;
    const char *flow_name;
    Step **steps;
    int nsteps;
    int nports;             // output ports of all steps (set by lowering)
    int ninputs;
    int max_eof_depth;      // the largest Step.eof_depth: the rounds after the end of
                            // the inputs in which steps still see it (lower.c)
    Step **inputs;          // input steps in declaration order
    struct Symbol **consts; // const declarations in evaluation order
    int nconsts;
    struct Symbol **fns;    // fn declarations
    int nfns;
    Record **records;
    int nrecords;
} Graph;

/* steps.c: the facts of steps.def. The operator name of a kind
 * ("stateful_map"), its family and its TR_* traits; the kind named NAME,
 * or -1. */
const char *step_kind_name(StepKind k);
StepFamily step_family(StepKind k);
unsigned step_traits(StepKind k);
int step_kind_lookup(const char *name);
/* Does S write stdout (or call an extern sink's host back) item by item?
 * inspect, and output steps to stdout or extern. */
bool step_prints(const Step *s);

static inline bool step_has(const Step *s, unsigned traits) { return (step_traits(s->kind) & traits) != 0; }
/* keyed stateful (per-key state reached by key): FAM_KEYED, FAM_FINAL, FAM_WINDOW */
static inline bool step_is_stateful(const Step *s)
{
    StepFamily f = step_family(s->kind);
    return f == FAM_KEYED || f == FAM_FINAL || f == FAM_WINDOW;
}
static inline bool step_is_final(const Step *s) { return step_family(s->kind) == FAM_FINAL; }
static inline bool step_is_clock(const Step *s) { return step_family(s->kind) == FAM_CLOCK; }
static inline bool step_is_windower(const Step *s) { return step_family(s->kind) == FAM_WINDOWER; }
static inline bool step_is_window_op(const Step *s) { return step_family(s->kind) == FAM_WINDOW; }
/* Clocks, windowers and window operators: emitted by emit_window.c. */
static inline bool step_is_windowing(const Step *s)
{
    return step_is_clock(s) || step_is_windower(s) || step_is_window_op(s);
}

#endif
