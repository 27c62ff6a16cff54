/*
 * flow.y - the bison grammar of the .flow language.
 *
 * Pipeline position: parse_program() (bottom of this file) runs the flex
 * scanner (flow.l) and this parser over one loaded source file and returns
 * an ND_PROGRAM in the AST arena; sema.c checks it next. grammar/flow.ebnf
 * documents the same grammar for people.
 *
 * Locations are byte ranges (Loc from diag.h), never line/column: the
 * scanner stamps every token with [start, end) and YYLLOC_DEFAULT joins
 * them; line and column are computed only when a diagnostic is printed.
 *
 * Errors: parse.error custom builds "unexpected X, expected Y" from the
 * LAC-corrected expected-token set (yyreport_syntax_error). Recovery is at
 * declaration boundaries: after an error the scanner skips to the next
 * token that starts a declaration (a `record`/`const`/`fn`/`extern` first
 * on its line, or `NAME =` at column 1) and hands the parser a zero-width
 * SYNC token there, which the `error SYNC` rules accept. A syntax error in
 * a declaration that already had a lexical error is not reported: it is
 * almost always a cascade of the first.
 *
 * Grammar actions are one call each; the helpers they call sit in the
 * %code section below, each preceded by the production it handles.
 */

%define api.pure full
%define api.prefix {flow_yy}
%define parse.error custom
%define parse.lac full
%locations
%param {ParseState *ps}

/* No conflicts at all. Precedence is spelled out as one nonterminal per
 * level (coalesce, or_expr, ... postfix), so no %left/%prec is needed, and
 * the `<` of an explicit type argument (testing<int>([])) is told apart
 * from a comparison by the scanner (TIDENT), not by the grammar. */
%expect 0

%code requires {
#include "flowc.h"

/* Our location type: a byte range in a source file. */
#define FLOW_YYLTYPE Loc
#define FLOW_YYLTYPE_IS_DECLARED 1

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                  \
    do {                                                             \
        if (N) {                                                     \
            (Cur).file = YYRHSLOC(Rhs, 1).file;                      \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                    \
            (Cur).end = YYRHSLOC(Rhs, N).end;                        \
        } else {                                                     \
            (Cur).file = YYRHSLOC(Rhs, 0).file;                      \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;          \
        }                                                            \
    } while (0)

/* State shared by the scanner and the parser for one parse_program(). */
typedef struct ParseState {
    Arena *a;             // AST arena
    Node *prog;           // the ND_PROGRAM being filled
    int file;             // source file id
    const char *text;     // the whole source (NUL-terminated)
    int len;              // its length
    int base;             // offset of flex's current buffer in text
    void *scanner;        // the reentrant flex scanner (yyscan_t)
    int last_tok;         // last token code handed to the parser
    int prev_tok;         // the one before it
    int prev2_tok;        // and the one before that
    Loc last_loc;         // location of last_tok
    Loc prev_loc;         // location of prev_tok
    int recovering;       // scanner skips to the next declaration start
    int last_restart;     // start of the last token re-scanned (no loops)
    int lex_err_off;      // start of the last lexical error, -1 if none
    int decl_end_off;     // end of the last complete (or resynced) declaration
    NodeList min_lits;    // `9223372036854775808` literals after a `-`
    int too_deep;         // "nested too deeply" was reported
    int start_tok;        // a token the scanner returns first (START_EXPR), or 0
    int depth;            // f-strings parsed inside f-strings (a bound)
} ParseState;

/* Scanner lifecycle (grammar/flow.l). */
void lex_open(ParseState *ps);
/* Scan TEXT[START, END) of the same source (an f-string's field). */
void lex_open_range(ParseState *ps, int start, int end);
/* Parse the expression at bytes [START, END) of PS's file (a replacement
 * field of an f-string, which the scanner found): its node in PS's arena,
 * locations in the file; NULL after a reported error. */
Node *parse_fexpr(ParseState *ps, int start, int end);
void lex_close(ParseState *ps);
void lex_restart(ParseState *ps, int offset);
bool lex_is_decl_start(ParseState *ps, int tok, Loc loc);
bool lex_at_line_start(ParseState *ps, Loc loc);
}

%union {
    Node *node;
    const char *name;     // interned identifier
    NodeList list;
    int op;               // OpKind
}

%token <name> IDENT "identifier"
%token <name> TIDENT "generic identifier"   /* IDENT directly followed by <type>( */
%token <node> INT "integer literal"
%token <node> FLOAT "float literal"
%token <node> STRING "string literal"
%token <node> DURATION "duration literal"
%token <node> TIMESTAMP "timestamp literal"

%token KW_FLOW "`flow`" KW_RECORD "`record`" KW_CONST "`const`" KW_FN "`fn`"
%token KW_EXTERN "`extern`" KW_LET "`let`" KW_IF "`if`" KW_THEN "`then`"
%token KW_ELSE "`else`" KW_AND "`and`" KW_OR "`or`" KW_NOT "`not`"
%token KW_TRUE "`true`" KW_FALSE "`false`" KW_NONE "`none`" KW_WITH "`with`" KW_IN "`in`"
%token ARROW "`->`" EQEQ "`==`" NE "`!=`" LE "`<=`" GE "`>=`"
%token COALESCE "`??`" OPTDOT "`?.`" FLOORDIV "`//`"
%token SYNC "declaration start"   /* zero-width, only after an error */
%token TEXTERN "`extern<`"   /* `extern` directly followed by `<` (scanner), as in input(extern<T>) */
%token START_EXPR "f-string field"   /* first token of parse_fexpr's parse: an expression follows */

