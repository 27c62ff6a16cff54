/*
 * io.h - what the source and sink files of the runtime share (io_src.c,
 * io_csv.c, io_jsonl.c, io_dir.c, io_kafka.c, sink.c). Internal, like
 * internal.h: flowi_ names.
 */
#ifndef FLOWRT_IO_H
#define FLOWRT_IO_H

#include "internal.h"
#include "json_simd.h"

/* One partition: a file read as lines. */
/* CSV's quote state, fed byte by byte across the lines of one record: is
 * the record inside a quoted cell? A quote opens a cell only at its start
 * (else it is literal, as Python's csv reads it); inside, "" is a quote. */
typedef struct flowi_csvq {
    bool in;                  /* inside a quoted cell */
    bool cell_start;          /* the next byte starts a cell */
    bool quote_pending;       /* inside, a '"' whose next byte decides */
} flowi_csvq;

static inline void flowi_csvq_init(flowi_csvq *q)
{
    q->in = false;
    q->cell_start = true;
    q->quote_pending = false;
}
void flowi_csvq_feed(flowi_csvq *q, const char *r, size_t n);
struct flow_src;
struct flowi_part;
int flowi_csv_rest(struct flow_src *s, struct flowi_part *p, flowi_csvq *q, int64_t first, bool too_long);
/* Does a record that ends here end inside a quoted cell? */
static inline bool flowi_csvq_open(const flowi_csvq *q) { return q->in && !q->quote_pending; }

typedef struct flowi_part {
    flow_rt *rt;
    int fd;
    char *path;
    char *buf;
    size_t cap, start, end, scanned;
    size_t valid;             /* buf[..valid) is known UTF-8 (flowi_part_utf8) */
    bool eof;
    bool live;                /* not yet at its end */
    bool gave;                /* gave a record in this poll */
    bool may_block;           /* a pipe, terminal or socket: reads can wait */
    bool stalled;             /* no read now: a stop signal, or nothing to read
                               * yet after records this poll (the round goes on) */
    int64_t lineno;
    int64_t nread;            /* bytes read from fd (recovery: the position in a pipe) */
    flow_buf rec;             /* csv: a record spanning lines */
    flowi_csvq *qs;           /* csv: fed the bytes of a line too long to return */
    /* csv: the header */
    bool have_header;
    int ncols;                /* columns in the header */
    int nalloc;               /* entries of the three arrays below */
    int *col_of_field;        /* [nfields]: header column of each field, -1 */
    flow_str *cells;          /* [nfields] */
    bool *has;                /* [nfields] */
    flow_str *row;            /* [caprow] scratch: the cells of one row */
    size_t caprow;
} flowi_part;

struct flow_src {
    flow_rt *rt;
    flow_src_cfg cfg;
    char *path;
    flowi_part *parts;
    size_t nparts, capparts;
    size_t cur;               /* partition being polled */
    size_t taken;             /* records taken from it in this poll */
    bool gave;                /* this poll gave a record */
    /* the current record, for messages */
    const char *cur_path;
    int64_t line;
    /* bad records */
    bool pending;             /* stop at the end of the round */
    int64_t err_line;
    int64_t err_round;        /* the round that read it (cluster.c) */
    char *err_path, *err_msg;
    int64_t skipped;
    bool reported;
    void *kafka;              /* io_kafka.c */
    /* several workers (docs/workers.md): a file read by every worker, each
     * taking records [lo, hi) of every batch of cfg.batch records and
     * skipping the others (split); or a partition list divided among them */
    bool split;
    size_t lo, hi;
    size_t nheld;             /* io_jsonl.c: JSON documents of the current record */
    void *jmem;               /* io_jsonl.c: the views of their values */
    void **jroots;            /* io_jsonl.c: jansson's documents among them */
    size_t njroots, capjroots;
    struct flowi_simd *simd;  /* io_jsonl.c: the jsonl parser (json_simd.cc) */
    flow_buf jvtext;          /* io_jsonl.c: a json field's text, before flow_jv_parse */
};

