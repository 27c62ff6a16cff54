/*
 * emit_graph.c - `flowc --graph=mermaid|dot`: the dataflow as a picture,
 * as Bytewax's `python -m bytewax.visualize` draws it.
 *
 * Pipeline position: a sibling of emit_c.c; reads the Graph that lowering
 * built (steps in declaration order, consumers per output port) and writes
 * Mermaid (a `flowchart TD`) or Graphviz DOT text.
 *
 * What is drawn:
 *   - one node per step, labelled "STEP_ID (operator)", with the source or
 *     sink for inputs and outputs ("inp (input: file)") and "stateful" on
 *     keyed-state steps (also drawn as a double box in DOT);
 *   - one edge per (upstream port, consumer): labelled with the port name
 *     (Bytewax's: "down" for a step's single output, "trues"/"falses" for
 *     branch), the item type, and "keyed" when the items are (string, V)
 *     pairs, the shape stateful steps require.
 * Mermaid node ids are step_ID (a bare id could be a Mermaid keyword such
 * as `end`). Edges are listed in declaration order of the consumer, so the output is
 * deterministic and the golden tests (tests/graph) are stable.
 */
#include <string.h>
#include "emit.h"
#include "io.h"
#include "window.h"

static const char *port_name(Step *s, int port)
{
    static const char *const window_ports[] = { "down", "late", "meta", "with_meta" };
    if (s->kind == SK_BRANCH)
        return port == 0 ? "trues" : "falses";
    if (s->win && s->win->role == WR_OP && port < WPORT_COUNT)
        return window_ports[port];
    return "down";
}

/* Inputs and outputs are drawn apart (stadium, ellipse). */
static bool is_io(Step *s)
{
    return step_family(s->kind) == FAM_INPUT || step_family(s->kind) == FAM_OUTPUT;
}

/* The source as --graph names it: a range is a testing source. */
static const char *source_name(Step *s) { return s->source == SRC_RANGE ? "testing" : emit_source_kind(s); }

/* Write S escaped for a double-quoted DOT string or Mermaid label. Mermaid
 * labels cannot hold '"' and would read '<' as HTML: they become #quot;,
 * #lt; and #gt; (Mermaid's entity syntax). */
static void put_escaped(FILE *out, const char *s, bool mermaid)
{
    for (; *s; s++) {
        if (*s == '"')
            fputs(mermaid ? "#quot;" : "\\\"", out);
        else if (mermaid && *s == '<')
            fputs("#lt;", out);
        else if (mermaid && *s == '>')
            fputs("#gt;", out);
        else if (*s == '\\' && !mermaid)
            fputs("\\\\", out);
        else
            fputc(*s, out);
    }
}

/* The node label: "id (operator)", "id (input: testing)", plus ", stateful". */
static void put_node_label(FILE *out, Step *s, bool mermaid)
{
    fprintf(out, "%s (%s", s->id, step_kind_name(s->kind));
    if (s->kind == SK_INPUT)
        fprintf(out, ": %s", source_name(s));
    else if (s->kind == SK_OUTPUT)
        fprintf(out, ": %s", emit_sink_kind(s));
    fputs(")", out);
    if (step_is_stateful(s))
        fputs(mermaid ? "<br/>stateful" : "\\nstateful", out);
}

/* The item type on output PORT of S: a window result's ports each have
 * their own (down, late, meta, with_meta); other steps one for all. */
static Type *port_type(Step *s, int port)
{
    if (s->win && s->win->role == WR_OP && port < WPORT_COUNT)
        return s->win->port_type[port];
    return s->out_type;
}

/* The edge label: "PORT: TYPE", then ", keyed" for (string, V) items. */
static void put_edge_label(FILE *out, Step *from, int port, bool mermaid)
{
    fprintf(out, "%s: ", port_name(from, port));
    put_escaped(out, ty_str(port_type(from, port)), mermaid);
    if (ty_keyed_value(port_type(from, port)))
        fputs(", keyed", out);
}

static void emit_mermaid(Graph *g, FILE *out)
{
    fprintf(out, "flowchart TD\n");
    fprintf(out, "subgraph flow_%s[\"%s (Dataflow)\"]\n", g->flow_name, g->flow_name);
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        bool io = is_io(s);
        /* inputs and outputs are stadium-shaped, stateful steps subroutines */
        fprintf(out, "    step_%s%s\"", s->id, io ? "([" : step_is_stateful(s) ? "[[" : "[");
        put_node_label(out, s, true);
        fprintf(out, "\"%s\n", io ? "])" : step_is_stateful(s) ? "]]" : "]");
    }
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        for (int p = 0; p < s->nins; p++) {
            PortRef *u = &s->ins[p];
            fprintf(out, "    step_%s -- \"", u->step->id);
            put_edge_label(out, u->step, u->port, true);
            fprintf(out, "\" --> step_%s\n", s->id);
        }
    }
    fprintf(out, "end\n");
}

static void emit_dot(Graph *g, FILE *out)
{
    fprintf(out, "digraph \"%s\" {\n", g->flow_name);
    fprintf(out, "    label=\"%s (Dataflow)\";\n    labelloc=t;\n", g->flow_name);
    fprintf(out, "    node [shape=box, fontname=\"Helvetica\"];\n");
    fprintf(out, "    edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        fprintf(out, "    \"%s\" [label=\"", s->id);
        put_node_label(out, s, false);
        fputs("\"", out);
        if (is_io(s))
            fputs(", shape=ellipse", out);
        else if (step_is_stateful(s))
            fputs(", peripheries=2", out);
        fputs("];\n", out);
    }
    for (int i = 0; i < g->nsteps; i++) {
        Step *s = g->steps[i];
        for (int p = 0; p < s->nins; p++) {
            PortRef *u = &s->ins[p];
            fprintf(out, "    \"%s\" -> \"%s\" [label=\"", u->step->id, s->id);
            put_edge_label(out, u->step, u->port, false);
            fputs("\"", out);
            if (ty_keyed_value(port_type(u->step, u->port)))
                fputs(", style=bold", out);
            fputs("];\n", out);
        }
    }
    fprintf(out, "}\n");
}

void emit_graph(struct Graph *g, FILE *out, GraphFormat fmt)
{
    if (fmt == GRAPH_MERMAID)
        emit_mermaid(g, out);
    else
        emit_dot(g, out);
}
