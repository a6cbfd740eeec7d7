#!/usr/bin/env python3
"""time_process.py: times one whole gradflow process (a lesson, data to finished page) for
bench/run.sh and appends its measurements to the JSON lines bench/report.py reads.

    python3 bench/time_process.py --threads N --json FILE --workload process \
        --seconds-metric one_run_seconds --rss-metric one_run_peak_rss [--phases-metric-prefix P] \
        -- build/bin/lesson05_vanishing_gradients --activations relu --seeds 1 --out DIR --verbose

Wall time is measured around the child (fork to exit, so loading the shared libraries and
writing the page count); peak RSS is the largest resident set of the child and anything it
waited for (getrusage(RUSAGE_CHILDREN).ru_maxrss: the lesson, or a gnuplot if one were larger).
With --verbose the lesson prints "[verbose] T s (+D s) peak RSS M MiB PHASE" lines on stderr;
each phase's duration D is recorded as metric "<prefix><phase>" (seconds).
"""

import argparse
import json
import re
import resource
import subprocess
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--workload", default="process")
    p.add_argument("--seconds-metric", required=True)
    p.add_argument("--rss-metric")
    p.add_argument("--phases-metric-prefix")
    p.add_argument("--note", default="")
    p.add_argument("--log")
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        p.error("no command to time")

    log = open(args.log, "a") if args.log else subprocess.DEVNULL
    t0 = time.perf_counter()
    done = subprocess.run(command, stdout=log, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t0
    rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    if args.log:
        log.write(done.stderr)
        log.flush()
    if done.returncode != 0:
        print(f"time_process.py: {' '.join(command)} failed with exit code {done.returncode}:\n{done.stderr}",
              file=sys.stderr)
        return 1

    out = open(args.json, "a")

    def emit(metric, value, unit, note=""):
        out.write(json.dumps(dict(side="gradflow", threads=args.threads, workload=args.workload, metric=metric,
                                  value=float(value), unit=unit, note=note)) + "\n")
        print(f"{args.workload:<9} {metric:<40} = {value:>12.5g} {unit}", flush=True)

    emit(args.seconds_metric, seconds, "s", args.note)
    if args.rss_metric:
        emit(args.rss_metric, rss_mib, "MiB", "ru_maxrss of the process and its children")
    if args.phases_metric_prefix:
        for line in done.stderr.splitlines():
            m = re.match(r"\[verbose\]\s+([0-9.]+) s\s+\(\+([0-9.]+) s\)\s+peak RSS\s+([0-9.]+) MiB\s+(.*)$", line)
            if m:
                emit(args.phases_metric_prefix + m.group(4), float(m.group(2)), "s", "phase duration (--verbose)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
