/*
 * main.c - the flowc driver.
 *
 * Pipeline position: the top. It parses the command line, runs the phases
 *
 *     srcfile_load -> parse_program -> sema_check -> lower_program -> emit_c
 *
 * (the AST, then the Graph that sema_check returns, passed along),
 * stopping after the first phase that reported errors, and then, like
 * chibicc calling `as` and `ld`, runs the C compiler ($CC, default cc) on
 * the generated C to produce an object (-c) or an executable linked with
 * libflowrt.a. Exit status: 0 success, 1 errors in the program (or a tool
 * failed), 2 bad usage.
 *
 * The runtime's location is compiled in (FLOWRT_INCLUDE_DIR, FLOWRT_LIB_DIR
 * from the Makefile: the source tree for build/flowc, the install prefix
 * for the flowc that `make install` copies) and overridden by
 * FLOWRT_HOME=<dir with include/ and lib/>. When the compiled-in directory
 * holds no libflowrt.a (an install staged under DESTDIR, or moved), flowc
 * looks in ../include and ../lib beside its own executable.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flowc.h"
#include "embed.h"

#ifndef FLOWRT_INCLUDE_DIR
#define FLOWRT_INCLUDE_DIR "runtime/include"
#endif
#ifndef FLOWRT_LIB_DIR
#define FLOWRT_LIB_DIR "build"
#endif

typedef enum Mode {
    MODE_LINK,    // default: an executable
    MODE_OBJ,     // -c
    MODE_C,       // -S / --emit-c / --emit=c
    MODE_CHECK,   // --check
    MODE_AST,     // --emit=ast
    MODE_GRAPH,   // --graph[=mermaid|dot]
    MODE_LIB,     // --lib: NAME.h and NAME.c, the embedding API (emit_lib.c)
} Mode;

typedef struct Options {
    Mode mode;
    const char *input;
    const char *output;       // -o, or NULL for the default
    bool line_directives;
    bool no_version;
    GraphFormat graph;        // --graph's format
    bool mpi;                 // --mpi: linked with libflowrt_mpi.a and Open MPI
} Options;

static const char usage_text[] =
    "usage: flowc [options] FILE.flow\n"
    "\n"
    "Compile a .flow dataflow to an executable linked with libflowrt.a.\n"
    "\n"
    "options:\n"
    "  -o PATH                  write the output to PATH ('-' is stdout for -S)\n"
    "  -S, --emit-c             write the generated C (default FILE.c)\n"
    "  -c                       compile to an object file (default FILE.o)\n"
    "  --lib                    write FILE.h and FILE.c, a C API for a host program\n"
    "                           (-o BASE: BASE.h and BASE.c; docs/embedding.md)\n"
    "  --mpi                    a program that runs as the processes of an mpirun job\n"
    "                           (linked with libflowrt_mpi.a and Open MPI; docs/workers.md)\n"
    "  --check                  parse and check only\n"
    "  --emit=ast|c|obj|exe     choose the output; ast prints the syntax tree\n"
    "  --graph[=mermaid|dot]    print the dataflow graph (default mermaid)\n"
    "  -P, --no-line-directives omit #line directives from the C\n"
    "  --no-version             omit the version from the C banner\n"
    "  -fmax-errors=N           stop printing after N errors (0: no limit)\n"
    "  --help                   print this help\n"
    "  --version                print the version\n"
    "\n"
    "environment:\n"
    "  CC           C compiler to run (default cc)\n"
    "  MPICC        with --mpi, asked for MPI's link flags (default mpicc)\n"
    "  FLOWRT_HOME  runtime directory with include/ and lib/\n"
    "  NO_COLOR     disable coloured diagnostics\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("flowc: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nflowc: try 'flowc --help'\n", stderr);
    return 2;
}

/* 0 on success, else the exit status (2) after printing the problem. */
static int parse_args(int argc, char **argv, Options *o)
{
    o->mode = MODE_LINK;
    o->line_directives = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            exit(0);
        } else if (strcmp(a, "--version") == 0) {
            printf("flowc %s\n", FLOWC_VERSION);
            exit(0);
        } else if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc)
                return usage_error("missing filename after '%s'", a);
            o->output = argv[++i];
        } else if (strncmp(a, "-o", 2) == 0 && a[2]) {
            o->output = a + 2;
        } else if (strcmp(a, "-S") == 0 || strcmp(a, "--emit-c") == 0 || strcmp(a, "--emit=c") == 0) {
            o->mode = MODE_C;
        } else if (strcmp(a, "-c") == 0 || strcmp(a, "--emit=obj") == 0) {
            o->mode = MODE_OBJ;
        } else if (strcmp(a, "--lib") == 0) {
            o->mode = MODE_LIB;
        } else if (strcmp(a, "--mpi") == 0) {
            o->mpi = true;
        } else if (strcmp(a, "--emit=exe") == 0) {
            o->mode = MODE_LINK;
        } else if (strcmp(a, "--check") == 0) {
            o->mode = MODE_CHECK;
        } else if (strcmp(a, "--emit=ast") == 0) {
            o->mode = MODE_AST;
        } else if (strcmp(a, "--graph") == 0 || strcmp(a, "--graph=mermaid") == 0) {
            o->mode = MODE_GRAPH;
            o->graph = GRAPH_MERMAID;
        } else if (strcmp(a, "--graph=dot") == 0) {
            o->mode = MODE_GRAPH;
            o->graph = GRAPH_DOT;
        } else if (strncmp(a, "--graph=", 8) == 0) {
            return usage_error("unknown graph format in '%s' (expected mermaid or dot)", a);
        } else if (strncmp(a, "--emit=", 7) == 0) {
            return usage_error("unknown output kind in '%s' (expected ast, c, obj or exe)", a);
        } else if (strcmp(a, "-P") == 0 || strcmp(a, "--no-line-directives") == 0) {
            o->line_directives = false;
        } else if (strcmp(a, "--no-version") == 0) {
            o->no_version = true;
        } else if (strncmp(a, "-fmax-errors=", 13) == 0) {
            char *end;
            errno = 0;
            long n = strtol(a + 13, &end, 10);
            if (!a[13] || *end || n < 0 || n > 1000000 || errno)
                return usage_error("invalid value in '%s' (expected a number >= 0)", a);
            diag_max_errors = (int)n;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unrecognized command-line option '%s'", a);
        } else {
            if (o->input)
                return usage_error("more than one input file ('%s')", a);
            o->input = a;
        }
    }
    if (!o->input) {
        fputs("flowc: error: no input file\nflowc: try 'flowc --help'\n", stderr);
        return 2;
    }
    if (o->mpi && o->mode == MODE_LIB)
        return usage_error("%s: an embedded instance (--lib) is one worker, which MPI cannot divide", "--mpi");
    return 0;
}

