/*
 * embed.h - embedding: `extern` sources and sinks, and `flowc --lib`, which
 * writes NAME.h and NAME.c, a C API through which a host program creates
 * instances of the dataflow, pushes items into its extern inputs, receives
 * its extern outputs through callbacks, drives its clock and steps it.
 * docs/embedding.md is the user's view.
 *
 * The checker (sema_extern.c) marks the steps (SRC_EXTERN, SINK_EXTERN);
 * the emitter (emit_lib.c) writes their per-step code while emit_c.c walks
 * the steps, and, in --lib mode (EmitOptions.lib_header set), the header
 * and the API in place of <flow>_new, <flow>_free and main().
 */
#ifndef FLOWC_EMBED_H
#define FLOWC_EMBED_H

#include <stdio.h>
#include "graph.h"

struct Sema;   /* the checker's state (sema_internal.h) */
/* sema_extern.c: is E `extern` or `extern<TYPE>` (an ND_IDENT named
 * "extern", the type in type_ann); check it as input ST's source (returns
 * the item type, NULL after an error) or as output ST's sink. */
bool sema_is_extern(const Node *e);
struct Type *sema_check_extern_source(struct Sema *S, Step *st, Node *src);
bool sema_check_extern_sink(Step *st, Node *e);
/* sema_extern.c: is T free of `json` values (an extern item, an extern
 * fn's parameter or result, named by WHAT)? Else reports at LOC: a host
 * could hand over text that is not canonical JSON. */
bool sema_extern_json_ok(Loc loc, struct Type *t, const char *what);
/* Without --lib: report every extern input and output (they need a host
 * program). Returns true when there is none. */
bool sema_no_extern(Graph *g);


#endif
