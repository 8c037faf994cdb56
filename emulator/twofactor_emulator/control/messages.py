"""The outbox: `GET /_emulator/messages`, `/messages/latest`, `/messages/wait` (long-poll), and
`POST /_emulator/reset`, which clears messages, OTP sessions, short links and the webhook log."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.clock import iso_utc
from ..core.family import Runtime
from ..core.service import Service
from ..providers import FAMILIES
from .params import ControlError, float_query, int_query, json_body, optional_phone, phone, required_phone

MAX_LIMIT = 1000
PROVIDERS = tuple(family.name for family in FAMILIES)  # the outbox's `provider` values
MAX_WAIT_SECONDS = 60.0
DEFAULT_WAIT_SECONDS = 10.0


def message_json(service: Service, row: dict[str, Any]) -> dict[str, Any]:
    """An outbox row as the control API shows it."""
    out: dict[str, Any] = {
        "id": row["id"],
        "seq": row["seq"],
        "to": row["phone"],
        "from": row["sender"],
        "text": row["text"],
        "status": service.message_status(row),
        "timestamp": iso_utc(row["created_at"]),
        "kind": row["kind"],
        "operation": row["operation"],
        "apiKeyEnd": row["account"][-4:],  # which account sent it (the inbox groups by it); never the whole key
        "provider": row["provider"],
    }
    for column, key in (
        ("otp", "otp"),
        ("session_id", "sessionId"),
        ("request_id", "requestId"),
        ("scheduled_at", "scheduledFor"),
        ("callback_value1", "callbackValue1"),
        ("callback_value2", "callbackValue2"),
        ("subject", "subject"),
        ("dlr_url", "dlrUrl"),
        ("dlr_method", "dlrMethod"),
        ("dlr_level", "dlrLevel"),
    ):
        value = row[column]
        if value is not None:
            out[key] = iso_utc(value) if column == "scheduled_at" else value
    return out


async def list_messages(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/messages?phone=&provider=&limit=: newest first."""
    found = optional_phone(request)
    limit = int_query(request, "limit", 100, 1, MAX_LIMIT)
    provider = request.query_params.get("provider")
    if provider is not None and provider not in PROVIDERS:
        raise ControlError(f"provider must be one of {', '.join(PROVIDERS)}")
    rows = runtime.service.store.messages(found, limit=limit, provider=provider)
    return JSONResponse({"messages": [message_json(runtime.service, row) for row in rows]})


async def latest_message(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/messages/latest?phone=: the newest message to a phone."""
    to = required_phone(request)
    rows = runtime.service.store.messages(to, limit=1)
    if not rows:
        raise ControlError(f"no message to {to}", status=404)
    return JSONResponse(message_json(runtime.service, rows[0]))


async def wait_message(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/messages/wait?phone=&timeout=&after=: long-poll for the next message.

    `after` is a message `seq`; by default the newest one now, so only a message that lands
    after the call counts. 204 when none came within `timeout` seconds.
    """
    to = required_phone(request)
    timeout = float_query(request, "timeout", DEFAULT_WAIT_SECONDS, 0.0, MAX_WAIT_SECONDS)
    store = runtime.service.store
    after = int_query(request, "after", store.last_seq(), 0, 2**62)
    deadline = time.monotonic() + timeout
    while True:
        row = store.oldest_after(to, after)
        if row is not None:
            return JSONResponse(message_json(runtime.service, row))
        remaining = deadline - time.monotonic()
        if remaining <= 0 or runtime.service.signal.closed:  # none came, or the server is stopping
            return Response(status_code=204)
        await runtime.service.signal.wait(remaining)


async def reset(runtime: Runtime, request: Request) -> Response:
    """POST /_emulator/reset with `{}` (everything) or `{"phone": "..."}`."""
    body = await json_body(request)
    selected = None
    if "phone" in body:
        # Only a string selects one phone: a null or a number must not silently reset everything.
        if not isinstance(body["phone"], str):
            raise ControlError("phone must be a string; send {} to reset everything")
        selected = phone(body["phone"])
    deleted = await runtime.service.batcher.run(lambda: runtime.service.reset(selected))
    runtime.webhooks.forget(selected)
    for forget in runtime.after_reset:
        forget(selected)
    return JSONResponse({"deleted": deleted, "phone": selected})
