/*
 * json_bench.c - jansson vs cJSON vs simdjson (through the runtime's
 * json_simd.cc, as the jsonl reader uses it) on JSON lines made from
 * ../shared/data/ec2_metrics.csv (see README.md): parse every line, read
 * the four members as flowc's decoders would, report seconds and the
 * integer sum (to check all read the same values). From the repository:
 * cc -O2 -Iruntime/src bench/json/json_bench.c build/libflowrt.a -ljansson -lcjson \
 *    -lsimdjson -lstdc++ -o json_bench; ./json_bench FILE
 */
#include "json_simd.h"

#include <cjson/cJSON.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    FILE *f = fopen(argc > 1 ? argv[1] : "ec2.jsonl", "r");
    if (!f)
        return 1;
    char *data = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&data, &len);
    char blk[65536];
    size_t n;
    while ((n = fread(blk, 1, sizeof blk, f)) > 0)
        fwrite(blk, 1, n, m);
    fclose(m);
    fclose(f);
    flowi_simd *simd = flowi_simd_new();
    static const char *const names[] = { "jansson", "cJSON", "simdjson" };
    for (int round = 0; round < 3; round++) {
        double t0 = now();
        long long sum = 0, lines = 0;
        double vsum = 0;
        for (char *p = data; p < data + len;) {
            char *nl = memchr(p, '\n', (size_t)(data + len - p));
            size_t l = nl ? (size_t)(nl - p) : (size_t)(data + len - p);
            if (round == 0) {
                json_error_t e;
                json_t *v = json_loadb(p, l, 0, &e);
                sum += json_integer_value(json_object_get(v, "index"));
                vsum += json_number_value(json_object_get(v, "value"));
                (void)json_string_value(json_object_get(v, "timestamp"));
                (void)json_string_value(json_object_get(v, "instance"));
                json_decref(v);
            } else if (round == 2) {
                /* what io_jsonl.c does on its fast path (jansson when refused) */
                flowi_sel root, m;
                flowi_jview jv;
                if (!flowi_simd_parse(simd, p, l, &root))
                    return 1;
                static const char *const mem[] = { "index", "value", "timestamp", "instance" };
                for (int k = 0; k < 4; k++) {
                    if (!flowi_simd_get(&root, mem[k], strlen(mem[k]), &m))
                        return 1;
                    flowi_simd_view(&m, &jv);
                    if (k == 0)
                        sum += jv.i;
                    else if (k == 1)
                        vsum += jv.kind == FLOWI_J_INT ? (double)jv.i : jv.d;
                }
            } else {
                cJSON *v = cJSON_ParseWithLength(p, l);
                sum += (long long)cJSON_GetObjectItemCaseSensitive(v, "index")->valuedouble;
                vsum += cJSON_GetObjectItemCaseSensitive(v, "value")->valuedouble;
                (void)cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "timestamp"));
                (void)cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "instance"));
                cJSON_Delete(v);
            }
            lines++;
            p += l + 1;
        }
        printf("%-8s %lld lines %.3f s  index sum %lld value sum %.3f\n", names[round], lines,
               now() - t0, sum, vsum);
    }
    flowi_simd_free(simd);
    free(data);
    return 0;
}
