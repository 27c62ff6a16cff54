/*
 * test_str.c - the string built-ins (str.c, case.c, num.c, utf8.c) against
 * Python's str methods, int(), float() and float arithmetic (expected
 * values computed with python3).
 */
#include "unit.h"

#include <math.h>

#include "internal.h"

static void check_list(flow_list_str l, const char **want, int64_t n, int line)
{
    if (l.n != n)
        fail_msg("line %d: %lld items, want %lld", line, (long long)l.n, (long long)n);
    for (int64_t i = 0; i < n; i++)
        unit_check_bytes(l.v[i].p, (size_t)l.v[i].n, want[i], __FILE__, line);
}
#define LIST(l, ...)                                                        \
    do {                                                                    \
        const char *want_[] = { __VA_ARGS__ };                              \
        check_list((l), want_ + 1, (int64_t)(sizeof want_ / sizeof *want_) - 1, __LINE__); \
    } while (0)

static void compare(void **state)
{
    (void)state;
    assert_true(flow_str_cmp(S("a"), S("b")) < 0);
    assert_true(flow_str_cmp(S("ab"), S("a")) > 0);
    assert_true(flow_str_cmp(S(""), S("a")) < 0);
    assert_int_equal(flow_str_cmp(S("abc"), S("abc")), 0);
    assert_true(flow_str_cmp(S("Z"), S("a")) < 0);
    assert_true(flow_str_cmp(S("z"), S("\xc3\xa9")) < 0);    /* bytes unsigned */
    assert_true(flow_str_eq(S(""), (flow_str){ NULL, 0 }));
}

static void copy_concat(void **state)
{
    flow_arena *A = *state;
    ASSERT_STR(flow_str_concat(A, S("ab"), S("cd")), "abcd");
    ASSERT_STR(flow_str_concat(A, S(""), S("")), "");
    ASSERT_STR(flow_str_dup(A, S("xyz")), "xyz");
    size_t before = flow_mem_in_use();
    flow_str h = flow_str_dup_heap(S("heap"));
    ASSERT_STR(h, "heap");
    assert_true(flow_mem_in_use() > before);
    flow_str_free(h);
    assert_int_equal(flow_mem_in_use(), before);
}

static void trim_split(void **state)
{
    flow_arena *A = *state;
    /* ' \u3000hé\u2003 '.strip() == 'hé' */
    ASSERT_STR(flow_str_trim(A, S(" \xe3\x80\x80h\xc3\xa9\xe2\x80\x83 ")), "h\xc3\xa9");
    ASSERT_STR(flow_str_trim(A, S(" \t\n ")), "");
    ASSERT_STR(flow_str_trim(A, S("a b")), "a b");
    LIST(flow_str_split_ws(A, S("a  b\xe2\x80\x83" "c ")), "", "a", "b", "c");
    LIST(flow_str_split_ws(A, S("   ")), "");
    LIST(flow_str_split_ws(A, S("")), "");
    LIST(flow_str_split(A, S("a,,b,"), S(",")), "", "a", "", "b", "");
    LIST(flow_str_split(A, S(""), S(",")), "", "");
    LIST(flow_str_split(A, S("a::b::c"), S("::")), "", "a", "b", "c");
    flow_list_str many = flow_str_split(A, S("1,2,3,4,5,6,7,8,9,10,11,12"), S(","));
    assert_int_equal(many.n, 12);
    ASSERT_STR(many.v[11], "12");
}

/* split with maxsplit, join, strip(chars), lstrip, rstrip, zfill: the
 * results Python 3.11 gives (in the comments) */
