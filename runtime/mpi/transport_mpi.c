/*
 * transport_mpi.c - the processes of a job over MPI (libflowrt_mpi.a, for
 * programs built with `flowc --mpi`; docs/workers.md §9): flow_mpi_init,
 * and the flowi_net interface that cluster.c calls, in MPI's collective
 * operations on MPI_COMM_WORLD.
 *
 * Threads: cluster.c makes every call from one thread at a time (a
 * meeting's serial part, run by whichever of the process's workers
 * arrives last, or the main thread before and after the workers run),
 * ordered by its barrier, so MPI_THREAD_SERIALIZED is enough; Open MPI
 * provides it in every build (MPI_THREAD_MULTIPLE needs its UCX or ob1
 * paths to be built with thread support, and costs locks on every call).
 *
 * Errors: MPI's default handler (MPI_ERRORS_ARE_FATAL) aborts the job on
 * a failed call, and mpirun stops every process when one dies; abort()
 * here is for the runtime's own inconsistencies.
 */
#include "internal.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>

bool flowi_mpi_linked = true;    /* recovery.c: this program joins mpirun jobs */

/* Wait for the N requests REQ. Not MPI's blocking calls: Open MPI polls
 * all the while it waits (unless it sees more processes than cores),
 * and on a machine busier than its cores the process being waited for
 * is then the one that does not run. A nonblocking collective moves only
 * while both ends test it, so a waiter that sleeps delays the other
 * process too: test for 10 us, then test and yield the CPU between
 * tests up to 2 ms, then sleep 20 us between tests, after 20 ms 200 us
 * (a process waiting for a blocking input elsewhere). */
static void wait_all(int n, MPI_Request *req)
{
    int64_t t0 = 0;
    for (long i = 0;; i++) {
        int done = 0;
        MPI_Testall(n, req, &done, MPI_STATUSES_IGNORE);
        if (done)
            return;
        if (i == 0)
            t0 = flowi_mono_ns();
        if (i < 64)
            continue;
        int64_t waited = flowi_mono_ns() - t0;
        if (waited < 10000)
            continue;
        if (waited < 2000000) {
            sched_yield();
            continue;
        }
        struct timespec ts = { 0, waited < 20000000 ? 20000 : 200000 };
        nanosleep(&ts, NULL);
    }
}

/* flowi_net's calls (internal.h has their contracts). */

static void net_max(flowi_net *net, int64_t *v, size_t n)
{
    (void)net;
    MPI_Request req;
    MPI_Iallreduce(MPI_IN_PLACE, v, (int)n, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD, &req);
    wait_all(1, &req);
}

static void net_sum(flowi_net *net, int64_t *v, size_t n)
{
    (void)net;
    MPI_Request req;
    MPI_Iallreduce(MPI_IN_PLACE, v, (int)n, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD, &req);
    wait_all(1, &req);
}

/* A size in bytes as MPI's int count (a message of 2 GiB or more in one
 * meeting stops the job). */
static int count_of(flowi_net *net, int64_t n)
{
    if (n < 0 || n > INT_MAX)
        net->abort(net, "flowrt: an exchange between processes of 2 GiB or more in one round");
    return (int)n;
}

static void net_alltoall(flowi_net *net, const flow_buf *send, flow_buf *recv, const int64_t *rsize)
{
    int np = net->nranks;
    MPI_Request *req = flow_alloc(sizeof *req * 2 * (size_t)np);
    int nreq = 0;
    for (int q = 0; q < np; q++) {
        recv[q].n = 0;
        if (q == net->rank || rsize[q] == 0)
            continue;
        if (recv[q].cap < (size_t)rsize[q])
            flow_buf_reserve(&recv[q], (size_t)rsize[q]);
        recv[q].n = (size_t)rsize[q];
        MPI_Irecv(recv[q].p, count_of(net, rsize[q]), MPI_BYTE, q, 0, MPI_COMM_WORLD, &req[nreq++]);
    }
    for (int q = 0; q < np; q++)
        if (q != net->rank && send[q].n)
            MPI_Isend(send[q].p, count_of(net, (int64_t)send[q].n), MPI_BYTE, q, 0, MPI_COMM_WORLD, &req[nreq++]);
    wait_all(nreq, req);
    flow_free(req, sizeof *req * 2 * (size_t)np);
}

