/*
 * ast.h - the abstract syntax tree of a .flow file.
 *
 * Pipeline position: the parser (grammar/flow.y) builds these nodes in the
 * AST arena; the checker (sema.c) annotates every expression with a Type;
 * lowering (lower.c) turns step declarations into the dataflow graph; the
 * emitter (emit_c.c) walks both to write C.
 *
 * One node struct for every kind (chibicc style): each kind uses the fields
 * listed beside it in ast_kinds below and leaves the others zero.
 * All memory (nodes, lists, strings) lives in the AST arena and is freed
 * once, at the end of the compile.
 */
#ifndef FLOWC_AST_H
#define FLOWC_AST_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#include "arena.h"
#include "diag.h"

struct Type;
struct Symbol;

typedef enum NodeKind {
    /* top level */
    ND_PROGRAM,      // name = flow name (NULL if missing); list = declarations
    ND_RECORD_DECL,  // name; list = ND_FIELD_DECL
    ND_FIELD_DECL,   // name; type_ann
    ND_CONST_DECL,   // name; lhs = value
    ND_FN_DECL,      // name; list = ND_PARAM; type_ann = return type; body
    ND_EXTERN_FN,    // name; list = ND_PARAM; type_ann = return type
    ND_STEP_DECL,    // name = step id; lhs = the operator call (an expression)

    /* type expressions (annotations) */
    ND_TYPE_NAME,    // name: int float bool string timestamp duration, a record, WindowMetadata
    ND_TYPE_LIST,    // lhs = element type
    ND_TYPE_SET,     // lhs = element type (set<T>)
    ND_TYPE_DICT,    // lhs = key type, rhs = value type (dict<K, V>)
    ND_TYPE_TUPLE,   // list = element types (one for `(T,)`)
    ND_TYPE_OPT,     // lhs = inner type (T?)

    /* expressions */
    ND_INT,          // ival
    ND_FLOAT,        // fval
    ND_STRING,       // sval, slen (escapes decoded; may hold NUL bytes); raw = 1 for r"..."
    ND_BOOL,         // ival = 0 or 1
    ND_NONE,         // the literal `none`
    ND_DURATION,     // ival = microseconds
    ND_TIMESTAMP,    // ival = microseconds since the Unix epoch, UTC
    ND_IDENT,        // name
    ND_BINARY,       // op; lhs; rhs
    ND_UNARY,        // op (OP_NEG or OP_NOT); lhs
    ND_IF,           // cond; lhs = then; rhs = else
    ND_COALESCE,     // lhs ?? rhs
    ND_FIELD,        // lhs . name
    ND_OPT_FIELD,    // lhs ?. name
    ND_TUPLE_INDEX,  // lhs . ival   (t.0)
    ND_INDEX,        // lhs [ rhs ]  (list element, Python's negative indexes)
    ND_WITH,         // lhs with { list = ND_FIELD_INIT }
    ND_RECORD_LIT,   // name { list = ND_FIELD_INIT }
    ND_FIELD_INIT,   // name: lhs
    ND_TUPLE,        // ( list ): `(a, b)`, or `(a,)` with one element
    ND_LIST,         // [ list ]
    ND_SET,          // { list } with at least one element
    ND_DICT,         // { list = ND_DICT_ENTRY }; `{}` is an empty dict
    ND_DICT_ENTRY,   // lhs = key, rhs = value: `k: v` in a dict literal,
                     // `[k]: v` in `d with { ... }`
    ND_FSTRING,      // f"...": list = parts, ND_STRING (text) and ND_FMT
    ND_FMT,          // a replacement field {lhs!conv:spec}: ival = conversion
                     // ('r', 's' or 0), sval/slen = the spec (NULL: none)
    ND_CALL,         // lhs = callee (usually ND_IDENT); list = ND_ARG;
                     // type_ann = explicit type argument, as in testing<int>([])
    ND_ARG,          // name = option name or NULL when positional; lhs = value
    ND_LAMBDA,       // list = ND_PARAM; body
    ND_PARAM,        // lhs = pattern; type_ann = annotation or NULL
    ND_BLOCK,        // list = ND_LET; body = final expression
    ND_LET,          // lhs = pattern; rhs = value

    /* patterns (lambda parameters, let) */
    ND_PAT_NAME,     // name
    ND_PAT_WILD,     // `_`
    ND_PAT_TUPLE,    // list = sub-patterns
} NodeKind;

typedef enum OpKind {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,   // + - * / %
    OP_FLOORDIV,                               // //
    OP_IN, OP_NOT_IN,                          // in, not in
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, // == != < <= > >=
    OP_AND, OP_OR,                             // and or
    OP_NOT, OP_NEG,                            // not, unary -
} OpKind;

typedef struct Node Node;

/* A growable array of nodes, allocated in the AST arena. */
typedef struct NodeList {
    Node **items;
    int n;
    int cap;
} NodeList;

struct Node {
    NodeKind kind;
    Loc loc;              // source span of the whole node
    Loc name_loc;         // span of `name` where it has its own token (decls, fields, args)
    const char *name;     // interned identifier (see arena.h: intern)
    Node *lhs;
    Node *rhs;
    Node *cond;
    Node *body;
    Node *type_ann;
    NodeList list;
    int op;               // OpKind for ND_BINARY / ND_UNARY
    int raw;              // ND_STRING: 1 for a raw string r"..."
    int64_t ival;
    double fval;
    const char *sval;     // ND_STRING bytes (NUL-terminated copy; slen is the true length)
    size_t slen;

    /* Filled by the checker. */
    struct Type *ty;      // type of an expression, pattern or type annotation
    struct Symbol *sym;   // ND_IDENT / ND_PAT_NAME: what the name refers to
    int flags;            // checker scratch (see sema.c)
};

/* Allocate a zeroed node of KIND at LOC in arena A. Never returns NULL
 * (arena_alloc aborts on out-of-memory). */
Node *ast_new(Arena *a, NodeKind kind, Loc loc);

/* Append N to L, growing it in arena A. */
void ast_push(Arena *a, NodeList *l, Node *n);

/* Name of an operator as written in source ("+", "and", ...). */
const char *ast_op_name(int op);

/* Print the tree as an indented S-expression (flowc --emit=ast). */
void ast_dump(FILE *out, const Node *n);

#endif