static void split_join_strip_zfill(void **state)
{
    flow_arena *A = *state;
    LIST(flow_str_split_ws_max(A, S("  a  b  c  "), 1), "", "a", "b  c  ");   /* .split(None, 1) */
    LIST(flow_str_split_ws_max(A, S("  a  b  c  "), 0), "", "a  b  c  ");
    LIST(flow_str_split_ws_max(A, S("   "), 0), "");
    LIST(flow_str_split_max(A, S("a,b,,c"), S(","), 2), "", "a", "b", ",c");
    LIST(flow_str_split_max(A, S("a,b"), S(","), 0), "", "a,b");
    flow_str xyz[] = { S("x"), S("y"), S("z") };
    ASSERT_STR(flow_str_join(A, S(", "), (flow_list_str){ xyz, 3 }), "x, y, z");
    ASSERT_STR(flow_str_join(A, S(", "), (flow_list_str){ xyz, 0 }), "");
    ASSERT_STR(flow_str_strip_chars(A, S("xxhixyx"), S("xy"), 3), "hi");
    ASSERT_STR(flow_str_strip_chars(A, S("xxhixyx"), S("xy"), 1), "hixyx");
    ASSERT_STR(flow_str_strip_chars(A, S("xxhixyx"), S("xy"), 2), "xxhi");
    ASSERT_STR(flow_str_strip_chars(A, S("\xc3\xa9" "a" "\xc3\xa9"), S("\xc3\xa9"), 3), "a");   /* 'éaé'.strip('é') */
    ASSERT_STR(flow_str_strip_ws(A, S("  x "), 1), "x ");
    ASSERT_STR(flow_str_strip_ws(A, S("  x "), 2), "  x");
    ASSERT_STR(flow_str_zfill(A, S("-42"), 6), "-00042");
    ASSERT_STR(flow_str_zfill(A, S("+7"), 1), "+7");
    ASSERT_STR(flow_str_zfill(A, S("ab"), 5), "000ab");
    ASSERT_STR(flow_str_zfill(A, S(""), 3), "000");
}

static void search(void **state)
{
    (void)state;
    assert_true(flow_str_starts_with(S("hello"), S("he")));
    assert_true(flow_str_starts_with(S("hello"), S("")));
    assert_false(flow_str_starts_with(S("he"), S("hello")));
    assert_true(flow_str_ends_with(S("hello"), S("llo")));
    assert_false(flow_str_ends_with(S("hello"), S("hel")));
    assert_true(flow_str_contains(S("hello"), S("ell")));
    assert_true(flow_str_contains(S(""), S("")));
    assert_false(flow_str_contains(S("hello"), S("xl")));
}

static void replace(void **state)
{
    flow_arena *A = *state;
    ASSERT_STR(flow_str_replace(A, S("aaa"), S("a"), S("bb")), "bbbbbb");
    ASSERT_STR(flow_str_replace(A, S("ab"), S(""), S("-")), "-a-b-");
    ASSERT_STR(flow_str_replace(A, S("h\xc3\xa9"), S(""), S(".")), ".h.\xc3\xa9.");
    ASSERT_STR(flow_str_replace(A, S("abc"), S("x"), S("y")), "abc");
    ASSERT_STR(flow_str_replace(A, S("abcabc"), S("bc"), S("")), "aa");
    ASSERT_STR(flow_str_replace(A, S("aa"), S("a"), S("")), "");
}

static void substr(void **state)
{
    flow_arena *A = *state;
    flow_str s = S("h\xc3\xa9llo");    /* héllo */
    ASSERT_STR(flow_str_substr(A, s, 1, 2), "\xc3\xa9l");
    ASSERT_STR(flow_str_substr(A, s, -3, 2), "ll");
    ASSERT_STR(flow_str_substr(A, s, -99, 2), "h\xc3\xa9");
    ASSERT_STR(flow_str_substr(A, s, 3, 99), "lo");
    ASSERT_STR(flow_str_substr(A, s, 9, 2), "");
    ASSERT_STR(flow_str_substr(A, s, 0, 0), "");
    ASSERT_STR(flow_str_substr(A, s, 0, -1), "");
    assert_int_equal(flow_utf8_len(s), 5);
    assert_int_equal(flow_utf8_len(S("\xf0\x9f\x98\x80!")), 2);
}

