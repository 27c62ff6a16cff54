/*
 * tests/kafka/kafka_test.c - the kafka source and sink against librdkafka's
 * built-in mock cluster, which this program starts itself (loopback only),
 * or against a real Apache Kafka broker that tests/kafka/broker.sh runs.
 * tests/kafka/run.sh compiles the .flow programs of this directory into
 * BINDIR and runs
 *
 *     kafka_test BINDIR                                   (mock cluster)
 *     kafka_test BINDIR --broker PLAIN SASL SCRIPT DIR    (real broker)
 *
 * from tests/kafka (so data/events.jsonl resolves). PLAIN and SASL are the
 * broker's bootstrap servers without and with SASL/PLAIN; `SCRIPT DIR
 * restart` and `SCRIPT DIR stop` restart and stop it. Each compiled
 * program gets the servers with --input STEP=... and --output STEP=...,
 * runs as a child process with a time limit, and its exit status, stdout
 * and stderr are checked; this program's own producer and consumer write
 * and read the topics around it:
 *
 *   round_trip     produce (file -> keyed kafka sink) then the messages read
 *                  here (message key = the stream's key, value = JSON), then
 *                  consume (kafka source -> stdout) against consume.expected,
 *                  consume_json (no schema: (key, json)) against consume_json.expected
 *   docs_example   docs/io.md's "Kafka against a real broker" program
 *                  (BINDIR/events): topic events -> doubled
 *   group_split    two copies of group (one consumer group) started together
 *                  on a 4-partition topic: each gets a non-empty share, the
 *                  shares are disjoint and together hold every message once
 *   unknown_topic  a source subscribed to a topic the cluster lacks stops
 *                  with status 1 and an error naming the topic
 *   restart        (real broker) relay copies a topic while this program
 *                  produces to it and the broker restarts: every message
 *                  arrives once, in order per key
 *   sasl           (real broker) the SASL_PLAINTEXT listener: settings in
 *                  the program's add_config and the password from
 *                  --kafka-property; a wrong password is a clear error;
 *                  everything from --kafka-config
 *   recover        recovery (docs/recovery.md): recover (stateful_map
 *                  from topic rec_in to a file and to topic rec_out) run
 *                  with -r -s 0, killed with SIGKILL mid-stream twice
 *                  (with -w 1, then resumed with -w 2, then -w 3)
 *                  (after the first kill the second half of the messages
 *                  is produced, and the group's committed offsets are
 *                  moved to the partitions' ends, which a resume must not
 *                  use), resumed each time: the file holds every message
 *                  once with its right running count, in order per key;
 *                  rec_out holds every message, in order per key, with
 *                  duplicates only from the replayed epochs (at most one
 *                  poll of 5 messages per worker of the killed run); on
 *                  the mock cluster the same under mpirun (recover_mpi,
 *                  topics rec2_in and rec2_out, `mpirun -n 2 -w 1`, then
 *                  -w 2, then -w 1, a rank killed each time)
 *   brokers_down   every broker down (the mock's set down, the real one
 *                  stopped): the sink and the source stop with status 1
 *                  and a kafka error once message.timeout.ms and
 *                  session.timeout.ms (given with --kafka-property) pass
 *
 * Prints "ok NAME" / "FAIL NAME: why" per check and "N passed, N failed".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

extern char **environ;

#define TIME_LIMIT 60      /* seconds a compiled program may run */
#define MAXMSG 2048

static const char *bindir;
static const char *bootstrap;
static rd_kafka_mock_cluster_t *cluster;   /* NULL with a real broker */
static const char *sasl_bootstrap;        /* real broker: its SASL_PLAINTEXT listener */
static const char *broker_script, *broker_dir;
static int passed, failed;

static bool check(bool ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool check(bool ok, const char *name, const char *fmt, ...)
{
    if (ok) {
        printf("ok %s\n", name);
        passed++;
    } else {
        va_list ap;
        printf("FAIL %s: ", name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        failed++;
    }
    fflush(stdout);
    return ok;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kafka_test: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    printf("%d passed, %d failed\n", passed, failed + 1);
    exit(1);
}

/* ---- child programs ---------------------------------------------------- */

typedef struct child {
    pid_t pid;
    char out[256], err[256];   /* files holding its stdout and stderr */
} child;

/* Start BINDIR/PROG with ARGS (NULL-terminated), stdin from /dev/null. */
static void start(child *c, const char *prog, const char *tag, const char *const *args)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", bindir, prog);
    snprintf(c->out, sizeof c->out, "%s/%s.out", bindir, tag);
    snprintf(c->err, sizeof c->err, "%s/%s.err", bindir, tag);
    const char *argv[24];
    int n = 0;
    argv[n++] = path;
    for (int i = 0; args[i] && n < 23; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, c->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, c->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = posix_spawn(&c->pid, path, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        die("cannot run %s: %s", path, strerror(rc));
}

/* Its exit status; -1 (after killing it) when it outlives TIME_LIMIT. */
static int finish(child *c)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int st;
        pid_t p = waitpid(c->pid, &st, WNOHANG);
        if (p == c->pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > TIME_LIMIT) {
            kill(c->pid, SIGKILL);
            waitpid(c->pid, &st, 0);
            return -1;
        }
        usleep(20000);
    }
}

static int run(const char *prog, const char *tag, const char *const *args, child *c)
{
    start(c, prog, tag, args);
    return finish(c);
}

/* The lines of PATH (at most MAX), each strdup'd; returns how many. */
static int read_lines(const char *path, char **lines, int max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int n = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = 0;
        if (n < max)
            lines[n] = strdup(line);
        n++;
    }
    free(line);
    fclose(f);
    return n;
}

static void free_lines(char **lines, int n)
{
    for (int i = 0; i < n && i < MAXMSG; i++)
        free(lines[i]);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int ch;
    while ((ch = fgetc(f)) != EOF)
        fputc(ch, m);
    fclose(m);
    fclose(f);
    return buf;
}

