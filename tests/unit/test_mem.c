/*
 * test_mem.c - the allocator hook and byte counting, flow_vec_grow, the
 * round arena (alignment, growth, reuse after reset) and flow_buf (mem.c).
 */
#include "unit.h"

#include <stdlib.h>

/* A hook that counts its calls and can be told to fail. */
typedef struct counting {
    int allocs, frees, reallocs;
} counting;

static void *counting_alloc(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    counting *c = ud;
    (void)old_size;
    if (new_size == 0) {
        c->frees++;
        free(ptr);
        return NULL;
    }
    if (ptr)
        c->reallocs++;
    else
        c->allocs++;
    return realloc(ptr, new_size);
}

static void hook_and_counter(void **state)
{
    (void)state;
    counting c = { 0, 0, 0 };
    flow_set_allocator(counting_alloc, &c);
    size_t base = flow_mem_in_use();
    char *p = flow_alloc(100);
    assert_int_equal(flow_mem_in_use(), base + 100);
    p = flow_realloc(p, 100, 300);
    assert_int_equal(flow_mem_in_use(), base + 300);
    flow_free(p, 300);
    flow_free(NULL, 0);
    assert_int_equal(flow_mem_in_use(), base);
    assert_int_equal(c.allocs, 1);
    assert_int_equal(c.reallocs, 1);
    assert_int_equal(c.frees, 1);
    flow_set_allocator(NULL, NULL);    /* back to malloc */
    p = flow_alloc(8);
    flow_free(p, 8);
    assert_int_equal(c.allocs, 1);
}

static void vec_grow(void **state)
{
    (void)state;
    size_t base = flow_mem_in_use();
    int *v = NULL;
    size_t cap = 0;
    flow_vec_grow((void **)&v, &cap, sizeof *v, 3);
    assert_true(cap >= 3);
    for (int i = 0; i < 3; i++)
        v[i] = i;
    flow_vec_grow((void **)&v, &cap, sizeof *v, 1000);
    assert_true(cap >= 1000);
    assert_int_equal(v[2], 2);
    size_t cap_before = cap;
    flow_vec_grow((void **)&v, &cap, sizeof *v, 10);    /* no shrink, no realloc */
    assert_int_equal(cap, cap_before);
    assert_int_equal(flow_mem_in_use(), base + cap * sizeof *v);
    flow_free(v, cap * sizeof *v);
    assert_int_equal(flow_mem_in_use(), base);
}

static void arena_alloc(void **state)
{
    (void)state;
    flow_arena a;
    flow_arena_init(&a);
    char *p1 = flow_arena_alloc(&a, 1);
    char *p2 = flow_arena_alloc(&a, 17);
    char *p3 = flow_arena_alloc(&a, 3);
    assert_int_equal((uintptr_t)p1 % 16, 0);
    assert_int_equal((uintptr_t)p2 % 16, 0);
    assert_int_equal((uintptr_t)p3 % 16, 0);
    assert_ptr_equal(p2, p1 + 16);
    assert_ptr_equal(p3, p2 + 32);
    assert_int_equal(a.used, 64);
    char *big = flow_arena_alloc(&a, 1 << 20);    /* larger than any block */
    memset(big, 1, 1 << 20);
    assert_int_equal((uintptr_t)big % 16, 0);
    flow_arena_destroy(&a);
}

static void arena_reuse(void **state)
{
    (void)state;
    flow_arena a;
    flow_arena_init(&a);
    size_t base = flow_mem_in_use();
    /* A round that needs several blocks ... */
    for (int i = 0; i < 1000; i++)
        memset(flow_arena_alloc(&a, 1000), 0, 1000);
    flow_arena_reset(&a);
    assert_int_equal(a.used, 0);
    /* ... settles after a few rounds on one block that holds it all. */
    size_t steady = 0;
    for (int round = 0; round < 6; round++) {
        char *first = flow_arena_alloc(&a, 1000);
        for (int i = 1; i < 1000; i++)
            flow_arena_alloc(&a, 1000);
        assert_non_null(first);
        if (round == 4)
            steady = flow_mem_in_use();
        if (round == 5)
            assert_int_equal(flow_mem_in_use(), steady);    /* nothing allocated */
        flow_arena_reset(&a);
    }
    char *p = flow_arena_alloc(&a, 10);
    flow_arena_reset(&a);
    assert_ptr_equal(flow_arena_alloc(&a, 10), p);    /* the kept block is reused */
    flow_arena_destroy(&a);
    assert_int_equal(flow_mem_in_use(), base);
    flow_arena_reset(&a);    /* reset and destroy of an empty arena are fine */
    flow_arena_destroy(&a);
}

static void buf(void **state)
{
    (void)state;
    flow_buf b = { 0 };
    for (int i = 0; i < 1000; i++)
        flow_buf_putc(&b, (char)('a' + i % 26));
    flow_buf_puts(&b, "END");
    flow_buf_put(&b, "", 0);
    assert_int_equal(b.n, 1003);
    assert_memory_equal(b.p + 1000, "END", 3);
    assert_memory_equal(b.p, "abc", 3);
    flow_buf_free(&b);
    assert_null(b.p);
    assert_int_equal(b.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hook_and_counter),
        cmocka_unit_test(vec_grow),
        cmocka_unit_test(arena_alloc),
        cmocka_unit_test(arena_reuse),
        cmocka_unit_test(buf),
    };
    return cmocka_run_group_tests_name("mem", tests, NULL, NULL);
}
