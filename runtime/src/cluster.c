/*
 * cluster.c - several workers in one process (`PROG -w N`, docs/workers.md):
 * N threads in lockstep, each running its own instance of the flow (its
 * own flow struct and flow_rt) over the same rounds, and what they share:
 * a barrier, the registry of exchange points (flow_xbox), the end of each
 * round (global EOF, the clock, the ordered writing of stdout, bad
 * records, the stop signal) and the end of the run.
 *
 * The one-worker path never comes here: main() calls flow_cluster_main
 * only for N > 1, and the generated code tests its flag f->mw (several
 * workers) before anything of this file runs.
 *
 * Synchronisation: the barrier (spin, then futex) is the only kind of
 * wait, at each exchange point and at the round's end. Everything a
 * worker writes before it arrives (its outboxes, its EOF flags, its output
 * buffer) is read by the others after they leave it (the arrival is a
 * release, the departure an acquire); nothing a worker reads of another's
 * is written again before the round's last barrier, which is also where
 * round-arena resets and frees wait. At the round's end the last worker to
 * arrive runs the serial part (round_end_serial) while the others wait:
 * it reads and writes every worker's output buffers and flags. A flow
 * without exchange points meets only every SYNC_EVERY rounds.
 *
 * Stopping: a worker that fails (a step's error, through its trap) sets
 * `halt`; the others leave at their next barrier (bail), except that in a
 * flow meeting every SYNC_EVERY rounds each first runs up to the failing
 * round (stopped). Output is written up to the round that stopped the run.
 *
 * Output: each worker writes stdout into its own buffer and notes at each
 * round end where the round's output ends; stdout gets, round after
 * round, worker 0's output of the round, then worker 1's, and so on. The
 * same holds for the warnings of skipped records on stderr.
 *
 * The transport (how items cross between workers at an exchange point) is
 * a small interface, `transport` below: the items themselves (copy: one
 * address space), or their binary encoding decoded again (encode: what a
 * transport between processes carries; FLOW_TRANSPORT=encode runs it in
 * one process, so that the tests check the generated encoders).
 */
#include "internal.h"
#include "io.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- the barrier --------------------------------------------------------- */

/* A sense-counting barrier: arrivals count up; the last arrival resets the
 * count, runs the serial part and bumps GEN, which the others spin on
 * (then sleep on, as a futex). A pthread barrier wakes its waiters through
 * the kernel every time, too slow for rounds of a few microseconds. */
#define SPIN_MIN 8

typedef struct barrier {
    _Atomic uint32_t arrived;
    _Atomic uint32_t gen;
    _Atomic uint32_t sleepers;
    uint32_t n;                /* workers that meet (the serial part may
                                * lower it: workers that retired) */
    int spin;                  /* polls of GEN before sleeping, at most */
} barrier;

