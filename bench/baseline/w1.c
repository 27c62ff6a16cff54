/*
 * bench/baseline/w1.c - W1 written by hand: a keyed running sum.
 * For x in 0..N-1: key = decimal string of x % 10000, sum[key] += x, and the
 * item (key, sum) goes to a discard sink (or, with -p, is printed as
 * Python prints the tuple, for the output check). The ceiling flowc's
 * generated code is measured against: one open-addressing hash table of
 * string keys, a small itoa, no per-item allocation.
 * Usage: w1 N [-p]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *key; uint32_t len, hash; int64_t sum; } entry;

static entry *tab;
static size_t mask, count;

static uint32_t hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;                 /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

static void grow(void)
{
    size_t ncap = (mask + 1) * 2;
    entry *nt = calloc(ncap, sizeof *nt);
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

static entry *upsert(const char *k, size_t n)
{
    uint32_t h = hash(k, n);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        entry *e = &tab[i];
        if (!e->key) {
            if ((count + 1) * 4 > (mask + 1) * 3) {
                grow();
                return upsert(k, n);
            }
            e->key = malloc(n);
            memcpy(e->key, k, n);
            e->len = (uint32_t)n;
            e->hash = h;
            count++;
            return e;
        }
        if (e->hash == h && e->len == n && memcmp(e->key, k, n) == 0)
            return e;
    }
}

/* Decimal digits of V >= 0 at the end of BUF[20]; returns the start. */
static char *itoa_end(int64_t v, char *end)
{
    char *p = end;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

int main(int argc, char **argv)
{
    int64_t n = argc > 1 ? atoll(argv[1]) : 50000000;
    int print = argc > 2 && strcmp(argv[2], "-p") == 0;
    mask = 15;
    tab = calloc(mask + 1, sizeof *tab);
    volatile int64_t sink = 0;
    char buf[24];
    for (int64_t x = 0; x < n; x++) {
        char *k = itoa_end(x % 10000, buf + sizeof buf);
        size_t kn = (size_t)(buf + sizeof buf - k);
        entry *e = upsert(k, kn);
        e->sum += x;
        if (print)
            printf("('%.*s', %lld)\n", (int)kn, k, (long long)e->sum);
        else
            sink = e->sum;     /* the discard sink */
    }
    (void)sink;
    return 0;
}
