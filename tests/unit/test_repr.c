/*
 * test_repr.c - Python repr() of scalars (repr.c): floats against CPython's
 * shortest round-trip repr, strings with CPython's quote choice and escapes,
 * ints, bools and None. Expected strings were computed with python3.
 */
#include "unit.h"

#include <math.h>

static void check_float(double v, const char *want, const char *file, int line)
{
    flow_buf b = { 0 };
    flow_repr_float(&b, v);
    unit_check_bytes(b.p, b.n, want, file, line);
    flow_buf_free(&b);
}
#define FLOAT(v, want) check_float((v), (want), __FILE__, __LINE__)

static void float_edges(void **state)
{
    (void)state;
    FLOAT(0.1, "0.1");
    FLOAT(1e-05, "1e-05");
    FLOAT(0.0001, "0.0001");
    FLOAT(-1e-7, "-1e-07");
    FLOAT(1e16, "1e+16");
    FLOAT(1.5e16, "1.5e+16");
    FLOAT(1e15, "1000000000000000.0");
    FLOAT(1e22, "1e+22");
    FLOAT(123456789012345680.0, "1.2345678901234568e+17");
    FLOAT(9223372036854775808.0, "9.223372036854776e+18");
    FLOAT(0.30000000000000004, "0.30000000000000004");
    FLOAT(1.0 / 3, "0.3333333333333333");
    FLOAT(5e-324, "5e-324");
    FLOAT(2.2250738585072014e-308, "2.2250738585072014e-308");
    FLOAT(1.7976931348623157e+308, "1.7976931348623157e+308");
    FLOAT(9007199254740993.0, "9007199254740992.0");
    FLOAT(0.0, "0.0");
    FLOAT(-0.0, "-0.0");
    FLOAT(100.0, "100.0");
    FLOAT(-7.0, "-7.0");
    FLOAT(2.5, "2.5");
    FLOAT(58.5, "58.5");
    FLOAT(26.666666666666668, "26.666666666666668");
    FLOAT(INFINITY, "inf");
    FLOAT(-INFINITY, "-inf");
    FLOAT(NAN, "nan");
}

/* Every power of two has a lopsided rounding interval: the shortest repr
 * may be a neighbour of the correctly rounded shorter decimal. */
static void float_powers_of_two(void **state)
{
    (void)state;
    FLOAT(ldexp(1, -1074), "5e-324");
    FLOAT(ldexp(1, 60), "1.152921504606847e+18");
    FLOAT(ldexp(1, 1023), "8.98846567431158e+307");
    FLOAT(ldexp(1, -1022), "2.2250738585072014e-308");
    FLOAT(ldexp(1, -20), "9.5367431640625e-07");
}

static void float_to_str(void **state)
{
    (void)state;
    flow_arena a;
    flow_arena_init(&a);
    ASSERT_STR(flow_str_from_float(&a, 0.1), "0.1");
    ASSERT_STR(flow_str_from_float(&a, 1e100), "1e+100");
    ASSERT_STR(flow_str_from_int(&a, INT64_MIN), "-9223372036854775808");
    flow_arena_destroy(&a);
}

/* str() of an int (a hand-written digit loop) against snprintf: every
 * length, both signs, the powers of ten and their neighbours, every value
 * below 10000 (the inline path), the limits. */
static void int_to_str(void **state)
{
    (void)state;
    flow_arena a;
    flow_arena_init(&a);
    char want[32];
    int64_t p = 1;
    for (int i = 0; i < 19; i++, p = i < 19 ? p * 10 : p) {   /* 10^18 is the last power in int64 */
        int64_t vals[] = { p - 1, p, p + 1, -p + 1, -p, -p - 1, p * 7 + 3, -(p * 9) };
        for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
            snprintf(want, sizeof want, "%lld", (long long)vals[k]);
            ASSERT_STR(flow_str_from_int(&a, vals[k]), want);
        }
    }
    for (int64_t v = -100000; v <= 100000; v += 37) {
        snprintf(want, sizeof want, "%lld", (long long)(v * 99991));
        ASSERT_STR(flow_str_from_int(&a, v * 99991), want);
        flow_arena_reset(&a);
    }
    for (int64_t v = 0; v < 10000; v++) {   /* every value of the inline four-digit path */
        snprintf(want, sizeof want, "%lld", (long long)v);
        ASSERT_STR(flow_str_from_int(&a, v), want);
    }
    ASSERT_STR(flow_str_from_int(&a, INT64_MAX), "9223372036854775807");
    ASSERT_STR(flow_str_from_int(&a, 0), "0");
    flow_arena_destroy(&a);
}

static void check_str(const char *s, size_t n, const char *want, const char *file, int line)
{
    flow_buf b = { 0 };
    flow_repr_str(&b, (flow_str){ s, (int64_t)n });
    unit_check_bytes(b.p, b.n, want, file, line);
    flow_buf_free(&b);
}
#define STR(lit, want) check_str((lit), sizeof(lit) - 1, (want), __FILE__, __LINE__)

static void str_quotes(void **state)
{
    (void)state;
    STR("a", "'a'");
    STR("", "''");
    STR("it's", "\"it's\"");
    STR("say \"hi\"", "'say \"hi\"'");
    STR("both ' and \"", "'both \\' and \"'");
    STR("(\"'\")", "'(\"\\'\")'");
}

static void str_escapes(void **state)
{
    (void)state;
    STR("a\n\t\\\x00\x7f", "'a\\n\\t\\\\\\x00\\x7f'");
    STR("\r\x01\x1f", "'\\r\\x01\\x1f'");
    STR("h\xc3\xa9llo", "'h\xc3\xa9llo'");                    /* héllo kept */
    STR("\xe2\x80\x8b\xc2\xa0\xc2\xad\xc2\x85", "'\\u200b\\xa0\\xad\\x85'");
    STR("\xf0\x9f\x98\x80", "'\xf0\x9f\x98\x80'");              /* emoji kept */
    STR("\xf3\xa0\x80\x81", "'\\U000e0001'");                   /* tag char */
    STR("\xe2\x80\x9cquoted\xe2\x80\x9d", "'\xe2\x80\x9cquoted\xe2\x80\x9d'");
    STR("\xff", "'\\xff'");                                     /* not UTF-8 */
}

static void scalars(void **state)
{
    (void)state;
    flow_buf b = { 0 };
    flow_repr_int(&b, 42);
    flow_buf_putc(&b, ' ');
    flow_repr_int(&b, -7);
    flow_buf_putc(&b, ' ');
    flow_repr_bool(&b, true);
    flow_buf_putc(&b, ' ');
    flow_repr_bool(&b, false);
    flow_buf_putc(&b, ' ');
    flow_repr_none(&b);
    ASSERT_BUF(b, "42 -7 True False None");
    flow_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(float_edges),
        cmocka_unit_test(float_powers_of_two),
        cmocka_unit_test(float_to_str),
        cmocka_unit_test(int_to_str),
        cmocka_unit_test(str_quotes),
        cmocka_unit_test(str_escapes),
        cmocka_unit_test(scalars),
    };
    return cmocka_run_group_tests_name("repr", tests, NULL, NULL);
}