/* The default output path: the input's base name with .flow replaced by
 * SUFFIX ("" for an executable), in the current directory, as cc does. */
static char *default_output(Arena *a, const char *input, const char *suffix)
{
    if (strcmp(input, "-") == 0)
        return arena_printf(a, "%s", *suffix ? arena_printf(a, "stdin%s", suffix) : "a.out");
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".flow") == 0)
        n -= 5;
    else if (!*suffix)
        return arena_printf(a, "a.out");   /* never overwrite the input */
    return arena_printf(a, "%.*s%s", (int)n, base, suffix);
}

/* ---- running the C compiler ---------------------------------------------- */

/* What a signal must clean up: the C compiler running (killed with the
 * same signal) and the temporary .c file (removed). The driver is one
 * process; these are its only globals. */
static volatile pid_t child_pid;
static const char *volatile temp_file;
static volatile sig_atomic_t dying;   /* set by on_fatal_signal: the process is about to die of it */

static void on_fatal_signal(int sig)
{
    dying = 1;
    pid_t pid = child_pid;
    if (pid > 0) {
        kill(pid, sig == SIGPIPE ? SIGTERM : sig);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    if (temp_file)
        unlink(temp_file);
    /* die of SIG now, inside the handler: returning would let the
     * interrupted waitpid go on and report the reaped child as an error */
    signal(sig, SIG_DFL);
    sigset_t self;
    sigemptyset(&self);
    sigaddset(&self, sig);
    sigprocmask(SIG_UNBLOCK, &self, NULL);
    raise(sig);
}

static void install_signal_cleanup(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

static void remove_temp(const char *cfile)
{
    temp_file = NULL;
    unlink(cfile);
}

/* Is PATH, which flowc is about to write, the input .flow file itself (by
 * device and inode)? Then it says so and returns true: `-o p.flow` must
 * not replace the program with its binary. */
static bool refuse_input_as_output(const Options *o, const char *path)
{
    struct stat in, out;
    if (strcmp(o->input, "-") == 0 || strcmp(path, "-") == 0 || stat(o->input, &in) != 0 || stat(path, &out) != 0)
        return false;
    if (in.st_dev != out.st_dev || in.st_ino != out.st_ino)
        return false;
    diag_fatal_noloc("the output %s is the input file: refusing to overwrite it", path);
    return true;
}

/* Run ARGV (NULL-terminated); true when it exited with status 0. A
 * program that cannot be started is reported here, once (the child tells
 * the parent its exec error through a close-on-exec pipe); *REPORTED then
 * says so. */
static bool run(char **argv, bool *reported)
{
    fflush(stdout);
    fflush(stderr);
    *reported = false;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        diag_fatal_noloc("cannot run %s: %s", argv[0], strerror(errno));
        *reported = true;
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        diag_fatal_noloc("cannot run %s: %s", argv[0], strerror(errno));
        *reported = true;
        return false;
    }
    if (pid == 0) {
        close(fds[0]);
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(fds[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    child_pid = pid;
    close(fds[1]);
    int exec_errno = 0;
    ssize_t got;
    while ((got = read(fds[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
    }
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            /* the signal handler (in the main thread; the compiler runs
             * in a thread of its own) reaped the child and kills the
             * process: nothing to report */
            while (dying)
                pause();
            child_pid = 0;
            diag_fatal_noloc("waiting for %s: %s", argv[0], strerror(errno));
            *reported = true;
            return false;
        }
    }
    child_pid = 0;
    /* the compiler died of a signal: the handler's kill (it sets DYING
     * first), or the same signal sent to the whole process group (a
     * terminal's ^C), whose handler runs in the main thread any moment:
     * the process is about to die of it, so nothing to report */
    for (int i = 0; i < 200 && WIFSIGNALED(status) && !dying; i++)
        usleep(1000);
    while (dying)
        pause();
    if (got == (ssize_t)sizeof exec_errno) {
        diag_fatal_noloc("cannot run the C compiler %s: %s", argv[0], strerror(exec_errno));
        *reported = true;
        return false;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The runtime's header and library directories (see the top of the file). */
static void runtime_dirs(Arena *a, const char **inc, const char **lib)
{
    const char *home = getenv("FLOWRT_HOME");
    if (home && *home) {
        *inc = arena_printf(a, "%s/include", home);
        *lib = arena_printf(a, "%s/lib", home);
        return;
    }
    *inc = FLOWRT_INCLUDE_DIR;
    *lib = FLOWRT_LIB_DIR;
    if (access(arena_printf(a, "%s/libflowrt.a", *lib), R_OK) == 0)
        return;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0';   /* the bin directory */
    const char *rlib = arena_printf(a, "%s/../lib", exe);
    if (access(arena_printf(a, "%s/libflowrt.a", rlib), R_OK) == 0) {
        *inc = arena_printf(a, "%s/../include", exe);
        *lib = rlib;
    }
}

/* Split $CC on blanks ("ccache gcc" works) into ARGV (room for as many
 * words as it has); returns the count. */
static int split_cc(Arena *a, const char *cc, char **argv)
{
    int n = 0;
    const char *p = cc;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        argv[n++] = arena_strndup(a, s, (size_t)(p - s));
    }
    return n;
}

/* --mpi: Open MPI's link flags, as `$MPICC --showme:link` prints them
 * (Open MPI's wrapper compiler; default mpicc), or NULL after reporting
 * why not. */
static const char *mpi_link_flags(Arena *a)
{
    const char *mpicc = getenv("MPICC");
    if (!mpicc || !*mpicc)
        mpicc = "mpicc";
    char *cmd = arena_printf(a, "%s --showme:link 2>/dev/null", mpicc);
    FILE *p = popen(cmd, "r");
    char line[4096] = "";
    bool got = p && fgets(line, sizeof line, p) != NULL;
    int st = p ? pclose(p) : -1;
    if (!got || st != 0) {
        diag_fatal_noloc("--mpi: '%s --showme:link' failed: is Open MPI installed (Debian: libopenmpi-dev)?", mpicc);
        return NULL;
    }
    line[strcspn(line, "\n")] = '\0';
    return arena_printf(a, "%s", line);
}

/* Compile the C file CFILE to OUT: an object when OBJ, else an executable
 * linked with libflowrt.a (and with MPI: libflowrt_mpi.a and Open MPI). */
static bool compile_c(Arena *a, const char *cfile, const char *out, bool obj, bool mpi)
{
    const char *cc = getenv("CC");
    if (!cc || !*cc)
        cc = "cc";
    const char *inc, *lib;
    runtime_dirs(a, &inc, &lib);
    const char *mpiflags = "";
    if (mpi && !obj) {
        char *mpilib = arena_printf(a, "%s/libflowrt_mpi.a", lib);
        if (access(mpilib, R_OK) != 0) {
            diag_fatal_noloc("--mpi: %s is missing (`make mpi` builds it, with Open MPI installed)", mpilib);
            return false;
        }
        if (!(mpiflags = mpi_link_flags(a)))
            return false;
    }
    /* every word of $CC and of MPI's flags (at most one per two bytes) and 17 of our own */
    char **argv = arena_alloc(a, sizeof(char *) * (strlen(cc) / 2 + strlen(mpiflags) / 2 + 2 + 17 + 1));
    int n = split_cc(a, cc, argv);
    if (n == 0)
        argv[n++] = "cc";
    argv[n++] = "-std=c11";
    argv[n++] = "-O2";
    argv[n++] = arena_printf(a, "-I%s", inc);
    if (obj)
        argv[n++] = "-c";
    argv[n++] = (char *)cfile;
    argv[n++] = "-o";
    argv[n++] = (char *)out;
    if (!obj && mpi)
        argv[n++] = arena_printf(a, "%s/libflowrt_mpi.a", lib);
    if (!obj) {
        argv[n++] = arena_printf(a, "%s/libflowrt.a", lib);
        argv[n++] = "-lpcre2-8";
        argv[n++] = "-lxxhash";
        argv[n++] = "-lsimdjson";
        argv[n++] = "-ljansson";
        argv[n++] = "-lrdkafka";
        argv[n++] = "-lstdc++";
        argv[n++] = "-lm";
        if (mpi)
            n += split_cc(a, mpiflags, argv + n);
    }
    argv[n] = NULL;
    bool reported;
    if (!run(argv, &reported)) {
        if (!reported)
            diag_fatal_noloc("the C compiler (%s) failed on the generated code", cc);
        return false;
    }
    return true;
}

/* ---- the pipeline ---------------------------------------------------------- */

/* --lib: BASE.h and BASE.c (BASE: -o without a .c or .h, else the input's
 * name without .flow). */
static int write_lib(const Options *o, struct Graph *g, EmitOptions *eo, Arena *a)
{
    const char *base = o->output ? o->output : default_output(a, o->input, "");
    size_t n = strlen(base);
    if (!o->output && strcmp(base, "a.out") == 0)
        base = "flow";
    else if (n > 2 && base[n - 2] == '.' && (base[n - 1] == 'c' || base[n - 1] == 'h'))
        base = arena_strndup(a, base, n - 2);
    const char *cpath = arena_printf(a, "%s.c", base);
    const char *hpath = arena_printf(a, "%s.h", base);
    if (refuse_input_as_output(o, cpath) || refuse_input_as_output(o, hpath))
        return 1;
    FILE *c = fopen(cpath, "w");
    FILE *h = c ? fopen(hpath, "w") : NULL;
    if (!c || !h) {
        diag_fatal_noloc("cannot write %s: %s", c ? hpath : cpath, strerror(errno));
        if (c)
            fclose(c);
        return 1;
    }
    eo->c_path = cpath;
    eo->lib_header = h;
    eo->lib_header_path = hpath;
    emit_c(g, c, eo);
    bool ok = fclose(c) == 0;
    ok = fclose(h) == 0 && ok;
    if (!ok) {
        diag_fatal_noloc("cannot write %s or %s: %s", cpath, hpath, strerror(errno));
        return 1;
    }
    return diag_error_count() ? 1 : 0;
}

/* --emit=ast: the syntax tree to -o or stdout. */
static int write_ast(const Options *o, Node *prog)
{
    FILE *out = stdout;
    if (o->output && strcmp(o->output, "-") != 0) {
        if (refuse_input_as_output(o, o->output))
            return 1;
        out = fopen(o->output, "w");
        if (!out) {
            diag_fatal_noloc("cannot write %s: %s", o->output, strerror(errno));
            return 1;
        }
    }
    ast_dump(out, prog);
    if (out != stdout && fclose(out) != 0) {
        diag_fatal_noloc("cannot write %s: %s", o->output, strerror(errno));
        return 1;
    }
    return 0;
}

/* --graph: the dataflow G as Mermaid or DOT to -o or stdout. */
static int write_graph(const Options *o, struct Graph *g)
{
    bool to_stdout = !o->output || strcmp(o->output, "-") == 0;
    if (!to_stdout && refuse_input_as_output(o, o->output))
        return 1;
    FILE *out = to_stdout ? stdout : fopen(o->output, "w");
    if (!out) {
        diag_fatal_noloc("cannot write %s: %s", o->output, strerror(errno));
        return 1;
    }
    emit_graph(g, out, o->graph);
    if (to_stdout ? fflush(out) != 0 : fclose(out) != 0) {
        diag_fatal_noloc("cannot write %s: %s", o->output, strerror(errno));
        return 1;
    }
    return 0;
}

/* -S: the C of G to -o (FILE.c by default; '-' is stdout). */
static int write_c(const Options *o, struct Graph *g, EmitOptions *eo, Arena *a)
{
    const char *path = o->output ? o->output : default_output(a, o->input, ".c");
    bool to_stdout = strcmp(path, "-") == 0;
    if (!to_stdout && refuse_input_as_output(o, path))
        return 1;
    FILE *out = to_stdout ? stdout : fopen(path, "w");
    if (!out) {
        diag_fatal_noloc("cannot write %s: %s", path, strerror(errno));
        return 1;
    }
    eo->c_path = to_stdout ? default_output(a, o->input, ".c") : path;
    emit_c(g, out, eo);
    if (to_stdout ? fflush(out) != 0 : fclose(out) != 0) {
        diag_fatal_noloc("cannot write %s: %s", path, strerror(errno));
        return 1;
    }
    return diag_error_count() ? 1 : 0;
}

/* -c and the default: the C of G to a temporary file, then $CC makes an
 * object or an executable. */
static int build(const Options *o, struct Graph *g, EmitOptions *eo, Arena *a)
{
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    char *cfile = arena_printf(a, "%s/flowc-XXXXXX.c", tmpdir);
    int fd = mkstemps(cfile, 2);
    temp_file = fd >= 0 ? cfile : NULL;
    if (fd < 0) {
        diag_fatal_noloc("cannot create a temporary file in %s: %s", tmpdir, strerror(errno));
        return 1;
    }
    FILE *out = fdopen(fd, "w");
    if (!out) {
        close(fd);
        remove_temp(cfile);
        diag_fatal_noloc("cannot write %s: %s", cfile, strerror(errno));
        return 1;
    }
    eo->c_path = cfile;
    emit_c(g, out, eo);
    if (fclose(out) != 0) {
        remove_temp(cfile);
        diag_fatal_noloc("cannot write %s: %s", cfile, strerror(errno));
        return 1;
    }
    if (diag_error_count()) {
        remove_temp(cfile);
        return 1;
    }
    bool obj = o->mode == MODE_OBJ;
    const char *path = o->output ? o->output : default_output(a, o->input, obj ? ".o" : "");
    bool ok = !refuse_input_as_output(o, path) && compile_c(a, cfile, path, obj, o->mpi);
    remove_temp(cfile);
    return ok ? 0 : 1;
}

/* The phases, each handing the next its result: the AST, then the Graph. */
static int compile(const Options *o, Arena *ast_arena, Arena *ir_arena)
{
    int file = srcfile_load(o->input);
    if (file < 0)
        return 1;
    Node *prog = parse_program(file, ast_arena);
    if (diag_error_count())
        return 1;
    if (o->mode == MODE_AST)
        return write_ast(o, prog);

    struct Graph *g = sema_check(prog, ast_arena);
    if (!g || diag_error_count())
        return 1;
    if (o->mode == MODE_CHECK)
        return 0;

    lower_program(g, ir_arena);
    if (diag_error_count())
        return 1;
    if (o->mode == MODE_GRAPH)
        return write_graph(o, g);
    EmitOptions eo = {
        .source_path = o->input,
        .line_directives = o->line_directives,
        .no_version = o->no_version,
        .mpi = o->mpi,
    };
    if (o->mode == MODE_LIB)
        return write_lib(o, g, &eo, ir_arena);
    if (!sema_no_extern(g))
        return 1;   /* extern inputs and outputs need --lib */
    if (o->mode == MODE_C)
        return write_c(o, g, &eo, ir_arena);
    return build(o, g, &eo, ir_arena);
}

/* The checker and the emitter recurse on the syntax tree, as deep as the
 * program nests (a chain of 50,000 `+` is 50,000 levels; the parser
 * allows MAX_DEPTH): the phases run on a thread whose stack has room for
 * that (reserved, not used: pages are touched only as deep as it goes). */
#define COMPILE_STACK ((size_t)2 << 30)

typedef struct CompileJob {
    const Options *o;
    Arena *ast_arena, *ir_arena;
    int rc;
} CompileJob;

static void *compile_job(void *arg)
{
    CompileJob *j = arg;
    j->rc = compile(j->o, j->ast_arena, j->ir_arena);
    return NULL;
}

static int compile_on_big_stack(const Options *o, Arena *ast_arena, Arena *ir_arena)
{
    CompileJob job = { o, ast_arena, ir_arena, 1 };
    pthread_attr_t attr;
    pthread_t t;
    if (pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, COMPILE_STACK) == 0 &&
        pthread_create(&t, &attr, compile_job, &job) == 0) {
        pthread_attr_destroy(&attr);
        pthread_join(t, NULL);
        return job.rc;
    }
    return compile(o, ast_arena, ir_arena);   /* no thread: the main stack (shallow programs) */
}

int main(int argc, char **argv)
{
    Options o = { 0 };
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    install_signal_cleanup();
    Arena *ast_arena = arena_new();
    Arena *ir_arena = arena_new();
    rc = compile_on_big_stack(&o, ast_arena, ir_arena);
    if (rc == 0 && diag_error_count())
        rc = 1;
    arena_free(ir_arena);
    arena_free(ast_arena);
    srcfile_free_all();
    intern_free();
    return rc;
}