/* Run PROG (its output in BINDIR/TAG.out, .err): check NAME, that it
 * exits with status 0 and writes nothing on stderr. */
static bool run_clean(const char *prog, const char *tag, const char *const *args, child *c, const char *name)
{
    int rc = run(prog, tag, args, c);
    char *err = slurp(c->err);
    bool ok = check(rc == 0 && !*err, name, "exit status %d, stderr: %s", rc, err);
    free(err);
    return ok;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Do the NG lines GOT and the NE lines EXP hold the same lines, in any
 * order (and at least one)? Sorts both. */
static bool same_lines(char **got, int ng, char **exp, int ne)
{
    if (ng != ne || ne == 0)
        return false;
    qsort(got, (size_t)ng, sizeof *got, by_str);
    qsort(exp, (size_t)ne, sizeof *exp, by_str);
    for (int i = 0; i < ng; i++)
        if (strcmp(got[i], exp[i]) != 0)
            return false;
    return true;
}

/* ---- this program's own producer and consumer ----------------------------- */

static void conf_set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
    char err[512];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK)
        die("%s: %s", k, err);
}

/* A producer (also the admin client) on the cluster: CONF (NULL: a new
 * one) with its bootstrap servers. */
static rd_kafka_t *new_producer(rd_kafka_conf_t *conf, const char *what)
{
    char err[512];
    if (!conf)
        conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bootstrap);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk)
        die("%s: %s", what, err);
    return rk;
}

typedef struct msg {
    char *key, *value;
    int partition;
} msg;

/* Every message of TOPIC (NPART partitions), read from the beginning of
 * each partition to its end; returns how many (at most MAXMSG kept). */
static int read_topic(const char *topic, int npart, msg *out)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "group.id", "kafka_test_reader");
    conf_set(conf, "enable.auto.commit", "false");
    conf_set(conf, "enable.partition.eof", "true");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk)
        die("consumer: %s", err);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(npart);
    for (int i = 0; i < npart; i++)
        rd_kafka_topic_partition_list_add(parts, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
    if (rd_kafka_assign(rk, parts))
        die("cannot assign %s", topic);
    rd_kafka_topic_partition_list_destroy(parts);
    int n = 0, eofs = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (eofs < npart) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > TIME_LIMIT)
            die("reading topic %s: no end after %d s", topic, TIME_LIMIT);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            eofs++;
        } else if (m->err) {
            die("reading topic %s: %s", topic, rd_kafka_message_errstr(m));
        } else {
            if (n < MAXMSG) {
                out[n].key = m->key ? strndup(m->key, m->key_len) : NULL;
                out[n].value = strndup(m->payload ? (const char *)m->payload : "", m->len);
                out[n].partition = m->partition;
            }
            n++;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return n;
}

static void free_msgs(msg *m, int n)
{
    for (int i = 0; i < n && i < MAXMSG; i++) {
        free(m[i].key);
        free(m[i].value);
    }
}

/* ---- the checks --------------------------------------------------------- */

/* data/events.jsonl: {"user": "U", "val": N} per line. */
static int events(char **lines)
{
    int n = read_lines("data/events.jsonl", lines, MAXMSG);
    if (n <= 0)
        die("cannot read data/events.jsonl (run from tests/kafka)");
    return n;
}

/* The user of one events.jsonl line. */
static char *user_of(const char *line)
{
    const char *p = strstr(line, "\"user\": \"");
    if (!p)
        return strdup("?");
    p += 9;
    return strndup(p, strcspn(p, "\""));
}

static long val_of(const char *line)
{
    const char *p = strstr(line, "\"val\": ");
    return p ? strtol(p + 7, NULL, 10) : 0;
}

/* Messages M[0..N) in the order they were read hold, for each key, the
 * lines of WANT with that key in file order (per-partition order kept). */
static bool per_key_order(msg *m, int n, char **want, int nwant, char *(*value_of)(const char *))
{
    for (int i = 0; i < nwant; i++) {
        char *u = user_of(want[i]);
        /* the k-th line of user u is the k-th message with key u */
        int k = 0;
        for (int j = 0; j < i; j++) {
            char *uj = user_of(want[j]);
            k += strcmp(uj, u) == 0;
            free(uj);
        }
        char *v = value_of(want[i]);
        bool found = false;
        for (int j = 0; j < n && !found; j++)
            if (m[j].key && strcmp(m[j].key, u) == 0 && k-- == 0)
                found = strcmp(m[j].value, v) == 0;
        free(v);
        free(u);
        if (!found)
            return false;
    }
    return true;
}

static char *same(const char *line)
{
    return strdup(line);
}

static char *doubled(const char *line)
{
    char *s;
    if (asprintf(&s, "%ld", val_of(line) * 2) < 0)
        die("out of memory");
    return s;
}

