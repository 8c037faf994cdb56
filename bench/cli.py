"""The one command: `python -m bench [--smoke] [--seconds N] ...` prints the markdown table.

Sections: envelope, load (emulator vs Prism vs the bare ceiling and the limit), bulk (one 1000-message
request), coldstart (the console script to its first health 200), client (the twofactor client vs raw
httpx), walltime (contract suite, generator). A section whose tool is absent is a row that says so,
never a crash: the smoke mode of the test suite relies on it.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench import bulk_once, client_bench, coldstart, envelope_bench, load_bench, servers, walltime, wrk
from bench.table import Row, render, skipped
from bench.workloads import LOAD_NAMES

SECTIONS = ("envelope", "load", "bulk", "coldstart", "client", "walltime")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny and fast: Python load generator, no wrk/Prism")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each timed run (default 4)")
    parser.add_argument("--connections", default="16,64", help="comma-separated connection counts (default 16,64)")
    parser.add_argument("--loads", default=",".join(LOAD_NAMES), help="comma-separated loads: otp, r1, bulk")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each target per load and count (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="also run emulator and ceiling with N uvicorn workers")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto", help="load generator")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, help="also write the report (markdown) to this file")
    return parser


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _versions() -> str:
    parts = [f"Python {platform.python_version()}"]
    for name in ("uvicorn", "starlette", "httpx", "cryptography"):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} absent")
    return ", ".join(parts)


def _machine() -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} logical cores ({usable} usable by this process), load average {load}"


def _section(name: str, rows: list[Row], call: Callable[[], list[Row]]) -> None:
    """Run one section; a failure becomes a row with the reason, and the other sections still run."""
    started = time.perf_counter()
    try:
        rows.extend(call())
    except Exception as exc:  # one broken section must not hide the others' figures
        rows.append(skipped(name, name, f"failed: {type(exc).__name__}: {exc}"))
    print(f"[bench] {name} done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    only = set(_csv(options.only))
    unknown = only - set(SECTIONS)
    if unknown:
        print(f"unknown section(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    seconds = 0.3 if options.smoke else options.seconds
    connections = (2,) if options.smoke else tuple(int(c) for c in _csv(options.connections))
    loads = _csv(options.loads)
    if set(loads) - set(LOAD_NAMES):
        print(f"unknown load(s): {', '.join(sorted(set(loads) - set(LOAD_NAMES)))}", file=sys.stderr)
        return 2
    tool = options.tool
    if tool == "auto":
        tool = "python" if options.smoke or wrk.available() is None else "wrk"
    elif tool == "wrk" and wrk.available() is None:
        print(wrk.INSTALL_HINT, file=sys.stderr)
        return 2
    prism_reason = "smoke mode" if options.smoke else servers.prism_available()
    limit_reason = servers.limit_available()
    emulator_reason = servers.emulator_available()

    header = [
        f"Benchmark run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {'smoke' if options.smoke else 'full'} mode.",
        f"Machine: {_machine()} at the start. Shared with other users: compare ratios, not absolutes.",
        f"Software: {_versions()}; {wrk.version()}; Prism {servers.prism_version()}.",
        f"Load generator: {tool}; each timed run {seconds:g} s; connections {', '.join(map(str, connections))}.",
        "Command: `python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]) + "`",
    ]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="twofactor-bench-") as tmp:
        folder = Path(tmp)
        if "envelope" in only:
            _section("envelope", rows, lambda: envelope_bench.run(0.1 if options.smoke else min(seconds, 2.0)))
        if "load" in only:
            if emulator_reason:
                rows.append(skipped("load", "emulator", emulator_reason))
            plan = load_bench.Plan(
                loads=loads,
                connections=connections,
                seconds=seconds,
                workers=1 if options.smoke or emulator_reason else options.workers,
                tool=tool,
                prism=prism_reason is None,
                prism_skip_reason=prism_reason or "",
                emulator=emulator_reason is None,
                limit=limit_reason is None,
                limit_skip_reason=limit_reason or "",
                rounds=1 if options.smoke else max(1, options.rounds),
                warmup_seconds=0.0 if options.smoke else 3.0,
            )
            _section("load", rows, lambda: load_bench.run(plan, folder))
        if "bulk" in only:
            if emulator_reason:
                rows.append(skipped("bulk", "1000-message request", emulator_reason))
            else:
                _section("bulk", rows, lambda: bulk_once.run(folder, 1 if options.smoke else 7))
        if "coldstart" in only:
            if emulator_reason:
                rows.append(skipped("cold start", "twofactor-emulator", emulator_reason))
            else:
                _section("coldstart", rows, lambda: coldstart.run(1 if options.smoke else 9))
        if "client" in only:
            _section("client", rows, lambda: client_bench.run(smoke=options.smoke))
        if "walltime" in only:
            if options.smoke:
                rows.append(skipped("wall time", "contract suite, generator", "smoke mode"))
            else:
                _section("walltime", rows, walltime.run)
    header.append(f"Load average at the end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    report = "\n".join(header) + "\n\n" + render(rows) + "\n"
    print(report)
    if options.out:
        options.out.write_text(report)
    return 0