%type <node> decl type expr lambda_expr coalesce or_expr and_expr not_expr
%type <node> cmp_expr add_expr mul_expr unary_expr postfix primary block
%type <node> field_decl fn_param lparam pattern field_init arg let dict_entry
%type <list> field_decls field_decl_list fn_params fn_param_list
%type <list> lparams lparam_list pattern_list field_inits field_init_list
%type <list> args arg_list exprs expr_list tuple_rest type_list lets dict_entries
%type <op> cmp_op

%initial-action {
    @$.file = ps->file;
    @$.start = @$.end = 0;
}

%code {
#include <string.h>

/* Bison calls yylex(&yylval, &yylloc, ps); flex's yylex wants the scanner. */
int flow_yylex(FLOW_YYSTYPE *lval, Loc *lloc, void *scanner);
#undef yylex
#define yylex(lval, lloc, ps) flow_yylex((lval), (lloc), (ps)->scanner)

static void flow_yyerror(const Loc *loc, ParseState *ps, const char *msg);

static NodeList list1(ParseState *ps, Node *n)
{
    NodeList l = { 0 };
    ast_push(ps->a, &l, n);
    return l;
}

static NodeList list_add(ParseState *ps, NodeList l, Node *n)
{
    ast_push(ps->a, &l, n);
    return l;
}

static Node *node(ParseState *ps, NodeKind k, Loc loc)
{
    return ast_new(ps->a, k, loc);
}

/* Deepest chain of nested nodes the parser accepts. Left-recursive rules
 * (`a + b + c ...`, `f()()()`, `x.a.b.c`, `T???`) build trees far deeper
 * than bison's stack, and every later phase walks trees recursively: the
 * driver runs the phases on a thread with a large stack (main.c), sized
 * for this depth. */
#define MAX_DEPTH 100000

/* While parsing, a node's flags field holds its depth (1 + the deepest
 * child; literals count 0). parse_program clears it before returning, as
 * flags belongs to the checker. */
static int depth_of(const Node *n)
{
    return n && n->kind != ND_INT ? n->flags : 0;
}

static Node *done(ParseState *ps, Node *n)
{
    int d = depth_of(n->cond);
    const Node *kids[] = { n->lhs, n->rhs, n->body, n->type_ann };
    for (size_t i = 0; i < sizeof kids / sizeof kids[0]; i++)
        if (depth_of(kids[i]) > d)
            d = depth_of(kids[i]);
    for (int i = 0; i < n->list.n; i++)
        if (depth_of(n->list.items[i]) > d)
            d = depth_of(n->list.items[i]);
    if (n->kind == ND_INT)
        return n;
    n->flags = d + 1;
    if (n->flags > MAX_DEPTH) {
        if (!ps->too_deep)
            diag_error(n->loc, "expression is nested too deeply (more than %d levels)", MAX_DEPTH);
        ps->too_deep = 1;
        n->flags = MAX_DEPTH;
    }
    return n;
}

/* decl = IDENT "=" expr ; const: "const" IDENT "=" expr */
static Node *mk_named(ParseState *ps, NodeKind k, Loc loc, const char *name,
                      Loc name_loc, Node *lhs)
{
    Node *n = node(ps, k, loc);
    n->name = name;
    n->name_loc = name_loc;
    n->lhs = lhs;
    return done(ps, n);
}

/* decl = "record" IDENT "{" field_decls "}"
 *      | "fn" IDENT "(" fn_params ")" "->" type "=" expr
 *      | "extern" "fn" IDENT "(" fn_params ")" "->" type */
static Node *mk_decl(ParseState *ps, NodeKind k, Loc loc, const char *name,
                     Loc name_loc, NodeList list, Node *type, Node *body)
{
    Node *n = mk_named(ps, k, loc, name, name_loc, NULL);
    n->list = list;
    n->type_ann = type;
    n->body = body;
    return done(ps, n);
}

/* field_decl = IDENT ":" type ;  fn_param = IDENT ":" type */
static Node *mk_typed_name(ParseState *ps, NodeKind k, Loc loc, const char *name,
                           Loc name_loc, Node *type)
{
    Node *n = mk_named(ps, k, loc, name, name_loc, NULL);
    n->type_ann = type;
    if (k == ND_PARAM) {   /* a fn parameter is a named pattern */
        n->name = NULL;
        n->lhs = mk_named(ps, ND_PAT_NAME, name_loc, name, name_loc, NULL);
    }
    return done(ps, n);
}

/* type = IDENT | IDENT "<" type ">" | IDENT "<" type "," type ">"
 * (list<T>, set<T>, dict<K, V>; ARG2 is NULL for one argument) */
static Node *mk_type_name(ParseState *ps, Loc loc, const char *name, Loc name_loc,
                          Node *arg, Node *arg2)
{
    if (!arg) {
        Node *n = mk_named(ps, ND_TYPE_NAME, loc, name, name_loc, NULL);
        return n;
    }
    bool list = strcmp(name, "list") == 0, set = strcmp(name, "set") == 0;
    bool dict = strcmp(name, "dict") == 0;
    if (!list && !set && !dict) {
        diag_error(name_loc, "type `%s` takes no type argument; only `list<T>`, `set<T>` and `dict<K, V>` do",
                   name);
        return mk_named(ps, ND_TYPE_LIST, loc, NULL, name_loc, arg);
    }
    if (dict && !arg2) {
        diag_error(loc, "`dict` takes two type arguments: `dict<K, V>`");
        arg2 = arg;
    }
    if (!dict && arg2)
        diag_error(loc, "`%s` takes one type argument: `%s<T>`", name, name);
    Node *n = mk_named(ps, dict ? ND_TYPE_DICT : set ? ND_TYPE_SET : ND_TYPE_LIST, loc, NULL, name_loc, arg);
    n->rhs = dict ? arg2 : NULL;
    return done(ps, n);
}

/* type = "(" type "," type_list [","] ")" | type "?" */
static Node *mk_type(ParseState *ps, NodeKind k, Loc loc, Node *lhs, NodeList list)
{
    Node *n = node(ps, k, loc);
    n->lhs = lhs;
    n->list = list;
    return done(ps, n);
}

/* lambda_expr = "|" lparams "|" expr */
static Node *mk_lambda(ParseState *ps, Loc loc, NodeList params, Node *body)
{
    Node *n = node(ps, ND_LAMBDA, loc);
    n->list = params;
    n->body = body;
    return done(ps, n);
}

/* lparam = pattern [":" type] */
static Node *mk_param(ParseState *ps, Loc loc, Node *pat, Node *type)
{
    Node *n = node(ps, ND_PARAM, loc);
    n->lhs = pat;
    n->type_ann = type;
    return done(ps, n);
}

/* pattern = IDENT | "_" */
static Node *mk_pat_name(ParseState *ps, Loc loc, const char *name)
{
    if (strcmp(name, "_") == 0)
        return node(ps, ND_PAT_WILD, loc);
    return mk_named(ps, ND_PAT_NAME, loc, name, loc, NULL);
}

/* pattern = "(" pattern_list [","] ")"   -- one element without a comma is
 * just that pattern in parentheses; `(a,)` takes a one-element tuple */
static Node *mk_pat_tuple(ParseState *ps, Loc loc, NodeList l, bool comma)
{
    if (l.n == 1 && !comma)
        return l.items[0];
    Node *n = node(ps, ND_PAT_TUPLE, loc);
    n->list = l;
    return done(ps, n);
}

/* expr = "if" expr "then" expr "else" expr */
static Node *mk_if(ParseState *ps, Loc loc, Node *c, Node *t, Node *e)
{
    Node *n = node(ps, ND_IF, loc);
    n->cond = c;
    n->lhs = t;
    n->rhs = e;
    return done(ps, n);
}

/* coalesce = or_expr "??" coalesce ; or_expr = or_expr "or" and_expr ; ... */
static Node *mk_binary(ParseState *ps, NodeKind k, int op, Loc loc, Node *l, Node *r)
{
    Node *n = node(ps, k, loc);
    n->op = op;
    n->lhs = l;
    n->rhs = r;
    return done(ps, n);
}

/* not_expr = "not" not_expr */
static Node *mk_unary(ParseState *ps, int op, Loc loc, Node *e)
{
    Node *n = node(ps, ND_UNARY, loc);
    n->op = op;
    n->lhs = e;
    return done(ps, n);
}

/* unary_expr = "-" unary_expr
 * A minus directly applied to an int or float literal folds into it, so
 * `-7` is the literal -7 and `-9223372036854775808` (whose digits alone
 * are out of range) is INT64_MIN. */
static Node *mk_neg(ParseState *ps, Loc loc, Node *e)
{
    if (e->kind == ND_INT && e->flags == 1) {
        e->flags = 0;
        e->ival = INT64_MIN;
        e->loc = loc;
        return e;
    }
    if (e->kind == ND_INT && e->ival != INT64_MIN) {
        e->ival = -e->ival;
        e->loc = loc;
        return e;
    }
    if (e->kind == ND_FLOAT) {
        e->fval = -e->fval;
        e->loc = loc;
        return e;
    }
    return mk_unary(ps, OP_NEG, loc, e);
}

/* postfix = postfix "(" args ")" | TIDENT "<" type ">" "(" args ")" */
static Node *mk_call(ParseState *ps, Loc loc, Node *callee, Node *targ, NodeList args)
{
    Node *n = node(ps, ND_CALL, loc);
    n->lhs = callee;
    n->type_ann = targ;
    n->list = args;
    return done(ps, n);
}

/* postfix = postfix "." IDENT | postfix "?." IDENT */
static Node *mk_field(ParseState *ps, NodeKind k, Loc loc, Node *e, const char *name,
                      Loc name_loc)
{
    return mk_named(ps, k, loc, name, name_loc, e);
}

/* postfix = postfix "." INT */
static Node *mk_tuple_index(ParseState *ps, Loc loc, Node *e, Node *idx)
{
    Node *n = node(ps, ND_TUPLE_INDEX, loc);
    n->lhs = e;
    n->ival = idx->ival;
    n->name_loc = idx->loc;
    return done(ps, n);
}

/* postfix = postfix "[" expr "]" */
static Node *mk_index(ParseState *ps, Loc loc, Node *e, Node *idx)
{
    Node *n = node(ps, ND_INDEX, loc);
    n->lhs = e;
    n->rhs = idx;
    return done(ps, n);
}

/* postfix = postfix "with" "{" field_inits "}" ;
 * primary = IDENT "{" field_inits "}" */
static Node *mk_fields(ParseState *ps, NodeKind k, Loc loc, Node *lhs, const char *name,
                       Loc name_loc, NodeList inits)
{
    Node *n = mk_named(ps, k, loc, name, name_loc, lhs);
    n->list = inits;
    return done(ps, n);
}

/* primary = "(" expr "," tuple_rest [","] ")" | "[" exprs "]" */
static Node *mk_seq(ParseState *ps, NodeKind k, Loc loc, Node *first, NodeList rest)
{
    Node *n = node(ps, k, loc);
    if (first)
        ast_push(ps->a, &n->list, first);
    for (int i = 0; i < rest.n; i++)
        ast_push(ps->a, &n->list, rest.items[i]);
    return done(ps, n);
}

/* dict_entry = expr ":" expr ; field_init = "[" expr "]" ":" expr */
static Node *mk_entry(ParseState *ps, Loc loc, Node *key, Node *value)
{
    Node *n = node(ps, ND_DICT_ENTRY, loc);
    n->lhs = key;
    n->rhs = value;
    return done(ps, n);
}

/* primary = "true" | "false" | "none" | IDENT */
static Node *mk_atom(ParseState *ps, NodeKind k, Loc loc, int64_t ival, const char *name)
{
    Node *n = node(ps, k, loc);
    n->ival = ival;
    n->name = name;
    return done(ps, n);
}

/* block = "{" lets expr "}" */
static Node *mk_block(ParseState *ps, Loc loc, NodeList lets, Node *e)
{
    Node *n = node(ps, ND_BLOCK, loc);
    n->list = lets;
    n->body = e;
    return done(ps, n);
}

/* let = "let" pattern "=" expr ";" */
static Node *mk_let(ParseState *ps, Loc loc, Node *pat, Node *e)
{
    Node *n = node(ps, ND_LET, loc);
    n->lhs = pat;
    n->rhs = e;
    return done(ps, n);
}

/* primary = "extern" | "extern" "<" type ">"  (a source or sink: an
 * ND_IDENT named "extern", the item type in type_ann; sema_extern.c) */
static Node *mk_extern(ParseState *ps, Loc loc, Node *type)
{
    Node *n = mk_atom(ps, ND_IDENT, loc, 0, intern("extern", 6));
    n->type_ann = type;
    return done(ps, n);
}

/* arg = expr | IDENT "=" expr */
static Node *mk_arg(ParseState *ps, Loc loc, const char *name, Loc name_loc, Node *e)
{
    return mk_named(ps, ND_ARG, loc, name, name_loc, e);
}

/* decls = decls decl */
static void add_decl(ParseState *ps, Node *d, Loc loc)
{
    ast_push(ps->a, &ps->prog->list, d);
    ps->decl_end_off = loc.end;
}
}

