#!/usr/bin/env bash
# The course, command 2: installs what is missing, fetches MNIST (once), builds, runs every lesson
# of the course (lessons/runtime/course.hpp) in order with its defaults, then writes the course
# home page out/index.html: each lesson's summary, headline numbers, claim verdicts and links.
#
#   scripts/run-course.sh            # every lesson, then out/index.html
#   scripts/run-course.sh --quick    # every lesson's short run (a minute), e.g. to try the page
#
# A lesson that fails or is not built does not stop the others: the page says what happened to
# it, and this script exits 1 at the end. The page is written atomically and only over a course
# page gradflow wrote before.
set -euo pipefail
cd "$(dirname "$0")/.."
lesson_args=()
case "${1:-}" in
  "") ;;
  --quick) lesson_args=(--quick) ;;
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "run-course: unknown argument '$1' (only --quick is accepted; try --help)" >&2; exit 2 ;;
esac

scripts/install-deps.sh
scripts/fetch-mnist.sh
scripts/build.sh build

status=$(mktemp "${TMPDIR:-/tmp}/gradflow-course-status.XXXXXX")
trap 'rm -f "$status"' EXIT
problems=()
# The course table is compiled into course_index; --list prints its lesson programs in order.
mapfile -t lessons < <(build/bin/course_index --list)
for binary in "${lessons[@]}"; do
  if [[ ! -x build/bin/$binary ]]; then
    echo "run-course: $binary is not built (no build/bin/$binary); the page will say so" >&2
    printf '%s not_built 0 0\n' "$binary" >>"$status"
    problems+=("$binary (not built)")
    continue
  fi
  echo "=== run-course: $binary ${lesson_args[*]}"
  start=$(date +%s)
  code=0
  build/bin/"$binary" "${lesson_args[@]}" || code=$?
  seconds=$(($(date +%s) - start))
  if ((code == 0)); then
    printf '%s ran 0 %d\n' "$binary" "$seconds" >>"$status"
  else
    echo "run-course: $binary failed with exit code $code; going on with the next lesson" >&2
    printf '%s failed %d %d\n' "$binary" "$code" "$seconds" >>"$status"
    problems+=("$binary (exit code $code)")
  fi
done

build/bin/course_index --out out --repo "$PWD" --status "$status"
echo "run-course: open file://$PWD/out/index.html"
if ((${#problems[@]} > 0)); then
  echo "run-course: these lessons did not run: ${problems[*]}" >&2
  exit 1
fi
