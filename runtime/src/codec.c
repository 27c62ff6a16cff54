/*
 * codec.c - the compact binary encoding of flowc values (docs/recovery.md):
 * varints, zigzag integers, IEEE doubles, length-prefixed strings, window
 * metadata. The generated <flow>_enc<N>/<flow>_dec<N> (compiler/
 * emit_codec.c) compose these for lists, options, tuples and records.
 *
 * Decoding never trusts its input: a flow_rd knows where its bytes end,
 * and a read past it or a malformed value (an over-long varint, a count
 * larger than the bytes left, a string that is not UTF-8) marks the
 * reader bad and yields zeros. The caller checks `bad` once at the end.
 */
#include "internal.h"

#include <string.h>

void flow_enc_u64(flow_buf *b, uint64_t v)
{
    char tmp[10];
    int n = 0;
    while (v >= 0x80) {
        tmp[n++] = (char)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (char)v;
    flow_buf_put(b, tmp, (size_t)n);
}

void flow_enc_f64(flow_buf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    char tmp[8];
    for (int i = 0; i < 8; i++)
        tmp[i] = (char)(u >> (8 * i));
    flow_buf_put(b, tmp, 8);
}

void flow_enc_str(flow_buf *b, flow_str s)
{
    flow_enc_u64(b, (uint64_t)s.n);
    flow_buf_put(b, s.p, (size_t)s.n);
}

void flow_enc_meta(flow_buf *b, flow_window_meta m)
{
    flow_enc_i64(b, m.open_time);
    flow_enc_i64(b, m.close_time);
    flow_enc_u64(b, (uint64_t)m.merged_ids.n);
    for (int64_t i = 0; i < m.merged_ids.n; i++)
        flow_enc_i64(b, m.merged_ids.v[i]);
}

static void fail(flow_rd *r)
{
    r->bad = true;
    r->p = r->end;
}

uint64_t flow_dec_u64(flow_rd *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            break;
        unsigned char c = (unsigned char)*r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    fail(r);
    return 0;
}

int64_t flow_dec_i64(flow_rd *r)
{
    uint64_t u = flow_dec_u64(r);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

double flow_dec_f64(flow_rd *r)
{
    if (r->end - r->p < 8) {
        fail(r);
        return 0;
    }
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)(unsigned char)r->p[i] << (8 * i);
    r->p += 8;
    double v;
    memcpy(&v, &u, 8);
    return v;
}

bool flow_dec_bool(flow_rd *r)
{
    if (r->p >= r->end || (unsigned char)*r->p > 1) {
        fail(r);
        return false;
    }
    return *r->p++ != 0;
}

int64_t flow_dec_count(flow_rd *r)
{
    uint64_t n = flow_dec_u64(r);
    if (n > (uint64_t)(r->end - r->p)) {
        fail(r);
        return 0;
    }
    return (int64_t)n;
}

flow_str flow_dec_str(flow_rd *r, flow_arena *a)
{
    int64_t n = flow_dec_count(r);
    if (n == 0 || r->bad)
        return (flow_str){ "", 0 };
    if (!flow_utf8_valid(r->p, (size_t)n)) {
        fail(r);
        return (flow_str){ "", 0 };
    }
    flow_str s = flow_str_dup(a, (flow_str){ r->p, n });
    r->p += n;
    return s;
}

flow_window_meta flow_dec_meta(flow_rd *r, flow_arena *a)
{
    flow_window_meta m;
    memset(&m, 0, sizeof m);
    m.open_time = flow_dec_i64(r);
    m.close_time = flow_dec_i64(r);
    int64_t n = flow_dec_count(r);
    if (n) {
        m.merged_ids.v = flow_arena_alloc(a, sizeof(int64_t) * (size_t)n);
        m.merged_ids.n = n;
        for (int64_t i = 0; i < n; i++)
            m.merged_ids.v[i] = flow_dec_i64(r);
    }
    return m;
}
