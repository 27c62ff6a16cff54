/*
 * recovery.c - the recovery store (docs/recovery.md): SQLite databases,
 * one per partition, in the recovery directory; its options (-r, -b,
 * --recovery-init), the lock, the resume calculation, loading rows,
 * writing each epoch's snapshot and garbage collection.
 *
 * Pipeline position: flow_rt_init parses the options and opens the store
 * (rt->store); the generated code restores every step from it after
 * <flow>_new and hooks its rows function (flow_store_hook); before each
 * polling round that begins a new epoch the round's end calls it, which
 * queues the rows of what changed (flow_store_put), and commits them
 * (commit). The sinks record their file lengths here (sink.c), the
 * sources their positions (recovery_io.c).
 *
 * Bytewax's model (SEMANTICS §8): executions (exs), each worker's
 * frontier (fronts), per-partition commit epochs (commits), state rows
 * (snaps). With several workers (-w N, cluster.c) the store is shared:
 * every worker registers the function queuing its rows, and the end of a
 * round's serial part (all workers waiting) calls them all and commits
 * once, so every worker's frontier is the same epoch. With several MPI
 * processes (mpirun -n P, transport_mpi.c) rank 0 alone writes the store
 * and holds its lock: the others open it after rank 0 has (flowi_store_join)
 * and only read it (restore); at an epoch's end (agreed by all, cluster.c)
 * every process queues its workers' rows and rank 0 gathers them over
 * MPI and commits them as one (commit_net). Two additions:
 * types (each step's state fingerprint) and aborts (a testing source's
 * ABORT markers already triggered).
 */
#include "io.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* 2: snaps WITHOUT ROWID (one b-tree: a row written costs a fifth less);
 * 3: an input's row holds every worker's positions */
#define FORMAT "flowc-recovery 3"

/* A row queued for the epoch's snapshot: offsets into flow_store.data. */
typedef struct row {
    int part;
    size_t step, step_n;
    size_t key, key_n;
    size_t blob, blob_n;
    bool null;
    bool gc;                    /* garbage-collect the key's older rows */
} row;

struct flow_store {
    flow_rt *rt;
    char *dir;
    int nparts;
    sqlite3 **db;               /* [nparts] */
    sqlite3_stmt **put;         /* [nparts] INSERT OR REPLACE INTO snaps */
    sqlite3_stmt **gc;          /* [nparts] DELETE older rows of one key */
    int lockfd;
    int64_t ex_num;             /* this execution */
    int64_t resume;             /* the resume epoch R */
    int64_t epoch;              /* the epoch being processed */
    int64_t gc_lag;             /* d: epochs of backup, or -1 for never */
    int64_t min_epoch;          /* no row is older (GC has nothing to do until keep passes it) */
    int64_t epoch_start_us;     /* pinned clock: when the current epoch began (-1: not yet) */
    int64_t snap_round;         /* rt->round at the last snapshot */
    int nw;                     /* this process's workers (-w) */
    int gnw;                    /* the job's workers (nw × processes) */
    int base;                   /* this process's first worker */
    int rank, nranks;           /* MPI processes: rank 0 writes the store */
    bool follower;              /* a rank > 0: opens the store in flowi_store_join */
    struct {                    /* [nw] each worker's flow_store_hook */
        bool (*rows)(void *ctx);
        void *ctx;
    } *hooks;
    bool hooked;                /* every worker's hook is set */
    int64_t round_base;         /* rounds of earlier executions before the resume epoch */
    bool last;                  /* the next commit is the one at the end of the input */
    row *rows;
    size_t nrows, caprows;
    flow_buf data;              /* the bytes of the queued rows */
    flow_buf tmp;
    /* rank 0 of several processes: the steps whose rows are each process's
     * partial counts (count_final, flow_store_sum_step), and the last count
     * each process sent for each of their keys: [nranks] int64 per
     * "STEP\0KEY" */
    char **sum_steps;
    int nsum;
    flow_table *sums;
    flow_buf skey;
};

/* ---- SQLite, loaded when a run asks for recovery ---------------------------
 *
 * Programs do not link libsqlite3: a run without -r or --recovery-init
 * neither loads nor relocates it (about 1.8 M instructions of dynamic
 * linking at every start otherwise, and a library a program without
 * recovery would need installed). sqlite_load dlopens it and fills this
 * table; the sqlite3_* calls below go through it. */
#define SQLITE_FNS(X)                                                                                       \
    X(int, bind_blob, (sqlite3_stmt *, int, const void *, int, void (*)(void *)))                          \
    X(int, bind_int64, (sqlite3_stmt *, int, sqlite3_int64))                                               \
    X(int, bind_null, (sqlite3_stmt *, int))                                                               \
    X(int, bind_text, (sqlite3_stmt *, int, const char *, int, void (*)(void *)))                          \
    X(int, busy_timeout, (sqlite3 *, int))                                                                 \
    X(int, close, (sqlite3 *))                                                                             \
    X(const void *, column_blob, (sqlite3_stmt *, int))                                                    \
    X(int, column_bytes, (sqlite3_stmt *, int))                                                            \
    X(sqlite3_int64, column_int64, (sqlite3_stmt *, int))                                                  \
    X(const unsigned char *, column_text, (sqlite3_stmt *, int))                                           \
    X(int, column_type, (sqlite3_stmt *, int))                                                             \
    X(int, errcode, (sqlite3 *))                                                                           \
    X(const char *, errmsg, (sqlite3 *))                                                                   \
    X(int, exec, (sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *, char **))       \
    X(int, finalize, (sqlite3_stmt *))                                                                     \
    X(void, free, (void *))                                                                                \
    X(char *, mprintf, (const char *, ...))                                                                \
    X(int, open_v2, (const char *, sqlite3 **, int, const char *))                                        \
    X(int, prepare_v2, (sqlite3 *, const char *, int, sqlite3_stmt **, const char **))                    \
    X(int, reset, (sqlite3_stmt *))                                                                        \
    X(const char *, sql, (sqlite3_stmt *))                                                                 \
    X(int, step, (sqlite3_stmt *))

static struct {
#define X(ret, name, args) ret(*name) args;
    SQLITE_FNS(X)
#undef X
} sq;

/* Load libsqlite3 (once); false with *WHY set when it cannot be. */
static bool sqlite_load(const char **why)
{
    static void *lib;
    if (lib)
        return true;
    void *h = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        *why = dlerror();
        return false;
    }
