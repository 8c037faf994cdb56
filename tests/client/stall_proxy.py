"""A real TCP proxy that delivers each request to the emulator and then never answers the client.

It reproduces the worst case for retries: the server received the request and acted on it (sent
the SMS), but the reply is lost, so the client sees a read timeout. The proxy reads one HTTP/1.1
request (headers and a Content-Length body) from the client socket, forwards it to the upstream
with http.client, reads the upstream's whole reply (so the server has finished), counts it, and
then holds the client connection open without writing a byte until the client gives up.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host"}


class StallProxy:
    """Counts the requests it forwarded; `base_url` is where the client should send them."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._server = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.forwarded: list[str] = []  # "METHOD path-without-key", in order
        self.base_url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            request = _read_request(connection)
            if request is None:
                return
            method, target, headers, body = request
            upstream = http.client.HTTPConnection(*self._upstream, timeout=30)
            try:
                upstream.request(method, target, body=body, headers=headers)
                upstream.getresponse().read()  # the server has acted on it
            finally:
                upstream.close()
            with self._lock:
                self.forwarded.append(f"{method} {target.split('?')[0].rsplit('/', 1)[-1]}")
            # Stall: keep the connection open, write nothing, until the client hangs up or we stop.
            connection.settimeout(0.2)
            while not self._stop.is_set():
                try:
                    if connection.recv(1024) == b"":
                        return
                except TimeoutError:
                    continue
                except OSError:
                    return

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._acceptor.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)


def _read_request(connection: socket.socket) -> tuple[str, str, dict[str, str], bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        body += chunk
    forwarded = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}
    return method, target, forwarded, body


@contextmanager
def stall_proxy(upstream: str) -> Iterator[StallProxy]:
    proxy = StallProxy(upstream)
    try:
        yield proxy
    finally:
        proxy.close()
