/*
 * io_kafka.c - the kafka source and sink, with librdkafka (Debian's
 * librdkafka). The source is a consumer in a group (`group`, "flowc" by
 * default) subscribed to the topics, so consumers of one group split the
 * partitions between them; offsets are not committed (as Bytewax, which
 * keeps them in its snapshots); `starting_offset` picks where a partition
 * without a committed offset starts. With `tail = false` the source ends
 * once every partition assigned to it has reached its end. Each poll
 * takes up to `batch` messages, waiting at most 10 ms for the first.
 * With several workers (-w N, MPI) each worker has a consumer of its own
 * and is assigned its share of the partitions (assign_share) instead of
 * joining the group's balancing.
 * With recovery (-r) the source is Bytewax's KafkaSource instead: no
 * group membership; it lists its topics' partitions and assigns every one
 * (with several workers: its share) itself, each at the offset of the
 * snapshot it resumes from (when the snapshot has one) or else at
 * `starting_offset`; the offsets it has read to go into each snapshot
 * (flowi_kafka_save, docs/recovery.md).
 * The sink is a producer: one message per item, the key of a keyed item as
 * the message key; it is flushed at the end of the run (and before an
 * error exit). librdkafka properties beyond the options (security, client
 * id, timeouts) come from the program's `add_config` and from the
 * run-time options --kafka-property and --kafka-config, in that order.
 * Broker errors (an unknown topic, a failed delivery, failed
 * authentication, no broker reachable for session.timeout.ms) stop the
 * program with "BROKERS: error: kafka: ..."; brokers that are down for
 * less (a restart) are waited for, as librdkafka reconnects by itself.
 */
#include "io.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A partition this consumer has been assigned (now or earlier in the run). */
typedef struct kpart {
    char *topic;
    int32_t partition;
    bool eof;               /* reached its end since the last message */
    bool mine;              /* in the current assignment */
    int64_t next;           /* offset after the last message read; -1: none */
} kpart;

typedef struct ksrc {
    rd_kafka_t *rk;
    kpart *parts;
    size_t nparts, capparts;
    bool assigned;          /* has had an assignment */
    bool manual;            /* recovery: assign every partition (its share), no group (assign_all) */
    bool fixed;             /* several workers: its share, assigned once (assign_share, assign_all) */
    char err[1024];        /* a fatal error from a callback */
    char where[256];        /* "topic/partition@offset" of the current message */
    char down[256];         /* librdkafka's "N/N brokers are down" */
    char last[512];         /* the last connection error, for the message */
    int64_t down_since;     /* now_ms() when every broker went down; 0: some is up */
    int64_t session_ms;     /* session.timeout.ms: how long they may stay down */
} ksrc;

static void set(rd_kafka_conf_t *conf, flow_rt *rt, const char *brokers, const char *k, const char *v)
{
    char err[512];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK)
        flow_data_error(rt, brokers, 0, "kafka: %s", err);
}

/* librdkafka's own log lines ("%3|...|FAIL|...") are off: the errors that
 * matter come through the error and delivery callbacks and end the program
 * with one "BROKERS: error: kafka: ..." line. FLOW_KAFKA_DEBUG=CONTEXTS
 * (librdkafka's `debug` property: "broker,cgrp,topic", "all") turns them
 * on, with everything down to debug level, for diagnosing a connection. */
static void set_logging(rd_kafka_conf_t *conf, flow_rt *rt, const char *brokers)
{
    const char *debug = getenv("FLOW_KAFKA_DEBUG");
    if (debug && *debug) {
        set(conf, rt, brokers, "debug", debug);
        set(conf, rt, brokers, "log_level", "7");
    } else {
        set(conf, rt, brokers, "log_level", "0");
    }
}

/* ---- librdkafka properties: add_config, --kafka-property, --kafka-config -- */

/* The properties that an option sets (compiler/sema_io.c refuses them in
 * add_config with the same list): the option to use instead. */
static const char *const owned[][2] = {
    { "bootstrap.servers", "--input/--output STEP=BROKERS (the brokers option)" },
    { "group.id", "the group option of the kafka source" },
    { "auto.offset.reset", "the starting_offset option of the kafka source" },
    { "enable.partition.eof", "the tail option of the kafka source" },
};

