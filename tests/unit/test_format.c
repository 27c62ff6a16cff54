/*
 * test_format.c - unit tests of format.c, Python's format-spec
 * mini-language: every row of format_table.jsonl (written by
 * gen_format_table.py from Python 3.11's own format()) is checked: the
 * spec parses for its kind of value exactly when Python accepts it, with
 * CPython's message when it does not, and the text formatted is Python's
 * to the byte (float digits, grouping, padding, signs, alternate forms).
 */
#include <jansson.h>
#include <math.h>
#include "unit.h"

/* The table beside this file (make unit runs from the repository root,
 * where __FILE__ is relative). */
static FILE *open_table(void)
{
    char path[512];
    const char *slash = strrchr(__FILE__, '/');
    int dir = slash ? (int)(slash - __FILE__) : 0;
    snprintf(path, sizeof path, "%.*s%sformat_table.jsonl", dir, __FILE__, dir ? "/" : "");
    FILE *f = fopen(path, "r");
    if (!f)
        print_error("cannot open %s\n", path);
    return f;
}

static void python_table(void **state)
{
    (void)state;
    FILE *fp = open_table();
    assert_non_null(fp);
    char line[4096];
    int rows = 0, bad = 0;
    while (fgets(line, sizeof line, fp)) {
        json_error_t je;
        json_t *row = json_loads(line, JSON_ALLOW_NUL, &je);
        assert_non_null(row);
        const char *kind = json_string_value(json_array_get(row, 0));
        const char *spec = json_string_value(json_array_get(row, 1));
        json_t *val = json_array_get(row, 2), *res = json_array_get(row, 3), *err = json_array_get(row, 4);
        flow_fmtspec sp;
        char msg[256] = "";
        flow_buf b = { 0 };
        rows++;
        if (!flow_fmtspec_parse(spec, strlen(spec), kind[0], &sp, msg, sizeof msg)) {
            if (!json_is_string(err) || strcmp(msg, json_string_value(err)) != 0) {
                print_error("%s spec '%s': error '%s', Python: %s\n", kind, spec, msg,
                            json_is_string(err) ? json_string_value(err) : "accepts it");
                bad++;
            }
            json_decref(row);
            continue;
        }
        bool ok = true;
        if (kind[0] == 'i')
            ok = flow_format_int(&b, json_integer_value(val), &sp);
        else if (kind[0] == 'f')
            flow_format_float(&b, strtod(json_string_value(val), NULL), &sp);
        else
            flow_format_str(&b, (flow_str){ json_string_value(val), (int64_t)json_string_length(val) }, &sp);
        if (!ok) {
            if (!json_is_string(err) || !strstr(json_string_value(err), "%c arg")) {
                print_error("%s spec '%s': 'c' refused a value Python formats\n", kind, spec);
                bad++;
            }
        } else if (!json_is_string(res) || b.n != json_string_length(res) || (b.n && memcmp(b.p, json_string_value(res), b.n) != 0)) {
            print_error("%s spec '%s': got '%.*s', Python: '%s'\n", kind, spec, (int)b.n, b.p,
                        json_is_string(res) ? json_string_value(res) : json_string_value(err));
            bad++;
        }
        flow_buf_free(&b);
        json_decref(row);
    }
    fclose(fp);
    assert_true(rows > 5000);
    assert_int_equal(bad, 0);
}

/* A few by hand, for reading: Python's results in the comments' words. */
static void examples(void **state)
{
    (void)state;
    struct { char kind; const char *spec; double f; int64_t i; const char *s; const char *want; } ex[] = {
        { 'f', ".1f", 2.25, 0, NULL, "2.2" },               /* half to even on the exact binary value */
        { 'f', ".2f", 2.675, 0, NULL, "2.67" },             /* 2.675 is 2.67499999... */
        { 'i', ">8,", 0, 1234567, NULL, "1,234,567" },
        { 'i', "010,", 0, 1234, NULL, "00,001,234" },       /* zero padding is grouped */
        { 'f', "", 1e16, 0, NULL, "1e+16" },                /* str() */
        { 'f', ".3", 1.0, 0, NULL, "1.0" },                 /* no type: at least one decimal */
        { 'f', "z.1f", -0.04, 0, NULL, "0.0" },
        { 's', "*^7", 0, 0, "héllo", "*héllo*" },          /* widths count code points */
        { 'i', "#_b", 0, 1234, NULL, "0b100_1101_0010" },
        { 'f', "%", 0.5, 0, NULL, "50.000000%" },
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        flow_fmtspec sp;
        char err[128];
        flow_buf b = { 0 };
        assert_true(flow_fmtspec_parse(ex[i].spec, strlen(ex[i].spec), ex[i].kind, &sp, err, sizeof err));
        if (ex[i].kind == 'f')
            flow_format_float(&b, ex[i].f, &sp);
        else if (ex[i].kind == 'i')
            assert_true(flow_format_int(&b, ex[i].i, &sp));
        else
            flow_format_str(&b, S(ex[i].s), &sp);
        ASSERT_BUF(b, ex[i].want);
        flow_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(examples),
        cmocka_unit_test(python_table),
    };
    return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