static void futex_wait(_Atomic uint32_t *w, uint32_t v)
{
    syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *w)
{
    syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* ---- the cluster --------------------------------------------------------- */

enum { HALT_NONE, HALT_FAILED, HALT_MSG, HALT_STOP, HALT_ABORT };

typedef struct seg {
    int64_t round;
    size_t end;                /* the round's output ends here in the buffer */
} seg;

/* An ordered buffer: what one worker wrote, and where each round ends. */
typedef struct obuf {
    seg *segs;
    size_t nsegs, capsegs;
    size_t last;               /* the end of the last noted round */
} obuf;

/* A flow without exchange points has nothing crossing between workers:
 * each runs on its own and they meet only every SYNC_EVERY rounds (to
 * agree on the end of the inputs, write stdout in order, stop). A round
 * of one item then costs no meeting: bench/w1.flow's testing(range(N))
 * would otherwise spend microseconds a round waiting. */
#define SYNC_EVERY 256

typedef struct worker {
    struct flow_cluster *c;
    flow_rt *rt;
    void *f;                   /* its instance of the flow */
    pthread_t th;
    bool failed;               /* stopped by an error: rt->error */
    int spin;                  /* polls of the barrier before sleeping: halved
                                * after a wait that slept, doubled (up to
                                * bar.spin) after one that did not */
    bool retired;              /* its inputs ended, in a flow without exchange
                                * points: it has nothing more to do and no
                                * longer meets the others (round_end_serial) */
    int64_t fail_round;        /* ... in this round */
    obuf out;                  /* rt->out's rounds */
    flow_buf err;              /* warnings (skipped records) to write on stderr */
    obuf errs;
    flow_buf xbytes;           /* the encode transport's bytes */
} worker;

struct transport;

struct flow_cluster {
    int nw;
    const flow_program *prog;
    const flow_program_info *info;
    barrier bar;
    worker *w;
    flow_xbox **xboxes;        /* [id * nw + worker] */
    flow_src **srcs;           /* [input * nw + worker]: sources with files */
    bool *reported;            /* [input]: skipped records reported */
    bool *geof;                /* [input]: at its end on every worker, as of
                                * the last round's end (round_end_serial) */
    const struct transport *tr;
    _Atomic int halt;          /* HALT_*: every worker stops at its next barrier */
    int stop_sig;
    char msg[600];             /* HALT_MSG's message */
    bool stdout_broken;        /* a write to stdout failed */
    bool flush_each_round;     /* an input may block: never sit on output */
    int sync_every;            /* the workers meet at the end of every round
                                * whose number is a multiple of this: 1, or
                                * SYNC_EVERY for a flow without exchange
                                * points (flow_cluster_main) */
    _Atomic int64_t stop_round; /* stopping on an error: the output of rounds
                                * up to this one only is written (and, for
                                * workers that meet every SYNC_EVERY rounds,
                                * each runs until this round: see stopped) */
    flow_time now;             /* the next round's clock (when not pinned) */
    flow_buf scratch;          /* stdout's bytes of a round, in order */
};

/* Leave the round: another worker failed, or the round's end decided to
 * stop. Returns to worker_main through the trap. */
static _Noreturn void bail(flow_rt *rt)
{
    jmp_buf *trap = rt->trap;
    rt->trap = NULL;
    longjmp(*trap, 2);
}

/* The run is stopping (c->halt): leave through the trap, or, for a worker
 * of a flow whose workers meet every SYNC_EVERY rounds only and that has
 * not yet reached the round in which another worker failed, go on without
 * meeting anyone (true), so that the output of every round before the
 * error is written, as one worker writes it. */
static bool stopped(flow_cluster *c, flow_rt *rt)
{
    int h = atomic_load_explicit(&c->halt, memory_order_acquire);
    if ((h == HALT_FAILED || h == HALT_ABORT) && c->sync_every > 1 && rt->round < atomic_load(&c->stop_round))
        return true;
    bail(rt);
}

/* Wait until every worker has arrived; the last one runs SERIAL first. */
static void bar_wait(flow_cluster *c, flow_rt *rt, void (*serial)(flow_cluster *c))
{
    barrier *b = &c->bar;
    if (atomic_load_explicit(&c->halt, memory_order_acquire) && stopped(c, rt))
        return;
    uint32_t g = atomic_load_explicit(&b->gen, memory_order_acquire);
    uint32_t n = b->n;    /* before arriving: the last to arrive may change it */
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == n) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        if (serial)
            serial(c);
        atomic_store_explicit(&b->gen, g + 1, memory_order_seq_cst);
        if (atomic_load_explicit(&b->sleepers, memory_order_seq_cst))
            futex_wake(&b->gen);
    } else {
        /* spin, then sleep; how long to spin adapts to how long waits are:
         * on a machine busier than its cores a late worker is usually not
         * running, and spinning for it only takes CPU from it */
        int *spin = &c->w[rt->worker].spin, i = 0;
        while (atomic_load_explicit(&b->gen, memory_order_acquire) == g) {
            if (i < *spin) {
                i++;
                cpu_relax();
                continue;
            }
            atomic_fetch_add_explicit(&b->sleepers, 1, memory_order_seq_cst);
            while (atomic_load_explicit(&b->gen, memory_order_seq_cst) == g)
                futex_wait(&b->gen, g);
            atomic_fetch_sub_explicit(&b->sleepers, 1, memory_order_relaxed);
        }
        if (i < *spin)
            *spin = *spin * 2 < b->spin ? *spin * 2 : b->spin;    /* the wait ended while spinning */
        else
            *spin = *spin / 2 > SPIN_MIN ? *spin / 2 : SPIN_MIN;
    }
    if (atomic_load_explicit(&c->halt, memory_order_acquire))
        stopped(c, rt);
}