static void utf8_validity(void **state)
{
    (void)state;
    assert_true(flow_utf8_valid("", 0));
    assert_true(flow_utf8_valid("plain ascii text, long enough", 29));
    assert_true(flow_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 13));
    assert_false(flow_utf8_valid("\xc0\xaf", 2));             /* overlong '/' */
    assert_false(flow_utf8_valid("\xe0\x80\xaf", 3));         /* overlong */
    assert_false(flow_utf8_valid("\xed\xa0\x80", 3));         /* surrogate */
    assert_false(flow_utf8_valid("\xf4\x90\x80\x80", 4));     /* > U+10FFFF */
    assert_false(flow_utf8_valid("abc\xc3", 4));              /* truncated */
    assert_false(flow_utf8_valid("\x80", 1));                 /* lone continuation */
    assert_false(flow_utf8_valid("12345678\xff", 9));
}

/* lower()/upper() map eight ASCII bytes at a time and validity skips
 * eight (or 32) ASCII bytes at a time: on random mixed text, the whole string's
 * mapping equals the concatenation of each code point's (mapped alone, so
 * by the byte loop), and validity equals a code point by code point walk. */
static void case_and_validity_random(void **state)
{
    flow_arena *A = *state;
    uint64_t seed = 0x2545f4914f6cdd1du;
    for (int i = 0; i < 20000; i++) {
        char buf[256];
        size_t n = unit_random_text(&seed, buf, sizeof buf, i % 4 == 0);
        bool valid = true;
        for (size_t j = 0; j < n;) {
            size_t len = 1;
            while (j + len <= n && len <= 4 && !flow_utf8_valid(buf + j, len))
                len++;
            if (j + len > n || len > 4) {
                valid = false;
                break;
            }
            j += len;
        }
        if (flow_utf8_valid(buf, n) != valid)
            fail_msg("flow_utf8_valid('%s') is %d", buf, !valid);
        /* the longest valid prefix: valid, and no sequence starts where it
         * ends */
        size_t vp = flowi_utf8_valid_prefix((const unsigned char *)buf, n);
        if ((vp == n) != valid || !flow_utf8_valid(buf, vp))
            fail_msg("flowi_utf8_valid_prefix('%s') is %zu", buf, vp);
        for (size_t len = 1; vp < n && len <= 4 && vp + len <= n; len++)
            if (flow_utf8_valid(buf + vp, len))
                fail_msg("flowi_utf8_valid_prefix('%s') is %zu: a sequence starts there", buf, vp);
        if (!valid)
            continue;
        for (int up = 0; up < 2; up++) {
            flow_str s = { buf, (int64_t)n };
            flow_str whole = up ? flow_str_upper(A, s) : flow_str_lower(A, s);
            flow_buf parts = { 0 };
            for (size_t j = 0; j < n;) {
                size_t len = 1;
                while (!flow_utf8_valid(buf + j, len))
                    len++;
                flow_str c = { buf + j, (int64_t)len };
                flow_str m = up ? flow_str_upper(A, c) : flow_str_lower(A, c);
                flow_buf_put(&parts, m.p, (size_t)m.n);
                j += len;
            }
            if ((size_t)whole.n != parts.n || (parts.n && memcmp(whole.p, parts.p, parts.n) != 0))
                fail_msg("%s('%s') differs from its code points mapped one by one", up ? "upper" : "lower", buf);
            flow_buf_free(&parts);
        }
        if (i % 1000 == 0)
            flow_arena_reset(A);
    }
}

