"""HTTP helpers shared by the handlers: replies in 2Factor's shapes, bounded body reading, forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..providers.twofactor import errors
from . import ids

# Body limits per route, in bytes (documented in docs/emulator.md). The bulk limit fits 1000
# messages of 1000 four-byte characters; the encrypted one the document's 65536-character body.
V1_BODY_LIMIT = 64 * 1024
FORM_BODY_LIMIT = 64 * 1024
ENC_BODY_LIMIT = 96 * 1024
BULK_BODY_LIMIT = 5 * 1024 * 1024
CONTROL_BODY_LIMIT = 64 * 1024
MAX_FORM_FIELDS = 64


# Text that needs no escaping inside a JSON string: the ids, OTPs and texts of the hot path.
_PLAIN = re.compile(r"[A-Za-z0-9 _.,:/()+-]*", re.ASCII)


def envelope(status: str, details: str, http_status: int = 200, **extra: str) -> Response:
    """The V1/R1 reply `{"Status": ..., "Details": ..., ...}`, as compact JSON."""
    values = [status, details, *extra.values()]
    if all(_PLAIN.fullmatch(value) for value in values):
        # The reply of nearly every request: built directly, json.dumps is the slow way to the same bytes.
        parts = [f'"Status":"{status}","Details":"{details}"', *(f'"{k}":"{v}"' for k, v in extra.items())]
        body = ("{" + ",".join(parts) + "}").encode()
        return Response(body, status_code=http_status, media_type="application/json")
    return JSONResponse({"Status": status, "Details": details, **extra}, status_code=http_status)


def success(details: str, **extra: str) -> Response:
    """`{"Status": "Success", "Details": details}` with HTTP 200."""
    return envelope("Success", details, 200, **extra)


def error_reply(exc: errors.TwoFactorError) -> Response:
    """`{"Status": "Error", "Details": ...}` with the error's status."""
    return envelope("Error", exc.details, exc.status)


def iso_utc_now() -> str:
    """Wall-clock time in ISO 8601 UTC with milliseconds, as the bulk replies write it."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def bulk_error_reply(exc: errors.BulkError) -> JSONResponse:
    """The docs' bulk error shape."""
    body = {
        "success": False,
        "requestId": ids.request_id(),
        "error": exc.error,
        "errorType": exc.error_type,
        "details": exc.details,
        "timestamp": iso_utc_now(),
    }
    return JSONResponse(body, status_code=exc.status)


async def read_body(request: Request, limit: int, too_large: Callable[[str], Exception]) -> bytes:
    """The request body, refused with `too_large(text)` past `limit` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(errors.body_too_large(limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(errors.body_too_large(limit))
        chunks.append(chunk)
    return b"".join(chunks)


def parse_form(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (the last value of a repeated field wins)."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError: too many fields
        raise errors.TwoFactorError(errors.invalid_field("body")) from exc
    return dict(pairs)


def first_field_error(exc: ValidationError) -> tuple[str, str]:
    """(field, 2Factor-style text) for the first problem pydantic found."""
    problem = exc.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in problem["loc"]) or "body"
    name = str(problem["loc"][-1]) if problem["loc"] else "body"
    if problem["type"] == "missing":
        return field, errors.missing_field(name)
    return field, errors.invalid_field(name)