/* Stop every worker at its next barrier (and wake those waiting). */
static void halt(flow_cluster *c, int why)
{
    int none = HALT_NONE;
    atomic_compare_exchange_strong(&c->halt, &none, why);
    atomic_fetch_add_explicit(&c->bar.gen, 1, memory_order_seq_cst);
    futex_wake(&c->bar.gen);
}

void flow_cluster_abort(flow_rt *rt)
{
    flow_cluster *c = rt->cluster;
    int64_t r = atomic_load(&c->stop_round);
    while (rt->round < r && !atomic_compare_exchange_weak(&c->stop_round, &r, rt->round))
        ;
    halt(c, HALT_ABORT);
}

/* ---- exchange points ----------------------------------------------------- */

void flow_xbox_init(flow_rt *rt, flow_xbox *xb, int id, size_t elem, void (*enc)(flow_buf *b, const void *item),
                    void (*dec)(struct flow_rd *r, flow_arena *a, void *item))
{
    memset(xb, 0, sizeof *xb);
    xb->id = id;
    xb->elem = elem;
    xb->enc = enc;
    xb->dec = dec;
    flow_cluster *c = rt->cluster;
    if (!c)
        return;
    xb->nw = c->nw;
    xb->to = flow_alloc(sizeof *xb->to * (size_t)c->nw);
    memset(xb->to, 0, sizeof *xb->to * (size_t)c->nw);
    c->xboxes[(size_t)id * (size_t)c->nw + (size_t)rt->worker] = xb;
}

void flow_xbox_free(flow_xbox *xb)
{
    for (int d = 0; d < xb->nw; d++)
        flow_free(xb->to[d].p, xb->to[d].cap * xb->elem);
    if (xb->to)
        flow_free(xb->to, sizeof *xb->to * (size_t)xb->nw);
    xb->to = NULL;
    xb->nw = 0;
}

void flowi_xout_grow(flowi_xout *o, size_t elem)
{
    flow_vec_grow((void **)&o->p, &o->cap, elem, o->n + 1);
}

/* ---- transports -------------------------------------------------------------
 *
 * How the items a worker put into an exchange point for another reach
 * that one. The cluster calls post() on every worker once it has routed
 * a step's items (before the exchange's barrier), then move() on each
 * receiving worker, after the barrier, once per sending worker that has
 * items for it, in worker order. Between the threads of one process
 * post() has nothing to do: after the barrier every worker may read every
 * outbox. A transport between processes (MPI: issue 12, part B) would
 * encode the outboxes of other processes' workers and send them in
 * post(), and receive and decode them in move(); the generated code
 * gives every exchange point the encoder and decoder of its item type
 * (flow_xbox.enc/.dec), so nothing else changes. */

typedef struct transport {
    const char *name;          /* FLOW_TRANSPORT=NAME */
    void (*post)(flow_rt *rt, flow_xbox *xb, int n);
    /* append the N items at SRC (worker FROM's outbox for this worker) to
     * DST as XB's items; return the end of what it wrote */
    char *(*move)(flow_rt *rt, const flow_xbox *xb, int from, const char *src, size_t n, char *dst);
} transport;

static char *move_copy(flow_rt *rt, const flow_xbox *xb, int from, const char *src, size_t n, char *dst)
{
    (void)rt;
    (void)from;
    memcpy(dst, src, n * xb->elem);
    return dst + n * xb->elem;
}

/* The bytes a transport between processes would carry, decoded into this
 * worker's round arena (where they live until the round's end, as the
 * items a worker makes itself). */
static char *move_encode(flow_rt *rt, const flow_xbox *xb, int from, const char *src, size_t n, char *dst)
{
    if (from == rt->worker || !xb->enc)
        return move_copy(rt, xb, from, src, n, dst);
    flow_buf *bytes = &rt->cluster->w[rt->worker].xbytes;
    bytes->n = 0;
    for (size_t i = 0; i < n; i++)
        xb->enc(bytes, src + i * xb->elem);
    flow_rd r = { bytes->p, bytes->p + bytes->n, false };
    for (size_t i = 0; i < n; i++, dst += xb->elem)
        xb->dec(&r, &rt->arena, dst);
    if (r.bad || r.p != r.end) {
        fprintf(stderr, "flowrt: exchange point %d: %s\n", xb->id,
                r.bad ? "undecodable bytes" : "bytes left after decoding");
        abort();
    }
    return dst;
}

