#!/usr/bin/env bash
# Exercise 01 plugged into the lessons: lesson 05 runs the student's elu, with its alpha set by
# --alpha, through the activation table alone (no lesson edit). Before exercise 01 is written it
# must stop with a clear "exercise 01 not done yet", exit code 1, never a crash.
#   test_lesson05_elu.sh LESSON05_PROGRAM SOURCE_DIR
set -uo pipefail
lesson=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ ! -x $lesson ]]; then
  echo "FAILED: $lesson is not built yet: cmake --build build --target lesson05_vanishing_gradients"
  exit 1
fi
"$lesson" --quick --activations elu,relu --alpha 0.5 --jobs 1 --data "$src/tests/fixtures/mnist" \
  --out "$work/out" >"$work/log" 2>&1
rc=$?
if grep -q "exercise 01 not done yet" "$work/log"; then
  [[ $rc -eq 1 ]] || { echo "FAILED: exercise 01 not done, but lesson 05 exited $rc (expected 1)"; exit 1; }
  echo "FAILED: lesson 05 --activations elu: exercise 01 not done yet (exit 1, as it should until you write it)"
  exit 1
fi
[[ $rc -eq 0 ]] || { echo "FAILED: lesson 05 --activations elu exited $rc:"; tail -20 "$work/log"; exit 1; }
summary=$work/out/summary.json
python3 - "$summary" <<'PY' || exit 1
import json, sys
s = json.load(open(sys.argv[1]))
text = json.dumps(s)
assert "elu" in s["settings"]["activations"], f"settings.activations lacks elu: {s['settings']['activations']}"
assert "elu" in text and "relu" in text
print("lesson 05 ran elu: settings.activations =", s["settings"]["activations"])
PY
grep -q "elu" "$work/out/index.html" || { echo "FAILED: index.html never mentions elu"; exit 1; }
# The graph diagram shows each op's attributes: the elu nodes must carry the alpha of --alpha ...
grep -q 'alpha=0.5' "$work/out/graph_elu.dot" || { echo "FAILED: graph_elu.dot has no elu with alpha=0.5"; exit 1; }
# ... and without --alpha, the table row's default, alpha = 1 (not leaky_relu's 0.2).
"$lesson" --quick --seeds 1 --activations elu --jobs 1 --data "$src/tests/fixtures/mnist" --out "$work/out1" \
  >"$work/log1" 2>&1 || { echo "FAILED: lesson 05 --activations elu (no --alpha):"; tail -20 "$work/log1"; exit 1; }
grep -q 'alpha=1[^.0-9]' "$work/out1/graph_elu.dot" ||
  { echo "FAILED: without --alpha, graph_elu.dot should show elu's default alpha=1"; exit 1; }
echo "lesson05 --activations elu --alpha 0.5: ok"
