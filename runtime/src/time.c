/*
 * time.c - timestamps and durations: parsing (RFC 3339 timestamps, the
 * language's duration literals), civil fields in the proleptic Gregorian
 * calendar, and Python's repr()/str() of datetime (always tz-aware, UTC)
 * and timedelta. A flow_time is signed microseconds since the Unix epoch,
 * so everything here is exact integer arithmetic, as in Python's datetime.
 */
#include "internal.h"

#include <stdio.h>
#include <time.h>

#define US_PER_DAY (INT64_C(86400) * FLOW_US_PER_SEC)

/* Floor division by B > 0 and the matching remainder in [0, B), without
 * overflow even for INT64_MIN (FLOW_NO_TIME). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b < 0)
        q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void flow_time_fields(flow_time t, int *year, int *month, int *day, int *hour,
                      int *min, int *sec, int *us)
{
    int64_t days = floor_div(t, US_PER_DAY);
    int64_t rem = floor_mod(t, US_PER_DAY);
    int64_t y;
    civil_from_days(days, &y, month, day);
    *year = (int)y;
    int64_t s = rem / FLOW_US_PER_SEC;
    *us = (int)(rem % FLOW_US_PER_SEC);
    *hour = (int)(s / 3600);
    *min = (int)(s / 60 % 60);
    *sec = (int)(s % 60);
}

flow_time flow_time_now_real(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (flow_time)ts.tv_sec * FLOW_US_PER_SEC + ts.tv_nsec / 1000;
}

int64_t flowi_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- parsing ----------------------------------------------------------- */

/* A cursor over the text being parsed. */
typedef struct scan {
    const char *p;
    const char *end;
} scan;

/* Exactly N decimal digits as a number, or -1. */
static int fixed_digits(scan *s, int n)
{
    if (s->end - s->p < n)
        return -1;
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = s->p[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    s->p += n;
    return v;
}

static bool take(scan *s, char c)
{
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return true;
    }
    return false;
}

/* A two-digit field in [0, MAX] followed by AFTER (none when 0), or -1.
 * Once a field fails the ones after it fail too (the cursor stops). */
