/*
 * sema.h - symbols and built-ins, shared by the checker and the emitter.
 *
 * Every name in a .flow file resolves to a Symbol: a declaration (record,
 * const, fn, extern fn, step), a local (lambda parameter, let binding) or a
 * built-in function. The checker stores the symbol on each ND_IDENT and
 * ND_PAT_NAME node (node->sym); the emitter names C variables after it.
 */
#ifndef FLOWC_SEMA_H
#define FLOWC_SEMA_H

#include "graph.h"

typedef enum SymKind {
    SYM_RECORD,    // rec
    SYM_CONST,     // decl = ND_CONST_DECL; ty
    SYM_FN,        // decl = ND_FN_DECL; params, ret
    SYM_EXTERN,    // decl = ND_EXTERN_FN; params, ret
    SYM_STEP,      // step (NULL for an output step's id until checked)
    SYM_LOCAL,     // ty; local_id
    SYM_BUILTIN,   // builtin
    SYM_SINK,      // stdout, discard
} SymKind;

typedef enum Builtin {
#define BUILTIN(id, name, minargs, maxargs) id,
#include "builtins.def"
#undef BUILTIN
    BI_COUNT
} Builtin;

typedef struct Symbol {
    SymKind kind;
    const char *name;
    Node *decl;
    Loc loc;
    Type *ty;            // const / local type
    Record *rec;
    Step *step;
    Type **params;       // fn / extern fn
    int nparams;
    Type *ret;
    Builtin builtin;
    int visit;           // const checking: 0 new, 1 in progress, 2 done
    int local_id;        // locals: unique number (C name v<id>_<name>)
    int const_no;        // consts: evaluation order
} Symbol;

/* Name of a built-in, as written. */
const char *builtin_name(Builtin b);

#endif