%%

program
    : header decls
    | START_EXPR expr   { ps->prog->lhs = $2; }
    ;

header
    : KW_FLOW IDENT     { ps->prog->name = $2; ps->prog->name_loc = @2; ps->decl_end_off = @2.end; }
    | error SYNC        { yyerrok; ps->decl_end_off = @2.start; }
    ;

decls
    : %empty
    | decls decl        { add_decl(ps, $2, @2); }
    | decls error SYNC  { yyerrok; ps->decl_end_off = @3.start; }
    ;

decl
    : IDENT '=' expr
        { $$ = mk_named(ps, ND_STEP_DECL, @$, $1, @1, $3); }
    | KW_CONST IDENT '=' expr
        { $$ = mk_named(ps, ND_CONST_DECL, @$, $2, @2, $4); }
    | KW_RECORD IDENT '{' field_decls '}'
        { $$ = mk_decl(ps, ND_RECORD_DECL, @$, $2, @2, $4, NULL, NULL); }
    | KW_FN IDENT '(' fn_params ')' ARROW type '=' expr
        { $$ = mk_decl(ps, ND_FN_DECL, @$, $2, @2, $4, $7, $9); }
    | KW_EXTERN KW_FN IDENT '(' fn_params ')' ARROW type
        { $$ = mk_decl(ps, ND_EXTERN_FN, @$, $3, @3, $5, $8, NULL); }
    ;