static int field(scan *s, int max, char after)
{
    int v = fixed_digits(s, 2);
    if (v < 0 || v > max || (after && !take(s, after))) {
        s->p = s->end;
        return -1;
    }
    return v;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* W's lanes selected by MASK (0xff lanes) as digit values 0..9, the
 * other lanes 0; false unless every selected lane is an ASCII digit: each
 * has high nibble 3 and stays so when 6 is added (low nibble <= 9). The
 * other lanes are replaced by '0' first; a lane >= 0xfa, whose +6 carries
 * into the next one, fails its own check. */
static inline bool digits8(uint64_t w, uint64_t mask, uint64_t *vals)
{
    const uint64_t zeros = UINT64_C(0x3030303030303030), hi = UINT64_C(0xf0f0f0f0f0f0f0f0);
    uint64_t v = (w & mask) | (zeros & ~mask);
    *vals = v - zeros;    /* every lane >= '0' when the check passes: no borrows */
    return ((v & hi) | (((v + UINT64_C(0x0606060606060606)) & hi) >> 4)) == UINT64_C(0x3333333333333333);
}

/* Lane i of the result (for lanes holding digits d_i, d_i+1): 10 d_i +
 * d_i+1, the two-digit number starting there (at most 99: no carries). */
static inline uint64_t pairs8(uint64_t d)
{
    return d * 10 + (d >> 8);
}

/* How many lanes of W, from lane 0, are ASCII digits (lane 7 must not
 * be one); *VALS: W's lanes minus '0' (exact below that count: borrows
 * only go up). A lane is a digit iff its high nibble is 3 and stays so
 * when 6 is added; lanes below the first non-digit are digits, so no +6
 * carries into them. */
static inline int digit_lanes(uint64_t w, uint64_t *vals)
{
    const uint64_t zeros = UINT64_C(0x3030303030303030), hi = UINT64_C(0xf0f0f0f0f0f0f0f0);
    const uint64_t low7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
    uint64_t bad = ((w & hi) ^ zeros) | (((w + UINT64_C(0x0606060606060606)) & hi) ^ zeros);
    uint64_t flags = (bad | ((bad & low7) + low7)) & ~low7;    /* the high bit of each nonzero lane */
    *vals = w - zeros;
    return __builtin_ctzll(flags) / 8;
}

/* "YYYY-MM-DD HH:MM:SS" (or 'T'/'t' between) with an optional fraction
 * ("." 1*DIGIT, truncated to microseconds) and an optional "Z", "z" or
 * "+00:00": the common shapes of CSV files and JSON logs, without the
 * general scanner. The fields come from three overlapping 8-byte words.
 * -1: not this shape (the general path decides); 0: this shape but
 * invalid (the general path rejects it too); 1: *OUT set.
 * tests/unit/test_time.c checks it against flowi_time_parse_general. */
static int time_fast(const char *t, size_t n, flow_time *out)
{
    if (n < 19 || t[4] != '-' || t[7] != '-' || t[13] != ':' || t[16] != ':' ||
        (t[10] != ' ' && t[10] != 'T' && t[10] != 't'))
        return -1;
    /* "YYYY-MM-", "DD?HH:MM", and the last two lanes of "HH:MM:SS" */
    uint64_t d0, d1, d2;
    if (!digits8(flowi_load_le64(t), UINT64_C(0x00ffff00ffffffff), &d0) ||
        !digits8(flowi_load_le64(t + 8), UINT64_C(0xffff00ffff00ffff), &d1) ||
        !digits8(flowi_load_le64(t + 11), UINT64_C(0xffff000000000000), &d2))
        return -1;
    uint64_t p0 = pairs8(d0), p1 = pairs8(d1), p2 = pairs8(d2);
    int y = (int)(p0 & 0xff) * 100 + (int)(p0 >> 16 & 0xff), mo = (int)(p0 >> 40 & 0xff);
    int d = (int)(p1 & 0xff), h = (int)(p1 >> 24 & 0xff), mi = (int)(p1 >> 48 & 0xff);
    int sec = (int)(p2 >> 48 & 0xff);
    int64_t us = 0;
    size_t i = 19;
    if (i < n && t[i] == '.') {
        size_t k = ++i;    /* the fraction is t[i..k) */
        int got = 0;       /* digits in us; 6: scaled to microseconds */
        if (n >= 27) {
            /* t[20..26] as lanes 0..6 (lane 7 zero, a non-digit): the
             * digits before the first non-digit lane, valued at once */
            uint64_t w = flowi_load_le64(t + 19) >> 8, d;
            int nd = digit_lanes(w, &d);
            if (nd == 0)
                return -1;
            int m = nd < 6 ? nd : 6;
            uint64_t p = pairs8(d & ((UINT64_C(1) << (8 * m)) - 1));    /* lanes m.. as zeros */
            us = (int64_t)(p & 0xff) * 10000 + (int64_t)(p >> 16 & 0xff) * 100 + (int64_t)(p >> 32 & 0xff);
            got = 6;
            k += (size_t)nd;
        }
        for (; k < n && (unsigned)(t[k] - '0') <= 9; k++)
            if (got < 6) {
                us = us * 10 + (t[k] - '0');
                got++;
            }
        if (k == i)
            return -1;
        for (; got < 6; got++)
            us *= 10;
        i = k;
    }
    if (i < n && (t[i] == 'Z' || t[i] == 'z'))
        i++;
    else if (n - i == 6 && memcmp(t + i, "+00:00", 6) == 0)
        i += 6;
    if (i != n)
        return -1;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
        return 0;
    /* days since 1970-01-01 of a valid date, years >= 1: no floor divisions */
    static const int16_t before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    unsigned yy = (unsigned)y - 1;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int64_t days = (int64_t)(yy * 365 + yy / 4 - yy / 100 + yy / 400) + before[mo - 1] + (mo > 2 && leap) + d - 1 -
                   719162;
    int64_t v = days * US_PER_DAY + ((int64_t)h * 3600 + mi * 60 + sec) * FLOW_US_PER_SEC + us;
    if (v < FLOW_TIME_MIN || v > FLOW_TIME_MAX)
        return 0;
    *out = v;
    return 1;
}

bool flow_time_parse(const char *text, size_t n, flow_time *out)
{
    int fast = time_fast(text, n, out);
    if (fast >= 0)
        return fast;
    return flowi_time_parse_general(text, n, out);
}

/* date = YYYY "-" MM "-" DD ; sep = "T" | "t" | " " ;
 * time = HH ":" MM ":" SS [ "." 1*DIGIT ] ; zone = [ "Z" | "z" | ("+"|"-") HH ":" MM ] */
bool flowi_time_parse_general(const char *text, size_t n, flow_time *out)
{
    scan s = { text, text + n };
    int y = fixed_digits(&s, 4);
    if (y < 1 || !take(&s, '-'))
        return false;
    int mo = field(&s, 12, '-');
    int d = field(&s, 31, 0);
    if (mo < 1 || d < 1 || d > days_in_month(y, mo))
        return false;
    if (!take(&s, 'T') && !take(&s, 't') && !take(&s, ' '))
        return false;
    int h = field(&s, 23, ':');
    int mi = field(&s, 59, ':');
    int sec = field(&s, 59, 0);
    if (h < 0 || mi < 0 || sec < 0)
        return false;
    int64_t us = 0;
    if (take(&s, '.')) {
        int k = 0;
        while (s.p < s.end && *s.p >= '0' && *s.p <= '9') {
            if (k < 6)
                us = us * 10 + (*s.p - '0');
            k++;
            s.p++;
        }
        if (k == 0)
            return false;
        for (; k < 6; k++)
            us *= 10;
    }
    int64_t offset = 0;
    if (take(&s, 'Z') || take(&s, 'z')) {
        /* UTC */
    } else if (s.p < s.end && (*s.p == '+' || *s.p == '-')) {
        int sign = *s.p++ == '-' ? -1 : 1;
        int oh = field(&s, 23, ':');
        int om = field(&s, 59, 0);
        if (oh < 0 || om < 0)
            return false;
        offset = sign * (oh * INT64_C(3600) + om * 60) * FLOW_US_PER_SEC;
    }
    if (s.p != s.end)
        return false;
    int64_t t = days_from_civil(y, mo, d) * US_PER_DAY +
                ((int64_t)h * 3600 + mi * 60 + sec) * FLOW_US_PER_SEC + us - offset;
    if (t < FLOW_TIME_MIN || t > FLOW_TIME_MAX)
        return false;
    *out = t;
    return true;
}

/* duration = 1*DIGIT [ "." 1*DIGIT ] ( "us" | "ms" | "s" | "m" | "h" | "d" )
 * A fraction finer than a microsecond is rounded half to even, as
 * timedelta does. */
bool flow_duration_parse(const char *text, size_t n, int64_t *out_us)
{
    static const struct { const char *name; int64_t us; } units[] = {
        { "us", 1 }, { "ms", 1000 }, { "s", FLOW_US_PER_SEC },
        { "m", 60 * FLOW_US_PER_SEC }, { "h", 3600 * FLOW_US_PER_SEC },
        { "d", US_PER_DAY },
    };
    size_t i = 0;
    __int128 whole = 0, frac = 0, scale = 1;
    size_t nd = 0;
    for (; i < n && text[i] >= '0' && text[i] <= '9'; i++, nd++) {
        whole = whole * 10 + (text[i] - '0');
        if (whole > INT64_MAX)
            return false;
    }
    if (nd == 0)
        return false;
    if (i < n && text[i] == '.') {
        size_t nf = 0;
        for (i++; i < n && text[i] >= '0' && text[i] <= '9'; i++, nf++) {
            if (scale < INT64_C(1000000000000000000)) {
                frac = frac * 10 + (text[i] - '0');
                scale *= 10;
            }
        }
        if (nf == 0)
            return false;
    }
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t ulen = strlen(units[u].name);
        if (n - i != ulen || memcmp(text + i, units[u].name, ulen) != 0)
            continue;
        __int128 num = frac * units[u].us;
        __int128 q = num / scale, r = num % scale;
        if (2 * r > scale || (2 * r == scale && (q & 1)))
            q++;
        __int128 v = whole * units[u].us + q;
        if (v > INT64_MAX)
            return false;
        *out_us = (int64_t)v;
        return true;
    }
    return false;
}

