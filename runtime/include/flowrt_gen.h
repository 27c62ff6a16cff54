/*
 * flowrt_gen.h - the part of the runtime's interface that only generated C
 * needs: array growth and arenas, string operations, Python arithmetic and
 * repr, regular expressions, keyed state and timers, the run context,
 * windowing, sources, sinks and the Nexmark generator. Generated C includes
 * this header, which includes flowrt.h (the host's header); the
 * conventions are flowrt.h's.
 */
#ifndef FLOWRT_GEN_H
#define FLOWRT_GEN_H

#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include "flowrt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================
 * Memory: growth of arrays, bump arenas
 * =================================================================== */

/* Ensure the array *DATA of *CAP elements of ELEM bytes holds at least NEED
 * elements, growing geometrically. Used by generated per-step buffers so
 * that steady-state rounds allocate nothing. */
void flow_vec_grow(void **data, size_t *cap, size_t elem, size_t need);

/* In-place append for a key's state that only grows (`acc + [x]`, `acc +
 * s`, lowering's append_tail): the state's N elements of ELEM bytes at
 * DATA live in the block *MEM of *SIZE bytes (flow_alloc'd, the state's
 * own); K more from SRC are appended, the block growing geometrically (a
 * state whose data is not at *MEM is first moved into a new block, the old
 * one freed). Returns where the N + K elements now start. Amortised O(K)
 * instead of a copy of the whole state per item. */
void *flow_append(void **mem, size_t *size, const void *data, int64_t n, size_t elem, const void *src, int64_t k);

/* A bump arena. Generated code allocates every transient value (strings,
 * lists, tuples of a round) here; the run context resets its round arena at
 * the start of each round, so values live exactly one round. */
typedef struct flow_arena_block flow_arena_block;
typedef struct flow_arena {
    char *cur;                 /* next free byte of the current block */
    char *end;                 /* end of the current block */
    flow_arena_block *blocks;  /* all blocks, newest first */
    size_t used;               /* bytes handed out since the last reset */
} flow_arena;

/* An empty arena (no block until the first allocation). */
void flow_arena_init(flow_arena *a);
/* Slow path of flow_arena_alloc: adds a block of at least N bytes. */
void *flow_arena_grow(flow_arena *a, size_t n);
/* N bytes aligned to 16, uninitialised, valid until the next reset (out
 * of memory is fatal, as for flow_alloc). */
static inline void *flow_arena_alloc(flow_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if ((size_t)(a->end - a->cur) < n)
        return flow_arena_grow(a, n);
    void *p = a->cur;
    a->cur += n;
    a->used += n;
    return p;
}
/* Forget every allocation; keeps one block (the largest) for reuse. */
void flow_arena_reset(flow_arena *a);
/* Free every block; the arena is then as flow_arena_init left it. */
void flow_arena_destroy(flow_arena *a);

/* ===================================================================
 * String operations
 * =================================================================== */

/* Byte equality (Python's == on str). */
static inline bool flow_str_eq(flow_str a, flow_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, (size_t)a.n) == 0);
}
/* Byte-wise order, shorter prefix first: the order Bytewax sorts keys in
 * (UTF-8 byte order equals code point order, so this is also Python's str
 * order). Returns <0, 0, >0. */
int flow_str_cmp(flow_str a, flow_str b);

/* A copy of S in A / on the heap (flow_alloc; free with flow_str_free). */
flow_str flow_str_dup(flow_arena *a, flow_str s);
flow_str flow_str_dup_heap(flow_str s);
void flow_str_free(flow_str s);
/* X + Y, in A ("" needs no memory). */
flow_str flow_str_concat(flow_arena *a, flow_str x, flow_str y);

/* Python str methods, results in A:
 * lower/upper: str.lower()/str.upper() (ASCII fast path; otherwise
 * Python's full case mapping from tables generated from CPython, e.g.
 * 'ß' upper is "SS"; one simplification: a word-final 'Σ' lowers to 'σ',
 * not 'ς'); trim: str.strip(); */
flow_str flow_str_lower(flow_arena *a, flow_str s);
flow_str flow_str_upper(flow_arena *a, flow_str s);
flow_str flow_str_trim(flow_arena *a, flow_str s);
/* split(s): str.split() (runs of whitespace, no empty strings);
 * split(s, sep): str.split(sep) (sep non-empty; empty sep is reported by the
 * checker or as a step error by the caller). */
flow_list_str flow_str_split_ws(flow_arena *a, flow_str s);
flow_list_str flow_str_split(flow_arena *a, flow_str s, flow_str sep);
/* The same with Python's maxsplit (negative: no limit): at most MAXSPLIT
 * splits from the left, the rest of the string the last element (for
 * whitespace, from its first non-space character, its trailing spaces
 * kept, as s.split(None, n)). */
flow_list_str flow_str_split_ws_max(flow_arena *a, flow_str s, int64_t maxsplit);
flow_list_str flow_str_split_max(flow_arena *a, flow_str s, flow_str sep, int64_t maxsplit);
/* sep.join(xs), in A. */
flow_str flow_str_join(flow_arena *a, flow_str sep, flow_list_str xs);
/* s.strip(chars) (SIDES 3), s.lstrip(chars) (1), s.rstrip(chars) (2):
 * the code points of CHARS taken off those ends; flow_str_strip_ws the
 * same for Python's whitespace (s.strip() with SIDES 3 is flow_str_trim).
 * The result is a slice of S copied into A. */
flow_str flow_str_strip_chars(flow_arena *a, flow_str s, flow_str chars, int sides);
flow_str flow_str_strip_ws(flow_arena *a, flow_str s, int sides);
/* s.zfill(width): '0's after a leading '+' or '-' up to WIDTH code points
 * (S itself when it is as long already). */
flow_str flow_str_zfill(flow_arena *a, flow_str s, int64_t width);
/* str.startswith(prefix), str.endswith(suffix), `needle in s` (an empty
 * PREFIX, SUFFIX or NEEDLE is always found). */
bool flow_str_starts_with(flow_str s, flow_str prefix);
bool flow_str_ends_with(flow_str s, flow_str suffix);
bool flow_str_contains(flow_str s, flow_str needle);
/* str.replace(old, new), in A: every non-overlapping OLD, left to right;
 * an empty OLD inserts NEW before each code point and at the end. */
flow_str flow_str_replace(flow_arena *a, flow_str s, flow_str old, flow_str new_);
/* substr(s, start, count) in code points: START is resolved as a Python
 * index (negative counts from the end, clamped to [0, len]), then up to
 * COUNT code points from there (none when COUNT <= 0). For START >= 0 this
 * is Python's s[start:start+count]. */
flow_str flow_str_substr(flow_arena *a, flow_str s, int64_t start, int64_t count);
/* Number of code points (Python len(str)). S must be valid UTF-8. */
int64_t flow_utf8_len(flow_str s);
/* True iff the N bytes at P are valid UTF-8 (no overlongs, no surrogates). */
bool flow_utf8_valid(const char *p, size_t n);

/* Conversions (Python's str()/int()/float()), results in A. */
flow_str flow_str_from_int(flow_arena *a, int64_t v);
flow_str flowi_str_from_int(flow_arena *a, int64_t v);   /* out of line, any V */
extern const char flowi_digit_pairs[201];   /* "00" "01" ... "99" */
/* str(V) inline for 0 <= V < 10000 (keys such as str(x % 10000)): the four
 * digits written at once into the arena block (which has at least 16
 * bytes), the string starting at the first significant one. */
static inline flow_str flowi_str_from_int_fast(flow_arena *a, int64_t v)
{
    if ((uint64_t)v >= 10000)
        return flowi_str_from_int(a, v);
    uint32_t w = (uint32_t)v;
    size_t n = 1 + (size_t)(w >= 10) + (size_t)(w >= 100) + (size_t)(w >= 1000);
    char *d = (char *)flow_arena_alloc(a, 4);
    uint16_t hi, lo;
    memcpy(&hi, flowi_digit_pairs + 2 * (w / 100), 2);
    memcpy(&lo, flowi_digit_pairs + 2 * (w % 100), 2);
    /* one 4-byte store: the key's hash reads these bytes at once (a 4-byte
     * load), which the CPU forwards from one store but not from two 2-byte
     * ones (then the load waits for both to reach the cache) */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint32_t four = (uint32_t)hi << 16 | lo;
#else
    uint32_t four = (uint32_t)hi | (uint32_t)lo << 16;
#endif
    memcpy(d, &four, 4);
    return (flow_str){ d + 4 - n, (int64_t)n };
}
#define flow_str_from_int(a, v) flowi_str_from_int_fast((a), (v))
flow_str flow_str_from_float(flow_arena *a, double v);    /* repr(float) */
flow_str flow_str_from_time(flow_arena *a, flow_time t);  /* "2022-01-01 00:00:00+00:00" */
flow_str flow_str_from_duration(flow_arena *a, int64_t us); /* "0:00:10", "1 day, 0:00:00.250000" */
/* int(s): optional sign, digits, surrounding whitespace, '_' between digits.
 * Returns false when S is not such a literal or does not fit in int64. */
bool flow_int_parse(flow_str s, int64_t *out);
/* float(s): Python float() syntax incl. "inf", "nan". False when invalid. */
bool flow_float_parse(flow_str s, double *out);

/* ===================================================================
 * Integer arithmetic with Python semantics (callers check b != 0 and
 * overflow first; see the generated code).
 * =================================================================== */

/* Python a // b for b != 0, (a, b) != (INT64_MIN, -1). */
static inline int64_t flow_i64_floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}
/* Python a % b for b != 0: the result has the sign of b. */
static inline int64_t flow_i64_mod(int64_t a, int64_t b)
{
    if (b == -1)
        return 0;
    int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0)))
        r += b;
    return r;
}
/* Python a / b (true division, b != 0) of two ints: the double nearest
 * to the exact quotient, ties to even, as CPython's long_true_divide
 * gives (so 9007199254740993 / 1 is 9007199254740992.0, not a double
 * rounding of two conversions). Inline when both fit in 53 bits, where
 * converting first and dividing is already exact; else flowi_i64_truediv. */
double flowi_i64_truediv(int64_t a, int64_t b);
static inline double flow_i64_truediv(int64_t a, int64_t b)
{
    const uint64_t lim = UINT64_C(1) << 53;
    if ((uint64_t)a + lim <= 2 * lim && (uint64_t)b + lim <= 2 * lim)
        return (double)a / (double)b;
    return flowi_i64_truediv(a, b);
}
/* Python's rounding of timedelta / int (CPython's divide_nearest): a / b
 * rounded to the nearest integer, ties to even, for b != 0 and (a, b) !=
 * (INT64_MIN, -1). */
static inline int64_t flow_i64_div_nearest(int64_t a, int64_t b)
{
    int64_t q = flow_i64_floordiv(a, b);
    int64_t r = flow_i64_mod(a, b);   /* a = q * b + r, r has b's sign */
    uint64_t ur = r < 0 ? 0 - (uint64_t)r : (uint64_t)r;
    uint64_t ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
    /* the fraction r / b is ur / ub in [0, 1): round up past one half */
    if (ur > ub - ur || (ur == ub - ur && ur != 0 && (q & 1)))
        q++;
    return q;
}
/* Python float a % b for b != 0.0 (sign of b), and a // b. */
double flow_f64_mod(double a, double b);
double flow_f64_floordiv(double a, double b);
/* Python round(x) (half to even) as a double; the caller converts. */
double flow_f64_round_half_even(double x);

