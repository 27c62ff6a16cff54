/*
 * flowc.h - the compiler's table of contents: one declaration per phase.
 *
 *   source --lexer/parser--> AST --checker--> Graph --lowering--> Graph
 *          --emitter--> C --$CC--> executable
 *
 * The Graph (graph.h) is the hand-off: the checker types the AST in place
 * and returns the graph of its steps; lowering completes that graph
 * (consumers, fusion); the emitters read only the graph (and the typed
 * AST nodes it points to).
 *
 * Each phase reports problems through diag.h and returns normally; the
 * driver (main.c) stops after the first phase that reported errors.
 */
#ifndef FLOWC_H
#define FLOWC_H

#include <stdio.h>
#include "arena.h"
#include "diag.h"
#include "ast.h"

#define FLOWC_VERSION "0.1.0"

/* grammar/flow.y: parse source file FILE into an ND_PROGRAM allocated in A.
 * Syntax errors are reported with diag_error; the parser recovers at
 * declaration boundaries, so the result may be partial but is never NULL. */
Node *parse_program(int file, Arena *a);

struct Graph;
/* sema.c: resolve names and infer/check types of PROG in place, and build
 * the dataflow graph of its steps (declaration order, item types, operator
 * arguments) in A. Returns the graph, or NULL when an error was reported. */
struct Graph *sema_check(Node *prog, Arena *a);

/* lower.c: complete G, the graph of a checked program, for the emitters:
 * the consumers of each output port, the inputs each step depends on,
 * fusion groups. Never fails. */
void lower_program(struct Graph *g, Arena *a);

typedef struct EmitOptions {
    const char *source_path;   /* for #line directives and the banner */
    const char *c_path;        /* the generated file's name, for #line back to it (NULL: "flow.c") */
    bool line_directives;      /* -P turns them off */
    bool no_version;           /* omit the version from the banner */
    FILE *lib_header;          /* --lib: write the API's header here (embed.h), else NULL */
    const char *lib_header_path;   /* its name, for #include and #line */
    bool mpi;                  /* --mpi: main() calls flow_mpi_init (docs/workers.md §9) */
} EmitOptions;

/* emit_c.c: write the C translation unit for G to OUT. */
void emit_c(struct Graph *g, FILE *out, const EmitOptions *opt);

typedef enum GraphFormat {
    GRAPH_MERMAID,   // --graph=mermaid (the default of --graph)
    GRAPH_DOT,       // --graph=dot (Graphviz)
} GraphFormat;

/* emit_graph.c: draw G's steps and edges (ports, item types, keyed) to OUT. */
void emit_graph(struct Graph *g, FILE *out, GraphFormat fmt);

#endif
