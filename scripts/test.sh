#!/usr/bin/env bash
# Runs every test: the GoogleTest units (one process per test) and the pytest suite, through ctest.
# Expects scripts/setup.sh to have built build/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
ctest --test-dir "$top/build" --output-on-failure -j "$(nproc)" "$@"
