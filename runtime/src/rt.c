/*
 * rt.c - the run context of one dataflow instance: command-line options
 * (flow_rt_init), the round loop's bookkeeping (round arena, clock
 * sampling, pinned clocks for tests), buffered stdout, and the two fatal
 * error reporters. Generated main() calls flow_rt_init, then
 * flow_rt_round_begin/_end around each round, then flow_rt_finish.
 */
#include "internal.h"
#include "io.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define FLUSH_AT FLOW_STDOUT_FLUSH_AT

/* ---- options ----------------------------------------------------------- */

static const char *prog_name(const flow_program_info *info, int argc, char **argv)
{
    if (argc < 1 || !argv[0] || !argv[0][0])
        return info->flow_name;
    const char *slash = strrchr(argv[0], '/');
    return slash ? slash + 1 : argv[0];
}

static void print_help(const flow_program_info *info, const char *prog)
{
    printf("usage: %s [-w N] [--input STEP=PATH]... [--output STEP=PATH]... [--kafka-property [STEP:]KEY=VALUE]...\n"
           "       [--clock TIME] [--clock-step DUR] [-s SECONDS] [-r DIR -b SECONDS] [--stats]\n\n", prog);
    printf("Runs the flow '%s'", info->flow_name);
    if (info->source)
        printf(" (compiled from %s)", info->source);
    printf(".\n");
    if (info->n_inputs > 0) {
        int w = 4;
        for (int i = 0; i < info->n_inputs; i++)
            if ((int)strlen(info->inputs[i].step) > w)
                w = (int)strlen(info->inputs[i].step);
        printf("\ninputs:\n");
        for (int i = 0; i < info->n_inputs; i++) {
            const flow_input_info *in = &info->inputs[i];
            if (in->default_path)
                printf("  %-*s  %-7s  %s\n", w, in->step, in->kind, in->default_path);
            else
                printf("  %-*s  %s\n", w, in->step, in->kind);
        }
    }
    if (info->n_outputs > 0) {
        printf("\noutputs:\n");
        for (int i = 0; i < info->n_outputs; i++)
            printf("  %-*s  %s\n", 8, info->outputs[i].step, info->outputs[i].kind);
    }
    printf("\noptions:\n"
           "  --input STEP=PATH  read file input STEP from PATH instead (kafka: the\n"
           "                     brokers to read from)\n"
           "  --output STEP=PATH write file or dir output STEP to PATH instead\n"
           "                     (kafka: the brokers to write to)\n"
           "  --kafka-property [STEP:]KEY=VALUE\n"
           "                     a librdkafka property (security.protocol,\n"
           "                     sasl.username, client.id, ...) for every kafka\n"
           "                     input and output, or for STEP only; after the\n"
           "                     program's add_config\n"
           "  --kafka-config FILE the same, one [STEP:]KEY=VALUE a line (# comments)\n"
           "  --clock TIME       pin the system clock at TIME (RFC 3339,\n"
           "                     e.g. 2022-01-01T00:00:00Z); also FLOW_CLOCK\n"
           "  --clock-step DUR   with --clock: advance the clock by DUR each round\n"
           "                     (e.g. 1s, 250ms); also FLOW_CLOCK_STEP\n"
           "  -s SECONDS         snapshot (epoch) interval, as Bytewax's -s; with 0\n"
           "                     every input batch is its own epoch: one round\n"
           "                     without input follows each polled batch\n"
           "  -r DIR             recovery: snapshot into the store DIR at the end of\n"
           "                     every epoch, resume from it (needs -s and -b)\n"
           "  -b SECONDS         recovery: keep old snapshots this long\n"
           "  --recovery-init DIR N  create a recovery store of N partitions, exit\n"
           "  -w, --workers N    run N workers (threads); items are exchanged by key\n"
           "                     before each stateful step; also FLOW_WORKERS (1)\n"
           "  --stats            on exit, print on stderr the items in and out of\n"
           "                     each step (and on each worker) and the throughput\n"
           "  --progress[=DUR]   show progress on stderr every DUR (default 1s; on\n"
           "                     by default when stderr is a terminal); --no-progress\n"
           "  --help             show this help and exit\n");
}

static int usage_error(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    char msg[1024];
    fflush(stdout);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* one write: the processes of an MPI job each report it, line by line */
    fprintf(stderr, "%s: error: %s\n", prog, msg);
    return 2;
}

