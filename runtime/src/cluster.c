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
 *
 * Several processes (a program built with `flowc --mpi`, run by mpirun:
 * docs/workers.md §9): each runs N local workers of a job of NRANKS*N,
 * the worker index being global (rank*N + thread). The items for workers
 * of other processes are encoded by their sending worker before the
 * exchange's barrier (net_post) and moved by the barrier's serial part
 * (net_xserial), decoded by their receiving worker as it gathers
 * (net_move). Every meeting's serial part first combines a header with
 * the other processes (net_agree: EOF flags, a halt, the clock, bad
 * records, sizes), so that every process takes the same decisions and
 * makes the same collective calls in the same order; stdout and stderr
 * are written by rank 0 from what every process sends it (net_write).
 */
#include "internal.h"
#include "io.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
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
#define YIELD_MIN 2000    /* ns */

typedef struct barrier {
    _Atomic uint32_t arrived;
    _Atomic uint32_t gen;
    _Atomic uint32_t sleepers;
    _Atomic uint32_t met;      /* the last generation whose meeting took place */
    _Atomic int met_halt;      /* ... and c->halt as it ended (after SERIAL) */
    uint32_t n;                /* workers that meet (the serial part may
                                * lower it: workers that retired) */
    int spin;                  /* polls of GEN before yielding */
    int64_t yield_max;         /* ns of yielding before sleeping, at most */
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

/* One worker's noted output: its rounds' ends and its bytes. */
typedef struct oview {
    const seg *segs;
    size_t nsegs;
    const char *p;
} oview;

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
    int64_t yield;             /* ns of yielding before sleeping: halved
                                * after a wait that slept, doubled (up to
                                * bar.yield_max) after one that did not */
    bool retired;              /* its inputs ended, in a flow without exchange
                                * points: it has nothing more to do and no
                                * longer meets the others (round_end_serial) */
    int64_t fail_round;        /* ... in this round */
    obuf out;                  /* rt->out's rounds */
    flow_buf err;              /* warnings (skipped records) to write on stderr */
    obuf errs;
    flow_buf xbytes;           /* the encode transport's bytes */
    /* several processes: this worker's exchange point being met, and its
     * items for each process, encoded (net_post) */
    flow_xbox *xb;
    int xn;
    flow_buf *xsend;           /* [nranks] */
} worker;

/* Several processes: the items one worker of another process sent one
 * worker of this one through an exchange point, encoded (net_xserial). */
typedef struct rxseg {
    size_t n;                  /* items */
    const char *p;             /* their encoding, in c->recv */
    size_t len;                /* ... of LEN bytes */
} rxseg;

struct transport;

struct flow_cluster {
    int nw;                    /* workers of this process, c->w[0 .. nw) */
    int gnw;                   /* workers of the job (nranks * nw) */
    int base;                  /* this process's first worker (rank * nw) */
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
    /* several processes (NULL net: one) */
    flowi_net *net;
    bool net_told;             /* the other processes know of c->halt */
    bool *xeof;                /* [input]: ended everywhere, as of the last meeting */
    bool *xblock;              /* [xbox]: a redistribute's (its items go to every process) */
    int64_t *hdr;              /* a meeting's header (net_header) */
    size_t nhdr;
    flow_buf *send, *recv;     /* [nranks]: an exchange's bytes */
    rxseg *rx;                 /* [(box * gnw + from) * nw + to]: what came */
    size_t caprx;
    int rx_first;              /* ... for exchange points rx_first, rx_first + 1, ... */
    uint64_t *gcounters;       /* --stats: every process's counters, summed at the end */
    int64_t *gcells;           /* --stats, rank 0: [gnw][n_steps][2] every worker's items in, out */
    int ncounters;
    flow_buf wire, gathered;   /* net_write's bytes, sent and (rank 0) received */
    size_t *lens;              /* [nranks] */
    int64_t *rsize;            /* [nranks]: an exchange's bytes from each process */
    oview *views;              /* [2 * gnw]: rank 0, every worker's stdout, stderr */
};

/* RT's worker, of this process. */
static inline worker *wk(flow_cluster *c, const flow_rt *rt)
{
    return &c->w[rt->worker - c->base];
}

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

/* Wait until every worker has arrived; the last one runs SERIAL first
 * (with its own RT). */
