/*
 * emit_info.c - the program's description of itself, for the runtime:
 * the static tables a compiled program hands to flow_rt_init (its inputs
 * for --input and --help, its outputs for --help, its steps and their
 * ports for --stats), and the numbering of the per-port item counters.
 *
 * Pipeline position: part of the C emitter (emit_c.c calls it while it
 * assembles the unit). Counter numbering: the output ports of all steps in
 * declaration order, so step S's port P is counter (ports of the steps
 * before S) + P; emit_send increments that counter once per item sent.
 */
#include <string.h>
#include "emit.h"
#include "io.h"

int emit_port_counter(Graph *g, Step *s, int port)
{
    (void)g;
    return s->port_base + port;
}

int emit_port_count(Graph *g) { return g->nports; }

const char *emit_source_kind(const Step *s)
{
    switch (s->source) {
    case SRC_TESTING:
        return "testing";
    case SRC_RANGE:
        return "range";
    case SRC_FILE_LINES:
        return s->io ? io_kind_name(s->io->kind) : "file";
    case SRC_EXTERN:
        return "extern";
    case SRC_NEXMARK:
        return "nexmark";
    }
    return "?";
}

const char *emit_sink_kind(const Step *s)
{
    if (s->io)
        return io_kind_name(s->io->kind);   /* io.h: stdout, file, dir, kafka */
    switch (s->sink) {
    case SINK_STDOUT:
        return "stdout";
    case SINK_DISCARD:
        return "discard";
    case SINK_EXTERN:
        return "extern";
    }
    return "?";
}

void emit_program_info(Emit *E, FILE *out)
{
    const char *source_name = emit_base_name(E->src_name);
    Graph *g = E->g;
    const char *P = E->P;

    fprintf(out, "/* the inputs, for --input and --help: { step id, source kind, default path } */\n");
    fprintf(out, "static const flow_input_info %s_inputs[] = {\n", P);
    for (int k = 0; k < g->ninputs; k++) {
        Step *s = g->inputs[k];
        const char *path = s->source == SRC_FILE_LINES && s->path ? emit_c_string(E, s->path->sval, s->path->slen) : "NULL";
        fprintf(out, "    { \"%s\", \"%s\", %s },\n", s->id, emit_source_kind(s), path);
    }
    if (!g->ninputs)
        fprintf(out, "    { NULL, NULL, NULL },\n");
    fprintf(out, "};\n\n");

    int nout = 0;
    fprintf(out, "/* the outputs, for --output and --help: { step id, sink kind } */\n");
    fprintf(out, "static const flow_output_info %s_outputs[] = {\n", P);
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        if (s->kind == SK_OUTPUT) {
            fprintf(out, "    { \"%s\", \"%s\" },\n", s->id, emit_sink_kind(s));
            nout++;
        }
    }
    if (!nout)
        fprintf(out, "    { NULL, NULL },\n");
    fprintf(out, "};\n\n");

    /* each step's input ports, as the counters of the upstream ports */
    int nin = 0;
    fprintf(out, "/* --stats: each step's input ports, as the counters (n_sent indices) of\n"
                 " * the upstream ports feeding them, step after step */\n");
    fprintf(out, "static const int %s_in_ports[] = {", P);
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        for (int p = 0; p < s->nins; p++)
            fprintf(out, "%s%d", nin++ ? ", " : " ", emit_port_counter(g, s->ins[p].step, s->ins[p].port));
    }
    fprintf(out, "%s };\n\n", nin ? "" : " 0");

    fprintf(out, "/* --stats: { step id, operator, first output counter, output ports,\n"
                 " *           first entry in in_ports, input ports, 1 + first exchange point } */\n");
    fprintf(out, "static const flow_step_info %s_steps[] = {\n", P);
    nin = 0;
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        fprintf(out, "    { \"%s\", \"%s\", %d, %d, %d, %d, %d },\n", s->id, step_kind_name(s->kind),
                emit_port_counter(g, s, 0), s->nouts, nin, s->nins, emit_step_xitems(E, s));
        nin += s->nins;
    }
    if (!g->nsteps)
        fprintf(out, "    { NULL, NULL, 0, 0, 0, 0, 0 },\n");
    fprintf(out, "};\n\n");

    fprintf(out, "/* what the program tells flow_rt_init about itself */\n");
    fprintf(out, "static const flow_program_info %s_info = {\n", P);
    fprintf(out, "    \"%s\", %s,   /* flow name, source file */\n", P, emit_c_str(E, source_name));
    fprintf(out, "    %s_inputs, %d,\n", P, g->ninputs);
    fprintf(out, "    %s_outputs, %d,\n", P, nout);
    fprintf(out, "    %s_steps, %d,\n", P, g->nsteps);
    fprintf(out, "    %s_in_ports,\n    %d,   /* exchange points */\n};\n\n", P, E->nxbox);
}
