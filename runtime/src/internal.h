/*
 * internal.h - declarations shared between the files of libflowrt.a and
 * nothing else. Generated programs never include this header; the symbols
 * here carry the flowi_ prefix so that the archive exports only flow_*
 * names plus these clearly internal ones.
 */
#ifndef FLOWRT_INTERNAL_H
#define FLOWRT_INTERNAL_H

#include "flowrt_gen.h"

#include <stdint.h>

/* ---- --stats and progress (stats.c) ------------------------------------ */

/* Note the start of the run (the monotonic clock) for rates. */
void flowi_stats_start(flow_rt *rt);
/* rt.c: the value of run-time option NAME at rt->argv[*I] ("NAME VALUE",
 * advancing *I, or "NAME=VALUE"), else NULL (advancing *I past the value
 * of another option that takes one, so that it is not read as an option). */
const char *flowi_arg_value(const flow_rt *rt, int *i, const char *name);

/* ---- workers (cluster.c) ------------------------------------------------ */

/* The most workers of a run (-w N; with MPI, processes times N). */
#define FLOW_MAX_WORKERS 1024

struct flow_src;
/* The round's end with several workers: wait for the others, agree on
 * EOF, the clock, output, bad records and a stop signal. */
void flowi_cluster_round_end(flow_rt *rt);
/* The clock of the round every worker is starting. */
flow_time flowi_cluster_now(const flow_rt *rt);
/* Counter I (flow_step_info) summed over the workers. */
uint64_t flowi_cluster_counter(const flow_rt *rt, int i);
/* --stats: the items in and out of every step on each worker. */
void flowi_cluster_report(const flow_rt *rt);
/* A source of RT's worker (for bad records and skipped counts at the
 * round's end); one that may block (stdin, a pipe): output is then
 * written at every round's end. */
void flowi_cluster_add_src(flow_rt *rt, struct flow_src *s);
void flowi_cluster_may_block(flow_rt *rt);
/* Where RT's worker writes its warnings (written at the round's end). */
flow_buf *flowi_cluster_err(flow_rt *rt);

/* ---- processes (runtime/mpi/transport_mpi.c, libflowrt_mpi.a) ----------- */

/* The other processes of a job (docs/workers.md §9), as cluster.c sees
 * them: an interface, so that libflowrt.a links without MPI. Every call
 * but abort is collective: every process makes it, in the same order
 * (cluster.c calls them in the serial parts of its meetings, which every
 * process reaches in the same sequence, and in the main thread before the
 * workers start and after they stop: never two threads at once). */
typedef struct flowi_net {
    int rank, nranks;
    /* V[0 .. N) := the element-wise maximum (max) or sum (sum) of every
     * process's V */
    void (*max)(struct flowi_net *net, int64_t *v, size_t n);
    void (*sum)(struct flowi_net *net, int64_t *v, size_t n);
    /* SEND[q] (nranks buffers) to process q; RECV[q] := what q sent, of
     * RSIZE[q] bytes (known from an earlier max), grown as needed */
    void (*alltoall)(struct flowi_net *net, const flow_buf *send, flow_buf *recv, const int64_t *rsize);
    /* On rank 0: ALL := every process's N bytes at P, in rank order, and
     * LENS[q] (nranks entries) their sizes; elsewhere ALL and LENS stay
     * as they are */
    void (*gather)(struct flowi_net *net, const char *p, size_t n, flow_buf *all, size_t *lens);
    /* N bytes at P := ROOT's */
    void (*bcast)(struct flowi_net *net, void *p, size_t n, int root);
    /* MPI_Finalize (at the run's end, every process) */
    void (*finish)(struct flowi_net *net);
    /* Stop the whole job at once: MSG on stderr, MPI_Abort (not collective) */
    void (*abort)(struct flowi_net *net, const char *msg);    /* never returns */
} flowi_net;

/* ---- UTF-8 (str.c) ----------------------------------------------------- */

/* The length (1-4) of the well-formed UTF-8 sequence at P (LEFT >= 1
 * bytes available), or 0 if it is not one (overlong, surrogate, above
 * U+10FFFF, truncated, stray continuation byte). */
