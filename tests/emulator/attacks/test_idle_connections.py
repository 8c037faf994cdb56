"""Idle and half-open connections cannot take the server down: a connection that sends no complete
request head within the head timeout is closed, past the concurrency limit requests get a clean 503,
and running out of file descriptors logs one line per condition, not a traceback per `accept()`.
(With `ulimit -n 1024`, 1,100 idle connections made the server unreachable and wrote 102,399
tracebacks in 20 s.) Both event loops: uvloop, and asyncio's where uvloop is not installed; each
reports running out of descriptors its own way (server.py)."""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from twofactor_emulator import server

from .conftest import run_command

pytestmark = pytest.mark.slow
DESCRIPTORS = 128  # the child's soft and hard limit
IDLE = 200  # more idle connections than it has descriptors
REACHABLE_WITHIN = 3 * server.HEADER_TIMEOUT_SECONDS


def _low_descriptor_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (DESCRIPTORS, DESCRIPTORS))


def _open_idle(port: int, count: int) -> list[socket.socket]:
    idle = []
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):  # completes in the kernel's backlog; accepted when it can be
            sock.connect(("127.0.0.1", port))
        idle.append(sock)
    return idle


# How each loop says that descriptors ran out: asyncio's failed accept(), or server.py's own line
# where uvloop's libuv closes the waiting connections without a word.
EXHAUSTION_LINES = {
    "uvloop": "connections open, new ones are closed at once",
    "asyncio": "socket.accept() out of system resource",
}


def _without_uvloop(folder: Path) -> dict[str, str]:
    """An environment in which `import uvloop` fails, as where it is not installed (Windows)."""
    (folder / "uvloop.py").write_text('raise ImportError("uvloop is not installed here")\n')
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
def test_idle_connections_past_the_descriptor_limit_do_not_take_the_server_down(tmp_path: Path, loop: str) -> None:
    if loop == "uvloop":
        pytest.importorskip("uvloop")  # not installed on Windows: the asyncio case covers it there
    hidden = tmp_path / "no-uvloop"
    hidden.mkdir()
    env = _without_uvloop(hidden) if loop == "asyncio" else None
    with run_command(tmp_path, env=env, preexec_fn=_low_descriptor_limit) as command:
        port = int(command.base_url.rsplit(":", 1)[1])
        idle = _open_idle(port, IDLE)
        try:
            answered: httpx.Response | None = None
            deadline = time.monotonic() + REACHABLE_WITHIN
            while answered is None and time.monotonic() < deadline:
                try:
                    answered = httpx.get(f"{command.base_url}/_emulator/health", timeout=2)
                except httpx.TransportError:
                    time.sleep(0.2)
            assert answered is not None, "unreachable: the idle connections were never closed"
            assert answered.status_code in (200, 503)  # 503: the concurrency limit's clean refusal
        finally:
            for sock in idle:
                sock.close()
        deadline = time.monotonic() + REACHABLE_WITHIN
        while httpx.get(f"{command.base_url}/_emulator/health", timeout=5).status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        command.process.terminate()
        command.process.wait(timeout=10)
        logged = command.stderr()
    assert "Traceback" not in logged
    assert len(logged.splitlines()) <= 20, logged[:2000]
    assert "Too many open files" in logged  # said, not hidden
    said = [line for line in logged.splitlines() if "Too many open files" in line]
    assert all(EXHAUSTION_LINES[loop] in line for line in said), said  # the loop that served, one way


def test_a_connection_that_trickles_its_head_is_closed(serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "HEADER_TIMEOUT_SECONDS", 1.0)
    with serve() as emulator:
        port = int(emulator.base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.settimeout(0.2)
            closed_after = None
            started = time.monotonic()
            for byte in b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100:
                try:
                    sock.sendall(bytes([byte]))
                    if sock.recv(1) == b"":
                        closed_after = time.monotonic() - started
                        break
                except TimeoutError:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    closed_after = time.monotonic() - started
                    break
            assert closed_after is not None, "a trickled request head kept the connection open"
        with httpx.Client(base_url=emulator.base_url) as http:  # a prompt client is served as usual
            assert http.get("/_emulator/health").status_code == 200
            time.sleep(1.5)  # idle between requests: uvicorn's keep-alive timeout (5 s) applies, not the head's
            assert http.get("/_emulator/health").status_code == 200
