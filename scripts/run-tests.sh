#!/usr/bin/env bash
# Quick start, command 2: installs what is missing, builds, and runs the whole test suite twice:
# a Release build (build/) and a build with AddressSanitizer + UndefinedBehaviorSanitizer
# (build-asan/). Needs no network beyond the package installs: tests use committed fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

echo "== Release build and tests (build/)"
scripts/build.sh build
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests (build-asan/)"
scripts/build.sh build-asan -DGRADFLOW_SANITIZE=ON -DGRADFLOW_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"
