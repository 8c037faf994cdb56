"""The control API under /_emulator/, described by openapi/emulator-admin.yaml.

It reads the outbox, waits for messages, resets state and moves the clock. It has no
authentication: the emulator binds to 127.0.0.1 by default and holds only test data.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import __version__
from ..core import http as replies
from ..core.clock import MAX_ADVANCE_SECONDS, iso_utc
from ..core.phones import PhoneError, normalise_phone
from ..core.service import Service
from ..core.store import SCHEMA_VERSION
from ..providers.twofactor import errors

_PHONE_QUERY = re.compile(r"[+ ]?[0-9]{10,15}", re.ASCII)  # PhoneQuery of openapi/emulator-admin.yaml
MAX_LIMIT = 1000
MAX_WAIT_SECONDS = 60.0
DEFAULT_WAIT_SECONDS = 10.0


class ControlHandlers:
    """Handlers of the control API, bound to one `Service`."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def message_json(self, row: dict[str, Any]) -> dict[str, Any]:
        """An outbox row as the control API shows it."""
        out: dict[str, Any] = {
            "id": row["id"],
            "seq": row["seq"],
            "to": row["phone"],
            "from": row["sender"],
            "text": row["text"],
            "status": self.service.message_status(row),
            "timestamp": iso_utc(row["created_at"]),
            "kind": row["kind"],
            "operation": row["operation"],
            "apiKeyEnd": row["account"][-4:],  # which account sent it (the inbox groups by it); never the whole key
        }
        for column, key in (
            ("otp", "otp"),
            ("session_id", "sessionId"),
            ("request_id", "requestId"),
            ("scheduled_at", "scheduledFor"),
            ("callback_value1", "callbackValue1"),
            ("callback_value2", "callbackValue2"),
        ):
            value = row[column]
            if value is not None:
                out[key] = iso_utc(value) if column == "scheduled_at" else value
        return out

    async def health(self, request: Request) -> Response:
        """GET /_emulator/health."""
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "schemaVersion": SCHEMA_VERSION,
                "journalMode": self.service.store.journal_mode,
                "now": iso_utc(self.service.now()),
                "messages": self.service.store.count_messages(),
            }
        )

    async def list_messages(self, request: Request) -> Response:
        """GET /_emulator/messages?phone=&limit=: newest first."""
        phone = _optional_phone(request)
        limit = _int_query(request, "limit", 100, 1, MAX_LIMIT)
        rows = self.service.store.messages(phone, limit=limit)
        return JSONResponse({"messages": [self.message_json(row) for row in rows]})

    async def latest_message(self, request: Request) -> Response:
        """GET /_emulator/messages/latest?phone=: the newest message to a phone."""
        phone = _required_phone(request)
        rows = self.service.store.messages(phone, limit=1)
        if not rows:
            raise errors.ControlError(f"no message to {phone}", status=404)
        return JSONResponse(self.message_json(rows[0]))

    async def latest_otp(self, request: Request) -> Response:
        """GET /_emulator/otp?phone=: the newest OTP sent to a phone."""
        phone = _required_phone(request)
        row = self.service.store.latest_otp_message(phone)
        if row is None:
            raise errors.ControlError(f"no OTP sent to {phone}", status=404)
        message = self.message_json(row)
        return JSONResponse(
            {
                "phone": phone,
                "otp": row["otp"],
                "sessionId": row["session_id"],
                "timestamp": message["timestamp"],
                "message": message,
            }
        )

    async def wait_message(self, request: Request) -> Response:
        """GET /_emulator/messages/wait?phone=&timeout=&after=: long-poll for the next message.

        `after` is a message `seq`; by default the newest one now, so only a message that lands
        after the call counts. 204 when none came within `timeout` seconds.
        """
        phone = _required_phone(request)
        timeout = _float_query(request, "timeout", DEFAULT_WAIT_SECONDS, 0.0, MAX_WAIT_SECONDS)
        store = self.service.store
        after = _int_query(request, "after", store.last_seq(), 0, 2**62)
        deadline = time.monotonic() + timeout
        while True:
            row = store.oldest_after(phone, after)
            if row is not None:
                return JSONResponse(self.message_json(row))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return Response(status_code=204)
            await self.service.signal.wait(remaining)

    async def reset(self, request: Request) -> Response:
        """POST /_emulator/reset with `{}` (everything) or `{"phone": "..."}`."""
        body = await _json_body(request)
        phone = None
        if "phone" in body:
            # Only a string selects one phone: a null or a number must not silently reset everything.
            if not isinstance(body["phone"], str):
                raise errors.ControlError("phone must be a string; send {} to reset everything")
            phone = _phone(body["phone"])
        deleted = self.service.reset(phone)
        return JSONResponse({"deleted": deleted, "phone": phone})

    async def clock(self, request: Request) -> Response:
        """GET /_emulator/clock."""
        return self._clock_reply()

    async def advance_clock(self, request: Request) -> Response:
        """POST /_emulator/clock/advance with `{"seconds": N}`."""
        body = await _json_body(request)
        seconds = body.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= MAX_ADVANCE_SECONDS:
            raise errors.ControlError(f"seconds must be a number from 0 to {MAX_ADVANCE_SECONDS}")
        self.service.advance_clock(float(seconds))
        return self._clock_reply()

    def _clock_reply(self) -> Response:
        return JSONResponse({"now": iso_utc(self.service.now()), "offsetSeconds": self.service.clock.offset})


async def _json_body(request: Request, *, required: bool = False) -> dict[str, Any]:
    """The JSON object body; an empty body is `{}`, or a 400 where the admin document requires a body."""
    raw = await replies.read_body(request, replies.CONTROL_BODY_LIMIT, errors.ControlError)
    if not raw.strip():
        if required:
            raise errors.ControlError("the body must be a JSON object")
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise errors.ControlError("the body must be a JSON object") from None
    if not isinstance(value, dict):
        raise errors.ControlError("the body must be a JSON object")
    return value


def _phone(raw: str) -> str:
    try:
        return normalise_phone(raw)
    except PhoneError:
        # The document's PhoneQuery shape, but no number a send accepts (e.g. +91 and 11 digits): valid
        # to ask about, and nothing is stored under it.
        if _PHONE_QUERY.fullmatch(raw):
            return "+" + raw.lstrip("+ ")
        raise errors.ControlError("phone must be 10 to 15 ASCII digits with an optional leading +") from None


def _optional_phone(request: Request) -> str | None:
    raw = request.query_params.get("phone")
    return None if raw is None else _phone(raw.replace(" ", "+"))


def _required_phone(request: Request) -> str:
    phone = _optional_phone(request)
    if phone is None:
        raise errors.ControlError("the phone query parameter is required")
    return phone


def _int_query(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise errors.ControlError(f"{name} must be an integer from {low} to {high}")
    return int(raw)


def _float_query(request: Request, name: str, default: float, low: float, high: float) -> float:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise errors.ControlError(f"{name} must be a number from {low} to {high}") from None
    if not low <= value <= high:  # also refuses nan
        raise errors.ControlError(f"{name} must be a number from {low} to {high}")
    return value
