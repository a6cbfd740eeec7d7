#!/usr/bin/env python3
"""Grades the coursework: runs each exercise's Catch2 test program and reports its status.

scripts/grade.sh builds what is needed and calls this; CTest calls it directly to prove the
tests bite (tests/coursework/CMakeLists.txt).

  grade.py --bin-dir build/bin [--json] [--expect STATUS]   every exercise (coursework_exNN)
  grade.py --exe PROGRAM --exercise exNN --expect STATUS   one program (a stub or planted variant)

Status of an exercise:
  passed       every check passed
  not started  every failure is a NotDone ("exercise NN not done yet"), i.e. a starter body
  failing      at least one real failed check (or a crash); the first one is shown
With --expect STATUS the exit code is 1 unless every graded exercise has that status.
Exit code 2: usage errors (a missing program, an unknown exercise).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# Points per exercise (100 in all): the harder the exercise, the more it is worth.
POINTS = {"ex01": 10, "ex02": 10, "ex03": 10, "ex04": 15, "ex05": 15, "ex06": 5, "ex07": 10, "ex08": 10,
          "ex09": 15}
NOT_DONE = re.compile(r"exercise (\d\d) not done yet")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def titles():
    """Exercise titles from docs/coursework.md's headings "## Exercise NN: title"."""
    found = {}
    try:
        with open(os.path.join(REPO, "docs", "coursework.md"), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"## Exercise (\d\d): (.+)", line)
                if m:
                    found["ex" + m.group(1)] = m.group(2).strip()
    except OSError:
        pass
    return found


def one_line(text):
    return " ".join((text or "").split())