static void bar_wait(flow_cluster *c, flow_rt *rt, void (*serial)(flow_cluster *c, flow_rt *rt))
{
    barrier *b = &c->bar;
    if (atomic_load_explicit(&c->halt, memory_order_acquire) && stopped(c, rt))
        return;
    uint32_t g = atomic_load_explicit(&b->gen, memory_order_acquire);
    uint32_t n = b->n;    /* before arriving: the last to arrive may change it */
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == n) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        if (serial)
            serial(c, rt);
        atomic_store_explicit(&b->met_halt, atomic_load_explicit(&c->halt, memory_order_acquire), memory_order_relaxed);
        atomic_store_explicit(&b->met, g + 1, memory_order_relaxed);
        atomic_store_explicit(&b->gen, g + 1, memory_order_seq_cst);
        if (atomic_load_explicit(&b->sleepers, memory_order_seq_cst))
            futex_wake(&b->gen);
    } else {
        /* spin, then yield the core, then sleep. A waiter put to sleep
         * costs the one that wakes it a system call and itself the
         * kernel's wake-up (tens of microseconds on a virtual machine,
         * whose idle CPU has halted), more than a round's work: so it
         * yields for a while first, which also lets a late worker that
         * shares its core run. How long adapts to how long waits turn
         * out: a wait that ended asleep halves it, one that did not
         * doubles it. */
        int64_t *yield = &wk(c, rt)->yield;
        bool slept = false;
        for (int i = 0; atomic_load_explicit(&b->gen, memory_order_acquire) == g; i++) {
            if (i < b->spin) {
                cpu_relax();
                continue;
            }
            int64_t t0 = flowi_mono_ns();
            while (atomic_load_explicit(&b->gen, memory_order_acquire) == g && flowi_mono_ns() - t0 < *yield)
                sched_yield();
            if (atomic_load_explicit(&b->gen, memory_order_acquire) != g)
                break;
            slept = true;
            atomic_fetch_add_explicit(&b->sleepers, 1, memory_order_seq_cst);
            while (atomic_load_explicit(&b->gen, memory_order_seq_cst) == g)
                futex_wait(&b->gen, g);
            atomic_fetch_sub_explicit(&b->sleepers, 1, memory_order_relaxed);
        }
        if (!slept)
            *yield = *yield * 2 < b->yield_max ? *yield * 2 : b->yield_max;
        else
            *yield = *yield / 2 > YIELD_MIN ? *yield / 2 : YIELD_MIN;
    }
    /* Leave the run if the meeting did not take place (a halt woke the
     * waiters: the failed worker will not come) or its serial part stopped
     * the run. A halt after the meeting (a worker that left it first and
     * failed) is this worker's at its next meeting: it runs its round on
     * until then, as one worker runs every step declared before the
     * failing one over the whole round (semantics.md §14.1). */
    if (atomic_load_explicit(&b->met, memory_order_relaxed) != g + 1 ||
        atomic_load_explicit(&b->met_halt, memory_order_relaxed) != HALT_NONE)
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
    xb->nw = c->gnw;
    xb->to = flow_alloc(sizeof *xb->to * (size_t)c->gnw);
    memset(xb->to, 0, sizeof *xb->to * (size_t)c->gnw);
    c->xboxes[(size_t)id * (size_t)c->nw + (size_t)(rt->worker - c->base)] = xb;
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
 * outbox. Between processes (below: net_post, net_xserial, net_move)
 * the outboxes of other processes' workers are encoded with the encoder
 * the generated code gives every exchange point (flow_xbox.enc/.dec),
 * sent, and decoded by the receiving worker; a transport above serves
 * the workers of the same process. */

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
    flow_buf *bytes = &wk(rt->cluster, rt)->xbytes;
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

/* ---- several processes -------------------------------------------------------
 *
 * Every meeting's serial part (an exchange's, a round end's) first
 * combines a header of int64s with every other process's (net_agree, the
 * maximum of each field), then makes the collective calls that the
 * combined header asks for, the same on every process. A process whose
 * workers stopped on an error (or on a failed write to stdout) makes no
 * more meetings: its main thread makes the one the others are waiting in
 * with the halt in its header (net_finish), and a halt in a combined
 * header ends the meeting at once, on every process. */

enum {
    H_HALT,     /* c->halt, when the other processes do not know of it yet */
    H_STOPR,    /* -c->stop_round (the earliest wins) */
    H_NOW,      /* round ends: rank 0's clock for the next round, else INT64_MIN */
    H_FLUSH,    /* round ends: write the output now */
    H_SIG,      /* round ends: a stop signal came */
    H_SNAP,     /* round ends: recovery's epoch ended on a process */
    H_BAD,      /* round ends: -(input * gnw + worker) of the first pending bad
                 * record, else INT64_MIN */
    H_EOF,      /* per input: not at its end on some worker; then, for an
                 * exchange, nranks * nranks sizes: [from * nranks + to], the
                 * bytes that process FROM sends process TO */
};

static bool all_ended(const flow_cluster *c, int k);

/* The sizes in net_post's and net_write's messages: 8 bytes, as they are
 * (every process of a job runs on the same kind of machine). */
static void put_i64(flow_buf *b, int64_t v)
{
    flow_buf_put(b, (const char *)&v, sizeof v);
}

/* The header with what every meeting tells: a halt, the stop round and the
 * EOF flags of this process's workers. */
static int64_t *net_header(flow_cluster *c)
{
    int64_t *h = c->hdr;
    memset(h, 0, sizeof *h * c->nhdr);
    h[H_HALT] = c->net_told ? HALT_NONE : atomic_load(&c->halt);
    h[H_STOPR] = -atomic_load(&c->stop_round);
    h[H_NOW] = INT64_MIN;
    h[H_BAD] = INT64_MIN;
    for (int k = 0; k < c->info->n_inputs; k++)
        h[H_EOF + k] = !all_ended(c, k);
    return h;
}

/* Combine c->hdr with every process's. False when the run stops (a
 * process halted: c->halt is set, and this meeting makes no more
 * collective calls, as the halted process makes none); else c->xeof holds
 * the inputs ended on every worker of the job. */
static bool net_agree(flow_cluster *c)
{
    int64_t *h = c->hdr;
    c->net->max(c->net, h, c->nhdr);
    if (-h[H_STOPR] < atomic_load(&c->stop_round))
        atomic_store(&c->stop_round, -h[H_STOPR]);
    if (h[H_HALT] != HALT_NONE) {
        int none = HALT_NONE;
        atomic_compare_exchange_strong(&c->halt, &none, (int)h[H_HALT]);
        c->net_told = true;
        return false;
    }
    for (int k = 0; k < c->info->n_inputs; k++)
        c->xeof[k] = !h[H_EOF + k];
    return true;
}

/* Before an exchange's barrier, on each worker: encode its items for the
 * workers of other processes into xsend[process]: for each of the N
 * exchange points at XB and each worker of that process (a redistribute's
 * items: its outbox 0, to every process), the count of items, the size of
 * their encodings in bytes, the encodings. */
