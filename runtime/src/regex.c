/*
 * regex.c - the language's findall(s, REGEX) on top of PCRE2 (8-bit code
 * units, PCRE2_UTF | PCRE2_UCP so that \w, \s, \d and \b follow Unicode
 * properties as Python's re does on str). Patterns are compiled once when
 * the program starts (JIT-compiled where PCRE2 supports it); each
 * flow_regex keeps its own match data, so matching allocates nothing.
 */
#include "internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>

struct flow_regex {
    pcre2_code *code;
    pcre2_match_data *md;   /* reused by every findall on this pattern */
    uint32_t group;         /* 0: whole match, 1: the one capture group */
};

flow_regex *flow_regex_compile(const char *pattern, size_t n, char *err, size_t errlen)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)pattern, n, PCRE2_UTF | PCRE2_UCP, &code,
                                  &off, NULL);
    if (!c) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        if (err && errlen)
            snprintf(err, errlen, "%s at offset %zu", (const char *)msg, (size_t)off);
        return NULL;
    }
    /* JIT unless FLOW_NO_JIT is set (valgrind cannot follow JIT code and
     * reports its reads as uninitialised); the interpreter if unsupported. */
    if (!getenv("FLOW_NO_JIT"))
        (void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
    uint32_t groups = 0;
    pcre2_pattern_info(c, PCRE2_INFO_CAPTURECOUNT, &groups);
    flow_regex *re = flow_alloc(sizeof *re);
    re->code = c;
    re->md = pcre2_match_data_create_from_pattern(c, NULL);
    re->group = groups > 0 ? 1 : 0;
    return re;
}

void flow_regex_free(flow_regex *re)
{
    if (!re)
        return;
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    flow_free(re, sizeof *re);
}

/* re.findall: search from the end of the previous match; after an empty
 * match the next one may not be empty at that same position (Python's
 * must_advance, which is PCRE2_NOTEMPTY_ATSTART). The subject is copied
 * into A once, when it first matches, and the results are slices of it. */
flow_list_str flow_regex_findall(flow_arena *a, const flow_regex *re, flow_str s)
{
    flowi_list list = { { NULL, 0 }, 0 };
    PCRE2_SIZE pos = 0, len = (PCRE2_SIZE)s.n;
    uint32_t opts = 0;
    const char *copy = NULL;
    PCRE2_SPTR subject = s.n ? (PCRE2_SPTR)s.p : (PCRE2_SPTR) "";
    for (;;) {
        int rc = pcre2_match(re->code, subject, len, pos, opts, re->md, NULL);
        if (rc < 0)
            break;    /* PCRE2_ERROR_NOMATCH, or invalid UTF-8 (no matches) */
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
        if (!copy)
            copy = flowi_arena_str(a, s.p, (size_t)s.n).p;
        PCRE2_SIZE b = ov[2 * re->group], e = ov[2 * re->group + 1];
        if (b == PCRE2_UNSET || (int)re->group >= rc)
            flowi_list_push(a, &list, (flow_str){ "", 0 });
        else
            flowi_list_push(a, &list, (flow_str){ copy + b, (int64_t)(e - b) });
        opts = PCRE2_NO_UTF_CHECK | (ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART : 0);
        pos = ov[1];
        if (pos > len)
            break;
    }
    return list.l;
}
