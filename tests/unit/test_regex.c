/*
 * test_regex.c - findall (regex.c) against Python's re.findall: the
 * wordcount pattern on text with curly quotes, digits and a no-break space,
 * empty matches (which advance one code point), groups, and compile errors.
 * Expected lists computed with python3.
 */
#include "unit.h"

static void check_findall(flow_arena *a, const char *pattern, const char *text, const char **want, int64_t n,
                          int line)
{
    char err[128];
    flow_regex *re = flow_regex_compile(pattern, strlen(pattern), err, sizeof err);
    if (!re)
        fail_msg("line %d: compile failed: %s", line, err);
    flow_list_str l = flow_regex_findall(a, re, S(text));
    if (l.n != n)
        fail_msg("line %d: %lld matches, want %lld", line, (long long)l.n, (long long)n);
    for (int64_t i = 0; i < n; i++)
        unit_check_bytes(l.v[i].p, (size_t)l.v[i].n, want[i], __FILE__, line);
    flow_regex_free(re);
}
#define FINDALL(pattern, text, ...)                                          \
    do {                                                                     \
        const char *want_[] = { "", __VA_ARGS__ };                           \
        check_findall(A, (pattern), (text), want_ + 1,                          \
                      (int64_t)(sizeof want_ / sizeof *want_) - 1, __LINE__); \
    } while (0)
#define FINDALL_NONE(pattern, text) check_findall(A, (pattern), (text), NULL, 0, __LINE__)

#define LQ "\xe2\x80\x9c"    /* left double quotation mark */
#define RQ "\xe2\x80\x9d"
#define AP "\xe2\x80\x99"    /* right single quotation mark */

static void wordcount(void **state)
{
    flow_arena *A = *state;
    FINDALL("[^\\s!,.?\":;0-9]+",
            LQ "Hello," RQ " she said: it" AP "s 42 o" AP "clock!\tGo\xc2\xa0now?  \"yes\"",
            LQ "Hello", RQ, "she", "said", "it" AP "s", "o" AP "clock", "Go", "now", "yes");
    FINDALL_NONE("[^\\s!,.?\":;0-9]+", " 12, 34. ");
    FINDALL_NONE("[^\\s!,.?\":;0-9]+", "");
}

static void empty_matches(void **state)
{
    flow_arena *A = *state;
    FINDALL("", "ab", "", "", "");
    FINDALL("a*", "baac", "", "aa", "", "");
    FINDALL("\\b", "ab cd", "", "", "", "");
    FINDALL("|b", "b", "", "b", "");
    FINDALL("x*", "\xc3\xa9", "", "");    /* one code point, not two bytes */
    FINDALL("", "", "");
}

static void groups_and_unicode(void **state)
{
    flow_arena *A = *state;
    FINDALL("(\\w)\\w*", "h\xc3\xa9llo w\xc3\xb6rld", "h", "w");
    FINDALL("(a)|b", "ab", "a", "");
    FINDALL("\\w+", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88",
            "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88");
}

static void results_outlive_subject(void **state)
{
    flow_arena *A = *state;
    flow_regex *re = flow_regex_compile("\\d+", 3, NULL, 0);
    char text[] = "a1b22c333";
    flow_list_str l = flow_regex_findall(A, re, S(text));
    memset(text, 'x', sizeof text - 1);    /* results are copies in the arena */
    assert_int_equal(l.n, 3);
    ASSERT_STR(l.v[2], "333");
    flow_regex_free(re);
}

static void compile_error(void **state)
{
    (void)state;
    char err[128] = "";
    assert_null(flow_regex_compile("a(b", 3, err, sizeof err));
    assert_non_null(strstr(err, "at offset 3"));
    assert_null(flow_regex_compile("[", 1, NULL, 0));
    flow_regex_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wordcount),
        cmocka_unit_test(empty_matches),
        cmocka_unit_test(groups_and_unicode),
        cmocka_unit_test(results_outlive_subject),
        cmocka_unit_test(compile_error),
    };
    return cmocka_run_group_tests_name("regex", tests, unit_arena_setup, unit_arena_teardown);
}