/* ===================================================================
 * Hashing and sets (set.c)
 *
 * Python's hash() where CPython's is not seeded per process, and
 * CPython 3.11's set table, so that a set<T> iterates and prints in
 * CPython's order. Deliberate differences (docs/language.md, "Sets"):
 * strings hash with FNV-1a (CPython seeds SipHash per run, so its order
 * of a set of strings is not reproducible), timestamps as their
 * microseconds (CPython hashes their bytes, seeded), none as the constant
 * CPython 3.12 uses (3.11 hashes None's address), nan as 0 (CPython 3.10+
 * hashes the float object's address).
 * =================================================================== */

/* hash(int) (and bool): V modulo 2**61 - 1 with V's sign; -1 becomes -2. */
int64_t flow_hash_int(int64_t v);
/* hash(float): CPython's _Py_HashDouble (equal to hash(int(v)) for
 * integral V; inf 314159; nan 0, see above). */
int64_t flow_hash_float(double v);
/* flowc's hash of a string: FNV-1a 64 of its UTF-8 bytes (-1 becomes -2). */
int64_t flow_hash_str(flow_str s);
/* hash(timedelta): the tuple hash of (days, seconds, microseconds). */
int64_t flow_hash_duration(int64_t us);
#define FLOW_HASH_NONE INT64_C(0xFCA86420)
/* hash(tuple), CPython 3.8+'s xxHash-based tuplehash: begin, add each
 * element's hash in order, end with the element count. */
static inline uint64_t flow_hash_tuple_begin(void)
{
    return UINT64_C(2870177450012600261);
}
static inline uint64_t flow_hash_tuple_add(uint64_t acc, int64_t lane)
{
    acc += (uint64_t)lane * UINT64_C(14029467366897019727);
    acc = (acc << 31) | (acc >> 33);
    return acc * UINT64_C(11400714785074694791);
}
static inline int64_t flow_hash_tuple_end(uint64_t acc, int64_t n)
{
    acc += (uint64_t)n ^ (UINT64_C(2870177450012600261) ^ UINT64_C(3527539));
    return acc == UINT64_MAX ? 1546275796 : (int64_t)acc;
}

/* A set value is its table: MASK + 1 slots (a power of two, 8 at least)
 * of STRIDE bytes, each a generated struct whose first member is this
 * header (the element follows it), USED live elements and FILL slots not
 * empty (live or dummy, as CPython's). The zero value { NULL, 0, 0, 0 } is
 * the empty set: no slots yet, as if 8 empty ones. Tables are never
 * changed once a set value holds them: add and remove clone first. */
typedef struct flow_set_slot {
    int64_t h;     /* the element's hash */
    int64_t st;    /* FLOW_SLOT_EMPTY, FLOW_SLOT_ACTIVE or FLOW_SLOT_DUMMY */
} flow_set_slot;
enum { FLOW_SLOT_EMPTY = 0, FLOW_SLOT_ACTIVE = 1, FLOW_SLOT_DUMMY = 2 };
#define FLOW_SET_LINEAR_PROBES 9
#define FLOW_SET_PERTURB_SHIFT 5

/* CPython 3.11's probe for an element of hash H equal to *KEY (EQ(slot,
 * key) compares a slot's element with it): returns the index of its
 * slot, or -1 when absent, with *WHERE the slot set_add_entry would fill
 * (the last dummy passed, else the empty slot that ended the search).
 * SLOTS must not be NULL. Inline so that EQ, a generated function, is
 * called directly. */
static inline int64_t flow_set_find(const void *slots, size_t stride, int64_t mask, int64_t h,
                                    bool (*eq)(const void *slot, const void *key), const void *key, int64_t *where)
{
    size_t m = (size_t)mask, i = (size_t)h & m, perturb = (size_t)h;
    int64_t freeslot = -1;
    for (;;) {
        int probes = i + FLOW_SET_LINEAR_PROBES <= m ? FLOW_SET_LINEAR_PROBES : 0;
        size_t j = i;
        do {
            const flow_set_slot *e = (const flow_set_slot *)(const void *)((const char *)slots + j * stride);
            if (e->st == FLOW_SLOT_EMPTY) {
                *where = freeslot >= 0 ? freeslot : (int64_t)j;
                return -1;
            }
            if (e->st == FLOW_SLOT_ACTIVE) {
                if (e->h == h && eq(e, key))
                    return (int64_t)j;
            } else {
                freeslot = (int64_t)j;
            }
            j++;
        } while (probes--);
        perturb >>= FLOW_SET_PERTURB_SHIFT;
        i = (i * 5 + 1 + perturb) & m;
    }
}
/* SIZE zeroed (empty) slots of STRIDE bytes in A. */
void *flow_set_new(flow_arena *a, size_t stride, int64_t size);
/* A copy of the MASK + 1 slots at SLOTS in A (NULL: 8 empty slots), for
 * changing a set without changing the value it was copied from. */
void *flow_set_clone(flow_arena *a, const void *slots, int64_t mask, size_t stride);
/* CPython's set_table_resize: the USED live elements of SLOTS (NULL: an
 * empty set) moved, in slot order, into a new table in A of the smallest
 * power of two above MINUSED (at least 8); returns it and updates *MASK
 * and *FILL. A table of 8 without dummies is kept (CPython leaves its
 * small table alone). */
void *flow_set_resize(flow_arena *a, void *slots, int64_t *mask, int64_t *fill, int64_t used, size_t stride,
                      int64_t minused);
/* After an add filled an empty slot (*FILL counts it): CPython's growth
 * rule, a resize to 4 x USED (2 x above 50000) once FILL * 5 >= MASK * 3.
 * Returns the table (SLOTS, or the new one). */
void *flow_set_grown(flow_arena *a, void *slots, int64_t *mask, int64_t *fill, int64_t used, size_t stride);
/* A literal of constants, `{1, 2, 3}`, once its elements were added in
 * order: CPython compiles it to a frozenset constant, which its constant
 * merging builds again from its own iteration order, and merges that into
 * an empty set (a resize to 2 x USED first when USED >= 5); each step can
 * lay out the slots differently. Returns the table (SLOTS, or a new one),
 * *MASK and *FILL updated. (As CPython compiles source; a .pyc, whose
 * marshalled frozensets are sorted, can give another order.) */
void *flow_set_literal(flow_arena *a, void *slots, int64_t *mask, int64_t *fill, int64_t used, size_t stride);

/* ===================================================================
 * Output buffer and Python repr
 * =================================================================== */

/* A growable byte buffer (the stdout buffer, a sink's, repr's output): N
 * bytes at P of CAP allocated, not NUL-terminated, heap memory it owns.
 * Zero-initialised is empty; flow_buf_free releases it. */
typedef struct flow_buf {
    char *p;
    size_t n;
    size_t cap;
} flow_buf;

/* Room for EXTRA more bytes (grows geometrically; out of memory is fatal).
 * put appends N bytes, puts a NUL-terminated string, putc one byte. */
void flow_buf_reserve(flow_buf *b, size_t extra);
static inline void flow_buf_putc(flow_buf *b, char c)
{
    if (b->n == b->cap)
        flow_buf_reserve(b, 1);
    b->p[b->n++] = c;
}
void flow_buf_put(flow_buf *b, const char *s, size_t n);
void flow_buf_puts(flow_buf *b, const char *s);
void flow_buf_free(flow_buf *b);

/* Append Python's repr of a value:
 *   int     42, -7
 *   float   shortest round-trip: 0.1, 100.0, 1e-05, 1e+16, inf, -inf, nan
 *   bool    True / False;  flow_repr_none: None
 *   str     'a', "it's", 'say "hi"', '\n', '\x00', '\u200b' (Python rules:
 *           printable non-ASCII characters are kept as they are)
 *   time    datetime.datetime(2022, 1, 1, 0, 0, 4, tzinfo=datetime.timezone.utc)
 *   duration datetime.timedelta(seconds=10), datetime.timedelta(0),
 *           datetime.timedelta(days=-1, seconds=86399)
 */
void flow_repr_int(flow_buf *b, int64_t v);
void flow_repr_float(flow_buf *b, double v);
void flow_repr_bool(flow_buf *b, bool v);
void flow_repr_none(flow_buf *b);
void flow_repr_str(flow_buf *b, flow_str s);
void flow_repr_time(flow_buf *b, flow_time t);
void flow_repr_duration(flow_buf *b, int64_t us);
/* str() of a timestamp / duration (what StdOutSink prints for a bare one). */
void flow_fmt_time(flow_buf *b, flow_time t);
void flow_fmt_duration(flow_buf *b, int64_t us);

/* ===================================================================
 * The json type (jsonv.c): a JSON value without a schema, as Python's
 * json.loads returns it. A value is a flow_str holding its canonical
 * text: no whitespace, strings with only `\"`, `\\` and control
 * characters escaped, UTF-8 otherwise, numbers as written, duplicate
 * object keys kept (resolved on access as Python's dict: the last value,
 * at the first key's place). It copies, encodes and is stored as a
 * string; a member or an element is a slice of the text (no copy).
 * Functions that can fail return false (or -1) and leave Python's
 * message in ERR ("KeyError: 'a'", "TypeError: ..."), NUL-terminated,
 * for flow_step_error; they allocate only in A, and only where a new
 * string is made (a decoded string with escapes, one character).
 * =================================================================== */

/* json.loads of the N bytes at P (UTF-8): the canonical text in A. Python's
 * grammar (NaN, Infinity, -Infinity too; any top-level value; big ints
 * kept as their digits); a lone surrogate escape is refused (no UTF-8 for
 * it). Error: Python's JSONDecodeError text, "Expecting value: line 1
 * column 5 (char 4)". */
bool flow_jv_parse(flow_arena *a, const char *p, size_t n, flow_str *out, flow_buf *err);
/* Python's type name of the loaded value: dict list str int float bool NoneType. */
const char *flow_jv_type(flow_str j);
/* repr() of the loaded value (what print() shows of it inside a tuple):
 * {'a': 1, 'b': [2.5, 'x', None, True]}. */
void flow_jv_repr(flow_buf *b, flow_str j);
/* str() of it: a JSON string's text, anything else its repr. */
void flow_jv_str_form(flow_buf *b, flow_str j);
/* The same as a string in A (SCRATCH is used to build it). */
flow_str flow_jv_to_str(flow_arena *a, flow_str j, flow_buf *scratch);
/* json.dumps() of the loaded value, as the json sinks write every value
 * (", " and ": " separators, non-ASCII kept, floats as repr, NaN). */
void flow_jv_put_json(flow_buf *b, flow_str j);
/* d.get(key): 1 and *OUT the value (the last of a repeated key), 0 when
 * absent, -1 when J is no object (AttributeError, as Python's). */
int flow_jv_get(flow_str j, flow_str key, flow_str *out, flow_buf *err);
/* Is J an object? Else false, and Python's AttributeError for calling
 * METHOD ("keys") on what it is. */
bool flow_jv_is_dict(flow_str j, const char *method, flow_buf *err);
/* j[key] of an object (KeyError naming the key); TypeError for others. */
bool flow_jv_index_str(flow_str j, flow_str key, flow_str *out, flow_buf *err);
/* j[i] of an array (negative from the end; IndexError) or a string (a
 * one-character string, made in A); KeyError of an object. */
bool flow_jv_index_int(flow_arena *a, flow_str j, int64_t i, flow_str *out, flow_buf *err);
/* len(): an object's distinct keys, an array's elements, a string's code points. */
bool flow_jv_len(flow_str j, int64_t *out, flow_buf *err);
/* Iteration (flat_map): an array's elements, an object's keys (as JSON
 * strings, first places), a string's characters; the list in A. */
