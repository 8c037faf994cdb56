"""Fixtures of the emulator tests: the app in-process over httpx's ASGI transport on fresh state
(`client`), a real emulator process (`emulator`), and a real local webhook receiver (`receiver_factory`)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from twofactor_emulator.testing import EmulatorHandle, create_app, running_emulator

API_KEY = "8f2c3c1e-0000-4000-8000-000000000001"
SECRET_KEY = "0123456789abcdef0123456789abcdef"
SANDBOX_API_KEY = "8f2c3c1e-0000-4000-8000-00000000sand"
SANDBOX_SECRET_KEY = "sandbox-secret-0123456789abcdef0"
PHONE = "+919999999999"
OTHER_PHONE = "+918888888888"
SANDBOX_PHONE = "+919920123456"  # the docs' sandbox example number

# The first account is production with one sandbox number, the second a whole-sandbox account.
CONFIG: dict[str, Any] = {
    "accounts": [
        {"api_key": API_KEY, "secret_key": SECRET_KEY, "sandbox": [SANDBOX_PHONE]},
        {"api_key": SANDBOX_API_KEY, "secret_key": SANDBOX_SECRET_KEY, "sandbox": True},
    ]
}


def v1(path: str, api_key: str = API_KEY) -> str:
    """A V1 URL path for the account."""
    return f"/API/V1/{api_key}/{path}"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of a fresh in-memory emulator; an exception inside the app fails the test."""
    app = create_app(db=":memory:", config=CONFIG)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
        yield http


async def latest_otp(client: httpx.AsyncClient, phone: str) -> str:
    """The OTP the control API says was last sent to `phone`."""
    response = await client.get("/_emulator/otp", params={"phone": phone})
    assert response.status_code == 200, response.text
    otp: str = response.json()["otp"]
    return otp


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