/* One run-time property "[STEP:]KEY=VALUE", split in place. */
typedef struct kprop {
    const char *step;       /* NULL: every kafka input and output */
    const char *key, *val;
    const char *where;      /* "--kafka-property" or "FILE:LINE", for messages */
} kprop;

typedef bool (*prop_fn)(void *ctx, const kprop *p, char *err, size_t n);

/* Split SPEC (modified) into P; false when it is not [STEP:]KEY=VALUE. */
static bool split_prop(char *spec, kprop *p)
{
    char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return false;
    *eq = 0;
    p->val = eq + 1;
    char *colon = strchr(spec, ':');
    p->step = NULL;
    p->key = spec;
    if (colon) {
        *colon = 0;
        p->step = spec;
        p->key = colon + 1;
    }
    return *p->key && (!p->step || *p->step);
}

/* FN for the property of --kafka-property V, or for each line of the file
 * V of --kafka-config (blank lines and lines starting with # skipped,
 * blanks around the line and around its first = removed). False, with
 * ERR, on a malformed property, an unreadable file, or FN's false. */
static bool each_prop(bool file, const char *v, prop_fn fn, void *ctx, char *err, size_t n)
{
    kprop p;
    if (!file) {
        char *spec = flowi_strdup(v);
        p.where = "--kafka-property";
        bool ok = split_prop(spec, &p);
        if (!ok)
            snprintf(err, n, "--kafka-property expects [STEP:]KEY=VALUE, got '%s'", v);
        else
            ok = fn(ctx, &p, err, n);
        flowi_strfree(spec);
        return ok;
    }
    FILE *f = fopen(v, "r");
    if (!f) {
        snprintf(err, n, "--kafka-config: %s: cannot open: %s", v, strerror(errno));
        return false;
    }
    char *line = NULL, where[300];
    size_t cap = 0;
    bool ok = true;
    for (int no = 1; ok && getline(&line, &cap, f) >= 0; no++) {
        char *a = line, *z = line + strlen(line);
        while (*a == ' ' || *a == '\t')
            a++;
        while (z > a && (z[-1] == '\n' || z[-1] == '\r' || z[-1] == ' ' || z[-1] == '\t'))
            *--z = 0;
        if (!*a || *a == '#')
            continue;
        snprintf(where, sizeof where, "%s:%d", v, no);
        p.where = where;
        char *eq = strchr(a, '=');
        if (eq) {   /* blanks around the = */
            char *k = eq, *val = eq + 1;
            while (k > a && (k[-1] == ' ' || k[-1] == '\t'))
                k--;
            while (*val == ' ' || *val == '\t')
                val++;
            memmove(k + 1, val, strlen(val) + 1);
            *k = '=';
        }
        if (!split_prop(a, &p)) {
            snprintf(err, n, "%s: expected [STEP:]KEY=VALUE", where);
            ok = false;
        } else {
            ok = fn(ctx, &p, err, n);
        }
    }
    free(line);
    fclose(f);
    return ok;
}

/* The value of run-time option --kafka-property or --kafka-config at
 * argv[*I] (*FILE tells which), or NULL. */
static const char *prop_arg(const flow_rt *rt, int *i, bool *file)
{
    int j = *i;   /* flowi_arg_value steps over --kafka-config's value */
    const char *v = flowi_arg_value(rt, &j, "--kafka-property");
    if (v) {
        *i = j;
        *file = false;
        return v;
    }
    *file = true;
    return flowi_arg_value(rt, i, "--kafka-config");
}

/* Is STEP a kafka input or output of the flow? */
static bool kafka_step(const flow_program_info *info, const char *step)
{
    for (int k = 0; k < info->n_inputs; k++)
        if (strcmp(info->inputs[k].step, step) == 0 && strcmp(info->inputs[k].kind, "kafka") == 0)
            return true;
    for (int k = 0; k < info->n_outputs; k++)
        if (strcmp(info->outputs[k].step, step) == 0 && strcmp(info->outputs[k].kind, "kafka") == 0)
            return true;
    return false;
}

/* Has the flow a kafka input or output? */
static bool any_kafka_step(const flow_program_info *info)
{
    for (int k = 0; k < info->n_inputs; k++)
        if (strcmp(info->inputs[k].kind, "kafka") == 0)
            return true;
    for (int k = 0; k < info->n_outputs; k++)
        if (strcmp(info->outputs[k].kind, "kafka") == 0)
            return true;
    return false;
}

