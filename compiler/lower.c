/* lower.c - AST to dataflow graph (stub until lowering lands). */
#include "flowc.h"
struct Graph *lower_program(Node *prog, Arena *a) { (void)prog; (void)a; return NULL; }
