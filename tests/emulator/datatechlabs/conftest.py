"""A real datatechlabs emulator on a socket (uvicorn on a thread, reset before each test), a
Basic-auth client of it, and real local DLR receivers (GET and POST, failing or hanging on request)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from twofactor_emulator.testing import ThreadEmulator

USER = "shop"
PASSWORD = "dtl-password-0123456789"
POOR_USER = "poor"
POOR_PASSWORD = "poor-password-0123456789"
PHONE = "+919999999999"
RETRY_SECONDS = 30
CONFIG: dict[str, Any] = {
    "accounts": [{"api_key": "8f2c3c1e-0000-4000-8000-00000000bbbb", "secret_key": "0123456789abcdef0123456789abcdef"}],
    "datatechlabs": {
        "dlr_max_attempts": 4,
        "dlr_retry_seconds": RETRY_SECONDS,
        "dlr_timeout_seconds": 0.5,  # real seconds: a hanging receiver costs the test half a second
        "accounts": [
            {"username": USER, "password": PASSWORD},
            {"username": POOR_USER, "password": POOR_PASSWORD, "credits": 3},
        ],
    },
}


class DlrReceiver:
    """An HTTP server on a free 127.0.0.1 port recording every receipt (GET query or POST form).

    It answers its first `failures` requests with 503, then 200 `ACK/Jasmin` (or `answer`); with
    `hang`, it never answers the first `failures` requests within the emulator's timeout.
    """

    def __init__(self, failures: int = 0, *, hang: bool = False, answer: bytes = b"ACK/Jasmin") -> None:
        self.failures = failures
        self.received: list[dict[str, Any]] = []  # {"method", "fields", "path", "status"}
        self._lock = threading.Lock()
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, fields: dict[str, str]) -> None:
                with receiver._lock:
                    failing = len(receiver.received) < receiver.failures
                    status = 503 if failing else 200
                    receiver.received.append(
                        {"method": self.command, "fields": fields, "path": urlsplit(self.path).path, "status": status}
                    )
                if failing and hang:
                    receiver._release.wait(5)
                    return
                body = b"busy" if failing else answer
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
                self._answer({k: v[0] for k, v in query.items()})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                assert self.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
                self._answer({k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()})

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/dlr"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def receipts(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.received)

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()


class Datatechlabs:
    """The emulator, a client with the first account's credentials, and control helpers."""

    def __init__(self, emulator: ThreadEmulator) -> None:
        self.emulator = emulator
        self.base_url = emulator.base_url
        self.http = httpx.Client(base_url=self.base_url, auth=(USER, PASSWORD), timeout=30.0)
        self.control = emulator.client

    def send(self, **fields: Any) -> httpx.Response:
        body: dict[str, Any] = {"to": PHONE, "from": "DTLABS", "content": "hello, World!"}
        body.update(fields)
        return self.http.post("/sms/send", json=body)

    def sent(self, **fields: Any) -> str:
        response = self.send(**fields)
        assert response.status_code == 200, response.text
        message_id: str = response.json()["messageId"]
        return message_id

    def advance(self, seconds: float) -> None:
        self.control.post("/_emulator/clock/advance", json={"seconds": seconds}).raise_for_status()

    def log(self, message_id: str) -> list[dict[str, Any]]:
        attempts = self.control.get("/_emulator/webhooks/log").json()["attempts"]
        return [a for a in attempts if a["messageId"] == message_id]


@pytest.fixture(scope="module")
def dtl_emulator() -> Iterator[ThreadEmulator]:
    emulator = ThreadEmulator(CONFIG)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def dtl(dtl_emulator: ThreadEmulator) -> Iterator[Datatechlabs]:
    dtl_emulator.reset()
    dtl_emulator.client.put("/_emulator/delivery", json={"delaySeconds": 0}).raise_for_status()
    helper = Datatechlabs(dtl_emulator)
    yield helper
    helper.http.close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., DlrReceiver]]:
    made: list[DlrReceiver] = []

    def make(failures: int = 0, **options: Any) -> DlrReceiver:
        made.append(DlrReceiver(failures, **options))
        return made[-1]

    yield make
    for one in made:
        one.close()
