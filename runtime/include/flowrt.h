/*
 * flowrt.h - the public header of libflowrt.a, the flowc runtime, for a
 * host program that embeds a dataflow (flowc --lib, docs/embedding.md):
 * the memory hook, strings and lists as items carry them, time, window
 * metadata, the embedding API's return codes. Generated C includes
 * flowrt_gen.h, which includes this header and adds what only generated
 * code needs (keyed state, windows, sources and sinks, the run context).
 *
 * Conventions, for every declaration below and in flowrt_gen.h:
 * - Time is flow_time: signed microseconds since 1970-01-01T00:00:00Z (UTC).
 *   Durations are int64_t microseconds. This reproduces Python's integer
 *   datetime/timedelta arithmetic exactly.
 * - Strings are flow_str: a pointer and a byte length, UTF-8, not
 *   NUL-terminated, passed by value. Who owns the bytes is said per
 *   function; most results live in a flow_arena the caller passes.
 * - Functions named *_fail or documented "fatal" print a message on stderr,
 *   flush buffered output first, and exit(1); they never return.
 * - Exported symbols start with flow_ / FLOW_. Nothing here is thread-safe
 *   across one flow_rt; separate flow_rt instances share nothing except the
 *   process-wide allocator hook.
 */
#ifndef FLOWRT_H
#define FLOWRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define FLOW_NORETURN [[noreturn]]   /* the headers are usable from C++ hosts */
extern "C" {
#else
#define FLOW_NORETURN _Noreturn
#endif

#define FLOWRT_VERSION "0.1.0"

/* ===================================================================
 * Time
 * =================================================================== */

typedef int64_t flow_time;

/* Python's datetime range: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z */
#define FLOW_TIME_MIN INT64_C(-62135596800000000)
#define FLOW_TIME_MAX INT64_C(253402300799999999)
/* "No time": an unset timer. Compares below every valid time. */
#define FLOW_NO_TIME INT64_MIN

#define FLOW_US_PER_SEC INT64_C(1000000)

/* Parse S (N bytes) as RFC 3339 ("2022-01-01T00:00:00Z",
 * "2022-01-01T00:00:00.250+02:00") or "YYYY-MM-DD HH:MM:SS[.ffffff]"
 * (taken as UTC). Precisely: YYYY-MM-DD, then 'T', 't' or ' ', then
 * HH:MM:SS, an optional '.' and 1 or more digits, then an optional zone
 * ('Z', 'z' or +HH:MM / -HH:MM); no zone means UTC.
 * Stores the instant in *OUT and returns true; returns false
 * for anything else, including out-of-range fields and instants outside
 * [FLOW_TIME_MIN, FLOW_TIME_MAX]. Fractions beyond microseconds are
 * truncated. */
bool flow_time_parse(const char *s, size_t n, flow_time *out);

/* Parse a duration literal as the language writes it ("250us", "5ms",
 * "10s", "1.5s", "2m", "1h", "1d"): digits, an optional fraction, a unit;
 * no sign. Sub-microsecond fractions round half to even (as timedelta).
 * Returns false on bad syntax or overflow. */
bool flow_duration_parse(const char *s, size_t n, int64_t *out_us);

/* The real system clock now (CLOCK_REALTIME), in microseconds since the
 * epoch: what a round samples unless the clock is pinned. */
flow_time flow_time_now_real(void);

/* Civil fields of T (proleptic Gregorian, UTC). US is 0..999999. */
void flow_time_fields(flow_time t, int *year, int *month, int *day, int *hour,
                      int *min, int *sec, int *us);

/* ===================================================================
 * Memory
 * =================================================================== */

/* The allocator hook (Lua's lua_Alloc): called as
 *   f(ud, NULL, 0, n)       allocate n bytes
 *   f(ud, p, old, n)        resize p from old to n bytes
 *   f(ud, p, old, 0)        free p (returns NULL)
 * Returning NULL for a non-zero size means out of memory. The default uses
 * malloc/realloc/free. Set it before creating any flow_rt; it is
 * process-wide. */
typedef void *(*flow_alloc_fn)(void *ud, void *ptr, size_t old_size, size_t new_size);
void flow_set_allocator(flow_alloc_fn f, void *ud);

/* Allocate/resize/free through the hook. Out of memory is fatal
 * ("flowrt: out of memory"); these never return NULL for n > 0.
 * flow_free(NULL, 0) is a no-op. */
void *flow_alloc(size_t n);
void *flow_realloc(void *p, size_t old_size, size_t new_size);
void flow_free(void *p, size_t size);

/* Bytes currently allocated through the hook (for --stats and tests), by
 * the calling thread, less what it freed (a program run with several
 * workers allocates on several threads). */
size_t flow_mem_in_use(void);

/* ===================================================================
 * Strings
 * =================================================================== */

/* A string value (the language's `string`, Python's str): N bytes of
 * UTF-8 at P, not NUL-terminated; P may be NULL when N is 0. A flow_str
 * does not own its bytes: an item's strings live as long as the item (one
 * passed to a host's callback, until the callback returns; a pushed one is
 * copied by the push), other results where the function says. */
typedef struct flow_str {
    const char *p;
    int64_t n;    /* bytes */
} flow_str;

/* A flow_str for a C string literal (static storage). */
#define FLOW_STR(lit) ((flow_str){ (lit), (int64_t)sizeof(lit) - 1 })

/* A list of strings (the language's list<string>): V has N elements,
 * owned as the strings are (see flow_str). */
typedef struct flow_list_str {
    flow_str *v;
    int64_t n;
} flow_list_str;

/* ===================================================================
 * Window metadata (an item type of window operators' meta ports)
 * =================================================================== */

/* A list of ints (the language's list<int>): V has N elements, owned as
 * the item holding the list is. */
typedef struct flow_list_i64 {
    int64_t *v;
    int64_t n;
} flow_list_i64;

/* Bytewax's WindowMetadata, the item of a window operator's meta port
 * (docs/semantics.md §12). */
typedef struct flow_window_meta {
    flow_time open_time;       /* the window's start (session: its earliest
                                * item's time) */
    flow_time close_time;      /* sliding, tumbling: open_time + length, the
                                * first time outside it; session: its latest
                                * item's time */
    flow_list_i64 merged_ids;  /* session: the ids of the sessions merged
                                * into it, ascending (a Python set of small
                                * ints); otherwise empty */
} flow_window_meta;

/* ===================================================================
 * Embedding
 * =================================================================== */

/* What the calls of an embedding API (flowc --lib, docs/embedding.md)
 * return: FLOW_OK; FLOW_DONE, the dataflow has ended (every input at EOF,
 * stateful steps flushed); FLOW_ERROR, a run-time error, whose message
 * <flow>_errmsg gives (the instance can only be closed); FLOW_MISUSE, a
 * bad call that changed nothing (the instance goes on). */
enum { FLOW_OK = 0, FLOW_DONE = 1, FLOW_ERROR = 2, FLOW_MISUSE = 3 };

/* A dataflow instance's run context (flowrt_gen.h); a host sees it only
 * through the API flowc --lib writes. */
typedef struct flow_rt flow_rt;

#ifdef __cplusplus
}
#endif
#endif
