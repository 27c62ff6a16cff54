/*
 * test_jsonv.c - unit tests of jsonv.c, the json type's values: parsing
 * to canonical text (and Python's JSONDecodeError messages), repr and
 * json.dumps of the loaded value, member and element access with
 * Python's errors, len, iteration, int()/float()/bool(), == and `in`.
 *
 * Every expected repr, dumps and error text was printed by Python 3.11
 * (print(json.loads(s)), json.dumps(json.loads(s), ensure_ascii=False),
 * str(e) of the JSONDecodeError).
 */
#include <math.h>
#include "unit.h"

static flow_arena A;
static flow_buf E;

static flow_str P(const char *s)
{
    flow_str out = { 0 };
    if (!flow_jv_parse(&A, s, strlen(s), &out, &E))
        fail_msg("parse of '%s' failed: %s", s, E.p);
    return out;
}

static void repr_is(const char *in, const char *want_repr, const char *want_json)
{
    flow_str j = P(in);
    flow_buf b = { 0 };
    flow_jv_repr(&b, j);
    ASSERT_BUF(b, want_repr);
    b.n = 0;
    flow_jv_put_json(&b, j);
    ASSERT_BUF(b, want_json);
    flow_buf_free(&b);
}

static void test_canonical(void **state)
{
    (void)state;
    ASSERT_STR(P(" { \"a\" : [ 1 , 2.50 , \"x\\u0041\\/\" ] ,\n\"b\":null } "), "{\"a\":[1,2.50,\"xA/\"],\"b\":null}");
    ASSERT_STR(P("\"\\u00e9\\n\\u0001\\ud83d\\ude00\""), "\"\xc3\xa9\\n\\u0001\xf0\x9f\x98\x80\"");
    ASSERT_STR(P("-0"), "-0");
    ASSERT_STR(P("[NaN,Infinity,-Infinity]"), "[NaN,Infinity,-Infinity]");
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct { const char *in, *msg; } cases[] = {
        { "", "Expecting value: line 1 column 1 (char 0)" },
        { "[1,", "Expecting value: line 1 column 4 (char 3)" },
        { "{\"a\" 1}", "Expecting ':' delimiter: line 1 column 6 (char 5)" },
        { "{1:2}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)" },
        { "\"abc", "Unterminated string starting at: line 1 column 1 (char 0)" },
        { "\"a\\x\"", "Invalid \\escape: line 1 column 3 (char 2)" },
        { "[1] x", "Extra data: line 1 column 5 (char 4)" },
        { "nul", "Expecting value: line 1 column 1 (char 0)" },
        { "01", "Extra data: line 1 column 2 (char 1)" },
        { "1.", "Extra data: line 1 column 2 (char 1)" },
        { "-", "Expecting value: line 1 column 1 (char 0)" },
        { "\"\t\"", "Invalid control character at: line 1 column 2 (char 1)" },
        { "{\"a\": 1\n, \"\xc3\xa9\" 2}", "Expecting ':' delimiter: line 2 column 7 (char 14)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        flow_str out;
        assert_false(flow_jv_parse(&A, cases[i].in, strlen(cases[i].in), &out, &E));
        ASSERT_BUF(E, cases[i].msg);
    }
}

static void test_repr(void **state)
{
    (void)state;
    repr_is("{\"a\": 1, \"b\": [1, 2.5, \"x\", null, true]}", "{'a': 1, 'b': [1, 2.5, 'x', None, True]}",
            "{\"a\": 1, \"b\": [1, 2.5, \"x\", null, true]}");
    /* duplicate keys: the last value at the first key's place */
    repr_is("{\"a\": 1, \"b\": 2, \"a\": 3}", "{'a': 3, 'b': 2}", "{\"a\": 3, \"b\": 2}");
    repr_is("[1e3, 1E-7, -0, -0.0, 12345678901234567890123, 1e400]",
            "[1000.0, 1e-07, 0, -0.0, 12345678901234567890123, inf]",
            "[1000.0, 1e-07, 0, -0.0, 12345678901234567890123, Infinity]");
    repr_is("[\"it's\", \"say \\\"hi\\\"\", \"\\u00e9\\t\"]", "[\"it's\", 'say \"hi\"', '\xc3\xa9\\t']",
            "[\"it's\", \"say \\\"hi\\\"\", \"\xc3\xa9\\t\"]");
    /* DEL: repr escapes it, json.dumps(ensure_ascii=False) keeps it raw */
    repr_is("[\"a\x7f" "b\", \"\\u007f\"]", "['a\\x7fb', '\\x7f']", "[\"a\x7f" "b\", \"\x7f\"]");
    repr_is("{}", "{}", "{}");
    repr_is("[[], {\"\": {}}]", "[[], {'': {}}]", "[[], {\"\": {}}]");
    flow_buf b = { 0 };
    flow_jv_str_form(&b, P("\"it's\""));
    ASSERT_BUF(b, "it's");
    flow_buf_free(&b);
    ASSERT_STR(flow_jv_to_str(&A, P("[true]"), &E), "[True]");
}

static void test_access(void **state)
{
    (void)state;
    flow_str j = P("{\"a\": 1, \"l\": [10, 20, 30], \"a\": {\"x\\n\": \"s\"}}"), v;
    assert_true(flow_jv_index_str(j, S("a"), &v, &E));
    ASSERT_STR(v, "{\"x\\n\":\"s\"}");
    assert_true(flow_jv_index_str(v, S("x\n"), &v, &E));
    ASSERT_STR(v, "\"s\"");
    assert_false(flow_jv_index_str(j, S("it's"), &v, &E));
    ASSERT_BUF(E, "KeyError: \"it's\"");
    assert_true(flow_jv_index_str(j, S("l"), &v, &E));
    flow_str l = v;
    assert_true(flow_jv_index_int(&A, l, -1, &v, &E));
    ASSERT_STR(v, "30");
    assert_false(flow_jv_index_int(&A, l, 3, &v, &E));
    ASSERT_BUF(E, "IndexError: list index out of range");
    assert_false(flow_jv_index_str(l, S("a"), &v, &E));
    ASSERT_BUF(E, "TypeError: list indices must be integers or slices, not str");
    assert_false(flow_jv_index_int(&A, j, 0, &v, &E));
    ASSERT_BUF(E, "KeyError: 0");
    assert_false(flow_jv_index_str(P("3"), S("a"), &v, &E));
    ASSERT_BUF(E, "TypeError: 'int' object is not subscriptable");
    assert_true(flow_jv_index_int(&A, P("\"h\xc3\xa9!\""), 1, &v, &E));
    ASSERT_STR(v, "\"\xc3\xa9\"");
    assert_int_equal(flow_jv_get(j, S("zz"), &v, &E), 0);
    assert_int_equal(flow_jv_get(l, S("zz"), &v, &E), -1);
    ASSERT_BUF(E, "AttributeError: 'list' object has no attribute 'get'");
    int64_t n;
    assert_true(flow_jv_len(j, &n, &E));
    assert_int_equal(n, 2);
    assert_true(flow_jv_len(P("\"h\xc3\xa9\""), &n, &E));
    assert_int_equal(n, 2);
    assert_false(flow_jv_len(P("null"), &n, &E));
    ASSERT_BUF(E, "TypeError: object of type 'NoneType' has no len()");
    flow_list_str it;
    assert_true(flow_jv_iter(&A, j, &it, &E));
    assert_int_equal(it.n, 2);
    ASSERT_STR(it.v[0], "\"a\"");
    ASSERT_STR(it.v[1], "\"l\"");
    assert_false(flow_jv_iter(&A, P("1.5"), &it, &E));
    ASSERT_BUF(E, "TypeError: 'float' object is not iterable");
}

static void test_convert(void **state)
{
    (void)state;
    int64_t i;
    double d;
    assert_true(flow_jv_to_int(&A, P("\" -17 \""), &i, &E));
    assert_int_equal(i, -17);
    assert_true(flow_jv_to_int(&A, P("-2.9"), &i, &E));
    assert_int_equal(i, -2);
    assert_true(flow_jv_to_int(&A, P("true"), &i, &E));
    assert_int_equal(i, 1);
    assert_false(flow_jv_to_int(&A, P("\"x\""), &i, &E));
    ASSERT_BUF(E, "ValueError: invalid literal for int() with base 10: 'x'");
    assert_false(flow_jv_to_int(&A, P("{}"), &i, &E));
    ASSERT_BUF(E, "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'dict'");
    assert_false(flow_jv_to_int(&A, P("NaN"), &i, &E));
    ASSERT_BUF(E, "ValueError: cannot convert float NaN to integer");
    assert_false(flow_jv_to_int(&A, P("99999999999999999999"), &i, &E));
    assert_true(flow_jv_to_float(&A, P("12345678901234567890123"), &d, &E));
    assert_true(d == 12345678901234567890123.0);
    assert_false(flow_jv_to_float(&A, P("null"), &d, &E));
    ASSERT_BUF(E, "TypeError: float() argument must be a string or a real number, not 'NoneType'");
    assert_false(flow_jv_truth(P("0.0")));
    assert_false(flow_jv_truth(P("\"\"")));
    assert_false(flow_jv_truth(P("[]")));
    assert_true(flow_jv_truth(P("[0]")));
    ASSERT_STR(flow_jv_from_float(&A, 1e22), "1e+22");
    ASSERT_STR(flow_jv_from_float(&A, -INFINITY), "-Infinity");
    ASSERT_STR(flow_jv_from_str(&A, S("a\"\\\n\x01")), "\"a\\\"\\\\\\n\\u0001\"");
}

static void test_eq_in(void **state)
{
    (void)state;
    assert_true(flow_jv_eq(P("{\"a\": [1, 2.0], \"b\": true}"), P("{\"b\": 1, \"a\": [1.0, 2]}")));
    assert_true(flow_jv_eq(P("{\"a\": 1, \"a\": 2}"), P("{\"a\": 2}")));
    assert_false(flow_jv_eq(P("{\"a\": 1}"), P("{\"a\": 1, \"b\": 1}")));
    assert_false(flow_jv_eq(P("NaN"), P("NaN")));
    assert_false(flow_jv_eq(P("9007199254740993"), P("9007199254740992.0")));
    assert_true(flow_jv_eq(P("12345678901234567890123"), P("12345678901234567890123")));
    assert_false(flow_jv_eq(P("null"), P("0")));
    assert_false(flow_jv_eq(P("\"1\""), P("1")));
    assert_int_equal(flow_jv_contains(P("{\"a\": 1}"), P("\"a\""), &E), 1);
    assert_int_equal(flow_jv_contains(P("{\"a\": 1}"), P("1"), &E), 0);
    assert_int_equal(flow_jv_contains(P("[1, [2]]"), P("[2.0]"), &E), 1);
    assert_int_equal(flow_jv_contains(P("\"hello\""), P("\"ell\""), &E), 1);
    assert_int_equal(flow_jv_contains(P("\"hello\""), P("1"), &E), -1);
    ASSERT_BUF(E, "TypeError: 'in <string>' requires string as left operand, not int");
    assert_int_equal(flow_jv_contains(P("{}"), P("[]"), &E), -1);
    ASSERT_BUF(E, "TypeError: unhashable type: 'list'");
}

static int setup(void **state)
{
    (void)state;
    flow_arena_init(&A);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    flow_arena_destroy(&A);
    flow_buf_free(&E);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical), cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_repr),
        cmocka_unit_test(test_access),    cmocka_unit_test(test_convert),      cmocka_unit_test(test_eq_in),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
