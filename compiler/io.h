/*
 * io.h - sources and sinks beyond testing/stdout/discard: file, stdin,
 * dir and kafka sources with the formats lines/csv/jsonl, and the stdout,
 * file, dir and kafka sinks with the formats repr/json/csv. The checker
 * (sema_io.c) fills an IoSpec on the step; the emitter (emit_io.c) writes
 * the reading, parsing and encoding code. docs/io.md is the user's view.
 */
#ifndef FLOWC_IO_H
#define FLOWC_IO_H

#include <stdio.h>
#include "graph.h"

/* Formats: the runtime's FLOW_FMT_* values. */
/* IO_JSONV: "jsonl" read without a record, each line a `json` value. */
typedef enum IoFormat { IO_LINES, IO_CSV, IO_JSONL, IO_REPR, IO_JSON, IO_JSONV } IoFormat;

/* The source or sink an IoSpec describes, named as in a .flow file
 * (io_kind_name). */
typedef enum IoKind {
    IOK_FILE,     // file(PATH, ...): a source or a sink
    IOK_STDIN,    // stdin(...): a source
    IOK_DIR,      // dir(PATH, ...): a source (the files of a folder) or a sink (files by key)
    IOK_KAFKA,    // kafka(...): a source or a sink
    IOK_STDOUT,   // stdout(format = ...): a sink
} IoKind;

typedef struct IoSpec {
    IoKind kind;
    IoFormat format;
    Record *schema;          /* csv/jsonl sources: the record type */
    bool skip;               /* on_error = "skip" */
    const char *path;        /* file/dir path or kafka brokers; NULL for stdin/stdout */
    const char *glob;        /* dir source */
    int64_t batch;           /* records per partition per poll */
    bool split_bytes;        /* file source: split = "bytes", a byte range per
                              * worker (docs/workers.md §3); else "batch" */
    const char **topics;     /* kafka source */
    int ntopics;
    const char *group;
    bool from_end, tail;
    int64_t file_count;      /* dir sink */
    const char *topic;       /* kafka sink */
    const char **config;     /* kafka: add_config as KEY, VALUE, KEY, ... */
    int nconfig;             /* pairs in config */
    bool keyed;              /* sinks: the item is (string, V) and V is written */
} IoSpec;

struct Sema;   /* the checker's state (sema_internal.h) */
/* sema_io.c: "file", "stdin", ... */
const char *io_kind_name(IoKind k);
/* sema_io.c: is KIND a source this file checks; check SRC (an ND_CALL) for
 * input step ST, returning the item type (NULL after an error). */
bool sema_io_source_kind(const char *kind);
struct Type *sema_check_io_source(struct Sema *S, Step *st, Node *src);
/* Is E a sink this file checks (stdout(...), file(...), dir(...),
 * kafka(...)); check it for output step ST. */
bool sema_io_sink(Node *e);
bool sema_check_io_sink(struct Sema *S, Step *st, Node *e);


#endif