#define X(ret, name, args)                                                                                  \
    if (!(*(void **)&sq.name = dlsym(h, "sqlite3_" #name))) {                                               \
        *why = "libsqlite3.so.0 lacks sqlite3_" #name;                                                      \
        return false;                                                                                       \
    }
    SQLITE_FNS(X)
#undef X
    lib = h;
    return true;
}

#define sqlite3_bind_blob sq.bind_blob
#define sqlite3_bind_int64 sq.bind_int64
#define sqlite3_bind_null sq.bind_null
#define sqlite3_bind_text sq.bind_text
#define sqlite3_busy_timeout sq.busy_timeout
#define sqlite3_close sq.close
#define sqlite3_column_blob sq.column_blob
#define sqlite3_column_bytes sq.column_bytes
#define sqlite3_column_int64 sq.column_int64
#define sqlite3_column_text sq.column_text
#define sqlite3_column_type sq.column_type
#define sqlite3_errcode sq.errcode
#define sqlite3_errmsg sq.errmsg
#define sqlite3_exec sq.exec
#define sqlite3_finalize sq.finalize
#define sqlite3_free sq.free
#define sqlite3_mprintf sq.mprintf
#define sqlite3_open_v2 sq.open_v2
#define sqlite3_prepare_v2 sq.prepare_v2
#define sqlite3_reset sq.reset
#define sqlite3_sql sq.sql
#define sqlite3_step sq.step

/* ---- errors ------------------------------------------------------------ */

static FLOW_NORETURN void store_fail(flow_rt *rt, const char *dir, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static FLOW_NORETURN void store_fail(flow_rt *rt, const char *dir, const char *fmt, ...)
{
    va_list ap;
    flow_rt_flush(rt);
    fflush(stdout);
    fprintf(stderr, "%s: error: recovery store %s: ", rt->info->flow_name, dir);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* An SQLite error on partition K: corruption and a full disk get their
 * own words; the transaction in progress is rolled back by SQLite. */
static FLOW_NORETURN void db_fail(flow_store *st, int k, const char *what)
{
    sqlite3 *db = st->db[k];
    int code = sqlite3_errcode(db);
    const char *why = code == SQLITE_NOTADB || code == SQLITE_CORRUPT ? "not a valid flowc recovery store: "
                      : code == SQLITE_FULL                            ? "disk full: "
                                                                       : "";
    store_fail(st->rt, st->dir, "part-%d.sqlite3: %s%s%s (%s)", k, why, sqlite3_errmsg(db),
               code == SQLITE_FULL ? "; the previous snapshot is intact" : "", what);
}

static void exec(flow_store *st, int k, const char *sql)
{
    if (sqlite3_exec(st->db[k], sql, NULL, NULL, NULL) != SQLITE_OK)
        db_fail(st, k, sql);
}

static sqlite3_stmt *prep(flow_store *st, int k, const char *sql)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db[k], sql, -1, &s, NULL) != SQLITE_OK)
        db_fail(st, k, sql);
    return s;
}

/* Run S to its end (for statements returning no rows). */
static void step_done(flow_store *st, int k, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        db_fail(st, k, sqlite3_sql(s));
    sqlite3_reset(s);
}

/* One integer from SQL (DFLT when it gives no row or NULL). */
static int64_t query_int(flow_store *st, int k, const char *sql, int64_t dflt)
{
    sqlite3_stmt *s = prep(st, k, sql);
    int rc = sqlite3_step(s);
    int64_t v = dflt;
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(s, 0);
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        db_fail(st, k, sql);
    sqlite3_finalize(s);
    return v;
}

static char *query_text(flow_store *st, int k, const char *sql, const char *name)
{
    sqlite3_stmt *s = prep(st, k, sql);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    char *v = NULL;
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = flowi_strdup((const char *)sqlite3_column_text(s, 0));
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        db_fail(st, k, sql);
    sqlite3_finalize(s);
    return v;
}

/* ---- creating a store (--recovery-init DIR N) ------------------------- */

static const char *SCHEMA =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE exs(ex_num INTEGER PRIMARY KEY, worker_count INTEGER, resume_epoch INTEGER);"
    "CREATE TABLE fronts(ex_num INTEGER, worker_index INTEGER, worker_frontier INTEGER,"
    "                    PRIMARY KEY (ex_num, worker_index));"
    "CREATE TABLE commits(part_index INTEGER PRIMARY KEY, commit_epoch INTEGER);"
    "CREATE TABLE types(step_id TEXT PRIMARY KEY, fingerprint TEXT);"
    "CREATE TABLE snaps(step_id TEXT, state_key BLOB, snap_epoch INTEGER, ser_change BLOB,"
    "                   PRIMARY KEY (step_id, state_key, snap_epoch)) WITHOUT ROWID;"
    "CREATE TABLE aborts(step_id TEXT, marker INTEGER, PRIMARY KEY (step_id, marker));";

static char *part_path(const char *dir, int k)
{
    size_t n = strlen(dir) + 32;
    char *p = flow_alloc(n);
    snprintf(p, n, "%s/part-%d.sqlite3", dir, k);
    char *r = flowi_strdup(p);
    flow_free(p, n);
    return r;
}

/* mkdir -p */
static bool make_dirs(const char *dir)
{
    char *p = flowi_strdup(dir);
    bool ok = true;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                ok = false;
            *s = c;
            if (!c)
                break;
        }
    }
    flowi_strfree(p);
    return ok;
}

static int init_store(flow_rt *rt, const char *prog, const char *dir, int n)
{
    const char *why;
    if (!sqlite_load(&why)) {
        fprintf(stderr, "%s: error: recovery store %s: recovery needs SQLite: %s\n", prog, dir, why);
        return 1;
    }
    if (!make_dirs(dir)) {
        fprintf(stderr, "%s: error: recovery store %s: cannot create the directory: %s\n", prog, dir, strerror(errno));
        return 1;
    }
    for (int k = 0; k < n; k++) {
        char *path = part_path(dir, k);
        if (access(path, F_OK) == 0) {
            fprintf(stderr, "%s: error: recovery store %s: %s already exists\n", prog, dir, path);
            flowi_strfree(path);
            return 1;
        }
        sqlite3 *db;
        int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
        char *sql = NULL;
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, SCHEMA, NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            sql = sqlite3_mprintf("INSERT INTO meta VALUES ('format', '%q'), ('flow', '%q'),"
                                  " ('part_index', '%d'), ('part_count', '%d');"
                                  "INSERT INTO commits VALUES (%d, 0);",
                                  FORMAT, rt->info->flow_name, k, n, k);
            rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
            sqlite3_free(sql);
        }
        if (rc != SQLITE_OK) {
            fprintf(stderr, "%s: error: recovery store %s: %s: %s\n", prog, dir, path, sqlite3_errmsg(db));
            sqlite3_close(db);
            flowi_strfree(path);
            return 1;
        }
        sqlite3_close(db);
        flowi_strfree(path);
    }
    printf("%s: created recovery store %s with %d partition%s\n", prog, dir, n, n == 1 ? "" : "s");
    return 0;
}

