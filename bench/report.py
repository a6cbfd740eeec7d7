#!/usr/bin/env python3
"""report.py: turns the JSON lines written by gradflow_bench and torch_bench.py into the
comparison table (medians over the repetitions, and gradflow's advantage per row).

    python3 bench/report.py out/bench/raw.jsonl --md out/bench/results.md --json out/bench/results.json

Advantage = how many times better gradflow is: torch / gradflow for times, gradflow / torch for
GFLOP/s. Above 1 means gradflow wins.
"""

import argparse
import collections
import datetime
import json
import os
import platform
import statistics

# (workload, label, gradflow metric, torch metric, lower is better?)
ROWS = [
    ("flagship", "time per step (mean of 2500, monitor on)", "ms_per_iter", "ms_per_iter", True),
    ("flagship", "time per step (median step)", "ms_per_iter_median", "ms_per_iter_median", True),
    ("flagship", "C++ heap allocations per step (gradflow only)", "allocations_per_iter", None, None),
    ("flagship", "RSS growth, step 100 -> 2500 (KiB)", "rss_growth_100_to_end", "rss_growth_100_to_end", None),
    ("mlp", "time per step, 784-256x5-10, batch 128", "ms_per_iter", "ms_per_iter", True),
    ("mlp", "C++ heap allocations per step (gradflow only)", "allocations_per_iter", None, None),
    ("matmul", "gemm 1024^3", "gemm_gflops[1024x1024_by_1024x1024]", "torch_mm_gflops[1024x1024_by_1024x1024]", False),
    ("matmul", "raw cblas_sgemm 1024^3", "cblas_sgemm_gflops[1024x1024_by_1024x1024]",
     "torch_mm_gflops[1024x1024_by_1024x1024]", False),
    ("matmul", "gemm / raw cblas_sgemm 1024^3 (ratio, gradflow only)", "gemm_vs_cblas[1024x1024_by_1024x1024]", None,
     None),
    ("matmul", "gemm 256^3 (quick)", "gemm_gflops[256x256_by_256x256]", "torch_mm_gflops[256x256_by_256x256]", False),
]
for shape in ("30x784_by_784x10", "30x10_by_10x10", "784x30_by_30x10"):
    ROWS += [
        ("matmul", f"gemm {shape}", f"gemm_gflops[{shape}]", f"torch_mm_gflops[{shape}]", False),
        ("matmul", f"raw cblas_sgemm {shape}", f"cblas_sgemm_gflops[{shape}]", f"torch_mm_gflops[{shape}]", False),
        ("matmul", f"gemm / raw cblas_sgemm {shape} (ratio, gradflow only)", f"gemm_vs_cblas[{shape}]", None, None),
        ("matmul", f"gemm_reference {shape}", f"gemm_reference_gflops[{shape}]", f"torch_mm_gflops[{shape}]", False),
    ]
for mode in ("replayed", "rebuilt"):
    ROWS += [
        ("overhead", f"{mode} graph vs eager: fwd+bwd per op", f"{mode}_fwd_bwd_us_per_op", "eager_fwd_bwd_us_per_op",
         True),
        ("overhead", f"{mode} graph vs eager: fwd per op", f"{mode}_fwd_us_per_op", "eager_fwd_us_per_op", True),
        ("overhead", f"{mode} graph vs eager: bwd per op", f"{mode}_bwd_us_per_op", "eager_bwd_us_per_op", True),
        ("overhead", f"{mode} graph: C++ heap allocations per op (gradflow only)", f"{mode}_allocations_per_op", None,
         None),
    ]
ROWS += [
    ("memory", "lesson-05-like run, 3 activations x 3 seeds (s)", "lesson05_like_seconds", "lesson05_like_seconds", True),
    ("memory", "peak RSS of that run (MiB)", "peak_rss", "peak_rss", True),
    ("memory", "RSS with the data loaded, before training (MiB)", "rss_after_loading_data", "rss_after_loading_data",
     True),
    ("memory", "peak RSS while loading the data (MiB)", "peak_rss_while_loading_data", "peak_rss_while_loading_data",
     True),
    ("memory", "worst RSS growth, step 100 -> 2500 (KiB)", "rss_growth_100_to_end_max", "rss_growth_100_to_end_max",
     None),
]