static void net_gather(flowi_net *net, const char *p, size_t n, flow_buf *all, size_t *lens)
{
    int np = net->nranks;
    int64_t mine = (int64_t)n, *sizes = flow_alloc(sizeof *sizes * (size_t)np);
    MPI_Request req;
    MPI_Igather(&mine, 1, MPI_INT64_T, sizes, 1, MPI_INT64_T, 0, MPI_COMM_WORLD, &req);
    wait_all(1, &req);
    int *counts = NULL, *displs = NULL;
    if (net->rank == 0) {
        counts = flow_alloc(sizeof *counts * (size_t)np);
        displs = flow_alloc(sizeof *displs * (size_t)np);
        int64_t at = 0;
        for (int q = 0; q < np; q++) {
            lens[q] = (size_t)sizes[q];
            counts[q] = count_of(net, sizes[q]);
            displs[q] = count_of(net, at);
            at += sizes[q];
        }
        count_of(net, at);
        all->n = 0;
        if (all->cap < (size_t)at + 1)
            flow_buf_reserve(all, (size_t)at + 1);
        all->n = (size_t)at;
    }
    MPI_Igatherv(p, count_of(net, mine), MPI_BYTE, net->rank == 0 ? all->p : NULL, counts, displs, MPI_BYTE, 0,
                 MPI_COMM_WORLD, &req);
    wait_all(1, &req);
    if (net->rank == 0) {
        flow_free(counts, sizeof *counts * (size_t)np);
        flow_free(displs, sizeof *displs * (size_t)np);
    }
    flow_free(sizes, sizeof *sizes * (size_t)np);
}

static void net_bcast(flowi_net *net, void *p, size_t n, int root)
{
    MPI_Request req;
    MPI_Ibcast(p, count_of(net, (int64_t)n), MPI_BYTE, root, MPI_COMM_WORLD, &req);
    wait_all(1, &req);
}

static void net_finish(flowi_net *net)
{
    flow_free(net, sizeof *net);
    MPI_Finalize();
}

static _Noreturn void net_abort(flowi_net *net, const char *msg)
{
    fflush(stdout);
    fprintf(stderr, "%s (process %d of %d)\n", msg, net->rank, net->nranks);
    MPI_Abort(MPI_COMM_WORLD, 1);
    exit(1);
}

void flow_mpi_init(flow_rt *rt)
{
    int provided = 0, rank = 0, size = 1;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "%s: error: MPI_Init_thread failed\n", rt->info->flow_name);
        exit(1);
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size == 1) {
        MPI_Finalize();    /* one process: the program as without MPI */
        return;
    }
    if (provided < MPI_THREAD_SERIALIZED) {
        if (rank == 0)
            fprintf(stderr, "%s: error: this MPI does not allow calls from several threads (MPI_THREAD_SERIALIZED)\n",
                    rt->info->flow_name);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if ((int64_t)rt->nworkers * size > FLOW_MAX_WORKERS) {
        if (rank == 0)
            fprintf(stderr, "%s: error: %d processes of %d workers: more than %d workers\n", rt->info->flow_name, size,
                    rt->nworkers, FLOW_MAX_WORKERS);
        MPI_Finalize();
        exit(2);
    }
    flowi_net *net = flow_alloc(sizeof *net);
    *net = (flowi_net){
        .rank = rank,
        .nranks = size,
        .max = net_max,
        .sum = net_sum,
        .alltoall = net_alltoall,
        .gather = net_gather,
        .bcast = net_bcast,
        .finish = net_finish,
        .abort = net_abort,
    };
    rt->net = net;
    if (rt->store)
        flowi_store_join(rt, rank, size);    /* rank 0 writes it, the others read */
    rt->worker = rank * rt->nworkers;
    rt->nworkers *= size;
}
