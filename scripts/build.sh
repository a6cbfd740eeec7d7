#!/usr/bin/env bash
# Configures and builds gradflow out of source. Safe to run again (incremental).
#
#   scripts/build.sh                 # Release build into build/
#   scripts/build.sh build-asan -DGRADFLOW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
