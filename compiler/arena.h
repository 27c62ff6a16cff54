/*
 * arena.h - bump allocation for the compiler, and identifier interning.
 *
 * The compiler allocates everything (tokens' text, AST nodes, types, the
 * dataflow graph) from arenas and frees each arena once at exit, so phases
 * never free individual objects. Out of memory is fatal: arena_alloc prints
 * "flowc: out of memory" and exits with status 1; it never returns NULL.
 */
#ifndef FLOWC_ARENA_H
#define FLOWC_ARENA_H

#include <stddef.h>

typedef struct Arena Arena;

/* A new empty arena. Free it with arena_free. */
Arena *arena_new(void);

/* N zeroed bytes, aligned to 16, valid until arena_free(A). */
void *arena_alloc(Arena *a, size_t n);

/* A NUL-terminated copy of the N bytes at S, in A. */
char *arena_strndup(Arena *a, const char *s, size_t n);

/* printf into A; returns the NUL-terminated result. */
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Release every block of A and A itself. NULL is allowed. */
void arena_free(Arena *a);

/* The unique copy of the N bytes at S: equal names intern to the same
 * pointer, so names compare with ==. Lives until intern_free(). */
const char *intern(const char *s, size_t n);
const char *intern_cstr(const char *s);
void intern_free(void);

#endif