static void round_trip(void)
{
    char *want[MAXMSG];
    int nwant = events(want);
    child c;
    const char *pargs[] = { "--output", NULL, NULL };
    char ov[300];
    snprintf(ov, sizeof ov, "out=%s", bootstrap);
    pargs[1] = ov;
    run_clean("produce", "produce", pargs, &c, "round_trip: produce writes to the kafka sink");

    msg m[MAXMSG];
    int n = read_topic("events", 3, m);
    check(n == nwant, "round_trip: topic events holds one message per item", "%d messages, expected %d", n, nwant);
    bool keys = n == nwant;
    for (int i = 0; i < n && i < MAXMSG && keys; i++) {
        char *u = user_of(m[i].value);
        keys = m[i].key && strcmp(m[i].key, u) == 0;
        free(u);
    }
    check(keys, "round_trip: the stream's key is the message key", "a message key is not the user of its value");
    check(n == nwant && per_key_order(m, n, want, nwant, same),
          "round_trip: values are the items' JSON, in order per key", "the messages' values differ from data/events.jsonl");
    int parts_used = 0;
    for (int p = 0; p < 3; p++) {
        bool any = false;
        for (int i = 0; i < n && i < MAXMSG; i++)
            any |= m[i].partition == p;
        parts_used += any;
    }
    check(parts_used > 1, "round_trip: keys are spread over the partitions", "only %d of 3 partitions used", parts_used);
    free_msgs(m, n);

    const char *cargs[] = { "--input", NULL, NULL };
    char iv[300];
    snprintf(iv, sizeof iv, "inp=%s", bootstrap);
    cargs[1] = iv;
    run_clean("consume", "consume", cargs, &c, "round_trip: consume reads the topic to its end and exits");
    char *got[MAXMSG], *exp[MAXMSG];
    int ngot = read_lines(c.out, got, MAXMSG);
    int nexp = read_lines("consume.expected", exp, MAXMSG);
    bool same_set = same_lines(got, ngot, exp, nexp);
    check(same_set, "round_trip: consume prints every (key, Event) of consume.expected",
          "%d lines, expected %d (see %s)", ngot, nexp, c.out);
    free_lines(got, ngot);

    /* several workers: each reads its share of the 3 partitions (with
     * -w 4 one worker has none), together every message once */
    for (int w = 2; w <= 4; w += 2) {
        char wv[8], name[160];
        snprintf(wv, sizeof wv, "%d", w);
        const char *wargs[] = { "--input", iv, "-w", wv, NULL };
        snprintf(name, sizeof name, "round_trip: consume -w %d reads the topic to its end and exits", w);
        run_clean("consume", "consume_w", wargs, &c, name);
        ngot = read_lines(c.out, got, MAXMSG);
        bool same = same_lines(got, ngot, exp, nexp);
        snprintf(name, sizeof name, "round_trip: consume -w %d prints every (key, Event) once, partitions divided", w);
        check(same, name, "%d lines, expected %d (see %s)", ngot, nexp, c.out);
        free_lines(got, ngot);
    }
    /* under mpirun (run.sh's wrapper, when Open MPI is there): the 3
     * partitions divided among the 2 × N workers of both processes */
    char mpirun_path[512];
    snprintf(mpirun_path, sizeof mpirun_path, "%s/consume_mpirun", bindir);
    if (access(mpirun_path, X_OK) != 0)
        printf("skip round_trip: consume under mpirun (no Open MPI, or no make mpi)\n");
    for (int w = 1; w <= 2 && access(mpirun_path, X_OK) == 0; w++) {
        char wv[8], name[160];
        snprintf(wv, sizeof wv, "%d", w);
        const char *wargs[] = { "--input", iv, "-w", wv, "--stats", NULL };
        snprintf(name, sizeof name, "round_trip: mpirun -n 2 consume -w %d reads the topic to its end and exits", w);
        int rc = run("consume_mpirun", "consume_mpi", wargs, &c);
        /* --stats: rank 0's table has every worker; count those that read */
        char *err = slurp(c.err);
        const char *table = strstr(err, "per worker:");
        const char *line = table ? strstr(table, "\n  inp ") : NULL;
        int col = 0, rank_read[2] = { 0, 0 };   /* workers that read, per process */
        for (const char *p = line ? line + 7 : ""; *p && *p != '\n'; p++)
            if (*p == '/' && p[1] == ' ') {
                if (p[2] >= '1' && p[2] <= '9' && col / w < 2)
                    rank_read[col / w]++;
                col++;
            }
        check(rc == 0 && line, name, "exit status %d, stderr: %s", rc, err);
        free(err);
        ngot = read_lines(c.out, got, MAXMSG);
        bool same = same_lines(got, ngot, exp, nexp);
        snprintf(name, sizeof name, "round_trip: mpirun -n 2 consume -w %d prints every (key, Event) once", w);
        check(same, name, "%d lines, expected %d (see %s)", ngot, nexp, c.out);
        snprintf(name, sizeof name, "round_trip: mpirun -n 2 consume -w %d: workers of both processes read", w);
        check(col == 2 * w && rank_read[0] > 0 && rank_read[1] > 0, name,
              "%d and %d workers of ranks 0 and 1 read (of %d columns)", rank_read[0], rank_read[1], col);
        free_lines(got, ngot);
    }
    free_lines(exp, nexp);

    /* the same messages read without a schema: (key, json) items */
    run_clean("consume_json", "consume_json", cargs, &c, "round_trip: consume_json reads the topic to its end and exits");
    ngot = read_lines(c.out, got, MAXMSG);
    nexp = read_lines("consume_json.expected", exp, MAXMSG);
    same_set = same_lines(got, ngot, exp, nexp);
    check(same_set, "round_trip: consume_json prints every (key, json) of consume_json.expected",
          "%d lines, expected %d (see %s)", ngot, nexp, c.out);
    free_lines(got, ngot);
    free_lines(exp, nexp);
    free_lines(want, nwant);
}

static void docs_example(void)
{
    char *want[MAXMSG];
    int nwant = events(want);
    char iv[300], ov[300];
    snprintf(iv, sizeof iv, "inp=%s", bootstrap);
    snprintf(ov, sizeof ov, "out=%s", bootstrap);
    const char *args[] = { "--input", iv, "--output", ov, NULL };
    child c;
    run_clean("events", "events", args, &c, "docs_example: events (docs/io.md) runs with --input/--output brokers");
    msg m[MAXMSG];
    int n = read_topic("doubled", 3, m);
    check(n == nwant && per_key_order(m, n, want, nwant, doubled),
          "docs_example: topic doubled holds (user, val * 2) per event", "%d messages, expected %d", n, nwant);
    free_msgs(m, n);
    free_lines(want, nwant);
}

#define NSPLIT 40