/* ---- options ------------------------------------------------------------ */

int flowi_store_option(flow_rt *rt, const char *prog, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strcmp(a, "--recovery-init") == 0) {
        if (*i + 2 >= argc) {
            fprintf(stderr, "%s: error: --recovery-init needs DIR N\n", prog);
            return 2;
        }
        char *end;
        long n = strtol(argv[*i + 2], &end, 10);
        if (!*argv[*i + 2] || *end || n < 1 || n > 10000) {
            fprintf(stderr, "%s: error: --recovery-init: invalid partition count '%s'\n", prog, argv[*i + 2]);
            return 2;
        }
        return init_store(rt, prog, argv[*i + 1], (int)n);
    }
    const char *v = NULL;
    bool dir = strcmp(a, "-r") == 0 || strcmp(a, "--recovery-directory") == 0;
    bool backup = strcmp(a, "-b") == 0 || strcmp(a, "--backup-interval") == 0;
    if (!dir && !backup) {
        if (strncmp(a, "--recovery-directory=", 21) == 0)
            dir = true, v = a + 21;
        else if (strncmp(a, "--backup-interval=", 18) == 0)
            backup = true, v = a + 18;
        else
            return -2;    /* not ours */
    }
    if (!v) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "%s: error: %s needs a value\n", prog, a);
            return 2;
        }
        v = argv[++*i];
    }
    if (dir) {
        rt->recovery_dir = v;
        return -1;
    }
    char *end;
    errno = 0;
    long long secs = strtoll(v, &end, 10);
    if (!*v || *end || errno || secs < 0 || secs > INT64_MAX / FLOW_US_PER_SEC) {
        fprintf(stderr, "%s: error: -b: invalid number of seconds '%s'\n", prog, v);
        return 2;
    }
    rt->backup_interval = secs * FLOW_US_PER_SEC;
    return -1;
}

/* ---- opening: the lock, the partitions, the resume epoch ----------------- */

static void take_lock(flow_store *st)
{
    size_t n = strlen(st->dir) + 8;
    char *path = flow_alloc(n);
    snprintf(path, n, "%s/lock", st->dir);
    st->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    flow_free(path, n);
    if (st->lockfd < 0)
        store_fail(st->rt, st->dir, "cannot open its lock file: %s", strerror(errno));
    if (flock(st->lockfd, LOCK_EX | LOCK_NB) != 0) {
        char buf[32] = "";
        ssize_t r = pread(st->lockfd, buf, sizeof buf - 1, 0);
        buf[r > 0 ? r : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        store_fail(st->rt, st->dir, "in use by another process (pid %s)", *buf ? buf : "?");
    }
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(st->lockfd, 0) != 0 || pwrite(st->lockfd, buf, (size_t)len, 0) != len)
        store_fail(st->rt, st->dir, "cannot write its lock file: %s", strerror(errno));
}

static int by_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Open every part-K.sqlite3 of the directory, check them, order by index. */
static void open_parts(flow_store *st)
{
    char **names;
    size_t n = flowi_dir_list(st->rt, st->dir, "part-*.sqlite3", &names);
    if (n == 0)
        store_fail(st->rt, st->dir, "no partitions (create them with %s --recovery-init %s N)",
                   st->rt->argc > 0 ? st->rt->argv[0] : st->rt->info->flow_name, st->dir);
    sqlite3 **dbs = flow_alloc(n * sizeof *dbs);
    int *idx = flow_alloc(n * 2 * sizeof *idx);
    int count = -1;
    st->db = dbs;
    st->nparts = (int)n;
    for (size_t i = 0; i < n; i++) {
        if (sqlite3_open_v2(names[i], &dbs[i], SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
            store_fail(st->rt, st->dir, "%s: cannot open: %s", names[i], sqlite3_errmsg(dbs[i]));
        sqlite3_busy_timeout(dbs[i], 5000);
        sqlite3_stmt *s;
        const char *q = "SELECT value FROM meta WHERE name = ?1";
        int rc = sqlite3_prepare_v2(dbs[i], q, -1, &s, NULL);
        if (rc != SQLITE_OK)
            store_fail(st->rt, st->dir, "%s: not a valid flowc recovery store: %s", names[i], sqlite3_errmsg(dbs[i]));
        sqlite3_finalize(s);
        char *fmt = query_text(st, (int)i, q, "format");
        char *flow = query_text(st, (int)i, q, "flow");
        char *pi = query_text(st, (int)i, q, "part_index");
        char *pc = query_text(st, (int)i, q, "part_count");
        if (fmt && strncmp(fmt, "flowc-recovery ", 15) == 0 && strcmp(fmt, FORMAT) != 0)
            store_fail(st->rt, st->dir, "%s: store format '%s', this program reads '%s' (create a new store with "
                       "--recovery-init)", names[i], fmt, FORMAT);
        if (!fmt || strcmp(fmt, FORMAT) != 0 || !flow || !pi || !pc)
            store_fail(st->rt, st->dir, "%s: not a valid flowc recovery store: no '%s' metadata", names[i], FORMAT);
        if (strcmp(flow, st->rt->info->flow_name) != 0)
            store_fail(st->rt, st->dir, "it belongs to flow '%s', not '%s'", flow, st->rt->info->flow_name);
        idx[2 * i] = atoi(pi);
        idx[2 * i + 1] = (int)i;
        if (count >= 0 && atoi(pc) != count)
            store_fail(st->rt, st->dir, "partitions disagree on the partition count");
        count = atoi(pc);
        flowi_strfree(fmt);
        flowi_strfree(flow);
        flowi_strfree(pi);
        flowi_strfree(pc);
    }
    qsort(idx, n, 2 * sizeof *idx, by_int);
    for (int k = 0; k < count; k++)
        if ((size_t)k >= n || idx[2 * k] != k)
            store_fail(st->rt, st->dir, "partition %d of %d is missing", k, count);
    if ((size_t)count != n)
        store_fail(st->rt, st->dir, "partitions disagree on the partition count");
    sqlite3 **ordered = flow_alloc(n * sizeof *ordered);
    for (size_t k = 0; k < n; k++)
        ordered[k] = dbs[idx[2 * k + 1]];
    memcpy(dbs, ordered, n * sizeof *dbs);
    flow_free(ordered, n * sizeof *ordered);
    flow_free(idx, n * 2 * sizeof *idx);
    for (size_t i = 0; i < n; i++)
        flowi_strfree(names[i]);
    flow_free(names, n * sizeof *names);
}

/* Bytewax's resume calculation (SEMANTICS §8.3): the latest execution's
 * lowest worker frontier (all are equal: one commit writes them). */
static void resume_from(flow_store *st)
{
    int64_t last_ex = query_int(st, 0, "SELECT MAX(ex_num) FROM exs", -1);
    st->resume = 1;
    if (last_ex >= 0) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT MIN(worker_frontier) FROM fronts WHERE ex_num = %lld", (long long)last_ex);
        int64_t front = query_int(st, 0, sql, -1);
        snprintf(sql, sizeof sql, "SELECT resume_epoch FROM exs WHERE ex_num = %lld", (long long)last_ex);
        st->resume = front >= 0 ? front : query_int(st, 0, sql, 1);
    }
    st->ex_num = last_ex + 1;
    for (int k = 0; k < st->nparts; k++) {
        int64_t c = query_int(st, k, "SELECT MAX(commit_epoch) FROM commits", 0);
        if (c > st->resume)
            store_fail(st->rt, st->dir,
                       "partitions are inconsistent: part-%d.sqlite3 committed epoch %lld, but the store resumes at "
                       "epoch %lld (a partition file restored from an older backup?)",
                       k, (long long)c, (long long)st->resume);
    }
    /* rows of epochs >= R: a snapshot cut short by the crash */
    for (int k = 0; k < st->nparts; k++) {
        char sql[96];
        snprintf(sql, sizeof sql, "DELETE FROM snaps WHERE snap_epoch >= %lld", (long long)st->resume);
        exec(st, k, sql);
    }
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT INTO exs VALUES (%lld, %d, %lld)", (long long)st->ex_num, st->nw,
             (long long)st->resume);
    exec(st, 0, sql);
    st->epoch = st->resume;
    /* the oldest row: GC deletes rows older than another at most `keep`,
     * so none before keep passes it (a fresh store: from epoch d + 3) */
    st->min_epoch = st->resume;
    for (int k = 0; k < st->nparts; k++) {
        int64_t m = query_int(st, k, "SELECT MIN(snap_epoch) FROM snaps", st->resume);
        if (m < st->min_epoch)
            st->min_epoch = m;
    }
}

