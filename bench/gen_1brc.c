/* bench/gen_1brc.c - writes the input of the One Billion Row Challenge
 * (github.com/gunnarmorling/1brc), which Bytewax's examples/1brc.py reads:
 * lines "STATION;TEMPERATURE", the temperature in degrees Celsius with
 * exactly one decimal, drawn from a normal distribution (standard deviation
 * 10) around the station's mean, as the challenge's CreateMeasurements
 * does, clamped to [-99.9, 99.9].
 *
 *   gen_1brc ROWS [SEED] > measurements.txt
 *
 * The stations are 100 of the challenge's 413, with their means; some names
 * are not ASCII (UTF-8 bytes, as in the challenge). The output depends only
 * on ROWS and SEED (default 1): a xorshift generator, no libc random state.
 * About 14 bytes a row: 100 M rows are about 1.4 GB; writes at disk speed.
 * Exit status 0, or 1 with a message when stdout cannot be written. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    double mean;
} stations[] = {
    { "Abha", 18.0 },         { "Abidjan", 26.0 },        { "Abéché", 29.4 },      { "Accra", 26.4 },
    { "Addis Ababa", 16.0 },  { "Adelaide", 17.3 },       { "Aden", 29.1 },        { "Ahvaz", 25.4 },
    { "Albuquerque", 14.0 },  { "Alexandra", 11.0 },      { "Alexandria", 20.0 },  { "Algiers", 18.2 },
    { "Alice Springs", 21.0 }, { "Almaty", 10.0 },        { "Amsterdam", 10.2 },   { "Anadyr", -6.9 },
    { "Anchorage", 2.8 },     { "Andorra la Vella", 9.8 }, { "Ankara", 12.0 },     { "Antananarivo", 17.9 },
    { "Antsiranana", 25.2 },  { "Arkhangelsk", 1.3 },     { "Ashgabat", 17.1 },    { "Asmara", 15.6 },
    { "Assab", 30.5 },        { "Astana", 3.5 },          { "Athens", 19.2 },      { "Atlanta", 17.0 },
    { "Auckland", 15.2 },     { "Austin", 20.7 },         { "Baghdad", 22.77 },    { "Baguio", 19.5 },
    { "Baku", 15.1 },         { "Baltimore", 13.1 },      { "Bamako", 27.8 },      { "Bangkok", 28.6 },
    { "Bangui", 26.0 },       { "Banjul", 26.0 },         { "Barcelona", 18.2 },   { "Bata", 25.1 },
    { "Batumi", 14.0 },       { "Beijing", 12.9 },        { "Beirut", 20.9 },      { "Belgrade", 12.5 },
    { "Belize City", 26.7 },  { "Benghazi", 19.9 },       { "Bergen", 7.7 },       { "Berlin", 10.3 },
    { "Bilbao", 14.7 },       { "Birao", 26.5 },          { "Bishkek", 11.3 },     { "Bissau", 27.0 },
    { "Blantyre", 22.2 },     { "Bloemfontein", 15.6 },   { "Boise", 11.4 },       { "Bordeaux", 14.2 },
    { "Bosaso", 30.0 },       { "Boston", 10.9 },         { "Bouaké", 26.0 },      { "Bratislava", 10.5 },
    { "Brazzaville", 25.0 },  { "Bridgetown", 27.0 },     { "Brisbane", 21.4 },    { "Brussels", 10.5 },
    { "Bucharest", 10.8 },    { "Budapest", 11.3 },       { "Bujumbura", 23.8 },   { "Bulawayo", 18.9 },
    { "Burnie", 13.1 },       { "Busan", 15.0 },          { "Cabo San Lucas", 23.9 }, { "Cairns", 25.0 },
    { "Cairo", 21.4 },        { "Calgary", 4.4 },         { "Canberra", 13.1 },    { "Cape Town", 16.2 },
    { "Changsha", 17.4 },     { "Charlotte", 16.1 },      { "Chiang Mai", 25.8 },  { "Chicago", 9.8 },
    { "Chihuahua", 18.6 },    { "Chișinău", 10.2 },       { "Chittagong", 25.9 },  { "Chongqing", 18.6 },
    { "Christchurch", 12.2 }, { "City of San Marino", 11.8 }, { "Colombo", 27.4 }, { "Columbus", 11.7 },
    { "Conakry", 26.4 },      { "Copenhagen", 9.1 },      { "Cotonou", 27.2 },     { "Cracow", 9.3 },
    { "Da Lat", 17.9 },       { "Da Nang", 25.8 },        { "Dakar", 24.0 },       { "Dallas", 19.0 },
    { "Damascus", 17.0 },     { "Dampier", 26.4 },        { "Dar es Salaam", 25.8 }, { "Darwin", 27.6 },
};
#define NSTATIONS (sizeof stations / sizeof stations[0])

static uint64_t rng;

/* xorshift64*: 64 random bits */
static uint64_t next_u64(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

/* uniform in (0, 1) */
static double next_unit(void) { return ((double)(next_u64() >> 11) + 0.5) / 9007199254740992.0; }

/* standard normal (Box-Muller, one of the pair) */
static double next_gauss(void) { return sqrt(-2.0 * log(next_unit())) * cos(6.283185307179586 * next_unit()); }

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gen_1brc ROWS [SEED] > measurements.txt\n");
        return 2;
    }
    char *end;
    long long rows = strtoll(argv[1], &end, 10);
    if (*end || rows < 0) {
        fprintf(stderr, "gen_1brc: ROWS must be a whole number, not '%s'\n", argv[1]);
        return 2;
    }
    rng = argc == 3 ? strtoull(argv[2], NULL, 10) * 0x9E3779B97F4A7C15ULL + 1 : 0x9E3779B97F4A7C15ULL;
    static char buf[1 << 16];
    size_t n = 0;
    for (long long i = 0; i < rows; i++) {
        size_t s = (size_t)(next_u64() % NSTATIONS);
        double t = stations[s].mean + 10.0 * next_gauss();
        long tenths = lround(t * 10.0);
        if (tenths > 999)
            tenths = 999;
        if (tenths < -999)
            tenths = -999;
        if (n + 64 > sizeof buf) {
            if (fwrite(buf, 1, n, stdout) != n)
                goto write_error;
            n = 0;
        }
        size_t len = strlen(stations[s].name);
        memcpy(buf + n, stations[s].name, len);
        n += len;
        n += (size_t)sprintf(buf + n, ";%s%ld.%ld\n", tenths < 0 ? "-" : "", labs(tenths) / 10, labs(tenths) % 10);
    }
    if (fwrite(buf, 1, n, stdout) != n || fflush(stdout) != 0)
        goto write_error;
    return 0;
write_error:
    fprintf(stderr, "gen_1brc: write error: %s\n", strerror(errno));
    return 1;
}
