"""The Python load generator: asyncio, one keep-alive HTTP/1.1 connection per coroutine, raw
sockets so the generator stays cheap next to the server (httpx would cost more than the server).

It is the fallback when `wrk` is not installed, and what the smoke mode uses. It measures each
request from writing it to reading the last byte of its reply (no coordinated-omission correction,
like wrk without a rate).
"""

from __future__ import annotations

import asyncio
import time

from bench.stats import LoadResult, percentile
from bench.workloads import Conversation, Request

_HEAD_END = b"\r\n\r\n"


class ProtocolError(Exception):
    """The server's reply was not HTTP/1.1 this generator understands."""


def encode(request: Request, host: str) -> bytes:
    head = f"{request.method} {request.path} HTTP/1.1\r\nHost: {host}\r\n"
    if request.method != "GET" or request.body:
        head += f"Content-Length: {len(request.body)}\r\n"
    if request.content_type:
        head += f"Content-Type: {request.content_type}\r\n"
    return head.encode() + b"\r\n" + request.body


async def read_reply(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body and whether the server keeps the connection open."""
    head = await reader.readuntil(_HEAD_END)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:60]!r}")
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get("connection", "").lower() != "close"
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(chunk[:-2])
        body = b"".join(chunks)
    else:
        body = await reader.read()
        keep_alive = False
    return status, body, keep_alive


async def _connection(
    host: str, port: int, conversation: Conversation, deadline: float, latencies: list[float], counts: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            request = conversation.next_request()
            started = time.perf_counter()
            writer.write(encode(request, f"{host}:{port}"))
            try:
                status, body, keep_alive = await read_reply(reader)
            except (asyncio.IncompleteReadError, ConnectionError, ProtocolError):
                counts[0] += 1
                counts[1] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            latencies.append(time.perf_counter() - started)
            counts[0] += 1
            if not conversation.on_reply(request, status, body):
                counts[1] += 1
            if not keep_alive:
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def _run(host: str, port: int, load: str, api_key: str, connections: int, seconds: float) -> LoadResult:
    latencies: list[float] = []
    counts = [0, 0]  # requests, errors
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_connection(host, port, Conversation(load, api_key), deadline, latencies, counts) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    return LoadResult(
        requests=counts[0],
        errors=counts[1],
        seconds=elapsed,
        p50_ms=None if p50 is None else p50 * 1000,
        p99_ms=None if p99 is None else p99 * 1000,
        tool="python",
    )


def run(host: str, port: int, load: str, api_key: str, connections: int, seconds: float) -> LoadResult:
    """Drive `load` at `connections` concurrent keep-alive connections for about `seconds`."""
    return asyncio.run(_run(host, port, load, api_key, connections, seconds))