static void group_split(void)
{
    /* 40 messages over the 4 partitions of "split", 10 each */
    rd_kafka_t *rk = new_producer(NULL, "producer");
    for (int i = 0; i < NSPLIT; i++) {
        char key[16], val[16];
        snprintf(key, sizeof key, "k%d", i);
        snprintf(val, sizeof val, "v%d", i);
        rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("split"), RD_KAFKA_V_PARTITION(i % 4),
                                                  RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_VALUE(val, strlen(val)),
                                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e)
            die("produce: %s", rd_kafka_err2str(e));
    }
    if (rd_kafka_flush(rk, 10000))
        die("flush to topic split failed");
    rd_kafka_destroy(rk);

    /* Both join the group within the coordinator's initial rebalance
     * delay (3 s, the mock's and the real broker's
     * group.initial.rebalance.delay.ms), so the first assignment splits
     * the partitions. They
     * tail the topic: with tail = false the first to finish would leave
     * the group and its partitions would go to the other, which (offsets
     * are not committed) would read them again from the beginning. So
     * both run until the union of their outputs holds every message, one
     * more second to catch a repeat, then are stopped with SIGTERM. */
    char iv[300];
    snprintf(iv, sizeof iv, "inp=%s", bootstrap);
    const char *args[] = { "--input", iv, NULL };
    child a, b;
    start(&a, "group", "group_a", args);
    start(&b, "group", "group_b", args);
    char *la[MAXMSG], *lb[MAXMSG];
    int na = 0, nb = 0;
    bool alive = true;
    for (int waited = 0; waited < TIME_LIMIT * 10; waited++) {
        usleep(100000);
        int st;
        if (waitpid(a.pid, &st, WNOHANG) || waitpid(b.pid, &st, WNOHANG)) {
            alive = false;
            break;
        }
        char *x[MAXMSG];
        int n1 = read_lines(a.out, x, MAXMSG);
        free_lines(x, n1);
        int n2 = read_lines(b.out, x, MAXMSG);
        free_lines(x, n2);
        if (n1 + n2 >= NSPLIT)
            break;
    }
    sleep(1);
    kill(a.pid, SIGTERM);
    kill(b.pid, SIGTERM);
    int ra = finish(&a), rb = finish(&b);
    char *ea = slurp(a.err), *eb = slurp(b.err);
    /* SIGTERM stops each at the end of a round, output flushed, with one note */
    const char *note = "group: stopped by SIGTERM after round ";
    check(alive && ra == 128 + SIGTERM && rb == 128 + SIGTERM && strncmp(ea, note, strlen(note)) == 0 &&
              strncmp(eb, note, strlen(note)) == 0 && strstr(ea, "; output flushed\n") &&
              strstr(eb, "; output flushed\n"),
          "group_split: both consumers tail the topic until stopped by SIGTERM (130-style exit, one note each)",
          "exit statuses %d and %d, stderr: %s / %s", ra, rb, ea, eb);
    na = read_lines(a.out, la, MAXMSG);
    nb = read_lines(b.out, lb, MAXMSG);
    /* (a rare failure under load, once in many runs on the mock cluster:
     * one consumer read none of its share within TIME_LIMIT; their
     * stderr, with their rebalance notes, says more) */
    check(na > 0 && nb > 0, "group_split: each consumer gets a non-empty share",
          "shares of %d and %d messages; stderr: %.600s / %.600s", na, nb, ea, eb);
    free(ea);
    free(eb);
    bool disjoint = true;
    for (int i = 0; i < na && i < MAXMSG; i++)
        for (int j = 0; j < nb && j < MAXMSG; j++)
            disjoint &= strcmp(la[i], lb[j]) != 0;
    check(disjoint, "group_split: the shares are disjoint", "a message was read by both consumers");
    bool all = na + nb == NSPLIT;
    for (int i = 0; i < NSPLIT && all; i++) {
        char line[64];
        snprintf(line, sizeof line, "[\"k%d\", \"v%d\"]", i, i);
        int hits = 0;
        for (int j = 0; j < na && j < MAXMSG; j++)
            hits += strcmp(la[j], line) == 0;
        for (int j = 0; j < nb && j < MAXMSG; j++)
            hits += strcmp(lb[j], line) == 0;
        all = hits == 1;
    }
    check(all, "group_split: together they read each of the 40 messages once", "%d + %d lines (%s, %s)", na, nb, a.out,
          b.out);
    free_lines(la, na);
    free_lines(lb, nb);
}

static void unknown_topic(void)
{
    /* The mock broker creates a topic on a metadata request for it (its
     * Metadata API predates AllowAutoTopicCreation), so "does not exist"
     * is set up as the error a broker without auto-creation answers; the
     * real one has auto.create.topics.enable=false. */
    if (cluster)
        rd_kafka_mock_topic_set_error(cluster, "no_such_topic", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    char iv[300];
    snprintf(iv, sizeof iv, "inp=%s", bootstrap);
    const char *args[] = { "--input", iv, NULL };
    child c;
    int rc = run("unknown_topic", "unknown_topic", args, &c);
    char *err = slurp(c.err);
    check(rc == 1 && strstr(err, "error: ") && strstr(err, "no_such_topic"),
          "unknown_topic: stops with status 1 and an error naming the topic", "exit status %d, stderr: %s", rc, err);
    free(err);
}

/* ---- the real broker ------------------------------------------------------ */

/* Run `SCRIPT DIR CMD` (broker.sh restart / stop); its pid. */
static pid_t broker_ctl(const char *cmd)
{
    const char *argv[] = { broker_script, broker_dir, cmd, NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, broker_script, NULL, NULL, (char *const *)argv, environ);
    if (rc != 0)
        die("cannot run %s: %s", broker_script, strerror(rc));
    return pid;
}

static bool broker_wait(pid_t pid)
{
    int st;
    return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Create TOPIC with NPART partitions on the real broker (Admin API). */
static void create_topics(const char *const *names, const int *nparts, int n)
{
    rd_kafka_t *rk = new_producer(NULL, "admin client");
    char err[512];
    rd_kafka_NewTopic_t *nt[16];
    for (int i = 0; i < n; i++)
        if (!(nt[i] = rd_kafka_NewTopic_new(names[i], nparts[i], 1, err, sizeof err)))
            die("topic %s: %s", names[i], err);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, nt, (size_t)n, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, TIME_LIMIT * 1000);
    if (!ev)
        die("creating the topics: no answer in %d s", TIME_LIMIT);
    size_t nres;
    const rd_kafka_topic_result_t **res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &nres);
    for (size_t i = 0; i < nres; i++)
        if (rd_kafka_topic_result_error(res[i]))
            die("creating topic %s: %s", rd_kafka_topic_result_name(res[i]), rd_kafka_topic_result_error_string(res[i]));
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy_array(nt, (size_t)n);
    rd_kafka_destroy(rk);
}

