"""Cold start: `twofactor-emulator` from process start to the first HTTP 200 on /_emulator/health.

The console script is started as a user starts it (a new interpreter, a fresh database), on a port
chosen beforehand, and the health route is polled every 2 ms over a raw socket from the moment the
process exists. Median of several starts, on `:memory:` and on a new SQLite file.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import servers
from bench.table import Row

SECTION = "cold start"
GOAL_MS = 300.0
HEALTH = b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def _health_ok(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(HEALTH)
            return sock.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def start_once(db: str, config: Path) -> tuple[float, float | None]:
    """Milliseconds from starting the console script to its first health 200, and the CPU time the
    process had used by then (steadier on a shared machine: it leaves out waiting for a core)."""
    port = servers.free_port()
    script = Path(sys.executable).parent / "twofactor-emulator"
    argv = [str(script), "--port", str(port), "--db", db, "--config", str(config)]
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = started + servers.STARTUP_SECONDS
        while not _health_ok(port):
            if process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"the emulator did not answer health (exit {process.poll()})")
            time.sleep(0.002)
        wall = (time.perf_counter() - started) * 1000
        cpu = servers.session_cpu_seconds(process.pid, own_session=False)
        return wall, None if cpu is None else cpu * 1000
    finally:
        process.terminate()
        process.wait(timeout=15)


def run(repeats: int) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="twofactor-coldstart-") as tmp:
        folder = Path(tmp)
        config, _ = servers.write_config(folder)
        start_once(":memory:", config)  # the first start also fills the OS file cache: not counted
        for label, db in (("in memory", lambda n: ":memory:"), ("new SQLite file", lambda n: str(folder / f"c{n}.db"))):
            starts = [start_once(db(n), config) for n in range(repeats)]
            times = [wall for wall, _ in starts]
            cpus = [cpu for _, cpu in starts if cpu is not None]
            median = statistics.median(times)
            cpu_note = f"; CPU {statistics.median(cpus):.0f} ms (median)" if cpus else ""
            rows.append(
                Row(
                    SECTION,
                    f"to first health 200, {label}",
                    p50_ms=median,
                    goal=f"≤ {GOAL_MS:.0f} ms",
                    met=median <= GOAL_MS,
                    note=f"median of {repeats} (min {min(times):.0f} ms, max {max(times):.0f} ms){cpu_note}; "
                    f"load average {os.getloadavg()[0]:.1f}",
                )
            )
    return rows
