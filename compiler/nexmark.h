/*
 * nexmark.h - the built-in `nexmark(events = N, schema = RECORD, ...)`
 * source: its check (sema_nexmark.c) and its code (emit_nexmark.c). The
 * runtime generator is runtime/src/nexmark.c; docs/benchmarks.md
 * describes the item shape.
 */
#ifndef NEXMARK_H
#define NEXMARK_H

struct Step;
struct Node;
struct Type;
struct Sema;

/* check_source's hook: the item type, or NULL after a diagnostic */
struct Type *sema_check_nexmark(struct Sema *S, struct Step *st, struct Node *src);

/* The fields a schema record may declare (name, type, runtime member, mask
 * bit or 0); shared by the checker and the emitter. */
typedef struct NexmarkField {
    const char *name;
    int type;             /* TY_INT, TY_STRING or TY_TIMESTAMP */
    unsigned mask;        /* FLOW_NX_* bit the runtime needs for it (bids), or 0 */
} NexmarkField;
extern const NexmarkField nexmark_fields[];
const NexmarkField *nexmark_field(const char *name);

#endif
