"""What the CTest drivers in this folder share: named checks printed as they run, and the closing
"N passed, N failed" line that CTest's log and CI read."""

passed, failures = [], []


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + (f": {detail}" if detail and not condition else ""))
    (passed if condition else failures).append(name)


def finish():
    """Prints the tally; returns the process's exit code (1 when any check failed)."""
    print(f"{len(passed)} passed, {len(failures)} failed")
    return 1 if failures else 0