static const transport transports[] = {
    { "copy", NULL, move_copy },
    { "encode", NULL, move_encode },
};

/* FLOW_TRANSPORT's transport (copy when unset or unknown). */
static const transport *find_transport(const char *name)
{
    for (size_t i = 0; name && i < sizeof transports / sizeof transports[0]; i++)
        if (strcmp(transports[i].name, name) == 0)
            return &transports[i];
    return &transports[0];
}

void flow_xsync(flow_rt *rt, flow_xbox *xb, int n)
{
    flow_cluster *c = rt->cluster;
    if (c->tr->post)
        c->tr->post(rt, xb, n);
    bar_wait(c, rt, NULL);
}

/* After flow_xsync: gather into the vector *V (N items, CAP allocated)
 * the items every worker put into exchange point XB for worker D, worker
 * 0's first, and of that sequence of T items keep [LO, HI) (LO and HI
 * scaled from 0..N_WORKERS to 0..T: the whole of it, or one worker's
 * share of a redistribute). */
static void gather(flow_rt *rt, flow_xbox *xb, int d, int lo, int hi, void **v, size_t *n, size_t *cap)
{
    flow_cluster *c = rt->cluster;
    int nw = c->nw;
    flow_xbox *const *all = &c->xboxes[(size_t)xb->id * (size_t)nw];
    size_t total = 0;
    for (int s = 0; s < nw; s++)
        total += all[s]->to[d].n;
    size_t first = (size_t)((unsigned __int128)total * (unsigned)lo / (unsigned)nw);
    size_t end = (size_t)((unsigned __int128)total * (unsigned)hi / (unsigned)nw);
    flow_vec_grow(v, cap, xb->elem, end - first);
    char *dst = *v;
    size_t at = 0;    /* the sequence's index of worker s's first item */
    for (int s = 0; s < nw && at < end; s++) {
        size_t m = all[s]->to[d].n;
        size_t from = first > at ? first - at : 0, to = end - at < m ? end - at : m;
        if (from < to)
            dst = c->tr->move(rt, xb, s, all[s]->to[d].p + from * xb->elem, to - from, dst);
        at += m;
    }
    *n = end - first;
    xb->recv += end - first;
}

void flow_xgather(flow_rt *rt, flow_xbox *xb, void **v, size_t *n, size_t *cap)
{
    gather(rt, xb, rt->worker, 0, rt->cluster->nw, v, n, cap);
}

void flow_xgather_block(flow_rt *rt, flow_xbox *xb, void **v, size_t *n, size_t *cap)
{
    gather(rt, xb, 0, rt->worker, rt->worker + 1, v, n, cap);
}

/* Is input K at its end on every worker (their flags as they are now)? */
static bool all_ended(const flow_cluster *c, int k)
{
    for (int w = 0; w < c->nw; w++)
        if (!c->w[w].rt->eof[k])
            return false;
    return true;
}

bool flow_xeof(const flow_rt *rt, int k)
{
    return all_ended(rt->cluster, k);
}

bool flow_xdone(const flow_rt *rt)
{
    const flow_cluster *c = rt->cluster;
    if (c->w[rt->worker].retired)
        return true;
    for (int k = 0; k < c->info->n_inputs; k++)
        if (!c->geof[k])
            return false;
    return true;
}

/* ---- sources --------------------------------------------------------------- */

void flowi_cluster_add_src(flow_rt *rt, flow_src *s)
{
    flow_cluster *c = rt->cluster;
    for (int k = 0; k < c->info->n_inputs; k++)
        if (strcmp(c->info->inputs[k].step, s->cfg.step) == 0)
            c->srcs[(size_t)k * (size_t)c->nw + (size_t)rt->worker] = s;
}

void flowi_cluster_may_block(flow_rt *rt)
{
    rt->cluster->flush_each_round = true;
}

flow_buf *flowi_cluster_err(flow_rt *rt)
{
    return &rt->cluster->w[rt->worker].err;
}

/* ---- ordered output ---------------------------------------------------------- */

/* Note that what BUF holds beyond the last noted end is ROUND's. */
static void note(obuf *o, const flow_buf *buf, int64_t round)
{
    if (buf->n <= o->last)
        return;
    if (o->nsegs == o->capsegs)
        flow_vec_grow((void **)&o->segs, &o->capsegs, sizeof *o->segs, o->nsegs + 1);
    o->segs[o->nsegs++] = (seg){ round, buf->n };
    o->last = buf->n;
}

