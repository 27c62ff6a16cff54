/*
 * arena.c - bump allocation and identifier interning (see arena.h).
 *
 * Pipeline position: below every phase. The parser copies token text and
 * builds the AST in one arena; later phases use their own. An arena is a
 * chain of blocks; allocation bumps a pointer in the newest block and
 * starts a new block (at least 64 KiB, or larger for a big request) when it
 * is full. Nothing is freed individually: arena_free drops the whole chain.
 *
 * The intern table is a process-wide open-addressing hash set whose strings
 * live in a private arena, so equal identifiers compare equal with ==.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_ALIGN 16
#define ARENA_BLOCK (64 * 1024)

typedef struct Block {
    struct Block *next;   // older block
    size_t used;          // bytes handed out from data
    size_t size;          // capacity of data
    _Alignas(16) unsigned char data[];
} Block;

struct Arena {
    Block *head;          // newest block; allocation happens here
};

static _Noreturn void out_of_memory(void)
{
    fputs("flowc: out of memory\n", stderr);
    exit(1);
}

Arena *arena_new(void)
{
    Arena *a = calloc(1, sizeof *a);
    if (!a)
        out_of_memory();
    return a;
}

void *arena_alloc(Arena *a, size_t n)
{
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (n == 0)
        n = ARENA_ALIGN;
    Block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        if (size > SIZE_MAX - sizeof(Block))
            out_of_memory();
        b = malloc(sizeof(Block) + size);
        if (!b)
            out_of_memory();
        b->used = 0;
        b->size = size;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        out_of_memory();
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    /* Format into a stack buffer first: most results are short. */
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof tmp) {
        memcpy(p, tmp, (size_t)n + 1);
        return p;
    }
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void arena_free(Arena *a)
{
    if (!a)
        return;
    Block *b = a->head;
    while (b) {
        Block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

/* ---- intern table ------------------------------------------------------ */

typedef struct InternEntry {
    const char *s;        // NUL-terminated copy in intern_arena
    size_t n;             // its length (names may not hold NUL, but be safe)
    uint64_t hash;
} InternEntry;

static Arena *intern_arena;
static InternEntry *intern_tab;   // open addressing, power-of-two capacity
static size_t intern_cap, intern_count;

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void intern_grow(void)
{
    size_t cap = intern_cap ? intern_cap * 2 : 256;
    InternEntry *tab = calloc(cap, sizeof *tab);
    if (!tab)
        out_of_memory();
    for (size_t i = 0; i < intern_cap; i++) {
        if (!intern_tab[i].s)
            continue;
        size_t j = intern_tab[i].hash & (cap - 1);
        while (tab[j].s)
            j = (j + 1) & (cap - 1);
        tab[j] = intern_tab[i];
    }
    free(intern_tab);
    intern_tab = tab;
    intern_cap = cap;
}

const char *intern(const char *s, size_t n)
{
    if (!intern_arena)
        intern_arena = arena_new();
    if ((intern_count + 1) * 2 > intern_cap)
        intern_grow();
    uint64_t h = fnv1a(s, n);
    size_t i = h & (intern_cap - 1);
    while (intern_tab[i].s) {
        InternEntry *e = &intern_tab[i];
        if (e->hash == h && e->n == n && memcmp(e->s, s, n) == 0)
            return e->s;
        i = (i + 1) & (intern_cap - 1);
    }
    intern_tab[i].s = arena_strndup(intern_arena, s, n);
    intern_tab[i].n = n;
    intern_tab[i].hash = h;
    intern_count++;
    return intern_tab[i].s;
}

const char *intern_cstr(const char *s)
{
    return intern(s, strlen(s));
}

void intern_free(void)
{
    free(intern_tab);
    intern_tab = NULL;
    intern_cap = intern_count = 0;
    arena_free(intern_arena);
    intern_arena = NULL;
}