static void case_mapping(void **state)
{
    flow_arena *A = *state;
    ASSERT_STR(flow_str_lower(A, S("Hello, World 42")), "hello, world 42");
    ASSERT_STR(flow_str_upper(A, S("Hello, World 42")), "HELLO, WORLD 42");
    ASSERT_STR(flow_str_lower(A, S("\xc3\x89" "COLE")), "\xc3\xa9" "cole");    /* ÉCOLE */
    ASSERT_STR(flow_str_upper(A, S("\xc3\xa9" "cole \xc7\x86")), "\xc3\x89" "COLE \xc7\x84");
    ASSERT_STR(flow_str_lower(A, S("\xe2\x84\xaa")), "k");                   /* KELVIN SIGN */
    ASSERT_STR(flow_str_upper(A, S("\xc9\x90")), "\xe2\xb1\xaf");             /* ɐ grows */
    ASSERT_STR(flow_str_lower(A, S("\xce\xa3\xce\x91")), "\xcf\x83\xce\xb1"); /* ΣΑ */
    /* Python's full mappings: 'straße'.upper(), 'İ'.lower(), 'ΐ'.upper() */
    ASSERT_STR(flow_str_upper(A, S("stra\xc3\x9f" "e")), "STRASSE");
    ASSERT_STR(flow_str_lower(A, S("\xc4\xb0")), "i\xcc\x87");
    ASSERT_STR(flow_str_upper(A, S("\xce\x90")), "\xce\x99\xcc\x88\xcc\x81");
    ASSERT_STR(flow_str_lower(A, S("\xff\xc3\x89")), "\xff\xc3\xa9");    /* bad byte kept */
    ASSERT_STR(flow_str_lower(A, S("")), "");
    /* the ASCII pass hands over mid-string: at a word, in the overlapping
     * last word, in a string of under 8 bytes */
    ASSERT_STR(flow_str_lower(A, S("ABCDEFGH\xc3\x89XYZ")), "abcdefgh\xc3\xa9xyz");
    ASSERT_STR(flow_str_lower(A, S("ABCDEFGHIJ\xc3\x89")), "abcdefghij\xc3\xa9");
    ASSERT_STR(flow_str_upper(A, S("ab\xc3\x9f")), "ABSS");
    ASSERT_STR(flow_str_lower(A, S("\xe2\x80\x99TIS \xe2\x80\x94 \xe2\x80\x9c" "A\xe2\x80\x9d")),
               "\xe2\x80\x99tis \xe2\x80\x94 \xe2\x80\x9c" "a\xe2\x80\x9d");
    /* U+2000..U+20FF take a shortcut (no case mapping there): each maps to
     * itself, as in Python; U+2126 OHM SIGN, just past it, does not */
    for (unsigned cp = 0x2000; cp < 0x2100; cp++) {
        char c[4] = { (char)0xE2, (char)(0x80 | (cp >> 6 & 0x3F)), (char)(0x80 | (cp & 0x3F)), 'A' };
        flow_str s = { c, 4 };
        flow_str lo = flow_str_lower(A, s), up = flow_str_upper(A, s);
        assert_int_equal(lo.n, 4);
        assert_int_equal(up.n, 4);
        assert_memory_equal(lo.p, c, 3);
        assert_memory_equal(up.p, c, 3);
        assert_int_equal(lo.p[3], 'a');
    }
    ASSERT_STR(flow_str_lower(A, S("\xe2\x84\xa6")), "\xcf\x89");
}