/* The value of option NAME at argv[*i]: "--NAME VALUE" or "--NAME=VALUE".
 * Returns NULL when argv[*i] is not this option; sets *MISSING when the
 * value is absent. Advances *I past a separate value. */
static const char *option_value(const char *name, int argc, char **argv, int *i, bool *missing)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return "";
    }
    return argv[++*i];
}

/* The run-time options that take a value, as "--NAME VALUE" or "--NAME=VALUE". */
static const char *const valued_options[] = { "--input", "--output", "--clock", "--clock-step", "-s",
                                              "--snapshot-interval", "--kafka-property", "--kafka-config",
                                              "-w", "--workers", "-r", "--recovery-directory", "-b",
                                              "--backup-interval", NULL };

const char *flowi_arg_value(const flow_rt *rt, int *i, const char *name)
{
    const char *a = rt->argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=')
        return a + n + 1;
    for (int k = 0; valued_options[k]; k++)
        if (strcmp(a, valued_options[k]) == 0 && *i + 1 < rt->argc) {
            ++*i;
            return strcmp(a, name) == 0 ? rt->argv[*i] : NULL;
        }
    return NULL;
}

static int set_input(flow_rt *rt, const char *prog, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || eq[1] == '\0')
        return usage_error(prog, "--input expects STEP=PATH, got '%s'", spec);
    const flow_program_info *info = rt->info;
    for (int k = 0; k < info->n_inputs; k++) {
        const char *step = info->inputs[k].step;
        if (strlen(step) != (size_t)(eq - spec) || strncmp(step, spec, (size_t)(eq - spec)) != 0)
            continue;
        if (strcmp(info->inputs[k].kind, "testing") == 0 || strcmp(info->inputs[k].kind, "range") == 0 ||
            strcmp(info->inputs[k].kind, "nexmark") == 0)
            return usage_error(prog, "--input: input '%s' is a %s input, not a file input",
                               step, info->inputs[k].kind);
        rt->path_overrides[k] = eq + 1;
        return -1;
    }
    return usage_error(prog, "--input: the flow has no input named '%.*s'", (int)(eq - spec), spec);
}

/* --output STEP=PATH: STEP is one of the flow's file, dir or kafka outputs
 * (checked here, so a flow with none rejects it too). */
static int check_output(flow_rt *rt, const char *prog, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || eq[1] == '\0')
        return usage_error(prog, "--output expects STEP=PATH, got '%s'", spec);
    const flow_program_info *info = rt->info;
    for (int k = 0; k < info->n_outputs; k++) {
        const char *step = info->outputs[k].step, *kind = info->outputs[k].kind;
        if (strlen(step) == (size_t)(eq - spec) && strncmp(step, spec, (size_t)(eq - spec)) == 0 &&
            (strcmp(kind, "file") == 0 || strcmp(kind, "dir") == 0 || strcmp(kind, "kafka") == 0))
            return -1;
    }
    return usage_error(prog, "--output: the flow has no file, dir or kafka output named '%.*s'", (int)(eq - spec),
                       spec);
}

/* --kafka-property V / --kafka-config V (FILE): checked now, applied by
 * io_kafka.c when a kafka source or sink opens. */
static int kafka_option(flow_rt *rt, const char *prog, bool file, const char *v)
{
    char err[1024];
    return flowi_kafka_check_option(rt, file, v, err, sizeof err) ? -1 : usage_error(prog, "%s", err);
}

static int set_clock(flow_rt *rt, const char *prog, const char *what, const char *v)
{
    if (!flow_time_parse(v, strlen(v), &rt->clock_start))
        return usage_error(prog, "%s: invalid time '%s' (expected RFC 3339, e.g. "
                           "2022-01-01T00:00:00Z)", what, v);
    rt->clock_pinned = true;
    return -1;
}

static int set_clock_step(flow_rt *rt, const char *prog, const char *what, const char *v)
{
    if (!flow_duration_parse(v, strlen(v), &rt->clock_step))
        return usage_error(prog, "%s: invalid duration '%s' (e.g. 1s, 250ms)", what, v);
    return -1;
}

/* -s SECONDS: Bytewax's snapshot (epoch) interval, a whole number of seconds. */
static int set_epoch(flow_rt *rt, const char *prog, const char *v)
{
    char *end;
    errno = 0;
    long long secs = strtoll(v, &end, 10);
    if (!*v || *end || errno || secs < 0 || secs > INT64_MAX / FLOW_US_PER_SEC)
        return usage_error(prog, "-s: invalid number of seconds '%s'", v);
    rt->epoch_interval = secs * FLOW_US_PER_SEC;
    return -1;
}


