#!/usr/bin/env bash
# Quick start, command 2: installs what is missing, builds, and runs the whole test suite twice:
# a Release build (build/) and a build with AddressSanitizer + UndefinedBehaviorSanitizer
# (build-asan/). Needs no network beyond the package installs: tests use committed fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

# build/ compiles the coursework's reference solutions (GRADFLOW_SOLUTIONS defaults to ON where
# coursework/solutions exists) and proves its tests bite: with the solutions every exercise
# passes, linked against the starters every exercise reports "not started", and each planted
# mistake in coursework/planted/ is caught (CTest label coursework_proof, tests/coursework/).
echo "== Release build and tests (build/)"
scripts/build.sh build
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests (build-asan/)"
scripts/build.sh build-asan -DGRADFLOW_SANITIZE=ON -DGRADFLOW_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGRADFLOW_COURSEWORK_PROOF=OFF
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"