static void int_parse(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(flow_int_parse(S(" -1_000 "), &v));
    assert_int_equal(v, -1000);
    assert_true(flow_int_parse(S("+007"), &v));
    assert_int_equal(v, 7);
    assert_true(flow_int_parse(S("9223372036854775807"), &v));
    assert_int_equal(v, INT64_MAX);
    assert_true(flow_int_parse(S("-9223372036854775808"), &v));
    assert_int_equal(v, INT64_MIN);
    static const char *bad[] = { "", " ", "9223372036854775808", "1_", "_1", "1__0",
                                 "1.0", "0x10", "--1", "1 2", "+" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (flow_int_parse(S(bad[i]), &v))
            fail_msg("int accepted '%s'", bad[i]);
}

static void float_parse(void **state)
{
    (void)state;
    double v = 0;
    assert_true(flow_float_parse(S(" 1_0.5e1_0 "), &v));
    assert_true(v == 105000000000.0);
    assert_true(flow_float_parse(S(".5"), &v) && v == 0.5);
    assert_true(flow_float_parse(S("5."), &v) && v == 5.0);
    assert_true(flow_float_parse(S("-Infinity"), &v) && isinf(v) && v < 0);
    assert_true(flow_float_parse(S("nan"), &v) && isnan(v));
    assert_true(flow_float_parse(S("1e500"), &v) && isinf(v));
    assert_true(flow_float_parse(S("-0"), &v) && v == 0 && signbit(v));
    /* plain decimals (num.c's fast path) are correctly rounded, as strtod */
    char txt[64];
    uint64_t r = 99;
    for (int i = 0; i < 300000; i++) {
        r = r * 6364136223846793005u + 1442695040888963407u;
        int nd = 1 + (int)((r >> 33) % 21), dot = (int)((r >> 40) % (nd + 2)) - 1;
        int o = 0;
        if ((r >> 50) & 1)
            txt[o++] = '-';
        uint64_t q = r;
        for (int d = 0; d < nd; d++) {
            if (d == dot)
                txt[o++] = '.';
            q = q * 6364136223846793005u + 1;
            txt[o++] = (char)('0' + (q >> 40) % 10);
        }
        if (dot == nd)
            txt[o++] = '.';
        txt[o] = '\0';
        double want = strtod(txt, NULL);
        assert_true(flow_float_parse(S(txt), &v));
        if (memcmp(&v, &want, sizeof v) != 0)
            fail_msg("float('%s') = %.17g, strtod %.17g", txt, v, want);
    }
    /* mantissas around 2^53 (the fast path's limit) and 19-20 digits */
    static const char *edge[] = { "9007199254740992", "9007199254740993", "9007199254740991.5",
                                  "900719925474099.25", "0.9007199254740993", "18446744073709551615",
                                  "1844674407370955161.6", "0.0000000000000000001", "48.56800000000001",
                                  "1.7619999999999998", "-0.2019999999999999" };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        double want = strtod(edge[i], NULL);
        assert_true(flow_float_parse(S(edge[i]), &v));
        if (memcmp(&v, &want, sizeof v) != 0)
            fail_msg("float('%s') = %.17g, strtod %.17g", edge[i], v, want);
    }
    static const char *bad[] = { "", ".", "e5", "1e", "0x10", "1._5", "1_.5", "inf x",
                                 "1.5f", "--1", "in", "-", "-.", "1.2.3", "1..2", "1-2" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (flow_float_parse(S(bad[i]), &v))
            fail_msg("float accepted '%s'", bad[i]);
}

static void float_arith(void **state)
{
    (void)state;
    /* -7.5%2, 7.5%-2, -7.5//2, 7.5//-2, (-0.0)%5 */
    assert_true(flow_f64_mod(-7.5, 2) == 0.5);
    assert_true(flow_f64_mod(7.5, -2) == -0.5);
    assert_true(flow_f64_floordiv(-7.5, 2) == -4.0);
    assert_true(flow_f64_floordiv(7.5, -2) == -4.0);
    double z = flow_f64_mod(-0.0, 5);
    assert_true(z == 0.0 && !signbit(z));
    assert_true(signbit(flow_f64_mod(0.0, -5)));
    assert_true(flow_f64_round_half_even(2.5) == 2.0);
    assert_true(flow_f64_round_half_even(3.5) == 4.0);
    assert_true(flow_f64_round_half_even(-0.5) == 0.0);
    assert_true(flow_f64_round_half_even(2.6) == 3.0);
    assert_int_equal(flow_i64_floordiv(-7, 2), -4);
    assert_int_equal(flow_i64_mod(-7, 2), 1);
    assert_int_equal(flow_i64_mod(7, -2), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compare),
        cmocka_unit_test(copy_concat),
        cmocka_unit_test(trim_split),
        cmocka_unit_test(search),
        cmocka_unit_test(split_join_strip_zfill),
        cmocka_unit_test(replace),
        cmocka_unit_test(substr),
        cmocka_unit_test(utf8_validity),
        cmocka_unit_test(case_mapping),
        cmocka_unit_test(case_and_validity_random),
        cmocka_unit_test(int_parse),
        cmocka_unit_test(float_parse),
        cmocka_unit_test(float_arith),
    };
    return cmocka_run_group_tests_name("str", tests, unit_arena_setup, unit_arena_teardown);
}