/* Write every worker's noted output to FD, round by round, workers in
 * order within a round, up to c->stop_round; empty the buffers. False on
 * a write error (ERRNO). */
static bool write_ordered(flow_cluster *c, int fd, flow_buf *(*buf_of)(worker *w), obuf *(*obuf_of)(worker *w))
{
    flow_buf *all = &c->scratch;
    all->n = 0;
    size_t *at = flow_alloc(sizeof *at * (size_t)c->nw);    /* next segment */
    memset(at, 0, sizeof *at * (size_t)c->nw);
    for (;;) {
        int best = -1;
        for (int w = 0; w < c->nw; w++) {
            obuf *o = obuf_of(&c->w[w]);
            if (at[w] < o->nsegs && (best < 0 || o->segs[at[w]].round < obuf_of(&c->w[best])->segs[at[best]].round))
                best = w;
        }
        if (best < 0 || obuf_of(&c->w[best])->segs[at[best]].round > atomic_load(&c->stop_round))
            break;    /* the rest came after the round that stopped the run */
        obuf *o = obuf_of(&c->w[best]);
        size_t from = at[best] ? o->segs[at[best] - 1].end : 0;
        flow_buf_put(all, buf_of(&c->w[best])->p + from, o->segs[at[best]].end - from);
        at[best]++;
    }
    flow_free(at, sizeof *at * (size_t)c->nw);
    for (int w = 0; w < c->nw; w++) {
        obuf_of(&c->w[w])->nsegs = 0;
        obuf_of(&c->w[w])->last = 0;
        buf_of(&c->w[w])->n = 0;
    }
    size_t done = 0;
    while (done < all->n) {
        ssize_t n = write(fd, all->p + done, all->n - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            all->n = 0;
            return false;
        }
        done += (size_t)n;
    }
    all->n = 0;
    return true;
}

static flow_buf *out_buf(worker *w) { return &w->rt->out; }
static obuf *out_obuf(worker *w) { return &w->out; }
static flow_buf *err_buf(worker *w) { return &w->err; }
static obuf *err_obuf(worker *w) { return &w->errs; }

/* Write the noted stdout (a failed write stops the run with its message). */
static void write_stdout(flow_cluster *c)
{
    if (c->stdout_broken) {
        for (int w = 0; w < c->nw; w++) {
            c->w[w].out.nsegs = c->w[w].out.last = 0;
            c->w[w].rt->out.n = 0;
        }
        return;
    }
    if (!write_ordered(c, STDOUT_FILENO, out_buf, out_obuf)) {
        c->stdout_broken = true;
        snprintf(c->msg, sizeof c->msg, "stdout: error: write error: %s", strerror(errno));
        int none = HALT_NONE;
        atomic_compare_exchange_strong(&c->halt, &none, HALT_MSG);
    }
}

static void write_stderr(flow_cluster *c)
{
    bool any = false;
    for (int w = 0; w < c->nw; w++)
        any |= c->w[w].errs.nsegs > 0;
    if (!any)
        return;
    write_stdout(c);    /* what came before the warnings */
    write_ordered(c, STDERR_FILENO, err_buf, err_obuf);
}

/* ---- the round's end ------------------------------------------------------- */

/* Inputs that reached their end on every worker: their skipped records, summed. */
static void report_skipped(flow_cluster *c)
{
    for (int k = 0; k < c->info->n_inputs; k++) {
        flow_src *s0 = c->srcs[(size_t)k * (size_t)c->nw];
        if (!s0 || c->reported[k] || !all_ended(c, k))
            continue;
        c->reported[k] = true;
        int64_t n = 0;
        for (int w = 0; w < c->nw; w++)
            n += flow_src_skipped(c->srcs[(size_t)k * (size_t)c->nw + (size_t)w]);
        if (n) {
            write_stdout(c);
            fprintf(stderr, "%s: warning: skipped %lld bad record%s\n", s0->path, (long long)n, n == 1 ? "" : "s");
        }
    }
}

/* A bad record stops the run after this round: the first input's in
 * declaration order, its first worker's (the earliest in the file). */
