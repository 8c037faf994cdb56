"""Fixtures of the daily-tool tests: a real emulator process and a real local webhook receiver."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from twofactor_emulator.testing import EmulatorHandle, running_emulator

WAIT_SECONDS = 15.0  # upper bound for background work (webhook posts) to show up; not a timing assertion


class Receiver:
    """An HTTP server on a free 127.0.0.1 port that answers 503 to its first `failures` POSTs (JSON or form)."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[int, dict[str, Any]]] = []  # (status answered, JSON body)
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                else:
                    body = json.loads(raw)
                with receiver._lock:
                    status = 503 if len(receiver.received) < receiver.failures else 200
                    receiver.received.append((status, body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/dlr"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def acknowledged(self) -> list[dict[str, Any]]:
        """Bodies answered with 200."""
        with self._lock:
            return [body for status, body in self.received if status == 200]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory() -> Iterator[Callable[[int], Receiver]]:
    made: list[Receiver] = []

    def make(failures: int) -> Receiver:
        made.append(Receiver(failures))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    """A real emulator process on a free port with one random account."""
    with running_emulator() as handle:
        yield handle


def eventually(check: Callable[[], Any], what: str) -> Any:
    """Poll `check` until it returns something truthy (background work runs on the server's loop)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WAIT_SECONDS} s: {what}")
        time.sleep(0.02)
