/*
 * fuzz_io.h - what the libFuzzer harnesses of the readers (fuzz_csv.c,
 * fuzz_jsonl.c) share (fuzz_io.c): the input's encoding, the run of a
 * source over it in both on_error modes with the checks between them, the
 * schema and the decoders of JSON values, as generated code has them.
 *
 * A fuzz input is one options byte, then the file's bytes:
 *   bits 0-1  records per poll (cfg.batch) with on_error = "stop": 1, 2,
 *             3, 1000 ("skip": the next one, 1000 -> 1)
 *   bit  2    "stop" reads through a pipe (when the file fits in one),
 *             else a memfd ("skip": the other)
 *   bits 3-4  the schema: 0 every field (FUZZ_NFIELDS), 1 those and
 *             FUZZ_NEXTRA optional strings x0..x7, 2 the first 4, 3 none
 * In the file's bytes, FF FE K C stands for a run of bytes C, of length
 * (16 + K % 16) << (K / 16 + 1): from 32 bytes to 1 MiB (K F0, the record
 * limit FLOW_MAX_RECORD) and 1.94 MiB, log-uniformly, so that a small
 * input reaches the limit and the 256 KiB read blocks (the whole file at
 * most FUZZ_MAX_FILE bytes) while few mutations cost megabytes. FF FE is
 * never UTF-8, and FF alone stays a byte of the file.
 */
#ifndef FUZZ_IO_H
#define FUZZ_IO_H

#include <stddef.h>
#include <stdint.h>

#include "flowrt.h"
#include "flowrt_gen.h"

#define FUZZ_MAX_FILE ((size_t)5 << 19)    /* 2.5 MiB */

/* The record's fields, in cfg.fields order: the first four as in
 * tests/io/data's files, so that their seeds decode.
 *   0 user string    4 f float      8 ot timestamp?  12 tags list<string>
 *   1 val int        5 b bool       9 of float?      13 geo Geo
 *   2 at timestamp   6 d duration  10 ob bool?       14 tu (int, string, bool?)
 *   3 note string?   7 oi int?     11 od duration?   15.. x0..x7 string?
 * Geo is { lat: float, lon: float, ids: list<int>? }. */
enum { FUZZ_NFIELDS = 15, FUZZ_NEXTRA = 8 };
enum { FUZZ_INT, FUZZ_FLOAT, FUZZ_BOOL, FUZZ_STR, FUZZ_TIME, FUZZ_DURATION, FUZZ_TAGS, FUZZ_GEO, FUZZ_TUPLE };
typedef struct fuzz_field {
    const char *name;
    int type;         /* FUZZ_* */
    bool optional;
} fuzz_field;
extern const fuzz_field fuzz_schema[FUZZ_NFIELDS + FUZZ_NEXTRA];
extern const char *const fuzz_fields[FUZZ_NFIELDS + FUZZ_NEXTRA];    /* their names */

/* Code of the harness that goes through megabytes byte by byte: no
 * coverage (it would only slow the fuzzer). */
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))

/* A running hash of the values decoded (it reads every byte of strings,
 * so ASan sees each one). */
FUZZ_NO_COVERAGE static inline void fuzz_mix(uint64_t *h, uint64_t v)
{
    *h = (*h ^ v) * UINT64_C(0x100000001b3);
    *h ^= *h >> 29;
}
void fuzz_mix_str(uint64_t *h, flow_str s);
void fuzz_mix_double(uint64_t *h, double d);    /* any NaN alike */

/* One record to values, as the generated decoder does: false after
 * flow_src_bad. */
typedef bool fuzz_decode_fn(flow_src *s, flow_arena *a, const flow_rec *r, int nfields, uint64_t *h);

/* JSON value V of TYPE FUZZ_TAGS, FUZZ_GEO or FUZZ_TUPLE, as generated
 * fromjson functions read it, into H: false after flow_src_bad. */
bool fuzz_json_value(flow_src *s, flow_arena *a, const flow_json *v, int type, const char *field, uint64_t *h);

/* Read DATA (encoded as above) with a source of FORMAT, once with
 * on_error = "stop" and once with "skip", decoding each record with
 * DECODE; abort() when the two runs disagree (see fuzz_io.c). */
void fuzz_io_run(const uint8_t *data, size_t size, int format, fuzz_decode_fn *decode);

#endif