static void raise_bad(flow_cluster *c)
{
    for (int k = 0; k < c->info->n_inputs; k++)
        for (int w = 0; w < c->nw; w++) {
            flow_src *s = c->srcs[(size_t)k * (size_t)c->nw + (size_t)w];
            if (!s || !s->pending)
                continue;
            if (s->err_line > 0)
                snprintf(c->msg, sizeof c->msg, "%s:%lld: error: %s", s->err_path, (long long)s->err_line, s->err_msg);
            else
                snprintf(c->msg, sizeof c->msg, "%s: error: %s", s->err_path, s->err_msg);
            int none = HALT_NONE;
            if (atomic_compare_exchange_strong(&c->halt, &none, HALT_MSG))
                atomic_store(&c->stop_round, s->err_round);
            return;
        }
}

static void round_end_serial(flow_cluster *c)
{
    flow_rt *rt0 = c->w[0].rt;
    /* here, not after the barrier: a worker that has left it may already
     * poll its inputs of the next round */
    for (int k = 0; k < c->info->n_inputs; k++)
        c->geof[k] = all_ended(c, k);
    /* without exchange points, a worker whose inputs have ended can do
     * nothing more (no timers, nothing reaches it): it leaves, and the
     * others meet without it (a testing input read by worker 0 alone then
     * costs the others nothing) */
    for (int w = 0; w < c->nw && c->sync_every > 1; w++) {
        bool done = !c->w[w].retired;
        for (int k = 0; k < c->info->n_inputs && done; k++)
            done = c->w[w].rt->eof[k];
        if (done) {
            c->w[w].retired = true;
            c->bar.n--;
        }
    }
    write_stderr(c);
    report_skipped(c);
    raise_bad(c);
    if (flowi_stop_signal) {
        c->stop_sig = flowi_stop_signal;
        int none = HALT_NONE;
        atomic_compare_exchange_strong(&c->halt, &none, HALT_STOP);
    }
    bool flush = c->flush_each_round;
    for (int w = 0; w < c->nw && !flush; w++) {
        const flow_buf *b = &c->w[w].rt->out;
        flush = b->n >= FLOW_STDOUT_FLUSH_AT || (rt0->out_is_tty && b->n > 0);
    }
    if (flush)
        write_stdout(c);
    if (!rt0->clock_pinned && !rt0->clock_unused)
        c->now = flow_time_now_real();
    if (rt0->progress && (rt0->round & 255) == 0)
        flow_rt_progress(rt0);
}

void flowi_cluster_round_end(flow_rt *rt)
{
    flow_cluster *c = rt->cluster;
    worker *w = &c->w[rt->worker];
    note(&w->out, &rt->out, rt->round);
    note(&w->errs, &w->err, rt->round);
    if (rt->round % c->sync_every != 0)
        return;    /* nothing crosses between workers: meet later */
    bar_wait(c, rt, round_end_serial);
}

flow_time flowi_cluster_now(const flow_rt *rt)
{
    /* workers that meet every round share one reading; those that do not
     * (no exchange points) read it each round, as one worker does */
    return rt->cluster->sync_every > 1 ? flow_time_now_real() : rt->cluster->now;
}

uint64_t flowi_cluster_counter(const flow_rt *rt, int i)
{
    const flow_cluster *c = rt->cluster;
    uint64_t n = 0;
    for (int w = 0; w < c->nw; w++)
        n += c->w[w].rt->counters ? c->w[w].rt->counters[i] : 0;
    return n;
}

/* ---- --stats, per worker ---------------------------------------------------- */

