/*
 * diag.h - source files, locations and GCC-style diagnostics.
 *
 * A location is a byte range in a loaded source file (jq's locfile idea);
 * line and column are computed only when a diagnostic is printed:
 *
 *     FILE:LINE:COL: error: MESSAGE
 *        12 |     out = output(running_sum, stdot)
 *           |                               ^~~~~
 *
 * Lines and columns are 1-based; the column counts bytes. Colour is used
 * only when stderr is a terminal and NO_COLOR is unset.
 */
#ifndef FLOWC_DIAG_H
#define FLOWC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A byte range [start, end) in source file FILE (an id from srcfile_load). */
typedef struct Loc {
    int file;
    int start;
    int end;
} Loc;

/* Load PATH ("-" is stdin) and return its id (>= 0), or -1 after printing
 * "flowc: cannot read PATH: REASON". The text stays loaded until
 * srcfile_free_all(). */
int srcfile_load(const char *path);

/* Register in-memory TEXT (LEN bytes, copied) under the display name NAME. */
int srcfile_add(const char *name, const char *text, size_t len);

const char *srcfile_name(int file);
const char *srcfile_text(int file);   /* NUL-terminated */
size_t srcfile_len(int file);

/* 1-based line and column of byte OFFSET in FILE. */
void srcfile_linecol(int file, int offset, int *line, int *col);
void srcfile_free_all(void);

/* Report an error at LOC. Printing stops after diag_max_errors errors
 * ("flowc: too many errors, stopping"), but counting goes on. */
void diag_error(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warning(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A note attached to the previous error ("previous definition is here"). */
void diag_note(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error with no location: "flowc: error: MESSAGE". */
void diag_fatal_noloc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int diag_error_count(void);
extern int diag_max_errors;   /* default 20 (-fmax-errors=N); 0 = no limit */

/* Forget the error counts so one process can compile again (fuzzing, unit
 * tests). Loaded source files are not affected. */
void diag_reset(void);

/* Where diagnostics go; NULL (the default) means stderr. The fuzzer points
 * it at /dev/null so the formatting code still runs. */
extern FILE *diag_stream;

/* Internal compiler error: prints "flowc: internal compiler error at
 * FILE:LINE: MSG" and aborts. */
#define ICE(msg) diag_ice(__FILE__, __LINE__, (msg))
_Noreturn void diag_ice(const char *file, int line, const char *msg);

#endif
