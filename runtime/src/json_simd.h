/*
 * json_simd.h - the C interface of json_simd.cc (simdjson's DOM parser,
 * the fast path of io_jsonl.c) and the view of a JSON value that
 * io_jsonl.c's accessors share between simdjson's and jansson's values.
 * Internal; plain C that C++ also compiles (flowrt.h is not included).
 */
#ifndef FLOWRT_JSON_SIMD_H
#define FLOWRT_JSON_SIMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A JSON value's type, whichever parser made it. */
enum { FLOWI_J_OBJECT, FLOWI_J_ARRAY, FLOWI_J_STRING, FLOWI_J_INT, FLOWI_J_REAL, FLOWI_J_BOOL,
       FLOWI_J_NULL };

/* flowi_simd_fields: no such member */
enum { FLOWI_J_ABSENT = -1 };

/* A value's type and, for scalars, its value (strings: N bytes at S, NUL
 * bytes included, owned by the parser's document). */
typedef struct flowi_jview {
    int kind;                 /* FLOWI_J_* */
    bool b;
    int64_t i;
    double d;
    const char *s;
    size_t n;
} flowi_jview;

/* Opaque storage for a simdjson element or array iterator (a document
 * pointer and a tape index), copied by value. */
typedef struct flowi_sel {
    uint64_t w[2];
} flowi_sel;

/* json_simd.cc: simdjson's DOM parser, one per source (NULL: no memory). */
typedef struct flowi_simd flowi_simd;
flowi_simd *flowi_simd_new(void);
void flowi_simd_free(flowi_simd *p);
/* Parse the N bytes at S into P's document (valid until P's next parse):
 * true and its root in *ROOT, or false when simdjson fails or jansson
 * could see the bytes differently (parse them with jansson then). */
bool flowi_simd_parse(flowi_simd *p, const char *s, size_t n, flowi_sel *root);
/* The type and scalar value of element E. */
void flowi_simd_view(const flowi_sel *e, flowi_jview *v);
/* Object OBJ's member NAME (LEN bytes; the last of duplicates) in *OUT;
 * false: absent. */
bool flowi_simd_get(const flowi_sel *obj, const char *name, size_t len, flowi_sel *out);
/* A member found by flowi_simd_fields: its view (kind FLOWI_J_ABSENT
 * when the object has none) and element. */
typedef struct flowi_jfield {
    flowi_jview v;
    flowi_sel e;
} flowi_jfield;
/* Object OBJ's members NAMES[0..N) (NUL-terminated, distinct) in OUT[0..N),
 * found in one walk (the last of duplicates). */
void flowi_simd_fields(const flowi_sel *obj, const char *const *names, size_t n, flowi_jfield *out);
/* Array ARR's length; an iterator at its first element; the next; the
 * element at an iterator (which must be before the end). */
size_t flowi_simd_size(const flowi_sel *arr);
void flowi_simd_first(const flowi_sel *arr, flowi_sel *it);
void flowi_simd_next(flowi_sel *it);
void flowi_simd_deref(const flowi_sel *it, flowi_sel *out);
/* The same for object OBJ's members, in document order (duplicates
 * included); flowi_simd_obj_deref also gives the member's key (LEN bytes
 * at *KEY, owned by the document). */
size_t flowi_simd_obj_size(const flowi_sel *obj);
void flowi_simd_obj_first(const flowi_sel *obj, flowi_sel *it);
void flowi_simd_obj_next(flowi_sel *it);
void flowi_simd_obj_deref(const flowi_sel *it, flowi_sel *out, const char **key, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
