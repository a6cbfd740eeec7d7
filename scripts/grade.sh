#!/usr/bin/env bash
# Grades the coursework (docs/coursework.md): builds the exercise test programs that are out of
# date, runs them and prints a table: exercise, status (not started / failing / passed), points,
# checks passed, and for a failing exercise its first failing check (op, operand, element,
# analytic vs numeric).
#
#   scripts/grade.sh                  # every exercise, in build/ (configured if need be)
#   scripts/grade.sh ex01             # one exercise
#   scripts/grade.sh --json           # JSON records for a teacher
#   scripts/grade.sh --build-dir DIR  # another build folder
#
# Exit codes: 0 graded (whatever the statuses), 1 the build failed, 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

build_dir=build
json=()
only=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --json) json=(--json) ;;
    --build-dir) [[ $# -ge 2 ]] || { echo "grade.sh: --build-dir needs a folder" >&2; usage; }; build_dir=$2; shift ;;
    --help|-h) usage ;;
    ex0[1-9]) only=(--exercise "$1") ;;
    *) echo "grade.sh: unknown argument '$1' (use exNN, --json, --build-dir DIR)" >&2; usage ;;
  esac
  shift
done

command -v python3 >/dev/null || { echo "grade.sh: python3 is needed to read the test results" >&2; exit 1; }
if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  launcher=()
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  echo "grade.sh: configuring $build_dir" >&2
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DGRADFLOW_BENCH=OFF "${launcher[@]}" >/dev/null
fi
targets=()
for n in 1 2 3 4 5 6 7 8 9; do
  if [[ ${#only[@]} -eq 0 || ${only[1]} == "ex0$n" ]]; then targets+=(coursework_ex0$n); fi
done
# Build output goes to a log; only a failure shows it (a student's compile error is the message).
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]}" >"$log" 2>&1; then
  grep -E "error|Error" "$log" | head -30 >&2
  echo "grade.sh: the build failed (full log above or: cmake --build $build_dir --target ${targets[*]})" >&2
  exit 1
fi
python3 scripts/grade.py --bin-dir "$build_dir/bin" "${only[@]}" "${json[@]}"