bool flow_jv_iter(flow_arena *a, flow_str j, flow_list_str *out, flow_buf *err);
/* int(), float() of the loaded value, as Python's (a string is parsed,
 * a bool is 0/1; null, arrays, objects are a TypeError). An int beyond 64
 * bits is an OverflowError. Decoded strings go to A. */
bool flow_jv_to_int(flow_arena *a, flow_str j, int64_t *out, flow_buf *err);
bool flow_jv_to_float(flow_arena *a, flow_str j, double *out, flow_buf *err);
/* bool(): Python's truth of the loaded value. */
bool flow_jv_truth(flow_str j);
/* Python's == of two loaded values: objects ignore order, 1 == 1.0 ==
 * true, NaN is unequal to itself. */
bool flow_jv_eq(flow_str a, flow_str b);
/* x in j: an object's key, an array's element (==), a substring; -1 and
 * a TypeError for others (or an unhashable X looked up in an object). */
int flow_jv_contains(flow_str j, flow_str x, flow_buf *err);
/* The JSON of a value, in A: json.dumps of an int, float (NaN,
 * Infinity), bool, str. */
flow_str flow_jv_from_int(flow_arena *a, int64_t v);
flow_str flow_jv_from_float(flow_arena *a, double v);
flow_str flow_jv_from_bool(bool v);
flow_str flow_jv_from_str(flow_arena *a, flow_str s);

/* ===================================================================
 * Python's format-spec mini-language (format.c): format(x, spec) and
 * f-strings, as CPython 3.11's Python/formatter_unicode.c
 * =================================================================== */

/* A parsed spec, [[fill]align][sign][z][#][0][width][grouping][.precision]
 * [type]. flowc parses each spec of a program when compiling it and
 * writes the result into the generated code as this struct. */
typedef struct flow_fmtspec {
    uint32_t fill;        /* the fill code point (' ' unless given) */
    char align;           /* '<', '>', '^' or '=' (the kind's default filled in) */
    char sign;            /* '+', '-', ' ', or 0 */
    char grouping;        /* ',', '_', or 0 */
    char type;            /* the presentation type ('d' for ints without one), or 0 */
    bool z;               /* coerce negative zero to zero (floats) */
    bool alt;             /* '#': alternate form */
    int64_t width;        /* minimum width in code points, -1 when absent */
    int64_t precision;    /* -1 when absent */
} flow_fmtspec;

/* Parse the N bytes at S as the spec of a value of KIND ('i' int, 'b'
 * bool, 'f' float, 's' str) into *OUT, with the checks that kind's
 * __format__ makes. False with CPython's message in ERR (ERRLEN bytes)
 * when Python would raise ValueError: "Unknown format code 'd' for object
 * of type 'float'", "Sign not allowed in string format specifier", ... */
bool flow_fmtspec_parse(const char *s, size_t n, char kind, flow_fmtspec *out, char *err, size_t errlen);
/* Append format(V, spec) to B, as Python does for an int (the float types
 * e E f F g G % format float(V)), a float, or a str (widths and precision
 * count code points). SP must come from flow_fmtspec_parse of the same
 * kind. flow_format_int returns false, writing nothing, only for type 'c'
 * of a V that is no code point or a surrogate (Python: "%c arg not in
 * range(0x110000)"). Float digits are the exact, correctly rounded ones
 * Python prints (format(2.675, '.2f') is '2.67'). */
bool flow_format_int(flow_buf *b, int64_t v, const flow_fmtspec *sp);
void flow_format_float(flow_buf *b, double v, const flow_fmtspec *sp);
void flow_format_str(flow_buf *b, flow_str s, const flow_fmtspec *sp);

/* ===================================================================
 * Regular expressions (PCRE2, UTF and Unicode properties on, so \s and
 * \w match as in Python's re on str)
 * =================================================================== */

typedef struct flow_regex flow_regex;
/* Patterns are JIT-compiled unless the environment sets FLOW_NO_JIT (for
 * valgrind runs). */
/* Compile PATTERN (N bytes). On error returns NULL and writes a message
 * (with the offset) into ERR. Free with flow_regex_free. */
flow_regex *flow_regex_compile(const char *pattern, size_t n, char *err, size_t errlen);
void flow_regex_free(flow_regex *re);    /* NULL is a no-op */
/* Python re.findall(pattern, s) for a pattern with no group (whole
 * matches) or one group (that group; with more groups, group 1); strings
 * in A, non-overlapping, empty matches included as Python does. A
 * flow_regex keeps its match scratch space, so one regex must not be used
 * by two threads at once. */
flow_list_str flow_regex_findall(flow_arena *a, const flow_regex *re, flow_str s);

/* ===================================================================
 * Keyed state: a hash table from key strings to fixed-size value slots,
 * with one optional timer per key.
 *
 * Entries are named by a uint32_t id that stays valid until the entry is
 * removed (ids of removed entries are reused). Value pointers are valid
 * until the next insert. Keys are copied into the table (see
 * flow_table_key for how long the table's copy stays put).
 * Timers: each entry has at most one pending time; flow_table_due pops the
 * due ones in ascending key order (Bytewax fires notifications of one
 * activation in key order).
 * =================================================================== */

typedef struct flow_table flow_table;
#define FLOW_NO_ENTRY UINT32_MAX

/* A table whose values are VALUE_SIZE bytes (zeroed on insert). */
flow_table *flow_table_new(size_t value_size);
/* Free the table; DROP (may be NULL) is called on each live value first. */
void flow_table_free(flow_table *t, void (*drop)(void *value));
/* Live entries. */
size_t flow_table_count(const flow_table *t);

uint32_t flow_table_find(flow_table *t, flow_str key);    /* FLOW_NO_ENTRY if absent */
/* Recovery, several workers: KEY's id as flow_table_find gives it, but
 * the key is not marked as touched (another worker's table, read by a
 * snapshot). */
uint32_t flow_table_peek(flow_table *t, flow_str key);
/* Insert KEY, which must be absent; returns its id; value zeroed. */
uint32_t flow_table_insert(flow_table *t, flow_str key);
/* find, or insert when absent (*CREATED tells which; may be NULL). */
uint32_t flow_table_upsert(flow_table *t, flow_str key, bool *created);
/* Remove the entry (and its timer). The caller drops the value first. */
void flow_table_remove(flow_table *t, uint32_t id);
/* Whether ID names a live entry (false once removed, until reused). */
bool flow_table_live(const flow_table *t, uint32_t id);
/* The value slot of live entry ID (VALUE_SIZE bytes, owned by the table,
 * valid until the next insert). */
void *flow_table_value(flow_table *t, uint32_t id);
/* The table's layout that generated code reads inline (the value lookup
 * and flow_table_upsert's hot path); the rest of flow_table is private to
 * table.c. Not for other use. */
#define FLOWI_TABLE_KEY_INLINE 16    /* keys of up to this many bytes live in the entry */
typedef struct flowi_table_entry {
    union {
        char in[FLOWI_TABLE_KEY_INLINE];   /* klen <= FLOWI_TABLE_KEY_INLINE */
        char *heap;                        /* longer keys: a flow_alloc'd copy */
    } key;
    int64_t klen;        /* -1 when the id is free */
    flow_time timer;     /* FLOW_NO_TIME when unset */
    uint32_t heap_pos;   /* index in the timer heap, or UINT32_MAX */
    uint32_t next_free;  /* free list link while the id is free */
} flowi_table_entry;
typedef struct flowi_table_slot {
    uint64_t hash;       /* the key's full hash (flowi_table_hash) */
    uint32_t id;         /* FLOW_NO_ENTRY when empty */
    uint32_t klen;       /* the key's length (UINT32_MAX for 4 GiB and more) */
} flowi_table_slot;
struct flow_table_head {     /* the leading member of every flow_table */
    char *values;            /* value_size bytes per id */
    size_t value_size;
    flowi_table_entry *entries;   /* per id */
    flowi_table_slot *index;      /* open addressing, linear probing */
    size_t mask;                  /* index capacity - 1 (a power of two) */
};
static inline void *flowi_table_value(flow_table *t, uint32_t id)
{
    const struct flow_table_head *h = (const struct flow_table_head *)(const void *)t;
    return h->values + (size_t)id * h->value_size;
}
#define flow_table_value(t, id) flowi_table_value((t), (id))
/* The bytes of a live entry's key (klen of them), wherever they are. */
static inline const char *flowi_table_entry_key(const flowi_table_entry *e)
{
    return e->klen <= FLOWI_TABLE_KEY_INLINE ? e->key.in : e->key.heap;
}
uint64_t flowi_table_hash_long(const void *p, size_t n);   /* XXH3 */
/* murmur3's 64-bit finaliser: a bijection that mixes every bit */
static inline uint64_t flowi_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}
#define FLOWI_TABLE_KEY_PACKED 8    /* keys of up to this many bytes: hash = key */
/* The key hash: keys of up to 8 bytes (most keys: ids, small numbers,
 * words) are packed into one word and mixed, without a call; among keys
 * of the same length the packing is injective and the mix a bijection, so
 * two short keys of one length are equal iff their hashes are (keys of
 * different lengths may share a hash: "aaaa" and "aaaai" do). Longer
 * keys use XXH3. */
static inline uint64_t flowi_table_hash(flow_str key)
{
    size_t n = (size_t)key.n;
    const unsigned char *p = (const unsigned char *)key.p;
    if (n > FLOWI_TABLE_KEY_PACKED)
        return flowi_table_hash_long(p, n);
    uint64_t v = 0;
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        v = a | (uint64_t)b << 32;
    } else if (n) {
        v = p[0] | (uint64_t)p[n >> 1] << 8 | (uint64_t)p[n - 1] << 16;
    }
    return flowi_mix64(v ^ ((uint64_t)n << 59) ^ UINT64_C(0x9e3779b97f4a7c15));
}
/* A key length as an index slot holds it. */
static inline uint32_t flowi_table_slot_klen(int64_t n)
{
    return n < (int64_t)UINT32_MAX ? (uint32_t)n : UINT32_MAX;
}
/* Equal keys of N > 8 bytes; up to 16 bytes without a call. */
static inline bool flowi_table_key_eq(const char *a, const char *b, size_t n)
{
    if (n > 16)
        return memcmp(a, b, n) == 0;
    /* two overlapping 8-byte loads cover 9..16 bytes */
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, a, 8);
    memcpy(&b0, b, 8);
    memcpy(&a1, a + n - 8, 8);
    memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}
/* flow_table_upsert's slow path: KEY (hash H) is not in a warm slot;
 * inserts it, or (recovery's tracking, table.c) warms its cold slot. */
uint32_t flowi_table_upsert_new(flow_table *t, flow_str key, uint64_t h, bool *created);
/* The id of KEY (hash H), or FLOW_NO_ENTRY. A short key is found in the
 * index alone (same length and hash: the same key); a longer one is then
 * compared with the entry's copy. */