field_decls
    : %empty                    { $$ = (NodeList){ 0 }; }
    | field_decl_list           { $$ = $1; }
    | field_decl_list ','       { $$ = $1; }
    ;

field_decl_list
    : field_decl                        { $$ = list1(ps, $1); }
    | field_decl_list ',' field_decl    { $$ = list_add(ps, $1, $3); }
    ;

field_decl
    : IDENT ':' type    { $$ = mk_typed_name(ps, ND_FIELD_DECL, @$, $1, @1, $3); }
    ;

fn_params
    : %empty                    { $$ = (NodeList){ 0 }; }
    | fn_param_list             { $$ = $1; }
    | fn_param_list ','         { $$ = $1; }
    ;

fn_param_list
    : fn_param                      { $$ = list1(ps, $1); }
    | fn_param_list ',' fn_param    { $$ = list_add(ps, $1, $3); }
    ;

fn_param
    : IDENT ':' type    { $$ = mk_typed_name(ps, ND_PARAM, @$, $1, @1, $3); }
    ;

/* ---- types ---------------------------------------------------------- */

type
    : IDENT                     { $$ = mk_type_name(ps, @$, $1, @1, NULL, NULL); }
    | IDENT '<' type '>'        { $$ = mk_type_name(ps, @$, $1, @1, $3, NULL); }
    | IDENT '<' type ',' type '>'   { $$ = mk_type_name(ps, @$, $1, @1, $3, $5); }
    | '(' type ')'              { $$ = $2; }
    | '(' type ',' type_list ')'        { $$ = mk_type(ps, ND_TYPE_TUPLE, @$, NULL, list_add(ps, (NodeList){ 0 }, $2)); for (int i = 0; i < $4.n; i++) ast_push(ps->a, &$$->list, $4.items[i]); }
    | '(' type ',' ')'                  { $$ = mk_type(ps, ND_TYPE_TUPLE, @$, NULL, list1(ps, $2)); }
    | '(' type ',' type_list ',' ')'    { $$ = mk_type(ps, ND_TYPE_TUPLE, @$, NULL, list_add(ps, (NodeList){ 0 }, $2)); for (int i = 0; i < $4.n; i++) ast_push(ps->a, &$$->list, $4.items[i]); }
    | type '?'                  { $$ = mk_type(ps, ND_TYPE_OPT, @$, $1, (NodeList){ 0 }); }
    ;

