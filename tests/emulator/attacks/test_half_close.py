"""A client that closes its sending side after a request (`shutdown(SHUT_WR)`) still gets the
reply, and what the reply says is what was stored. (20 of 20 OTP sends were stored but got no reply:
uvicorn let the connection close on the client's EOF while the write was still committing.)"""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx

PHONE = "+919999999999"


def _half_closed_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(10)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_writes_and_reads_are_answered_after_a_half_close(serve: Any) -> None:
    with serve() as emulator:
        port = int(emulator.base_url.rsplit(":", 1)[1])
        sessions = []
        for n in range(20):
            otp = f"{100000 + n}"
            request = f"GET /API/V1/{emulator.api_key}/SMS/{PHONE}/{otp} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            reply = _half_closed_request(port, request.encode())
            assert reply.startswith(b"HTTP/1.1 200 "), reply
            body = json.loads(reply.split(b"\r\n\r\n", 1)[1])
            assert body["Status"] == "Success"
            sessions.append(body["Details"])
        form = f"module=TRANS_SMS&apikey={emulator.api_key}&to=9999999999&from=TFACTR&msg=hello".encode()
        head = b"POST /API/R1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        reply = _half_closed_request(port, head + b"Content-Length: %d\r\n\r\n" % len(form) + form)
        assert reply.startswith(b"HTTP/1.1 200 "), reply
        read = _half_closed_request(port, b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert read.startswith(b"HTTP/1.1 200 ")
        with httpx.Client(base_url=emulator.base_url) as http:
            stored = http.get("/_emulator/messages", params={"limit": 100}).json()["messages"]
    assert len(stored) == 21
    assert {m["sessionId"] for m in stored if m.get("sessionId")} == set(sessions)


def test_half_a_request_then_a_half_close_is_closed_without_a_reply(serve: Any) -> None:
    with serve() as emulator:
        port = int(emulator.base_url.rsplit(":", 1)[1])
        head = b"POST /API/R1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nmodule=TRANS"
        assert _half_closed_request(port, head) == b""
        with httpx.Client(base_url=emulator.base_url) as http:
            assert http.get("/_emulator/messages").json()["messages"] == []


def test_pipelined_requests_then_a_half_close_are_all_answered_in_order(serve: Any) -> None:
    with serve() as emulator:
        port = int(emulator.base_url.rsplit(":", 1)[1])
        otps = [f"{200000 + n}" for n in range(3)]
        sends = [
            f"GET /API/V1/{emulator.api_key}/SMS/{PHONE}/{otp} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" for otp in otps
        ]
        health = "GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        reply = _half_closed_request(port, "".join([*sends, health]).encode())
        heads = [part.split(b"\r\n", 1)[0] for part in reply.split(b"HTTP/1.1 ")[1:]]
        assert heads == [b"200 OK"] * 4, reply
        details = [json.loads(body.split(b"HTTP/1.1 ", 1)[0])["Details"] for body in reply.split(b"\r\n\r\n")[1:4]]
        with httpx.Client(base_url=emulator.base_url) as http:
            stored = http.get("/_emulator/messages", params={"limit": 100}).json()["messages"]
    assert [m["sessionId"] for m in reversed(stored)] == details  # stored and answered in the order sent