static inline uint32_t flowi_table_lookup(const struct flow_table_head *tb, flow_str key, uint64_t h)
{
    uint32_t kl = flowi_table_slot_klen(key.n);
    for (size_t i = h & tb->mask;; i = (i + 1) & tb->mask) {
        const flowi_table_slot *s = &tb->index[i];
        if (s->id == FLOW_NO_ENTRY)
            return FLOW_NO_ENTRY;
        if (s->hash == h && s->klen == kl) {
            if (key.n <= FLOWI_TABLE_KEY_PACKED)
                return s->id;
            const flowi_table_entry *e = &tb->entries[s->id];
            if (e->klen == key.n && flowi_table_key_eq(flowi_table_entry_key(e), key.p, (size_t)key.n))
                return s->id;
        }
    }
}
/* flow_table_upsert inline: a key seen before is found without a call. */
static inline uint32_t flowi_table_upsert(flow_table *t, flow_str key, bool *created)
{
    const struct flow_table_head *tb = (const struct flow_table_head *)(const void *)t;
    uint64_t h = flowi_table_hash(key);
    uint32_t id = flowi_table_lookup(tb, key, h);
    if (id == FLOW_NO_ENTRY)
        return flowi_table_upsert_new(t, key, h, created);
    if (created)
        *created = false;
    return id;
}
#define flow_table_upsert(t, key, created) flowi_table_upsert((t), (key), (created))
/* The entry's key, owned by the table: valid until the next insert (a key
 * of up to 16 bytes lives in the entry, and entries move when the table
 * grows) or the entry's removal. Generated code copies it before anything
 * can insert, or reads it only after the table's last insert (the EOF
 * flushes). */
flow_str flow_table_key(const flow_table *t, uint32_t id);

/* Set (or move) the entry's timer to AT; FLOW_NO_TIME clears it. */
void flow_table_set_timer(flow_table *t, uint32_t id, flow_time at);
/* The entry's timer, FLOW_NO_TIME when unset. */
flow_time flow_table_timer(const flow_table *t, uint32_t id);
/* Earliest pending timer, or FLOW_NO_TIME. */
flow_time flow_table_next_timer(const flow_table *t);
/* Clear every timer with time <= NOW and return their ids in ascending key
 * order in *IDS (an array owned by the table, valid until the next call of
 * flow_table_due or flow_table_sorted). Returns the count. */
size_t flow_table_due(flow_table *t, flow_time now, const uint32_t **ids);
/* Every live id in ascending key order (same ownership as above); none
 * for a NULL table. */
size_t flow_table_sorted(flow_table *t, const uint32_t **ids);

/* Stable sort of N items (each STRIDE bytes, a flow_str key at offset 0)
 * by key, bytewise: writes the item indices in sorted order to ORDER.
 * Used to apply a round's items grouped by key, keys ascending. */
void flow_sort_by_key(const void *items, size_t n, size_t stride, uint32_t *order);
/* Python's sorted() on N values of SIZE bytes at BASE, in place: stable
 * (equal values keep their order), ascending by CMP (<0, 0, >0); scratch
 * memory from A. */
void flow_sort_values(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *), flow_arena *a);

/* ===================================================================
 * The run context: one per dataflow instance.
 * =================================================================== */

/* What a compiled program tells the runtime about itself (for option
 * parsing and --help). */
typedef struct flow_input_info {
    const char *step;          /* step id */
    const char *kind;          /* "testing", "range", "file" */
    const char *default_path;  /* file inputs: path in the source, else NULL */
} flow_input_info;

typedef struct flow_output_info {
    const char *step;          /* step id */
    const char *kind;          /* "stdout", "discard", ... */
} flow_output_info;

/* One step, for --stats. Items out are counted per output port in the
 * generated flow struct (one plain increment per item sent, in an array of
 * uint64_t indexed by port number); items in are the sum of the upstream
 * ports' counts. */
typedef struct flow_step_info {
    const char *step;          /* step id */
    const char *op;            /* operator ("map", "input") */
    int port;                  /* its first output port's counter index */
    int n_ports;               /* output ports (0 for output steps) */
    int in_first;              /* its input ports: in_ports[in_first .. */
    int n_in;                  /*   in_first + n_in), as counter indices */
    int xbox;                  /* with several workers: 1 + the exchange point
                                * (flow_xbox id) of its first input port, one
                                * per port; 0 when it has none */
} flow_step_info;

typedef struct flow_program_info {
    const char *flow_name;
    const char *source;        /* .flow file name */
    const flow_input_info *inputs;
    int n_inputs;
    const flow_output_info *outputs;
    int n_outputs;
    const flow_step_info *steps;
    int n_steps;
    const int *in_ports;       /* see flow_step_info */
    int n_xboxes;              /* exchange points (flow_xbox ids 0 .. n-1) */
} flow_program_info;

typedef struct flow_rt {
    const flow_program_info *info;
    flow_arena arena;     /* the round arena, reset by flow_rt_round_begin */
    flow_time now;        /* system time sampled at the start of this round */
    int64_t round;        /* rounds begun so far (0 before the first) */
    bool clock_unused;    /* set by <flow>_new when nothing reads NOW: rounds
                           * then skip sampling the clock (a pinned clock still
                           * follows the round count) */
    flow_buf out;         /* stdout buffer (sinks and inspect write here) */
    /* clock pinning (--clock / FLOW_CLOCK, --clock-step / FLOW_CLOCK_STEP) */
    bool clock_pinned;
    flow_time clock_start;
    int64_t clock_step;
    /* The group of steps running now, when a step of it prints after its
     * head (flow_rt_segment): the stdout buffer's length when it started,
     * and the printing step's index + 1 (0: none). */
    size_t seg_start;
    int seg_step;
    bool settling;        /* the inputs have ended: the rounds that bring the
                           * end of input to every step keep a pinned clock
                           * where it stands (docs/semantics.md §9.1) */
    /* --input STEP=PATH overrides */
    const char **path_overrides;   /* n_inputs entries, NULL = no override */
    bool out_is_tty;
    /* -s SECONDS: Bytewax's epoch (snapshot) interval in microseconds, 10 s
     * by default. 0 makes every input batch its own epoch: the generated
     * run loop then follows each polled round with one round that polls no
     * input (docs/semantics.md §4, §8.3), where due notifications fire. */
    int64_t epoch_interval;
    /* --stats, progress (runtime/src/stats.c) */
    bool stats;                /* --stats: print per-step counts on exit */
    bool progress;             /* on when stderr is a terminal or --progress */
    bool err_is_tty;           /* progress rewrites one line in place */
    int64_t progress_every_ns; /* --progress=DUR, 1 s by default */
    const uint64_t *counters;  /* the flow's per-port item counts (set by <flow>_new) */
    int64_t start_ns;          /* monotonic clock at flow_rt_init */
    int64_t next_progress_ns;  /* when to print progress next */
    bool progress_shown;       /* a progress line is on stderr */
    /* Error trap for embedding: when TRAP is set, flow_step_error and
     * flow_data_error write their message (the line they would print,
     * without the newline) into ERROR, clear TRAP and longjmp(*TRAP, 1)
     * instead of printing and exiting; see flow_rt_error. */
    jmp_buf *trap;
    char error[512];
    /* sources and sinks (io_*.c, sink.c) */
    struct flow_sink *sinks;   /* open sinks, flushed by flow_rt_flush */
    int argc;                  /* the options, for --output STEP=PATH */
    char **argv;
    /* recovery (recovery.c, docs/recovery.md): -r DIR opens the store */
    struct flow_store *store;  /* NULL without -r */
    const char *recovery_dir;  /* -r DIR */
    int64_t backup_interval;   /* -b SECONDS, in microseconds; -1 unset */
    /* workers (-w N; cluster.c, docs/workers.md): with N > 1 each of N
     * threads runs its own instance of the flow on its own flow_rt, and
     * CLUSTER, which main() owns, is what they share; with one worker
     * CLUSTER is NULL and nothing of it is touched */
    int nworkers;              /* -w N, --workers N, FLOW_WORKERS (1) */
    int worker;                /* this instance's worker, 0 .. nworkers-1 */
    struct flow_cluster *cluster;
    bool round_slow;           /* the round end's slow path every round:
                                * progress on, or several workers */
    const bool *eof;           /* the flow's per-input EOF flags on this
                                * worker (<flow>_new sets it) */
    /* several processes (a program built with `flowc --mpi`, run under
     * mpirun): flow_mpi_init sets NET; NWORKERS and WORKER then count the
     * workers of every process (docs/workers.md §9) */
    struct flowi_net *net;
} flow_rt;

/* Initialise RT from the program's options (options may also be written
 * --input=STEP=PATH, --clock=TIME, --clock-step=DUR; -h is --help; the
 * command line wins over the environment). Recognised options:
 *   --input STEP=PATH   read file input STEP from PATH instead
 *   --clock TIME        pin the system clock at TIME (RFC 3339); also FLOW_CLOCK
 *   -s SECONDS          the epoch interval (see epoch_interval)
 *   --clock-step DUR    with --clock: advance it by DUR each round (e.g. 1s);
 *                       also FLOW_CLOCK_STEP
 *   --help              print the inputs and options
 * Returns -1 to run, or the exit status main() should return at once
 * (0 after --help, 2 after a usage error, which it has printed). */
int flow_rt_init(flow_rt *rt, const flow_program_info *info, int argc, char **argv);

/* The path of file input number INDEX (an index into info->inputs). */
const char *flow_rt_input_path(const flow_rt *rt, int index);

/* Start a round: reset the round arena, sample the clock into rt->now
 * (pinned: clock_start + round * clock_step, ROUND counted before this
 * round, so the first round sees clock_start; unchanged while SETTLING),
 * then count the round. */
void flow_rt_round_begin(flow_rt *rt);
/* End a round: write buffered stdout when it is large or stdout is a tty.
 * After SIGINT/SIGTERM/SIGHUP (flowi_stop_signal): flush stdout and every
 * sink, note on stderr "FLOW: stopped by SIGINT after round N; output
 * flushed" and exit 128 + the signal's number (130, 143, 129), as shells
 * expect. No EOF is delivered (stateful steps do not flush), as Bytewax
 * stops on an interrupt. */
void flow_rt_round_end(flow_rt *rt);
/* What generated rounds call: the two above, with their common case (one
 * item per round, nothing reads the clock, nothing to write yet) inline.
 * The round arena is then rewound once it holds FLOW_ROUND_ARENA_KEEP
 * bytes rather than every round: what a round allocated is dead after it,
 * and rounds of one item (testing sources) cost no reset each. */
#define FLOW_ROUND_ARENA_KEEP ((size_t)32 * 1024)
#define FLOW_STDOUT_FLUSH_AT ((size_t)64 * 1024)
static inline void flow_rt_round_begin_fast(flow_rt *rt)
{
    if (rt->clock_unused && rt->arena.used <= FLOW_ROUND_ARENA_KEEP)
        rt->round++;
    else
        flow_rt_round_begin(rt);
}
/* SIGINT/SIGTERM/SIGHUP received by a program's main() (rt.c installs the
 * handlers; embedded instances leave signals to their host): the signal's
 * number, else 0. Process-wide, as a signal is. Sources give nothing more
 * once it is set, and the round's end stops the run (flow_rt_round_end). */
extern volatile sig_atomic_t flowi_stop_signal;
/* Set when the round's end has something to do besides output: a stop
 * signal arrived (flowi_stop_signal), or recovery's epoch timer fired
 * (recovery.c). One flag, so that a round's end tests one word whatever
 * the run's options: a run with recovery costs no more per round than one
 * without. flow_rt_round_end clears it. */
extern volatile sig_atomic_t flowi_attention;
static inline void flow_rt_round_end_fast(flow_rt *rt)
{
    if (!rt->round_slow && !flowi_attention &&
        (rt->out_is_tty ? rt->out.n == 0 : rt->out.n < FLOW_STDOUT_FLUSH_AT))
        return;
    flow_rt_round_end(rt);
}
/* flow_rt_round_end_fast for a program in which nothing writes stdout (no
 * stdout output, no inspect): rt->out stays empty, so only the progress
 * line can be due. */
