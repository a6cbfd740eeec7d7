#!/usr/bin/env bash
# Makes the students' copy of the coursework (docs/coursework.md, "For teachers"):
#
#   scripts/make-handout.sh DIR
#
# DIR receives every file git tracks, as it is in this working tree, EXCEPT the reference
# solutions (coursework/solutions/) and the planted mistakes (coursework/planted/), which would
# give the answers away; then a fresh git repository with one commit, so students can see their
# own changes. Without the solutions the build compiles the exercise starters
# (GRADFLOW_SOLUTIONS defaults to OFF there) and scripts/grade.sh reports every exercise as
# "not started".
#
# DIR must not exist or be an empty folder: nothing is ever overwritten. The copy is assembled in
# a temporary folder next to DIR and renamed into place, so DIR is either complete or absent.
# Exit codes: 0 done, 1 a step failed, 2 usage.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -eq 1 && $1 != -* ]] || usage
dest=$1
if [[ -e $dest && ! -d $dest ]]; then
  echo "make-handout.sh: $dest exists and is not a folder; choose a new folder" >&2
  exit 2
fi
if [[ -d $dest && -n $(ls -A "$dest") ]]; then
  echo "make-handout.sh: $dest is not empty; choose a new or empty folder (nothing is overwritten)" >&2
  exit 2
fi
command -v git >/dev/null || { echo "make-handout.sh: git is needed to list the repository's files" >&2; exit 1; }
parent=$(dirname "$dest")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.gradflow-handout.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Tracked files that exist in the working tree, minus the answers.
(cd "$repo" && git ls-files -z) |
  while IFS= read -r -d '' f; do
    case $f in coursework/solutions/* | coursework/planted/*) continue ;; esac
    [[ -e $repo/$f || -L $repo/$f ]] && printf '%s\0' "$f"
  done | tar -C "$repo" --null -T - -cf - | tar -C "$tmp" -xf -

# Refuse to hand out an answer by accident: no starter may be a solution.
for f in "$tmp"/coursework/ex0*.cpp; do
  grep -q "NotDone(" "$f" || { echo "make-handout.sh: $f has no NotDone: is it a solution?" >&2; exit 1; }
done
[[ ! -e $tmp/coursework/solutions && ! -e $tmp/coursework/planted ]]

git -C "$tmp" init -q
git -C "$tmp" add -A
git -C "$tmp" -c user.name="gradflow handout" -c user.email="handout@gradflow.invalid" \
  commit -q -m "gradflow coursework handout (from $(git -C "$repo" rev-parse --short HEAD))"

[[ -d $dest ]] && rmdir "$dest"  # empty (checked above)
mv "$tmp" "$dest"
trap - EXIT
count=$(git -C "$dest" ls-files | wc -l)
echo "make-handout.sh: wrote $dest ($count files, no solutions). Students start with:"
echo "  cd $dest && scripts/grade.sh     # builds the exercise tests; every exercise 'not started'"
