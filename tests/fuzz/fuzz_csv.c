/*
 * fuzz_csv.c - libFuzzer harness for the CSV reader (io_src.c, io_csv.c)
 * and the cell parsers (flow_cell_*, JSON cells through io_jsonl.c's
 * jansson path).
 *
 * Each input (fuzz_io.h: an options byte, then the file, with a way to
 * write long runs of one byte) is read as a csv file source with the
 * schema of fuzz_io.h, with on_error = "stop" and "skip", each record
 * decoded as generated code decodes it (a missing column, an empty
 * optional, a quoted empty string); fuzz_io.c compares the two runs.
 * Build and run with `make fuzz` (FUZZ_SECONDS=N) or `make fuzz-long`;
 * the seeds are made from the .csv files of tests/io/data by
 * tests/fuzz/seeds.sh.
 */
#include "fuzz_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool decode(flow_src *s, flow_arena *a, const flow_rec *r, int nfields, uint64_t *h)
{
    fuzz_mix_str(h, r->text);
    for (int f = 0; f < nfields; f++) {
        const fuzz_field *fd = &fuzz_schema[f];
        flow_str c = r->cols[f];
        if (!fd->optional && !r->has_col[f]) {
            flow_src_bad(s, "missing column '%s' (not in the header)", fd->name);
            return false;
        }
        /* an optional field is present when in the header and not an
         * empty unquoted cell ("" is a present empty string) */
        if (fd->optional && !(r->has_col[f] && (c.n > 0 || c.p == flow_csv_quoted_empty))) {
            fuzz_mix(h, 0xdead);
            continue;
        }
        int64_t i;
        double d;
        bool b;
        flow_time t;
        const flow_json *j;
        switch (fd->type) {
        case FUZZ_INT:
            if (!flow_cell_int(s, c, fd->name, &i))
                return false;
            fuzz_mix(h, (uint64_t)i);
            break;
        case FUZZ_FLOAT:
            if (!flow_cell_float(s, c, fd->name, &d))
                return false;
            fuzz_mix_double(h, d);
            break;
        case FUZZ_BOOL:
            if (!flow_cell_bool(s, c, fd->name, &b))
                return false;
            fuzz_mix(h, b);
            break;
        case FUZZ_STR:
            fuzz_mix_str(h, c);
            break;
        case FUZZ_TIME:
            if (!flow_cell_time(s, c, fd->name, &t))
                return false;
            fuzz_mix(h, (uint64_t)t);
            break;
        case FUZZ_DURATION:
            if (!flow_cell_duration(s, c, fd->name, &i))
                return false;
            fuzz_mix(h, (uint64_t)i);
            break;
        default:    /* lists, records and tuples: JSON in the cell */
            j = flow_cell_json(s, a, c, fd->name);
            if (!j || !fuzz_json_value(s, a, j, fd->type, fd->name, h))
                return false;
            break;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_io_run(data, size, FLOW_FMT_CSV, decode);
    return 0;
}
