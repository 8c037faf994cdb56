"""The servers under test, each a real process on a loopback port: the emulator (its own console
script, or uvicorn workers over the same SQLite file), the bare Starlette ceiling, and Prism."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from bench.emulator_factory import CONFIG_ENV, DB_ENV
from bench.stats import LoadResult

REPO = Path(__file__).resolve().parent.parent
DOCUMENT = REPO / "openapi" / "twofactor.yaml"
PRISM = REPO / "bench" / "node_modules" / ".bin" / "prism"
PRISM_HINT = "Prism is not installed (cd bench && npm ci)"
STARTUP_SECONDS = 60.0
# The emulator's own stack (twofactor_emulator/server.py's uvicorn_config): httptools, and uvloop where it
# is installed. Named here so the bare handler's stack cannot drift from the emulator's.
SAME_STACK = ("--http", "httptools", "--loop", "auto")
BENCH_CREDITS = 10**12  # the default 250 credits would run out in the first second


@dataclass(frozen=True)
class Server:
    name: str
    host: str
    port: int
    api_key: str
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __repr__(self) -> str:  # the API key stays out of reprs
        return f"Server({self.name!r}, {self.url})"

    def cpu_seconds(self) -> float | None:
        """User+system CPU of every process of the server (its own session: uvicorn workers, node)
        so far, from /proc; None where there is no /proc."""
        return session_cpu_seconds(self.process.pid)

    def drive(self, load: str, connections: int, seconds: float) -> LoadResult:
        """One wrk run of `load` against this server, with the CPU the server spent meanwhile."""
        from bench import wrk  # wrk's module imports the workloads, which the servers do not need

        before = self.cpu_seconds()
        result = wrk.run(self.url, load, self.api_key, connections, seconds, threads=2)
        after = self.cpu_seconds()
        return replace(result, server_cpu_s=None if before is None or after is None else after - before)


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def session_cpu_seconds(pgid: int, own_session: bool = True) -> float | None:
    """User+system CPU seconds of the processes of group `pgid` (or of process `pgid` alone, when it
    has no session of its own); None where there is no /proc."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # The command name may hold spaces and parentheses: the fields start after the last ')'.
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended while we looked
            continue
        # fields[2] is pgrp; utime and stime are fields[11] and fields[12]
        if (int(fields[2]) == pgid) if own_session else (stat.parent.name == str(pgid)):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / _TICKS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def emulator_available() -> str | None:
    """None if the emulator can be imported, else why not."""
    try:
        import twofactor_emulator.testing  # noqa: F401
    except ImportError as exc:
        return f"the emulator is not importable ({exc})"
    return None


def prism_available() -> str | None:
    """None if Prism and node are installed, else why not."""
    if not PRISM.exists():
        return PRISM_HINT
    if shutil.which("node") is None:
        return "node is not installed"
    return None


def prism_version() -> str:
    if prism_available() is not None:
        return "absent"
    out = subprocess.run([str(PRISM), "--version"], capture_output=True, text=True, timeout=60, check=False)
    return out.stdout.strip() or "unknown"