size_t flowi_utf8_seq(const unsigned char *p, size_t left);
/* Decode one code point of the valid UTF-8 at P (N > 0 bytes left); stores
 * its length in *LEN. Invalid input yields the byte value with *LEN = 1. */
uint32_t flowi_utf8_decode(const unsigned char *p, size_t n, int *len);
/* The length of the longest prefix of P[0..N) that is well-formed UTF-8
 * (whole sequences): N when all of it is; else where the first bad or
 * cut-off sequence starts. */
size_t flowi_utf8_valid_prefix(const unsigned char *p, size_t n);
/* Encode CP into OUT (4 bytes room); returns the length. */
int flowi_utf8_encode(uint32_t cp, char *out);
/* Python's str.isspace() for one code point. */
bool flowi_is_space(uint32_t cp);
/* Is CP in one of the N inclusive, ascending ranges R? (binary search) */
bool flowi_in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp);
/* The value of CP as a decimal digit (Python's unicodedata.decimal: the
 * ASCII digits and every other Nd digit), or -1. */
int flowi_decimal(uint32_t cp);

/* ---- Unicode tables (unicode.c, generated from CPython) ---------------- */

/* Inclusive, ascending ranges of the code points >= U+0080 that Python's
 * str.isprintable() rejects (so repr() escapes them). */
extern const uint32_t flowi_nonprint[][2];
extern const size_t flowi_nonprint_count;

/* One case mapping: code point CP maps to the LEN bytes of UTF-8 at
 * flowi_case_pool + OFF (Python's full mapping, up to 3 code points). */
typedef struct flowi_case {
    uint32_t cp;
    uint16_t off;
    uint8_t len;
} flowi_case;
/* str.lower()/str.upper() of every code point >= U+0080 they change,
 * ascending by CP. */
extern const flowi_case flowi_lower[];
extern const size_t flowi_lower_count;
extern const flowi_case flowi_upper[];
extern const size_t flowi_upper_count;
extern const char flowi_case_pool[];
/* Ranges of the code points str.lower() skips looking for a word-final
 * sigma (Case_Ignorable), and of the other cased ones (case.c). */
extern const uint32_t flowi_case_ignorable[][2];
extern const size_t flowi_case_ignorable_count;
extern const uint32_t flowi_cased[][2];
extern const size_t flowi_cased_count;
/* The zero of every run of ten decimal digits >= U+0080, ascending. */
extern const uint32_t flowi_digit_zero[];
extern const size_t flowi_digit_zero_count;

/* ---- memory (mem.c) --------------------------------------------------- */

/* "flowrt: out of memory" on stderr (stdout flushed first), exit status 1. */
__attribute__((noreturn)) void flowi_out_of_memory(void);

/* ---- strings in arenas ------------------------------------------------- */

/* A copy of the N bytes at P in A (an empty string for N == 0). */
flow_str flowi_arena_str(flow_arena *a, const char *p, size_t n);
/* True iff the N bytes at P were handed out by A's newest block, so they
 * live as long as anything A hands out later (e.g. a string that an
 * earlier step of the same round built): no copy is needed to keep them. */
bool flowi_arena_holds(const flow_arena *a, const char *p, size_t n);
/* The decimal digits of V ending at END (at most 20 bytes); the start (num.c). */
char *flowi_fmt_int(char *end, int64_t v);

/* A flow_list_str being built in an arena: push grows it geometrically
 * (the old array is left in the arena, so at most twice the final size). */
typedef struct flowi_list {
    flow_list_str l;
    int64_t cap;
} flowi_list;
/* Make room for one more element (the array is full). */
void flowi_list_grow(flow_arena *a, flowi_list *list);
/* Give the empty LIST (no array yet) room for CAP >= 1 elements. */
static inline void flowi_list_start(flow_arena *a, flowi_list *list, int64_t cap)
{
    list->l.v = flow_arena_alloc(a, (size_t)cap * sizeof *list->l.v);
    list->cap = cap;
}
static inline void flowi_list_push(flow_arena *a, flowi_list *list, flow_str s)
{
    if (list->l.n == list->cap)
        flowi_list_grow(a, list);
    list->l.v[list->l.n++] = s;
}