def run_program(exe, exercise):
    """Runs one Catch2 program with the XML reporter and returns the exercise's record."""
    record = {"exercise": exercise, "program": os.path.basename(exe), "checks_passed": 0, "checks_failed": 0,
              "test_cases": 0, "first_failure": None}
    try:
        proc = subprocess.run([exe, "-r", "xml"], capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        record.update(status="failing", first_failure="the tests did not finish within 600 s (an endless loop?)")
        return record
    try:
        root = ET.fromstring(proc.stdout)
    except ET.ParseError:
        # Catch2 writes its XML as it goes: a crash leaves it unfinished.
        why = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}"
        last = re.findall(r'<TestCase name="([^"]*)"', proc.stdout)
        where = f" in test case \"{last[-1]}\"" if last else ""
        record.update(status="failing", first_failure=f"the test program crashed ({why}){where}")
        return record

    failures = []  # (test case, message), in order
    not_done = []  # exercise numbers named by NotDone messages
    for case in root.iter("TestCase"):
        record["test_cases"] += 1
        infos = []
        for el in case.iter():
            if el.tag == "Info":
                infos.append(one_line(el.text))
            elif el.tag == "Expression":
                # An exception thrown after the last check comes as an Expression holding an
                # Exception element: the Exception (visited next) is the failure to report.
                if el.get("success") == "false" and el.find("Exception") is None:
                    expr = one_line(el.findtext("Original"))
                    expanded = one_line(el.findtext("Expanded"))
                    where = f"{os.path.basename(el.get('filename', '?'))}:{el.get('line', '?')}"
                    text = "; ".join(infos) if infos else f"{expr} ({expanded})"
                    m = NOT_DONE.search(expanded)
                    if m:  # e.g. CHECK_THROWS_WITH that got a NotDone instead
                        not_done.append(m.group(1))
                        failures.append((case.get("name"), m.group(0)))
                        infos = []
                        continue
                    failures.append((case.get("name"), f"{text} [CHECK {expr} at {where}]"))
                infos = []
            elif el.tag in ("Exception", "FatalErrorCondition"):
                text = one_line(el.text)
                m = NOT_DONE.search(text)
                if m:
                    not_done.append(m.group(1))
                failures.append((case.get("name"), text if m else f"{el.tag.lower()}: {text}"))
                infos = []
    totals = root.find("OverallResults")
    if totals is not None:
        record["checks_passed"] = int(totals.get("successes", 0))
        record["checks_failed"] = int(totals.get("failures", 0))
    if record["test_cases"] == 0:
        record.update(status="failing", first_failure="the program ran no test cases")
    elif not failures:
        record["status"] = "passed"
    elif len(not_done) == len(failures):
        record["status"] = "not started"
        others = sorted(set(not_done) - {exercise[2:]})
        record["first_failure"] = failures[0][1] + (
            f" (this exercise also needs exercise {', '.join(others)})" if others else "")
    else:
        real = [f for f in failures if not NOT_DONE.search(f[1])]
        record["status"] = "failing"
        record["first_failure"] = f"{real[0][0]}: {real[0][1]}"
    return record


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", help="folder holding coursework_ex01 ... coursework_ex09")
    ap.add_argument("--exe", help="grade this one program instead (needs --exercise)")
    ap.add_argument("--exercise", help="exNN, with --exe, or alone with --bin-dir to grade one exercise")
    ap.add_argument("--json", action="store_true", help="print JSON records instead of the table")
    ap.add_argument("--expect", choices=["passed", "failing", "not started"],
                    help="exit 1 unless every graded exercise has this status")
    ap.add_argument("--expect-message", action="append", default=[], metavar="TEXT",
                    help="with --expect failing: exit 1 unless the first failing check's message contains TEXT "
                         "(may be repeated)")
    args = ap.parse_args()
    if bool(args.exe) == bool(args.bin_dir):
        ap.error("give either --bin-dir DIR or --exe PROGRAM --exercise exNN")
    if args.exercise and args.exercise not in POINTS:
        ap.error(f"unknown exercise '{args.exercise}' (use ex01 ... ex09)")
    if args.exe and not args.exercise:
        ap.error("--exe needs --exercise exNN")

    jobs = [(args.exercise, args.exe)] if args.exe else [
        (ex, os.path.join(args.bin_dir, f"coursework_{ex}")) for ex in POINTS if args.exercise in (None, ex)]
    for ex, exe in jobs:
        if not os.access(exe, os.X_OK):
            print(f"grade: the test program {exe} for {ex} does not exist; build it first "
                  f"(scripts/grade.sh does)", file=sys.stderr)
            return 2

    names = titles()
    records = []
    for ex, exe in jobs:
        r = run_program(exe, ex)
        r["title"] = names.get(ex, "")
        r["max_points"] = POINTS[ex]
        r["points"] = POINTS[ex] if r["status"] == "passed" else 0
        records.append(r)

    if args.json:
        print(json.dumps({"exercises": records, "points": sum(r["points"] for r in records),
                          "max_points": sum(r["max_points"] for r in records)}, indent=2))
    else:
        head = f"{'exercise':<34} {'status':<12} {'points':>7} {'checks':>13}  first failing check"
        print(head)
        print("-" * len(head))
        for r in records:
            name = f"{r['exercise'][2:]} {r['title']}"[:34]
            checks = f"{r['checks_passed']}/{r['checks_passed'] + r['checks_failed']}"
            print(f"{name:<34} {r['status']:<12} {r['points']:>3}/{r['max_points']:<3} {checks:>13}  "
                  f"{r['first_failure'] or ''}")
        total = sum(r["points"] for r in records)
        print(f"{'total':<34} {'':<12} {total:>3}/{sum(r['max_points'] for r in records):<3}")
    if args.expect:
        wrong = [r for r in records if r["status"] != args.expect]
        unsaid = 0
        for r in records:
            missing = [t for t in args.expect_message if t not in (r["first_failure"] or "")]
            if missing and r not in wrong:
                print(f"grade: {r['exercise']} ({r['program']}): the first failing check does not mention "
                      f"{', '.join(repr(t) for t in missing)}: {r['first_failure']}", file=sys.stderr)
                unsaid += 1
        for r in wrong:
            print(f"grade: expected {r['exercise']} ({r['program']}) to be '{args.expect}' but it is "
                  f"'{r['status']}'{': ' + r['first_failure'] if r['first_failure'] else ''}", file=sys.stderr)
        return 1 if wrong or unsaid else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