/* The rounds run before the resume epoch (row "@rt"): a pinned clock
 * (--clock, --clock-step) goes on from the time the interrupted execution
 * had reached there, so that a resumed run sees the system times an
 * uninterrupted one would (timers, windows, watermarks). */
static void resume_rounds(flow_store *st)
{
    flow_rt *rt = st->rt;
    flow_rd r;
    if (!flow_store_get(rt, "@rt", (flow_str){ "", 0 }, &r))
        return;
    st->round_base = flow_dec_i64(&r);
    if (r.bad || r.p != r.end || st->round_base < 0)
        flow_store_corrupt(rt, "@rt", (flow_str){ "", 0 });
    if (rt->clock_pinned) {
        int64_t off, start;
        if (__builtin_mul_overflow(st->round_base, rt->clock_step, &off) ||
            __builtin_add_overflow(rt->clock_start, off, &start) || start > FLOW_TIME_MAX)
            start = FLOW_TIME_MAX;
        rt->clock_start = start;
    }
}

__attribute__((weak)) bool flowi_mpi_linked = false;

/* This process's rank in an mpirun job, from the environment that Open MPI
 * (OMPI_COMM_WORLD_RANK), PMIx or MPICH's launchers give it before
 * MPI_Init: the store is opened before it (flow_rt_init). 0 when none. */
static int mpi_rank(void)
{
    static const char *const vars[] = { "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return atoi(v);
    }
    return 0;
}

/* After the options: check them and open the store. Returns -1 to run,
 * else main()'s exit status. */