static void produce_one(rd_kafka_t *rk, const char *topic, int i)
{
    char key[16], val[16];
    snprintf(key, sizeof key, "k%d", i % 10);
    snprintf(val, sizeof val, "v%d", i);
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                                                  RD_KAFKA_V_VALUE(val, strlen(val)),
                                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            if (e)
                die("produce: %s", rd_kafka_err2str(e));
            break;
        }
        rd_kafka_poll(rk, 100);
    }
    rd_kafka_poll(rk, 0);
}

static int delivery_errors;

static void count_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    delivery_errors += m->err != 0;
}

#define NRELAY 100   /* messages before the restart, and again after it */

/* Messages v0 .. vN-1 (keys k0 .. k9) of relay_out in M[0..n): each once,
 * and in order per key. */
static bool relay_complete(msg *m, int n, int total, char *why, size_t nwhy)
{
    static int seen[MAXMSG];
    int last[10];
    memset(seen, 0, sizeof seen);
    for (int k = 0; k < 10; k++)
        last[k] = -1;
    for (int i = 0; i < n && i < MAXMSG; i++) {
        int v = atoi(m[i].value + 1);
        if (m[i].value[0] != 'v' || v < 0 || v >= total || v >= MAXMSG) {
            snprintf(why, nwhy, "unexpected message %s", m[i].value);
            return false;
        }
        if (seen[v]++) {
            snprintf(why, nwhy, "v%d twice", v);
            return false;
        }
        if (v < last[v % 10]) {
            snprintf(why, nwhy, "v%d after v%d (key k%d)", v, last[v % 10], v % 10);
            return false;
        }
        last[v % 10] = v;
    }
    for (int v = 0; v < total; v++)
        if (!seen[v]) {
            snprintf(why, nwhy, "v%d missing (%d of %d messages)", v, n, total);
            return false;
        }
    return true;
}

/* relay_out until it holds TOTAL messages (or TIME_LIMIT passes). */
static int await_relay(int total, msg *m)
{
    int n = 0;
    for (int waited = 0;; waited++) {
        n = read_topic("relay_out", 2, m);
        if (n >= total || waited + 1 >= TIME_LIMIT * 2)
            break;    /* the caller frees the messages of the last read */
        free_msgs(m, n);
        usleep(500000);
    }
    return n;
}

static void restart(void)
{
    char iv[300], ov[300];
    snprintf(iv, sizeof iv, "inp=%s", bootstrap);
    snprintf(ov, sizeof ov, "out=%s", bootstrap);
    const char *args[] = { "--input", iv, "--output", ov, NULL };
    child relay;
    start(&relay, "relay", "relay", args);

    /* this program's producer keeps messages through the restart too */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "enable.idempotence", "true");
    conf_set(conf, "message.timeout.ms", "120000");
    conf_set(conf, "log_level", "0");
    rd_kafka_conf_set_dr_msg_cb(conf, count_dr);
    rd_kafka_t *rk = new_producer(conf, "producer");
    int total = 0;
    for (; total < NRELAY; total++)
        produce_one(rk, "relay_in", total);
    rd_kafka_flush(rk, TIME_LIMIT * 1000);
    msg *m = calloc(MAXMSG, sizeof *m);
    int n = await_relay(total, m);
    free_msgs(m, n);
    bool relaying = n == total;

    /* the restart, with a message every 20 ms all the while */
    pid_t ctl = broker_ctl("restart");
    int st = 0;
    pid_t done = 0;
    while ((done = waitpid(ctl, &st, WNOHANG)) == 0 && total < MAXMSG - 2 * NRELAY) {
        produce_one(rk, "relay_in", total++);
        usleep(20000);
    }
    if (done != ctl)   /* the message limit, not the restart, ended the loop */
        done = waitpid(ctl, &st, 0);
    bool restarted = done == ctl && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    int during = total - NRELAY;
    for (int i = 0; i < NRELAY; i++)
        produce_one(rk, "relay_in", total++);
    rd_kafka_flush(rk, TIME_LIMIT * 1000);
    int undelivered = rd_kafka_outq_len(rk);
    rd_kafka_destroy(rk);
    check(restarted && relaying && !delivery_errors && !undelivered,
          "restart: the broker restarts while messages are produced and relayed",
          "restart %s, relaying before: %s, %d failed and %d undelivered deliveries", restarted ? "ok" : "failed",
          relaying ? "yes" : "no", delivery_errors, undelivered);

    n = await_relay(total, m);
    sleep(1);   /* time for a repeat to show */
    free_msgs(m, n);
    n = read_topic("relay_out", 2, m);
    kill(relay.pid, SIGTERM);
    int rc = finish(&relay);
    char *e = slurp(relay.err);
    check(rc == 128 + SIGTERM && strncmp(e, "relay: stopped by SIGTERM", 25) == 0,
          "restart: relay goes on through the restart (no error) until stopped", "exit status %d, stderr: %s", rc, e);
    free(e);
    char why[200] = "";
    check(relay_complete(m, n, total, why, sizeof why),
          "restart: every message produced before, during and after the restart is relayed once, in order per key",
          "%s (%d produced while the broker restarted)", why, during);
    printf("restart: %d messages, %d of them while the broker restarted\n", total, during);
    free_msgs(m, n);
    free(m);
}

/* ---- recovery --------------------------------------------------------------- */