static inline void flow_rt_round_end_quiet(flow_rt *rt)
{
    if (rt->round_slow || flowi_attention)
        flow_rt_round_end(rt);
}
/* A group of fused steps in which step number STEP (declaration order)
 * prints starts running: should a step before STEP in the group fail,
 * flow_step_error takes back what STEP printed meanwhile, since in
 * Bytewax, operator at a time, STEP would not have run yet
 * (docs/semantics.md §14.1). The group's run clears rt->seg_step. */
static inline void flow_rt_segment(flow_rt *rt, int step)
{
    rt->seg_start = rt->out.n;
    rt->seg_step = step + 1;
}
/* Flush stdout, free everything RT owns, return STATUS. */
int flow_rt_finish(flow_rt *rt, int status);
/* Write every sink's buffer and the stdout buffer now. A write error on
 * stdout is fatal: "stdout: error: write error: REASON", exit status 1
 * (sinks report theirs likewise, naming their file). */
void flow_rt_flush(flow_rt *rt);

/* --stats: print on stderr, for each step, the items it received and sent
 * and its rate, then the run's rounds, time and throughput (items read by
 * the inputs per second). Uses rt->counters; does nothing without --stats.
 * Also clears a progress line. Generated main() calls it after the run. */
void flow_rt_report(flow_rt *rt);
/* Progress: called by flow_rt_round_end; about once a second (--progress=DUR:
 * every DUR) prints "FLOW: N rounds, N items in, N items/s" on stderr when
 * progress is on (stderr a terminal, or --progress; --no-progress turns it
 * off): on a terminal one line rewritten in place, else a line each time. */
void flow_rt_progress(flow_rt *rt);

/* The message of the last trapped error ("" when none). An embedding API
 * sets rt->trap = &jb around each call into the dataflow, after
 * `if (setjmp(jb)) return <error code>;`; the instance must then only be
 * freed (its state may be half updated). Out of memory is not trapped. */
static inline const char *flow_rt_error(const flow_rt *rt)
{
    return rt->error;
}


/* The epoch of the current round, as Bytewax numbers them from 1: with -s 0
 * (epoch_interval 0) every polling round begins one (rounds alternate
 * between polling and not, so it is (round + 1) / 2); otherwise 1 + the
 * whole epoch intervals elapsed since the run began, on the pinned clock
 * (--clock/--clock-step) or the monotonic one. Bytewax begins an epoch at
 * the first poll after the interval: the same number while the inputs are
 * polled steadily. Reads RT, changes nothing. */
int64_t flow_rt_epoch(const flow_rt *rt);
/* inspect_debug: write "STEP W<worker> @<epoch>: " (STEP the fq step id,
 * "flow.step") to the stdout buffer, as Bytewax's default debug inspector
 * begins its line; the caller adds repr(item) and the newline. One worker:
 * the worker is 0. */
void flow_inspect_debug_prefix(flow_rt *rt, const char *step);

/* Fatal run-time error in a step: flushes stdout, prints
 *   LOC: error: step 'FLOW.STEP': MSG
 * on stderr (LOC is "file.flow:LINE:COL") and exits with status 1
 * (with rt->trap set: returns through it, see above). */
FLOW_NORETURN void flow_step_error(flow_rt *rt, const char *loc, const char *step, const char *msg);
/* Fatal error about input data: flushes stdout, prints
 *   PATH:LINE: error: MSG      (or "PATH: error: MSG" when LINE is 0)
 * and exits with status 1 (with rt->trap set: returns through it). */
