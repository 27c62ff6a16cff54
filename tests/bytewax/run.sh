#!/usr/bin/env bash
# tests/bytewax/run.sh - Bytewax's own operator tests (pytests/operators),
# ported to .flow programs; see README.md here for the list.
#
# The cases have the layout of tests/run (NAME.flow, NAME.expected and the
# optional NAME.args / NAME.stderr / NAME.status), and tests/run/run.sh runs
# them with DIR set to this directory; it takes the same arguments (case
# names) and environment (FLOWC, RUNNER, JOBS). The expected outputs come
# from the assertions of the Bytewax tests, never from flowc.
here=$(cd "$(dirname "$0")" && pwd)
DIR=$here exec "$here/../run/run.sh" "$@"
