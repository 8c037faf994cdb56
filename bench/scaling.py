"""The emulator on 1, 2 and 4 worker processes over one SQLite file, same loads, same minute.

    python -m bench.scaling [--loads otp,r1,bulk] [--connections 64] [--seconds 4] [--workers 1,2,4]

Every worker count is started first and kept up; each load then runs on every count twice, in
alternating order, after an uncounted warm-up. Prints the rate relative to one worker, the server
CPU per request (all the workers' processes), p99 and errors. Needs wrk. docs/scaling.md reads it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench import servers, wrk
from bench.stats import LoadResult


def _measure(server: servers.Server, load: str, connections: int, seconds: float) -> tuple[LoadResult, float]:
    result = server.drive(load, connections, seconds)
    return result, result.cpu_us_per_request or 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__.splitlines()[0])
    parser.add_argument("--loads", default="otp,r1,bulk")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--workers", default="1,2,4")
    options = parser.parse_args(argv)
    if wrk.available() is None:
        print(wrk.INSTALL_HINT, file=sys.stderr)
        return 2
    counts = [int(n) for n in options.workers.split(",")]
    print(f"load average at the start: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| load | workers | req/s | vs one | server CPU per request | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="twofactor-scaling-") as tmp, ExitStack() as stack:
        started = {n: stack.enter_context(servers.emulator(Path(tmp), n)) for n in counts}
        for load in options.loads.split(","):
            for server in started.values():
                wrk.run(server.url, load, server.api_key, options.connections, 2, threads=2)  # warm-up
            runs: dict[int, list[tuple[LoadResult, float]]] = {n: [] for n in counts}
            for number in range(2):
                for n in counts if number % 2 == 0 else reversed(counts):
                    runs[n].append(_measure(started[n], load, options.connections, options.seconds))
            one = statistics.mean(r.rate for r, _ in runs[counts[0]])
            for n in counts:
                rate = statistics.mean(r.rate for r, _ in runs[n])
                cpu = statistics.mean(c for _, c in runs[n])
                p99 = statistics.median(r.p99_ms or 0.0 for r, _ in runs[n])
                errors = sum(r.errors for r, _ in runs[n])
                print(f"| {load} | ×{n} | {rate:,.0f} | {rate / one:.2f}× | {cpu:,.0f} µs | {p99:.1f} | {errors} |")
    print(f"load average at the end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
