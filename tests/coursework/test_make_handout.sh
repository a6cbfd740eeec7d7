#!/usr/bin/env bash
# scripts/make-handout.sh: the copy has the starters and no answers, and nothing is overwritten.
set -euo pipefail
repo=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

"$repo/scripts/make-handout.sh" "$work/handout" >/dev/null
h=$work/handout
[[ -f $h/CMakeLists.txt && -f $h/docs/coursework.md && -x $h/scripts/grade.sh ]] || fail "handout lacks the build or docs"
[[ ! -e $h/coursework/solutions ]] || fail "handout contains coursework/solutions"
[[ ! -e $h/coursework/planted ]] || fail "handout contains coursework/planted"
for n in 1 2 3 4 5 6 7 8 9; do
  f=$(ls "$h"/coursework/ex0${n}_*.cpp)
  grep -q "NotDone($n)" "$f" || fail "$f does not throw NotDone($n)"
  cmp -s "$f" "$repo/${f#"$h"/}" || fail "$f differs from the repository's starter"
done
[[ $(git -C "$h" status --porcelain | wc -l) -eq 0 ]] || fail "handout's git repository is not clean"
# Tracked files in the repo = handout files + solutions + planted.
answers=$(git -C "$repo" ls-files coursework/solutions coursework/planted | wc -l)
[[ $answers -ge 9 ]] || fail "expected the repository to hold the solutions"
[[ $(git -C "$h" ls-files | wc -l) -eq $(($(git -C "$repo" ls-files | wc -l) - answers)) ]] ||
  fail "handout file count does not match the repository minus the answers"

# Refuses a non-empty destination and leaves it alone.
mkdir "$work/mine" && echo "student notes" >"$work/mine/notes.txt"
if "$repo/scripts/make-handout.sh" "$work/mine" 2>"$work/err"; then fail "overwrote a non-empty folder"; fi
grep -q "not empty" "$work/err" || fail "no clear message for a non-empty folder: $(cat "$work/err")"
[[ $(cat "$work/mine/notes.txt") == "student notes" && $(ls -A "$work/mine" | wc -l) -eq 1 ]] || fail "touched the folder"
[[ -z $(ls -A "$work" | grep gradflow-handout || true) ]] || fail "left a temporary folder behind"
echo "make-handout: ok"
