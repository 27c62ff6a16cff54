/*
 * stats.c - what a compiled program says about its own run: the --stats
 * table printed on exit, and the progress line on stderr.
 *
 * The generated flow struct counts the items each step sends, one uint64_t
 * per output port, with a plain increment where the item is sent (nothing
 * else on the hot path); <flow>_new points rt->counters at that array and
 * the program info's step table (flow_step_info) says which counters are
 * whose. Items a step receives are the sum of its upstream ports' counts,
 * so they cost nothing at run time. Rates use the monotonic clock from
 * flow_rt_init, never the (possibly pinned) dataflow clock.
 */
#include "internal.h"

#include <stdio.h>

#define NS_PER_SEC INT64_C(1000000000)

void flowi_stats_start(flow_rt *rt)
{
    rt->start_ns = flowi_mono_ns();
    rt->next_progress_ns = rt->start_ns + rt->progress_every_ns;
}

/* Counter I: this instance's, or with several workers all of theirs. */
static uint64_t counter(const flow_rt *rt, int i)
{
    return rt->cluster ? flowi_cluster_counter(rt, i) : rt->counters[i];
}

static uint64_t items_in(const flow_rt *rt, const flow_step_info *s)
{
    uint64_t n = 0;
    for (int i = 0; i < s->n_in; i++)
        n += counter(rt, rt->info->in_ports[s->in_first + i]);
    return n;
}

static uint64_t items_out(const flow_rt *rt, const flow_step_info *s)
{
    uint64_t n = 0;
    for (int p = 0; p < s->n_ports; p++)
        n += counter(rt, s->port + p);
    return n;
}

/* Items the inputs have read so far. */
static uint64_t input_items(const flow_rt *rt)
{
    uint64_t n = 0;
    for (int i = 0; i < rt->info->n_steps; i++)
        if (rt->info->steps[i].n_in == 0)
            n += items_out(rt, &rt->info->steps[i]);
    return n;
}

static double rate(uint64_t n, double secs)
{
    return secs > 0 ? (double)n / secs : 0.0;
}

static void clear_progress(flow_rt *rt)
{
    if (rt->progress_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        rt->progress_shown = false;
    }
}

void flow_rt_progress(flow_rt *rt)
{
    if (!rt->counters)
        return;
    int64_t now = flowi_mono_ns();
    if (now < rt->next_progress_ns)
        return;
    rt->next_progress_ns = now + rt->progress_every_ns;
    double secs = (double)(now - rt->start_ns) / (double)NS_PER_SEC;
    uint64_t in = input_items(rt);
    /* a terminal gets one line rewritten in place; anything else a line each time */
    fprintf(stderr, "%s%s: %lld rounds, %llu items in, %.0f items/s%s", rt->err_is_tty ? "\r\033[K" : "",
            rt->info->flow_name, (long long)rt->round, (unsigned long long)in, rate(in, secs),
            rt->err_is_tty ? "" : "\n");
    fflush(stderr);
    rt->progress_shown = rt->err_is_tty;
}

void flow_rt_report(flow_rt *rt)
{
    clear_progress(rt);
    if (!rt->stats || !rt->counters)
        return;
    flow_rt_flush(rt);
    fflush(stdout);
    const flow_program_info *info = rt->info;
    double secs = (double)(flowi_mono_ns() - rt->start_ns) / (double)NS_PER_SEC;
    int w = 4, wo = 8;
    for (int i = 0; i < info->n_steps; i++) {
        if ((int)strlen(info->steps[i].step) > w)
            w = (int)strlen(info->steps[i].step);
        if ((int)strlen(info->steps[i].op) > wo)
            wo = (int)strlen(info->steps[i].op);
    }
    if (rt->cluster)
        fprintf(stderr, "%s: stats (%d workers)\n", info->flow_name, rt->nworkers);
    else
        fprintf(stderr, "%s: stats\n", info->flow_name);
    fprintf(stderr, "  %-*s  %-*s  %12s  %12s  %14s\n", w, "step", wo, "operator", "items in", "items out", "items in/s");
    for (int i = 0; i < info->n_steps; i++) {
        const flow_step_info *s = &info->steps[i];
        char in[24], out[24], per[32];
        uint64_t nin = items_in(rt, s);
        if (s->n_in) {
            snprintf(in, sizeof in, "%llu", (unsigned long long)nin);
            snprintf(per, sizeof per, "%.0f", rate(nin, secs));
        } else {
            snprintf(in, sizeof in, "-");
            snprintf(per, sizeof per, "-");
        }
        if (s->n_ports)
            snprintf(out, sizeof out, "%llu", (unsigned long long)items_out(rt, s));
        else
            snprintf(out, sizeof out, "-");
        fprintf(stderr, "  %-*s  %-*s  %12s  %12s  %14s\n", w, s->step, wo, s->op, in, out, per);
    }
    uint64_t total = input_items(rt);
    fprintf(stderr, "  %lld rounds, %.3f s, %llu items read, %.0f items/s\n", (long long)rt->round, secs,
            (unsigned long long)total, rate(total, secs));
    if (rt->cluster)
        flowi_cluster_report(rt);
}