/* io_src.c: a partition over the open file FD (named PATH); its next line
 * (1; 0 at the end; -1 for a line over FLOW_MAX_RECORD, consumed). */
void flowi_part_open(flowi_part *p, flow_rt *rt, const char *path, int fd);
int flowi_part_line(flowi_part *p, const char **line, size_t *len);
/* Whether LINE (LEN bytes), the line flowi_part_line just gave, is UTF-8:
 * the buffer is checked ahead in bulk, from the first line not known to
 * be, up to its end or the first bad sequence, so a line is usually known
 * already (a '\n' is never inside a sequence, so each line of valid text
 * is valid on its own). */
bool flowi_part_utf8(flowi_part *p, const char *line, size_t len);
void flowi_part_close(flowi_part *p);
/* Open PATH for reading, or a fatal "PATH: error: cannot open: REASON". */
int flowi_open_file(flow_rt *rt, const char *path);
/* C strings on the heap (flow_alloc). */
char *flowi_strdup(const char *s);
void flowi_strfree(char *s);

/* io_csv.c: the next CSV record from the line LINE (more lines are read
 * when a quoted cell spans them); the header is read first. */
int flowi_csv_record(flow_src *s, flowi_part *p, flow_arena *a, const char *line, size_t len,
                     flow_rec *rec);
void flowi_csv_free(flowi_part *p);

/* io_jsonl.c: parse one JSON object (valid UTF-8) into A's round; NULL
 * after flow_src_bad. */
const flow_json *flowi_json_parse(flow_src *s, flow_arena *a, const char *p, size_t n);
/* io_jsonl.c: a jsonl line (any bytes): 1 and its object in *OUT, 0 for a
 * blank line, -1 after flow_src_bad ("invalid UTF-8", malformed JSON, not
 * an object). */
int flowi_json_line(flow_src *s, const char *p, size_t n, const flow_json **out);
/* io_jsonl.c: a JSON line read as a `json` value (FLOW_FMT_JSONV): 1 and
 * rec->text its canonical text in A (flow_jv_parse), or -1 after
 * flow_src_bad ("invalid UTF-8", Python's JSONDecodeError text). */
int flowi_jv_record(flow_src *s, flow_arena *a, const char *p, size_t n, flow_rec *rec);
/* Release the values of the last record / everything at close. */
void flowi_json_release(flow_src *s);
void flowi_json_free(flow_src *s);

/* io_dir.c: the regular files of DIR matching GLOB, sorted by name, as
 * "DIR/NAME" strings (flow_alloc'd, as is the array). */
size_t flowi_dir_list(flow_rt *rt, const char *dir, const char *glob, char ***names);

/* io_kafka.c */
void flowi_kafka_open(flow_src *s);
int flowi_kafka_next(flow_src *s, flow_arena *a, flow_rec *rec);
void flowi_kafka_close(flow_src *s);
/* Recovery: the offset after the last message read of each partition
 * read from, as (topic, partition, offset) into B; on resume, before the
 * first poll, those offsets from R as where the partitions start (false:
 * R is malformed). */
void flowi_kafka_save(flow_src *s, flow_buf *b);
bool flowi_kafka_seek(flow_src *s, flow_rd *r);
void flowi_kafka_sink_open(flow_rt *rt, void **k, const char *brokers, const flow_sink_cfg *cfg);
void flowi_kafka_produce(flow_rt *rt, void *k, const char *p, size_t n, bool has_key, flow_str key);
void flowi_kafka_sink_flush(flow_rt *rt, void *k);
void flowi_kafka_sink_close(flow_rt *rt, void *k);
/* Check the run-time option --kafka-property V (FILE false) or
 * --kafka-config V (FILE true): false, with the message in ERR, when it is
 * malformed, names no kafka step of the flow, sets what an option sets,
 * or librdkafka refuses it. */
bool flowi_kafka_check_option(const flow_rt *rt, bool file, const char *v, char *err, size_t n);


#endif