static void net_post(flow_rt *rt, flow_xbox *xb, int n)
{
    flow_cluster *c = rt->cluster;
    worker *me = wk(c, rt);
    me->xb = xb;
    me->xn = n;
    for (int q = 0; q < c->net->nranks; q++) {
        flow_buf *b = &me->xsend[q];
        b->n = 0;
        if (q == c->net->rank)
            continue;
        for (int i = 0; i < n; i++) {
            const flow_xbox *x = &xb[i];
            int lo = c->xblock[x->id] ? 0 : q * c->nw, hi = c->xblock[x->id] ? 1 : lo + c->nw;
            for (int d = lo; d < hi; d++) {
                const flowi_xout *o = &x->to[d];
                put_i64(b, (int64_t)o->n);
                size_t at = b->n;
                put_i64(b, 0);
                for (size_t j = 0; j < o->n; j++)
                    x->enc(b, o->p + j * x->elem);
                int64_t len = (int64_t)(b->n - at - sizeof len);
                memcpy(b->p + at, &len, sizeof len);
            }
        }
    }
}

/* An exchange's serial part: agree, send each process what this one's
 * workers encoded for it (net_post), and note in c->rx where the items of
 * each worker of the others for each worker of this one are. */
static void net_xserial(flow_cluster *c, flow_rt *rt)
{
    const worker *me = wk(c, rt);
    int np = c->net->nranks, r = c->net->rank;
    int64_t *h = net_header(c), *size = h + H_EOF + c->info->n_inputs;
    for (int q = 0; q < np; q++) {
        c->send[q].n = 0;
        for (int w = 0; w < c->nw; w++)
            flow_buf_put(&c->send[q], c->w[w].xsend[q].p, c->w[w].xsend[q].n);
        size[r * np + q] = (int64_t)c->send[q].n;
    }
    if (!net_agree(c))
        return;
    for (int q = 0; q < np; q++)
        c->rsize[q] = size[q * np + r];
    c->net->alltoall(c->net, c->send, c->recv, c->rsize);
    int n = me->xn;
    size_t need = (size_t)n * (size_t)c->gnw * (size_t)c->nw;
    if (need > c->caprx)
        flow_vec_grow((void **)&c->rx, &c->caprx, sizeof *c->rx, need);
    c->rx_first = n ? me->xb[0].id : 0;
    for (int q = 0; q < np; q++) {
        if (q == r)
            continue;
        const char *p = c->recv[q].p, *end = p + c->recv[q].n;
        for (int s = q * c->nw; s < (q + 1) * c->nw; s++)
            for (int i = 0; i < n; i++) {
                int nd = c->xblock[me->xb[i].id] ? 1 : c->nw;
                for (int d = 0; d < nd; d++) {
                    rxseg *g = &c->rx[((size_t)i * (size_t)c->gnw + (size_t)s) * (size_t)c->nw + (size_t)d];
                    int64_t cnt, len;
                    memcpy(&cnt, p, sizeof cnt);
                    memcpy(&len, p + sizeof cnt, sizeof len);
                    g->n = (size_t)cnt;
                    g->p = p + sizeof cnt + sizeof len;
                    g->len = (size_t)len;
                    p = g->p + len;
                }
            }
        if (p != end)
            c->net->abort(c->net, "flowrt: an exchange's message from another process has a wrong size");
    }
}

/* Where the items of worker FROM (of another process) for worker D came,
 * after net_xserial. */
static const rxseg *net_seg(const flow_cluster *c, const flow_xbox *xb, int from, int d)
{
    int dl = c->xblock[xb->id] ? 0 : d - c->base;
    return &c->rx[((size_t)(xb->id - c->rx_first) * (size_t)c->gnw + (size_t)from) * (size_t)c->nw + (size_t)dl];
}

/* Decode items [SKIP, SKIP + N) of G (XB's) into DST, in RT's round arena;
 * return the end of what it wrote. */
static char *net_move(flow_rt *rt, const flow_xbox *xb, const rxseg *g, size_t skip, size_t n, char *dst)
{
    flow_rd r = { g->p, g->p + g->len, false };
    for (size_t i = 0; i < skip; i++)
        xb->dec(&r, &rt->arena, dst);    /* another worker's share of a redistribute */
    for (size_t i = 0; i < n; i++, dst += xb->elem)
        xb->dec(&r, &rt->arena, dst);
    if (r.bad || (skip + n == g->n && r.p != r.end))
        rt->cluster->net->abort(rt->cluster->net, "flowrt: undecodable items from another process");
    return dst;
}

void flow_xsync(flow_rt *rt, flow_xbox *xb, int n)
{
    flow_cluster *c = rt->cluster;
    if (c->net)
        net_post(rt, xb, n);
    if (c->tr->post)
        c->tr->post(rt, xb, n);
    bar_wait(c, rt, c->net ? net_xserial : NULL);
}

/* After flow_xsync: gather into the vector *V (N items, CAP allocated)
 * the items every worker put into exchange point XB for worker D, worker
 * 0's first, and of that sequence of T items keep [LO, HI) (LO and HI
 * scaled from 0..N_WORKERS to 0..T: the whole of it, or one worker's
 * share of a redistribute). */
