#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, fetches MNIST (once), builds, and runs the
# flagship lesson with its defaults. Extra arguments go to the lesson (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/fetch-mnist.sh
scripts/build.sh build
build/bin/lesson05_vanishing_gradients "$@"