type_list
    : type                  { $$ = list1(ps, $1); }
    | type_list ',' type    { $$ = list_add(ps, $1, $3); }
    ;

/* ---- expressions, lowest precedence first ------------------------------ */

expr
    : lambda_expr
    | KW_IF expr KW_THEN expr KW_ELSE expr  { $$ = mk_if(ps, @$, $2, $4, $6); }
    | coalesce
    ;

lambda_expr
    : '|' lparams '|' expr      { $$ = mk_lambda(ps, @$, $2, $4); }
    ;

lparams
    : %empty                { $$ = (NodeList){ 0 }; }
    | lparam_list           { $$ = $1; }
    | lparam_list ','       { $$ = $1; }
    ;

lparam_list
    : lparam                    { $$ = list1(ps, $1); }
    | lparam_list ',' lparam    { $$ = list_add(ps, $1, $3); }
    ;

lparam
    : pattern               { $$ = mk_param(ps, @$, $1, NULL); }
    | pattern ':' type      { $$ = mk_param(ps, @$, $1, $3); }
    ;

pattern
    : IDENT                         { $$ = mk_pat_name(ps, @$, $1); }
    | '(' pattern_list ')'          { $$ = mk_pat_tuple(ps, @$, $2, false); }
    | '(' pattern_list ',' ')'      { $$ = mk_pat_tuple(ps, @$, $2, true); }
    ;

pattern_list
    : pattern                       { $$ = list1(ps, $1); }
    | pattern_list ',' pattern      { $$ = list_add(ps, $1, $3); }
    ;

coalesce
    : or_expr
    | or_expr COALESCE coalesce     { $$ = mk_binary(ps, ND_COALESCE, 0, @$, $1, $3); }
    ;

or_expr
    : and_expr
    | or_expr KW_OR and_expr        { $$ = mk_binary(ps, ND_BINARY, OP_OR, @$, $1, $3); }
    ;

and_expr
    : not_expr
    | and_expr KW_AND not_expr      { $$ = mk_binary(ps, ND_BINARY, OP_AND, @$, $1, $3); }
    ;

not_expr
    : cmp_expr
    | KW_NOT not_expr               { $$ = mk_unary(ps, OP_NOT, @$, $2); }
    ;

/* Comparisons do not chain: `a < b < c` is a syntax error. */
cmp_expr
    : add_expr
    | add_expr cmp_op add_expr      { $$ = mk_binary(ps, ND_BINARY, $2, @$, $1, $3); }
    ;

cmp_op
    : EQEQ  { $$ = OP_EQ; }
    | NE    { $$ = OP_NE; }
    | '<'   { $$ = OP_LT; }
    | LE    { $$ = OP_LE; }
    | '>'   { $$ = OP_GT; }
    | GE    { $$ = OP_GE; }
    | KW_IN         { $$ = OP_IN; }
    | KW_NOT KW_IN  { $$ = OP_NOT_IN; }
    ;

add_expr
    : mul_expr
    | add_expr '+' mul_expr     { $$ = mk_binary(ps, ND_BINARY, OP_ADD, @$, $1, $3); }
    | add_expr '-' mul_expr     { $$ = mk_binary(ps, ND_BINARY, OP_SUB, @$, $1, $3); }
    ;

mul_expr
    : unary_expr
    | mul_expr '*' unary_expr   { $$ = mk_binary(ps, ND_BINARY, OP_MUL, @$, $1, $3); }
    | mul_expr '/' unary_expr   { $$ = mk_binary(ps, ND_BINARY, OP_DIV, @$, $1, $3); }
    | mul_expr FLOORDIV unary_expr  { $$ = mk_binary(ps, ND_BINARY, OP_FLOORDIV, @$, $1, $3); }
    | mul_expr '%' unary_expr   { $$ = mk_binary(ps, ND_BINARY, OP_MOD, @$, $1, $3); }
    ;

unary_expr
    : postfix
    | '-' unary_expr            { $$ = mk_neg(ps, @$, $2); }
    ;

