/*
 * unit.h - helpers shared by the cmocka unit tests of libflowrt
 * (tests/unit/test_*.c): comparing flow_str and flow_buf contents with
 * C strings, with a readable failure message.
 */
#ifndef FLOW_UNIT_H
#define FLOW_UNIT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "flowrt_gen.h"

/* Fails unless the N bytes at P are exactly the C string WANT. */
static inline void unit_check_bytes(const char *p, size_t n, const char *want,
                                    const char *file, int line)
{
    size_t wn = strlen(want);
    if (n != wn || (n && memcmp(p, want, n) != 0)) {
        print_error("%s:%d: got '%.*s' (%zu bytes), want '%s' (%zu bytes)\n",
                    file, line, (int)n, p ? p : "", n, want, wn);
        _fail(file, line);
    }
}

#define ASSERT_STR(s, want) \
    unit_check_bytes((s).p, (size_t)(s).n, (want), __FILE__, __LINE__)
#define ASSERT_BUF(b, want) \
    unit_check_bytes((b).p, (b).n, (want), __FILE__, __LINE__)

/* A flow_str for a C string. */
static inline flow_str S(const char *s)
{
    return (flow_str){ s, (int64_t)strlen(s) };
}

/* Random text for differential tests of the byte-level fast paths: up to
 * CAP - 1 bytes (NUL-terminated) of pieces chosen by the xorshift state
 * *SEED: ASCII letters of both cases, digits, separators, whitespace,
 * two- and three-byte letters, curly quotes, a no-break space, a
 * four-byte code point, and (when BAD) invalid UTF-8: stray continuation
 * bytes, truncated sequences, an overlong form, a surrogate, 0xFF.
 * Returns the length. */
static inline size_t unit_random_text(uint64_t *seed, char *buf, size_t cap, bool bad)
{
    static const char *const good[] = {
        "a", "b", "Z", "Q", "x", "hello", "WORLD", "MiXeD", "0", "42", " ", "\t", ",", ".", "!",
        "?", "\"", ":", ";", "-", "_", "'", "\xc3\xa9", "\xc3\x89", "\xc3\x86", "\xce\xa3",
        "\xe2\x80\x99", "\xe2\x80\x9c", "\xc2\xa0", "\xe3\x83\x86", "\xf0\x9f\x98\x80",
        "\xe2\x84\xaa", "\xc3\x9f", "abcdefgh", "ABCDEFGHIJ",
    };
    static const char *const invalid[] = {
        "\x80", "\xbf", "\xc3", "\xe2\x80", "\xf0\x9f\x98", "\xc0\xaf", "\xed\xa0\x80", "\xff",
    };
    size_t n = 0;
    *seed ^= *seed << 13, *seed ^= *seed >> 7, *seed ^= *seed << 17;
    size_t pieces = (size_t)(*seed % 24);
    for (size_t k = 0; k < pieces; k++) {
        *seed ^= *seed << 13, *seed ^= *seed >> 7, *seed ^= *seed << 17;
        const char *piece = bad && *seed % 16 == 0
                                ? invalid[(*seed >> 8) % (sizeof invalid / sizeof *invalid)]
                                : good[(*seed >> 8) % (sizeof good / sizeof *good)];
        size_t len = strlen(piece);
        if (n + len >= cap)
            break;
        memcpy(buf + n, piece, len);
        n += len;
    }
    buf[n] = '\0';
    return n;
}

/* cmocka group setup/teardown giving every test an arena in *state. */
static inline int unit_arena_setup(void **state)
{
    flow_arena *a = malloc(sizeof *a);
    flow_arena_init(a);
    *state = a;
    return 0;
}

static inline int unit_arena_teardown(void **state)
{
    flow_arena_destroy(*state);
    free(*state);
    return 0;
}

/* Runs FN(ARG) in a child process with stdout and stderr captured into
 * OUT and ERR (NUL-terminated, truncated to their sizes); returns the
 * child's exit status (or 128 + signal). For testing the fatal paths. */
static inline int unit_run_child(void (*fn)(void *), void *arg, char *out, size_t outn,
                                 char *err, size_t errn)
{
    FILE *fo = tmpfile(), *fe = tmpfile();
    assert_non_null(fo);
    assert_non_null(fe);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fileno(fo), STDOUT_FILENO);
        dup2(fileno(fe), STDERR_FILENO);
        fn(arg);
        exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    FILE *files[2] = { fo, fe };
    char *bufs[2] = { out, err };
    size_t sizes[2] = { outn, errn };
    for (int i = 0; i < 2; i++) {
        rewind(files[i]);
        size_t n = fread(bufs[i], 1, sizes[i] - 1, files[i]);
        bufs[i][n] = '\0';
        fclose(files[i]);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#endif
