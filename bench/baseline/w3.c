/*
 * bench/baseline/w3.c - W3 written by hand: per-instance 1-minute tumbling
 * mean of the EC2 CPU metrics on the event clock. Reads the CSV
 * (index,timestamp,value,instance; no quoted cells), keeps per instance the
 * open window (id, sum, count) and prints it when an item of a later window
 * arrives, and every open window at the end, as Python prints
 * (instance, window_id, round(mean * 1e6)). Windows are minutes counted
 * from 2022-02-24T00:00:00Z. Usage: w3 FILE > OUT
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char key[32]; size_t n; int open; int64_t wid; double sum; int64_t count; } inst;
static inst *tab;
static size_t mask = 63, count;

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int64_t num(const char *p, int n)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

static void emit(inst *s)
{
    printf("('%.*s', %lld, %lld)\n", (int)s->n, s->key, (long long)s->wid,
           (long long)nearbyint(s->sum / (double)s->count * 1000000.0));
}

static inst *lookup(const char *k, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (!tab[i].n) {
            if (++count * 2 > mask) {
                fprintf(stderr, "too many instances\n");
                exit(1);
            }
            memcpy(tab[i].key, k, n);
            tab[i].n = n;
            return &tab[i];
        }
        if (tab[i].n == n && memcmp(tab[i].key, k, n) == 0)
            return &tab[i];
    }
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (fread(buf, 1, (size_t)size, f) != (size_t)size)
        return 1;
    buf[size] = '\n';
    fclose(f);
    tab = calloc(mask + 1, sizeof *tab);
    const int64_t align = days_from_civil(2022, 2, 24) * 86400;
    char *p = memchr(buf, '\n', (size_t)size) + 1, *end = buf + size;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p + 1));
        char *c1 = memchr(p, ',', (size_t)(nl - p));
        char *ts = c1 + 1;   /* YYYY-MM-DD HH:MM:SS */
        int64_t t = days_from_civil(num(ts, 4), num(ts + 5, 2), num(ts + 8, 2)) * 86400 + num(ts + 11, 2) * 3600 +
                    num(ts + 14, 2) * 60 + num(ts + 17, 2);
        char *vp = ts + 20, *c3;
        double v = strtod(vp, &c3);
        char *k = c3 + 1;
        size_t kn = (size_t)(nl - k);
        if (kn && k[kn - 1] == '\r')
            kn--;
        int64_t d = t - align, wid = d >= 0 ? d / 60 : -((-d + 59) / 60);
        inst *s = lookup(k, kn);
        if (s->open && s->wid != wid) {
            emit(s);
            s->open = 0;
        }
        if (!s->open) {
            s->open = 1;
            s->wid = wid;
            s->sum = 0;
            s->count = 0;
        }
        s->sum += v;
        s->count++;
        p = nl + 1;
    }
    for (size_t i = 0; i <= mask; i++)
        if (tab[i].n && tab[i].open)
            emit(&tab[i]);
    return 0;
}