#define NREC 1000     /* messages of rec_in: half before the first run, half after its kill */
#define REC_BATCH 5   /* recover.flow's batch_size: the most messages one worker polls in an epoch with -s 0 */

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = 0, ch;
    while ((ch = getc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

/* Wait until PATH has at least N lines while C runs: 1; 0 when C has
 * exited (*STATUS set), -1 after TIME_LIMIT. */
static int await_lines(child *c, const char *path, int n, int *status)
{
    for (int waited = 0; waited < TIME_LIMIT * 100; waited++) {
        if (count_lines(path) >= n)
            return 1;
        int st;
        if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
            *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return 0;
        }
        usleep(10000);
    }
    return -1;
}

/* Commit, for consumer group GROUP, the end of each of TOPIC's NPART
 * partitions: a source that used committed offsets would skip the rest. */
static void commit_ends(const char *group, const char *topic, int npart)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "group.id", group);
    conf_set(conf, "enable.auto.commit", "false");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk)
        die("consumer: %s", err);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(npart);
    for (int p = 0; p < npart; p++) {
        int64_t lo, hi;
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000);
        if (e)
            die("watermarks of %s/%d: %s", topic, p, rd_kafka_err2str(e));
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = hi;
    }
    rd_kafka_resp_err_t e = rd_kafka_commit(rk, parts, 0);
    if (e)
        die("committing offsets of group %s: %s", group, rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

/* recover.out: NREC lines ('kJ', 'vI N'), key kJ's N-th line holding its
 * N-th message (I = J + 10 (N - 1)). */
static bool recover_file_ok(const char *path, char *why, size_t nwhy)
{
    char *lines[MAXMSG];
    int n = read_lines(path, lines, MAXMSG);
    int seen[10] = { 0 };
    bool ok = n == NREC;
    if (!ok)
        snprintf(why, nwhy, "%d lines, expected %d", n, NREC);
    for (int i = 0; i < n && i < MAXMSG && ok; i++) {
        int j = 0, v = 0, cnt = 0;
        ok = sscanf(lines[i], "('k%d', 'v%d %d')", &j, &v, &cnt) == 3 && j >= 0 && j < 10 &&
             v == j + 10 * seen[j] && cnt == ++seen[j];
        if (!ok)
            snprintf(why, nwhy, "line %d: %s, not key k%d's message %d with its count", i + 1, lines[i], j,
                     j >= 0 && j < 10 ? seen[j] : 0);
    }
    free_lines(lines, n);
    return ok;
}

/* rec_out's messages M[0..N): per key kJ, its messages "vI N" in order,
 * a kill's replay going back to an earlier one and on from there, none
 * missing, with at most MAXDUP repeats in all (*DUPS: how many). */
static bool recover_topic_ok(msg *m, int n, int maxdup, int *dups, char *why, size_t nwhy)
{
    int last[10], top[10];
    for (int j = 0; j < 10; j++)
        last[j] = top[j] = -1;
    *dups = 0;
    for (int i = 0; i < n && i < MAXMSG; i++) {
        int j = m[i].key ? atoi(m[i].key + 1) : -1, v, cnt;
        if (!m[i].key || m[i].key[0] != 'k' || j < 0 || j > 9 || sscanf(m[i].value, "\"v%d %d\"", &v, &cnt) != 2 ||
            v % 10 != j || cnt != v / 10 + 1) {
            snprintf(why, nwhy, "unexpected message %s: %s", m[i].key ? m[i].key : "(no key)", m[i].value);
            return false;
        }
        int t = v / 10;
        if (t > top[j] + 1 || (t != last[j] + 1 && t > last[j])) {
            snprintf(why, nwhy, "key k%d: v%d after v%d (a message skipped)", j, v, j + 10 * last[j]);
            return false;
        }
        *dups += t <= top[j];
        last[j] = t;
        if (t > top[j])
            top[j] = t;
    }
    for (int j = 0; j < 10; j++)
        if (top[j] != NREC / 10 - 1) {
            snprintf(why, nwhy, "key k%d: %d of its %d messages", j, top[j] + 1, NREC / 10);
            return false;
        }
    if (*dups > maxdup) {
        snprintf(why, nwhy, "%d duplicates, more than the %d of the replayed epochs", *dups, maxdup);
        return false;
    }
    return true;
}

/* A recovery case: PROG (an `mpirun -n 2` wrapper when MPI) reads topic
 * IN of group GROUP into FILE and topic OUT; W[i] is run i's -w. */
typedef struct rec_case {
    const char *prog, *tag, *in, *out, *group, *file;
    const char *w[3];
    bool mpi;
} rec_case;

/* Send SIG to every child of PID (mpirun's ranks); how many got it. At
 * most ONE (1: the first child only). */
static int signal_children(pid_t pid, int sig, bool one)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char cpath[400];
        snprintf(cpath, sizeof cpath, "%s/%s/children", path, e->d_name);
        FILE *f = fopen(cpath, "r");
        for (int child; f && fscanf(f, "%d", &child) == 1;) {
            if (kill(child, sig) == 0)
                n++;
            if (one && n)
                break;
        }
        if (f)
            fclose(f);
        if (one && n)
            break;
    }
    if (d)
        closedir(d);
    return n;
}

