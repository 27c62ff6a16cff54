/*
 * bench/baseline/w4.c - W4 written by hand: events as JSON lines
 * {"time": "2022-01-01T00:00:00.002000Z", "user": "u123", "val": 5},
 * counted per user in 10-second tumbling windows of event time (from
 * 2022-01-01T00:00:00Z). Finds the members by name on each line, keeps per
 * user the open window (id, count) in a hash table and prints it when an
 * event of a later window arrives, and every open window at the end, as
 * Python prints (user, (window_id, count)). Usage: w4 FILE > OUT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *key; uint32_t n, hash; int open; int64_t wid, count; } user;
static user *tab;
static size_t mask = 1023, count;

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

static void grow(void)
{
    size_t ncap = (mask + 1) * 2;
    user *nt = calloc(ncap, sizeof *nt);
    for (size_t i = 0; i <= mask; i++)
        if (tab[i].key) {
            size_t j = tab[i].hash & (ncap - 1);
            while (nt[j].key)
                j = (j + 1) & (ncap - 1);
            nt[j] = tab[i];
        }
    free(tab);
    tab = nt;
    mask = ncap - 1;
}

static user *lookup(const char *k, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        user *u = &tab[i];
        if (!u->key) {
            if ((count + 1) * 4 > (mask + 1) * 3) {
                grow();
                return lookup(k, n);
            }
            u->key = malloc(n);
            memcpy(u->key, k, n);
            u->n = (uint32_t)n;
            u->hash = h;
            count++;
            return u;
        }
        if (u->hash == h && u->n == n && memcmp(u->key, k, n) == 0)
            return u;
    }
}

static void emit(const user *u)
{
    printf("('%.*s', (%lld, %lld))\n", (int)u->n, u->key, (long long)u->wid, (long long)u->count);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 1;
    tab = calloc(mask + 1, sizeof *tab);
    const int64_t align = days_from_civil(2022, 1, 1) * 86400 * INT64_C(1000000);
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        char *t = strstr(line, "\"time\"");
        char *u = strstr(line, "\"user\"");
        if (!t || !u)
            continue;
        t = strchr(t + 6, '"') + 1;   /* 2022-01-01T00:00:00.002000Z */
        int64_t us = (days_from_civil(num(t, 4), num(t + 5, 2), num(t + 8, 2)) * 86400 + num(t + 11, 2) * 3600 +
                      num(t + 14, 2) * 60 + num(t + 17, 2)) * INT64_C(1000000) + num(t + 20, 6);
        u = strchr(u + 6, '"') + 1;
        size_t kn = (size_t)(strchr(u, '"') - u);
        int64_t d = us - align, wid = d >= 0 ? d / 10000000 : -((-d + 9999999) / 10000000);
        user *s = lookup(u, kn);
        if (s->open && s->wid != wid) {
            emit(s);
            s->open = 0;
        }
        if (!s->open) {
            s->open = 1;
            s->wid = wid;
            s->count = 0;
        }
        s->count++;
    }
    fclose(f);
    for (size_t i = 0; i <= mask; i++)
        if (tab[i].key && tab[i].open)
            emit(&tab[i]);
    return 0;
}