/* A run-time property is for a kafka step of the flow, not one an option
 * sets, and librdkafka takes its value (checked on a scratch
 * configuration: an unknown key or a bad value is a usage error before
 * anything runs). */
static bool check_prop(void *ctx, const kprop *p, char *err, size_t n)
{
    const flow_rt *rt = ctx;
    if (p->step ? !kafka_step(rt->info, p->step) : !any_kafka_step(rt->info)) {
        snprintf(err, n, "%s: the flow has no kafka input or output%s%s%s", p->where, p->step ? " named '" : "",
                 p->step ? p->step : "", p->step ? "'" : "");
        return false;
    }
    for (size_t k = 0; k < sizeof owned / sizeof owned[0]; k++)
        if (strcmp(p->key, owned[k][0]) == 0) {
            snprintf(err, n, "%s: %s is set by %s", p->where, p->key, owned[k][1]);
            return false;
        }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char why[512];
    bool ok = rd_kafka_conf_set(conf, p->key, p->val, why, sizeof why) == RD_KAFKA_CONF_OK;
    if (!ok)
        snprintf(err, n, "%s: %s", p->where, why);
    rd_kafka_conf_destroy(conf);
    return ok;
}

bool flowi_kafka_check_option(const flow_rt *rt, bool file, const char *v, char *err, size_t n)
{
    return each_prop(file, v, check_prop, (void *)rt, err, n);
}

typedef struct applying {
    rd_kafka_conf_t *conf;
    flow_rt *rt;
    const char *step, *brokers;
} applying;

static bool apply_prop(void *ctx, const kprop *p, char *err, size_t n)
{
    applying *ap = ctx;
    (void)err;
    (void)n;
    if (p->step && strcmp(p->step, ap->step) != 0)
        return true;
    char why[512];
    if (rd_kafka_conf_set(ap->conf, p->key, p->val, why, sizeof why) != RD_KAFKA_CONF_OK)
        flow_data_error(ap->rt, ap->brokers, 0, "kafka: %s: %s", p->where, why);
    return true;
}

/* The program's add_config (CONFIG: NCONFIG KEY, VALUE pairs), then the
 * run-time properties for STEP in command-line order: later ones win. */
static void set_config(rd_kafka_conf_t *conf, flow_rt *rt, const char *brokers, const char *step,
                       const char *const *config, int nconfig)
{
    char why[512];
    for (int i = 0; i < nconfig; i++)
        if (rd_kafka_conf_set(conf, config[2 * i], config[2 * i + 1], why, sizeof why) != RD_KAFKA_CONF_OK)
            flow_data_error(rt, brokers, 0, "kafka: add_config: %s", why);
    applying ap = { conf, rt, step, brokers };
    for (int i = 1; i < rt->argc; i++) {
        bool file;
        const char *v = prop_arg(rt, &i, &file);
        char err[600];
        if (v && !each_prop(file, v, apply_prop, &ap, err, sizeof err))
            flow_data_error(rt, brokers, 0, "kafka: %s", err);
    }
}

/* librdkafka's value of KEY (an integer property) in CONF. */
static int64_t conf_int(rd_kafka_conf_t *conf, const char *key)
{
    char v[64];
    size_t n = sizeof v;
    if (rd_kafka_conf_get(conf, key, v, &n) != RD_KAFKA_CONF_OK)
        return 0;
    return strtoll(v, NULL, 10);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void clear_parts(ksrc *k)
{
    for (size_t i = 0; i < k->nparts; i++)
        flow_free(k->parts[i].topic, strlen(k->parts[i].topic) + 1);
    k->nparts = 0;
}

/* Fatal errors stop the program; every broker down starts the clock of
 * flowi_kafka_next's wait for one to come back. */
static void src_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    ksrc *k = opaque;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        if (!k->down_since)
            k->down_since = now_ms();
        snprintf(k->down, sizeof k->down, "%s", reason);
    } else if (err == RD_KAFKA_RESP_ERR__FATAL || err == RD_KAFKA_RESP_ERR__AUTHENTICATION) {
        if (!k->err[0])
            snprintf(k->err, sizeof k->err, "kafka: %s", reason);
    } else {
        snprintf(k->last, sizeof k->last, "%s", reason);
    }
}

