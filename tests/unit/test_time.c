/*
 * test_time.c - timestamps and durations (time.c): parsing RFC 3339 and
 * duration literals, civil fields before 1970 and at the range ends, and
 * Python's repr()/str() of datetime and timedelta (expected strings
 * computed with python3's datetime module).
 */
#include "unit.h"
#include "internal.h"    /* flowi_time_parse_general */

static flow_time parse_ok(const char *s)
{
    flow_time t = 0;
    assert_true(flow_time_parse(s, strlen(s), &t));
    return t;
}

/* Fails if PARSE accepts any of the N strings in BAD. */
static void check_rejects(bool (*parse)(const char *s, size_t n, int64_t *out),
                          const char *const *bad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        if (parse(bad[i], strlen(bad[i]), &v))
            fail_msg("accepted '%s'", bad[i]);
    }
}

static void parse_times(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2022-01-01T00:00:00Z"), INT64_C(1640995200000000));
    assert_int_equal(parse_ok("2022-01-01t00:00:00z"), INT64_C(1640995200000000));
    assert_int_equal(parse_ok("2022-01-01 00:00:00"), INT64_C(1640995200000000));
    assert_int_equal(parse_ok("2022-01-01T00:00:00.250+02:00"), INT64_C(1640988000250000));
    assert_int_equal(parse_ok("2022-01-01T00:00:04.1234567Z"), INT64_C(1640995204123456));
    assert_int_equal(parse_ok("1969-12-31 23:59:59.999999"), -1);
    assert_int_equal(parse_ok("0001-01-01T00:00:00Z"), FLOW_TIME_MIN);
    assert_int_equal(parse_ok("9999-12-31T23:59:59.999999Z"), FLOW_TIME_MAX);
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), INT64_C(951782400000000));
}

/* flow_time_parse (with time.c's fast path for "YYYY-MM-DD HH:MM:SS",
 * a fraction and "Z"/"+00:00") agrees with the general parser: on valid
 * stamps of every shape over the whole range, and on the same stamps with
 * one byte replaced, inserted or cut (accepted or not, the same instant). */
static void parse_fast_shape(void **state)
{
    (void)state;
    static const int days[] = { 1, 28, 29, 30, 31 };
    static const char *zones[] = { "", "Z", "z", "+00:00", "-00:00", "+01:30", "+00:0", "Zz" };
    static const char bytes[] = { '0', '9', '5', '/', ':', '-', '.', 'T', ' ', 'Z', '+', 'a', '\xfa', '\xff', 0 };
    uint64_t r = 2463534242u;
#define NEXT() (r ^= r << 13, r ^= r >> 7, r ^= r << 17, r)
    int n = 0, fast = 0;
    for (int y = 1; y <= 9999; y += 7)
        for (int m = 1; m <= 12; m++)
            for (int k = 0; k < 5; k++) {
                char a[80];
                int h = (y + m) % 24, mi = (y * 7 + k) % 60, s = (y * 13 + m) % 60;
                int nf = (int)(NEXT() % 12) - 2;    /* fraction digits, none below 1 */
                int len = snprintf(a, sizeof a, "%04d-%02d-%02d%c%02d:%02d:%02d", y, m, days[k], " Tt"[k % 3], h, mi, s);
                if (nf > 0) {
                    a[len++] = '.';
                    for (int j = 0; j < nf; j++)
                        a[len++] = (char)('0' + NEXT() % 10);
                }
                len += snprintf(a + len, sizeof a - (size_t)len, "%s", zones[NEXT() % 8]);
                for (int v = 0; v < 4; v++) {
                    char b[80];
                    int bl = len;
                    memcpy(b, a, (size_t)len);
                    int at = (int)(NEXT() % (uint64_t)len);
                    if (v == 1) {
                        b[at] = bytes[NEXT() % sizeof bytes];
                    } else if (v == 2) {
                        memmove(b + at + 1, b + at, (size_t)(len - at));
                        b[at] = bytes[NEXT() % sizeof bytes];
                        bl++;
                    } else if (v == 3) {
                        bl = at;
                    }
                    flow_time ta = 0, tb = 0;
                    bool oka = flow_time_parse(b, (size_t)bl, &ta), okb = flowi_time_parse_general(b, (size_t)bl, &tb);
                    if (oka != okb || (oka && ta != tb))
                        fail_msg("'%.*s': fast path and general parser differ", bl, b);
                    n += oka;
                    fast += oka && v == 0;
                }
            }
#undef NEXT
    assert_true(fast > 50000);
    assert_true(n > 60000);
}

static void parse_rejects(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "2022-01-01", "2022-01-01T00:00", "2022-13-01T00:00:00Z",
        "2022-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2022-01-01T24:00:00Z",
        "2022-01-01T00:60:00Z", "2022-01-01T00:00:60Z", "2022-01-01T00:00:00.Z",
        "2022-01-01T00:00:00+2:00", "2022-01-01T00:00:00Zx", "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "2022/01/01T00:00:00Z",
        "2022-01-01 00:00:0x", "2022-01-01 0a:00:00", "2022-01-01 00:00:00Q", "2022-01-01x00:00:00",
        "2022-02-29 00:00:00", "2022-04-31 00:00:00",
    };
    check_rejects(flow_time_parse, bad, sizeof bad / sizeof bad[0]);
}

