"""The delivery-report worker against hostile receivers on real sockets: a receiver that trickles its
answer or never answers is cut off by the attempt's total deadline while later reports still go out,
and turning the URL off and on while an attempt is in flight leaves the worker running."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from twofactor_emulator.testing import EmulatorHandle

from ..conftest import eventually

pytestmark = pytest.mark.slow
PHONE = "+919876543210"
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
Serve = Callable[[socket.socket, int], None]


def read_request(conn: socket.socket) -> bytes:
    """One HTTP request: headers, then Content-Length bytes of body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    while len(body) < length:
        body += conn.recv(65536)
    return head


class RawReceiver:
    """A TCP server on 127.0.0.1; connection n (from 1) is handled by `serve(conn, n)` in a thread."""

    def __init__(self, serve: Serve) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/dlr"
        self.closed = threading.Event()
        self.connections = 0
        self._serve = serve
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn, self.connections), daemon=True).start()

    def _handle(self, conn: socket.socket, n: int) -> None:
        with conn, contextlib.suppress(OSError):  # OSError: the emulator gave up on this connection
            self._serve(conn, n)

    def close(self) -> None:
        self.closed.set()
        self.server.close()


@pytest.fixture
def raw_receiver() -> Iterator[Callable[[Serve], RawReceiver]]:
    made: list[RawReceiver] = []

    def make(serve: Serve) -> RawReceiver:
        made.append(RawReceiver(serve))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def bulk(emulator: EmulatorHandle, text: str) -> str:
    message = {"smsFrom": "TFACTR", "smsTo": PHONE, "smsText": text}
    body = {"module": "TRANS_SMS", "apikey": emulator.api_key, "messages": [message]}
    reply = emulator.client.post("/API/R1/Bulk/", json=body)
    assert reply.status_code == 200, reply.text
    message_id: str = reply.json()["messages"][0]["messageId"]
    return message_id


def log(emulator: EmulatorHandle) -> list[dict[str, Any]]:
    attempts: list[dict[str, Any]] = emulator.client.get("/_emulator/webhooks/log").json()["attempts"]
    return attempts


def webhooks(emulator: EmulatorHandle, **settings: Any) -> None:
    reply = emulator.client.put("/_emulator/webhooks", json=settings)
    assert reply.status_code == 200, reply.text


def test_a_trickling_receiver_is_cut_by_the_deadline_and_holds_up_no_other_report(
    emulator: EmulatorHandle, raw_receiver: Callable[[Serve], RawReceiver]
) -> None:
    first_in_flight = threading.Event()

    def serve(conn: socket.socket, n: int) -> None:
        read_request(conn)
        if n > 1:
            conn.sendall(OK)
            return
        first_in_flight.set()
        for byte in OK:  # one byte every 3 s: each read succeeds, only a total deadline ends it
            if emulator_closed.wait(3):
                return
            conn.sendall(bytes([byte]))

    emulator_closed = threading.Event()
    receiver = raw_receiver(serve)
    try:
        webhooks(emulator, url=receiver.url, maxAttempts=1, timeoutSeconds=4)
        slow = bulk(emulator, "first")
        assert first_in_flight.wait(15)
        fast = bulk(emulator, "second")
        entries = eventually(lambda: [e for e in log(emulator) if e["messageId"] == slow], "the cut attempt")
    finally:
        emulator_closed.set()
    assert [(e["error"], e["outcome"]) for e in entries] == [("DeadlineExceeded", "gave up")]
    # The second report went out while the first was still trickling: it is logged first.
    assert [(e["messageId"], e["outcome"]) for e in log(emulator)] == [
        (fast, "acknowledged"),
        (slow, "gave up"),
    ]


def test_a_receiver_that_never_answers_costs_one_deadline(
    emulator: EmulatorHandle, raw_receiver: Callable[[Serve], RawReceiver]
) -> None:
    hung = threading.Event()

    def serve(conn: socket.socket, n: int) -> None:
        read_request(conn)
        hung.wait(30)  # never answers

    receiver = raw_receiver(serve)
    try:
        webhooks(emulator, url=receiver.url, maxAttempts=2, backoffSeconds=0, timeoutSeconds=1)
        message_id = bulk(emulator, "never answered")
        entries = eventually(lambda: len(log(emulator)) == 2 and log(emulator), "both attempts")
    finally:
        hung.set()
    assert [(e["messageId"], e["error"], e["outcome"]) for e in entries] == [
        (message_id, "DeadlineExceeded", "will retry"),
        (message_id, "DeadlineExceeded", "gave up"),
    ]


def test_turning_the_url_off_and_on_during_an_attempt_keeps_the_worker_alive(
    emulator: EmulatorHandle, raw_receiver: Callable[[Serve], RawReceiver]
) -> None:
    in_flight, release = threading.Event(), threading.Event()

    def serve(conn: socket.socket, n: int) -> None:
        read_request(conn)
        if n == 1:
            in_flight.set()
            release.wait(30)
        conn.sendall(OK)

    receiver = raw_receiver(serve)
    webhooks(emulator, url=receiver.url, maxAttempts=3, backoffSeconds=0)
    held = bulk(emulator, "held")
    assert in_flight.wait(15)
    webhooks(emulator, url=None)  # drops the waiting report while its attempt is in flight
    time.sleep(0.3)  # off for several of the worker's ticks: it stops looking, the attempt goes on
    webhooks(emulator, url=receiver.url)
    release.set()
    eventually(lambda: any(e["messageId"] == held for e in log(emulator)), "the held attempt's entry")
    later = bulk(emulator, "after the toggle")
    entries = eventually(lambda: [e for e in log(emulator) if e["messageId"] == later], "the later report")
    assert [e["outcome"] for e in entries] == ["acknowledged"]
    settings = httpx.get(f"{emulator.base_url}/_emulator/webhooks").json()
    assert settings["pending"] == 0  # the dropped report did not come back