postfix
    : primary
    | postfix '(' args ')'
        { $$ = mk_call(ps, @$, $1, NULL, $3); }
    | TIDENT '<' type '>' '(' args ')'
        { $$ = mk_call(ps, @$, mk_atom(ps, ND_IDENT, @1, 0, $1), $3, $6); }
    | TIDENT '<' type ',' type '>' '(' args ')'
        { $$ = mk_call(ps, @$, mk_atom(ps, ND_IDENT, @1, 0, $1), mk_type_name(ps, @$, $1, @1, $3, $5), $8); }
    | postfix '.' IDENT
        { $$ = mk_field(ps, ND_FIELD, @$, $1, $3, @3); }
    | postfix '.' INT
        { $$ = mk_tuple_index(ps, @$, $1, $3); }
    | postfix '[' expr ']'
        { $$ = mk_index(ps, @$, $1, $3); }
    | postfix OPTDOT IDENT
        { $$ = mk_field(ps, ND_OPT_FIELD, @$, $1, $3, @3); }
    | postfix KW_WITH '{' field_inits '}'
        { $$ = mk_fields(ps, ND_WITH, @$, $1, NULL, @2, $4); }
    ;

primary
    : INT | FLOAT | STRING | DURATION | TIMESTAMP
    | KW_TRUE                   { $$ = mk_atom(ps, ND_BOOL, @$, 1, NULL); }
    | KW_FALSE                  { $$ = mk_atom(ps, ND_BOOL, @$, 0, NULL); }
    | KW_NONE                   { $$ = mk_atom(ps, ND_NONE, @$, 0, NULL); }
    | IDENT                     { $$ = mk_atom(ps, ND_IDENT, @$, 0, $1); }
    | '(' expr ')'              { $$ = $2; }
    | '(' expr ',' tuple_rest ')'       { $$ = mk_seq(ps, ND_TUPLE, @$, $2, $4); }
    | '(' expr ',' tuple_rest ',' ')'   { $$ = mk_seq(ps, ND_TUPLE, @$, $2, $4); }
    | '(' expr ',' ')'                  { $$ = mk_seq(ps, ND_TUPLE, @$, $2, (NodeList){ 0 }); }
    | '[' exprs ']'             { $$ = mk_seq(ps, ND_LIST, @$, NULL, $2); }
    | '{' '}'                   { $$ = mk_seq(ps, ND_DICT, @$, NULL, (NodeList){ 0 }); }
    | '{' expr_list '}'         { $$ = mk_seq(ps, ND_SET, @$, NULL, $2); }
    | '{' expr_list ',' '}'     { $$ = mk_seq(ps, ND_SET, @$, NULL, $2); }
    | '{' dict_entries '}'      { $$ = mk_seq(ps, ND_DICT, @$, NULL, $2); }
    | '{' dict_entries ',' '}'  { $$ = mk_seq(ps, ND_DICT, @$, NULL, $2); }
    | IDENT '{' field_inits '}' { $$ = mk_fields(ps, ND_RECORD_LIT, @$, NULL, $1, @1, $3); }
    | block
    | KW_EXTERN                 { $$ = mk_extern(ps, @$, NULL); }
    | TEXTERN '<' type '>'      { $$ = mk_extern(ps, @$, $3); }
    ;

tuple_rest
    : expr                  { $$ = list1(ps, $1); }
    | tuple_rest ',' expr   { $$ = list_add(ps, $1, $3); }
    ;

exprs
    : %empty                { $$ = (NodeList){ 0 }; }
    | expr_list             { $$ = $1; }
    | expr_list ','         { $$ = $1; }
    ;

expr_list
    : expr                  { $$ = list1(ps, $1); }
    | expr_list ',' expr    { $$ = list_add(ps, $1, $3); }
    ;

field_inits
    : %empty                { $$ = (NodeList){ 0 }; }
    | field_init_list       { $$ = $1; }
    | field_init_list ','   { $$ = $1; }
    ;

field_init_list
    : field_init                        { $$ = list1(ps, $1); }
    | field_init_list ',' field_init    { $$ = list_add(ps, $1, $3); }
    ;

field_init
    : IDENT ':' expr        { $$ = mk_named(ps, ND_FIELD_INIT, @$, $1, @1, $3); }
    | '[' expr ']' ':' expr { $$ = mk_entry(ps, @$, $2, $5); }
    ;

dict_entries
    : dict_entry                    { $$ = list1(ps, $1); }
    | dict_entries ',' dict_entry   { $$ = list_add(ps, $1, $3); }
    ;

dict_entry
    : expr ':' expr         { $$ = mk_entry(ps, @$, $1, $3); }
    ;

args
    : %empty                { $$ = (NodeList){ 0 }; }
    | arg_list              { $$ = $1; }
    | arg_list ','          { $$ = $1; }
    ;

arg_list
    : arg                   { $$ = list1(ps, $1); }
    | arg_list ',' arg      { $$ = list_add(ps, $1, $3); }
    ;

arg
    : expr                  { $$ = mk_arg(ps, @$, NULL, @1, $1); }
    | IDENT '=' expr        { $$ = mk_arg(ps, @$, $1, @1, $3); }
    ;

/* A block has at least one `let`: `{ E }` is a one-element set, as in
 * Python. */
block
    : '{' lets expr '}'     { $$ = mk_block(ps, @$, $2, $3); }
    ;

lets
    : let                   { $$ = list1(ps, $1); }
    | lets let              { $$ = list_add(ps, $1, $2); }
    ;

let
    : KW_LET pattern '=' expr ';'   { $$ = mk_let(ps, @$, $2, $4); }
    ;

%%

