#!/usr/bin/env bash
# bench/run.sh: build gradflow_bench, run it and its PyTorch twin (bench/torch_bench.py)
# alternately, single-threaded and then with two threads, and print the comparison table.
#
#   bench/run.sh [--reps N] [--threads "1 2"] [--workloads "flagship mlp matmul overhead memory process"]
#                [--data DIR] [--quick] [--no-build]
#
# Environment: BUILD_DIR (default build), PYTHON (default: a python3 that can import torch).
# Writes out/bench/raw.jsonl (every measurement), out/bench/results.md and out/bench/results.json.
#
# Fairness rules: both sides run under the same environment (OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE unset; OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS and
# torch.set_num_threads set to the thread count; OMP_WAIT_POLICY=PASSIVE unless set), on the same data (real MNIST from --data if
# present, else seeded synthetic data on both sides), and alternate: for each repetition and
# workload one gradflow process and one torch process, the order flipping every repetition so
# that a slow phase of a busy machine hits both. The "memory" workload (the lesson-05-like run)
# runs once per thread count.
#
# The "process" workload times whole processes (bench/time_process.py): gradflow's
# lesson05_vanishing_gradients --activations relu --seeds 1 (data to finished page) against
# torch_bench.py --workload process (the same IDX files read and the same run trained, import
# excluded), and the default lesson 05 (3 x 3 runs, every figure and diagram; gradflow only,
# --jobs = the thread count), each with its peak RSS and its phases (--verbose), and both again
# with --no-png (SVG only). Their pages are left in out/bench/lesson05_*.
set -euo pipefail

cd "$(dirname "$0")/.."
reps=5
threads_list="1 2"
workloads="flagship mlp matmul overhead memory process"
data="data/mnist"
quick=""
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --threads) threads_list="$2"; shift 2 ;;
    --workloads) workloads="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --quick) quick="--quick"; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

# What a fresh Debian 12 machine lacks: the build tools, PyTorch and OpenBLAS (idempotent).
scripts/install-deps.sh --bench
build_dir="${BUILD_DIR:-build}"
if [[ $build -eq 1 ]]; then
  if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release
  fi
  cmake --build "$build_dir" -j"$(nproc)" --target gradflow_bench lesson05_vanishing_gradients
fi
lesson="$build_dir/bin/lesson05_vanishing_gradients"
bench="$build_dir/bin/gradflow_bench"
[[ -x "$bench" ]] || { echo "bench/run.sh: $bench not found (build it or drop --no-build)" >&2; exit 1; }

# A python3 with torch: $PYTHON, else the first of python3 on PATH and Debian's /usr/bin/python3.
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c "import torch" 2>/dev/null; then python="$candidate"; break; fi
  done
fi
[[ -n "$python" ]] || { echo "bench/run.sh: no python3 with torch found (apt install python3-torch)" >&2; exit 1; }

out=out/bench
mkdir -p "$out"
raw="$out/raw.jsonl"
: > "$raw"
log="$out/run.log"
: > "$log"

unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE GOTO_NUM_THREADS
# Idle OpenMP threads sleep instead of spinning. Only torch uses OpenMP (gradflow's threads are
# OpenBLAS's own), but without this torch's two-thread numbers on a shared 2-core machine are
# 10-20x worse: its spinning OpenMP workers steal the cores its OpenBLAS threads need.
# Export OMP_WAIT_POLICY=ACTIVE to measure torch's default behaviour instead.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# The process workload pins each side's whole process tree (gnuplot children, torch's
# threads) to the first N cores with taskset: "same threads" then means the same CPUs, not
# only the same --jobs / torch.set_num_threads, so gradflow's background drawing cannot borrow
# a core the 1-thread PyTorch run does not get.
run_gradflow() {
  if [[ "$1" == process ]]; then
    local pin=(taskset -c "0-$(($2 - 1))")
    [[ -x "$lesson" ]] || { echo "bench/run.sh: $lesson not found (build it or drop --no-build)" >&2; exit 1; }
    python3 bench/time_process.py --threads "$2" --json "$raw" --log "$log" --seconds-metric one_run_seconds \
      --rss-metric one_run_peak_rss --phases-metric-prefix "one run phase: " \
      --note "lesson05 --activations relu --seeds 1: data to finished page" -- \
      "${pin[@]}" "$lesson" --activations relu --seeds 1 --jobs "$2" --data "$data" --out "$out/lesson05_one" --verbose $quick
    python3 bench/time_process.py --threads "$2" --json "$raw" --log "$log" --seconds-metric default_lesson_seconds \
      --rss-metric default_lesson_peak_rss --phases-metric-prefix "default lesson phase: " \
      --note "lesson05 defaults (3 activations x 3 seeds), --jobs $2" -- \
      "${pin[@]}" "$lesson" --jobs "$2" --data "$data" --out "$out/lesson05_default" --verbose $quick
    # The same two without the PNG copies (--no-png: the page shows SVGs only).
    python3 bench/time_process.py --threads "$2" --json "$raw" --log "$log" --seconds-metric one_run_no_png_seconds \
      --rss-metric one_run_no_png_peak_rss --note "as one_run, --no-png" -- \
      "${pin[@]}" "$lesson" --activations relu --seeds 1 --jobs "$2" --data "$data" --out "$out/lesson05_one_no_png" --no-png $quick
    python3 bench/time_process.py --threads "$2" --json "$raw" --log "$log" \
      --seconds-metric default_lesson_no_png_seconds --rss-metric default_lesson_no_png_peak_rss \
      --phases-metric-prefix "default lesson --no-png phase: " --note "as default_lesson, --no-png" -- \
      "${pin[@]}" "$lesson" --jobs "$2" --data "$data" --out "$out/lesson05_default_no_png" --no-png --verbose $quick
    return
  fi
  "$bench" --workload "$1" --threads "$2" --data "$data" --json "$raw" $quick >> "$log" 2>&1
}
run_torch() {
  local prefix=()
  if [[ "$1" == process ]]; then prefix=(taskset -c "0-$(($2 - 1))"); fi
  "${prefix[@]}" "$python" bench/torch_bench.py --workload "$1" --threads "$2" --data "$data" --json "$raw" $quick \
    >> "$log" 2>&1
}

for t in $threads_list; do
  export OPENBLAS_NUM_THREADS="$t" OMP_NUM_THREADS="$t" MKL_NUM_THREADS="$t"
  for ((r = 1; r <= reps; r++)); do
    for w in $workloads; do
      if [[ "$w" == memory && $r -gt 1 ]]; then continue; fi
      echo "threads=$t rep=$r/$reps $w" >&2
      if (( r % 2 == 1 )); then run_gradflow "$w" "$t"; run_torch "$w" "$t"
      else run_torch "$w" "$t"; run_gradflow "$w" "$t"; fi
    done
  done
done

# Which engine was measured: the commit, and whether the engine's sources differed from it.
revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain -- autodiff nn mnist 2>/dev/null)" ]]; then revision="$revision + uncommitted changes"; fi
"$python" bench/report.py "$raw" --md "$out/results.md" --json "$out/results.json" --revision "$revision"
echo "wrote $out/results.md, $out/results.json and $out/raw.jsonl (full output in $log)" >&2
