#!/usr/bin/env bash
# Quick start, command 2: installs what is missing, builds, and runs the whole test suite twice:
# a Release build (build/) and a build with AddressSanitizer + UndefinedBehaviorSanitizer
# (build-asan/). Needs no network beyond the package installs: tests use committed fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage prints how long it took (bash's SECONDS): the contributors' loop is a measured
# goal (docs/performance.md, "The contributors' loop"), and a slow stage should be visible.
stage_start=$SECONDS
took() { echo "== $1 took $((SECONDS - stage_start)) s"; stage_start=$SECONDS; }
scripts/install-deps.sh
took "installing what was missing"
jobs=$(nproc)

# build/ compiles the coursework's reference solutions (GRADFLOW_SOLUTIONS defaults to ON where
# coursework/solutions exists) and proves its tests bite: with the solutions every exercise
# passes, linked against the starters every exercise reports "not started", and each planted
# mistake in coursework/planted/ is caught (CTest label coursework_proof, tests/coursework/).
echo "== Release build and tests (build/)"
scripts/build.sh build
took "the Release build"
ctest --test-dir build --output-on-failure -j "$jobs"
took "the Release tests"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests (build-asan/)"
scripts/build.sh build-asan -DGRADFLOW_SANITIZE=ON -DGRADFLOW_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGRADFLOW_COURSEWORK_PROOF=OFF
took "the sanitizer build"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"
took "the sanitizer tests"
echo "== all tests passed in both trees, $SECONDS s in all"