int flowi_store_setup(flow_rt *rt, const char *prog, bool have_s)
{
    const char *env;
    if (rt->argc == 0)
        return -1;    /* an embedded instance: no recovery */
    if (!rt->recovery_dir && (env = getenv("FLOW_RECOVERY_DIRECTORY")) && *env)
        rt->recovery_dir = env;
    if (rt->backup_interval < 0 && (env = getenv("FLOW_RECOVERY_BACKUP_INTERVAL")) && *env) {
        char *end;
        long long secs = strtoll(env, &end, 10);
        if (*end || secs < 0 || secs > INT64_MAX / FLOW_US_PER_SEC) {
            fprintf(stderr, "%s: error: FLOW_RECOVERY_BACKUP_INTERVAL: invalid number of seconds '%s'\n", prog, env);
            return 2;
        }
        rt->backup_interval = secs * FLOW_US_PER_SEC;
    }
    if (!rt->recovery_dir)
        return -1;
    if (!have_s || rt->backup_interval < 0) {
        fprintf(stderr, "%s: error: -r needs both -s SECONDS and -b SECONDS (as Bytewax's)\n", prog);
        return 2;
    }
    const char *why;
    if (!sqlite_load(&why)) {
        fprintf(stderr, "%s: error: recovery store %s: recovery needs SQLite: %s\n", prog, rt->recovery_dir, why);
        return 1;
    }
    flow_store *st = flow_alloc(sizeof *st);
    memset(st, 0, sizeof *st);
    st->rt = rt;
    st->dir = flowi_strdup(rt->recovery_dir);
    st->lockfd = -1;
    st->nw = rt->nworkers > 1 ? rt->nworkers : 1;
    st->gnw = st->nw;
    st->nranks = 1;
    st->epoch_start_us = -1;
    /* d = ceil(backup / interval) epochs (0 when -b 0; -s 0: never) */
    if (rt->backup_interval == 0)
        st->gc_lag = 0;
    else if (rt->epoch_interval == 0)
        st->gc_lag = -1;
    else
        st->gc_lag = (rt->backup_interval + rt->epoch_interval - 1) / rt->epoch_interval;
    st->hooks = flow_alloc((size_t)st->nw * sizeof *st->hooks);
    memset(st->hooks, 0, (size_t)st->nw * sizeof *st->hooks);
    rt->store = st;
    struct stat sb;
    if (stat(st->dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        store_fail(rt, st->dir, "no partitions (create them with %s --recovery-init %s N)",
                   rt->argv[0], st->dir);
    int rank = mpi_rank();
    if (rank > 0) {
        /* a later rank of an mpirun job: rank 0 takes the lock and the
         * resume epoch, this one opens the store after (flowi_store_join) */
        if (!flowi_mpi_linked)
            store_fail(rt, st->dir, "process %d of an mpirun job: a program built without --mpi runs one process "
                       "per store", rank);
        st->follower = true;
        st->rank = rank;
        return -1;
    }
    take_lock(st);
    open_parts(st);
    st->put = flow_alloc((size_t)st->nparts * sizeof *st->put);
    st->gc = flow_alloc((size_t)st->nparts * sizeof *st->gc);
    for (int k = 0; k < st->nparts; k++) {
        exec(st, k, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        st->put[k] = prep(st, k, "INSERT OR REPLACE INTO snaps VALUES (?1, ?2, ?3, ?4)");
        st->gc[k] = prep(st, k,
                         "DELETE FROM snaps WHERE step_id = ?1 AND state_key = ?2 AND snap_epoch < "
                         "(SELECT MAX(snap_epoch) FROM snaps WHERE step_id = ?1 AND state_key = ?2 AND snap_epoch <= ?3)");
    }
    resume_from(st);
    resume_rounds(st);
    return -1;
}

void flowi_store_join(flow_rt *rt, int rank, int nranks)
{
    flow_store *st = rt->store;
    st->rank = rank;
    st->nranks = nranks;
    st->base = rank * st->nw;
    st->gnw = st->nw * nranks;
    /* rank 0's store, as it opened it: this rank reads it from now on */
    int64_t v[4] = { st->resume, st->ex_num, st->min_epoch, 0 };
    rt->net->bcast(rt->net, v, sizeof v, 0);
    if (rank == 0) {
        /* the execution's row counts every process's workers */
        char sql[96];
        snprintf(sql, sizeof sql, "UPDATE exs SET worker_count = %d WHERE ex_num = %lld", st->gnw,
                 (long long)st->ex_num);
        exec(st, 0, sql);
        return;
    }
    open_parts(st);
    st->put = flow_alloc((size_t)st->nparts * sizeof *st->put);
    st->gc = flow_alloc((size_t)st->nparts * sizeof *st->gc);
    memset(st->put, 0, (size_t)st->nparts * sizeof *st->put);
    memset(st->gc, 0, (size_t)st->nparts * sizeof *st->gc);
    st->resume = st->epoch = v[0];
    st->ex_num = v[1];
    st->min_epoch = v[2];
    resume_rounds(st);
}

void flowi_store_close(flow_rt *rt)
{
    flow_store *st = rt->store;
    if (!st)
        return;
    for (int k = 0; k < st->nparts; k++) {
        sqlite3_finalize(st->put[k]);
        sqlite3_finalize(st->gc[k]);
        sqlite3_close(st->db[k]);
    }
    flow_free(st->put, (size_t)st->nparts * sizeof *st->put);
    flow_free(st->gc, (size_t)st->nparts * sizeof *st->gc);
    flow_free(st->db, (size_t)st->nparts * sizeof *st->db);
    flow_free(st->hooks, (size_t)st->nw * sizeof *st->hooks);
    flow_free(st->rows, st->caprows * sizeof *st->rows);
    flow_buf_free(&st->data);
    flow_buf_free(&st->tmp);
    for (int i = 0; i < st->nsum; i++)
        flowi_strfree(st->sum_steps[i]);
    flow_free(st->sum_steps, (size_t)st->nsum * sizeof *st->sum_steps);
    if (st->sums)
        flow_table_free(st->sums, NULL);
    flow_buf_free(&st->skey);
    if (st->lockfd >= 0)
        close(st->lockfd);
    flowi_strfree(st->dir);
    flow_free(st, sizeof *st);
    rt->store = NULL;
}

/* ---- rows: routing, loading --------------------------------------------- */

static int part_of(const flow_store *st, const char *step, flow_str key)
{
    if (st->nparts == 1)
        return 0;
    XXH3_state_t *h = XXH3_createState();
    XXH3_64bits_reset(h);
    XXH3_64bits_update(h, step, strlen(step) + 1);
    XXH3_64bits_update(h, key.p, (size_t)key.n);
    uint64_t v = XXH3_64bits_digest(h);
    XXH3_freeState(h);
    return (int)(v % (uint64_t)st->nparts);
}

void flow_store_type(flow_rt *rt, const char *step, const char *fingerprint)
{
    flow_store *st = rt->store;
    for (int k = 0; k < st->nparts; k++) {
        char *old = query_text(st, k, "SELECT fingerprint FROM types WHERE step_id = ?1", step);
        if (old && strcmp(old, fingerprint) != 0)
            store_fail(rt, st->dir, "step '%s.%s' keeps state of type %s in the store, the program's is %s",
                       rt->info->flow_name, step, old, fingerprint);
        flowi_strfree(old);
        if (!old && st->rank == 0) {    /* rank 0 writes the store */
            sqlite3_stmt *s = prep(st, k, "INSERT OR REPLACE INTO types VALUES (?1, ?2)");
            sqlite3_bind_text(s, 1, step, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 2, fingerprint, -1, SQLITE_STATIC);
            step_done(st, k, s);
            sqlite3_finalize(s);
        }
    }
}

void flow_store_load(flow_rt *rt, const char *step, void (*fn)(void *ctx, flow_str key, flow_rd *blob), void *ctx)
{
    flow_store *st = rt->store;
    for (int k = 0; k < st->nparts; k++) {
        /* SQLite: the bare columns of a MAX() aggregate come from its row */
        sqlite3_stmt *s = prep(st, k,
                               "SELECT state_key, ser_change, MAX(snap_epoch) FROM snaps WHERE step_id = ?1 "
                               "GROUP BY state_key");
        sqlite3_bind_text(s, 1, step, -1, SQLITE_STATIC);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            if (sqlite3_column_type(s, 1) == SQLITE_NULL)
                continue;
            flow_str key = { (const char *)sqlite3_column_blob(s, 0), sqlite3_column_bytes(s, 0) };
            if (!key.p)
                key.p = "";
            const char *b = sqlite3_column_blob(s, 1);
            flow_rd r = { b ? b : "", (b ? b : "") + sqlite3_column_bytes(s, 1), false };
            if (!flow_utf8_valid(key.p, (size_t)key.n))
                flow_store_corrupt(rt, step, (flow_str){ "?", 1 });
            fn(ctx, key, &r);
        }
        if (rc != SQLITE_DONE)
            db_fail(st, k, "loading a snapshot");
        sqlite3_finalize(s);
    }
}

bool flow_store_get(flow_rt *rt, const char *step, flow_str key, flow_rd *blob)
{
    flow_store *st = rt->store;
    int k = part_of(st, step, key);
    sqlite3_stmt *s = prep(st, k,
                           "SELECT ser_change FROM snaps WHERE step_id = ?1 AND state_key = ?2 "
                           "ORDER BY snap_epoch DESC LIMIT 1");
    sqlite3_bind_text(s, 1, step, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, key.n ? key.p : "", (int)key.n, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    bool found = false;
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        st->tmp.n = 0;
        flow_buf_put(&st->tmp, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
        blob->p = st->tmp.p ? st->tmp.p : "";
        blob->end = blob->p + st->tmp.n;
        blob->bad = false;
        found = true;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        db_fail(st, k, "loading a snapshot");
    }
    sqlite3_finalize(s);
    return found;
}

void flow_store_corrupt(flow_rt *rt, const char *step, flow_str key)
{
    store_fail(rt, rt->store->dir, "not a valid flowc recovery store: corrupted state of step '%s.%s' key '%.*s'",
               rt->info->flow_name, step, (int)(key.n > 64 ? 64 : key.n), key.p);
}

void flow_store_refuse(flow_rt *rt, const char *step, const char *what)
{
    store_fail(rt, rt->store->dir, "step '%s.%s' (%s) cannot be recovered yet (docs/recovery.md, Status); run it "
               "without -r", rt->info->flow_name, step, what);
}

/* ---- count_final's partial counts across processes ------------------------
 *
 * count_final counts on every worker and combines at EOF (docs/workers.md
 * §1); its row for a key is the sum of the process's workers' counts
 * (compiler/emit_recovery.c). With several processes each sends its own
 * sum, and only for the keys it touched this epoch, so rank 0 keeps the
 * last count every process sent for every key and writes their total. */

/* Rank 0: the [nranks] counts of STEP's KEY (zeroed when new). */
static int64_t *sum_slot(flow_store *st, const char *step, size_t step_n, flow_str key)
{
    st->skey.n = 0;
    flow_buf_put(&st->skey, step, step_n);
    flow_buf_put(&st->skey, "", 1);
    flow_buf_put(&st->skey, key.p, (size_t)key.n);
    flow_str k = { st->skey.p, (int64_t)st->skey.n };
    uint32_t id = flow_table_upsert(st->sums, k, NULL);
    return flow_table_value(st->sums, id);
}

static bool is_sum_step(const flow_store *st, const char *step, size_t step_n)
{
    for (int i = 0; i < st->nsum; i++)
        if (strlen(st->sum_steps[i]) == step_n && memcmp(st->sum_steps[i], step, step_n) == 0)
            return true;
    return false;
}

/* A count_final row's count (a false timer flag, then the count) into
 * *N; false when R holds anything else. */
static bool dec_count(flow_rd *r, int64_t *n)
{
    bool timer = flow_dec_bool(r);
    *n = flow_dec_i64(r);
    return !timer && !r->bad && r->p == r->end;
}

typedef struct sum_seed {
    flow_rt *rt;
    const char *step;
} sum_seed;

/* A stored total counts as the process's that now owns the key: its
 * owner starts from it (the generated load), the others from 0. */
static void seed_sum(void *ctx, flow_str key, flow_rd *blob)
{
    sum_seed *sd = ctx;
    flow_store *st = sd->rt->store;
    int64_t n;
    if (!dec_count(blob, &n))
        flow_store_corrupt(sd->rt, sd->step, key);
    int proc = flow_key_owner(sd->rt, key) / st->nw;
    sum_slot(st, sd->step, strlen(sd->step), key)[proc] = n;
}

void flow_store_sum_step(flow_rt *rt, const char *step)
{
    flow_store *st = rt->store;
    if (st->rank != 0 || st->nranks <= 1 || is_sum_step(st, step, strlen(step)))
        return;
    if (!st->sums)
        st->sums = flow_table_new(sizeof(int64_t) * (size_t)st->nranks);
    st->sum_steps = flow_realloc(st->sum_steps, (size_t)st->nsum * sizeof *st->sum_steps,
                                 (size_t)(st->nsum + 1) * sizeof *st->sum_steps);
    st->sum_steps[st->nsum++] = flowi_strdup(step);
    sum_seed sd = { rt, step };
    flow_store_load(rt, step, seed_sum, &sd);
}

/* ---- the ABORT markers of testing sources -------------------------------- */

void flow_store_abort_hit(flow_rt *rt, const char *step, int64_t mark)
{
    flow_store *st = rt->store;
    sqlite3_stmt *s = prep(st, 0, "INSERT OR REPLACE INTO aborts VALUES (?1, ?2)");
    sqlite3_bind_text(s, 1, step, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, mark);
    step_done(st, 0, s);
    sqlite3_finalize(s);
}

bool flow_store_abort_seen(flow_rt *rt, const char *step, int64_t mark)
{
    flow_store *st = rt->store;
    sqlite3_stmt *s = prep(st, 0, "SELECT 1 FROM aborts WHERE step_id = ?1 AND marker = ?2");
    sqlite3_bind_text(s, 1, step, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, mark);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        db_fail(st, 0, "reading aborts");
    sqlite3_finalize(s);
    return rc == SQLITE_ROW;
}

/* ---- snapshots ----------------------------------------------------------- */

static void commit(flow_rt *rt);
static void commit_net(flow_rt *rt, bool ok);

/* When an epoch ends. The run loop checks nothing per round: with the
 * real clock a one-shot interval timer (SIGALRM, SA_RESTART) sets
 * flowi_attention, which the end of every round tests anyway, and
 * epoch_alarm; the round's end then snapshots and arms the timer again
 * (commit). With -s 0 (an epoch per polling round) or a pinned
 * clock that steps (epochs in pinned time, for reproducible tests) the
 * round's end keeps flowi_attention set and looks at every round. */
static volatile sig_atomic_t epoch_alarm;

static void on_epoch_alarm(int sig)
{
    (void)sig;
    epoch_alarm = 1;
    flowi_attention = 1;
}

/* Epochs in pinned time: a pinned clock that steps (a frozen one, no
 * --clock-step, measures no time: its epochs are the real clock's). */
static bool pinned_epochs(const flow_rt *rt)
{
    return rt->clock_pinned && rt->clock_step > 0;
}

static bool every_round(const flow_rt *rt)
{
    return rt->epoch_interval == 0 || pinned_epochs(rt);
}

static void arm_epoch(flow_rt *rt)
{
    if (every_round(rt)) {
        flowi_attention = 1;
        return;
    }
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = (time_t)(rt->epoch_interval / FLOW_US_PER_SEC);
    it.it_value.tv_usec = (suseconds_t)(rt->epoch_interval % FLOW_US_PER_SEC);
    setitimer(ITIMER_REAL, &it, NULL);
}

void flow_store_hook(flow_rt *rt, bool (*rows)(void *ctx), void *ctx)
{
    flow_store *st = rt->store;
    int w = rt->cluster ? rt->worker - st->base : 0;
    st->hooks[w].rows = rows;
    st->hooks[w].ctx = ctx;
    st->hooked = true;
    for (int k = 0; k < st->nw; k++)
        st->hooked &= st->hooks[k].rows != NULL;
    if (!st->hooked)
        return;    /* the epochs start once every worker has restored */
    if (!every_round(rt)) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_epoch_alarm;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;    /* reads and writes go on */
        sigaction(SIGALRM, &sa, NULL);
    }
    arm_epoch(rt);
}

void *flow_store_peer(flow_rt *rt, int worker)
{
    return rt->store->hooks[worker].ctx;
}

int flow_store_workers(const flow_rt *rt)
{
    return rt->store->nw;
}

bool flow_store_lead(const flow_rt *rt)
{
    return rt->worker == rt->store->base;
}

/* The snapshot of the epoch that ended: every worker's rows, worker 0's
 * first, then the commit; none while an ABORT is pending (a ROWS says no:
 * what was queued is dropped). */
static void take_snapshot(flow_store *st, flow_rt *rt)
{
    bool ok = true;
    for (int w = 0; w < st->nw && ok; w++)
        ok = st->hooks[w].rows(st->hooks[w].ctx);
    if (!ok) {
        st->nrows = 0;
        st->data.n = 0;
    }
    if (st->nranks > 1)
        commit_net(rt, ok);    /* every process, even when one says no */
    else if (ok)
        commit(rt);
}

bool flowi_store_due(flow_rt *rt)
{
    flow_store *st = rt->store;
    if (!st->hooked)
        return false;
    bool due;
    if (rt->epoch_interval == 0) {
        /* -s 0: polling rounds alternate with rounds that poll nothing,
         * starting with round 1: the next round polls after an even one */
        due = (rt->round & 1) == 0 && rt->round != st->snap_round;
    } else if (pinned_epochs(rt)) {
        if (st->epoch_start_us < 0)
            st->epoch_start_us = rt->now;
        due = rt->now - st->epoch_start_us >= rt->epoch_interval;
    } else {
        due = epoch_alarm;
        epoch_alarm = 0;
    }
    if (every_round(rt))
        flowi_attention = 1;
    return due;
}

void flowi_store_snapshot(flow_rt *rt)
{
    take_snapshot(rt->store, rt);    /* commits, and arms the next epoch */
}

void flowi_store_round_end(flow_rt *rt)
{
    if (flowi_store_due(rt))
        flowi_store_snapshot(rt);
}

void flow_store_end(flow_rt *rt)
{
    flow_store *st = rt->store;
    if (!st->hooked)
        return;
    st->last = true;
    take_snapshot(st, rt);
}

void flow_store_put(flow_rt *rt, const char *step, flow_str key, const flow_buf *b)
{
    flow_store_put_state(rt, step, key, b, true);
}

void flow_store_put_state(flow_rt *rt, const char *step, flow_str key, const flow_buf *b, bool gc)
{
    flow_store *st = rt->store;
    if (st->nrows == st->caprows)
        flow_vec_grow((void **)&st->rows, &st->caprows, sizeof *st->rows, st->nrows + 1);
    row *r = &st->rows[st->nrows++];
    r->part = part_of(st, step, key);
    r->step = st->data.n;
    r->step_n = strlen(step);
    flow_buf_put(&st->data, step, r->step_n);
    r->key = st->data.n;
    r->key_n = (size_t)key.n;
    flow_buf_put(&st->data, key.p, (size_t)key.n);
    r->null = b == NULL;
    r->gc = gc;
    r->blob = st->data.n;
    r->blob_n = b ? b->n : 0;
    if (b)
        flow_buf_put(&st->data, b->p, b->n);
}

static void write_part(flow_store *st, int k)
{
    exec(st, k, "BEGIN IMMEDIATE");
    sqlite3_stmt *put = st->put[k], *gc = st->gc[k];
    /* until the frontier moves past this epoch a resume starts at it and
     * needs each key's newest row before it: GC keeps that one too */
    int64_t keep = st->gc_lag < 0 ? -1 : st->epoch - 1 - st->gc_lag;
    for (size_t i = 0; i < st->nrows; i++) {
        row *r = &st->rows[i];
        if (r->part != k)
            continue;
        const char *d = st->data.p;
        sqlite3_bind_text(put, 1, d + r->step, (int)r->step_n, SQLITE_STATIC);
        sqlite3_bind_blob(put, 2, r->key_n ? d + r->key : "", (int)r->key_n, SQLITE_STATIC);
        sqlite3_bind_int64(put, 3, st->epoch);
        if (r->null)
            sqlite3_bind_null(put, 4);
        else
            sqlite3_bind_blob(put, 4, r->blob_n ? d + r->blob : "", (int)r->blob_n, SQLITE_STATIC);
        step_done(st, k, put);
        /* garbage collection, per key written: Bytewax's rule restricted
         * to the keys of this epoch (cost proportional to keys touched) */
        if (r->gc && keep > st->min_epoch) {
            sqlite3_bind_text(gc, 1, d + r->step, (int)r->step_n, SQLITE_STATIC);
            sqlite3_bind_blob(gc, 2, r->key_n ? d + r->key : "", (int)r->key_n, SQLITE_STATIC);
            sqlite3_bind_int64(gc, 3, keep);
            step_done(st, k, gc);
        }
    }
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE commits SET commit_epoch = %lld WHERE part_index = %d",
             (long long)(keep >= 0 ? keep : 0), k);
    exec(st, k, sql);
    if (k == 0) {
        /* the frontier last, in partition 0's transaction, after every
         * other partition's has committed */
        for (int w = 0; w < st->gnw; w++) {
            snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO fronts VALUES (%lld, %d, %lld)", (long long)st->ex_num, w,
                     (long long)(st->epoch + 1));
            exec(st, k, sql);
        }
        if (st->last) {   /* the run reached the end of its input */
            snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta VALUES ('ended_ex', '%lld')", (long long)st->ex_num);
            exec(st, k, sql);
        }
    }
    exec(st, k, "COMMIT");
}