void flowi_cluster_report(const flow_rt *rt)
{
    const flow_cluster *c = rt->cluster;
    const flow_program_info *info = c->info;
    int wd = 4;
    for (int i = 0; i < info->n_steps; i++)
        if ((int)strlen(info->steps[i].step) > wd)
            wd = (int)strlen(info->steps[i].step);
    fprintf(stderr, "  items in / items out per worker:\n  %-*s", wd, "step");
    for (int w = 0; w < c->nw; w++) {
        char h[24];
        snprintf(h, sizeof h, "worker %d", w);
        fprintf(stderr, "  %21s", h);
    }
    fputc('\n', stderr);
    for (int i = 0; i < info->n_steps; i++) {
        const flow_step_info *s = &info->steps[i];
        fprintf(stderr, "  %-*s", wd, s->step);
        for (int w = 0; w < c->nw; w++) {
            const flow_rt *r = c->w[w].rt;
            char in[24], out[24], cell[50];
            uint64_t nin = 0, nout = 0;
            if (s->xbox) {
                for (int p = 0; p < (s->n_in ? s->n_in : 1); p++)
                    nin += c->xboxes[(size_t)(s->xbox - 1 + p) * (size_t)c->nw + (size_t)w]->recv;
            } else {
                for (int p = 0; p < s->n_in; p++)
                    nin += r->counters[info->in_ports[s->in_first + p]];
            }
            for (int p = 0; p < s->n_ports; p++)
                nout += r->counters[s->port + p];
            if (s->n_in)
                snprintf(in, sizeof in, "%llu", (unsigned long long)nin);
            else
                snprintf(in, sizeof in, "-");
            if (s->n_ports)
                snprintf(out, sizeof out, "%llu", (unsigned long long)nout);
            else
                snprintf(out, sizeof out, "-");
            snprintf(cell, sizeof cell, "%s / %s", in, out);
            fprintf(stderr, "  %21s", cell);
        }
        fputc('\n', stderr);
    }
}

/* ---- the run ------------------------------------------------------------------ */

static void *worker_main(void *arg)
{
    worker *w = arg;
    flow_cluster *c = w->c;
    jmp_buf jb;
    int code = setjmp(jb);
    if (code == 0) {
        w->rt->trap = &jb;
        c->prog->run(w->f);
        w->rt->trap = NULL;
    } else if (code == 1) {
        w->failed = true;    /* its message is in w->rt->error */
        w->fail_round = w->rt->round;
        int64_t r = atomic_load(&c->stop_round);
        while (w->fail_round < r && !atomic_compare_exchange_weak(&c->stop_round, &r, w->fail_round))
            ;
        halt(c, HALT_FAILED);
    }
    return NULL;
}

/* Worker W's run context: a copy of worker 0's options, with a round
 * arena, stdout buffer and counters of its own. */
static flow_rt *clone_rt(const flow_rt *rt0)
{
    flow_rt *rt = flow_alloc(sizeof *rt);
    memcpy(rt, rt0, sizeof *rt);
    flow_arena_init(&rt->arena);
    memset(&rt->out, 0, sizeof rt->out);
    rt->sinks = NULL;
    rt->counters = NULL;
    rt->trap = NULL;
    rt->error[0] = '\0';
    rt->progress = false;
    rt->stats = false;
    rt->progress_shown = false;
    return rt;
}

/* Write everything the workers produced (after they stopped). */
static void flush_all(flow_cluster *c)
{
    for (int w = 0; w < c->nw; w++) {
        note(&c->w[w].out, &c->w[w].rt->out, c->w[w].rt->round);
        note(&c->w[w].errs, &c->w[w].err, c->w[w].rt->round);
    }
    write_stderr(c);
    write_stdout(c);
    for (int w = 0; w < c->nw; w++)
        if (c->w[w].rt->sinks)
            flow_sinks_flush(c->w[w].rt);
}

