/*
 * flowc.h - the compiler's table of contents: one declaration per phase.
 *
 *   source --lexer/parser--> AST --checker--> typed AST --lowering--> Graph
 *          --emitter--> C --$CC--> executable
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

/* sema.c: resolve names and infer/check types of PROG in place.
 * Returns true when no error was reported. */
bool sema_check(Node *prog, Arena *a);

struct Graph;
/* lower.c: the dataflow graph of a checked program (steps in declaration
 * order, edges, fusion groups). Never fails on a checked program. */
struct Graph *lower_program(Node *prog, Arena *a);

typedef struct EmitOptions {
    const char *source_path;   /* for #line directives and the banner */
    const char *c_path;        /* the generated file's name, for #line back to it (NULL: "flow.c") */
    bool line_directives;      /* -P turns them off */
    bool no_version;           /* omit the version from the banner */
    FILE *lib_header;          /* --lib: write the API's header here (embed.h), else NULL */
    const char *lib_header_path;   /* its name, for #include and #line */
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