static void parse_durations(void **state)
{
    (void)state;
    static const struct { const char *s; int64_t us; } ok[] = {
        { "250us", 250 }, { "5ms", 5000 }, { "10s", 10000000 }, { "1.5s", 1500000 },
        { "2m", 120000000 }, { "1h", INT64_C(3600000000) }, { "1d", INT64_C(86400000000) },
        { "0s", 0 }, { "0.0000005s", 0 }, { "0.0000015s", 2 }, { "1.25ms", 1250 },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t us = -1;
        assert_true(flow_duration_parse(ok[i].s, strlen(ok[i].s), &us));
        assert_int_equal(us, ok[i].us);
    }
    static const char *bad[] = { "", "s", "10", "10 s", "1.s", ".5s", "-1s", "10sec",
                                 "99999999999999999999us", "200000000d" };
    check_rejects(flow_duration_parse, bad, sizeof bad / sizeof bad[0]);
}

static void fields(void **state)
{
    (void)state;
    int y, mo, d, h, mi, s, us;
    flow_time_fields(INT64_C(-2203930379999999), &y, &mo, &d, &h, &mi, &s, &us);
    assert_int_equal(y, 1900);
    assert_int_equal(mo, 2);
    assert_int_equal(d, 28);
    assert_int_equal(h, 13);
    assert_int_equal(mi, 7);
    assert_int_equal(s, 0);
    assert_int_equal(us, 1);
    flow_time_fields(FLOW_TIME_MIN, &y, &mo, &d, &h, &mi, &s, &us);
    assert_int_equal(y, 1);
    assert_int_equal(mo, 1);
    assert_int_equal(d, 1);
    flow_time_fields(FLOW_NO_TIME, &y, &mo, &d, &h, &mi, &s, &us);    /* no overflow */
    assert_true(us >= 0 && us < 1000000);
}

typedef void (*fmt_fn)(flow_buf *b, int64_t v);
typedef flow_str (*str_fn)(flow_arena *a, int64_t v);

/* Checks the repr() (REPR_FN) and str() (FMT_FN, STR_FN) forms of V. */
static void check_forms(int64_t v, fmt_fn repr_fn, fmt_fn fmt_fn_, str_fn str_fn_,
                        const char *repr, const char *str, int line)
{
    flow_buf b = { 0 };
    repr_fn(&b, v);
    unit_check_bytes(b.p, b.n, repr, __FILE__, line);
    b.n = 0;
    fmt_fn_(&b, v);
    unit_check_bytes(b.p, b.n, str, __FILE__, line);
    flow_buf_free(&b);
    flow_arena a;
    flow_arena_init(&a);
    flow_str s = str_fn_(&a, v);
    unit_check_bytes(s.p, (size_t)s.n, str, __FILE__, line);
    flow_arena_destroy(&a);
}

static void check_time(flow_time t, const char *repr, const char *str, int line)
{
    check_forms(t, flow_repr_time, flow_fmt_time, flow_str_from_time, repr, str, line);
}

static void time_repr(void **state)
{
    (void)state;
    check_time(INT64_C(1640995200000000),
               "datetime.datetime(2022, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)",
               "2022-01-01 00:00:00+00:00", __LINE__);
    check_time(INT64_C(1640995204000000),
               "datetime.datetime(2022, 1, 1, 0, 0, 4, tzinfo=datetime.timezone.utc)",
               "2022-01-01 00:00:04+00:00", __LINE__);
    check_time(INT64_C(1672574400500000),
               "datetime.datetime(2023, 1, 1, 12, 0, 0, 500000, tzinfo=datetime.timezone.utc)",
               "2023-01-01 12:00:00.500000+00:00", __LINE__);
    check_time(-1,
               "datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc)",
               "1969-12-31 23:59:59.999999+00:00", __LINE__);
    check_time(FLOW_TIME_MIN, "datetime.datetime(1, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)",
               "0001-01-01 00:00:00+00:00", __LINE__);
    check_time(FLOW_TIME_MAX,
               "datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc)",
               "9999-12-31 23:59:59.999999+00:00", __LINE__);
    check_time(INT64_C(-2203930379999999),
               "datetime.datetime(1900, 2, 28, 13, 7, 0, 1, tzinfo=datetime.timezone.utc)",
               "1900-02-28 13:07:00.000001+00:00", __LINE__);
}

static void check_duration(int64_t us, const char *repr, const char *str, int line)
{
    check_forms(us, flow_repr_duration, flow_fmt_duration, flow_str_from_duration, repr, str,
                line);
}

static void duration_repr(void **state)
{
    (void)state;
    check_duration(0, "datetime.timedelta(0)", "0:00:00", __LINE__);
    check_duration(10000000, "datetime.timedelta(seconds=10)", "0:00:10", __LINE__);
    check_duration(-1, "datetime.timedelta(days=-1, seconds=86399, microseconds=999999)",
                   "-1 day, 23:59:59.999999", __LINE__);
    check_duration(-10000000, "datetime.timedelta(days=-1, seconds=86390)",
                   "-1 day, 23:59:50", __LINE__);
    check_duration(INT64_C(86400250000), "datetime.timedelta(days=1, microseconds=250000)",
                   "1 day, 0:00:00.250000", __LINE__);
    check_duration(INT64_C(172800000000), "datetime.timedelta(days=2)",
                   "2 days, 0:00:00", __LINE__);
    check_duration(INT64_C(-86400000000), "datetime.timedelta(days=-1)",
                   "-1 day, 0:00:00", __LINE__);
    check_duration(INT64_C(3600000001), "datetime.timedelta(seconds=3600, microseconds=1)",
                   "1:00:00.000001", __LINE__);
}

static void now_real(void **state)
{
    (void)state;
    flow_time t = flow_time_now_real();
    assert_true(t > INT64_C(1640995200000000));    /* after 2022 */
    assert_true(t < FLOW_TIME_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_times),
        cmocka_unit_test(parse_fast_shape),
        cmocka_unit_test(parse_rejects),
        cmocka_unit_test(parse_durations),
        cmocka_unit_test(fields),
        cmocka_unit_test(time_repr),
        cmocka_unit_test(duration_repr),
        cmocka_unit_test(now_real),
    };
    return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