def _wait_ready(process: subprocess.Popen[bytes], host: str, port: int, name: str, log: Path) -> None:
    """Until the server answers an HTTP request (any status), or fail with what it printed."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = log.read_text(errors="replace")[-500:]
            raise RuntimeError(f"{name} exited with {process.returncode} before listening: {out}")
        try:
            with socket.create_connection((host, port), timeout=1) as sock:
                sock.sendall(f"GET /_bench_ready HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
                if sock.recv(16).startswith(b"HTTP/1."):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer within {STARTUP_SECONDS:.0f} s")


@contextmanager
def _process(
    name: str, argv: list[str], api_key: str, folder: Path, env: dict[str, str] | None = None
) -> Iterator[Server]:
    host, port = "127.0.0.1", free_port()
    argv = [part.replace("{PORT}", str(port)) for part in argv]
    # The output goes to a file, not a pipe: Prism logs every request, and a pipe nobody reads fills up.
    log = folder / f"server-{port}.log"
    with log.open("wb") as out:
        # A session of its own, so stopping it also stops uvicorn's worker processes.
        process = subprocess.Popen(
            argv,
            cwd=REPO,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(process, host, port, name, log)
        yield Server(name, host, port, api_key, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


def _uvicorn(app: str, workers: int, factory: bool = False) -> list[str]:
    """One worker: plain uvicorn. More: bench.workers (see its docstring for why not `--workers`)."""
    if workers > 1:
        argv = [sys.executable, "-m", "bench.workers", app, "--port", "{PORT}", "--workers", str(workers)]
        return argv + (["--factory"] if factory else [])
    argv = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", "{PORT}"]
    argv += ["--log-level", "warning", "--no-access-log", *SAME_STACK]
    return argv + (["--factory"] if factory else [])


@contextmanager
def ceiling(folder: Path, workers: int = 1) -> Iterator[Server]:
    argv = _uvicorn("bench.ceiling:app", workers)
    with _process(f"bare Starlette ×{workers}", argv, str(uuid.uuid4()), folder) as server:
        yield server


def limit_available() -> str | None:
    """None if a limit stack (granian, or uvicorn with httptools and uvloop) is installed, else why not."""
    from bench import limit

    return None if limit.available_servers() else "neither granian nor uvicorn with httptools and uvloop is installed"


@contextmanager
def limit(folder: Path) -> Iterator[Server]:
    """bench/limit.py: the constant reply as a raw ASGI callable on the fastest stack installed."""
    from bench import limit as limit_app

    server = limit_app.available_servers()[0]
    argv = limit_app.argv(server, "{PORT}")
    with _process(f"limit: {limit_app.label(server)}", argv, str(uuid.uuid4()), folder) as started:
        yield started


def write_config(folder: Path) -> tuple[Path, str]:
    """A config file with one non-sandbox account with fresh keys and credits for the whole run."""
    api_key = str(uuid.uuid4())
    account = {"api_key": api_key, "secret_key": secrets.token_hex(16), "sandbox": False, "credits": BENCH_CREDITS}
    path = folder / "emulator-config.json"
    path.write_text(json.dumps({"accounts": [account]}))
    path.chmod(0o600)
    return path, api_key


@contextmanager
def emulator(folder: Path, workers: int = 1, source: Path | None = None, name: str = "") -> Iterator[Server]:
    """The emulator on a fresh SQLite file in `folder`: its own console script for one worker,
    uvicorn workers over the same file for more. `source`: another tree's `emulator/` folder to run
    instead of the installed one (one worker; bench/ab.py compares two trees that way)."""
    config, api_key = write_config(folder)
    db = folder / f"emulator-{workers}w-{uuid.uuid4().hex[:8]}.sqlite3"
    name = name or f"emulator ×{workers}"
    if workers == 1:
        if source is None:
            command = [str(Path(sys.executable).parent / "twofactor-emulator")]
            env = None
        else:  # the same interpreter and packages, that tree's code first on the path
            command = [sys.executable, "-m", "twofactor_emulator"]
            env = {"PYTHONPATH": os.pathsep.join([str(source), os.environ.get("PYTHONPATH", "")])}
        argv = [*command, "--host", "127.0.0.1", "--port", "{PORT}", "--db", str(db), "--config", str(config)]
        with _process(name, argv, api_key, folder, env=env) as server:
            yield server
    else:
        argv = [*_uvicorn("bench.emulator_factory:app", workers, factory=True), "--emulator-settings"]
        with _process(name, argv, api_key, folder, env={DB_ENV: str(db), CONFIG_ENV: str(config)}) as server:
            yield server


@contextmanager
def prism(folder: Path) -> Iterator[Server]:
    """Prism mocking the same document, static examples (its fastest mode)."""
    argv = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", "{PORT}", str(DOCUMENT)]
    with _process("Prism 5.16", argv, str(uuid.uuid4()), folder) as server:
        yield server
