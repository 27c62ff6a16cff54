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
    /* (fields in this order: 192 bytes, io_src.c says why) */
    flow_rt *rt;
    char *path;
    char *buf;
    size_t cap, start, end, scanned;
    size_t valid;             /* buf[..valid) is known UTF-8 (flowi_part_utf8) */
    int64_t lineno;           /* lines read since the range's start (the file's
                               * start but in a byte range) */
    int64_t nread;            /* bytes read from fd (recovery: the position in a pipe);
                               * a regular file: the offset of the next read */
    bool eof;
    bool live;                /* not yet at its end */
    bool gave;                /* gave a record in this poll */
    bool may_block;           /* a pipe, terminal or socket: reads can wait */
    bool stalled;             /* no read now: a stop signal, or nothing to read
                               * yet after records this poll (the round goes on) */
    bool have_header;         /* csv: the header is read */
    int fd;
    int ncols;                /* csv: columns in the header */
    int nalloc;               /* csv: entries of the three arrays below */
    /* a byte range (split = "bytes"): the reads stop at rend (-1: none);
     * lbase >= 0 is the number of lines before the range's start (0: the
     * file's start), lbase < 0 says they are not counted yet and that the
     * range starts at byte -1 - lbase (flowi_part_abs_line counts them) */
    int64_t rend, lbase;
    flow_buf rec;             /* csv: a record spanning lines */
    flowi_csvq *qs;           /* csv: fed the bytes of a line too long to return */
    int *col_of_field;        /* csv: [nfields]: header column of each field, -1 */
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
    bool bytes;               /* split = "bytes" over a regular file: parts are
                               * this worker's byte ranges (flowi_src_pieces) */
    size_t nheld;             /* io_jsonl.c: JSON documents of the current record */
    void *jmem;               /* io_jsonl.c: the views of their values */
    void **jroots;            /* io_jsonl.c: jansson's documents among them */
    size_t njroots, capjroots;
    struct flowi_simd *simd;  /* io_jsonl.c: the jsonl parser (json_simd.cc) */
    flow_buf jvtext;          /* io_jsonl.c: a json field's text, before flow_jv_parse */
};

/* io_split.c: a segment of a file to read, for split = "bytes". */
typedef struct flowi_seg {
    int64_t start;            /* a line start (byte offset) */
    int64_t end;              /* a line start or the file's end; -1: the
                               * file's end whenever it is read (it may grow) */
    int64_t lines;            /* the lines before start, or -1: not counted yet */
} flowi_seg;

/* The line start at or after byte OFF of FD's file, within the segment
 * [START, END) of line starts: OFF when OFF <= START or byte OFF-1 is a
 * '\n', else the byte after the next '\n', END when there is none. */
int64_t flowi_line_start(int fd, int64_t start, int64_t off, int64_t end);
/* The '\n' bytes in [0, OFF) of FD's file, the line number of the line
 * starting at OFF less one; -1 on a read error. */
int64_t flowi_count_lines(int fd, int64_t off);
/* Worker W of N's pieces of the segments SEGS[0..NSEG) of FD's file (SIZE
 * bytes now): their bytes in order as one sequence, cut at N equal byte
 * counts, each cut moved forward to the next line start of its segment;
 * worker W gets the bytes from cut W to cut W+1, as pieces of the
 * segments (in order, empty ones left out), into OUT (room for NSEG). A
 * piece keeps its segment's end when it reaches it (-1 for the last
 * worker only: lines appended to the file are its) and its line count
 * when it starts at its segment's start (else -1). The count of pieces.
 * Every line of the segments is in exactly one worker's pieces. */
size_t flowi_split(int fd, int64_t size, const flowi_seg *segs, size_t nseg, int w, int n, flowi_seg *out);

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
/* Make P read the byte range G of its file from its start (a regular
 * file: seeks there; the buffer is emptied, lineno counts from 0). */
void flowi_part_range(flowi_part *p, const flowi_seg *g);
/* The line number in the file of P's line REL (lineno's count): REL in
 * a partition that read from the start, else the lines before its range
 * counted now, once. 0 when they cannot be counted (a read error). */
int64_t flowi_part_abs_line(flowi_part *p, int64_t rel);
/* Open PATH for reading, or a fatal "PATH: error: cannot open: REASON". */
int flowi_open_file(flow_rt *rt, const char *path);
/* C strings on the heap (flow_alloc). */
char *flowi_strdup(const char *s);
void flowi_strfree(char *s);

/* io_src.c: make S (split = "bytes") read this worker's pieces of the
 * segments SEGS[0..NSEG) of its file (flowi_split), one partition each,
 * in place of its partitions; a CSV piece after the file's start reads
 * the header first and starts after it. */
void flowi_src_pieces(flow_src *s, const flowi_seg *segs, size_t nseg);

/* io_csv.c: the next CSV record from the line LINE (more lines are read
 * when a quoted cell spans them); the header is read first. */
int flowi_csv_record(flow_src *s, flowi_part *p, flow_arena *a, const char *line, size_t len,
                     flow_rec *rec);
void flowi_csv_free(flowi_part *p);
/* io_csv.c: read P's header (the first record) from where P reads, the
 * start of its file; stops at a bad one (reported) or the file's end. */
void flowi_csv_header(flow_src *s, flowi_part *p);

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
