"""Fails when line coverage of the given source folders is below a minimum.

Usage: coverage_gate.py COVERAGE_JSON MIN_PERCENT FOLDER...
(COVERAGE_JSON is `cargo llvm-cov report --json --summary-only` output.)
"""
import json
import os
import sys


def main() -> int:
    path, minimum, folders = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    with open(path) as f:
        files = json.load(f)["data"][0]["files"]
    root = os.getcwd() + os.sep
    failed = False
    for folder in folders:
        covered = total = 0
        for entry in files:
            name = entry["filename"].removeprefix(root)
            if name.startswith(folder.rstrip("/") + "/"):
                lines = entry["summary"]["lines"]
                covered += lines["covered"]
                total += lines["count"]
        if total == 0:
            print(f"coverage: no lines measured under {folder}")
            failed = True
            continue
        percent = 100.0 * covered / total
        verdict = "ok" if percent >= minimum else f"BELOW {minimum:.0f}%"
        print(f"coverage: {folder}: {percent:.1f}% of {total} lines ({verdict})")
        failed |= percent < minimum
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