/* -w N: the number of workers, 1 to FLOW_MAX_WORKERS. */
static int set_workers(flow_rt *rt, const char *prog, const char *what, const char *v)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < 1 || n > FLOW_MAX_WORKERS)
        return usage_error(prog, "%s: invalid number of workers '%s' (1 to %d)", what, v, FLOW_MAX_WORKERS);
    rt->nworkers = (int)n;
    return -1;
}

static int parse_args(flow_rt *rt, int argc, char **argv)
{
    const char *prog = prog_name(rt->info, argc, argv);
    const char *clock = NULL, *step = NULL, *workers = NULL;
    bool have_s = false;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        int rc = -1;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help(rt->info, prog);
            return 0;
        } else if (strcmp(argv[i], "--stats") == 0) {
            rt->stats = true;
        } else if (strcmp(argv[i], "--progress") == 0) {
            rt->progress = true;
        } else if (strncmp(argv[i], "--progress=", 11) == 0) {
            int64_t us;
            const char *d = argv[i] + 11;
            if (!flow_duration_parse(d, strlen(d), &us) || us <= 0 || us > INT64_MAX / 1000)
                rc = usage_error(prog, "--progress: invalid duration '%s' (e.g. 1s, 250ms)", d);
            rt->progress = true;
            rt->progress_every_ns = us * 1000;
        } else if (strcmp(argv[i], "--no-progress") == 0) {
            rt->progress = false;
        } else if ((v = option_value("--input", argc, argv, &i, &missing))) {
            rc = missing ? usage_error(prog, "--input needs STEP=PATH") : set_input(rt, prog, v);
        } else if ((v = option_value("--output", argc, argv, &i, &missing))) {
            rc = missing || !strchr(v, '=') || v[0] == '=' ? usage_error(prog, "--output expects STEP=PATH")
                                                            : check_output(rt, prog, v);
        } else if ((v = option_value("--kafka-property", argc, argv, &i, &missing))) {
            rc = missing ? usage_error(prog, "--kafka-property needs [STEP:]KEY=VALUE") : kafka_option(rt, prog, false, v);
        } else if ((v = option_value("--kafka-config", argc, argv, &i, &missing))) {
            rc = missing ? usage_error(prog, "--kafka-config needs a file") : kafka_option(rt, prog, true, v);
        } else if ((v = option_value("--clock-step", argc, argv, &i, &missing))) {
            rc = missing ? usage_error(prog, "--clock-step needs a duration") : -1;
            step = v;
        } else if ((v = option_value("--snapshot-interval", argc, argv, &i, &missing)) ||
                   (v = option_value("-s", argc, argv, &i, &missing))) {
            rc = missing ? usage_error(prog, "-s needs a number of seconds") : set_epoch(rt, prog, v);
            have_s = true;
        } else if ((v = option_value("--clock", argc, argv, &i, &missing))) {
            rc = missing ? usage_error(prog, "--clock needs a time") : -1;
            clock = v;
        } else if ((rc = flowi_store_option(rt, prog, argc, argv, &i)) != -2) {
            /* -r, -b, --recovery-init (recovery.c) */
        } else if ((v = option_value("--workers", argc, argv, &i, &missing)) ||
                   (v = option_value("-w", argc, argv, &i, &missing))) {
            rc = missing ? usage_error(prog, "-w needs a number of workers") : -1;
            workers = v;
        } else if (strncmp(argv[i], "-w", 2) == 0 && argv[i][2] >= '0' && argv[i][2] <= '9') {
            workers = argv[i] + 2;    /* -w4 */
        } else if (argv[i][0] == '-') {
            rc = usage_error(prog, "unrecognized option '%s' (see --help)", argv[i]);
        } else {
            rc = usage_error(prog, "unexpected argument '%s' (see --help)", argv[i]);
        }
        if (rc >= 0)
            return rc;
    }
    int rc = -1;
    const char *env;
    if (workers)
        rc = set_workers(rt, prog, "-w", workers);
    else if (argc > 0 && (env = getenv("FLOW_WORKERS")) && *env)    /* not for an embedded instance */
        rc = set_workers(rt, prog, "FLOW_WORKERS", env);
    if (rc >= 0)
        return rc;
    if (clock)
        rc = set_clock(rt, prog, "--clock", clock);
    else if ((env = getenv("FLOW_CLOCK")) && *env)
        rc = set_clock(rt, prog, "FLOW_CLOCK", env);
    if (rc >= 0)
        return rc;
    if (step && !rt->clock_pinned)
        return usage_error(prog, "--clock-step needs --clock (or FLOW_CLOCK)");
    if (step)
        rc = set_clock_step(rt, prog, "--clock-step", step);
    else if ((env = getenv("FLOW_CLOCK_STEP")) && *env && rt->clock_pinned)
        rc = set_clock_step(rt, prog, "FLOW_CLOCK_STEP", env);
    if (rc >= 0)
        return rc;
    return flowi_store_setup(rt, prog, have_s);
}