/* Every broker has been down since k->down_since: past session.timeout.ms
 * (the group has dropped this member by then) one is asked for metadata,
 * and when none answers the program stops. A restart that takes less is
 * waited out: librdkafka reconnects and the consumer goes on where it was. */
static void check_down(ksrc *k)
{
    if (!k->down_since || now_ms() - k->down_since < k->session_ms)
        return;
    const struct rd_kafka_metadata *md;
    if (rd_kafka_metadata(k->rk, 0, NULL, &md, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_metadata_destroy(md);
        k->down_since = 0;
        return;
    }
    if (!k->err[0])
        snprintf(k->err, sizeof k->err, "kafka: %s, and none came back within session.timeout.ms (%lld ms)%s%s",
                 k->down, (long long)k->session_ms, k->last[0] ? "; last error: " : "", k->last);
}

static kpart *find_part(ksrc *k, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < k->nparts; i++)
        if (k->parts[i].partition == partition && strcmp(k->parts[i].topic, topic) == 0)
            return &k->parts[i];
    return NULL;
}

/* The entry of TOPIC/PARTITION, added (nothing read yet) if new. */
static kpart *add_part(ksrc *k, const char *topic, int32_t partition)
{
    kpart *p = find_part(k, topic, partition);
    if (p)
        return p;
    if (k->nparts == k->capparts)
        flow_vec_grow((void **)&k->parts, &k->capparts, sizeof k->parts[0], k->nparts + 1);
    p = &k->parts[k->nparts++];
    p->topic = flowi_strdup(topic);
    p->partition = partition;
    p->next = -1;
    p->mine = p->eof = false;
    return p;
}

/* A rebalance (eager: everything is revoked, then the new assignment
 * given). Offsets are not committed, so a partition given back to this
 * consumer resumes after the last message it read here instead of at
 * `starting_offset` again (which would repeat its messages). */
static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque)
{
    ksrc *k = opaque;
    k->down_since = 0;   /* the coordinator answered */
    for (size_t i = 0; i < k->nparts; i++)
        k->parts[i].mine = false;
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(rk, NULL);
        return;
    }
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *e = &parts->elems[i];
        kpart *p = add_part(k, e->topic, e->partition);
        p->mine = true;
        p->eof = false;
        if (p->next >= 0)
            e->offset = p->next;
    }
    k->assigned = true;
    rd_kafka_assign(rk, parts);
}