/* End the epoch's snapshot: flush the sinks of every worker and record
 * their lengths, write stdout, write the queued rows (one transaction per
 * partition), then the frontiers; garbage-collect. */
/* The rows queued, the sinks' lengths and stdout of the epoch. */
static void queue_outputs(flow_rt *rt)
{
    flow_store *st = rt->store;
    if (st->rank == 0) {
        st->tmp.n = 0;
        flow_enc_i64(&st->tmp, st->round_base + rt->round);    /* resume_rounds */
        flow_store_put(rt, "@rt", (flow_str){ "", 0 }, &st->tmp);
    }
    if (rt->cluster)
        flowi_cluster_save_outputs(rt);    /* each worker's sinks, then stdout in order */
    else
        flowi_sinks_save(rt);    /* flushes the files, queues their lengths */
    fflush(stdout);
}

/* The epoch is over (committed or, after an ABORT, dropped). */
static void epoch_done(flow_rt *rt)
{
    flow_store *st = rt->store;
    st->nrows = 0;
    st->data.n = 0;
    st->epoch++;
    st->epoch_start_us = rt->now;    /* (pinned clock) */
    st->snap_round = rt->round;
    if (!st->last)
        arm_epoch(rt);
}

static void commit(flow_rt *rt)
{
    flow_store *st = rt->store;
    queue_outputs(rt);
    for (int k = st->nparts - 1; k >= 0; k--)
        write_part(st, k);
    epoch_done(rt);
}