/* ---- repr() and str() -------------------------------------------------- */

int flowi_fmt_time(char *out, flow_time t)
{
    int y, mo, d, h, mi, s, us;
    flow_time_fields(t, &y, &mo, &d, &h, &mi, &s, &us);
    int n = sprintf(out, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
    if (us)
        n += sprintf(out + n, ".%06d", us);
    return n + sprintf(out + n, "+00:00");
}

/* Python's timedelta normal form: days (any sign), 0 <= seconds < 86400,
 * 0 <= microseconds < 10^6. */
static void split_duration(int64_t us, int64_t *days, int *secs, int *micro)
{
    *days = floor_div(us, US_PER_DAY);
    int64_t rem = floor_mod(us, US_PER_DAY);
    *secs = (int)(rem / FLOW_US_PER_SEC);
    *micro = (int)(rem % FLOW_US_PER_SEC);
}

int flowi_fmt_duration(char *out, int64_t us)
{
    int64_t days;
    int secs, micro;
    split_duration(us, &days, &secs, &micro);
    int n = 0;
    if (days)
        n = sprintf(out, "%lld day%s, ", (long long)days, days == 1 || days == -1 ? "" : "s");
    n += sprintf(out + n, "%d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
    if (micro)
        n += sprintf(out + n, ".%06d", micro);
    return n;
}

void flow_fmt_time(flow_buf *b, flow_time t)
{
    char tmp[64];
    flow_buf_put(b, tmp, (size_t)flowi_fmt_time(tmp, t));
}

void flow_fmt_duration(flow_buf *b, int64_t us)
{
    char tmp[64];
    flow_buf_put(b, tmp, (size_t)flowi_fmt_duration(tmp, us));
}

flow_str flow_str_from_time(flow_arena *a, flow_time t)
{
    char tmp[64];
    return flowi_arena_str(a, tmp, (size_t)flowi_fmt_time(tmp, t));
}

flow_str flow_str_from_duration(flow_arena *a, int64_t us)
{
    char tmp[64];
    return flowi_arena_str(a, tmp, (size_t)flowi_fmt_duration(tmp, us));
}

void flow_repr_time(flow_buf *b, flow_time t)
{
    int y, mo, d, h, mi, s, us;
    flow_time_fields(t, &y, &mo, &d, &h, &mi, &s, &us);
    char tmp[128];
    int n = sprintf(tmp, "datetime.datetime(%d, %d, %d, %d, %d", y, mo, d, h, mi);
    if (s || us)
        n += sprintf(tmp + n, ", %d", s);
    if (us)
        n += sprintf(tmp + n, ", %d", us);
    n += sprintf(tmp + n, ", tzinfo=datetime.timezone.utc)");
    flow_buf_put(b, tmp, (size_t)n);
}

void flow_repr_duration(flow_buf *b, int64_t us)
{
    int64_t days;
    int secs, micro;
    split_duration(us, &days, &secs, &micro);
    char tmp[128];
    int n = sprintf(tmp, "datetime.timedelta(");
    const char *sep = "";
    if (days) {
        n += sprintf(tmp + n, "days=%lld", (long long)days);
        sep = ", ";
    }
    if (secs) {
        n += sprintf(tmp + n, "%sseconds=%d", sep, secs);
        sep = ", ";
    }
    if (micro)
        n += sprintf(tmp + n, "%smicroseconds=%d", sep, micro);
    if (!days && !secs && !micro)
        n += sprintf(tmp + n, "0");
    tmp[n++] = ')';
    flow_buf_put(b, tmp, (size_t)n);
}
