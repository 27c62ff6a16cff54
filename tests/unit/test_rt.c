/*
 * test_rt.c - the run context (rt.c): option parsing (--input in both
 * spellings, --clock, --clock-step, FLOW_CLOCK/FLOW_CLOCK_STEP and their
 * precedence), --help, the usage errors and their exit status, rounds
 * (arena reset, pinned clock), stdout buffering, and the exact formats of
 * flow_step_error and flow_data_error (run in a child process).
 */
#include "unit.h"

static const flow_input_info inputs[] = {
    { "numbers", "testing", NULL },
    { "lines", "file", "data/in.txt" },
    { "more", "file", "data/more.txt" },
};
static const flow_program_info info = { .flow_name = "wc", .source = "wc.flow", .inputs = inputs, .n_inputs = 3 };

static char *ARGV_NONE[] = { "./wc", NULL };

static int setup(void **state)
{
    (void)state;
    unsetenv("FLOW_CLOCK");
    unsetenv("FLOW_CLOCK_STEP");
    return 0;
}

static int init(flow_rt *rt, char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    return flow_rt_init(rt, &info, argc, argv);
}

static void defaults(void **state)
{
    (void)state;
    flow_rt rt;
    assert_int_equal(init(&rt, ARGV_NONE), -1);
    assert_false(rt.clock_pinned);
    assert_string_equal(flow_rt_input_path(&rt, 1), "data/in.txt");
    assert_null(flow_rt_input_path(&rt, 0));
    assert_int_equal(rt.round, 0);
    flow_rt_round_begin(&rt);
    assert_int_equal(rt.round, 1);
    assert_true(rt.now > INT64_C(1640995200000000));    /* the real clock */
    assert_int_equal(flow_rt_finish(&rt, 3), 3);
}

static void input_overrides(void **state)
{
    (void)state;
    flow_rt rt;
    char *argv[] = { "./wc", "--input", "lines=/tmp/a.txt", "--input=more=b=c.txt", NULL };
    assert_int_equal(init(&rt, argv), -1);
    assert_string_equal(flow_rt_input_path(&rt, 1), "/tmp/a.txt");
    assert_string_equal(flow_rt_input_path(&rt, 2), "b=c.txt");
    flow_rt_finish(&rt, 0);
}

static void pinned_clock(void **state)
{
    (void)state;
    flow_rt rt;
    char *argv[] = { "./wc", "--clock", "2022-01-01T00:00:00Z", "--clock-step=1.5s", NULL };
    assert_int_equal(init(&rt, argv), -1);
    assert_true(rt.clock_pinned);
    for (int r = 0; r < 3; r++) {
        flow_rt_round_begin(&rt);
        assert_int_equal(rt.now, INT64_C(1640995200000000) + r * INT64_C(1500000));
    }
    flow_rt_finish(&rt, 0);

    /* The environment, with the command line taking precedence. */
    setenv("FLOW_CLOCK", "2022-01-01T00:00:10Z", 1);
    setenv("FLOW_CLOCK_STEP", "1s", 1);
    assert_int_equal(init(&rt, ARGV_NONE), -1);
    flow_rt_round_begin(&rt);
    flow_rt_round_begin(&rt);
    assert_int_equal(rt.now, INT64_C(1640995211000000));
    flow_rt_finish(&rt, 0);
    char *argv2[] = { "./wc", "--clock=2022-01-01T00:00:00Z", NULL };
    assert_int_equal(init(&rt, argv2), -1);
    flow_rt_round_begin(&rt);
    flow_rt_round_begin(&rt);
    assert_int_equal(rt.now, INT64_C(1640995201000000));
    flow_rt_finish(&rt, 0);
    setup(NULL);

    /* Without a step the pinned clock stands still. */
    char *argv3[] = { "./wc", "--clock", "2022-01-01 00:00:00", NULL };
    assert_int_equal(init(&rt, argv3), -1);
    flow_rt_round_begin(&rt);
    flow_rt_round_begin(&rt);
    assert_int_equal(rt.now, INT64_C(1640995200000000));
    flow_rt_finish(&rt, 0);
}

static void round_arena(void **state)
{
    (void)state;
    flow_rt rt;
    assert_int_equal(init(&rt, ARGV_NONE), -1);
    flow_rt_round_begin(&rt);
    flow_arena_alloc(&rt.arena, 100);
    assert_true(rt.arena.used >= 100);
    flow_rt_round_begin(&rt);
    assert_int_equal(rt.arena.used, 0);
    flow_rt_finish(&rt, 0);
}

/* ---- in a child process ------------------------------------------------ */

typedef struct run {
    char **argv;
    int rc;    /* flow_rt_init's result, passed out as the exit status */
} run;

static void child_init(void *arg)
{
    run *r = arg;
    flow_rt rt;
    int rc = init(&rt, r->argv);
    if (rc < 0)
        flow_rt_finish(&rt, 0);
    exit(rc < 0 ? 99 : rc);
}

static int run_init(char **argv, char *out, size_t outn, char *err, size_t errn)
{
    run r = { argv, 0 };
    return unit_run_child(child_init, &r, out, outn, err, errn);
}

