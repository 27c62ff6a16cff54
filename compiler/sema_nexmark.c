/*
 * sema_nexmark.c - checks the built-in Nexmark source
 *
 *     input(nexmark(events = N, schema = RECORD [, rate = R] [, batch_size = B]))
 *
 * The items are RECORD, a record the program declares with any of the
 * Nexmark fields below (by name and type; docs/benchmarks.md lists them):
 * event_type (0 person, 1 auction, 2 bid), date_time, extra, the person's,
 * the auction's and the bid's fields. Fields of another event type are 0
 * or "". Declaring only the fields a query reads keeps the generator
 * cheap. N events (int), event time at R events/s (default 10,000,000,
 * the Nexmark benchmark suite's firstEventRate), B events per poll
 * (default 1000).
 */
#include <string.h>
#include "flowc.h"
#include "nexmark.h"
#include "sema.h"
#include "sema_internal.h"

/* FLOW_NX_* values of flowrt_gen.h */
const NexmarkField nexmark_fields[] = {
    { "event_type", TY_INT, 0 },       { "date_time", TY_TIMESTAMP, 0 }, { "extra", TY_STRING, 32 },
    { "person_id", TY_INT, 0 },        { "name", TY_STRING, 0 },         { "email_address", TY_STRING, 0 },
    { "credit_card", TY_STRING, 0 },   { "city", TY_STRING, 0 },         { "state", TY_STRING, 0 },
    { "auction_id", TY_INT, 0 },       { "item_name", TY_STRING, 0 },    { "description", TY_STRING, 0 },
    { "initial_bid", TY_INT, 0 },      { "reserve", TY_INT, 0 },         { "expires", TY_TIMESTAMP, 0 },
    { "seller", TY_INT, 0 },           { "category", TY_INT, 0 },        { "auction", TY_INT, 1 },
    { "bidder", TY_INT, 2 },           { "price", TY_INT, 4 },           { "channel", TY_STRING, 8 },
    { "url", TY_STRING, 16 },          { NULL, 0, 0 },
};

const NexmarkField *nexmark_field(const char *name)
{
    for (const NexmarkField *f = nexmark_fields; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static const char *const nexmark_opts[] = { "events", "schema", "rate", "batch_size", NULL };

static bool int_arg(Sema *S, Node *e)
{
    Type *t = sema_check_expr(S, e, ty_prim(TY_INT));
    return sema_expect(e, ty_prim(TY_INT), t);
}

Type *sema_check_nexmark(Sema *S, Step *st, Node *src)
{
    Args a;
    if (!sema_bind_args(S, src, "nexmark", 0, 0, "no positional arguments", nexmark_opts, &a))
        return NULL;
    Node *ev = sema_required(&a, "events");
    Node *sc = sema_required(&a, "schema");
    if (!ev || !sc || !int_arg(S, ev))
        return NULL;
    Node *rate = sema_opt(&a, "rate"), *bs = sema_opt(&a, "batch_size");
    if ((rate && !int_arg(S, rate)) || (bs && !int_arg(S, bs)))
        return NULL;
    Symbol *r = sc->kind == ND_IDENT ? sema_lookup(S, sc->name) : NULL;
    if (!r || r->kind != SYM_RECORD) {
        diag_error(sc->loc, "`schema` must name a record type");
        return NULL;
    }
    for (int i = 0; i < r->rec->n; i++) {
        Field *f = &r->rec->fields[i];
        const NexmarkField *nf = nexmark_field(f->name);
        if (!nf) {
            diag_error(f->loc, "`%s` is not a Nexmark field (see docs/benchmarks.md: event_type, date_time, "
                       "extra, person_id, name, ..., auction, bidder, price, channel, url)", f->name);
            return NULL;
        }
        Type *want = ty_prim((TypeKind)nf->type);
        if (!ty_equal(ty_resolve(f->ty), want)) {
            diag_error(f->loc, "the Nexmark field `%s` is `%s`, not `%s`", f->name, ty_str(want), ty_str(f->ty));
            return NULL;
        }
    }
    st->source = SRC_NEXMARK;
    st->range_n = ev;
    st->nexmark_rate = rate;
    st->batch_size = bs;
    st->nexmark_schema = r->rec;
    return ty_record(r->rec);
}
