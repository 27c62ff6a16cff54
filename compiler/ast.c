/*
 * ast.c - AST constructors, operator names and the --emit=ast dumper.
 *
 * Pipeline position: the parser (grammar/flow.y) calls ast_new/ast_push to
 * build the tree in the AST arena; `flowc --emit=ast` calls ast_dump, which
 * prints one node per line as an indented S-expression:
 *
 *     (program running_sum
 *       (step points_a
 *         (call
 *           (ident input)
 *           (arg (ident xs)))))
 *
 * Attributes (names, operators, literal values) sit on the node's own line;
 * children follow, indented two spaces, in the order cond, lhs, rhs, list,
 * type_ann, body. A node with at most three children that are all leaves
 * prints on one line: (binary + (ident a) (int 1)). The format is for people and golden tests, not a stable
 * interchange format.
 */
#include <inttypes.h>
#include <string.h>

#include "ast.h"

Node *ast_new(Arena *a, NodeKind kind, Loc loc)
{
    Node *n = arena_alloc(a, sizeof *n);
    n->kind = kind;
    n->loc = loc;
    n->name_loc = loc;
    return n;
}

void ast_push(Arena *a, NodeList *l, Node *n)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        Node **items = arena_alloc(a, (size_t)cap * sizeof *items);
        if (l->n)
            memcpy(items, l->items, (size_t)l->n * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = n;
}

const char *ast_op_name(int op)
{
    switch (op) {
    case OP_ADD: return "+";
    case OP_SUB: return "-";
    case OP_MUL: return "*";
    case OP_DIV: return "/";
    case OP_MOD: return "%";
    case OP_FLOORDIV: return "//";
    case OP_IN:  return "in";
    case OP_NOT_IN: return "not in";
    case OP_EQ:  return "==";
    case OP_NE:  return "!=";
    case OP_LT:  return "<";
    case OP_LE:  return "<=";
    case OP_GT:  return ">";
    case OP_GE:  return ">=";
    case OP_AND: return "and";
    case OP_OR:  return "or";
    case OP_NOT: return "not";
    case OP_NEG: return "-";
    }
    return "?";
}

static const char *kind_name(NodeKind k)
{
    switch (k) {
    case ND_PROGRAM:     return "program";
    case ND_RECORD_DECL: return "record";
    case ND_FIELD_DECL:  return "field";
    case ND_CONST_DECL:  return "const";
    case ND_FN_DECL:     return "fn";
    case ND_EXTERN_FN:   return "extern-fn";
    case ND_STEP_DECL:   return "step";
    case ND_TYPE_NAME:   return "type";
    case ND_TYPE_LIST:   return "type-list";
    case ND_TYPE_SET:    return "type-set";
    case ND_TYPE_DICT:   return "type-dict";
    case ND_TYPE_TUPLE:  return "type-tuple";
    case ND_TYPE_OPT:    return "type-opt";
    case ND_INT:         return "int";
    case ND_FLOAT:       return "float";
    case ND_STRING:      return "string";
    case ND_BOOL:        return "bool";
    case ND_NONE:        return "none";
    case ND_DURATION:    return "duration";
    case ND_TIMESTAMP:   return "timestamp";
    case ND_IDENT:       return "ident";
    case ND_BINARY:      return "binary";
    case ND_UNARY:       return "unary";
    case ND_IF:          return "if";
    case ND_COALESCE:    return "coalesce";
    case ND_FIELD:       return "field-of";
    case ND_OPT_FIELD:   return "opt-field-of";
    case ND_TUPLE_INDEX: return "tuple-index";
    case ND_INDEX: return "index";
    case ND_WITH:        return "with";
    case ND_RECORD_LIT:  return "record-lit";
    case ND_FIELD_INIT:  return "field-init";
    case ND_TUPLE:       return "tuple";
    case ND_LIST:        return "list";
    case ND_SET:         return "set";
    case ND_DICT:        return "dict";
    case ND_DICT_ENTRY:  return "entry";
    case ND_FSTRING:     return "fstring";
    case ND_FMT:         return "field";
    case ND_CALL:        return "call";
    case ND_ARG:         return "arg";
    case ND_LAMBDA:      return "lambda";
    case ND_PARAM:       return "param";
    case ND_BLOCK:       return "block";
    case ND_LET:         return "let";
    case ND_PAT_NAME:    return "pat";
    case ND_PAT_WILD:    return "pat-wild";
    case ND_PAT_TUPLE:   return "pat-tuple";
    }
    return "?";
}

/* A string literal's bytes, C-escaped and quoted. */
static void dump_string(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':  fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(out, "\\x%02x", c);
            else
                fputc(c, out);
        }
    }
    fputc('"', out);
}

/* Child I of N in dump order: cond, lhs, rhs, list..., type_ann, body. */
static const Node *child(const Node *n, int i)
{
    if (i == 0) return n->cond;
    if (i == 1) return n->lhs;
    if (i == 2) return n->rhs;
    i -= 3;
    if (i < n->list.n) return n->list.items[i];
    i -= n->list.n;
    return i == 0 ? n->type_ann : i == 1 ? n->body : NULL;
}

static int is_leaf(const Node *n)
{
    return !n->cond && !n->lhs && !n->rhs && !n->list.n && !n->type_ann && !n->body;
}

/* One node; DEPTH < 0 means inline (no indentation, on the parent's line):
 * a node whose children are all leaves, at most three, fits on one line. */
static void dump(FILE *out, const Node *n, int depth)
{
    if (depth >= 0)
        fprintf(out, "%*s", depth * 2, "");
    if (!n) {
        fputs("(null)", out);
        return;
    }
    fprintf(out, "(%s", kind_name(n->kind));
    switch (n->kind) {
    case ND_INT:
    case ND_DURATION:
    case ND_TIMESTAMP:
    case ND_TUPLE_INDEX:
        fprintf(out, " %" PRId64, n->ival);
        break;
    case ND_BOOL:
        fputs(n->ival ? " true" : " false", out);
        break;
    case ND_FLOAT:
        fprintf(out, " %.17g", n->fval);
        break;
    case ND_STRING:
        fputs(n->raw ? " r" : " ", out);
        dump_string(out, n->sval, n->slen);
        break;
    case ND_FMT:
        if (n->ival)
            fprintf(out, " !%c", (char)n->ival);
        if (n->sval) {
            fputs(" :", out);
            dump_string(out, n->sval, n->slen);
        }
        break;
    case ND_BINARY:
    case ND_UNARY:
        fprintf(out, " %s", ast_op_name(n->op));
        break;
    default:
        break;
    }
    if (n->name)
        fprintf(out, " %s", n->name);
    else if (n->kind == ND_PROGRAM)
        fputs(" <missing>", out);

    /* children in dump order: cond, lhs, rhs, list, type_ann, body */
    int nk = 0, inline_ok = 1;
    for (int i = 0; i < 3 + n->list.n + 2; i++) {
        const Node *k = child(n, i);
        if (!k)
            continue;
        nk++;
        if (!is_leaf(k))
            inline_ok = 0;
    }
    if (nk > 3)
        inline_ok = 0;
    for (int i = 0; i < 3 + n->list.n + 2; i++) {
        const Node *k = child(n, i);
        if (!k)
            continue;
        if (inline_ok) {
            fputc(' ', out);
            dump(out, k, -1);
        } else {
            fputc('\n', out);
            dump(out, k, depth + 1);
        }
    }
    fputc(')', out);
}

void ast_dump(FILE *out, const Node *n)
{
    dump(out, n, 0);
    fputc('\n', out);
}
