/*
 * window.h - what the checker (sema_window.c) learns about clocks,
 * windowers and window operators, for the emitter (emit_window.c).
 *
 * Clocks (`event_clock`, `system_clock`) and windowers (`tumbling`,
 * `sliding`, `session`) are declared like steps and passed by name to the
 * window operators; they have no stream. A window operator is one keyed
 * stateful step with four output ports (WPORT_*), Bytewax's WindowOut
 * plus 0.17's shape.
 */
#ifndef FLOWC_WINDOW_H
#define FLOWC_WINDOW_H

#include "graph.h"

typedef enum WinRole {
    WR_CLOCK = 1,          // event_clock / system_clock
    WR_WINDOWER,           // tumbling / sliding / session
    WR_OP,                 // a window operator
} WinRole;

enum { WPORT_DOWN, WPORT_LATE, WPORT_META, WPORT_WITH_META, WPORT_COUNT };

/* collect_window's `into`: what a window's values are collected into */
enum { COLLECT_INTO_LIST, COLLECT_INTO_SET, COLLECT_INTO_DICT };

typedef struct WinSpec {
    WinRole role;
    /* clocks */
    Node *ts_arg;          // event_clock: the timestamp function as written
    bool ts_checked;       // checked (against the first window step's items)
    Type *ts_item;         // ... with this item type
    Node *wait;            // wait_for_system_duration (NULL: 0s)
    /* windowers */
    Node *length, *offset, *align, *gap;
    /* window operators */
    Step *clock, *windower;
    bool ordered;          // values applied in timestamp order (7.4)
    int into;              // collect_window: COLLECT_INTO_LIST, _SET or _DICT
    Type *value;           // V: an item's value (count_window: the item)
    Type *down;            // W: what a closing window emits
    Type *port_type[WPORT_COUNT];
    Callable merge;        // fold_window's merge (lambda NULL when absent)
    int nsides;            // join_window: sides (input ports)
    JoinInsertMode insert_mode;   // join_window (graph.h)
    JoinEmitMode emit_mode;
} WinSpec;

#endif
