/*
 * diag.c - source files, line tables and GCC-style diagnostics (diag.h).
 *
 * Pipeline position: every phase reports through here. Tokens and nodes
 * carry byte ranges only (jq's locfile idea); a file's line-start table is
 * built the first time a line or column is asked for, and a diagnostic is
 * printed as GCC 12 prints it:
 *
 *     f.flow:3:9: error: unexpected `)`, expected expression
 *         3 | x = f(a, )
 *           |          ^
 *
 * The underline covers the location's range clipped to its first line.
 * Colour only when the stream is stderr, stderr is a terminal and NO_COLOR
 * is unset or empty. After diag_max_errors errors printing stops (one
 * "too many errors" line) but counting goes on, so the exit status is right.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"

typedef struct SrcFile {
    char *name;           // display name (as given on the command line)
    char *text;           // contents, NUL-terminated (may hold NUL bytes)
    size_t len;           // true length of text
    int *lines;           // start offset of each line, built lazily
    int nlines;           // entries in lines (0 until built)
} SrcFile;

static SrcFile *files;
static int nfiles, capfiles;

int diag_max_errors = 20;
FILE *diag_stream;

static int nerrors;       // errors reported, printed or not
static int nprinted;      // errors printed
static int last_shown = 1;  // was the last error printed? (notes follow it)
static int told_too_many;   // the "too many errors" line is out

/* ---- source files ------------------------------------------------------ */

