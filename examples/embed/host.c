/*
 * host.c - a C program that embeds the dataflow of sensors.flow.
 *
 *     flowc --lib sensors.flow              # writes sensors.h and sensors.c
 *     cc -std=c11 host.c sensors.c $(pkg-config --cflags --libs flowrt)
 *
 * Two sites, each with its own instance of the dataflow (instances share
 * nothing), read their three temperature sensors in the program's own
 * loop: one tick is one second of simulated time. Each tick the host pushes
 * the readings of a site as one batch, moves the instance's clock one
 * second on and steps it; the dataflow calibrates each reading, reports
 * the hot ones at once (`alerts`) and keeps per-sensor 10-second windows
 * (`windows`), which it hands back when the watermark closes them. At the
 * end, finish() closes every input, so the open windows are flushed.
 *
 * With --bad-probe the north site's lab sensor reports a probe model the
 * dataflow has no calibration for: the step fails with FLOW_ERROR and the
 * dataflow's message, the host closes that instance and the south site
 * goes on. docs/embedding.md walks through this file.
 */
#include <stdio.h>
#include <string.h>

#include "sensors.h"

#define TICKS 40

/* One site: its dataflow instance, and what the callbacks need. */
typedef struct Site {
    const char *name;
    double base;           /* its typical temperature */
    sensors_flow *flow;    /* NULL once closed */
    uint32_t noise;        /* state of its noise generator */
} Site;

static flow_time t0;       /* the simulation's first second */

static void on_window(void *ud, const sensors_windows_type *w)
{
    const Site *site = ud;
    printf("%s: %-4.*s window %lld: %lld readings, mean %.2f, low %.2f, high %.2f\n", site->name,
           (int)w->sensor.n, w->sensor.p, (long long)w->window, (long long)w->count, w->mean, w->low,
           w->high);
}

static void on_alert(void *ud, const sensors_alerts_type *r)
{
    const Site *site = ud;
    printf("%s: ALERT %.*s at %.2f C (t=%llds)\n", site->name, (int)r->sensor.n, r->sensor.p, r->celsius,
           (long long)((r->time - t0) / FLOW_US_PER_SEC));
}

/* A small deterministic noise in [-1, 1) (a linear congruential generator). */
static double noise(Site *s)
{
    s->noise = s->noise * 1103515245u + 12345u;
    return (double)((s->noise >> 16) & 0x7fff) / 16384.0 - 1.0;
}

/* The readings of SITE at second TICK (some sensors do not report every
 * second) into OUT; returns how many. */
static size_t read_sensors(Site *s, int tick, sensors_readings_type *out)
{
    static const struct {
        const char *name;
        int probe;        /* calibration model, an index into sensors.flow's offsets */
        int every;        /* reports every N seconds */
        double warm;      /* degrees above the site's base */
    } sensors[] = { { "hall", 0, 1, 0.0 }, { "lab", 1, 2, 3.0 }, { "roof", 2, 3, 5.0 } };
    size_t n = 0;
    for (size_t i = 0; i < sizeof sensors / sizeof sensors[0]; i++) {
        if (tick % sensors[i].every != 0)
            continue;
        double sun = tick >= 20 && tick < 30 ? 4.0 : 0.0;   /* a sunny spell warms the roof */
        out[n++] = (sensors_readings_type){
            .sensor = { sensors[i].name, (int64_t)strlen(sensors[i].name) },
            .probe = sensors[i].probe,
            .time = t0 + (flow_time)tick * FLOW_US_PER_SEC,
            .celsius = s->base + sensors[i].warm + (i == 2 ? sun : 0.0) + noise(s),
        };
    }
    return n;
}

/* Report a failed call and close the site's instance. */
static void fail(Site *s, const char *call, int rc)
{
    fprintf(stderr, "%s: %s returned %d: %s\n", s->name, call, rc, sensors_errmsg(s->flow));
    sensors_close(s->flow);
    s->flow = NULL;
    fprintf(stderr, "%s: instance closed; the other site goes on\n", s->name);
}

int main(int argc, char **argv)
{
    bool bad_probe = argc > 1 && strcmp(argv[1], "--bad-probe") == 0;
    const char *start = "2024-01-01T00:00:00Z";
    flow_time_parse(start, strlen(start), &t0);

    Site sites[] = { { "north", 18.0, NULL, 1 }, { "south", 23.0, NULL, 2 } };
    int status = 0;
    for (int i = 0; i < 2; i++) {
        Site *s = &sites[i];
        if (sensors_open(&s->flow) != FLOW_OK) {
            fprintf(stderr, "%s: cannot create the dataflow: %s\n", s->name, sensors_errmsg(s->flow));
            return 1;
        }
        sensors_on_windows(s->flow, on_window, s);
        sensors_on_alerts(s->flow, on_alert, s);
        sensors_set_time(s->flow, t0);   /* the simulation's clock, not the machine's */
    }

    for (int tick = 0; tick < TICKS; tick++) {
        for (int i = 0; i < 2; i++) {
            Site *s = &sites[i];
            if (!s->flow)
                continue;
            sensors_readings_type batch[3];
            size_t n = read_sensors(s, tick, batch);
            int rc = sensors_push_readings_batch(s->flow, batch, n);
            if (rc == FLOW_OK && bad_probe && i == 0 && tick == 25) {
                sensors_readings_type bad = batch[0];
                bad.probe = 7;   /* a model sensors.flow has no calibration for */
                rc = sensors_push_readings(s->flow, &bad);
            }
            if (rc == FLOW_OK)
                rc = sensors_step(s->flow);
            if (rc == FLOW_OK)
                rc = sensors_advance_time(s->flow, FLOW_US_PER_SEC);
            if (rc != FLOW_OK) {
                fail(s, "step", rc);
                status = 1;
            }
        }
    }

    for (int i = 0; i < 2; i++) {
        Site *s = &sites[i];
        if (!s->flow)
            continue;
        int rc = sensors_finish(s->flow);   /* EOF: the open windows close */
        if (rc != FLOW_DONE) {
            fail(s, "finish", rc);
            status = 1;
            continue;
        }
        sensors_close(s->flow);
    }
    return status;
}
