"""A small real HTTP server on a local socket that answers with scripted replies and records every
request, for the client tests of the providers whose emulator routes do not exist yet.

It does not emulate a provider: each test says what the server answers (status, JSON body,
headers) and then checks what the client sent and how it read the reply. `hold` makes the server
take the request, record it, and then keep the reply back until the client gave up, so a test can
see whether the client sent a request twice after a timeout.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)
    hold: bool = False  # record the request, then answer only when the server stops


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class ScriptedServer:
    """`expect(method, path, *replies)` queues replies for a route; `requests` lists what arrived."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self._replies: dict[tuple[str, str], deque[Reply]] = {}
        self._lock = threading.Lock()
        self._release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                reply = server._take(self.command, self.path, dict(self.headers), body)
                if reply.hold:
                    server._release.wait()
                payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    content_type = "application/json" if not isinstance(reply.body, bytes) else "text/html"
                    self.send_header("Content-Type", content_type)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (that is what `hold` tests)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def expect(self, method: str, path: str, *replies: Reply) -> None:
        with self._lock:
            self._replies.setdefault((method, path), deque()).extend(replies)

    def _take(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        with self._lock:
            self.requests.append(Seen(method, path, headers, body))
            queue = self._replies.get((method, path.split("?", 1)[0]))
            if not queue:
                return Reply(599, {"unscripted": f"{method} {path}"})
            return queue.popleft() if len(queue) > 1 else queue[0]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._release.set()
        self._http.shutdown()
        self._http.server_close()


@contextmanager
def scripted_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