/* Several processes: this process's rows as bytes for rank 0 (a flag OK,
 * then each row: partition, gc, null, the sizes, step, key, blob). */
static void pack_rows(flow_store *st, bool ok, flow_buf *b)
{
    b->n = 0;
    flow_enc_bool(b, ok);
    for (size_t i = 0; i < st->nrows; i++) {
        const row *r = &st->rows[i];
        flow_enc_u64(b, (uint64_t)r->part);
        flow_enc_bool(b, r->gc);
        flow_enc_bool(b, r->null);
        flow_enc_u64(b, r->step_n);
        flow_enc_u64(b, r->key_n);
        flow_enc_u64(b, r->blob_n);
        flow_buf_put(b, st->data.p + r->step, r->step_n);
        flow_buf_put(b, st->data.p + r->key, r->key_n);
        flow_buf_put(b, st->data.p + r->blob, r->blob_n);
    }
}

/* Rank 0: the row of STEP with an empty key queued by an earlier process,
 * if any (an input's positions: each process's first worker writes its
 * workers'). */
static row *process_row(flow_store *st, size_t from, const char *step, size_t step_n)
{
    for (size_t i = 0; i < from; i++) {
        row *r = &st->rows[i];
        if (r->key_n == 0 && !r->null && r->step_n == step_n && memcmp(st->data.p + r->step, step, step_n) == 0)
            return r;
    }
    return NULL;
}