static int by_id(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Several workers: the partitions of the topics (the topics in order,
 * each's partitions ascending) in nworkers contiguous blocks, as a dir's
 * files, this worker's block assigned to its consumer, which does not
 * join the group's balancing: a rebalance between the workers' consumers
 * would hand a partition over without its offset (none is committed) and
 * read its messages twice. A partition starts at the group's committed
 * offset, else at `starting_offset`, as with one worker. Bytewax's
 * KafkaSource also lists the partitions and deals them to the workers. */
static void assign_share(flow_src *s, ksrc *k)
{
    flow_rt *rt = s->rt;
    rd_kafka_topic_partition_list_t *all = rd_kafka_topic_partition_list_new(16);
    int timeout = k->session_ms > 0 ? (int)k->session_ms : 45000;
    for (int i = 0; i < s->cfg.ntopics; i++) {
        rd_kafka_topic_t *t = rd_kafka_topic_new(k->rk, s->cfg.topics[i], NULL);
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = t ? rd_kafka_metadata(k->rk, 0, t, &md, timeout) : rd_kafka_last_error();
        if (!e && (md->topic_cnt < 1 || md->topics[0].err))
            e = md->topic_cnt < 1 ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : md->topics[0].err;
        if (e) {
            if (md)
                rd_kafka_metadata_destroy(md);
            if (t)
                rd_kafka_topic_destroy(t);
            rd_kafka_topic_partition_list_destroy(all);
            flow_data_error(rt, s->path, 0, "kafka: cannot list the partitions of topic '%s': %s", s->cfg.topics[i],
                            rd_kafka_err2str(e));
        }
        int np = md->topics[0].partition_cnt;
        int32_t *ids = flow_alloc(sizeof *ids * (size_t)(np + 1));
        for (int j = 0; j < np; j++)
            ids[j] = md->topics[0].partitions[j].id;
        qsort(ids, (size_t)np, sizeof *ids, by_id);
        for (int j = 0; j < np; j++)
            rd_kafka_topic_partition_list_add(all, s->cfg.topics[i], ids[j]);
        flow_free(ids, sizeof *ids * (size_t)(np + 1));
        rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(t);
    }
    size_t n = (size_t)all->cnt, w = (size_t)rt->worker, nw = (size_t)rt->nworkers;
    size_t lo = n * w / nw, hi = n * (w + 1) / nw;
    rd_kafka_topic_partition_list_t *mine = rd_kafka_topic_partition_list_new((int)(hi - lo) + 1);
    for (size_t i = lo; i < hi; i++) {
        const rd_kafka_topic_partition_t *e = &all->elems[i];
        rd_kafka_topic_partition_list_add(mine, e->topic, e->partition)->offset = RD_KAFKA_OFFSET_INVALID;
        if (k->nparts == k->capparts)
            flow_vec_grow((void **)&k->parts, &k->capparts, sizeof k->parts[0], k->nparts + 1);
        kpart *p = &k->parts[k->nparts++];
        memset(p, 0, sizeof *p);
        p->topic = flowi_strdup(e->topic);
        p->partition = e->partition;
        p->mine = true;
        p->next = -1;
    }
    rd_kafka_resp_err_t e = rd_kafka_assign(k->rk, mine);
    rd_kafka_topic_partition_list_destroy(mine);
    rd_kafka_topic_partition_list_destroy(all);
    if (e)
        flow_data_error(rt, s->path, 0, "kafka: cannot assign partitions: %s", rd_kafka_err2str(e));
    k->assigned = k->fixed = true;
}

void flowi_kafka_open(flow_src *s)
{
    ksrc *k = flow_alloc(sizeof *k);
    memset(k, 0, sizeof *k);
    s->kafka = k;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, s->rt, s->path, "bootstrap.servers", s->path);
    set(conf, s->rt, s->path, "group.id", s->cfg.group ? s->cfg.group : "flowc");
    set(conf, s->rt, s->path, "enable.auto.commit", "false");
    set(conf, s->rt, s->path, "enable.partition.eof", s->cfg.tail ? "false" : "true");
    set(conf, s->rt, s->path, "auto.offset.reset", s->cfg.from_end ? "latest" : "earliest");
    set_logging(conf, s->rt, s->path);
    set_config(conf, s->rt, s->path, s->cfg.step, s->cfg.config, s->cfg.nconfig);
    k->session_ms = conf_int(conf, "session.timeout.ms");
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_error_cb(conf, src_error_cb);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    char err[512];
    k->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!k->rk)
        flow_data_error(s->rt, s->path, 0, "kafka: %s", err);
    rd_kafka_poll_set_consumer(k->rk);
    if (s->rt->store) {
        /* recovery: the first poll assigns the partitions, after the
         * restore has set their snapshot offsets (flowi_kafka_seek) */
        k->manual = true;
        return;
    }
    if (s->rt->nworkers > 1) {
        assign_share(s, k);
        return;
    }
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(s->cfg.ntopics);
    for (int i = 0; i < s->cfg.ntopics; i++)
        rd_kafka_topic_partition_list_add(topics, s->cfg.topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(k->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e)
        flow_data_error(s->rt, s->path, 0, "kafka: cannot subscribe: %s", rd_kafka_err2str(e));
}

/* ---- recovery: every partition assigned, at its snapshot offset ---------- */

/* TOPIC's metadata: asked again while the cluster has no answer or the
 * topic no leader yet, for at most session.timeout.ms; *WHY on failure. */
static const struct rd_kafka_metadata *topic_metadata(ksrc *k, const char *topic, char *why, size_t n)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(k->rk, topic, NULL);
    int64_t t0 = now_ms();
    const struct rd_kafka_metadata *md = NULL;
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_metadata(k->rk, 0, rkt, &md, 2000);
        if (!e && md->topic_cnt == 1 && !md->topics[0].err)
            break;
        if (!e && md->topic_cnt == 1 && md->topics[0].err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
            e = md->topics[0].err;
        if (e && e != RD_KAFKA_RESP_ERR__TRANSPORT && e != RD_KAFKA_RESP_ERR__TIMED_OUT) {
            snprintf(why, n, "kafka: error consuming from topic '%s': %s", topic, rd_kafka_err2str(e));
            break;
        }
        if (md)
            rd_kafka_metadata_destroy(md);
        md = NULL;
        if (now_ms() - t0 >= k->session_ms) {
            snprintf(why, n, "kafka: cannot list the partitions of topic '%s' within session.timeout.ms (%lld ms): %s",
                     topic, (long long)k->session_ms, rd_kafka_err2str(e ? e : RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE));
            break;
        }
    }
    rd_kafka_topic_destroy(rkt);
    if (why[0] && md) {
        rd_kafka_metadata_destroy(md);
        md = NULL;
    }
    return md;
}