static void gather(flow_rt *rt, flow_xbox *xb, int d, int lo, int hi, void **v, size_t *n, size_t *cap)
{
    flow_cluster *c = rt->cluster;
    int nw = c->gnw;
    flow_xbox *const *all = &c->xboxes[(size_t)xb->id * (size_t)c->nw];    /* [worker - c->base] */
#define LOCAL(s) ((s) >= c->base && (s) < c->base + c->nw)
#define COUNT(s) (LOCAL(s) ? all[(s) - c->base]->to[d].n : net_seg(c, xb, s, d)->n)
    size_t total = 0;
    for (int s = 0; s < nw; s++)
        total += COUNT(s);
    size_t first = (size_t)((unsigned __int128)total * (unsigned)lo / (unsigned)nw);
    size_t end = (size_t)((unsigned __int128)total * (unsigned)hi / (unsigned)nw);
    flow_vec_grow(v, cap, xb->elem, end - first);
    char *dst = *v;
    size_t at = 0;    /* the sequence's index of worker s's first item */
    for (int s = 0; s < nw && at < end; s++) {
        size_t m = COUNT(s);
        size_t from = first > at ? first - at : 0, to = end - at < m ? end - at : m;
        if (from < to && LOCAL(s))
            dst = c->tr->move(rt, xb, s, all[s - c->base]->to[d].p + from * xb->elem, to - from, dst);
        else if (from < to)
            dst = net_move(rt, xb, net_seg(c, xb, s, d), from, to - from, dst);
        at += m;
    }
#undef COUNT
#undef LOCAL
    *n = end - first;
    xb->recv += end - first;
}

void flow_xgather(flow_rt *rt, flow_xbox *xb, void **v, size_t *n, size_t *cap)
{
    gather(rt, xb, rt->worker, 0, rt->cluster->gnw, v, n, cap);
}

void flow_xgather_block(flow_rt *rt, flow_xbox *xb, void **v, size_t *n, size_t *cap)
{
    gather(rt, xb, 0, rt->worker, rt->worker + 1, v, n, cap);
}

/* Is input K at its end on every worker of this process (their flags as
 * they are now)? */
static bool all_ended(const flow_cluster *c, int k)
{
    for (int w = 0; w < c->nw; w++)
        if (!c->w[w].rt->eof[k])
            return false;
    return true;
}

bool flow_xeof(const flow_rt *rt, int k)
{
    /* several processes: as of the exchange point's meeting, where every
     * worker has polled its inputs of this round */
    return rt->cluster->net ? rt->cluster->xeof[k] : all_ended(rt->cluster, k);
}

bool flow_xgeof(const flow_rt *rt, int k)
{
    return rt->cluster->geof[k];
}

bool flow_xdone(const flow_rt *rt)
{
    const flow_cluster *c = rt->cluster;
    if (wk((flow_cluster *)c, rt)->retired)
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
            c->srcs[(size_t)k * (size_t)c->nw + (size_t)(rt->worker - c->base)] = s;
}

void flowi_cluster_may_block(flow_rt *rt)
{
    rt->cluster->flush_each_round = true;
}