static void recover_case(const rec_case *rc)
{
    char iv[300], ov[300], fv[600], dir[512], outf[512], what[160];
    snprintf(iv, sizeof iv, "inp=%s", bootstrap);
    snprintf(ov, sizeof ov, "rel=%s", bootstrap);
    snprintf(outf, sizeof outf, "%s/%s", bindir, rc->file);
    snprintf(fv, sizeof fv, "out=%s", outf);
    snprintf(dir, sizeof dir, "%s/%s.st", bindir, rc->tag);
    const char *iargs[] = { "--recovery-init", dir, "2", NULL };
    child c;
    snprintf(what, sizeof what, "%s: --recovery-init creates a store of 2 partitions", rc->tag);
    if (!run_clean(rc->mpi ? "recover_mpi" : rc->prog, "recover_init", iargs, &c, what))   /* one program, without mpirun */
        return;
    rd_kafka_t *rk = new_producer(NULL, "producer");
    int total = 0;
    for (; total < NREC / 2; total++)
        produce_one(rk, rc->in, total);
    rd_kafka_flush(rk, TIME_LIMIT * 1000);

    /* three executions: killed mid-stream (the second half of the input
     * is produced only after the first kill), killed again, then left to
     * read everything and stopped with SIGTERM. Under mpirun a rank is
     * killed (mpirun then stops the job; killing mpirun itself would leave
     * the ranks to notice, while the next run found the store in use), and
     * the last run's ranks get the SIGTERM. */
    const char *args[] = { "-r", dir, "-s", "0", "-b", "0", "--input", iv, "--output", fv, "--output", ov, "-w", "1", NULL };
    static const int kill_at[] = { NREC / 5, NREC * 7 / 10 };
    int kills = 0, maxdup = 0;   /* maxdup: one epoch of every worker of each killed run */
    char why[300] = "";
    for (int run_no = 0; run_no < 3 && !why[0]; run_no++) {
        char tag[48];
        snprintf(tag, sizeof tag, "%s_%d", rc->tag, run_no);
        args[13] = rc->w[run_no];   /* rescaled at each resume */
        start(&c, rc->prog, tag, args);
        int st = 0, got = await_lines(&c, outf, run_no < 2 ? kill_at[run_no] : NREC, &st);
        if (got == 0) {
            char *e = slurp(c.err);
            snprintf(why, sizeof why, "run %d exited with status %d: %.200s", run_no + 1, st, e);
            free(e);
            break;
        }
        if (got < 0)
            snprintf(why, sizeof why, "%s has %d lines after %d s", rc->file, count_lines(outf), TIME_LIMIT);
        int workers = atoi(rc->w[run_no]) * (rc->mpi ? 2 : 1);
        if (run_no < 2 && got > 0) {
            if (rc->mpi ? signal_children(c.pid, SIGKILL, true) == 1 : kill(c.pid, SIGKILL) == 0)
                kills++;
            maxdup += workers * REC_BATCH;   /* each worker polls REC_BATCH */
            finish(&c);
        } else if (rc->mpi) {
            if (got <= 0 || signal_children(c.pid, SIGTERM, false) != 2)
                kill(c.pid, SIGKILL);
            finish(&c);   /* mpirun's status: its ranks ended on a signal */
        } else {
            kill(c.pid, got > 0 ? SIGTERM : SIGKILL);   /* SIGTERM: the sink flushes first */
            int code = finish(&c);
            if (got > 0 && code != 128 + SIGTERM)
                snprintf(why, sizeof why, "the last run: exit status %d", code);
        }
        if (run_no == 0) {
            for (; total < NREC; total++)
                produce_one(rk, rc->in, total);
            rd_kafka_flush(rk, TIME_LIMIT * 1000);
            commit_ends(rc->group, rc->in, 3);
        }
    }
    rd_kafka_destroy(rk);
    snprintf(what, sizeof what, "%s: killed twice mid-stream with SIGKILL, each resume (-w %s, then -w %s) goes on to the end",
             rc->tag, rc->w[1], rc->w[2]);
    check(!why[0], what, "%s", why);
    snprintf(what, sizeof what, "%s: the file holds every message once, its state (running count) exactly-once, in order per key",
             rc->tag);
    check(recover_file_ok(outf, why, sizeof why), what, "%s (%s)", why, outf);
    msg *m = calloc(MAXMSG, sizeof *m);
    int n = read_topic(rc->out, 3, m), dups = 0;
    snprintf(what, sizeof what, "%s: topic %s holds every message, in order per key, duplicates only from replayed epochs",
             rc->tag, rc->out);
    check(recover_topic_ok(m, n, maxdup, &dups, why, sizeof why), what, "%s (%d messages)", why, n);
    printf("%s: %d messages, %d kills, %d repeated in %s\n", rc->tag, NREC, kills, dups, rc->out);
    free_msgs(m, n);
    free(m);
}

static void recover(void)
{
    static const rec_case one = { "recover", "recover", "rec_in", "rec_out", "recover", "recover.out", { "1", "2", "3" }, false };
    recover_case(&one);
    /* under mpirun (run.sh's wrapper, when Open MPI is there): 2 x 1,
     * 2 x 2, 2 x 1 workers */
    char path[512];
    snprintf(path, sizeof path, "%s/recover_mpirun", bindir);
    if (!cluster || access(path, X_OK) != 0) {
        printf("skip recover under mpirun (%s)\n", cluster ? "no Open MPI, or no make mpi" : "the mock cluster only");
        return;
    }
    static const rec_case mpi = { "recover_mpirun", "recover_mpi", "rec2_in", "rec2_out", "recover2", "recover2.out",
                                  { "1", "2", "1" }, true };
    recover_case(&mpi);
}

