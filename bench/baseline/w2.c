/*
 * bench/baseline/w2.c - W2 written by hand: Bytewax's word count.
 * Reads the file, lowercases (Unicode, as Python's str.lower for the text's
 * letters: ASCII by table, other code points with towlower), splits words
 * at Python's \s and !,.?":;0-9, counts them in an open-addressing hash
 * table, and prints (word, count) in byte order of the words as Python
 * prints the tuple. Usage: w2 FILE > OUT
 */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

typedef struct { char *w; uint32_t n, hash; int64_t count; } entry;
static entry *tab;
static size_t mask = 1023, count;

static uint32_t hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

static void grow(void)
{
    size_t ncap = (mask + 1) * 2;
    entry *nt = calloc(ncap, sizeof *nt);
    for (size_t i = 0; i <= mask; i++)
        if (tab[i].w) {
            size_t j = tab[i].hash & (ncap - 1);
            while (nt[j].w)
                j = (j + 1) & (ncap - 1);
            nt[j] = tab[i];
        }
    free(tab);
    tab = nt;
    mask = ncap - 1;
}

static void add(const char *w, size_t n)
{
    uint32_t h = hash(w, n);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        entry *e = &tab[i];
        if (!e->w) {
            e->w = malloc(n);
            memcpy(e->w, w, n);
            e->n = (uint32_t)n;
            e->hash = h;
            e->count = 1;
            if (++count * 4 > (mask + 1) * 3)
                grow();
            return;
        }
        if (e->hash == h && e->n == n && memcmp(e->w, w, n) == 0) {
            e->count++;
            return;
        }
    }
}

static int cmp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->w, y->w, n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* ASCII: 1 = part of a word (lowercased by lower[]), 0 = a separator */
static unsigned char word_byte[128], lower[128];

static uint32_t decode(const unsigned char *p, const unsigned char *end, int *len)
{
    if (p[0] < 0xE0 && p + 1 < end) { *len = 2; return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F); }
    if (p[0] < 0xF0 && p + 2 < end) { *len = 3; return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F); }
    if (p + 3 < end) { *len = 4; return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F); }
    *len = 1;
    return p[0];
}

static int encode(uint32_t c, char *o)
{
    if (c < 0x80) { o[0] = (char)c; return 1; }
    if (c < 0x800) { o[0] = (char)(0xC0 | c >> 6); o[1] = (char)(0x80 | (c & 0x3F)); return 2; }
    if (c < 0x10000) { o[0] = (char)(0xE0 | c >> 12); o[1] = (char)(0x80 | (c >> 6 & 0x3F)); o[2] = (char)(0x80 | (c & 0x3F)); return 3; }
    o[0] = (char)(0xF0 | c >> 18); o[1] = (char)(0x80 | (c >> 12 & 0x3F));
    o[2] = (char)(0x80 | (c >> 6 & 0x3F)); o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    setlocale(LC_CTYPE, "C.UTF-8");
    for (int c = 0; c < 128; c++) {
        word_byte[c] = !(c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F) ||
                         strchr("!,.?\":;0123456789", c)) || c == 0;
        lower[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    word_byte[0] = 1;
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)size + 1);
    if (fread(buf, 1, (size_t)size, f) != (size_t)size)
        return 1;
    fclose(f);
    tab = calloc(mask + 1, sizeof *tab);
    char word[4096];
    size_t wn = 0;
    const unsigned char *p = buf, *end = buf + size;
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            if (word_byte[c]) {
                if (wn < sizeof word - 4)
                    word[wn++] = (char)lower[c];
            } else if (wn) {
                add(word, wn);
                wn = 0;
            }
            p++;
            continue;
        }
        int len;
        uint32_t cp = decode(p, end, &len);
        p += len;
        if (iswspace((wint_t)cp) || cp == 0x85 || cp == 0xA0) {
            if (wn) {
                add(word, wn);
                wn = 0;
            }
        } else if (wn < sizeof word - 4) {
            wn += (size_t)encode((uint32_t)towlower((wint_t)cp), word + wn);
        }
    }
    if (wn)
        add(word, wn);
    entry *all = malloc(count * sizeof *all);
    size_t k = 0;
    for (size_t i = 0; i <= mask; i++)
        if (tab[i].w)
            all[k++] = tab[i];
    qsort(all, k, sizeof *all, cmp);
    for (size_t i = 0; i < k; i++) {
        entry *e = &all[i];
        char q = memchr(e->w, '\'', e->n) ? '"' : '\'';
        putchar('(');
        putchar(q);
        for (uint32_t j = 0; j < e->n; j++) {
            unsigned char c = (unsigned char)e->w[j];
            if (c == '\\')
                fputs("\\\\", stdout);
            else if (c < 0x20 || c == 0x7F)
                printf("\\x%02x", c);
            else
                putchar(c);
        }
        printf("%c, %lld)\n", q, (long long)e->count);
    }
    return 0;
}
