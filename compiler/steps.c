/*
 * steps.c - the operator facts of steps.def as functions: a step kind's
 * operator name, family and traits, and the predicates every phase asks
 * ("is this step a final?", "does it print?") answered from the table, so
 * that no phase keeps its own list of step kinds.
 */
#include <string.h>
#include "graph.h"

static const struct {
    const char *name;
    StepFamily family;
    unsigned traits;
} facts[SK_COUNT] = {
#define STEP(kind, name, family, traits) [kind] = {name, family, traits},
#include "steps.def"
#undef STEP
};

const char *step_kind_name(StepKind k) { return facts[k].name; }
StepFamily step_family(StepKind k) { return facts[k].family; }
unsigned step_traits(StepKind k) { return facts[k].traits; }

int step_kind_lookup(const char *name)
{
    for (int k = 0; k < SK_COUNT; k++)
        if (strcmp(name, facts[k].name) == 0)
            return k;
    return -1;
}

bool step_prints(const Step *s)
{
    if (s->kind == SK_OUTPUT)
        return s->sink == SINK_STDOUT || s->sink == SINK_EXTERN;
    return (step_traits(s->kind) & TR_PRINTS) != 0;
}
