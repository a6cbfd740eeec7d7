#!/usr/bin/env python3
"""CTest: lesson 04, 07 or 08 --quick --tensorboard DIR, read back by read_events.py (independent of
the C++ writer), the sibling of test_lesson_events.py (lesson 05): one run folder per scenario and
seed, every record's CRCs, every scalar of the lesson's scalars.csv under its TensorBoard tag and
every histogram against its histograms.csv, and the issue's tags in a run.

    test_training_lessons_events.py --lesson build/bin/lesson08_residual --data tests/fixtures/mnist
                                    --proto-python build/tensorboard/python
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import read_events as rx  # noqa: E402
from checklist import check, finish  # noqa: E402


def per_layer(layers, kinds):
    return {f"layer{l}/{k}" for l in layers for k in kinds}


# What each lesson's --quick run must write: its run folders (scenario, seed), whether it has
# histograms, and the tags one named run must hold.
def expected(lesson):
    if lesson == "lesson04_training":
        return ({("softmax_regression", "1"), ("mlp", "2")}, False, ("mlp", "2"),
                {"loss", "accuracy", "val_acc", "test_acc"})
    if lesson == "lesson07_dead_and_exploding":
        runs = {("explode_plain", "1"), ("explode_clipped", "1")}
        for act in ("relu", "leaky_relu"):
            for scenario in [f"{act}_lr{lr}" for lr in ("0.001", "0.01", "0.05", "0.1")] + [f"{act}_bias-1_lr0.001"]:
                runs |= {(scenario, seed) for seed in ("1", "2")}
        tags = {"loss", "accuracy"} | per_layer(range(1, 7), ("kernel_grad_mean", "bias_grad_mean", "kernel_grad",
                                                              "kernel_value")) | per_layer(range(1, 6),
                                                                                           ("dead_fraction",))
        return runs, True, ("relu_lr0.1", "1"), tags
    if lesson == "lesson08_residual":
        runs = {(f"{net}_{act}", seed) for net in ("plain", "residual") for act in ("sigmoid", "relu")
                for seed in ("1", "2")}
        # the stem is layer 1, the 20 blocks layers 2..21, the head layer 22
        tags = {"loss", "accuracy"} | per_layer(range(1, 23), ("kernel_grad_mean", "bias_grad_mean", "kernel_grad",
                                                               "kernel_value"))
        return runs, True, ("residual_sigmoid", "1"), tags
    raise SystemExit(f"unknown lesson {lesson}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lesson", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--proto-python", required=True)
    args = ap.parse_args()
    rx.load_proto(args.proto_python)
    name = os.path.basename(args.lesson)
    want_runs, has_histograms, tagged_run, want_tags = expected(name)
    tmp = tempfile.mkdtemp(prefix="gradflow-tb-lesson-")
    try:
        out, tb = os.path.join(tmp, "out"), os.path.join(tmp, "tb")
        jobs = [] if name == "lesson04_training" else ["--jobs", "1"]  # lesson 04 always trains its two at once
        run = subprocess.run([args.lesson, "--quick", "--data", args.data, "--out", out, "--tensorboard", tb] + jobs,
                             capture_output=True, text=True)
        check(f"{name} --quick --tensorboard exits 0", run.returncode == 0, run.stderr[-500:])
        runs = rx.run_folders(tb)
        check("one run folder per scenario and seed", set(runs) == want_runs,
              f"missing {sorted(want_runs - set(runs))}, extra {sorted(set(runs) - want_runs)}")
        histograms = os.path.join(out, "histograms.csv") if has_histograms else None
        summary = rx.check_logdir(tb, os.path.join(out, "scalars.csv"), histograms)
        check("every record, scalar and histogram matches scalars.csv (and histograms.csv)",
              summary["records"] > 0 and summary["scalars"] > 0 and (summary["histograms"] > 0) == has_histograms,
              str(summary))
        print(f"     {summary}")
        events = rx.parse_events(rx.read_records(runs[tagged_run][0])[0])
        tags = {v.tag for e in events[1:] for v in e.summary.value}
        check(f"{tagged_run[0]}/seed{tagged_run[1]} has the issue's tags", want_tags <= tags,
              str(sorted(want_tags - tags)))
        check("the page names the TensorBoard folder", tb in open(os.path.join(out, "index.html")).read())
    except (AssertionError, rx.Corrupt, OSError, KeyError) as e:
        check("no unexpected error", False, f"{type(e).__name__}: {e}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