ROWS += [
    ("process", "one lesson 05 run (relu, seed 1): gradflow data to finished page, PyTorch data to accuracies",
     "one_run_seconds", "one_run_seconds", True),
    ("process", "peak RSS of that process (MiB)", "one_run_peak_rss", "one_run_peak_rss", True),
    ("process", "test accuracy of that run (PyTorch; gradflow's is on its page)", None, "one_run_test_accuracy", None),
    ("process", "default lesson 05 (3 x 3 runs, every figure and diagram), whole process", "default_lesson_seconds",
     None, None),
    ("process", "peak RSS of the default lesson 05 (MiB)", "default_lesson_peak_rss", None, None),
    ("process", "one lesson 05 run with --no-png (SVG only) vs PyTorch data to accuracies", "one_run_no_png_seconds",
     "one_run_seconds", True),
    ("process", "peak RSS of that process (MiB)", "one_run_no_png_peak_rss", "one_run_peak_rss", True),
    ("process", "default lesson 05 with --no-png, whole process", "default_lesson_no_png_seconds", None, None),
    ("process", "peak RSS of the default lesson 05 with --no-png (MiB)", "default_lesson_no_png_peak_rss", None, None),
]
# The phases of the two lesson processes (--verbose), one row each, in the order first seen.
PHASE_PREFIXES = ("one run phase: ", "default lesson phase: ", "default lesson --no-png phase: ")


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical CPUs, Linux {platform.release()}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("raw")
    p.add_argument("--md")
    p.add_argument("--json")
    p.add_argument("--revision", default="", help="the engine revision measured, shown in the header")
    args = p.parse_args()

    values = collections.defaultdict(list)  # (threads, side, workload, metric) -> [values]
    units = {}
    notes = {}
    info = collections.defaultdict(dict)  # (side, threads) -> {key: value}
    phase_rows = []
    with open(args.raw) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            if "info" in r:
                info[(r["side"], r["threads"])][r["info"]] = r["value"]
                continue
            if r["metric"].startswith(PHASE_PREFIXES):
                row = (r["workload"], r["metric"], r["metric"], None, None)
                if row not in phase_rows:
                    phase_rows.append(row)
            key = (r["threads"], r["side"], r["workload"], r["metric"])
            values[key].append(r["value"])
            units[(r["workload"], r["metric"])] = r["unit"]
            if r.get("note"):
                notes[(r["side"], r["workload"])] = r["note"]

    threads_list = sorted({k[0] for k in values})
    out = []
    summary = {"machine": machine(), "date": datetime.date.today().isoformat(), "revision": args.revision,
               "tables": {}, "environment": {}}
    out.append("# gradflow vs PyTorch benchmark\n")
    out.append(f"Machine: {summary['machine']}. Date: {summary['date']}."
               + (f" gradflow revision: {args.revision}." if args.revision else "") + "\n")
    for (side, threads), kv in sorted(info.items(), key=lambda x: (x[0][1], x[0][0])):
        summary["environment"][f"{side}/{threads}"] = kv
    for threads in threads_list:
        g_info = info.get(("gradflow", threads), {})
        t_info = info.get(("torch", threads), {})
        out.append(f"\n## {threads} thread{'s' if threads != 1 else ''}\n")
        out.append(f"- gradflow: {g_info.get('compiler', '?')}, {g_info.get('build', '?')}; OpenBLAS kernel "
                   f"**{g_info.get('openblas_corename', '?')}** ({g_info.get('openblas_config', '?')}), "
                   f"{g_info.get('openblas_num_threads', '?')} OpenBLAS thread(s)")
        out.append(f"- PyTorch {t_info.get('torch', '?')} (Python {t_info.get('python', '?')}, "
                   f"{t_info.get('torch_num_threads', '?')} intra-op thread(s)); OpenBLAS kernel "
                   f"**{t_info.get('openblas_corename', '?')}** ({t_info.get('openblas_config', '?')}), "
                   f"{t_info.get('openblas_num_threads', '?')} OpenBLAS thread(s); loaded: "
                   f"{t_info.get('blas_libraries', '?')}")
        out.append(f"- data: gradflow {g_info.get('data', '?')}; torch {t_info.get('data', '?')}\n")
        out.append("| workload | measurement | unit | gradflow | PyTorch | gradflow advantage | runs |")
        out.append("|---|---|---|---:|---:|---:|---:|")
        rows = []
        for workload, label, gm, tm, lower_better in ROWS + phase_rows:
            g = values.get((threads, "gradflow", workload, gm))
            t = values.get((threads, "torch", workload, tm))
            if not g and not t:
                continue
            gv = statistics.median(g) if g else None
            tv = statistics.median(t) if t else None
            adv = None
            if gv and tv and lower_better is not None:
                adv = tv / gv if lower_better else gv / tv
            unit = units.get((workload, gm)) or units.get((workload, tm), "")
            n = f"{len(g or [])}/{len(t or [])}"
            out.append(f"| {workload} | {label} | {unit} | {fmt(gv)} | {fmt(tv)} | "
                       f"{(fmt(adv) + 'x') if adv else '-'} | {n} |")
            rows.append(dict(workload=workload, measurement=label, unit=unit, gradflow=gv, torch=tv,
                             gradflow_advantage=adv, gradflow_runs=g or [], torch_runs=t or []))
        summary["tables"][str(threads)] = rows
    out.append("\nMedians over the runs (gradflow/PyTorch counts in the last column). Advantage: PyTorch time / "
               "gradflow time, or gradflow GFLOP/s / PyTorch GFLOP/s; above 1 means gradflow is better. "
               "matmul rows compare against torch.mm on the same shape.")
    text = "\n".join(out) + "\n"
    print(text)
    if args.md:
        with open(args.md, "w") as f:
            f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
