"""2Factor's reply shapes: the status body `{"Status", "Details"}`, the bulk error body, form errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core import http, ids
from . import errors

if TYPE_CHECKING:
    from pydantic import ValidationError  # imported with the models, on the first request that needs them

# Body limits per route, in bytes (documented in docs/emulator.md). The bulk limit fits 1000
# messages of 1000 four-byte characters; the encrypted one the document's 65536-character body.
V1_BODY_LIMIT = 64 * 1024
FORM_BODY_LIMIT = 64 * 1024
ENC_BODY_LIMIT = 96 * 1024
BULK_BODY_LIMIT = 5 * 1024 * 1024


# Text that needs no escaping inside a JSON string: the ids, OTPs and texts of the hot path.
_PLAIN = re.compile(r"[A-Za-z0-9 _.,:/()+-]*", re.ASCII)


def status_body(status: str, details: str, http_status: int = 200, **extra: str) -> Response:
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
    return status_body("Success", details, 200, **extra)


def error_reply(exc: errors.Refused) -> Response:
    """`{"Status": "Error", "Details": ...}` with the error's status."""
    return status_body("Error", exc.details, exc.status)


def iso_utc_now() -> str:
    """Wall-clock time in ISO 8601 UTC with milliseconds, as the bulk replies write it."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def bulk_error_reply(exc: errors.BulkRefused) -> JSONResponse:
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


def parse_form(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body; a repeated field is refused by name."""
    try:
        return http.parse_form(body)
    except http.DuplicateParameterError as exc:
        raise errors.Refused(str(exc)) from None
    except http.FormError:  # not UTF-8, or too many fields
        raise errors.Refused(errors.invalid_field("body")) from None


def first_field_error(exc: ValidationError) -> tuple[str, str]:
    """(field, 2Factor-style text) for the first problem pydantic found."""
    problem = exc.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in problem["loc"]) or "body"
    name = str(problem["loc"][-1]) if problem["loc"] else "body"
    if problem["type"] == "missing":
        return field, errors.missing_field(name)
    return field, errors.invalid_field(name)


def shape_error(request: Request, details: str, status: int) -> Response:
    """An error the framework or a fault answers under 2Factor's paths, in the route's own shape."""
    if request.url.path.startswith("/API/R1/Bulk"):
        bulk = errors.BulkRefused([{"error": details}], error=details, error_type="RequestError", status=status)
        return bulk_error_reply(bulk)
    return status_body("Error", details, status)


async def on_two_factor_error(request: Request, exc: Exception) -> Response:
    """Starlette exception handler of `Refused`."""
    assert isinstance(exc, errors.Refused)
    return error_reply(exc)


async def on_bulk_error(request: Request, exc: Exception) -> Response:
    """Starlette exception handler of `BulkRefused`."""
    assert isinstance(exc, errors.BulkRefused)
    return bulk_error_reply(exc)
