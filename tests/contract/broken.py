"""Deliberately broken variants of the emulator, built from the test side.

Nothing here edits emulator code: each variant wraps the emulator's ASGI app in a middleware that
rewrites some replies, which is how a regression in a handler would look from the wire.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

Reply = tuple[int, list[tuple[bytes, bytes]], bytes]
Rewrite = Callable[[dict[str, Any], int, list[tuple[bytes, bytes]], bytes], Reply]


class RewriteReplies:
    """ASGI middleware: buffer each HTTP reply and pass it through `rewrite(scope, status, headers, body)`."""

    def __init__(self, app: Any, rewrite: Rewrite) -> None:
        self.app = app
        self.rewrite = rewrite

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    status, headers, body = self.rewrite(
                        scope, start["status"], list(start.get("headers", [])), b"".join(chunks)
                    )
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(body)).encode()))
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": body})
            else:
                await send(message)

        await self.app(scope, receive, capture)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _json_reply(status: int, headers: list[tuple[bytes, bytes]], value: Any) -> Reply:
    return status, headers, json.dumps(value).encode()


def wrong_type_balance(app: Any) -> RewriteReplies:
    """Bug 1: the balance reply's `Details` becomes a number instead of a decimal string."""

    def rewrite(scope: dict[str, Any], status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
        reply = _json(body)
        if scope["path"].endswith("/BAL/SMS") and isinstance(reply, dict) and reply.get("Status") == "Success":
            return _json_reply(status, headers, {**reply, "Details": int(reply["Details"])})
        return status, headers, body

    return RewriteReplies(app, rewrite)


LONG_TEMPLATE = re.compile(r"/SMS/[^/]+/AUTOGEN/([^/]{33,})$")


def server_error_on_long_template(app: Any) -> RewriteReplies:
    """Bug 2: a template name longer than 32 characters crashes AUTOGEN/{template} with a 500."""

    def rewrite(scope: dict[str, Any], status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
        if LONG_TEMPLATE.search(scope.get("raw_path", b"").decode("latin-1") or scope["path"]):
            return 500, [(b"content-type", b"text/plain")], b"Internal Server Error"
        return status, headers, body

    return RewriteReplies(app, rewrite)


def expired_otp_matches(app: Any) -> RewriteReplies:
    """Bug 3: VERIFY of an expired OTP answers "OTP Matched"."""

    def rewrite(scope: dict[str, Any], status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
        reply = _json(body)
        if "/SMS/VERIFY" in scope["path"] and isinstance(reply, dict) and reply.get("Details") == "OTP Expired":
            return _json_reply(200, headers, {"Status": "Success", "Details": "OTP Matched"})
        return status, headers, body

    return RewriteReplies(app, rewrite)


def crash_on_real_match(app: Any) -> RewriteReplies:
    """Bug 4: VERIFY crashes when the session exists and the OTP is right, which only a real session id reaches."""

    def rewrite(scope: dict[str, Any], status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
        reply = _json(body)
        if "/SMS/VERIFY/" in scope["path"] and isinstance(reply, dict) and reply.get("Details") == "OTP Matched":
            return 500, [(b"content-type", b"text/plain")], b"Internal Server Error"
        return status, headers, body

    return RewriteReplies(app, rewrite)


class Proxy:
    """ASGI app that forwards every request to a live server, so a variant can wrap a real-socket emulator.

    `on_reply(path, status, body)` runs after each reply, e.g. to advance the emulator's clock.
    """

    def __init__(self, base_url: str, on_reply: Callable[[str, int, bytes], None] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.on_reply = on_reply

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        import httpx

        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        target = self.base_url + (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in (b"host", b"content-length")]
        async with httpx.AsyncClient(timeout=10) as client:
            reply = await client.request(scope["method"], target, headers=headers, content=body)
        if self.on_reply is not None:
            self.on_reply(scope["path"], reply.status_code, reply.content)
        out = [(k.encode(), v.encode()) for k, v in reply.headers.items() if k.lower() not in ("content-length",)]
        out = [(k, v) for k, v in out if k.lower() not in (b"transfer-encoding", b"content-encoding")]
        out.append((b"content-length", str(len(reply.content)).encode()))
        await send({"type": "http.response.start", "status": reply.status_code, "headers": out})
        await send({"type": "http.response.body", "body": reply.content})