static void help(void **state)
{
    (void)state;
    char out[2048], err[256];
    char *argv[] = { "/some/dir/wc", "--clock", "bad", "--help", NULL };
    assert_int_equal(run_init(argv, out, sizeof out, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_non_null(strstr(out, "usage: wc "));
    assert_non_null(strstr(out, "Runs the flow 'wc' (compiled from wc.flow)."));
    assert_non_null(strstr(out, "  numbers  testing\n"));
    assert_non_null(strstr(out, "  lines    file     data/in.txt\n"));
    assert_non_null(strstr(out, "--input STEP=PATH"));
    assert_non_null(strstr(out, "--clock TIME"));
    assert_non_null(strstr(out, "--clock-step DUR"));
    assert_non_null(strstr(out, "FLOW_CLOCK"));
}

static void usage_errors(void **state)
{
    (void)state;
    static const struct { char *args[4]; const char *err; } cases[] = {
        { { "--bogus" }, "wc: error: unrecognized option '--bogus' (see --help)\n" },
        { { "stray" }, "wc: error: unexpected argument 'stray' (see --help)\n" },
        { { "--input" }, "wc: error: --input needs STEP=PATH\n" },
        { { "--input", "lines" }, "wc: error: --input expects STEP=PATH, got 'lines'\n" },
        { { "--input", "=x" }, "wc: error: --input expects STEP=PATH, got '=x'\n" },
        { { "--input=nope=x" }, "wc: error: --input: the flow has no input named 'nope'\n" },
        { { "--input", "numbers=x" },
          "wc: error: --input: input 'numbers' is a testing input, not a file input\n" },
        { { "--clock", "yesterday" },
          "wc: error: --clock: invalid time 'yesterday' (expected RFC 3339, e.g. "
          "2022-01-01T00:00:00Z)\n" },
        { { "--clock" }, "wc: error: --clock needs a time\n" },
        { { "--clock-step", "1s" }, "wc: error: --clock-step needs --clock (or FLOW_CLOCK)\n" },
        { { "--clock=2022-01-01T00:00:00Z", "--clock-step", "fast" },
          "wc: error: --clock-step: invalid duration 'fast' (e.g. 1s, 250ms)\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[6] = { "./wc" };
        for (int k = 0; k < 4 && cases[i].args[k]; k++)
            argv[k + 1] = cases[i].args[k];
        char out[256], err[512];
        assert_int_equal(run_init(argv, out, sizeof out, err, sizeof err), 2);
        assert_string_equal(err, cases[i].err);
        assert_string_equal(out, "");
    }
    setenv("FLOW_CLOCK", "soon", 1);
    char out[256], err[512];
    assert_int_equal(run_init(ARGV_NONE, out, sizeof out, err, sizeof err), 2);
    assert_string_equal(err, "wc: error: FLOW_CLOCK: invalid time 'soon' (expected RFC 3339, "
                             "e.g. 2022-01-01T00:00:00Z)\n");
    setup(NULL);
}

static void child_output(void *arg)
{
    (void)arg;
    flow_rt rt;
    init(&rt, ARGV_NONE);
    flow_rt_round_begin(&rt);
    flow_buf_puts(&rt.out, "small\n");
    flow_rt_round_end(&rt);    /* not a tty, small: stays buffered */
    if (rt.out.n != 6)
        exit(10);
    for (int i = 0; i < 7000; i++)
        flow_buf_puts(&rt.out, "0123456789");
    flow_rt_round_end(&rt);    /* >= 64 KiB: written */
    if (rt.out.n != 0)
        exit(11);
    flow_buf_puts(&rt.out, "\nlast\n");
    exit(flow_rt_finish(&rt, 0));
}

static void output_buffering(void **state)
{
    (void)state;
    static char out[80000];
    char err[256];
    assert_int_equal(unit_run_child(child_output, NULL, out, sizeof out, err, sizeof err), 0);
    assert_int_equal(strlen(out), 6 + 70000 + 6);
    assert_memory_equal(out, "small\n0123", 10);
    assert_string_equal(out + 6 + 70000, "\nlast\n");
}

static void child_step_error(void *arg)
{
    (void)arg;
    flow_rt rt;
    init(&rt, ARGV_NONE);
    flow_buf_puts(&rt.out, "('a', 1)\n");
    flow_step_error(&rt, "wc.flow:3:5", "split", "division by zero");
}

static void child_data_error(void *arg)
{
    flow_rt rt;
    init(&rt, ARGV_NONE);
    flow_buf_puts(&rt.out, "x\n");
    if (arg)
        flow_data_error(&rt, "in.txt", 7, "bad %s", "value");
    flow_data_error(&rt, "in.txt", 0, "cannot open: %s", "denied");
}

static void fatal_errors(void **state)
{
    (void)state;
    char out[256], err[256];
    assert_int_equal(unit_run_child(child_step_error, NULL, out, sizeof out, err, sizeof err), 1);
    assert_string_equal(out, "('a', 1)\n");
    assert_string_equal(err, "wc.flow:3:5: error: step 'wc.split': division by zero\n");
    assert_int_equal(unit_run_child(child_data_error, "", out, sizeof out, err, sizeof err), 1);
    assert_string_equal(out, "x\n");
    assert_string_equal(err, "in.txt:7: error: bad value\n");
    assert_int_equal(unit_run_child(child_data_error, NULL, out, sizeof out, err, sizeof err), 1);
    assert_string_equal(err, "in.txt: error: cannot open: denied\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(input_overrides),
        cmocka_unit_test(pinned_clock),
        cmocka_unit_test(round_arena),
        cmocka_unit_test(help),
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(output_buffering),
        cmocka_unit_test(fatal_errors),
    };
    return cmocka_run_group_tests_name("rt", tests, setup, NULL);
}
