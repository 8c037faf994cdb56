"""A large body neither freezes the server nor gets read past its route's limit. (A 5 MiB bulk body,
no valid key needed, blocked every other request for about 1.2 s; six of them made a health check
take 5.6 s.) The probe's bound is generous on purpose: the precise latencies are measured by
`bench/stall.py` (bench/README.md), not asserted here."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx

LIMIT = 5 * 1024 * 1024  # the bulk route's
PROBE_BOUND_SECONDS = 1.0


def many_values(size: int = LIMIT - 1024) -> bytes:
    """A bulk body just under the limit made of as many JSON values as fit: the costliest to parse."""
    head, tail = b'{"apikey":"nobody","messages":[', b"]}"
    count = (size - len(head) - len(tail)) // 2
    return head + b",".join([b"1"] * count) + tail


def _reply_and_close(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection; a reset (the server closed with
    body bytes still unread, which is the point) ends it too. A timeout fails the test."""
    sock.settimeout(10)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def test_a_declared_oversized_body_is_refused_unread_and_the_connection_closed(serve: Any) -> None:
    with serve() as emulator, socket.create_connection(("127.0.0.1", int(emulator.base_url.rsplit(":", 1)[1]))) as sock:
        head = "POST /API/R1/Bulk/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        sock.sendall(f"{head}Content-Length: {LIMIT + 1}\r\n\r\n".encode())  # and not one byte of the body
        reply = _reply_and_close(sock)
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b"connection: close" in reply.lower()
    assert b"Request Body Too Large" in reply


def test_a_streamed_body_is_refused_once_past_the_limit(serve: Any) -> None:
    with serve() as emulator, socket.create_connection(("127.0.0.1", int(emulator.base_url.rsplit(":", 1)[1]))) as sock:
        sock.sendall(b"POST /API/R1/Bulk/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b" " * 65536
        for _ in range(LIMIT // len(chunk) + 2):  # past the limit, then the client stops: no last chunk
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        try:
            reply = _reply_and_close(sock)
        except TimeoutError:
            raise AssertionError("the server kept the connection open to read the rest of the body") from None
    assert reply == b"" or (reply.startswith(b"HTTP/1.1 400 ") and b"connection: close" in reply.lower())


def test_large_bodies_do_not_stall_other_requests(serve: Any) -> None:
    body = many_values()
    with serve() as emulator:
        refused: list[int] = []

        def attack() -> None:
            with httpx.Client(base_url=emulator.base_url, timeout=120) as http:
                reply = http.post("/API/R1/Bulk/", content=body, headers={"Content-Type": "application/json"})
                refused.append(reply.status_code)

        with httpx.Client(base_url=emulator.base_url, timeout=30) as probe:
            probe.get("/_emulator/health")  # connected before the attack starts
            attackers = [threading.Thread(target=attack) for _ in range(6)]
            for thread in attackers:
                thread.start()
            latencies: list[float] = []
            while any(thread.is_alive() for thread in attackers):
                started = time.perf_counter()
                assert probe.get("/_emulator/health").status_code == 200
                latencies.append(time.perf_counter() - started)
                time.sleep(0.01)
            for thread in attackers:
                thread.join()
    assert refused == [400] * 6  # too many JSON values (and no valid key anyway)
    assert latencies and max(latencies) < PROBE_BOUND_SECONDS, f"slowest probe {max(latencies):.3f} s"
