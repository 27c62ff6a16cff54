/*
 * test_regex.c - findall (regex.c) against Python's re.findall: the
 * wordcount pattern on text with curly quotes, digits and a no-break space,
 * empty matches (which advance one code point), groups, and compile errors.
 * Expected lists computed with python3.
 */
#include "unit.h"
#include "internal.h"   /* flowi_utf8_encode */

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
    /* the list starts with room for half the bytes left after the first
     * match (at most 32): filled exactly, and past 32 */
    FINDALL("[^\\s!,.?\":;0-9]+", "a b", "a", "b");
    FINDALL("[^\\s!,.?\":;0-9]+", ". a,b;c", "a", "b", "c");
    FINDALL("[^\\s!,.?\":;0-9]+", "a b c d e f g h i j k l m n o p q r s t u v w x y z A B C D E F G H I J K L",
            "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
            "s", "t", "u", "v", "w", "x", "y", "z", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L");
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
    /* the fast path too; a subject the arena already holds is not copied */
    re = flow_regex_compile("[0-9]+", 6, NULL, 0);
    char text2[] = "a1b22c333";
    l = flow_regex_findall(A, re, S(text2));
    memset(text2, 'x', sizeof text2 - 1);
    assert_int_equal(l.n, 3);
    ASSERT_STR(l.v[2], "333");
    flow_str held = flowi_arena_str(A, "d4e55", 5);
    l = flow_regex_findall(A, re, held);
    assert_int_equal(l.n, 2);
    assert_ptr_equal(l.v[0].p, held.p + 1);
    ASSERT_STR(l.v[1], "55");
    flow_regex_free(re);
}

/* The fast path for one character class and `+` (regex.c) gives what
 * PCRE2 gives: each fast pattern against the same class wrapped in a
 * group (which PCRE2 runs), on every ASCII character and every code point
 * between letters, and on invalid UTF-8; with its 16-byte scan (where the
 * CPU has it) and with the byte loop. */
static bool same_lists(flow_list_str x, flow_list_str y)
{
    if (x.n != y.n)
        return false;
    for (int64_t i = 0; i < x.n; i++)
        if (x.v[i].n != y.v[i].n || memcmp(x.v[i].p, y.v[i].p, (size_t)x.v[i].n) != 0)
            return false;
    return true;
}

/* PAT[0] (a fast pattern) and PAT[1] (the same class as a group, which
 * PCRE2 runs) compiled; the fast one with its 16-byte scan on or off. */
static void compile_pair(const char *const pat[2], bool simd, flow_regex **fast, flow_regex **slow)
{
    *fast = flow_regex_compile(pat[0], strlen(pat[0]), NULL, 0);
    *slow = flow_regex_compile(pat[1], strlen(pat[1]), NULL, 0);
    assert_non_null(*fast);
    assert_non_null(*slow);
    flowi_regex_simd(*fast, simd);
}

static void class_fast_path(void **state)
{
    (void)state;
    static const char *const pats[][2] = {
        { "[^\\s!,.?\":;0-9]+", "(?:[^\\s!,.?\":;0-9])+" },
        { "[a-z0-9_]+", "(?:[a-z0-9_])+" },
        { "[\\s]+", "(?:[\\s])+" },
        { "[^-a\\]]+", "(?:[^-a\\]])+" },
    };
    flow_arena a;
    flow_arena_init(&a);
    for (size_t k = 0; k < 2 * (sizeof pats / sizeof pats[0]); k++) {
        flow_regex *fast, *slow;
        compile_pair(pats[k / 2], k % 2 == 0, &fast, &slow);
        char buf[16];
        for (uint32_t cp = 1; cp <= 0x10FFFF; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF)
                continue;
            buf[0] = 'x';
            int n = 1 + flowi_utf8_encode(cp, buf + 1);
            buf[n++] = 'y';
            buf[n++] = ' ';
            flow_str s = { buf, n };
            if (!same_lists(flow_regex_findall(&a, fast, s), flow_regex_findall(&a, slow, s)))
                fail_msg("pattern %s differs from PCRE2 at U+%04X", pats[k / 2][0], (unsigned)cp);
            if ((cp & 0xFFF) == 0)
                flow_arena_reset(&a);
        }
        flow_str bad = { "ab\xff cd", 6 };
        assert_true(same_lists(flow_regex_findall(&a, fast, bad), flow_regex_findall(&a, slow, bad)));
        flow_regex_free(fast);
        flow_regex_free(slow);
    }
    flow_arena_destroy(&a);
}

/* The fast path against PCRE2 on random mixed text, invalid UTF-8
 * included (PCRE2 finds nothing in a subject that is not UTF-8), with and
 * without the 16-byte scan: text of up to 255 bytes ends inside a block,
 * and has sequences across blocks. */
static void class_fast_path_random(void **state)
{
    (void)state;
    static const char *const pats[][2] = {
        { "[^\\s!,.?\":;0-9]+", "(?:[^\\s!,.?\":;0-9])+" },
        { "[a-zA-Z]+", "(?:[a-zA-Z])+" },
        { "[\\s,]+", "(?:[\\s,])+" },
    };
    flow_arena a;
    flow_arena_init(&a);
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (size_t k = 0; k < 2 * (sizeof pats / sizeof pats[0]); k++) {
        flow_regex *fast, *slow;
        compile_pair(pats[k / 2], k % 2 == 0, &fast, &slow);
        for (int i = 0; i < 20000; i++) {
            char buf[256];
            size_t n = unit_random_text(&seed, buf, sizeof buf, i % 2);
            flow_str s = { buf, (int64_t)n };
            if (!same_lists(flow_regex_findall(&a, fast, s), flow_regex_findall(&a, slow, s)))
                fail_msg("pattern %s differs from PCRE2 on '%s' (16-byte scan %s)", pats[k / 2][0], buf,
                         k % 2 == 0 ? "on" : "off");
            if (i % 1000 == 0)
                flow_arena_reset(&a);
        }
        flow_regex_free(fast);
        flow_regex_free(slow);
    }
    flow_arena_destroy(&a);
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
        cmocka_unit_test(class_fast_path),
        cmocka_unit_test(class_fast_path_random),
    };
    return cmocka_run_group_tests_name("regex", tests, unit_arena_setup, unit_arena_teardown);
}
