#!/usr/bin/env python3
"""CTest: lesson 05 --quick --tensorboard DIR, read back by read_events.py (independent of the C++
writer): one run folder per scenario and seed, every record's CRCs, every scalar of scalars.csv
under its TensorBoard tag, every histogram against histograms.csv. Then: a second run into the
same DIR adds files and changes none, and a DIR that cannot be a folder is a clear error.

    test_lesson_events.py --lesson build/bin/lesson05_vanishing_gradients --data tests/fixtures/mnist
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lesson", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--proto-python", required=True)
    args = ap.parse_args()
    rx.load_proto(args.proto_python)
    tmp = tempfile.mkdtemp(prefix="gradflow-tb-lesson-")
    try:
        out, tb = os.path.join(tmp, "out"), os.path.join(tmp, "tb")
        run = subprocess.run([args.lesson, "--quick", "--data", args.data, "--out", out, "--tensorboard", tb,
                              "--jobs", "1"], capture_output=True, text=True)
        check("lesson05 --quick --tensorboard exits 0", run.returncode == 0, run.stderr[-500:])
        runs = rx.run_folders(tb)
        # --quick runs the three scenarios with seeds 1 and 2.
        want_runs = {(a, s) for a in ("sigmoid", "relu", "leaky_relu") for s in ("1", "2")}
        check("one run folder per scenario and seed", set(runs) == want_runs, str(sorted(runs)))
        summary = rx.check_logdir(tb, os.path.join(out, "scalars.csv"), os.path.join(out, "histograms.csv"))
        check("every record, scalar and histogram matches scalars.csv and histograms.csv",
              summary["records"] > 0 and summary["scalars"] > 0 and summary["histograms"] > 0, str(summary))
        print(f"     {summary}")
        events = rx.parse_events(rx.read_records(runs[("sigmoid", "1")][0])[0])
        tags = {v.tag for e in events[1:] for v in e.summary.value}
        expected = {"loss", "accuracy"} | {f"layer{l}/{k}" for l in range(1, 7) for k in (
            "kernel_grad_mean", "bias_grad_mean", "kernel_mean", "kernel_grad", "kernel_value")}
        check("the issue's tags are there (loss, accuracy, layerN/kernel_grad_mean, layerN/bias_grad_mean, "
              "histograms of dL/dW and W)", expected <= tags, str(sorted(expected - tags)))

        # A second run into the same folder: new files beside the old ones, old bytes unchanged.
        before = {f: open(f, "rb").read() for files in runs.values() for f in files}
        run2 = subprocess.run([args.lesson, "--quick", "--data", args.data, "--out", out, "--tensorboard", tb,
                               "--jobs", "1", "--activations", "relu"], capture_output=True, text=True)
        after = rx.run_folders(tb)
        unchanged = all(open(f, "rb").read() == data for f, data in before.items())
        check("a second run adds event files and changes none", run2.returncode == 0 and unchanged and
              len(after[("relu", "1")]) == 2 and len(after[("sigmoid", "1")]) == 1)

        # A --tensorboard path that is a file: exit 1, the path named, the file untouched.
        blocker = os.path.join(tmp, "a-file")
        open(blocker, "w").write("mine")
        run3 = subprocess.run([args.lesson, "--quick", "--data", args.data, "--out", os.path.join(tmp, "out3"),
                               "--tensorboard", blocker], capture_output=True, text=True)
        check("--tensorboard at a file: exit 1 naming it, file kept",
              run3.returncode == 1 and blocker in run3.stderr and open(blocker).read() == "mine",
              f"exit {run3.returncode}: {run3.stderr[-300:]}")
    except (AssertionError, rx.Corrupt, OSError, KeyError) as e:
        check("no unexpected error", False, f"{type(e).__name__}: {e}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