/* Rank 0: queue process Q's rows from its bytes R; false when one of
 * its workers said no (an ABORT pending). An input's row (a count, then
 * that many positions) joins the one of the processes before: the counts
 * summed, the positions in process order, which is the workers' order.
 * A count_final row becomes the total of every process's last count. */
static bool unpack_rows(flow_store *st, flow_rd *r, int q)
{
    bool ok = flow_dec_bool(r);
    size_t first = st->nrows;
    while (r->p < r->end && !r->bad) {
        int part = (int)flow_dec_u64(r);
        bool gc = flow_dec_bool(r), null = flow_dec_bool(r);
        uint64_t sn = flow_dec_u64(r), kn = flow_dec_u64(r), bn = flow_dec_u64(r);
        if (r->bad || part < 0 || part >= st->nparts || sn + kn + bn > (uint64_t)(r->end - r->p))
            break;
        const char *step = r->p, *key = step + sn, *blob = key + kn;
        r->p = blob + bn;
        int64_t total = 0;
        bool summed = kn > 0 && is_sum_step(st, step, sn);
        if (summed) {
            int64_t *v = sum_slot(st, step, sn, (flow_str){ key, (int64_t)kn });
            if (null) {
                memset(v, 0, sizeof *v * (size_t)st->nranks);    /* combined at EOF: gone */
            } else {
                flow_rd c = { blob, blob + bn, false };
                if (!dec_count(&c, &v[q]))
                    store_fail(st->rt, st->dir, "the rows sent to rank 0 are malformed");
                for (int p = 0; p < st->nranks; p++)
                    total += v[p];
            }
        }
        row *old = kn == 0 && !null ? process_row(st, first, step, sn) : NULL;
        if (old) {
            /* room first: A points into st->data, which must not move
             * while it is copied onto its end (a count takes at most 10) */
            flow_buf_reserve(&st->data, old->blob_n + bn + 10);
            flow_rd a = { st->data.p + old->blob, st->data.p + old->blob + old->blob_n, false };
            flow_rd c = { blob, blob + bn, false };
            uint64_t na = flow_dec_u64(&a), nc = flow_dec_u64(&c);
            size_t at = st->data.n;
            flow_enc_u64(&st->data, na + nc);
            flow_buf_put(&st->data, a.p, (size_t)(a.end - a.p));
            flow_buf_put(&st->data, c.p, (size_t)(c.end - c.p));
            old->blob = at;
            old->blob_n = st->data.n - at;
            continue;
        }
        if (st->nrows == st->caprows)
            flow_vec_grow((void **)&st->rows, &st->caprows, sizeof *st->rows, st->nrows + 1);
        row *w = &st->rows[st->nrows++];
        *w = (row){ .part = part, .null = null, .gc = gc };
        w->step = st->data.n;
        w->step_n = sn;
        flow_buf_put(&st->data, step, sn);
        w->key = st->data.n;
        w->key_n = kn;
        flow_buf_put(&st->data, key, kn);
        w->blob = st->data.n;
        if (summed && !null) {
            flow_enc_bool(&st->data, false);
            flow_enc_i64(&st->data, total);
        } else {
            flow_buf_put(&st->data, blob, bn);
        }
        w->blob_n = st->data.n - w->blob;
    }
    if (r->bad || r->p != r->end)
        store_fail(st->rt, st->dir, "the rows sent to rank 0 are malformed");
    return ok;
}

/* The end of an epoch with several processes, on each at once: queue the
 * outputs, send the rows to rank 0, which writes them all (one
 * transaction per partition, the frontiers last: the epoch is complete
 * only when every process's rows are in) and tells the others whether it
 * committed. A process's worker with an ABORT pending (OK false) drops
 * the epoch on every process. */
static void commit_net(flow_rt *rt, bool ok)
{
    flow_store *st = rt->store;
    flowi_net *net = rt->net;
    int64_t no = !ok;
    net->max(net, &no, 1);    /* every process's sinks and stdout, or none */
    if (no) {
        st->nrows = 0;
        st->data.n = 0;
        return;
    }
    queue_outputs(rt);
    flow_buf mine = { 0 }, all = { 0 };
    pack_rows(st, true, &mine);
    st->nrows = 0;
    st->data.n = 0;
    size_t *lens = flow_alloc(sizeof *lens * (size_t)st->nranks);
    net->gather(net, mine.p, mine.n, &all, lens);
    int64_t done = 0;
    if (st->rank == 0) {
        done = 1;
        size_t at = 0;
        for (int q = 0; q < st->nranks; q++) {
            flow_rd r = { all.p + at, all.p + at + lens[q], false };
            done &= unpack_rows(st, &r, q);
            at += lens[q];
        }
        if (done)
            for (int k = st->nparts - 1; k >= 0; k--)
                write_part(st, k);
    }
    net->bcast(net, &done, sizeof done, 0);
    flow_free(lens, sizeof *lens * (size_t)st->nranks);
    flow_buf_free(&mine);
    flow_buf_free(&all);
    if (done)
        epoch_done(rt);
    else {
        st->nrows = 0;
        st->data.n = 0;
    }
}
