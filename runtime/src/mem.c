/*
 * mem.c - all runtime memory: the process-wide allocator hook (Lua's
 * lua_Alloc) with a byte counter, flow_vec_grow for generated per-step
 * buffers, the round arena, and the growable flow_buf output buffer.
 *
 * Every other file of libflowrt.a allocates through flow_alloc/flow_realloc/
 * flow_free, so an embedder that replaces the hook sees every byte.
 * The hook is the only mutable global of the runtime that workers share
 * (set before any runs); the counter is per thread (a worker's threads
 * allocate in parallel: no atomic on the one-worker path either).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- allocator hook ---------------------------------------------------- */

static void *default_alloc(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    (void)ud;
    (void)old_size;
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, new_size);
}

static flow_alloc_fn alloc_fn = default_alloc;
static void *alloc_ud;
static _Thread_local size_t bytes_in_use __attribute__((tls_model("initial-exec")));

void flow_set_allocator(flow_alloc_fn f, void *ud)
{
    alloc_fn = f ? f : default_alloc;
    alloc_ud = f ? ud : NULL;
}

_Noreturn void flowi_out_of_memory(void)
{
    fflush(stdout);
    fputs("flowrt: out of memory\n", stderr);
    exit(1);
}

void *flow_alloc(size_t n)
{
    if (n == 0)
        n = 1;    /* never hand out NULL: callers may store the pointer */
    void *p = alloc_fn(alloc_ud, NULL, 0, n);
    if (!p)
        flowi_out_of_memory();
    bytes_in_use += n;
    return p;
}

void *flow_realloc(void *p, size_t old_size, size_t new_size)
{
    if (!p)
        return flow_alloc(new_size);
    if (new_size == 0) {
        flow_free(p, old_size);
        return NULL;
    }
    void *q = alloc_fn(alloc_ud, p, old_size, new_size);
    if (!q)
        flowi_out_of_memory();
    bytes_in_use = bytes_in_use - old_size + new_size;
    return q;
}

void flow_free(void *p, size_t size)
{
    if (!p)
        return;
    if (size == 0)
        size = 1;    /* flow_alloc(0) counted one byte */
    alloc_fn(alloc_ud, p, size, 0);
    bytes_in_use -= size;
}

size_t flow_mem_in_use(void)
{
    return bytes_in_use;
}

void flow_vec_grow(void **data, size_t *cap, size_t elem, size_t need)
{
    if (need <= *cap)
        return;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need)
        ncap *= 2;
    if (elem && ncap > SIZE_MAX / elem)
        flowi_out_of_memory();
    *data = flow_realloc(*data, *cap * elem, ncap * elem);
    *cap = ncap;
}

void *flow_append(void **mem, size_t *size, const void *data, int64_t n, size_t elem, const void *src, int64_t k)
{
    size_t have = (size_t)n * elem, add = (size_t)k * elem;
    if (n > 0 && data != *mem) {
        /* not in its own block yet (init, or a state copied whole) */
        size_t cap = have + add > 64 ? have + add : 64;
        char *b = flow_alloc(cap);
        memcpy(b, data, have);
        flow_free(*mem, *size);
        *mem = b;
        *size = cap;
    } else if (have + add > *size) {
        size_t cap = *size ? *size : 64;
        while (cap < have + add) {
            if (cap > SIZE_MAX / 2)
                flowi_out_of_memory();
            cap *= 2;
        }
        *mem = flow_realloc(*mem, *size, cap);
        *size = cap;
    }
    if (add)
        memcpy((char *)*mem + have, src, add);
    return *mem;
}

/* ---- arena ------------------------------------------------------------- */

/* A block: this header, then SIZE bytes of storage aligned to 16. */
struct flow_arena_block {
    flow_arena_block *next;   /* older block */
    size_t size;              /* usable bytes after the header */
};

#define ARENA_HDR   ((sizeof(flow_arena_block) + 15) & ~(size_t)15)
#define ARENA_MIN   ((size_t)64 * 1024)

static char *block_data(flow_arena_block *b)
{
    return (char *)b + ARENA_HDR;
}

void flow_arena_init(flow_arena *a)
{
    a->cur = NULL;
    a->end = NULL;
    a->blocks = NULL;
    a->used = 0;
}

void *flow_arena_grow(flow_arena *a, size_t n)
{
    /* Blocks at least double, so a round that outgrows the kept block
     * settles on one big enough after a few rounds. */
    size_t size = a->blocks ? a->blocks->size * 2 : ARENA_MIN;
    if (size < n)
        size = n;
    flow_arena_block *b = flow_alloc(ARENA_HDR + size);
    b->next = a->blocks;
    b->size = size;
    a->blocks = b;
    char *p = block_data(b);
    a->cur = p + n;
    a->end = p + size;
    a->used += n;
    return p;
}

void flow_arena_reset(flow_arena *a)
{
    flow_arena_block *one = a->blocks;
    if (one && !one->next) {
        /* the common case, once a round fits in one block: rewind it */
        a->cur = block_data(one);
        a->used = 0;
        return;
    }
    flow_arena_block *keep = NULL;
    for (flow_arena_block *b = a->blocks, *next; b; b = next) {
        next = b->next;
        if (!keep || b->size > keep->size) {
            if (keep)
                flow_free(keep, ARENA_HDR + keep->size);
            keep = b;
        } else {
            flow_free(b, ARENA_HDR + b->size);
        }
    }
    a->blocks = keep;
    a->used = 0;
    if (keep) {
        keep->next = NULL;
        a->cur = block_data(keep);
        a->end = a->cur + keep->size;
    } else {
        a->cur = a->end = NULL;
    }
}

void flow_arena_destroy(flow_arena *a)
{
    for (flow_arena_block *b = a->blocks, *next; b; b = next) {
        next = b->next;
        flow_free(b, ARENA_HDR + b->size);
    }
    flow_arena_init(a);
}

bool flowi_arena_holds(const flow_arena *a, const char *p, size_t n)
{
    return a->blocks && p >= block_data(a->blocks) && p + n <= a->cur;
}

flow_str flowi_arena_str(flow_arena *a, const char *p, size_t n)
{
    if (n == 0)
        return (flow_str){ "", 0 };
    char *d = flow_arena_alloc(a, n);
    memcpy(d, p, n);
    return (flow_str){ d, (int64_t)n };
}

/* ---- flow_buf ---------------------------------------------------------- */

void flow_buf_reserve(flow_buf *b, size_t extra)
{
    if (b->cap - b->n >= extra)
        return;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap - b->n < extra)
        ncap *= 2;
    b->p = flow_realloc(b->p, b->cap, ncap);
    b->cap = ncap;
}

void flow_buf_put(flow_buf *b, const char *s, size_t n)
{
    if (n == 0)
        return;
    flow_buf_reserve(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

void flow_buf_puts(flow_buf *b, const char *s)
{
    flow_buf_put(b, s, strlen(s));
}

void flow_buf_free(flow_buf *b)
{
    flow_free(b->p, b->cap);
    b->p = NULL;
    b->n = b->cap = 0;
}
