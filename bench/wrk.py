"""Run `wrk` with a Lua script of bench/lua/ and read the summary line the script prints."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from bench.stats import LoadResult
from bench.workloads import BULK_MESSAGES, wrk_script

LUA_DIR = Path(__file__).parent / "lua"
INSTALL_HINT = "wrk is not installed (Debian: apt-get install -y wrk)"
_SUMMARY = re.compile(
    r"BENCH requests=(\d+) duration_us=(\d+) errors=(\d+) p50_us=([\d.]+) p99_us=([\d.]+)",
)


def available() -> str | None:
    """The path of wrk, or None."""
    return shutil.which("wrk")


def version() -> str:
    """wrk's version line ("wrk 4.1.0 [epoll] ...")."""
    wrk = available()
    if wrk is None:
        return "absent"
    # `wrk -v` prints its version and exits 1: that is how wrk is written, not a failure.
    out = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10, check=False)
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "unknown"


def command(url: str, load: str, api_key: str, connections: int, seconds: float, threads: int) -> list[str]:
    """The wrk command line; it must run with bench/lua/ as the working folder (see common.lua)."""
    args = [api_key] + ([str(BULK_MESSAGES)] if load == "bulk" else [])
    return [
        "wrk",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        wrk_script(load),
        url,
        "--",
        *args,
    ]


def run(url: str, load: str, api_key: str, connections: int, seconds: float, threads: int) -> LoadResult:
    """Drive `load` with wrk and return what it measured."""
    argv = command(url, load, api_key, connections, seconds, threads)
    out = subprocess.run(argv, cwd=LUA_DIR, capture_output=True, text=True, timeout=seconds + 60, check=False)
    match = _SUMMARY.search(out.stdout)
    if out.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed (exit {out.returncode}): {(out.stderr or out.stdout).strip()[-300:]}")
    requests, duration_us, errors, p50_us, p99_us = match.groups()
    return LoadResult(
        requests=int(requests),
        errors=int(errors),
        seconds=int(duration_us) / 1e6,
        p50_ms=float(p50_us) / 1000,
        p99_ms=float(p99_us) / 1000,
        tool="wrk",
    )