static void free_overrides(flow_rt *rt)
{
    if (rt->path_overrides)
        flow_free((void *)rt->path_overrides, (size_t)rt->info->n_inputs * sizeof *rt->path_overrides);
    rt->path_overrides = NULL;
}

/* ---- signals ------------------------------------------------------------ */

volatile sig_atomic_t flowi_stop_signal;
volatile sig_atomic_t flowi_attention;

/* The first SIGINT/SIGTERM/SIGHUP asks the run to stop at the end of the
 * round; a second one exits at once (status 128 + its number). */
static void on_stop_signal(int sig)
{
    if (flowi_stop_signal) {
        static const char msg[] = "interrupted again: exiting at once\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(128 + sig);
    }
    flowi_stop_signal = sig;
    flowi_attention = 1;
}

static void install_stop_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;    /* no SA_RESTART: a blocking read returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static const char *signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}

static _Noreturn void stop_now(flow_rt *rt)
{
    int sig = flowi_stop_signal;
    flow_rt_flush(rt);
    if (rt->progress_shown)
        fputs("\n", stderr);
    fprintf(stderr, "%s: stopped by %s after round %lld; output flushed\n", rt->info->flow_name,
            signal_name(sig), (long long)rt->round);
    exit(128 + sig);
}

int flow_rt_init(flow_rt *rt, const flow_program_info *info, int argc, char **argv)
{
    memset(rt, 0, sizeof *rt);
    rt->info = info;
    flow_arena_init(&rt->arena);
    if (info->n_inputs > 0) {
        size_t size = (size_t)info->n_inputs * sizeof *rt->path_overrides;
        rt->path_overrides = flow_alloc(size);
        memset((void *)rt->path_overrides, 0, size);
    }
    rt->out_is_tty = isatty(STDOUT_FILENO);
    rt->argc = argc;
    rt->argv = argv;
    rt->epoch_interval = 10 * FLOW_US_PER_SEC;   /* Bytewax's default without -s */
    rt->backup_interval = -1;
    rt->err_is_tty = isatty(STDERR_FILENO);
    rt->progress = rt->err_is_tty;
    rt->progress_every_ns = INT64_C(1000000000);
    rt->nworkers = 1;
    int rc = parse_args(rt, argc, argv);
    rt->round_slow = rt->progress;
    if (rc >= 0)
        free_overrides(rt);
    else if (argc > 0)
        install_stop_handlers();   /* a program's main(); an embedded instance passes no arguments */
    flowi_stats_start(rt);
    return rc;
}

const char *flow_rt_input_path(const flow_rt *rt, int index)
{
    if (rt->path_overrides && rt->path_overrides[index])
        return rt->path_overrides[index];
    return rt->info->inputs[index].default_path;
}

/* ---- rounds and output ------------------------------------------------- */

void flow_rt_round_begin(flow_rt *rt)
{
    if (rt->arena.used)
        flow_arena_reset(&rt->arena);
    if (rt->clock_unused) {
        /* nothing reads the clock */
    } else if (rt->clock_pinned && rt->settling) {
        /* the end of input reaching the steps: no time passes */
    } else if (rt->clock_pinned) {
        int64_t off, now;
        if (__builtin_mul_overflow(rt->round, rt->clock_step, &off) ||
            __builtin_add_overflow(rt->clock_start, off, &now) || now > FLOW_TIME_MAX)
            now = FLOW_TIME_MAX;
        rt->now = now;
    } else if (rt->cluster) {
        rt->now = flowi_cluster_now(rt);    /* one reading for every worker */
    } else {
        rt->now = flow_time_now_real();
    }
    rt->round++;
}