/* Bytewax's KafkaSource: every partition of the topics (with several
 * workers: this worker's contiguous block of them, the topics in order and
 * each's partitions ascending, as assign_share deals them), each from the
 * offset of the snapshot (flowi_kafka_seek: every worker's offsets, so a
 * resume with another -w finds those of the partitions it now has) or
 * else from starting_offset; committed group offsets are not used. */
static void assign_all(flow_src *s)
{
    ksrc *k = s->kafka;
    k->assigned = true;
    size_t nw = (size_t)(s->rt->nworkers > 1 ? s->rt->nworkers : 1), w = (size_t)s->rt->worker;
    k->fixed = nw > 1;
    struct { const char *topic; int32_t id; } *all = NULL;
    size_t n = 0, cap = 0;
    for (int t = 0; t < s->cfg.ntopics && !k->err[0]; t++) {
        const char *topic = s->cfg.topics[t];
        const struct rd_kafka_metadata *md = topic_metadata(k, topic, k->err, sizeof k->err);
        if (!md)
            break;
        const rd_kafka_metadata_topic_t *mt = &md->topics[0];
        int np = mt->partition_cnt;
        int32_t *ids = flow_alloc(sizeof *ids * (size_t)(np + 1));
        for (int i = 0; i < np; i++)
            ids[i] = mt->partitions[i].id;
        qsort(ids, (size_t)np, sizeof *ids, by_id);
        for (int i = 0; i < np; i++) {
            if (n == cap)
                flow_vec_grow((void **)&all, &cap, sizeof all[0], n + 1);
            all[n].topic = topic;
            all[n++].id = ids[i];
        }
        flow_free(ids, sizeof *ids * (size_t)(np + 1));
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(8);
    for (size_t i = n * w / nw; i < n * (w + 1) / nw && !k->err[0]; i++) {
        kpart *p = add_part(k, all[i].topic, all[i].id);
        p->mine = true;
        p->eof = false;
        int64_t from = s->cfg.from_end ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_topic_partition_list_add(list, all[i].topic, p->partition)->offset = p->next >= 0 ? p->next : from;
    }
    if (all)
        flow_free(all, sizeof all[0] * cap);
    rd_kafka_resp_err_t e = k->err[0] ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_assign(k->rk, list);
    if (e)
        snprintf(k->err, sizeof k->err, "kafka: cannot assign the partitions: %s", rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(list);
}

/* The offsets of the partitions this consumer reads (before its first
 * poll: those the snapshot it resumes from gave it, which it will read);
 * another worker's partitions are that worker's to save. */
static bool saves(const ksrc *k, const kpart *p)
{
    return p->next >= 0 && (p->mine || !k->assigned);
}

void flowi_kafka_save(flow_src *s, flow_buf *b)
{
    ksrc *k = s->kafka;
    uint64_t n = 0;
    for (size_t i = 0; k && i < k->nparts; i++)
        n += saves(k, &k->parts[i]);
    flow_enc_u64(b, n);
    for (size_t i = 0; k && i < k->nparts; i++) {
        kpart *p = &k->parts[i];
        if (!saves(k, p))
            continue;
        flow_enc_str(b, (flow_str){ p->topic, (int64_t)strlen(p->topic) });
        flow_enc_i64(b, p->partition);
        flow_enc_i64(b, p->next);
    }
}

bool flowi_kafka_seek(flow_src *s, flow_rd *r)
{
    ksrc *k = s->kafka;
    int64_t n = flow_dec_count(r);
    for (int64_t i = 0; i < n && !r->bad; i++) {
        flow_str topic = flow_dec_str(r, &s->rt->arena);
        int64_t partition = flow_dec_i64(r);
        int64_t next = flow_dec_i64(r);
        if (r->bad || partition < 0 || partition > INT32_MAX || next < 0 || memchr(topic.p, 0, (size_t)topic.n))
            return false;
        char *t = flow_alloc((size_t)topic.n + 1);
        memcpy(t, topic.p, (size_t)topic.n);
        t[topic.n] = 0;
        if (k)
            add_part(k, t, (int32_t)partition)->next = next;
        flow_free(t, (size_t)topic.n + 1);
    }
    return !r->bad;
}

/* A fatal broker error: stop at the end of the round, even when skipping. */
static void broker_error(flow_src *s, const char *msg)
{
    bool skip = s->cfg.skip;
    s->cfg.skip = false;
    s->cur_path = s->path;
    s->line = 0;
    flow_src_bad(s, "%s", msg);
    s->cfg.skip = skip;
}

int flowi_kafka_next(flow_src *s, flow_arena *a, flow_rec *rec)
{
    ksrc *k = s->kafka;
    if (k->manual && !k->assigned)
        assign_all(s);
    for (;;) {
        if (k->err[0]) {
            broker_error(s, k->err);
            return 0;
        }
        if (s->taken >= (size_t)s->cfg.batch)
            return 0;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(k->rk, s->taken ? 0 : 10);
        if (!m) {
            check_down(k);
            if (k->err[0])
                continue;
            if (!s->cfg.tail && k->assigned && !s->gave) {
                size_t mine = 0, ended = 0;
                for (size_t i = 0; i < k->nparts; i++) {
                    mine += k->parts[i].mine;
                    ended += k->parts[i].mine && k->parts[i].eof;
                }
                if ((mine > 0 || k->fixed) && ended == mine)
                    return -1;    /* (a worker's share may be no partition) */
            }
            /* the topic is idle: what earlier rounds wrote goes out now
             * rather than when a buffer fills (a tailing program may
             * wait for hours) */
            if (!s->gave)
                flow_rt_flush(s->rt);
            return 0;
        }
        const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "?";
        if (!m->err || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
            k->down_since = 0;   /* a broker answered */
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            kpart *p = find_part(k, topic, m->partition);
            if (p) {
                p->eof = true;
                p->next = m->offset;
            }
            rd_kafka_message_destroy(m);
            continue;
        }
        if (m->err) {
            char msg[512];
            snprintf(msg, sizeof msg, "kafka: error consuming from topic '%s': %s", topic,
                     rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            broker_error(s, msg);
            return 0;
        }
        kpart *p = find_part(k, topic, m->partition);
        if (p) {
            p->eof = false;
            p->next = m->offset + 1;
        }
        snprintf(k->where, sizeof k->where, "%s/%d@%lld", topic, (int)m->partition, (long long)m->offset);
        s->cur_path = k->where;
        s->line = 0;
        s->taken++;
        memset(rec, 0, sizeof *rec);
        const char *val = m->payload ? m->payload : "";
        size_t len = m->payload ? m->len : 0;
        rec->key = m->key ? flowi_arena_str(a, m->key, m->key_len) : (flow_str){ "", 0 };
        int rc = 1;
        if (len > FLOW_MAX_RECORD) {
            flow_src_bad(s, "message longer than %zu bytes", FLOW_MAX_RECORD);
            rc = -1;
        } else if (!flow_utf8_valid(val, len)) {
            flow_src_bad(s, "invalid UTF-8");
            rc = -1;
        } else {
            rec->text = flowi_arena_str(a, val, len);
            if (s->cfg.format == FLOW_FMT_JSONV)
                rc = flowi_jv_record(s, a, val, len, rec);
            if (s->cfg.format == FLOW_FMT_JSONL) {
                rec->json = flowi_json_parse(s, a, val, len);
                if (!rec->json)
                    rc = -1;
            }
        }
        rd_kafka_message_destroy(m);
        if (rc > 0) {
            s->gave = true;
            return 1;
        }
        if (s->pending)
            return 0;
    }
}

void flowi_kafka_close(flow_src *s)
{
    ksrc *k = s->kafka;
    if (!k)
        return;
    rd_kafka_consumer_close(k->rk);
    rd_kafka_destroy(k->rk);
    clear_parts(k);
    flow_free(k->parts, k->capparts * sizeof k->parts[0]);
    flow_free(k, sizeof *k);
    s->kafka = NULL;
}

/* ---- the sink ---------------------------------------------------------------- */

typedef struct ksink {
    rd_kafka_t *rk;
    char *brokers;
    char *topic;
    char err[512];
    bool failed;        /* an error was raised: nothing more is sent */
    int64_t timeout_ms; /* message.timeout.ms: a delivery fails after it */
} ksink;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    ksink *k = opaque;
    if (m->err && !k->err[0])
        snprintf(k->err, sizeof k->err, "kafka: delivery to topic '%s' failed: %s", k->topic,
                 rd_kafka_err2str(m->err));
}

/* Every broker down is no error here: librdkafka keeps the messages and
 * reconnects, and one not delivered within message.timeout.ms fails in
 * dr_cb. */
static void sink_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    ksink *k = opaque;
    if ((err == RD_KAFKA_RESP_ERR__FATAL || err == RD_KAFKA_RESP_ERR__AUTHENTICATION) && !k->err[0])
        snprintf(k->err, sizeof k->err, "kafka: %s", reason);
}

static void sink_check(flow_rt *rt, ksink *k)
{
    if (k->err[0] && !k->failed) {
        /* the error exit flushes the sinks again: this one has nothing
         * more to deliver, or it would wait for the messages to time out */
        k->failed = true;
        rd_kafka_purge(k->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        flow_data_error(rt, k->brokers, 0, "%s", k->err);
    }
}

void flowi_kafka_sink_open(flow_rt *rt, void **out, const char *brokers, const flow_sink_cfg *cfg)
{
    ksink *k = flow_alloc(sizeof *k);
    memset(k, 0, sizeof *k);
    k->brokers = flowi_strdup(brokers);
    k->topic = flowi_strdup(cfg->topic ? cfg->topic : "");
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, rt, brokers, "bootstrap.servers", brokers);
    set(conf, rt, brokers, "message.timeout.ms", "30000");
    set_logging(conf, rt, brokers);
    set_config(conf, rt, brokers, cfg->step, cfg->config, cfg->nconfig);
    k->timeout_ms = conf_int(conf, "message.timeout.ms");
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_error_cb(conf, sink_error_cb);
    char err[512];
    k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!k->rk)
        flow_data_error(rt, brokers, 0, "kafka: %s", err);
    *out = k;
}

