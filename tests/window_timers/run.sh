#!/usr/bin/env bash
# tests/bytewax_windowing/run.sh - Bytewax's windowing tests
# (pytests/operators/windowing) ported to .flow programs; see README.md
# here for the list. Same layout and runner as tests/bytewax (NAME.flow,
# NAME.expected, optional NAME.args), run by tests/run/run.sh with DIR set
# to this directory. Expected outputs come from the Bytewax assertions.
here=$(cd "$(dirname "$0")" && pwd)
DIR=$here exec "$here/../run/run.sh" "$@"