static int add_file(char *name, char *text, size_t len)
{
    if (nfiles == capfiles) {
        int cap = capfiles ? capfiles * 2 : 8;
        SrcFile *f = realloc(files, (size_t)cap * sizeof *f);
        if (!f) {
            fputs("flowc: out of memory\n", stderr);
            exit(1);
        }
        files = f;
        capfiles = cap;
    }
    files[nfiles] = (SrcFile){ .name = name, .text = text, .len = len };
    return nfiles++;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) {
        fputs("flowc: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

int srcfile_add(const char *name, const char *text, size_t len)
{
    /* Offsets are ints; a source larger than that is refused by truncation
     * rather than overflowing every Loc. */
    if (len > (size_t)0x7ffffff0)
        len = 0x7ffffff0;
    char *copy = malloc(len + 1);
    if (!copy) {
        fputs("flowc: out of memory\n", stderr);
        exit(1);
    }
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    return add_file(xstrdup(name), copy, len);
}

/* Source files larger than this are refused (flowc /dev/zero would
 * otherwise read until memory runs out). */
#define FLOWC_MAX_SOURCE ((size_t)64 << 20)

int srcfile_load(const char *path)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "flowc: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fputs("flowc: out of memory\n", stderr);
        exit(1);
    }
    for (;;) {
        if (len >= FLOWC_MAX_SOURCE) {
            fprintf(stderr, "flowc: cannot read %s: larger than %d MiB (a .flow file holds a program, not data)\n",
                    path, (int)(FLOWC_MAX_SOURCE >> 20));
            if (!is_stdin)
                fclose(fp);
            free(buf);
            return -1;
        }
        if (len == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                fputs("flowc: out of memory\n", stderr);
                exit(1);
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    int err = ferror(fp) ? errno : 0;
    if (!is_stdin)
        fclose(fp);
    if (err) {
        fprintf(stderr, "flowc: cannot read %s: %s\n", path, strerror(err ? err : EIO));
        free(buf);
        return -1;
    }
    int id = srcfile_add(is_stdin ? "<stdin>" : path, buf, len);
    free(buf);
    return id;
}

static SrcFile *file_of(int file)
{
    return file >= 0 && file < nfiles ? &files[file] : NULL;
}

const char *srcfile_name(int file)
{
    SrcFile *f = file_of(file);
    return f ? f->name : "<unknown>";
}

const char *srcfile_text(int file)
{
    SrcFile *f = file_of(file);
    return f ? f->text : "";
}

size_t srcfile_len(int file)
{
    SrcFile *f = file_of(file);
    return f ? f->len : 0;
}

static void build_lines(SrcFile *f)
{
    int n = 1;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n')
            n++;
    f->lines = malloc((size_t)n * sizeof(int));
    if (!f->lines) {
        fputs("flowc: out of memory\n", stderr);
        exit(1);
    }
    f->lines[0] = 0;
    int k = 1;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n')
            f->lines[k++] = (int)i + 1;
    f->nlines = n;
}

/* Index (0-based) of the line holding OFFSET. */
static int line_index(SrcFile *f, int offset)
{
    if (!f->nlines)
        build_lines(f);
    int lo = 0, hi = f->nlines - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (f->lines[mid] <= offset)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static int clamp_offset(SrcFile *f, int offset)
{
    if (offset < 0)
        return 0;
    if ((size_t)offset > f->len)
        return (int)f->len;
    return offset;
}

void srcfile_linecol(int file, int offset, int *line, int *col)
{
    SrcFile *f = file_of(file);
    if (!f) {
        *line = *col = 0;
        return;
    }
    offset = clamp_offset(f, offset);
    int li = line_index(f, offset);
    *line = li + 1;
    *col = offset - f->lines[li] + 1;
}

void srcfile_free_all(void)
{
    for (int i = 0; i < nfiles; i++) {
        free(files[i].name);
        free(files[i].text);
        free(files[i].lines);
    }
    free(files);
    files = NULL;
    nfiles = capfiles = 0;
}

/* ---- printing ------------------------------------------------------------ */

enum { K_ERROR, K_WARNING, K_NOTE };

static FILE *out_stream(void)
{
    return diag_stream ? diag_stream : stderr;
}

static int use_colour(void)
{
    if (diag_stream && diag_stream != stderr)
        return 0;
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return 0;
    return isatty(fileno(stderr));
}

#define C_BOLD  "\033[1m"
#define C_RED   "\033[1;31m"
#define C_MAG   "\033[1;35m"
#define C_CYAN  "\033[1;36m"
#define C_GREEN "\033[1;32m"
#define C_RESET "\033[0m"

/* At most this many bytes of a source line are echoed. */
#define EXCERPT_MAX 160

/* The source excerpt: gutter, line text, caret line. */
static void print_excerpt(FILE *out, SrcFile *f, Loc loc, int colour)
{
    int start = clamp_offset(f, loc.start);
    int end = clamp_offset(f, loc.end);
    int li = line_index(f, start);
    int ls = f->lines[li];
    int le = ls;
    while ((size_t)le < f->len && f->text[le] != '\n')
        le++;
    int shown_end = le;   // drop a CR of a CRLF line from the display
    if (shown_end > ls && f->text[shown_end - 1] == '\r')
        shown_end--;
    if (end > le)
        end = le;
    if (end <= start)
        end = start + 1;

    /* a long line (a generated program, a binary file) is shown as a
     * window of EXCERPT_MAX bytes around the location, cut at UTF-8
     * character starts and marked with "..." */
    int ws = ls, we = shown_end;
    if (we - ws > EXCERPT_MAX) {
        ws = start - EXCERPT_MAX / 3 > ls ? start - EXCERPT_MAX / 3 : ls;
        while (ws > ls && ((unsigned char)f->text[ws] & 0xC0) == 0x80)
            ws--;
        we = ws + EXCERPT_MAX < shown_end ? ws + EXCERPT_MAX : shown_end;
        while (we > ws && ((unsigned char)f->text[we] & 0xC0) == 0x80)
            we--;   /* not before ws: a line of stray continuation bytes */
        if (end > we)
            end = we > start ? we : start + 1;
    }
    fprintf(out, " %4d | %s", li + 1, ws > ls ? "..." : "");
    fwrite(f->text + ws, 1, (size_t)(we - ws), out);
    fputs(we < shown_end ? "...\n" : "\n", out);
    fputs(ws > ls ? "      |    " : "      | ", out);
    for (int i = ws; i < start; i++) {
        unsigned char c = (unsigned char)f->text[i];
        if (c == '\t')
            fputc('\t', out);
        else if ((c & 0xC0) != 0x80)   // one column per UTF-8 character
            fputc(' ', out);
    }
    if (colour)
        fputs(C_GREEN, out);
    fputc('^', out);
    for (int i = start + 1; i < end; i++) {
        unsigned char c = (unsigned char)f->text[i];
        if ((c & 0xC0) != 0x80)
            fputc('~', out);
    }
    if (colour)
        fputs(C_RESET, out);
    fputc('\n', out);
}

static void vreport(int kind, Loc loc, const char *fmt, va_list ap)
{
    FILE *out = out_stream();
    int colour = use_colour();
    static const char *const words[] = { "error", "warning", "note" };
    static const char *const colours[] = { C_RED, C_MAG, C_CYAN };
    SrcFile *f = file_of(loc.file);

    if (colour)
        fputs(C_BOLD, out);
    if (f) {
        int line, col;
        srcfile_linecol(loc.file, loc.start, &line, &col);
        fprintf(out, "%s:%d:%d: ", f->name, line, col);
    } else {
        fputs("flowc: ", out);
    }
    if (colour)
        fprintf(out, C_RESET "%s%s:" C_RESET " ", colours[kind], words[kind]);
    else
        fprintf(out, "%s: ", words[kind]);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
    if (f)
        print_excerpt(out, f, loc, colour);
}

void diag_error(Loc loc, const char *fmt, ...)
{
    nerrors++;
    if (diag_max_errors > 0 && nprinted >= diag_max_errors) {
        last_shown = 0;
        if (!told_too_many) {
            fputs("flowc: too many errors, stopping\n", out_stream());
            told_too_many = 1;
        }
        return;
    }
    nprinted++;
    last_shown = 1;
    va_list ap;
    va_start(ap, fmt);
    vreport(K_ERROR, loc, fmt, ap);
    va_end(ap);
}

void diag_warning(Loc loc, const char *fmt, ...)
{
    if (told_too_many) {
        last_shown = 0;
        return;
    }
    last_shown = 1;
    va_list ap;
    va_start(ap, fmt);
    vreport(K_WARNING, loc, fmt, ap);
    va_end(ap);
}

void diag_note(Loc loc, const char *fmt, ...)
{
    if (!last_shown)
        return;
    va_list ap;
    va_start(ap, fmt);
    vreport(K_NOTE, loc, fmt, ap);
    va_end(ap);
}

void diag_fatal_noloc(const char *fmt, ...)
{
    FILE *out = out_stream();
    int colour = use_colour();
    nerrors++;
    va_list ap;
    va_start(ap, fmt);
    fputs("flowc: ", out);
    fputs(colour ? C_RED "error:" C_RESET " " : "error: ", out);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
    va_end(ap);
}

int diag_error_count(void)
{
    return nerrors;
}

void diag_reset(void)
{
    nerrors = nprinted = told_too_many = 0;
    last_shown = 1;
}

_Noreturn void diag_ice(const char *file, int line, const char *msg)
{
    fflush(stdout);
    fprintf(stderr, "flowc: internal compiler error at %s:%d: %s\n", file, line, msg);
    abort();
}
