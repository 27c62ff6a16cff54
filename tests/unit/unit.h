/*
 * unit.h - helpers shared by the cmocka unit tests of libflowrt
 * (tests/unit/test_*.c): comparing flow_str and flow_buf contents with
 * C strings, with a readable failure message.
 */
#ifndef FLOW_UNIT_H
#define FLOW_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flowrt.h"

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

#endif
