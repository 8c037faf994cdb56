"""The garbage collector's pauses in the emulator under load, with and without the frozen heap.

    python -m bench.gc_pauses [--load otp|r1|bulk] [--seconds 6] [--connections 16]

Runs the `twofactor-emulator` command twice on a fresh SQLite file, once as it is (core/heap.py
freezes the long-lived objects) and once with the freezing switched off, each driven by wrk with the
same load; a `gc.callbacks` hook inside the served process times every collection. Prints, per
generation, how many collections ran and their median and longest pause, and wrk's p50 and p99.
A full collection (generation 2) holds the event loop for its whole length: every request in flight
waits for it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench import servers, wrk

# Runs inside the served process: the command's own `main`, with a collector hook that writes the
# pauses to a file when the process ends.
_SERVED = textwrap.dedent(
    """
    import atexit, gc, json, signal, sys, time
    from twofactor_emulator import cli
    from twofactor_emulator.core import heap

    out, freeze = sys.argv[1], sys.argv[2] == "freeze"
    if not freeze:
        heap.enable = lambda: None
    started, pauses = {}, {0: [], 1: [], 2: []}

    def hook(phase, info):
        if phase == "start":
            started[info["generation"]] = time.perf_counter()
        else:
            pauses[info["generation"]].append((time.perf_counter() - started[info["generation"]]) * 1000)

    gc.callbacks.append(hook)
    atexit.register(lambda: open(out, "w").write(json.dumps(pauses)))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.exit(cli.main(sys.argv[3:]))
    """
)


def _one(folder: Path, load: str, seconds: float, connections: int, freeze: bool) -> tuple[dict[str, list[float]], str]:
    config, api_key = servers.write_config(folder)
    port = servers.free_port()
    pauses = folder / f"pauses-{freeze}.json"
    db = folder / f"gc-{freeze}.sqlite3"
    argv = [sys.executable, "-c", _SERVED, str(pauses), "freeze" if freeze else "no-freeze"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--db", str(db), "--config", str(config)]
    process = subprocess.Popen(argv, cwd=servers.REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                wrk.run(url, "otp", api_key, 1, 1, threads=1)  # also warms the code paths up
                break
            except RuntimeError:
                time.sleep(0.1)
        result = wrk.run(url, load, api_key, connections, seconds, threads=2)
    finally:
        process.terminate()
        process.wait(timeout=30)
    latency = f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, {result.rate:,.0f} req/s"
    return json.loads(pauses.read_text()), latency


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", default="otp", choices=("otp", "r1", "bulk"))
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    if wrk.available() is None:
        print(wrk.INSTALL_HINT, file=sys.stderr)
        return 2
    print(f"load average at start: {os.getloadavg()[0]:.2f}; {args.load}, {args.connections} connections")
    print("| heap | generation | collections | median pause ms | longest ms | wrk |\n|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-gc-") as tmp:
        for freeze in (False, True):
            pauses, latency = _one(Path(tmp), args.load, args.seconds, args.connections, freeze)
            for generation, times in sorted(pauses.items()):
                times.sort()
                median = times[len(times) // 2] if times else 0.0
                longest = times[-1] if times else 0.0
                label = "frozen" if freeze else "not frozen"
                print(f"| {label} | {generation} | {len(times)} | {median:.3f} | {longest:.2f} | {latency} |")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
