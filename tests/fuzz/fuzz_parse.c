/*
 * fuzz_parse.c - libFuzzer harness for the front end (jq's jq_fuzz_parse.c).
 *
 * Feeds arbitrary bytes through srcfile_add -> parse_program -> sema_check
 * and, for programs that check, lower_program -> emit_c (to /dev/null),
 * and frees everything afterwards, so AddressSanitizer's leak checker sees
 * a clean process after every input. Diagnostics go to /dev/null (the
 * formatting code still runs). Build and run with `make fuzz`
 * (FUZZ_SECONDS=N, default 30); the seed corpus is the .flow files of
 * examples/ and tests/errors/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flowc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    diag_stream = devnull;

    int file = srcfile_add("fuzz.flow", (const char *)data, size);
    Arena *a = arena_new();
    Node *prog = parse_program(file, a);
    struct Graph *g = diag_error_count() == 0 ? sema_check(prog, a) : NULL;
    if (g && diag_error_count() == 0) {
        /* a checked program goes on through lowering and the C emitter */
        lower_program(g, a);
        EmitOptions eo = { .source_path = "fuzz.flow", .line_directives = true, .no_version = true };
        if (diag_error_count() == 0)
            emit_c(g, devnull, &eo);
    }
    arena_free(a);
    srcfile_free_all();
    intern_free();
    diag_reset();
    return 0;
}
