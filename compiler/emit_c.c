/* emit_c.c - the C emitter (stub until the emitter lands). */
#include "flowc.h"
void emit_c(struct Graph *g, FILE *out, const EmitOptions *opt) { (void)g; (void)opt; fputs("/* emitter not implemented */\n", out); }
