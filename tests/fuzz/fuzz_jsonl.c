/*
 * fuzz_jsonl.c - libFuzzer harness for the JSON lines reader (io_src.c,
 * io_jsonl.c, json_simd.cc: simdjson's parse and its fallback to
 * jansson, Python's NaN and Infinity) and the JSON accessors
 * (flow_json_*).
 *
 * Each input (fuzz_io.h: an options byte, then the file, with a way to
 * write long runs of one byte) is read as a jsonl file source with the
 * schema of fuzz_io.h, with on_error = "stop" and "skip", each object
 * decoded as generated code decodes it: the members found with
 * flow_json_fields (more than its 16 names a walk with the wide schema),
 * a missing member, null for an optional, nested records and lists;
 * fuzz_io.c compares the two runs. Build and run with `make fuzz`
 * (FUZZ_SECONDS=N) or `make fuzz-long`; the seeds are made from the
 * .jsonl files of tests/io/data by tests/fuzz/seeds.sh.
 */
#include "fuzz_io.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool decode(flow_src *s, flow_arena *a, const flow_rec *r, int nfields, uint64_t *h)
{
    if (!flow_json_object(s, r->json, ""))
        return false;
    const flow_json *ms[FUZZ_NFIELDS + FUZZ_NEXTRA];
    flow_json_fields(r->json, fuzz_fields, nfields, ms);
    for (int f = 0; f < nfields; f++) {
        const fuzz_field *fd = &fuzz_schema[f];
        const flow_json *m = ms[f];
        if (!m != !flow_json_get(r->json, fd->name))
            abort();    /* the two ways of finding a member disagree */
        const char *name = flow_json_path(a, "", fd->name);
        if (!m && !fd->optional) {
            flow_src_bad(s, "missing field '%s'", name);
            return false;
        }
        if (!m || (fd->optional && flow_json_is_null(m))) {
            fuzz_mix(h, 0xdead);
            continue;
        }
        int64_t i;
        double d;
        bool b;
        flow_time t;
        flow_str str;
        switch (fd->type) {
        case FUZZ_INT:
            if (!flow_json_int(s, m, name, &i))
                return false;
            fuzz_mix(h, (uint64_t)i);
            break;
        case FUZZ_FLOAT:
            if (!flow_json_float(s, m, name, &d))
                return false;
            fuzz_mix_double(h, d);
            break;
        case FUZZ_BOOL:
            if (!flow_json_bool(s, m, name, &b))
                return false;
            fuzz_mix(h, b);
            break;
        case FUZZ_STR:
            if (!flow_json_str(s, a, m, name, &str))
                return false;
            fuzz_mix_str(h, str);
            break;
        case FUZZ_TIME:
            if (!flow_json_time(s, m, name, &t))
                return false;
            fuzz_mix(h, (uint64_t)t);
            break;
        case FUZZ_DURATION:
            if (!flow_json_duration(s, m, name, &i))
                return false;
            fuzz_mix(h, (uint64_t)i);
            break;
        default:    /* lists, records and tuples */
            if (!fuzz_json_value(s, a, m, fd->type, name, h))
                return false;
            break;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_io_run(data, size, FLOW_FMT_JSONL, decode);
    return 0;
}
