/*
 * test_trap.c - the run context's error trap (rt->trap), which lets an
 * embedding API return run-time errors as codes instead of exiting:
 * flow_step_error and flow_data_error longjmp with the message they would
 * print, clear the trap, and two run contexts keep separate messages.
 * (Without a trap they print and exit(1): covered by tests/run.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "flowrt_gen.h"

static const flow_program_info info = { .flow_name = "trapped", .source = "trapped.flow" };

static void init(flow_rt *rt)
{
    char arg0[] = "trapped";
    char *argv[] = { arg0, NULL };
    assert_int_equal(flow_rt_init(rt, &info, 1, argv), -1);
}

static void step_error_returns_through_the_trap(void **state)
{
    (void)state;
    flow_rt rt;
    init(&rt);
    assert_string_equal(flow_rt_error(&rt), "");
    jmp_buf jb;
    volatile int reached = 0;
    rt.trap = &jb;
    if (setjmp(jb) == 0) {
        flow_step_error(&rt, "trapped.flow:3:7", "halve", "division by zero");
        reached = 1;
    }
    assert_int_equal(reached, 0);
    assert_null(rt.trap);
    assert_string_equal(flow_rt_error(&rt), "trapped.flow:3:7: error: step 'trapped.halve': division by zero");
    assert_int_equal(flow_rt_finish(&rt, 0), 0);
}

static void data_error_formats_into_the_trap(void **state)
{
    (void)state;
    flow_rt a, b;
    init(&a);
    init(&b);
    jmp_buf jb;
    a.trap = &jb;
    if (setjmp(jb) == 0)
        flow_data_error(&a, "in.csv", 12, "bad field %d of %s", 3, "row");
    assert_string_equal(flow_rt_error(&a), "in.csv:12: error: bad field 3 of row");
    b.trap = &jb;
    if (setjmp(jb) == 0)
        flow_data_error(&b, "in.txt", 0, "cannot open: %s", "No such file");
    assert_string_equal(flow_rt_error(&b), "in.txt: error: cannot open: No such file");
    /* the instances share nothing */
    assert_string_equal(flow_rt_error(&a), "in.csv:12: error: bad field 3 of row");
    flow_rt_finish(&a, 0);
    flow_rt_finish(&b, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(step_error_returns_through_the_trap),
        cmocka_unit_test(data_error_formats_into_the_trap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
