"""Two versions of the emulator against each other: the working tree and a git revision.

    python -m bench.ab REV [--loads otp,r1,bulk] [--connections 16] [--seconds 4] [--rounds 3]

Checks `REV`'s `emulator/` out into a temporary folder (`git archive`), starts both emulators (the
same interpreter and installed packages, each tree's code first on the path, each on a fresh SQLite
file), warms both up, then drives them with wrk in alternating order, `--rounds` times per load.
Prints, per load, each side's rate, CPU per request and p99, and the ratios of the working tree to
`REV` as medians of per-round ratios (two runs next to each other in time), with the load average
at the start and the end. For a change's before/after on a shared machine: the CPU ratio is the
steady figure.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench import servers, wrk
from bench.stats import LoadResult, combine


def checkout_emulator(rev: str, into: Path) -> Path:
    """REV's `emulator/` folder, extracted under `into`."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "emulator"], cwd=servers.REPO, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "emulator"


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev", help="the git revision to compare the working tree with (e.g. main, HEAD~1)")
    parser.add_argument("--loads", default="otp,r1", help="comma-separated: otp, r1, bulk (default otp,r1)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each timed run")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each side per load")
    args = parser.parse_args(argv)
    if wrk.available() is None:
        print(wrk.INSTALL_HINT, file=sys.stderr)
        return 2
    loads = [name.strip() for name in args.loads.split(",") if name.strip()]
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        base_source = checkout_emulator(args.rev, folder / "base")
        sides = {
            args.rev: stack.enter_context(servers.emulator(folder, source=base_source, name=args.rev)),
            "working tree": stack.enter_context(servers.emulator(folder, name="working tree")),
        }
        print("| load | side | req/s | CPU µs per request | p99 ms |\n|---|---|---|---|---|")
        summary: list[str] = []
        for load in loads:
            for server in sides.values():  # warm-up, uncounted
                server.drive(load, args.connections, 2)
            rounds: list[dict[str, LoadResult]] = []
            for number in range(args.rounds):
                order = list(sides) if number % 2 == 0 else list(reversed(sides))
                rounds.append({side: sides[side].drive(load, args.connections, args.seconds) for side in order})
            for side in sides:
                total = combine([r[side] for r in rounds])
                print(
                    f"| {load} | {side} | {total.rate:,.0f} | {_fmt(total.cpu_us_per_request, ',.0f')} "
                    f"| {_fmt(total.p99_ms, '.2f')} |"
                )
            new, old = "working tree", args.rev
            rate = statistics.median(r[new].rate / r[old].rate for r in rounds if r[old].rate)
            cpu = [
                r[old].cpu_us_per_request / r[new].cpu_us_per_request  # type: ignore[operator]
                for r in rounds
                if r[new].cpu_us_per_request and r[old].cpu_us_per_request
            ]
            errors = sum(r[side].errors for r in rounds for side in sides)
            summary.append(
                f"{load}: working tree vs {old}: rate {rate:.2f}x, by CPU per request "
                f"{_fmt(statistics.median(cpu) if cpu else None, '.2f')}x ({errors} errors)"
            )
    print("\n" + "\n".join(summary))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
