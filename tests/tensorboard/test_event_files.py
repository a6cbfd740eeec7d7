#!/usr/bin/env python3
"""CTest: the event files of tensorboard_sample, read back by read_events.py (independent of the
C++ writer), including what a killed run and a cut-short file leave behind.

    test_event_files.py --sample build/bin/tensorboard_sample --proto-python build/tensorboard/python
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import read_events as rx  # noqa: E402
from checklist import check, finish  # noqa: E402


def only_event_file(out):
    [files] = rx.run_folders(out).values()
    return files[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", required=True)
    ap.add_argument("--proto-python", required=True)
    args = ap.parse_args()
    rx.load_proto(args.proto_python)
    tmp = tempfile.mkdtemp(prefix="gradflow-tb-py-")
    try:
        # 1. A complete run: every record, CRC, tag, step, value and histogram.
        out = os.path.join(tmp, "full")
        subprocess.run([args.sample, out], check=True, stdout=subprocess.DEVNULL)
        summary = rx.check_logdir(out, os.path.join(out, "scalars.csv"), os.path.join(out, "histograms.csv"))
        # 6 logged steps x (4 scalars + 2 histograms) + the file_version event.
        check("complete run reads back", summary == {"runs": 1, "records": 37, "scalars": 24, "histograms": 12},
              str(summary))
        path = only_event_file(out)
        data = open(path, "rb").read()
        records, tail = rx.read_records(path)

        # 2. The reader really checks CRCs: one flipped bit anywhere in a record is caught.
        for where, offset in [("length", 0), ("length CRC", 9), ("data", 12 + 3), ("data CRC", len(data) - 1)]:
            damaged = bytearray(data)
            damaged[offset] ^= 0x10
            bad = os.path.join(tmp, "damaged")
            open(bad, "wb").write(bytes(damaged))
            try:
                rx.read_records(bad)
                caught = False
            except rx.Corrupt:
                caught = True
            # A flipped bit in the last record's CRC is a mismatch too, not a truncation.
            check(f"a flipped bit in the {where} is reported as corruption", caught)

        # 3. A file cut at every byte inside its last record still gives all earlier records.
        last_start = len(data) - (len(records[-1]) + 16)
        all_ok = True
        for cut in range(last_start, len(data)):
            cut_path = os.path.join(tmp, "cut")
            open(cut_path, "wb").write(data[:cut])
            got, tail = rx.read_records(cut_path)
            if got != records[:-1] or tail != cut - last_start:
                all_ok = False
                print(f"     cut at {cut}: {len(got)} records, tail {tail}")
        check(f"cut at each of the {len(data) - last_start} bytes of the last record: earlier records intact",
              all_ok)

        # 4. A run killed (SIGKILL, no destructor, no flush) after its 9th event: exactly the
        #    file_version event and those 9 events are on disk, and they match the CSV.
        out = os.path.join(tmp, "killed")
        proc = subprocess.run([args.sample, out, "--kill-after", "9"], stdout=subprocess.DEVNULL)
        check("the sample program was killed", proc.returncode == -signal.SIGKILL, str(proc.returncode))
        got, tail = rx.read_records(only_event_file(out))
        check("a killed run leaves every record it wrote readable", len(got) == 10 and tail == 0,
              f"{len(got)} records, tail {tail}")
        summary = rx.check_logdir(out, os.path.join(out, "scalars.csv"), os.path.join(out, "histograms.csv"),
                                  allow_truncated=True)
        check("the killed run's records match its CSV", summary["records"] == 10, str(summary))

        # 5. The checker is not blind: a CSV value changed in its last digit is a mismatch.
        out = os.path.join(tmp, "full")
        csv_path = os.path.join(out, "scalars.csv")
        lines = open(csv_path).read().splitlines()
        scenario, seed, step, tag, value = lines[3].split(",")
        lines[3] = ",".join([scenario, seed, step, tag, repr(rx.f32(float(value) * (1 + 1e-6) + 1e-30))])
        open(csv_path, "w").write("\n".join(lines) + "\n")
        try:
            rx.check_logdir(out, csv_path, os.path.join(out, "histograms.csv"))
            check("a changed CSV value is caught", False)
        except AssertionError as e:
            check("a changed CSV value is caught", tag in str(e), str(e))
    except (AssertionError, rx.Corrupt, subprocess.CalledProcessError) as e:
        check("no unexpected error", False, str(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