/* ---- syntax error messages ---------------------------------------------- */

/* Is S (a yysymbol_name) one of NAMES? */
static bool name_in(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

/* Can token kind K begin an expression? */
static bool starts_expr(yysymbol_kind_t k)
{
    static const char *const puncts[] = { "'('", "'['", "'{'", "'-'", "'|'" };
    switch (k) {
    case YYSYMBOL_IDENT: case YYSYMBOL_TIDENT: case YYSYMBOL_INT:
    case YYSYMBOL_FLOAT: case YYSYMBOL_STRING: case YYSYMBOL_DURATION:
    case YYSYMBOL_TIMESTAMP: case YYSYMBOL_KW_TRUE: case YYSYMBOL_KW_FALSE:
    case YYSYMBOL_KW_NONE: case YYSYMBOL_KW_IF: case YYSYMBOL_KW_NOT:
    case YYSYMBOL_KW_EXTERN: case YYSYMBOL_TEXTERN:
        return true;
    default:
        return name_in(yysymbol_name(k), puncts, sizeof puncts / sizeof puncts[0]);
    }
}

/* Tokens that continue an expression (binary operators, postfix forms):
 * listing them after a complete expression is noise. */
static bool continues_expr(yysymbol_kind_t k)
{
    static const char *const ops[] = {
        "'+'", "'-'", "'*'", "'/'", "'%'", "'<'", "'>'", "'.'", "'('", "'?'", "'['",
        "'{'",   /* IDENT { is a record literal */
        "`==`", "`!=`", "`<=`", "`>=`", "`??`", "`?.`", "`//`",
        "`and`", "`or`", "`with`", "`in`", "`not`",   /* `not` here only as `not in` */
    };
    return name_in(yysymbol_name(k), ops, sizeof ops / sizeof ops[0]);
}

/* How a token kind is named in messages: "`)`", "identifier", ... */
static const char *sym_text(yysymbol_kind_t k, char *buf, size_t size)
{
    if (k == YYSYMBOL_TIDENT)
        k = YYSYMBOL_IDENT;
    const char *s = yysymbol_name(k);
    size_t n = strlen(s);
    if (n >= 3 && s[0] == '\'')             /* '(' -> `(` */
        snprintf(buf, size, "`%.*s`", (int)(n - 2), s + 1);
    else if (n >= 2 && s[0] == '"')         /* "`flow`" -> `flow` */
        snprintf(buf, size, "%.*s", (int)(n - 2), s + 1);
    else
        snprintf(buf, size, "%s", s);
    return buf;
}

/* The unexpected token, with its text where that helps. */
static void describe_found(ParseState *ps, yysymbol_kind_t k, Loc loc, char *buf, size_t size)
{
    char name[64];
    sym_text(k, name, sizeof name);
    int n = loc.end - loc.start;
    switch (k) {
    case YYSYMBOL_IDENT: case YYSYMBOL_TIDENT: case YYSYMBOL_INT:
    case YYSYMBOL_FLOAT: case YYSYMBOL_DURATION: case YYSYMBOL_TIMESTAMP:
        if (n > 0 && n <= 40 && loc.start >= 0 && loc.end <= ps->len) {
            snprintf(buf, size, "%s `%.*s`", name, n, ps->text + loc.start);
            return;
        }
        break;
    default:
        break;
    }
    snprintf(buf, size, "%s", name);
}

/* The expected-token set, in words. */
static void describe_expected(yysymbol_kind_t *exp, int n, char *buf, size_t size)
{
    bool expr = false, ops = false, decl = false;
    for (int i = 0; i < n; i++) {
        if (exp[i] == YYSYMBOL_KW_FLOW) {
            snprintf(buf, size, "`flow NAME`");
            return;
        }
        if (exp[i] == YYSYMBOL_INT)
            expr = true;
        if (strcmp(yysymbol_name(exp[i]), "'+'") == 0)   /* follows an operand */
            ops = true;
        if (exp[i] == YYSYMBOL_KW_RECORD)
            decl = true;
    }
    const char *words[8];
    char store[8][48];
    int nw = 0;
    if (expr)
        words[nw++] = "expression";
    if (decl)
        words[nw++] = "declaration";
    for (int i = 0; i < n && nw < 6; i++) {
        yysymbol_kind_t k = exp[i];
        if (k == YYSYMBOL_SYNC || k == YYSYMBOL_TIDENT)
            continue;
        if (expr && starts_expr(k))
            continue;
        if (ops && continues_expr(k))
            continue;
        if (decl && (k == YYSYMBOL_IDENT || k == YYSYMBOL_KW_RECORD || k == YYSYMBOL_KW_CONST
                     || k == YYSYMBOL_KW_FN || k == YYSYMBOL_KW_EXTERN || k == YYSYMBOL_YYEOF))
            continue;
        words[nw] = sym_text(k, store[nw], sizeof store[nw]);
        nw++;
    }
    if (nw == 0 && ops)
        words[nw++] = "an operator";
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < nw && used < size; i++) {
        const char *sep = i == 0 ? "" : i == nw - 1 ? " or " : ", ";
        used += (size_t)snprintf(buf + used, size - used, "%s%s", sep, words[i]);
    }
}

