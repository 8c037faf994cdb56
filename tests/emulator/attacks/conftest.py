"""Fixtures of the attack-style tests: the emulator on a real socket, either served by uvicorn on a
thread of the test process (`serve`: the same uvicorn settings as the command line, and the app at
hand, so a test can read its logs with `capfd` or break one of its parts) or as the real command
(`run_command`, for limits of the process itself)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from twofactor_emulator.cli import listening_socket
from twofactor_emulator.core.edge import ServerSettings
from twofactor_emulator.server import uvicorn_config
from twofactor_emulator.testing import create_app, random_config

STARTUP_SECONDS = 30.0


@dataclass
class Served:
    """An emulator app served on 127.0.0.1 by uvicorn on a thread."""

    base_url: str
    api_key: str
    secret_key: str
    app: Any  # the EmulatorApp: tests reach its service to break a part of it


@contextmanager
def serve_app(config: dict[str, Any] | None = None, **settings: Any) -> Iterator[Served]:
    """The emulator with `ServerSettings(**settings)` on a free port, for the duration of the block."""
    config = config or random_config()
    sock = listening_socket("127.0.0.1", 0)
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(config=config, settings=ServerSettings(bind_host="127.0.0.1", **settings))
    server = uvicorn.Server(uvicorn_config(app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the emulator thread did not start"
        time.sleep(0.01)
    account = config["accounts"][0]
    try:
        yield Served(base_url, account["api_key"], account["secret_key"], app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def serve() -> Callable[..., Any]:
    """`serve_app` as a fixture value: `with serve(**settings) as emulator: ...`."""
    return serve_app


@dataclass
class Command:
    """`twofactor-emulator serve` as a child process; its stderr goes to a file the test reads."""

    process: subprocess.Popen[str]
    base_url: str
    api_key: str
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def run_command(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, preexec_fn: Callable[[], None] | None = None
) -> Iterator[Command]:
    """Start `python -m twofactor_emulator serve --port 0 --db :memory: ARGS` and wait for its banner."""
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "twofactor_emulator", "serve", "--port", "0", "--db", ":memory:", *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, **(env or {})},
            preexec_fn=preexec_fn,
        )
    assert process.stdout is not None
    try:
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
        line = process.stdout.readline() if ready else ""
        assert "listening on " in line, f"no banner: {line!r} {stderr_path.read_text()}"
        base_url = line.rsplit(" ", 1)[1].strip()
        api_key = ""
        while "control API" not in line:  # the rest of the banner, up to the control API's line
            line = process.stdout.readline()
            if line.strip().startswith("API key:"):
                api_key = line.split("API key:", 1)[1].split()[0]
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                httpx.get(f"{base_url}/_emulator/health", timeout=5)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the emulator did not answer"
                time.sleep(0.05)
        yield Command(process, base_url, api_key, stderr_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
