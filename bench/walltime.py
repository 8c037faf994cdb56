"""Wall time of the contract suite, the generator's check and the other-language round trips.

Each is run as a developer runs it."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.servers import REPO
from bench.table import Row

SECTION = "wall time"
TIMEOUT_SECONDS = 900
PYTHON_ROWS = ["--only", "twofactor_client", "--only", "twofactor_models"]
XDIST = ("-n", "2", "--dist", "loadgroup")  # the options of ./dev test


def commands() -> list[tuple[str, list[str]]]:
    return [
        # As `./dev test` runs it: two processes (pytest-xdist).
        ("contract suite", [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *XDIST, "tests/contract"]),
        ("generator --check", [sys.executable, "scripts/generate.py", "--check"]),
        # The Python rows alone: the difference to the row above is what the other languages add.
        ("generator --check, Python rows", [sys.executable, "scripts/generate.py", "--check", *PYTHON_ROWS]),
        # Compile the TypeScript, Go and Java clients and run their round trips against an emulator.
        (
            "other-language round trips",
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/languages"],
        ),
    ]


def run() -> list[Row]:
    rows = []
    for name, argv in commands():
        started = time.perf_counter()
        try:
            out = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            rows.append(Row(SECTION, name, note=f"did not finish within {TIMEOUT_SECONDS} s"))
            continue
        seconds = time.perf_counter() - started
        last = (out.stdout.strip().splitlines() or [""])[-1][:80]
        status = "passed" if out.returncode == 0 else f"exit {out.returncode}"
        rows.append(Row(SECTION, name, rate=seconds, unit="s", note=f"{status}: `{' '.join(argv[1:])}` {last}".strip()))
    return rows
