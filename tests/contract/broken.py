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


def unknown_key_accepted(app: Any) -> RewriteReplies:
    """Bug 5: the balance route ignores the key: an unknown key gets the account's balance."""

    def rewrite(scope: dict[str, Any], status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
        reply = _json(body)
        if scope["path"].endswith("/BAL/SMS") and isinstance(reply, dict) and reply.get("Details") == "Invalid API Key":
            return _json_reply(200, headers, {"Status": "Success", "Details": "250"})
        return status, headers, body

    return RewriteReplies(app, rewrite)


def sandbox_accepts_anything(app: Any) -> RewriteReplies:
    """Bug 6: the sandbox send answers success to every request, malformed ones included (HTTP 200 either way)."""

    def rewrite(scope: dict[str, Any], status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
        reply = _json(body)
        if scope["path"].endswith("/AUTOGEND") and isinstance(reply, dict) and reply.get("Status") == "Error":
            return _json_reply(200, headers, {"Status": "Success", "Details": "sandbox-session-1"})
        return status, headers, body

    return RewriteReplies(app, rewrite)


def enc_reply_not_sealed(app: Any) -> RewriteReplies:
    """Bug 7: the encrypted route answers its successes in plain JSON instead of sealing them."""

    def rewrite(scope: dict[str, Any], status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
        if scope["path"] == "/API/R1" and status == 200:
            plain = b'{"Status":"Success","Details":"not-sealed"}'
            return 200, [(b"content-type", b"text/plain; charset=utf-8")], plain
        return status, headers, body

    return RewriteReplies(app, rewrite)


def right_otp_mismatches(app: Any) -> RewriteReplies:
    """Bug 8: VERIFY answers "OTP Mismatch" to the right OTP of a real session."""

    def rewrite(scope: dict[str, Any], status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
        reply = _json(body)
        if "/SMS/VERIFY/" in scope["path"] and isinstance(reply, dict) and reply.get("Details") == "OTP Matched":
            return _json_reply(400, headers, {"Status": "Error", "Details": "OTP Mismatch"})
        return status, headers, body

    return RewriteReplies(app, rewrite)


class AdvanceClockAfterSends:
    """ASGI wrapper (no bug): after every successful send, move the emulator's clock `seconds` forward.

    It asks the wrapped app itself, through the control API (`POST /_emulator/clock/advance`), so it
    works in-process and against any implementation of openapi/emulator-admin.yaml. Used to put
    every OTP past its lifetime before the verify that follows it.
    """

    def __init__(self, app: Any, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or "/VERIFY" in scope["path"] or scope["path"].startswith("/_emulator"):
            await self.app(scope, receive, send)
            return
        status: list[int] = []
        chunks: list[bytes] = []

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, watch)
        reply = _json(b"".join(chunks))
        if status == [200] and isinstance(reply, dict) and reply.get("Status") == "Success":
            await self._advance(scope)

    async def _advance(self, scope: dict[str, Any]) -> None:
        body = json.dumps({"seconds": self.seconds}).encode()
        path = "/_emulator/clock/advance"
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        control = {**scope, "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b""}
        control["headers"] = headers
        answer: dict[str, Any] = {}
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def record(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]

        await self.app(control, receive, record)
        if answer.get("status") != 200:
            raise RuntimeError(f"the control API refused to advance the clock: HTTP {answer.get('status')}")