static int yyreport_syntax_error(const yypcontext_t *ctx, ParseState *ps)
{
    yysymbol_kind_t tok = yypcontext_token(ctx);
    Loc loc = *yypcontext_location(ctx);

    /* Resynchronise at the next declaration; if the offending token itself
     * starts one, scan it again so that declaration is not lost. */
    ps->recovering = 1;
    bool cut_short = ps->last_tok == '=' && lex_is_decl_start(ps, ps->prev_tok, ps->prev_loc);
    Loc restart = cut_short ? ps->prev_loc : ps->last_loc;
    if ((cut_short || lex_is_decl_start(ps, ps->last_tok, ps->last_loc))
        && restart.start > ps->last_restart) {
        ps->last_restart = restart.start;
        lex_restart(ps, restart.start);
    }

    /* A lexical error in this declaration already explains it. */
    if (ps->lex_err_off >= 0 && ps->lex_err_off >= ps->decl_end_off)
        return 0;

    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
    if (n < 0)
        n = 0;
    /* `NAME =` at column 1 inside an expression: the declaration before
     * it ended early (`x = a +` then a new step). */
    if (cut_short && ps->prev2_tok == KW_FLOW) {
        /* `flow` alone on its line: the next step's name was taken for it */
        ps->prog->name = NULL;
        diag_error(ps->prev_loc, "expected the dataflow's name after `flow`");
        return 0;
    }
    if (cut_short) {
        diag_error(ps->prev_loc, "expected expression before step `%.*s`",
                   ps->prev_loc.end - ps->prev_loc.start, ps->text + ps->prev_loc.start);
        return 0;
    }
    char found[128], expected[400];
    describe_found(ps, tok, loc, found, sizeof found);
    if (ps->depth > 0 && tok == YYSYMBOL_YYEOF)
        snprintf(found, sizeof found, "end of the f-string field");
    describe_expected(exp, n, expected, sizeof expected);
    /* `NAME` then not `=`: the tokens before tell a step from a const. */
    if (n == 1 && strcmp(yysymbol_name(exp[0]), "'='") == 0 && ps->prev_tok == IDENT
        && (ps->prev2_tok == KW_CONST || lex_at_line_start(ps, ps->prev_loc)))
        diag_error(loc, "expected `=` after %s name, found %s",
                   ps->prev2_tok == KW_CONST ? "constant" : "step", found);
    else if (expected[0])
        diag_error(loc, "unexpected %s, expected %s", found, expected);
    else
        diag_error(loc, "unexpected %s", found);
    return 0;
}

static void flow_yyerror(const Loc *loc, ParseState *ps, const char *msg)
{
    (void)ps;
    if (strcmp(msg, "memory exhausted") == 0)
        diag_error(*loc, "nesting is too deep");
    else
        diag_error(*loc, "%s", msg);
}

/* ---- entry point ------------------------------------------------------------ */

/* Reset the depth bookkeeping kept in flags (see done()). Recursion is
 * safe: no tree is deeper than MAX_DEPTH unless too_deep was reported, and
 * then the caller skips this. */
static void clear_flags(Node *n)
{
    if (!n)
        return;
    n->flags = 0;
    clear_flags(n->cond);
    clear_flags(n->lhs);
    clear_flags(n->rhs);
    clear_flags(n->body);
    clear_flags(n->type_ann);
    for (int i = 0; i < n->list.n; i++)
        clear_flags(n->list.items[i]);
}

Node *parse_fexpr(ParseState *outer, int start, int end)
{
    if (outer->depth >= 8) {
        diag_error((Loc){ outer->file, start, end }, "f-strings are nested too deeply");
        return NULL;
    }
    ParseState ps = { 0 };
    ps.a = outer->a;
    ps.file = outer->file;
    ps.text = outer->text;
    ps.len = end;
    ps.last_restart = INT32_MAX;   /* no re-scans (declaration recovery) in a field */
    ps.lex_err_off = -1;
    ps.depth = outer->depth + 1;
    ps.start_tok = START_EXPR;
    ps.prog = ast_new(ps.a, ND_PROGRAM, (Loc){ ps.file, start, end });
    int errors = diag_error_count();
    lex_open_range(&ps, start, end);
    flow_yyparse(&ps);
    lex_close(&ps);
    for (int i = 0; i < ps.min_lits.n; i++) {
        Node *n = ps.min_lits.items[i];
        if (n->flags == 1) {
            diag_error(n->loc, "integer literal is too large");
            n->flags = 0;
            n->ival = 0;
        }
    }
    if (diag_error_count() > errors || !ps.prog->lhs)
        return NULL;
    if (!ps.too_deep)
        clear_flags(ps.prog->lhs);
    return ps.prog->lhs;
}

Node *parse_program(int file, Arena *a)
{
    ParseState ps = { 0 };
    ps.a = a;
    ps.file = file;
    ps.text = srcfile_text(file);
    ps.len = (int)srcfile_len(file);
    ps.last_restart = -1;
    ps.lex_err_off = -1;
    ps.prog = ast_new(a, ND_PROGRAM, (Loc){ file, 0, ps.len });

    lex_open(&ps);
    flow_yyparse(&ps);
    lex_close(&ps);

    /* `9223372036854775808` is only valid right after a unary minus. */
    for (int i = 0; i < ps.min_lits.n; i++) {
        Node *n = ps.min_lits.items[i];
        if (n->flags == 1) {
            diag_error(n->loc, "integer literal is too large");
            n->flags = 0;
            n->ival = 0;
        }
    }
    if (!ps.too_deep)
        clear_flags(ps.prog);
    return ps.prog;
}
