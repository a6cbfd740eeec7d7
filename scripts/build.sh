#!/usr/bin/env bash
# Configures and builds gradflow out of source. Safe to run again (incremental).
#
#   scripts/build.sh                 # Release build into build/
#   scripts/build.sh build-asan -DGRADFLOW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
launcher=()
# ccache (installed by scripts/install-deps.sh) makes a rebuild after a one-file change, or the
# second build tree of scripts/run-tests.sh, reuse every object that did not change.
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# The test sources use a precompiled header (cmake/gradflow.cmake); ccache caches such compiles
# only when told which differences it may ignore.
export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
