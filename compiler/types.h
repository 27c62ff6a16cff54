/*
 * types.h - the checker's types: construction, unification and printing.
 *
 * Types are allocated in the compile's arena. Type variables (TY_VAR) stand
 * for what is not known yet (the element type of `[]`, the inner type of
 * `none`, a state type) and are bound by unification; ty_resolve follows
 * the bindings. After checking, the emitter interns each resolved type
 * (types_intern) to give it one C name.
 */
#ifndef FLOWC_TYPES_H
#define FLOWC_TYPES_H

#include "ast.h"

typedef enum TypeKind {
    TY_INT,        // int64_t
    TY_FLOAT,      // double
    TY_BOOL,       // bool
    TY_STRING,     // flow_str
    TY_TIMESTAMP,  // flow_time (microseconds since the epoch)
    TY_DURATION,   // int64_t microseconds
    TY_META,       // WindowMetadata (flow_window_meta)
    TY_META17,     // WindowMetadata on W.with_meta: printed as Bytewax 0.17 did
    TY_JSON,       // json: a JSON value without a schema, its canonical text in a flow_str (jsonv.c)
    TY_LIST,       // elem
    TY_DICT,       // dict<key, elem>: insertion-ordered, as Python's dict
    TY_SET,        // set<elem>: CPython's set table (iteration order)
    TY_TUPLE,      // elems[n]
    TY_OPT,        // elem?
    TY_RECORD,     // rec
    TY_CACHE,      // enrich_cached's cache, cache<key, elem> of step `step`:
                   // only ever a mapper's parameter, read by get(cache, k)
    TY_VAR,        // link when bound
    TY_ERROR,      // after a reported error; unifies with everything
} TypeKind;

typedef struct Record Record;

typedef struct Type {
    TypeKind kind;
    struct Type *elem;     // TY_LIST, TY_OPT, TY_SET; TY_DICT's value type
    struct Type *key;      // TY_DICT's key type
    struct Type **elems;   // TY_TUPLE
    int n;                 // TY_TUPLE arity
    Record *rec;           // TY_RECORD
    struct Step *step;     // TY_CACHE: its enrich_cached step
    struct Type *link;     // TY_VAR: the bound type, or NULL
    int id;                // TY_VAR: number; interned types: index in the type table
    const char *cname;     // interned types: the C type name
    struct Type *canon;    // the interned representative (emitter)
} Type;

typedef struct Field {
    const char *name;
    Type *ty;
    Loc loc;
} Field;

struct Record {
    const char *name;
    Field *fields;
    int n;
    Node *decl;
};

void types_init(Arena *a);
Type *ty_prim(TypeKind k);        /* the shared int/float/bool/string/... */
Type *ty_list(Type *elem);
Type *ty_dict(Type *key, Type *value);
Type *ty_set(Type *elem);
Type *ty_opt(Type *elem);
Type *ty_tuple(Type **elems, int n);
Type *ty_pair(Type *a, Type *b);
Type *ty_record(Record *r);
/* The cache of enrich_cached step ST: keys KEY, values VALUE. */
Type *ty_cache(Type *key, Type *value, struct Step *st);
Type *ty_var(void);
Type *ty_error(void);

/* Follow TY_VAR bindings. */
Type *ty_resolve(Type *t);
/* Make A and B equal, binding variables. False when they cannot be. */
bool ty_unify(Type *a, Type *b);
/* True when a value of ACTUAL can stand where EXPECTED is wanted: equal
 * types, or T where T? is wanted (the value is wrapped). Binds variables. */
bool ty_accepts(Type *expected, Type *actual);
/* The common type of two branches (if/else, list elements): unify, allowing
 * one side to be the optional of the other. NULL when none exists. */
Type *ty_join(Type *a, Type *b);

bool ty_is_numeric(Type *t);
bool ty_is_ordered(Type *t);     /* supports < <= > >= (and min/max) */
bool ty_has_error(Type *t);
/* Can be a set element or a dict key (Python's hashable values): not a
 * list, dict, set, record (a dict in Python) or WindowMetadata. Unbound
 * variables count as hashable (checked again when bound). */
bool ty_is_hashable(Type *t);
/* Still holds an unbound variable. */
bool ty_has_var(Type *t);
/* Is a keyed item: (string, V). Returns V or NULL. */
Type *ty_keyed_value(Type *t);
/* Holds strings or lists somewhere (needs deep copies to outlive a round). */
bool ty_has_heap(Type *t);
bool ty_equal(Type *a, Type *b);
/* Bind every unbound variable in T to the error type (after reporting
 * that T cannot be inferred, so the same hole is not reported again). */
void ty_poison(Type *t);

/* "int", "list<string>", "(string, int)", "int?", "Event". Arena string. */
const char *ty_str(Type *t);
/* The same, cut after TY_BRIEF bytes with "..." (for comments in
 * generated C: a type nested 1000 deep must not write its whole text at
 * every level). */
#define TY_BRIEF 100
const char *ty_str_brief(Type *t);

#endif