static void sasl(void)
{
    char *want[MAXMSG];
    int nwant = events(want);
    char ov[300], cfg[512];
    snprintf(ov, sizeof ov, "out=%s", sasl_bootstrap);
    /* the program holds security.protocol, sasl.mechanism, sasl.username */
    const char *good[] = { "--output", ov, "--kafka-property", "out:sasl.password=flowc-secret", NULL };
    child c;
    run_clean("sasl_produce", "sasl_produce", good, &c,
              "sasl: add_config in the program and the password from --kafka-property authenticate");
    msg m[MAXMSG];
    int n = read_topic("secure", 1, m);
    check(n == nwant && per_key_order(m, n, want, nwant, same), "sasl: topic secure holds every item",
          "%d messages, expected %d", n, nwant);
    free_msgs(m, n);

    const char *bad[] = { "--output", ov, "--kafka-property", "sasl.password=wrong", NULL };
    int rc = run("sasl_produce", "sasl_wrong", bad, &c);
    char *err = slurp(c.err);
    check(rc == 1 && strstr(err, "error: kafka: ") && strstr(err, "Authentication failed"),
          "sasl: a wrong password stops the program with status 1 and librdkafka's authentication error",
          "exit status %d, stderr: %s", rc, err);
    free(err);

    /* consume with everything at run time, from a file */
    snprintf(cfg, sizeof cfg, "%s/sasl.properties", bindir);
    FILE *f = fopen(cfg, "w");
    if (!f)
        die("cannot write %s", cfg);
    fprintf(f, "# the SASL_PLAINTEXT listener of tests/kafka/broker.sh\n"
               "security.protocol = SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
               "inp:sasl.username=flowc\ninp:sasl.password=flowc-secret\n");
    fclose(f);
    char iv[300];
    snprintf(iv, sizeof iv, "inp=%s", sasl_bootstrap);
    const char *cargs[] = { "--input", iv, "--kafka-config", cfg, NULL };
    rc = run("consume", "sasl_consume", cargs, &c);
    err = slurp(c.err);
    char *got[MAXMSG], *exp[MAXMSG];
    int ngot = read_lines(c.out, got, MAXMSG);
    int nexp = read_lines("consume.expected", exp, MAXMSG);
    check(rc == 0 && !*err && ngot == nexp, "sasl: a source with every setting from --kafka-config reads the topic",
          "exit status %d, %d lines (expected %d), stderr: %s", rc, ngot, nexp, err);
    free(err);
    free_lines(got, ngot);
    free_lines(exp, nexp);
    free_lines(want, nwant);

    /* no security settings at all: the broker hangs up on each connection;
     * once session.timeout.ms passes, the error quotes librdkafka's hint */
    const char *nargs[] = { "--input", iv, "--kafka-property", "session.timeout.ms=6000", NULL };
    rc = run("consume", "sasl_none", nargs, &c);
    err = slurp(c.err);
    check(rc == 1 && strstr(err, "none came back within session.timeout.ms (6000 ms); last error: ") &&
              strstr(err, "security.protocol"),
          "sasl: a source without the SASL settings stops with status 1, naming security.protocol",
          "exit status %d, stderr: %s", rc, err);
    free(err);
}

static void brokers_down(void)
{
    if (cluster) {
        for (int id = 1; id <= 3; id++)
            rd_kafka_mock_broker_set_down(cluster, id);
    } else if (!broker_wait(broker_ctl("stop"))) {
        die("cannot stop the broker");
    }
    char iv[300], ov[300];
    snprintf(iv, sizeof iv, "inp=%s", bootstrap);
    snprintf(ov, sizeof ov, "out=%s", bootstrap);
    /* without these, the sink would wait 30 s and the source 45 s */
    const char *pargs[] = { "--output", ov, "--kafka-property", "message.timeout.ms=2000", NULL };
    const char *cargs[] = { "--input", iv, "--kafka-property", "session.timeout.ms=3000", NULL };
    child c;
    int rc = run("produce", "produce_down", pargs, &c);
    char *err = slurp(c.err);
    check(rc == 1 && strstr(err, "error: kafka: delivery to topic 'events' failed: Local: Message timed out"),
          "brokers_down: the sink stops with status 1 once message.timeout.ms passes",
          "exit status %d, stderr: %s", rc, err);
    free(err);
    rc = run("consume", "consume_down", cargs, &c);
    err = slurp(c.err);
    check(rc == 1 && strstr(err, "error: kafka: ") && strstr(err, "brokers are down, and none came back within "
                                                             "session.timeout.ms (3000 ms)"),
          "brokers_down: the source stops with status 1 once session.timeout.ms passes",
          "exit status %d, stderr: %s", rc, err);
    free(err);
    if (cluster)
        for (int id = 1; id <= 3; id++)
            rd_kafka_mock_broker_set_up(cluster, id);
}

int main(int argc, char **argv)
{
    if (argc != 2 && !(argc == 7 && strcmp(argv[2], "--broker") == 0)) {
        fprintf(stderr, "usage: kafka_test BINDIR [--broker PLAIN SASL SCRIPT DIR] (run from tests/kafka)\n");
        return 2;
    }
    bindir = argv[1];
    setvbuf(stdout, NULL, _IOLBF, 0);

    rd_kafka_t *owner = NULL;
    if (argc == 7) {
        bootstrap = argv[3];
        sasl_bootstrap = argv[4];
        broker_script = argv[5];
        broker_dir = argv[6];
        printf("kafka broker: %s (SASL/PLAIN: %s)\n", bootstrap, sasl_bootstrap);
        static const char *const names[] = { "events", "doubled", "split", "relay_in", "relay_out", "secure",
                                             "rec_in", "rec_out" };
        static const int nparts[] = { 3, 3, 4, 2, 2, 1, 3, 3 };
        create_topics(names, nparts, 8);
    } else {
        /* the mock cluster lives in this process, on a producer handle of its own */
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        char err[512];
        conf_set(conf, "log_level", "0");
        owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
        if (!owner)
            die("cannot create the mock cluster's handle: %s", err);
        cluster = rd_kafka_mock_cluster_new(owner, 3);
        if (!cluster)
            die("rd_kafka_mock_cluster_new failed");
        bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
        printf("mock cluster: %s\n", bootstrap);
        if (rd_kafka_mock_topic_create(cluster, "events", 3, 1) ||
            rd_kafka_mock_topic_create(cluster, "doubled", 3, 1) || rd_kafka_mock_topic_create(cluster, "split", 4, 1) ||
            rd_kafka_mock_topic_create(cluster, "rec_in", 3, 1) || rd_kafka_mock_topic_create(cluster, "rec_out", 3, 1) ||
            rd_kafka_mock_topic_create(cluster, "rec2_in", 3, 1) || rd_kafka_mock_topic_create(cluster, "rec2_out", 3, 1))
            die("cannot create the topics");
    }

    round_trip();
    docs_example();
    group_split();
    unknown_topic();
    recover();
    if (!cluster) {
        restart();
        sasl();
    }
    brokers_down();   /* last: the real broker stays stopped */

    if (cluster) {
        rd_kafka_mock_cluster_destroy(cluster);
        rd_kafka_destroy(owner);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