void flowi_kafka_produce(flow_rt *rt, void *sink, const char *p, size_t n, bool has_key, flow_str key)
{
    ksink *k = sink;
    if (k->failed)
        return;
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            k->rk, RD_KAFKA_V_TOPIC(k->topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_VALUE((void *)p, n), RD_KAFKA_V_KEY(has_key ? (void *)key.p : NULL, has_key ? (size_t)key.n : 0),
            RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(k->rk, 100);
            sink_check(rt, k);
            continue;
        }
        if (e) {
            snprintf(k->err, sizeof k->err, "kafka: cannot produce to topic '%s': %s", k->topic, rd_kafka_err2str(e));
            sink_check(rt, k);
        }
        break;
    }
    rd_kafka_poll(k->rk, 0);
    sink_check(rt, k);
}

void flowi_kafka_sink_flush(flow_rt *rt, void *sink)
{
    ksink *k = sink;
    if (k->failed)
        return;
    /* in slices, so that an error (a failed delivery) stops the wait at
     * once; librdkafka fails every message by message.timeout.ms, the
     * limit here is a guard */
    for (int64_t waited = 0; rd_kafka_outq_len(k->rk) > 0 && !k->err[0]; waited += 100) {
        rd_kafka_resp_err_t e = rd_kafka_flush(k->rk, 100);
        if (e && waited >= k->timeout_ms + 5000 && !k->err[0])
            snprintf(k->err, sizeof k->err, "kafka: cannot flush to topic '%s': %s", k->topic, rd_kafka_err2str(e));
    }
    sink_check(rt, k);
}

void flowi_kafka_sink_close(flow_rt *rt, void *sink)
{
    ksink *k = sink;
    (void)rt;
    rd_kafka_destroy(k->rk);
    flow_free(k->brokers, strlen(k->brokers) + 1);
    flow_free(k->topic, strlen(k->topic) + 1);
    flow_free(k, sizeof *k);
}