/* Stop the process: write what came before, then MSG, exit 1. */
static _Noreturn void fail(flow_cluster *c, const char *msg)
{
    flush_all(c);
    fflush(stdout);
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

int flow_cluster_main(flow_rt *rt0, const flow_program *prog)
{
    int nw = rt0->nworkers;
    flow_cluster *c = flow_alloc(sizeof *c);
    memset(c, 0, sizeof *c);
    c->nw = nw;
    c->prog = prog;
    c->info = rt0->info;
    c->bar.n = (uint32_t)nw;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    c->bar.spin = ncpu >= nw ? 400 : 20;    /* ~20 us of pauses; more workers than CPUs: sleep soon */
    c->tr = find_transport(getenv("FLOW_TRANSPORT"));
    atomic_store(&c->stop_round, INT64_MAX);
    c->sync_every = 1;
    c->w = flow_alloc(sizeof *c->w * (size_t)nw);
    memset(c->w, 0, sizeof *c->w * (size_t)nw);
    size_t nx = (size_t)(c->info->n_xboxes > 0 ? c->info->n_xboxes : 1) * (size_t)nw;
    c->xboxes = flow_alloc(sizeof *c->xboxes * nx);
    memset(c->xboxes, 0, sizeof *c->xboxes * nx);
    size_t ns = (size_t)(c->info->n_inputs > 0 ? c->info->n_inputs : 1);
    c->srcs = flow_alloc(sizeof *c->srcs * ns * (size_t)nw);
    memset(c->srcs, 0, sizeof *c->srcs * ns * (size_t)nw);
    c->reported = flow_alloc(ns);
    memset(c->reported, 0, ns);
    c->geof = flow_alloc(ns);
    memset(c->geof, 0, ns);
    if (!rt0->clock_pinned)
        c->now = flow_time_now_real();
    for (int w = 0; w < nw; w++) {
        flow_rt *rt = w ? clone_rt(rt0) : rt0;
        rt->cluster = c;
        rt->worker = w;
        rt->round_slow = true;
        c->w[w].c = c;
        c->w[w].rt = rt;
        c->w[w].spin = c->bar.spin;
    }
    /* build the instances here, in order: an error (a file that cannot be
     * opened) stops the program before any worker runs */
    for (int w = 0; w < nw; w++) {
        jmp_buf jb;
        if (setjmp(jb))
            fail(c, c->w[w].rt->error);
        c->w[w].rt->trap = &jb;
        c->w[w].f = prog->make(c->w[w].rt);
        c->w[w].rt->trap = NULL;
    }
    /* nothing crosses between the workers of a flow without exchange
     * points: let them meet only every SYNC_EVERY rounds, unless output
     * must not wait (a terminal, an input that may block) */
    if (c->info->n_xboxes == 0 && !c->flush_each_round && !rt0->out_is_tty)
        c->sync_every = SYNC_EVERY;
    /* the other threads block the stop signals: they reach the main
     * thread, which is worker 0, the one that reads stdin and pipes */
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    for (int w = 1; w < nw; w++) {
        int e = pthread_create(&c->w[w].th, NULL, worker_main, &c->w[w]);
        if (e) {
            fprintf(stderr, "%s: error: cannot start worker %d: %s\n", c->info->flow_name, w, strerror(e));
            exit(1);
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    worker_main(&c->w[0]);
    for (int w = 1; w < nw; w++)
        pthread_join(c->w[w].th, NULL);

    switch (atomic_load(&c->halt)) {
    case HALT_NONE:
    case HALT_ABORT:    /* a testing input's ABORT: the output up to its round */
        break;
    case HALT_STOP: {
        flush_all(c);
        int sig = c->stop_sig;
        if (rt0->progress_shown)
            fputs("\n", stderr);
        fprintf(stderr, "%s: stopped by %s after round %lld; output flushed\n", c->info->flow_name,
                sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal",
                (long long)rt0->round);
        exit(128 + sig);
    }
    case HALT_MSG:
        fail(c, c->msg);
    default: {
        /* the first failure: in the earliest round, then the first worker */
        int first = -1;
        for (int w = 0; w < nw; w++)
            if (c->w[w].failed && (first < 0 || c->w[w].fail_round < c->w[first].fail_round))
                first = w;
        if (first < 0)
            fail(c, "flowrt: a worker stopped");
        fail(c, c->w[first].rt->error);
    }
    }
    flush_all(c);
    flow_rt_report(rt0);
    for (int w = 0; w < nw; w++)
        prog->destroy(c->w[w].f);
    for (int w = nw - 1; w >= 0; w--) {
        flow_rt *rt = c->w[w].rt;
        flow_buf_free(&c->w[w].err);
        flow_buf_free(&c->w[w].xbytes);
        flow_free(c->w[w].out.segs, c->w[w].out.capsegs * sizeof(seg));
        flow_free(c->w[w].errs.segs, c->w[w].errs.capsegs * sizeof(seg));
        if (w) {
            rt->path_overrides = NULL;
            flow_rt_finish(rt, 0);
            flow_free(rt, sizeof *rt);
        }
    }
    int status = flow_rt_finish(rt0, 0);
    flow_buf_free(&c->scratch);
    flow_free(c->xboxes, sizeof *c->xboxes * nx);
    flow_free(c->srcs, sizeof *c->srcs * ns * (size_t)nw);
    flow_free(c->reported, ns);
    flow_free(c->geof, ns);
    flow_free(c->w, sizeof *c->w * (size_t)nw);
    flow_free(c, sizeof *c);
    return status;
}
