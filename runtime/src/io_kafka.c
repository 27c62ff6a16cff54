/*
 * io_kafka.c - the kafka source and sink, with librdkafka (Debian's
 * librdkafka). The source is a consumer in a group (`group`, "flowc" by
 * default) subscribed to the topics, so consumers of one group split the
 * partitions between them; offsets are not committed (as Bytewax, which
 * keeps them in its snapshots); `starting_offset` picks where a partition
 * without a committed offset starts. With `tail = false` the source ends
 * once every partition assigned to it has reached its end. Each poll
 * takes up to `batch` messages, waiting at most 10 ms for the first.
 * The sink is a producer: one message per item, the key of a keyed item as
 * the message key; it is flushed at the end of the run (and before an
 * error exit). Broker errors (all brokers down, an unknown topic, a
 * failed delivery) stop the program with "kafka BROKERS: error: ...".
 */
#include "io.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>

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
    char err[512];          /* a fatal error from a callback */
    char where[256];        /* "topic/partition@offset" of the current message */
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

static void clear_parts(ksrc *k)
{
    for (size_t i = 0; i < k->nparts; i++)
        flow_free(k->parts[i].topic, strlen(k->parts[i].topic) + 1);
    k->nparts = 0;
}

static void src_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    ksrc *k = opaque;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__FATAL ||
        err == RD_KAFKA_RESP_ERR__AUTHENTICATION) {
        if (!k->err[0])
            snprintf(k->err, sizeof k->err, "kafka: %s", reason);
    }
}

static kpart *find_part(ksrc *k, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < k->nparts; i++)
        if (k->parts[i].partition == partition && strcmp(k->parts[i].topic, topic) == 0)
            return &k->parts[i];
    return NULL;
}

/* A rebalance (eager: everything is revoked, then the new assignment
 * given). Offsets are not committed, so a partition given back to this
 * consumer resumes after the last message it read here instead of at
 * `starting_offset` again (which would repeat its messages). */
static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque)
{
    ksrc *k = opaque;
    for (size_t i = 0; i < k->nparts; i++)
        k->parts[i].mine = false;
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(rk, NULL);
        return;
    }
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *e = &parts->elems[i];
        kpart *p = find_part(k, e->topic, e->partition);
        if (!p) {
            if (k->nparts == k->capparts)
                flow_vec_grow((void **)&k->parts, &k->capparts, sizeof k->parts[0], k->nparts + 1);
            p = &k->parts[k->nparts++];
            p->topic = flowi_strdup(e->topic);
            p->partition = e->partition;
            p->next = -1;
        }
        p->mine = true;
        p->eof = false;
        if (p->next >= 0)
            e->offset = p->next;
    }
    k->assigned = true;
    rd_kafka_assign(rk, parts);
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
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_error_cb(conf, src_error_cb);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    char err[512];
    k->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!k->rk)
        flow_data_error(s->rt, s->path, 0, "kafka: %s", err);
    rd_kafka_poll_set_consumer(k->rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(s->cfg.ntopics);
    for (int i = 0; i < s->cfg.ntopics; i++)
        rd_kafka_topic_partition_list_add(topics, s->cfg.topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(k->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e)
        flow_data_error(s->rt, s->path, 0, "kafka: cannot subscribe: %s", rd_kafka_err2str(e));
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
    for (;;) {
        if (k->err[0]) {
            broker_error(s, k->err);
            return 0;
        }
        if (s->taken >= (size_t)s->cfg.batch)
            return 0;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(k->rk, s->taken ? 0 : 10);
        if (!m) {
            if (k->err[0])
                continue;
            if (!s->cfg.tail && k->assigned && !s->gave) {
                size_t mine = 0, ended = 0;
                for (size_t i = 0; i < k->nparts; i++) {
                    mine += k->parts[i].mine;
                    ended += k->parts[i].mine && k->parts[i].eof;
                }
                if (mine > 0 && ended == mine)
                    return -1;
            }
            /* the topic is idle: what earlier rounds wrote goes out now
             * rather than when a buffer fills (a tailing program may
             * wait for hours) */
            if (!s->gave)
                flow_rt_flush(s->rt);
            return 0;
        }
        const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "?";
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
} ksink;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    ksink *k = opaque;
    if (m->err && !k->err[0])
        snprintf(k->err, sizeof k->err, "kafka: delivery to topic '%s' failed: %s", k->topic,
                 rd_kafka_err2str(m->err));
}

static void sink_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    ksink *k = opaque;
    if ((err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__FATAL) && !k->err[0])
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

void flowi_kafka_sink_open(flow_rt *rt, void **out, const char *brokers, const char *topic)
{
    ksink *k = flow_alloc(sizeof *k);
    memset(k, 0, sizeof *k);
    k->brokers = flowi_strdup(brokers);
    k->topic = flowi_strdup(topic ? topic : "");
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, rt, brokers, "bootstrap.servers", brokers);
    set(conf, rt, brokers, "message.timeout.ms", "10000");
    set_logging(conf, rt, brokers);
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
    /* in slices, so that an error (all brokers down) stops the wait at once
     * instead of after message.timeout.ms */
    for (int waited = 0; rd_kafka_outq_len(k->rk) > 0 && !k->err[0]; waited += 100) {
        rd_kafka_resp_err_t e = rd_kafka_flush(k->rk, 100);
        if (e && waited >= 15000 && !k->err[0])
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
