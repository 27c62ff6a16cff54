/*
 * bench/baseline/brc.c - the One Billion Row Challenge (Bytewax's
 * examples/1brc.py, our examples/1brc.flow) written by hand: reads lines
 * "STATION;TEMPERATURE", keeps per station min, max, sum (added in input
 * order, as the Python reducer does) and count, and prints at the end, for
 * each station in ascending byte order of its name, what the example's
 * mapper prints: f"{key}={min:.1f}/{max:.1f}/{mean:.1f}" (printf's %.1f
 * rounds the binary double as Python's format does). One thread, an
 * open-addressing table keyed by the name's bytes, 1 MiB reads.
 * Usage: brc FILE > OUT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;
    size_t n;
    double min, max, sum;
    int64_t count;
} station;

static station *tab;
static size_t mask = 1023, used;

static uint64_t hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static void grow(void)
{
    size_t old = mask + 1;
    station *ot = tab;
    mask = old * 2 - 1;
    tab = calloc(mask + 1, sizeof *tab);
    for (size_t i = 0; i < old; i++)
        if (ot[i].key) {
            size_t j = hash(ot[i].key, ot[i].n) & mask;
            while (tab[j].key)
                j = (j + 1) & mask;
            tab[j] = ot[i];
        }
    free(ot);
}

static void add(const char *k, size_t n, double x)
{
    size_t j = hash(k, n) & mask;
    while (tab[j].key && (tab[j].n != n || memcmp(tab[j].key, k, n) != 0))
        j = (j + 1) & mask;
    station *s = &tab[j];
    if (!s->key) {
        s->key = malloc(n);
        memcpy(s->key, k, n);
        s->n = n;
        s->min = s->max = s->sum = x;
        s->count = 1;
        if (++used * 2 > mask)
            grow();
        return;
    }
    if (x < s->min)
        s->min = x;
    if (x > s->max)
        s->max = x;
    s->sum += x;
    s->count++;
}

static int by_key(const void *a, const void *b)
{
    const station *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* one line (without its newline) */
static void line(char *p, size_t n)
{
    char *semi = memchr(p, ';', n);
    if (!semi)
        return;
    p[n] = '\0';   /* the newline's place */
    add(p, (size_t)(semi - p), strtod(semi + 1, NULL));
}

int main(int argc, char **argv)
{
    FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
    if (!f) {
        fprintf(stderr, "usage: brc FILE\n");
        return 2;
    }
    tab = calloc(mask + 1, sizeof *tab);
    size_t cap = 1 << 20, have = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        size_t r = fread(buf + have, 1, cap - have, f);
        have += r;
        size_t start = 0;
        for (char *nl; (nl = memchr(buf + start, '\n', have - start)) != NULL; start = (size_t)(nl - buf) + 1)
            line(buf + start, (size_t)(nl - buf) - start);
        memmove(buf, buf + start, have - start);
        have -= start;
        if (r == 0) {
            if (have)
                line(buf, have);
            break;
        }
    }
    fclose(f);
    station *all = malloc(used * sizeof *all);
    size_t k = 0;
    for (size_t i = 0; i <= mask; i++)
        if (tab[i].key)
            all[k++] = tab[i];
    qsort(all, k, sizeof *all, by_key);
    for (size_t i = 0; i < k; i++)
        printf("%.*s=%.1f/%.1f/%.1f\n", (int)all[i].n, all[i].key, all[i].min, all[i].max,
               all[i].sum / (double)all[i].count);
    return 0;
}
