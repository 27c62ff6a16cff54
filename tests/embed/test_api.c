/*
 * test_api.c - the embedding API that `flowc --lib` generates, on
 * tests/embed/api.flow: return codes and messages, copies of pushed items,
 * batches and rounds, EOF, run-time errors as FLOW_ERROR, misuse, calls
 * from callbacks, the clock, and two instances that share nothing.
 * Prints one line per failed check and "N passed, N failed".
 */
#include <stdio.h>
#include <string.h>

#include "api.h"

static int passed, failed;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            passed++;                                                        \
        } else {                                                             \
            failed++;                                                        \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
        }                                                                    \
    } while (0)

/* What the callbacks saw, as text. */
typedef struct Seen {
    char text[512];
    api_flow *f;           /* for the callbacks that call back in */
    int step_rc;           /* api_step called from a callback */
    int pushes;            /* nums to push from the echo callback */
} Seen;

static void add(Seen *s, const char *fmt, const char *a, long long n)
{
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, fmt, a, n);
}

static void on_echo(void *ud, const api_echo_type *w)
{
    Seen *s = ud;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*s", (int)w->n, w->p);
    add(s, "echo %s%lld;", buf, 0);
    if (s->pushes > 0) {
        int64_t v = s->pushes--;
        CHECK(api_push_nums(s->f, &v) == FLOW_OK);   /* allowed: the next batch */
        s->step_rc = api_step(s->f);                /* not allowed */
    }
}

static void on_count(void *ud, const api_counts_type *c)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*s", (int)c->f0.n, c->f0.p);
    add(ud, "count %s=%lld;", buf, (long long)c->f1);
}

static void on_quotient(void *ud, const api_quotients_type *q)
{
    add(ud, "q%s=%lld;", "", (long long)*q);
}

static flow_str S(const char *s) { return (flow_str){ s, (int64_t)strlen(s) }; }

static api_flow *open_one(Seen *seen)
{
    api_flow *f = NULL;
    CHECK(api_open(&f) == FLOW_OK);
    CHECK(f != NULL);
    CHECK(strcmp(api_errmsg(f), "") == 0);
    memset(seen, 0, sizeof *seen);
    seen->f = f;
    api_on_echo(f, on_echo, seen);
    api_on_counts(f, on_count, seen);
    api_on_quotients(f, on_quotient, seen);
    return f;
}

static void two_instances_share_nothing(void)
{
    Seen sa, sb;
    api_flow *a = open_one(&sa), *b = open_one(&sb);
    char word[8];
    strcpy(word, "hi");
    flow_str w = S(word);
    CHECK(api_push_words(a, &w) == FLOW_OK);
    strcpy(word, "XX");   /* the push copied the string */
    flow_str batch[] = { S("yo"), S("hi") };
    CHECK(api_push_words_batch(a, batch, 2) == FLOW_OK);
    CHECK(api_push_words(b, &batch[0]) == FLOW_OK);
    CHECK(api_step(a) == FLOW_OK);   /* one batch: three items */
    CHECK(strcmp(sa.text, "echo hi0;echo yo0;echo hi0;") == 0);
    CHECK(strcmp(sb.text, "") == 0);
    CHECK(api_step(b) == FLOW_OK);
    CHECK(strcmp(sb.text, "echo yo0;") == 0);
    CHECK(api_finish(a) == FLOW_DONE);   /* count_final flushes at EOF, keys ascending */
    CHECK(strcmp(sa.text, "echo hi0;echo yo0;echo hi0;count hi=2;count yo=1;") == 0);
    CHECK(api_finish(b) == FLOW_DONE);
    CHECK(strcmp(sb.text, "echo yo0;count yo=1;") == 0);
    CHECK(api_step(a) == FLOW_DONE);     /* stays done */
    api_close(a);
    api_close(b);
}

static void eof_and_misuse(void)
{
    Seen s;
    api_flow *f = open_one(&s);
    CHECK(api_eof_words(f) == FLOW_OK);
    flow_str w = S("late");
    CHECK(api_push_words(f, &w) == FLOW_MISUSE);
    CHECK(strstr(api_errmsg(f), "api_push_words: the input is at EOF") != NULL);
    flow_str bad[] = { S("ok"), { "\xff", 1 } };
    CHECK(api_push_words_batch(f, bad, 2) == FLOW_MISUSE);   /* words is at EOF */
    int64_t n = 4;
    CHECK(api_push_nums_batch(f, NULL, 1) == FLOW_MISUSE);
    CHECK(api_push_nums_batch(f, NULL, 0) == FLOW_OK);
    CHECK(api_push_nums(f, &n) == FLOW_OK);
    CHECK(api_step(f) == FLOW_OK);      /* nums is still open */
    CHECK(strcmp(s.text, "q=25;") == 0);
    CHECK(api_set_time(f, FLOW_TIME_MIN) == FLOW_MISUSE);   /* before the round's time */
    CHECK(strstr(api_errmsg(f), "cannot go back") != NULL);
    CHECK(api_advance_time(f, -1) == FLOW_MISUSE);
    CHECK(api_advance_time(f, 10 * FLOW_US_PER_SEC) == FLOW_OK);
    CHECK(api_eof_nums(f) == FLOW_OK);
    CHECK(api_step(f) == FLOW_DONE);
    CHECK(api_step(NULL) == FLOW_MISUSE);
    CHECK(api_open(NULL) == FLOW_MISUSE);
    CHECK(strcmp(api_errmsg(NULL), "no instance (NULL)") == 0);
    api_close(f);
    api_close(NULL);
}

static void bad_utf8_pushes_nothing(void)
{
    Seen s;
    api_flow *f = open_one(&s);
    flow_str bad[] = { S("ok"), { "\xff", 1 } };
    CHECK(api_push_words_batch(f, bad, 2) == FLOW_MISUSE);
    CHECK(strcmp(api_errmsg(f), "api_push_words_batch: item is not a UTF-8 string (item 1); nothing was pushed") == 0);
    CHECK(api_step(f) == FLOW_OK);
    CHECK(strcmp(s.text, "") == 0);
    api_close(f);
}

static void run_time_error_is_a_code(void)
{
    Seen s;
    api_flow *f = open_one(&s);
    int64_t v[] = { 5, 0, 2 };
    CHECK(api_push_nums_batch(f, v, 3) == FLOW_OK);
    CHECK(api_step(f) == FLOW_ERROR);
    /* the output runs after `halved` in the round (it follows `counts`), as
     * a stdout output would: the error stopped the round before it */
    CHECK(strcmp(s.text, "") == 0);
    CHECK(strcmp(api_errmsg(f), "tests/embed/api.flow:11:24: error: step 'api.halved': division by zero") == 0);
    CHECK(api_step(f) == FLOW_ERROR);      /* dead: only close */
    CHECK(api_push_nums(f, v) == FLOW_ERROR);
    api_close(f);
}

static void callbacks_push_not_step(void)
{
    Seen s;
    api_flow *f = open_one(&s);
    s.pushes = 1;
    flow_str w = S("a");
    CHECK(api_push_words(f, &w) == FLOW_OK);
    CHECK(api_step(f) == FLOW_OK);   /* runs a second round for what the callback pushed */
    CHECK(s.step_rc == FLOW_MISUSE);
    CHECK(strcmp(s.text, "echo a0;q=100;") == 0);
    api_close(f);
}

int main(void)
{
    two_instances_share_nothing();
    eof_and_misuse();
    bad_utf8_pushes_nothing();
    run_time_error_is_a_code();
    callbacks_push_not_step();
    printf("test_api: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