FLOW_NORETURN void flow_data_error(flow_rt *rt, const char *path, int64_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ===================================================================
 * Workers (cluster.c; docs/workers.md has the execution model)
 *
 * `PROG -w N` runs N workers, threads in lockstep: each runs its own
 * instance of the flow (its own flow struct and flow_rt) over the same
 * rounds. Before a step that keeps per-key state, every worker routes its
 * items to the worker that owns their key (flow_key_owner) through the
 * step's exchange point, a flow_xbox: it puts each item into the outbox
 * of its destination (flow_xput), waits until every worker has done so
 * for this step in this round (flow_xsync), then gathers the items
 * addressed to it from every worker's outbox in worker order
 * (flow_xgather), which the step then applies as it always did. Items
 * may point into the producing worker's round arena or state: nothing is
 * reset or freed before the round's end, which every worker reaches
 * together. With one worker (rt->cluster NULL) none of this runs.
 * =================================================================== */

typedef struct flow_cluster flow_cluster;

/* The generated code's mark on a function it wants inlined at every call
 * (an exchange step's _apply: called by its upstream and by its run). */
#define FLOW_ALWAYS_INLINE __attribute__((always_inline))

/* One destination's outbox: N items of the xbox's ELEM bytes each. */
typedef struct flowi_xout {
    char *p;
    size_t n, cap;
} flowi_xout;

/* An exchange point of one worker: the items it sends each worker in this
 * round (a redistribute's: all in to[0]). The generated code owns it (a
 * member of the flow struct); flow_xbox_init registers it with the
 * cluster under its ID, so that the other workers find it. */
/* A testing input's ABORT marker (Bytewax's TestingSource.ABORT()) on
 * worker RT->worker with several workers: every worker stops once it has
 * ended the current round (RT->round), whose output is written; the
 * process then exits as after EOF, without a final snapshot. */
void flow_cluster_abort(flow_rt *rt);

struct flow_rd;   /* the recovery codec's reader (below) */
typedef struct flow_xbox {
    flowi_xout *to;            /* [nworkers] */
    int nw;
    int id;                    /* 0 .. info->n_xboxes - 1 */
    size_t elem;               /* the item's size */
    uint64_t recv;             /* items gathered so far (--stats) */
    /* the item type's binary encoding (<flow>_xenc<N>/_xdec<N>: the
     * recovery store's encoding, flow_enc_X/flow_dec_X below), for a
     * transport that moves bytes rather than pointers (docs/workers.md) */
    void (*enc)(flow_buf *b, const void *item);
    void (*dec)(struct flow_rd *r, flow_arena *a, void *item);
} flow_xbox;

/* Register XB (items of ELEM bytes, encoded by ENC, decoded by DEC) as
 * exchange point ID; with one worker it stays empty and unused. */
void flow_xbox_init(flow_rt *rt, flow_xbox *xb, int id, size_t elem, void (*enc)(flow_buf *b, const void *item),
                    void (*dec)(struct flow_rd *r, flow_arena *a, void *item));
void flow_xbox_free(flow_xbox *xb);
void flowi_xout_grow(flowi_xout *o, size_t elem);
/* Empty every outbox (before a round's routing). */
static inline void flow_xbox_clear(flow_xbox *xb)
{
    for (int d = 0; d < xb->nw; d++)
        xb->to[d].n = 0;
}
/* Room for one more item for worker D (write the item there). */
static inline void *flow_xput(flow_xbox *xb, int d)
{
    flowi_xout *o = &xb->to[d];
    if (o->n == o->cap)
        flowi_xout_grow(o, xb->elem);
    return o->p + xb->elem * o->n++;
}
/* The worker that owns KEY: the high half of the runtime's key hash
 * (flowi_table_hash; the tables index by the low bits, so each worker's
 * tables stay evenly filled) scaled to the worker count. */
static inline int flow_key_owner(const flow_rt *rt, flow_str key)
{
    return (int)(((flowi_table_hash(key) >> 32) * (uint64_t)rt->nworkers) >> 32);
}
/* This worker has put its items into the N exchange points at XB (a
 * step's, one per input port): hand them to the transport, and wait until
 * every worker has done so. */
void flow_xsync(flow_rt *rt, flow_xbox *xb, int n);
/* After flow_xsync: the items every worker put for this worker into its
 * exchange point XB's id, worker 0's first, replace the vector *V (N
 * items, CAP allocated; flow_vec_grow's). */
void flow_xgather(flow_rt *rt, flow_xbox *xb, void **v, size_t *n, size_t *cap);
/* After flow_xsync, for redistribute: the items of every worker taken in
 * worker order as one sequence, this worker's contiguous share of it
 * (worker w gets items [w*T/N, (w+1)*T/N) of the T). */
void flow_xgather_block(flow_rt *rt, flow_xbox *xb, void **v, size_t *n, size_t *cap);
/* With several workers: is input K at its end on every worker? For a
 * step's end-of-input test, after its exchange point (flow_xsync) in the
 * round in which K ended here: every worker has polled K this round. */
bool flow_xeof(const flow_rt *rt, int k);
/* With several workers: had input K ended on every worker as of the last
 * round's end (the same answer on every worker in a round)? The round an
 * input's end is counted from (docs/semantics.md §9.1). */
bool flow_xgeof(const flow_rt *rt, int k);
/* With several workers, after a round: has every input ended on every
 * worker (as of that round's end)? */
bool flow_xdone(const flow_rt *rt);

/* What main() hands flow_cluster_main: the generated functions that
 * build, run and free one instance of the flow. */
typedef struct flow_program {
    void *(*make)(flow_rt *rt);
    int (*run)(void *f);
    void (*destroy)(void *f);
    void (*restore)(void *f);  /* recovery: load the store (with -r), after every make */
} flow_program;
/* Run the flow on RT->nworkers workers (RT, initialised by flow_rt_init,
 * is worker 0's) and return main()'s exit status (or exit on an error,
 * after writing what the workers produced before it). */
int flow_cluster_main(flow_rt *rt, const flow_program *prog);
/* A program built with `flowc --mpi` (linked with libflowrt_mpi.a and
 * Open MPI; not part of libflowrt.a) calls this after flow_rt_init: it
 * initialises MPI (MPI_THREAD_SERIALIZED: cluster.c makes every MPI call
 * from one thread at a time) and, with more than one process, makes RT
 * worker RANK*N of a job of NRANKS*N workers (N: -w) and sets RT->net, so
 * that main() runs flow_cluster_main. With one process it finalises MPI
 * again and leaves RT as it was. Exits with status 1 if MPI fails. */
void flow_mpi_init(flow_rt *rt);

/* ===================================================================
 * Sources
 * =================================================================== */

/* A line reader over a file: Bytewax FileSource semantics (split on '\n',
 * the '\n' removed, a '\r' kept, blank lines are "" items, no item after a
 * final '\n'). Reads in large blocks; memory is bounded by the longest line. */
typedef struct flow_lines flow_lines;

/* Open PATH for reading. A missing or unreadable file is a fatal data
 * error ("PATH: error: cannot open: REASON"). */
flow_lines *flow_lines_open(flow_rt *rt, const char *path);
/* Next line, copied into A, in *LINE. Returns true for a line, false at EOF.
 * Invalid UTF-8 or a read error is a fatal data error naming PATH:LINE. */
bool flow_lines_next(flow_lines *r, flow_arena *a, flow_str *line);
/* 1-based number of the last line returned. */
int64_t flow_lines_lineno(const flow_lines *r);
void flow_lines_close(flow_lines *r);

/* ===================================================================
 * Windowing (window.c): clocks, windowers and per-key window state, as
 * Bytewax's bytewax.operators.windowing (docs/semantics.md §12). The
 * generated window step keeps one flow_wstate per key and owns what each
 * window accumulates (an opaque pointer here). Times are flow_time,
 * microseconds since the Unix epoch (UTC); lengths, offsets, gaps and
 * waits are microseconds. Per item and per close, a key with n open
 * windows costs O(log n) at most (O(1) per window id for sliding and
 * tumbling windows), however many windows it has open.
 * =================================================================== */

/* Current Bytewax's dataclass repr, WindowMetadata(open_time=datetime...,
 * close_time=..., merged_ids=set()) / merged_ids={1, 2}, and Bytewax
 * 0.17's, WindowMetadata(open_time: 2022-01-01 00:00:00 UTC, close_time: ...). */
void flow_repr_window_meta(flow_buf *b, flow_window_meta m);
void flow_repr_window_meta_v017(flow_buf *b, flow_window_meta m);
/* Python's == on two WindowMetadata (times and merged ids). */
bool flow_window_meta_eq(flow_window_meta a, flow_window_meta b);

enum { FLOW_CLOCK_EVENT, FLOW_CLOCK_SYSTEM };
typedef struct flow_clock_cfg {
    int kind;              /* FLOW_CLOCK_EVENT or FLOW_CLOCK_SYSTEM */
    int64_t wait;          /* event clock: wait_for_system_duration */
} flow_clock_cfg;

/* One key's clock. Event clock: watermark = wm_base + (sys_now -
 * sys_at_max), never backwards; system clock: sys_now. */
typedef struct flow_clock {
    flow_time wm_base;     /* the last accepted ts - wait (FLOW_TIME_MIN at first) */
    flow_time sys_at_max;  /* system time when wm_base was set (or the key built) */
    flow_time sys_now;     /* latest system time seen (never goes back) */
} flow_clock;

/* A new key's clock, built at system time NOW (no item seen yet). */
void flow_clock_init(const flow_clock_cfg *cfg, flow_clock *c, flow_time now);
/* Sample the system time NOW for an activation. */
void flow_clock_before_batch(const flow_clock_cfg *cfg, flow_clock *c, flow_time now);
/* One item: *TS is its event time (system clock: set to now); returns the
 * watermark after it. The item is late iff *TS < the returned watermark. */
flow_time flow_clock_on_item(const flow_clock_cfg *cfg, flow_clock *c, flow_time *ts);
/* The watermark at a notification at system time NOW. */
flow_time flow_clock_on_notify(const flow_clock_cfg *cfg, flow_clock *c, flow_time now);

enum { FLOW_WINDOWER_SLIDING, FLOW_WINDOWER_SESSION };
typedef struct flow_windower_cfg {
    int kind;              /* FLOW_WINDOWER_SLIDING (tumbling: offset = length) or _SESSION */
    int64_t length, offset;
    flow_time align;
    int64_t gap;           /* session */
} flow_windower_cfg;

/* Sliding ids of TS: LO..HI, floor((s - length)/offset) + 1 .. floor(s/offset)
 * with s = TS - align (none when HI < LO). */
void flow_window_ids(const flow_windower_cfg *cfg, flow_time ts, int64_t *lo, int64_t *hi);
/* The metadata of sliding window ID. */
flow_window_meta flow_window_meta_for(const flow_windower_cfg *cfg, int64_t id);

/* An open window (session: its current bounds and absorbed ids). */
typedef struct flow_window {
    int64_t id;
    flow_time open_time, close_time;   /* as flow_window_meta's */
    int64_t *merged;       /* session: the ids merged into it, in the order absorbed
                            * (flow_wstate_close_next sorts its copy) */
    int64_t n_merged;
    size_t cap_merged;
} flow_window;
/* A queued on-time item: its timestamp and the generated code's copy. */
typedef struct flow_wentry {
    flow_time ts;
    void *item;
} flow_wentry;
/* A session merge: window ORIG was absorbed into TARGET. */
typedef struct flow_wmerge {
    int64_t orig, target;
} flow_wmerge;

/* A window's accumulator (the generated code's), by window id. */
typedef struct flow_wlogic {
    int64_t id;
    void *acc;
} flow_wlogic;

/* The index of a key with many open windows or logics (window.c). */
struct flow_wbig;

/* One key's window state: clock, open windows (insertion order), the
 * accumulators by window id, the queue, pending merges. Accumulators and
 * queued items are the generated code's (flow_wstate_free hands them to
 * its drop functions); the rest is window.c's. The first window,
 * logic and id live in the struct itself (capacity 1, the pointer NULL),
 * so the usual key of a tumbling window costs no malloc for them: the
 * struct may be moved (a table's values are) and window.c alone reads
 * these arrays. A few windows and logics are searched linearly; past
 * flowi_wbig_at (16) of them BIG indexes them (a min-tree of close times
 * over the windows in insertion order, which then has holes where windows
 * closed; window ids or, for sessions, open times in a search structure;
 * logics by id), so that an item and a close cost O(log n) in the key's
 * open windows, until they fall back to a quarter of that. */
typedef struct flow_wstate {
    flow_clock clock;
    flow_window *win;
    size_t nwin, capwin;   /* nwin: the open windows (with BIG, win has holes) */
    flow_wlogic *logic;
    size_t nlogic, caplogic;   /* with BIG, logic is in no particular order */
    flow_wentry *q;
    size_t nq, capq;
    flow_wmerge *merges;
    size_t nmerges, capmerges;
    int64_t max_key;       /* session ids handed out so far - 1 */
    /* scratch */
    flow_wentry *taken;
    size_t captaken;
    int64_t *ids;
    size_t capids;
    /* the arrays' storage while their capacity is 1 */
    flow_window win1;
    flow_wlogic logic1;
    int64_t id1;
    struct flow_wbig *big;     /* NULL while the key has few windows and logics */
} flow_wstate;

/* An empty state (nothing open or queued), its clock built at NOW. */
void flow_wstate_init(flow_wstate *w, const flow_clock_cfg *clock, flow_time now);
/* Free everything; DROP_ACC / DROP_ITEM free accumulators and queued items. */
void flow_wstate_free(flow_wstate *w, void (*drop_acc)(void *acc), void (*drop_item)(void *item));
/* Bytewax's discard rule: no accumulators, empty queue, windower empty
 * (a session windower never is). */
bool flow_wstate_empty(const flow_wstate *w, const flow_windower_cfg *cfg);
/* Queue on-time ITEM (the generated code's, which it frees) at time TS. */
void flow_wstate_enqueue(flow_wstate *w, flow_time ts, void *item);
/* Take the due entries: ordered, those with ts <= WM stably sorted by ts;
 * unordered, all in arrival order. Valid until the next call. */
size_t flow_wstate_take(flow_wstate *w, bool ordered, flow_time wm, const flow_wentry **out);
/* open_for: open every window an on-time item at TS goes into that is not
 * open yet and return their ids in *IDS (valid until the next call):
 * sliding and tumbling, the ids of TS ascending (opened in that order);
 * session, the one session TS joins, extends (then merging neighbours,
 * see flow_wstate_merged) or starts, Bytewax's first match in creation
 * order. late_for: the ids a late item at TS is reported under (sliding:
 * every id of TS, open or not; session: -1), opening nothing. O(log n) in
 * the key's open windows plus O(1) per id. */
size_t flow_wstate_open_for(flow_wstate *w, const flow_windower_cfg *cfg, flow_time ts, const int64_t **ids);
size_t flow_wstate_late_for(flow_wstate *w, const flow_windower_cfg *cfg, flow_time ts, const int64_t **ids);
/* Pop up to MAX pending merges into OUT, oldest first. */
size_t flow_wstate_merged(flow_wstate *w, flow_wmerge *out, size_t max);
/* Close the first open window (insertion order, as Bytewax's dict) that
 * watermark WM closes (sliding, tumbling: close_time <= WM; session:
 * close_time + gap < WM): its id and metadata, whose merged ids are copied
 * into A, ascending. False when none closes. O(log n). */
bool flow_wstate_close_next(flow_wstate *w, const flow_windower_cfg *cfg, flow_time wm, flow_arena *a,
                            int64_t *id, flow_window_meta *meta);
/* Whether close_next at watermark WM would close a window (changes
 * nothing). O(1) once the key's windows are indexed, O(n) for the few
 * windows before. */
bool flow_wstate_closes(const flow_wstate *w, const flow_windower_cfg *cfg, flow_time wm);
/* When to wake the key: min close time (session: + gap) and, ORDERED,
 * the first queued ts; FLOW_NO_TIME for none. */
flow_time flow_wstate_notify_at(const flow_wstate *w, const flow_windower_cfg *cfg, bool ordered);
/* Event clock: the first system time at which a notification of the key
 * can flush anything, at least SCHED (Bytewax's wake-up time, from
 * flow_wstate_notify_at); SCHED when nothing is open or queued. Exact
 * while system time does not go backwards (window.c explains). */
flow_time flow_wstate_wake_at(const flow_wstate *w, const flow_windower_cfg *cfg, bool ordered, flow_time sched);
/* The accumulator slot of window ID (*CREATED when new, slot NULL); the
 * slot is valid until the next logic call. O(1) expected. */
void **flow_wstate_logic(flow_wstate *w, int64_t id, bool *created);
/* Remove window ID's accumulator and return it (NULL if none). */
void *flow_wstate_logic_pop(flow_wstate *w, int64_t id);
/* Recovery (docs/recovery.md): W's clock, open windows (insertion order,
 * with their merged ids), accumulators and queue in the binary encoding,
 * the accumulators' and queued items' contents by ENC_ACC / ENC_ITEM
 * (the generated step's). Read back into a fresh W (flow_wstate_init) by
 * flow_wstate_dec, which makes each with DEC_ACC / DEC_ITEM (CTX: the
 * flow) and rebuilds the index of a key with many windows; false (R bad)
 * when the bytes are malformed. */
void flow_wstate_enc(flow_buf *b, const flow_wstate *w, void (*enc_acc)(flow_buf *b, const void *acc),
                     void (*enc_item)(flow_buf *b, const void *item));
struct flow_rd;
bool flow_wstate_dec(struct flow_rd *r, flow_wstate *w, const flow_windower_cfg *cfg,
                     void *(*dec_acc)(void *ctx, struct flow_rd *r), void *(*dec_item)(void *ctx, struct flow_rd *r),
                     void *ctx);

/* The keys an activation touched, in the order first touched (a key
 * touched twice in a row is listed once), for rescheduling their timers.
 * Zero-initialised is empty; flow_touched_free releases the array. */
typedef struct flow_touched {
    uint32_t *v;
    size_t n, cap;
} flow_touched;

static inline void flow_touched_add(flow_touched *t, uint32_t id)
{
    if (t->n && t->v[t->n - 1] == id)
        return;
    if (t->n == t->cap)
        flow_vec_grow((void **)&t->v, &t->cap, sizeof(uint32_t), t->n + 1);
    t->v[t->n++] = id;
}
void flow_touched_free(flow_touched *t);

/* What every window step's per-key value begins with (its table's value
 * slots are the generated state struct, whose first member is this). */
typedef struct flow_wkey {
    flow_wstate w;
    flow_time sched;       /* Bytewax's cached wake-up time (FLOW_NO_TIME: none) */
} flow_wkey;

/* A new key's flow_wkey: an empty window state whose clock is built at
 * system time NOW, and no wake-up time. */
void flow_wkey_init(flow_wkey *k, const flow_clock_cfg *clock, flow_time now);

/* A window step's type-independent part: its keyed table, clock and
 * windower, and the bookkeeping of wake-up times that the generated code
 * used to repeat for every window step. Owned by the generated flow
 * struct; flow_wstep_init makes the table, flow_wstep_free frees the
 * arrays (the generated code frees the values first). */
typedef struct flow_wstep {
    flow_table *tab;       /* per key: a value beginning with flow_wkey */
    flow_clock_cfg clock;
    flow_windower_cfg win;
    bool ordered;          /* values applied in timestamp order (§12.8) */
    flow_time lastnow;     /* the previous round's system time */
    bool legacy;           /* system time went backwards: wake at sched */
    flow_touched touched;  /* keys this activation touched */
} flow_wstep;

/* A generated window step's callback: flush key TID at watermark WM
 * (close what WM closes, apply due queued items) and then settle it
 * (flow_wstep_settle). F is the flow. */
typedef void flow_wfire_fn(void *f, uint32_t tid, flow_time wm);

/* Make WS's table with values of VALUE_SIZE bytes (at least a flow_wkey);
 * the clock and windower are set by the caller. */
void flow_wstep_init(flow_wstep *ws, size_t value_size, bool ordered);
void flow_wstep_free(flow_wstep *ws);
/* At the start of an event-clock step's round at system time NOW: if
 * system time went backwards, fall back for good to Bytewax's wake-up
 * times (legacy), first giving each key the sys_now that Bytewax's skipped
 * no-op notifications would have left (one due by the previous round fired
 * in it); then remember NOW. */
void flow_wstep_round_begin(flow_wstep *ws, flow_time now);
/* Fire, keys ascending, every key whose wake-up time is due at NOW, with
 * the watermark its clock gives a notification (Bytewax's on_notify); each
 * key's sched is cleared first (it fires once). */
void flow_wstep_fire_due(flow_wstep *ws, flow_time now, flow_wfire_fn *fire, void *f);
/* EOF: fire every key, ascending, at the end of time (FLOW_TIME_MAX); the
 * key list is copied into ARENA first since firing may remove keys. */
void flow_wstep_fire_eof(flow_wstep *ws, flow_arena *arena, flow_wfire_fn *fire, void *f);
/* After an activation at NOW: give each touched key that is still live
 * its next wake-up time (Bytewax's notify_at; a none keeps an earlier
 * time; event clocks wake when a flush can do something, unless legacy)
 * and empty the touched list. */
void flow_wstep_reschedule(flow_wstep *ws, flow_time now);
/* After a key's flush: drop key TID when it holds nothing (Bytewax's
 * DISCARD, flow_wstate_empty: its state is freed with DROP_ACC and
 * DROP_ITEM, see flow_wstate_free, and the entry removed, so TID and the
 * value pointer are dead), else list it in the touched keys for
 * flow_wstep_reschedule. */
void flow_wstep_settle(flow_wstep *ws, uint32_t tid, void (*drop_acc)(void *acc), void (*drop_item)(void *item));

/* ===================================================================
 * Inputs and outputs (io_src.c, io_csv.c, io_jsonl.c, io_dir.c,
 * io_kafka.c, sink.c): the file, stdin, dir and kafka sources with the
 * formats lines, csv and jsonl; the stdout, file, dir, kafka and discard
 * sinks with the formats repr, json and csv. docs/io.md describes them.
 *
 * A source is read in polls: each poll gives up to BATCH records of each
 * of its partitions (a file, or each file of a dir, or each Kafka
 * partition), partitions in name order. The generated code converts each
 * record to the item type (CSV cells and JSON values by field name, with
 * the parsers below) and reports a bad one with flow_src_bad. A bad
 * record stops the program at the end of the round (flow_src_raise), after
 * the good records before it went through the whole dataflow; with
 * on_error = "skip" it is reported on stderr and counted instead.
 * =================================================================== */

/* FLOW_FMT_JSONV: JSON lines read as `json` values: rec->text is each
 * line's canonical JSON text (flow_jv_parse), blank lines skipped. */
enum { FLOW_FMT_LINES, FLOW_FMT_CSV, FLOW_FMT_JSONL, FLOW_FMT_REPR, FLOW_FMT_JSON, FLOW_FMT_JSONV };
enum { FLOW_SRC_FILE, FLOW_SRC_STDIN, FLOW_SRC_DIR, FLOW_SRC_KAFKA };

/* The longest record (line) a source accepts; a longer one is bad. */
#define FLOW_MAX_RECORD ((size_t)1 << 20)

typedef struct flow_src_cfg {
    const char *step;            /* step id (messages) */
    int kind;                    /* FLOW_SRC_* */
    int format;                  /* FLOW_FMT_LINES, _CSV, _JSONL or _JSONV */
    bool skip;                   /* on_error = "skip" */
    int batch;                   /* records per partition per poll (1000) */
    bool split_bytes;            /* file, several workers: split = "bytes", a byte
                                  * range each (docs/workers.md §3), not a share
                                  * of every batch; a CSV record is one line */
    const char *glob;            /* dir: file name pattern (fnmatch), "*" */
    const char *const *fields;   /* csv: the record's field names, in order */
    int nfields;
    /* kafka */
    const char *const *topics;
    int ntopics;
    const char *group;           /* consumer group (NULL: none) */
    bool from_end;               /* starting_offset = "end" */
    bool tail;                   /* keep waiting at the end of the partitions */
    const char *const *config;   /* kafka: add_config, KEY, VALUE, KEY, ... */
    int nconfig;                 /* pairs in config */
} flow_src_cfg;

typedef struct flow_src flow_src;
typedef struct flow_json flow_json;   /* a parsed JSON value (io_jsonl.c) */

/* One record. */
typedef struct flow_rec {
    flow_str text;               /* the line (lines), the record's text (csv,
                                  * kafka); a jsonl file's: empty (read json) */
    const flow_str *cols;        /* csv: one cell per cfg field, in field order */
    const bool *has_col;         /* csv: false when the header lacks that column */
    const flow_json *json;       /* jsonl: the object */
    flow_str key;                /* kafka: the message key ("" when none) */
} flow_rec;

/* Open the source (PATH: the file, the directory, "-" for stdin, or the
 * Kafka brokers). A missing or unreadable file or directory is a fatal
 * data error "PATH: error: cannot open: REASON". */
flow_src *flow_src_open(flow_rt *rt, const flow_src_cfg *cfg, const char *path);
/* Begin a poll. */
void flow_src_poll(flow_src *s);
/* The poll's next record, its strings in A: 1, or 0 when this poll is
 * over, or -1 at the end of the input (only on a poll that gave nothing). */
int flow_src_next(flow_src *s, flow_arena *a, flow_rec *rec);
/* The current record is bad: stop (at the end of the round) or skip it.
 * The message names PATH:LINE. */
void flow_src_bad(flow_src *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* End of round: a pending bad record stops the program now (after flushing
 * the output), with "PATH:LINE: error: MESSAGE" and status 1. */
void flow_src_raise(flow_src *s);
/* Records skipped so far (on_error = "skip"). */
int64_t flow_src_skipped(const flow_src *s);
/* Close the source and free what it holds (NULL is a no-op). */
void flow_src_close(flow_src *s);

/* A CSV cell written "" (quoted, empty) points here, so that an optional
 * string reads it as present and empty, and an empty unquoted cell as none
 * (the sinks write a present empty string? as "", none as nothing). */
extern const char flow_csv_quoted_empty[1];
/* CSV cells and JSON scalars to values: on a bad value these call
 * flow_src_bad naming FIELD and return false. */
bool flow_cell_int(flow_src *s, flow_str c, const char *field, int64_t *out);
bool flow_cell_float(flow_src *s, flow_str c, const char *field, double *out);
bool flow_cell_bool(flow_src *s, flow_str c, const char *field, bool *out);
bool flow_cell_time(flow_src *s, flow_str c, const char *field, flow_time *out);
bool flow_cell_duration(flow_src *s, flow_str c, const char *field, int64_t *out);
/* A CSV cell holding JSON (lists, tuples, nested records), parsed into A
 * (freed at the end of the round). */
const flow_json *flow_cell_json(flow_src *s, flow_arena *a, flow_str c, const char *field);

/* JSON values (valid until the source's next record): get an object's member (NULL
 * when absent), an array's length and elements (flow_json_at: NULL out of
 * range), and scalars. The accessors that take S check the value's type:
 * on a mismatch they call flow_src_bad naming FIELD and return false;
 * strings are copied into A. */
const flow_json *flow_json_get(const flow_json *obj, const char *name);
/* The path of member NAME of the record at PARENT for messages: NAME at
 * the top level (PARENT ""), else "PARENT.NAME" in A ("geo.lat"). */
const char *flowi_json_path(flow_arena *a, const char *parent, const char *name);
static inline const char *flow_json_path(flow_arena *a, const char *parent, const char *name)
{
    return *parent ? flowi_json_path(a, parent, name) : name;
}
/* Object OBJ's members NAMES[0..N) (distinct) in OUT[0..N), each NULL
 * when absent (all NULL when OBJ is not an object): flow_json_get of
 * each name, found in one walk of the members. */
void flow_json_fields(const flow_json *obj, const char *const *names, int n, const flow_json **out);
bool flow_json_is_null(const flow_json *v);
bool flow_json_array(flow_src *s, const flow_json *v, const char *field, int64_t *n);
const flow_json *flow_json_at(const flow_json *v, int64_t i);
bool flow_json_object(flow_src *s, const flow_json *v, const char *field);
/* An object's member count (false and flow_src_bad naming FIELD when V is
 * not an object), and its I-th member (0 <= I < that count), in document
 * order, with its key in *KEY (valid as the value is). */
bool flow_json_members(flow_src *s, const flow_json *v, const char *field, int64_t *n);
const flow_json *flow_json_member(const flow_json *v, int64_t i, flow_str *key);
bool flow_json_int(flow_src *s, const flow_json *v, const char *field, int64_t *out);
bool flow_json_float(flow_src *s, const flow_json *v, const char *field, double *out);
bool flow_json_bool(flow_src *s, const flow_json *v, const char *field, bool *out);
bool flow_json_str(flow_src *s, flow_arena *a, const flow_json *v, const char *field, flow_str *out);
bool flow_json_time(flow_src *s, const flow_json *v, const char *field, flow_time *out);
bool flow_json_duration(flow_src *s, const flow_json *v, const char *field, int64_t *out);
/* A `json` field: V's canonical text (jsonv.c) in A; its floats as their
 * repr (1.50 is 1.5), ints within 64 bits (what jansson and simdjson read). */
bool flow_json_jv(flow_src *s, flow_arena *a, const flow_json *v, const char *field, flow_str *out);

/* Encoders (docs/io.md): JSON and CSV text of scalars. */
void flow_json_put_str(flow_buf *b, flow_str s);
void flow_json_put_float(flow_buf *b, double v);        /* null for inf/nan */
void flow_json_put_time(flow_buf *b, flow_time t);      /* "2022-01-01T00:00:04Z" */
void flow_json_put_duration(flow_buf *b, int64_t us);   /* seconds: 10, 0.25 */
void flow_json_put_meta(flow_buf *b, flow_window_meta m);
void flow_csv_put_str(flow_buf *b, flow_str s);         /* quoted when needed */
/* Unquoted: 2022-01-01T00:00:04Z (.250000Z with microseconds), and
 * seconds 10, -0.25 (no trailing zeros). */
void flow_fmt_rfc3339(flow_buf *b, flow_time t);
void flow_fmt_seconds(flow_buf *b, int64_t us);

/* The `discard` sink (Nexmark's blackhole): the item X (an lvalue) is made to exist in memory, so the C
 * compiler cannot drop the steps that built it, and is then forgotten.
 * An empty asm statement that reads X's address; no code of its own. */
#define FLOW_DISCARD(x) __asm__ __volatile__("" : : "r"(&(x)) : "memory")

/* Sinks. A sink buffers its output; it is written when large, at the end
 * of the run (flow_sink_close) and also when the program stops on an error
 * (every open sink is flushed at exit). */
enum { FLOW_SINK_STDOUT, FLOW_SINK_FILE, FLOW_SINK_DIR, FLOW_SINK_KAFKA };
typedef struct flow_sink_cfg {
    const char *step;
    int kind;                    /* FLOW_SINK_* */
    int file_count;              /* dir: number of files part_0 .. part_N-1 */
    const char *topic;           /* kafka */
    const char *const *config;   /* kafka: add_config, KEY, VALUE, KEY, ... */
    int nconfig;                 /* pairs in config */
} flow_sink_cfg;
typedef struct flow_sink flow_sink;
/* PATH: the file, the directory, or the Kafka brokers (NULL for stdout). */
flow_sink *flow_sink_open(flow_rt *rt, const flow_sink_cfg *cfg, const char *path);
/* The buffer the next record is written to: a file's, or (dir) the file
 * of KEY (Bytewax's DirSink: adler32(key) mod file_count over the names
 * in string order). End the record with flow_sink_end. */
flow_buf *flow_sink_buf(flow_sink *k, flow_str key);
/* Several workers: the worker that writes KEY's file of dir sink K (its
 * file's index mod NWORKERS), so that every file has one writer. */
int flow_sink_owner(const flow_sink *k, flow_str key, int nworkers);
/* End a record of KEY (kafka: one message with that key, or none if
 * HAS_KEY is false; files: a newline). */
void flow_sink_end(flow_sink *k, bool has_key, flow_str key);
/* csv: write the header LINE (a newline is added) to every file now. */
void flow_sink_header(flow_sink *k, const char *line);
/* Write what is buffered. flow_rt_flush calls flow_sinks_flush. */
void flow_sink_flush(flow_sink *k);
void flow_sinks_flush(flow_rt *rt);
/* Write what is buffered, close and free the sink (NULL is a no-op). */
void flow_sink_close(flow_sink *k);

/* --output STEP=PATH: the path of output STEP, or DEFAULT_PATH. */
const char *flow_rt_output_path(const flow_rt *rt, const char *step, const char *default_path);
/* Exit with status 2 unless every --output names one of the N NAMES. */
void flow_rt_check_outputs(const flow_rt *rt, const char *const *names, int n);

/* ===================================================================
 * Nexmark (nexmark.c): the generator behind the `nexmark(...)` source
 * (docs/benchmarks.md, ../shared/NEXMARK.md). Event n is deterministic in
 * (seed, n); fields outside MASK may be left zero (bids only).
 * =================================================================== */
enum { FLOW_NEXMARK_PERSON = 0, FLOW_NEXMARK_AUCTION = 1, FLOW_NEXMARK_BID = 2 };
enum { FLOW_NX_AUCTION = 1, FLOW_NX_BIDDER = 2, FLOW_NX_PRICE = 4, FLOW_NX_CHANNEL = 8, FLOW_NX_URL = 16,
       FLOW_NX_EXTRA = 32 };
typedef struct flow_nexmark {
    int64_t rate;        /* first event rate (events/s of event time) */
    uint64_t seed;
    int64_t base_ms;     /* event time of event 0 */
} flow_nexmark;
typedef struct flow_nexmark_event {
    int64_t event_type;  /* FLOW_NEXMARK_* */
    flow_time date_time;
    flow_str extra;
    /* person */
    int64_t person_id;
    flow_str name, email_address, credit_card, city, state;
    /* auction */
    int64_t auction_id;
    flow_str item_name, description;
    int64_t initial_bid, reserve;
    flow_time expires;
    int64_t seller, category;
    /* bid */
    int64_t auction, bidder, price;
    flow_str channel, url;
} flow_nexmark_event;
/* A generator of RATE events per second of event time (10 M when RATE
 * <= 0) from SEED; event 0's time is 2015-07-15T00:00:00Z. */
void flow_nexmark_init(flow_nexmark *g, int64_t rate, uint64_t seed);
/* Event N into EV, its strings in A (or static). */
void flow_nexmark_event_at(const flow_nexmark *g, int64_t n, uint32_t mask, flow_arena *a, flow_nexmark_event *ev);

/* ===================================================================
 * Recovery (docs/recovery.md): the compact binary encoding of values
 * (codec.c; the generated <flow>_enc<N>/<flow>_dec<N> call these for
 * primitives), dirty tracking of keyed tables (table.c) and the SQLite
 * store of snapshots (recovery.c).
 * =================================================================== */

/* A reader over the N bytes of one encoded value. Every read checks the
 * end: past it, or on a malformed length, BAD is set, the reader stops
 * (P = END) and reads give zeros, so a corrupted blob is an error the
 * caller reports, never a crash. */
typedef struct flow_rd {
    const char *p, *end;
    bool bad;
} flow_rd;

/* unsigned LEB128 varint; int64 as zigzag varint */
void flow_enc_u64(flow_buf *b, uint64_t v);
static inline void flow_enc_i64(flow_buf *b, int64_t v)
{
    flow_enc_u64(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}
void flow_enc_f64(flow_buf *b, double v);     /* 8 bytes, IEEE 754, little-endian */
static inline void flow_enc_bool(flow_buf *b, bool v) { flow_buf_putc(b, v ? 1 : 0); }
void flow_enc_str(flow_buf *b, flow_str s);   /* varint length, bytes */
void flow_enc_meta(flow_buf *b, flow_window_meta m);
uint64_t flow_dec_u64(flow_rd *r);
int64_t flow_dec_i64(flow_rd *r);
double flow_dec_f64(flow_rd *r);
bool flow_dec_bool(flow_rd *r);
/* A string (valid UTF-8, else BAD) copied into A. */
flow_str flow_dec_str(flow_rd *r, flow_arena *a);
/* An element count: at most the bytes left (every element takes one). */
int64_t flow_dec_count(flow_rd *r);
flow_window_meta flow_dec_meta(flow_rd *r, flow_arena *a);

/* Dirty tracking (table.c), on once flow_table_track is called: every
 * entry looked up, inserted, whose timer is set or fires, or listed by
 * flow_table_sorted is marked dirty; removed keys are remembered. A
 * snapshot reads them and flow_table_clean forgets them. */
void flow_table_track(flow_table *t);
/* The live dirty ids, each once, in the order first marked. */
size_t flow_table_dirty(flow_table *t, const uint32_t **ids);
/* Whether live key ID's newest row in the store holds a state (loaded,
 * or flow_table_wrote(.., true) since); the snapshot tells the table what
 * it writes for a dirty key: a state (STATE) or NULL. Returns whether the
 * key's older rows are to be garbage-collected with this row: for every
 * NULL, and for every fourth state in a row (docs/recovery.md, "Garbage
 * collection"). */
bool flow_table_has_row(const flow_table *t, uint32_t id);
bool flow_table_wrote(flow_table *t, uint32_t id, bool state);
/* The keys removed since the last clean that had a row holding a state
 * (a key may be both removed and, inserted again, dirty: write the
 * removals first). */
size_t flow_table_gone_count(const flow_table *t);
flow_str flow_table_gone_key(const flow_table *t, size_t i);
void flow_table_clean(flow_table *t);

/* The store (recovery.c). flow_rt_init opens it for -r DIR (rt->store);
 * the generated code then restores each step (flow_store_type checks the
 * fingerprint, flow_store_load hands back every saved row of a step),
 * and hooks the function that writes the rows of what changed
 * (flow_store_put) at each epoch's end (flow_store_hook); the runtime
 * commits them. */
typedef struct flow_store flow_store;
/* Check STEP's state fingerprint against the store's (an error naming
 * the step and both types when they differ) and record it. */
void flow_store_type(flow_rt *rt, const char *step, const char *fingerprint);
/* Call FN(CTX, KEY, BLOB) for each of STEP's rows to restore (the newest
 * before the resume epoch, not NULL), keys in no particular order. */
void flow_store_load(flow_rt *rt, const char *step,
                     void (*fn)(void *ctx, flow_str key, flow_rd *blob), void *ctx);
/* The one row of STEP with key KEY into *BLOB: false when absent. */
bool flow_store_get(flow_rt *rt, const char *step, flow_str key, flow_rd *blob);
/* A decoding error of a row: "corrupted state of step F.STEP key K". */
FLOW_NORETURN void flow_store_corrupt(flow_rt *rt, const char *step, flow_str key);
/* A step recovery cannot save yet (WHAT: "a stdin input", "a nexmark
 * input"): an error at start-up naming it, before anything is read. */
FLOW_NORETURN void flow_store_refuse(flow_rt *rt, const char *step, const char *what);
/* count_final STEP under mpirun with several processes: its rows (a
 * false timer flag, then an i64 count) are each process's sum of its
 * workers' counts; rank 0 keeps every process's last count per key
 * (seeded from the stored totals, each going to the process that now
 * owns the key) and writes their total. Call once per worker while
 * restoring, after the step's fingerprint check; a no-op elsewhere. */
void flow_store_sum_step(flow_rt *rt, const char *step);
/* Recovery's snapshots: ROWS(CTX) queues this worker's rows of the epoch
 * that ended (flow_store_put; the generated <flow>_snap_rows, CTX its
 * flow), or returns false to skip this snapshot (an ABORT marker is
 * pending). Once every worker has called this (one worker: at once), the
 * end of a round (flow_rt_round_end; several workers: the round end's
 * serial part, all waiting) calls every worker's ROWS, worker 0's first,
 * and commits, when an epoch ends: the -s interval has passed (a one-shot
 * timer, SIGALRM, sets flowi_attention: nothing is checked per round; with
 * a pinned clock that steps, pinned time is compared at every round
 * instead), or with -s 0 before every polling round. */
void flow_store_hook(flow_rt *rt, bool (*rows)(void *ctx), void *ctx);
/* Inside a ROWS call: the CTX that this process's worker WORKER (0 ..
 * flow_store_workers - 1; with one process the worker's index) hooked,
 * its flow (the others wait meanwhile: their state may be read). */
void *flow_store_peer(flow_rt *rt, int worker);
/* The workers of this process (rt->nworkers unless the job has several
 * MPI processes, whose rows the runtime gathers into one commit). */
int flow_store_workers(const flow_rt *rt);
/* Whether RT is this process's first worker: the one that writes a row
 * for the whole process (an input's positions; rows of the same step and
 * empty key from several processes are joined, recovery.c). */
bool flow_store_lead(const flow_rt *rt);
/* The last snapshot, at the end of the input (the run loop's with one
 * worker, cluster.c's after every worker ended): like an epoch's, and it
 * records in meta ('ended_ex') that this execution ended. */
void flow_store_end(flow_rt *rt);
/* Queue the row (STEP, KEY) of this epoch: the encoded state (B's bytes),
 * or NULL for "no state"; the key's older rows are garbage-collected with
 * it (flow_store_put_state: when GC). */
void flow_store_put(flow_rt *rt, const char *step, flow_str key, const flow_buf *b);
void flow_store_put_state(flow_rt *rt, const char *step, flow_str key, const flow_buf *b, bool gc);
/* A testing input's ABORT marker number MARK was hit (recorded at once),
 * or was it hit in an earlier execution (to skip it)? */
void flow_store_abort_hit(flow_rt *rt, const char *step, int64_t mark);
bool flow_store_abort_seen(flow_rt *rt, const char *step, int64_t mark);
/* A file / dir source's position (each file's byte offset and line
 * number) or a kafka source's (each partition's offset after the last
 * message read) into B; seek back to it from R (false: R is malformed;
 * kafka: the partitions are assigned there at the first poll). */
struct flow_src;
void flow_src_save(struct flow_src *s, flow_buf *b);
bool flow_src_seek(struct flow_src *s, flow_rd *r);
/* A file read with split = "bytes": from the row R of every worker that
 * saved it (a count, then each one's flow_src_save: its ranges' unread
 * bytes), this worker's share of those bytes under the current worker
 * count (any: rescaling neither loses nor repeats a line), read from
 * there. False: R is malformed or names another file. */
bool flow_src_seek_ranges(struct flow_src *s, flow_rd *r);

#ifdef __cplusplus
}
#endif
#endif
