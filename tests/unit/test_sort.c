/*
 * test_sort.c - unit tests of sort.c's flow_sort_values, the stable sort
 * behind sorted(): on random arrays of every length up to a few runs of
 * merging, the result is ascending and equal values keep their order
 * (checked through a tag the comparison ignores), as Python's sorted().
 */
#include "unit.h"

typedef struct tagged {
    int64_t v;     /* compared */
    int64_t tag;   /* the original position, not compared */
} tagged;

static int by_v(const void *a, const void *b)
{
    const tagged *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}

static void stable_and_sorted(void **state)
{
    flow_arena *a = *state;
    uint64_t seed = 88172645463325252u;
    tagged buf[300];
    for (size_t n = 0; n <= 300; n += n < 40 ? 1 : 37) {
        for (size_t i = 0; i < n; i++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            buf[i] = (tagged){ (int64_t)(seed % 17) - 8, (int64_t)i };   /* many ties */
        }
        flow_sort_values(buf, n, sizeof buf[0], by_v, a);
        for (size_t i = 1; i < n; i++) {
            assert_true(buf[i - 1].v <= buf[i].v);
            if (buf[i - 1].v == buf[i].v)
                assert_true(buf[i - 1].tag < buf[i].tag);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stable_and_sorted, unit_arena_setup, unit_arena_teardown),
    };
    return cmocka_run_group_tests_name("sort", tests, NULL, NULL);
}