void flow_rt_flush(flow_rt *rt)
{
    if (rt->sinks)
        flow_sinks_flush(rt);
    if (rt->cluster)
        return;    /* stdout is written in order at the round's end (cluster.c) */
    size_t done = 0;
    while (done < rt->out.n) {
        ssize_t w = write(STDOUT_FILENO, rt->out.p + done, rt->out.n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            rt->out.n = 0;
            flow_data_error(rt, "stdout", 0, "write error: %s", strerror(e));
        }
        done += (size_t)w;
    }
    rt->out.n = 0;
    rt->seg_start = 0;   /* what a group printed before this is written */
}

void flow_rt_round_end(flow_rt *rt)
{
    if (rt->cluster) {
        /* stop, output, progress and recovery too; flowi_attention is not
         * cleared: every worker's round end takes this slow path anyway
         * (round_slow), and the workers would race to write it */
        flowi_cluster_round_end(rt);
        return;
    }
    flowi_attention = 0;    /* first: a signal from now on sets it again */
    if (flowi_stop_signal && rt->argc > 0)
        stop_now(rt);
    if (rt->out.n >= FLUSH_AT || (rt->out_is_tty && rt->out.n > 0))
        flow_rt_flush(rt);
    if (rt->progress && (rt->round & 255) == 0)
        flow_rt_progress(rt);
    if (rt->store)
        flowi_store_round_end(rt);
}

int flow_rt_finish(flow_rt *rt, int status)
{
    flow_rt_flush(rt);
    flowi_store_close(rt);
    flow_buf_free(&rt->out);
    flow_arena_destroy(&rt->arena);
    free_overrides(rt);
    return status;
}

/* ---- epochs -------------------------------------------------------------- */

int64_t flow_rt_epoch(const flow_rt *rt)
{
    if (rt->epoch_interval <= 0)
        return (rt->round + 1) / 2;
    int64_t elapsed;
    if (rt->clock_pinned) {
        if (__builtin_mul_overflow(rt->round > 0 ? rt->round - 1 : 0, rt->clock_step, &elapsed))
            elapsed = INT64_MAX;
    } else {
        elapsed = (flowi_mono_ns() - rt->start_ns) / 1000;
    }
    return 1 + (elapsed > 0 ? elapsed / rt->epoch_interval : 0);
}

void flow_inspect_debug_prefix(flow_rt *rt, const char *step)
{
    char buf[64];
    flow_buf_puts(&rt->out, step);
    snprintf(buf, sizeof buf, " W%d @%lld: ", rt->worker, (long long)flow_rt_epoch(rt));
    flow_buf_puts(&rt->out, buf);
}

/* ---- fatal errors ------------------------------------------------------ */

/* With a trap set (embedding): keep the message and return through it. */
static _Noreturn void spring_trap(flow_rt *rt)
{
    jmp_buf *trap = rt->trap;
    rt->trap = NULL;
    longjmp(*trap, 1);
}

_Noreturn void flow_step_error(flow_rt *rt, const char *loc, const char *step, const char *msg)
{
    if (rt->seg_step && rt->info && rt->seg_start <= rt->out.n) {
        /* a step declared after STEP printed in this group: take it back */
        for (int i = 0; i < rt->info->n_steps && i < rt->seg_step - 1; i++)
            if (strcmp(rt->info->steps[i].step, step) == 0) {
                rt->out.n = rt->seg_start;
                break;
            }
    }
    rt->seg_step = 0;
    flow_rt_flush(rt);
    fflush(stdout);
    if (rt->trap) {
        snprintf(rt->error, sizeof rt->error, "%s: error: step '%s.%s': %s", loc, rt->info->flow_name, step, msg);
        spring_trap(rt);
    }
    fprintf(stderr, "%s: error: step '%s.%s': %s\n", loc, rt->info->flow_name, step, msg);
    exit(1);
}

_Noreturn void flow_data_error(flow_rt *rt, const char *path, int64_t line, const char *fmt, ...)
{
    va_list ap;
    if (rt)
        flow_rt_flush(rt);
    fflush(stdout);
    if (rt && rt->trap) {
        int n = line > 0 ? snprintf(rt->error, sizeof rt->error, "%s:%lld: error: ", path, (long long)line)
                         : snprintf(rt->error, sizeof rt->error, "%s: error: ", path);
        if (n >= 0 && (size_t)n < sizeof rt->error) {
            va_start(ap, fmt);
            vsnprintf(rt->error + n, sizeof rt->error - (size_t)n, fmt, ap);
            va_end(ap);
        }
        spring_trap(rt);
    }
    if (line > 0)
        fprintf(stderr, "%s:%lld: error: ", path, (long long)line);
    else
        fprintf(stderr, "%s: error: ", path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}