flow_buf *flowi_cluster_err(flow_rt *rt)
{
    return &wk(rt->cluster, rt)->err;
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

/* Write the noted output of the N workers V to FD, round by round, workers
 * in order within a round, up to c->stop_round. False on a write error
 * (ERRNO). */
static bool write_views(flow_cluster *c, int fd, const oview *v, int n)
{
    flow_buf *all = &c->scratch;
    all->n = 0;
    size_t *at = flow_alloc(sizeof *at * (size_t)n);    /* next segment */
    memset(at, 0, sizeof *at * (size_t)n);
    for (;;) {
        int best = -1;
        for (int w = 0; w < n; w++)
            if (at[w] < v[w].nsegs && (best < 0 || v[w].segs[at[w]].round < v[best].segs[at[best]].round))
                best = w;
        if (best < 0 || v[best].segs[at[best]].round > atomic_load(&c->stop_round))
            break;    /* the rest came after the round that stopped the run */
        size_t from = at[best] ? v[best].segs[at[best] - 1].end : 0;
        flow_buf_put(all, v[best].p + from, v[best].segs[at[best]].end - from);
        at[best]++;
    }
    flow_free(at, sizeof *at * (size_t)n);
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

/* Write every worker's noted output to FD (write_views); empty the
 * buffers. False on a write error (ERRNO). */
static bool write_ordered(flow_cluster *c, int fd, flow_buf *(*buf_of)(worker *w), obuf *(*obuf_of)(worker *w))
{
    oview *v = flow_alloc(sizeof *v * (size_t)c->nw);
    for (int w = 0; w < c->nw; w++)
        v[w] = (oview){ obuf_of(&c->w[w])->segs, obuf_of(&c->w[w])->nsegs, buf_of(&c->w[w])->p };
    bool ok = write_views(c, fd, v, c->nw);
    flow_free(v, sizeof *v * (size_t)c->nw);
    for (int w = 0; w < c->nw; w++) {
        obuf_of(&c->w[w])->nsegs = 0;
        obuf_of(&c->w[w])->last = 0;
        buf_of(&c->w[w])->n = 0;
    }
    return ok;
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

/* Several processes, collective: every process sends rank 0 its workers'
 * noted stdout and stderr (per worker and stream: the count of rounds,
 * their ends, the size of the bytes, the bytes padded to 8), and empties
 * its buffers; rank 0 writes stdout, then stderr, as write_stdout and
 * write_stderr write one process's (the workers of rank 0, then rank 1's,
 * ... are the job's workers in order). */
static void net_write(flow_cluster *c)
{
    flow_buf *b = &c->wire;
    b->n = 0;
    for (int w = 0; w < c->nw; w++)
        for (int e = 0; e < 2; e++) {
            obuf *o = e ? &c->w[w].errs : &c->w[w].out;
            flow_buf *d = e ? &c->w[w].err : &c->w[w].rt->out;
            size_t len = o->nsegs ? o->segs[o->nsegs - 1].end : 0;
            put_i64(b, (int64_t)o->nsegs);
            flow_buf_put(b, (const char *)o->segs, o->nsegs * sizeof *o->segs);
            put_i64(b, (int64_t)len);
            flow_buf_put(b, d->p, len);
            while (b->n % 8)
                flow_buf_putc(b, 0);
            o->nsegs = o->last = 0;
            d->n = 0;
        }
    c->net->gather(c->net, b->p, b->n, &c->gathered, c->lens);
    if (c->net->rank != 0)
        return;
    const char *p = c->gathered.p;
    oview *out = c->views, *err = c->views + c->gnw;
    bool any_err = false;
    for (int w = 0; w < c->gnw; w++)
        for (int e = 0; e < 2; e++) {
            oview *v = e ? &err[w] : &out[w];
            int64_t n, len;
            memcpy(&n, p, sizeof n);
            v->nsegs = (size_t)n;
            v->segs = (const seg *)(p + sizeof n);
            p += sizeof n + v->nsegs * sizeof(seg);
            memcpy(&len, p, sizeof len);
            v->p = p + sizeof len;
            p = v->p + (len + 7) / 8 * 8;
            any_err |= e && n > 0;
        }
    if (p != c->gathered.p + c->gathered.n)
        c->net->abort(c->net, "flowrt: the output sent to rank 0 has a wrong size");
    if (!c->stdout_broken && !write_views(c, STDOUT_FILENO, out, c->gnw)) {
        c->stdout_broken = true;
        snprintf(c->msg, sizeof c->msg, "stdout: error: write error: %s", strerror(errno));
        int none = HALT_NONE;
        atomic_compare_exchange_strong(&c->halt, &none, HALT_MSG);
    }
    if (any_err)
        write_views(c, STDERR_FILENO, err, c->gnw);
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

/* The round end's serial part with several processes: the same
 * decisions as round_end_serial, taken from every process's header. */
static void round_end_net(flow_cluster *c)
{
    flow_rt *rt0 = c->w[0].rt;
    int64_t *h = net_header(c);
    bool flush = c->flush_each_round;
    for (int w = 0; w < c->nw; w++)
        flush |= c->w[w].rt->out.n >= FLOW_STDOUT_FLUSH_AT || c->w[w].errs.nsegs > 0;
    h[H_FLUSH] = flush;
    h[H_SIG] = flowi_stop_signal;
    h[H_SNAP] = rt0->store && flowi_store_due(rt0);
    if (c->net->rank == 0 && !rt0->clock_pinned && !rt0->clock_unused)
        h[H_NOW] = flow_time_now_real();
    for (int k = 0; k < c->info->n_inputs && h[H_BAD] == INT64_MIN; k++)
        for (int w = 0; w < c->nw; w++) {
            flow_src *s = c->srcs[(size_t)k * (size_t)c->nw + (size_t)w];
            if (s && s->pending) {
                h[H_BAD] = -((int64_t)k * c->gnw + c->base + w);
                break;
            }
        }
    if (!net_agree(c))
        return;    /* a process stopped (and makes no more calls) */
    for (int k = 0; k < c->info->n_inputs; k++)
        c->geof[k] = c->xeof[k];
    if (h[H_FLUSH])
        net_write(c);
    /* the skipped records of the inputs that have just ended everywhere
     * (the same on every process), summed */
    int ni = c->info->n_inputs;
    int64_t *skipped = flow_alloc(sizeof *skipped * (size_t)(ni + 1));
    memset(skipped, 0, sizeof *skipped * (size_t)(ni + 1));
    bool ended = false;
    for (int k = 0; k < ni; k++) {
        if (!c->srcs[(size_t)k * (size_t)c->nw] || c->reported[k] || !c->geof[k])
            continue;
        c->reported[k] = ended = true;
        for (int w = 0; w < c->nw; w++)
            skipped[k] += flow_src_skipped(c->srcs[(size_t)k * (size_t)c->nw + (size_t)w]);
        skipped[ni] += skipped[k];
    }
    if (ended) {
        c->net->sum(c->net, skipped, (size_t)ni + 1);
        if (skipped[ni])
            net_write(c);    /* what came before the warnings */
        for (int k = 0; k < ni && c->net->rank == 0; k++)
            if (skipped[k])
                fprintf(stderr, "%s: warning: skipped %lld bad record%s\n", c->srcs[(size_t)k * (size_t)c->nw]->path,
                        (long long)skipped[k], skipped[k] == 1 ? "" : "s");
    }
    flow_free(skipped, sizeof *skipped * (size_t)(ni + 1));
    /* the first bad record: its worker's process tells the message */
    if (h[H_BAD] != INT64_MIN) {
        int gw = (int)(-h[H_BAD] % c->gnw), k = (int)(-h[H_BAD] / c->gnw);
        struct {
            int64_t round;
            char msg[sizeof c->msg];
        } bad;
        memset(&bad, 0, sizeof bad);
        if (gw >= c->base && gw < c->base + c->nw) {
            const flow_src *s = c->srcs[(size_t)k * (size_t)c->nw + (size_t)(gw - c->base)];
            bad.round = s->err_round;
            if (s->err_line > 0)
                snprintf(bad.msg, sizeof bad.msg, "%s:%lld: error: %s", s->err_path, (long long)s->err_line, s->err_msg);
            else
                snprintf(bad.msg, sizeof bad.msg, "%s: error: %s", s->err_path, s->err_msg);
        }
        c->net->bcast(c->net, &bad, sizeof bad, gw / c->nw);
        int none = HALT_NONE;
        if (atomic_compare_exchange_strong(&c->halt, &none, HALT_MSG)) {
            memcpy(c->msg, bad.msg, sizeof c->msg);
            atomic_store(&c->stop_round, bad.round);
        }
        c->net_told = true;    /* every process stops after this round */
    }
    if (h[H_SIG]) {
        c->stop_sig = (int)h[H_SIG];
        int none = HALT_NONE;
        atomic_compare_exchange_strong(&c->halt, &none, HALT_STOP);
        c->net_told = true;
    }
    /* recovery: the epoch ends on every process at once (a halt decided
     * above is the same on all: none snapshots) */
    if (h[H_SNAP] && atomic_load(&c->halt) == HALT_NONE)
        flowi_store_snapshot(rt0);
    if (h[H_NOW] != INT64_MIN)
        c->now = h[H_NOW];
    if (rt0->progress && (rt0->round & 255) == 0)
        flow_rt_progress(rt0);
}

static void round_end_serial(flow_cluster *c, flow_rt *rt)
{
    (void)rt;
    if (c->net) {
        round_end_net(c);
        return;
    }
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
    /* recovery: every worker is at the end of the same round, so this is
     * where an epoch ends for all of them (recovery.c) */
    if (rt0->store && atomic_load(&c->halt) == HALT_NONE)
        flowi_store_round_end(rt0);
    if (!rt0->clock_pinned && !rt0->clock_unused)
        c->now = flow_time_now_real();
    if (rt0->progress && (rt0->round & 255) == 0)
        flow_rt_progress(rt0);
}

void flowi_cluster_round_end(flow_rt *rt)
{
    flow_cluster *c = rt->cluster;
    worker *w = wk(c, rt);
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
    if (c->gcounters)
        return c->gcounters[i];    /* every process's (net_finish) */
    uint64_t n = 0;
    for (int w = 0; w < c->nw; w++)
        n += c->w[w].rt->counters ? c->w[w].rt->counters[i] : 0;
    return n;
}

/* ---- --stats, per worker ---------------------------------------------------- */

/* --stats: the items into and out of step I on this process's worker W. */
static void step_items(const flow_cluster *c, int w, int i, uint64_t *nin, uint64_t *nout)
{
    const flow_program_info *info = c->info;
    const flow_step_info *s = &info->steps[i];
    const flow_rt *r = c->w[w].rt;
    *nin = *nout = 0;
    if (s->xbox) {
        for (int p = 0; p < (s->n_in ? s->n_in : 1); p++)
            *nin += c->xboxes[(size_t)(s->xbox - 1 + p) * (size_t)c->nw + (size_t)w]->recv;
    } else {
        for (int p = 0; p < s->n_in; p++)
            *nin += r->counters[info->in_ports[s->in_first + p]];
    }
    for (int p = 0; p < s->n_ports; p++)
        *nout += r->counters[s->port + p];
}

void flowi_cluster_report(const flow_rt *rt)
{
    const flow_cluster *c = rt->cluster;
    const flow_program_info *info = c->info;
    int wd = 4;
    for (int i = 0; i < info->n_steps; i++)
        if ((int)strlen(info->steps[i].step) > wd)
            wd = (int)strlen(info->steps[i].step);
    /* every process's workers (gathered by net_finish), else this one's */
    int nw = c->gcells ? c->gnw : c->nw, base = c->gcells ? 0 : c->base;
    fprintf(stderr, "  items in / items out per worker:\n  %-*s", wd, "step");
    for (int w = 0; w < nw; w++) {
        char h[24];
        snprintf(h, sizeof h, "worker %d", base + w);
        fprintf(stderr, "  %21s", h);
    }
    fputc('\n', stderr);
    for (int i = 0; i < info->n_steps; i++) {
        const flow_step_info *s = &info->steps[i];
        fprintf(stderr, "  %-*s", wd, s->step);
        for (int w = 0; w < nw; w++) {
            char in[24], out[24], cell[50];
            uint64_t nin, nout;
            if (c->gcells) {
                nin = (uint64_t)c->gcells[((size_t)w * (size_t)info->n_steps + (size_t)i) * 2];
                nout = (uint64_t)c->gcells[((size_t)w * (size_t)info->n_steps + (size_t)i) * 2 + 1];
            } else {
                step_items(c, w, i, &nin, &nout);
            }
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

void flowi_cluster_save_outputs(flow_rt *rt)
{
    flow_cluster *c = rt->cluster;
    for (int w = 0; w < c->nw; w++) {
        /* run by whichever worker arrived last: an error (a write, a
         * delivery) must not jump into another thread's stack, it exits */
        flow_rt *wrt = c->w[w].rt;
        jmp_buf *trap = wrt->trap;
        wrt->trap = NULL;
        flowi_sinks_save(wrt);
        wrt->trap = trap;
    }
    write_stdout(c);
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

/* Write everything the workers produced (after they stopped; with
 * several processes, a collective call). */
static void flush_all(flow_cluster *c)
{
    for (int w = 0; w < c->nw; w++) {
        note(&c->w[w].out, &c->w[w].rt->out, c->w[w].rt->round);
        note(&c->w[w].errs, &c->w[w].err, c->w[w].rt->round);
    }
    if (c->net) {
        net_write(c);
    } else {
        write_stderr(c);
        write_stdout(c);
    }
    for (int w = 0; w < c->nw; w++)
        if (c->w[w].rt->sinks)
            flow_sinks_flush(c->w[w].rt);
}

/* The end of the run's last call to MPI, every process's. */
static void net_done(flow_cluster *c)
{
    if (c->net)
        c->net->finish(c->net);
}

/* Stop the process: write what came before, then MSG (with several
 * processes: rank 0 writes both, every process exits), exit 1. */
static _Noreturn void fail(flow_cluster *c, const char *msg)
{
    flush_all(c);
    fflush(stdout);
    if (!c->net || c->net->rank == 0)
        fprintf(stderr, "%s\n", msg);
    net_done(c);
    exit(1);
}

/* Several processes, after this one's workers stopped: agree on how the
 * run ended. If this process halted without the others knowing (a step's
 * error, a write error), they wait in a meeting: make it, with the halt.
 * Then every process learns the halt, the round that stopped the run and,
 * for a step's error, the message of the earliest (its round, then its
 * worker); --stats sums the counters. */
static void net_finish(flow_cluster *c)
{
    if (atomic_load(&c->halt) != HALT_NONE && !c->net_told) {
        int64_t *h = net_header(c);
        for (int k = 0; k < c->info->n_inputs; k++)
            h[H_EOF + k] = 0;
        c->net->max(c->net, h, c->nhdr);
        c->net_told = true;
    }
    int first = -1;
    for (int w = 0; w < c->nw; w++)
        if (c->w[w].failed && (first < 0 || c->w[w].fail_round < c->w[first].fail_round))
            first = w;
    int64_t v[4] = { atomic_load(&c->halt), -atomic_load(&c->stop_round), INT64_MIN, c->stop_sig };
    if (first >= 0)
        v[2] = -(c->w[first].fail_round * c->gnw + c->base + first);
    c->net->max(c->net, v, 4);
    atomic_store(&c->halt, (int)v[0]);
    atomic_store(&c->stop_round, -v[1]);
    c->stop_sig = (int)v[3];
    if (v[0] == HALT_FAILED && v[2] != INT64_MIN) {
        int gw = (int)(-v[2] % c->gnw);
        char msg[sizeof c->msg];
        memset(msg, 0, sizeof msg);
        if (gw >= c->base && gw < c->base + c->nw)
            snprintf(msg, sizeof msg, "%s", c->w[gw - c->base].rt->error);
        c->net->bcast(c->net, msg, sizeof msg, gw / c->nw);
        memcpy(c->msg, msg, sizeof msg);
    }
    if (c->w[0].rt->stats) {
        c->ncounters = 0;
        for (int i = 0; i < c->info->n_steps; i++)
            if (c->info->steps[i].port + c->info->steps[i].n_ports > c->ncounters)
                c->ncounters = c->info->steps[i].port + c->info->steps[i].n_ports;
        int64_t *sum = flow_alloc(sizeof *sum * (size_t)(c->ncounters + 1));
        memset(sum, 0, sizeof *sum * (size_t)(c->ncounters + 1));
        for (int i = 0; i < c->ncounters; i++)
            for (int w = 0; w < c->nw; w++)
                sum[i] += c->w[w].rt->counters ? (int64_t)c->w[w].rt->counters[i] : 0;
        c->net->sum(c->net, sum, (size_t)c->ncounters + 1);
        c->gcounters = (uint64_t *)sum;
        /* and every worker's items per step, for rank 0's table */
        size_t ns = (size_t)c->info->n_steps, mine = (size_t)c->nw * ns * 2;
        int64_t *cells = flow_alloc(sizeof *cells * (mine + 1));
        for (int w = 0; w < c->nw; w++)
            for (size_t i = 0; i < ns; i++) {
                uint64_t nin, nout;
                step_items(c, w, (int)i, &nin, &nout);
                cells[((size_t)w * ns + i) * 2] = (int64_t)nin;
                cells[((size_t)w * ns + i) * 2 + 1] = (int64_t)nout;
            }
        flow_buf all = { 0 };
        c->net->gather(c->net, (const char *)cells, sizeof *cells * mine, &all, c->lens);
        flow_free(cells, sizeof *cells * (mine + 1));
        if (c->net->rank == 0) {
            if (all.n != sizeof(int64_t) * mine * (size_t)c->net->nranks)
                c->net->abort(c->net, "flowrt: the --stats counts sent to rank 0 have a wrong size");
            c->gcells = flow_alloc(sizeof *c->gcells * (mine * (size_t)c->net->nranks + 1));
            memcpy(c->gcells, all.p, all.n);
        }
        flow_buf_free(&all);
        if (c->net->rank)
            c->w[0].rt->stats = false;    /* rank 0 reports */
    }
}

/* Several processes, before the workers start: agree on how they meet
 * (whether output waits: flush_each_round), and stop every process if
 * building the instances failed on one (FAILED: its message), the lowest
 * such rank writing its message. mpirun gives every process a terminal
 * for stdout, whatever its own is: output is written as to a file (every
 * 64 KiB, at an input that may block, at the end). */
static void net_start(flow_cluster *c, const char *failed)
{
    int64_t v[2] = { c->flush_each_round, failed ? c->net->nranks - c->net->rank : 0 };
    c->net->max(c->net, v, 2);
    c->flush_each_round = v[0];
    for (int w = 0; w < c->nw; w++)
        c->w[w].rt->out_is_tty = false;
    if (v[1]) {
        if (failed && c->net->nranks - c->net->rank == v[1])
            fprintf(stderr, "%s\n", failed);
        net_done(c);
        exit(1);
    }
}

/* Several processes: the buffers of the meetings. */
static void net_alloc(flow_cluster *c)
{
    int np = c->net->nranks;
    c->nhdr = (size_t)H_EOF + (size_t)c->info->n_inputs + (size_t)np * (size_t)np;
    c->hdr = flow_alloc(sizeof *c->hdr * c->nhdr);
    c->send = flow_alloc(sizeof *c->send * (size_t)np);
    c->recv = flow_alloc(sizeof *c->recv * (size_t)np);
    memset(c->send, 0, sizeof *c->send * (size_t)np);
    memset(c->recv, 0, sizeof *c->recv * (size_t)np);
    c->lens = flow_alloc(sizeof *c->lens * (size_t)np);
    c->rsize = flow_alloc(sizeof *c->rsize * (size_t)np);
    c->views = flow_alloc(sizeof *c->views * 2 * (size_t)c->gnw);
    for (int w = 0; w < c->nw; w++) {
        c->w[w].xsend = flow_alloc(sizeof *c->w[w].xsend * (size_t)np);
        memset(c->w[w].xsend, 0, sizeof *c->w[w].xsend * (size_t)np);
    }
    /* a redistribute's items go to every process, which takes its share */
    for (int i = 0; i < c->info->n_steps; i++) {
        const flow_step_info *st = &c->info->steps[i];
        if (st->xbox && strcmp(st->op, "redistribute") == 0)
            c->xblock[st->xbox - 1] = true;
    }
}

static void net_free(flow_cluster *c)
{
    int np = c->net->nranks;
    for (int q = 0; q < np; q++) {
        flow_buf_free(&c->send[q]);
        flow_buf_free(&c->recv[q]);
        for (int w = 0; w < c->nw; w++)
            flow_buf_free(&c->w[w].xsend[q]);
    }
    for (int w = 0; w < c->nw; w++)
        flow_free(c->w[w].xsend, sizeof *c->w[w].xsend * (size_t)np);
    flow_free(c->hdr, sizeof *c->hdr * c->nhdr);
    flow_free(c->send, sizeof *c->send * (size_t)np);
    flow_free(c->recv, sizeof *c->recv * (size_t)np);
    flow_free(c->lens, sizeof *c->lens * (size_t)np);
    flow_free(c->rsize, sizeof *c->rsize * (size_t)np);
    flow_free(c->views, sizeof *c->views * 2 * (size_t)c->gnw);
    flow_free(c->rx, sizeof *c->rx * c->caprx);
    flow_buf_free(&c->wire);
    flow_buf_free(&c->gathered);
    if (c->gcounters)
        flow_free(c->gcounters, sizeof *c->gcounters * (size_t)(c->ncounters + 1));
    if (c->gcells)
        flow_free(c->gcells, sizeof *c->gcells * ((size_t)c->gnw * (size_t)c->info->n_steps * 2 + 1));
}


int flow_cluster_main(flow_rt *rt0, const flow_program *prog)
{
    flow_cluster *c = flow_alloc(sizeof *c);
    memset(c, 0, sizeof *c);
    c->net = rt0->net;
    int np = c->net ? c->net->nranks : 1;
    int nw = rt0->nworkers / np;    /* flow_mpi_init: rt0->nworkers is the job's */
    c->nw = nw;
    c->gnw = rt0->nworkers;
    c->base = rt0->worker;
    c->prog = prog;
    c->info = rt0->info;
    c->bar.n = (uint32_t)nw;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    /* ~10 us of pauses, then up to 2 ms of yielding; more workers than
     * CPUs: a few pauses, then yield to them, sleep soon */
    c->bar.spin = ncpu >= nw ? 400 : 20;
    c->bar.yield_max = ncpu >= nw ? 2000000 : 100000;
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
    c->xeof = flow_alloc(ns);
    memset(c->xeof, 0, ns);
    size_t nb = (size_t)(c->info->n_xboxes > 0 ? c->info->n_xboxes : 1);
    c->xblock = flow_alloc(nb);
    memset(c->xblock, 0, nb);
    if (c->net)
        net_alloc(c);
    if (!rt0->clock_pinned)
        c->now = flow_time_now_real();
    for (int w = 0; w < nw; w++) {
        flow_rt *rt = w ? clone_rt(rt0) : rt0;
        rt->cluster = c;
        rt->worker = c->base + w;
        rt->round_slow = true;
        c->w[w].c = c;
        c->w[w].rt = rt;
        c->w[w].yield = c->bar.yield_max;
    }
    /* build the instances here, in order: an error (a file that cannot be
     * opened) stops the program before any worker runs */
    for (int w = 0; w < nw; w++) {
        jmp_buf jb;
        if (setjmp(jb)) {
            if (c->net)
                net_start(c, c->w[w].rt->error);
            fail(c, c->w[w].rt->error);
        }
        c->w[w].rt->trap = &jb;
        c->w[w].f = prog->make(c->w[w].rt);
        c->w[w].rt->trap = NULL;
    }
    /* recovery: each worker loads the keys it owns now, one after the
     * other (the store is shared); the epochs start after the last */
    for (int w = 0; w < nw && rt0->store; w++) {
        jmp_buf jb;
        if (setjmp(jb))
            fail(c, c->w[w].rt->error);
        c->w[w].rt->trap = &jb;
        prog->restore(c->w[w].f);
        c->w[w].rt->trap = NULL;
    }
    if (c->net)
        net_start(c, NULL);
    /* nothing crosses between the workers of a flow without exchange
     * points: let them meet only every SYNC_EVERY rounds, unless output
     * must not wait (a terminal, an input that may block) */
    if (c->info->n_xboxes == 0 && !c->flush_each_round && !rt0->out_is_tty && !rt0->store)
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
    if (c->net)
        net_finish(c);

    switch (atomic_load(&c->halt)) {
    case HALT_NONE:
    case HALT_ABORT:    /* a testing input's ABORT: the output up to its round */
        break;
    case HALT_STOP: {
        flush_all(c);
        int sig = c->stop_sig;
        if (rt0->progress_shown)
            fputs("\n", stderr);
        if (!c->net || c->net->rank == 0)
            fprintf(stderr, "%s: stopped by %s after round %lld; output flushed\n", c->info->flow_name,
                    sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal",
                    (long long)rt0->round);
        net_done(c);
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
        if (c->net)
            fail(c, c->msg);    /* the earliest failure's, of any process (net_finish) */
        if (first < 0)
            fail(c, "flowrt: a worker stopped");
        fail(c, c->w[first].rt->error);
    }
    }
    flush_all(c);
    if (rt0->store && atomic_load(&c->halt) == HALT_NONE)
        flow_store_end(rt0);    /* the last snapshot, for every worker */
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
            rt->store = NULL;    /* worker 0's */
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
    flow_free(c->xeof, ns);
    flow_free(c->xblock, nb);
    if (c->net) {
        net_free(c);
        net_done(c);
    }
    flow_free(c->w, sizeof *c->w * (size_t)nw);
    flow_free(c, sizeof *c);
    return status;
}