/* ---- regex.c ----------------------------------------------------------- */

/* Use (ON) or not the 16-bytes-at-a-time scan of the findall fast path,
 * where the CPU allows it (it is on by default); for tests of both. */
void flowi_regex_simd(flow_regex *re, bool on);

/* ---- sorting (sort.c) ------------------------------------------------- */

/* flow_sort_by_key with caller-provided scratch TMP of N uint32_t (NULL:
 * allocated when needed, only for keys longer than 8 bytes). */
void flowi_sort_by_key(const void *items, size_t n, size_t stride, uint32_t *order,
                       uint32_t *tmp);

/* ---- words ------------------------------------------------------------ */

/* The 8 bytes at P as a number whose lowest byte is P[0] (any host). */
static inline uint64_t flowi_load_le64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* ---- parsing (time.c) -------------------------------------------------- */

/* The monotonic clock in nanoseconds (for intervals: rates, waits), not a
 * flow_time. */
int64_t flowi_mono_ns(void);

/* flow_time_parse without its fast path for the common shapes (the unit
 * tests compare the two). */
bool flowi_time_parse_general(const char *text, size_t n, flow_time *out);

/* ---- windows (window.c) ------------------------------------------------ */

/* A key indexes its windows (logics) once it has this many and opens
 * (adds) another, and drops the index when they fall to a quarter of it
 * (flow_wstate's BIG). 16; at least 2 (the unit tests lower it to test the
 * index on few windows). */
extern size_t flowi_wbig_at;

/* ---- formatting into caller storage (repr.c, time.c) ------------------ */

/* repr(float) into OUT (at least 32 bytes); returns the length. */
int flowi_fmt_float(char *out, double v);
/* str(datetime) into OUT (at least 48 bytes); returns the length. */
int flowi_fmt_time(char *out, flow_time t);
/* str(timedelta) into OUT (at least 48 bytes); returns the length. */
int flowi_fmt_duration(char *out, int64_t us);


/* ---- recovery (recovery.c, sink.c; docs/recovery.md) ------------------- */

/* A recovery option at ARGV[*I] (-r, -b, --recovery-init DIR N): -1 when
 * taken (*I advanced past its value), -2 when not one, else the exit
 * status (--recovery-init's, or 2 after a usage error it printed). */
int flowi_store_option(flow_rt *rt, const char *prog, int argc, char **argv, int *i);
/* After parsing (HAVE_S: -s was given): check the recovery options and
 * open the store; -1 to run, else the exit status. */
int flowi_store_setup(flow_rt *rt, const char *prog, bool have_s);
void flowi_store_close(flow_rt *rt);
/* From flow_rt_round_end (with a store): write a snapshot if the epoch
 * ended (the epoch timer fired; -s 0: a polling round comes next; a
 * pinned clock: the interval passed in pinned time). */
void flowi_store_round_end(flow_rt *rt);
/* flowi_store_round_end in two halves, for several processes (cluster.c's
 * round end agrees on the epoch's end first): whether this process's
 * epoch ended (it consumes the timer's signal), and the snapshot, which
 * every process of the job then takes at once (collective calls). */
bool flowi_store_due(flow_rt *rt);
void flowi_store_snapshot(flow_rt *rt);
/* transport_mpi.c, once RT->net is set, on every process of a job of
 * NRANKS: rank 0 (which opened the store in flowi_store_setup and holds
 * its lock) tells the others the resume epoch and execution, and they
 * open the store, to read it (a rank > 0 never writes it). */
void flowi_store_join(flow_rt *rt, int rank, int nranks);
/* Defined true by libflowrt_mpi.a (transport_mpi.c), weak false here:
 * whether the program can join an mpirun job (flowc --mpi). */
extern bool flowi_mpi_linked;
/* cluster.c, from a snapshot's commit in the round end's serial part:
 * every worker's sinks saved (flowi_sinks_save), then stdout written in
 * order up to this round. */
void flowi_cluster_save_outputs(flow_rt *rt);
/* sink.c: flush every file sink and queue each file's length. */
void flowi_sinks_save(flow_rt *rt);

#endif
