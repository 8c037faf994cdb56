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


# A bug, as a rule: given the request path, the HTTP status and the JSON reply (None when the body is
# not JSON), the reply to send instead, `(status, JSON value)` or `(status, plain-text bytes)`, or None
# to leave the reply as it is.
Replacement = tuple[int, Any]
Rule = Callable[[str, int, Any], Replacement | None]
SERVER_ERROR: Replacement = (500, b"Internal Server Error")


def planted(rule: Rule) -> Callable[[Any], RewriteReplies]:
    """A variant of the emulator: its ASGI app with every reply passed through `rule`."""

    def variant(app: Any) -> RewriteReplies:
        def rewrite(scope: dict[str, Any], status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
            path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
            replacement = rule(path, status, _json(body))
            if replacement is None:
                return status, headers, body
            new_status, value = replacement
            if isinstance(value, bytes):
                return new_status, [(b"content-type", b"text/plain; charset=utf-8")], value
            return new_status, headers, json.dumps(value).encode()

        return RewriteReplies(app, rewrite)

    variant.__doc__ = rule.__doc__
    variant.__name__ = rule.__name__
    return variant


def _says(reply: Any, key: str, value: str) -> bool:
    return isinstance(reply, dict) and reply.get(key) == value


@planted
def wrong_type_balance(path: str, status: int, reply: Any) -> Replacement | None:
    """Bug 1: the balance reply's `Details` becomes a number instead of a decimal string."""
    if path.endswith("/BAL/SMS") and _says(reply, "Status", "Success"):
        return status, {**reply, "Details": int(reply["Details"])}
    return None


LONG_TEMPLATE = re.compile(r"/SMS/[^/]+/AUTOGEN/([^/]{33,})$")


@planted
def server_error_on_long_template(path: str, status: int, reply: Any) -> Replacement | None:
    """Bug 2: a template name longer than 32 characters crashes AUTOGEN/{template} with a 500."""
    return SERVER_ERROR if LONG_TEMPLATE.search(path) else None


@planted
def expired_otp_matches(path: str, status: int, reply: Any) -> Replacement | None:
    """Bug 3: VERIFY of an expired OTP answers "OTP Matched"."""
    if "/SMS/VERIFY" in path and _says(reply, "Details", "OTP Expired"):
        return 200, {"Status": "Success", "Details": "OTP Matched"}
    return None


@planted
def crash_on_real_match(path: str, status: int, reply: Any) -> Replacement | None:
    """Bug 4: VERIFY crashes when the session exists and the OTP is right, which only a real session id reaches."""
    return SERVER_ERROR if "/SMS/VERIFY/" in path and _says(reply, "Details", "OTP Matched") else None


@planted
def unknown_key_accepted(path: str, status: int, reply: Any) -> Replacement | None:
    """Bug 5: the balance route ignores the key: an unknown key gets the account's balance."""
    if path.endswith("/BAL/SMS") and _says(reply, "Details", "Invalid API Key"):
        return 200, {"Status": "Success", "Details": "250"}
    return None


@planted
def sandbox_accepts_anything(path: str, status: int, reply: Any) -> Replacement | None:
    """Bug 6: the sandbox send answers success to every request, malformed ones included (HTTP 200 either way)."""
    if path.endswith("/AUTOGEND") and _says(reply, "Status", "Error"):
        return 200, {"Status": "Success", "Details": "sandbox-session-1"}
    return None


@planted
def enc_reply_not_sealed(path: str, status: int, reply: Any) -> Replacement | None:
    """Bug 7: the encrypted route answers its successes in plain JSON instead of sealing them."""
    if path.split("?")[0] == "/API/R1" and status == 200:
        return 200, b'{"Status":"Success","Details":"not-sealed"}'
    return None


@planted
def right_otp_mismatches(path: str, status: int, reply: Any) -> Replacement | None:
    """Bug 8: VERIFY answers "OTP Mismatch" to the right OTP of a real session."""
    if "/SMS/VERIFY/" in path and _says(reply, "Details", "OTP Matched"):
        return 400, {"Status": "Error", "Details": "OTP Mismatch"}
    return None


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


# ------------------------------------------------------------- the Tata and datatechlabs documents
@planted
def tata_request_id_as_number(path: str, status: int, reply: Any) -> Replacement | None:
    """A send's success reply with `requestID` as a number (the document: a 34-character string)."""
    if path == "/2fa/send" and status == 200 and isinstance(reply, dict):
        return 200, {**reply, "requestID": 12345}
    return None


@planted
def tata_ignores_basic_auth(path: str, status: int, reply: Any) -> Replacement | None:
    """Missing or wrong credentials get the account's limits instead of 401."""
    if path == "/2fa/limits" and status == 401:
        return 200, {"code": 200, "message": "OK", "limits": []}
    return None


@planted
def tata_locked_otp_reported_as_success(path: str, status: int, reply: Any) -> Replacement | None:
    """A verify or cancel of an OTP in a final state answers success (the document: 409 with 463-465)."""
    if path in ("/2fa/verify", "/2fa/cancel") and status == 409:
        return 200, {"code": 200, "message": "OK"}  # also no `requestID`, which OtpStateReply requires
    return None


@planted
def datatechlabs_accepts_anything(path: str, status: int, reply: Any) -> Replacement | None:
    """Every refused send (a missing field, a bad `coding`) is answered as accepted."""
    if path == "/sms/send" and status == 400:
        return 200, {
            "status": "Success",
            "messageId": "030d10b8-a149-4b7e-8ed8-8e8cdb3a11e9",
            "segments": 1,
            "encoding": "GSM-7",
        }
    return None


@planted
def datatechlabs_error_without_status(path: str, status: int, reply: Any) -> Replacement | None:
    """An error reply without the document's `status: Error`."""
    if path == "/sms/send" and 400 <= status < 500 and isinstance(reply, dict):
        return status, {"error": reply.get("message")}
    return None
