"""Request parsing shared by every control resource: the JSON body, query parameters, phone numbers,
and `ControlError`, answered as `{"error": message}`."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core import http
from ..core.phones import PhoneError, normalise_phone

BODY_LIMIT = 64 * 1024  # bytes of a control request body
_PHONE_QUERY = re.compile(r"[+ ]?[0-9]{10,15}", re.ASCII)  # PhoneQuery of openapi/emulator-admin.yaml


class ControlError(Exception):
    """An error of the control API: `{"error": message}`."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def error_reply(message: str, status: int) -> Response:
    """The control API's error shape."""
    return JSONResponse({"error": message}, status_code=status)


async def on_control_error(request: Request, exc: Exception) -> Response:
    """Starlette exception handler of `ControlError`."""
    assert isinstance(exc, ControlError)
    return error_reply(exc.message, exc.status)


async def json_body(request: Request, *, required: bool = False) -> dict[str, Any]:
    """The JSON object body; an empty body is `{}`, or a 400 where the admin document requires a body."""
    raw = await http.read_body(request, BODY_LIMIT, ControlError)
    if not raw.strip():
        if required:
            raise ControlError("the body must be a JSON object")
        return {}
    try:
        value = http.parse_json(raw)  # at most BODY_LIMIT bytes: parsed on the loop
    except http.JsonError as exc:
        detail = f" ({exc})" if str(exc) == http.TOO_DEEP else ""
        raise ControlError("the body must be a JSON object" + detail) from None
    if not isinstance(value, dict):
        raise ControlError("the body must be a JSON object")
    return value


def number(body: dict[str, Any], name: str, default: float, high: float) -> float:
    """A finite number from 0 to `high` in a JSON body (`default` when absent)."""
    value = body.get(name, default)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    # The range alone refuses inf and nan; isfinite() first would overflow on an integer past floats.
    if not is_number or not 0 <= value <= high:
        raise ControlError(f"{name} must be a number from 0 to {high:g}")
    return float(value)


def integer(body: dict[str, Any], name: str, default: int | None, low: int, high: int) -> int | None:
    """An integer from `low` to `high` in a JSON body (`default` when absent; null is `default` too
    only when `default` is None, i.e. where the document allows null)."""
    value = body.get(name, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        nullable = " or null" if default is None else ""
        raise ControlError(f"{name} must be an integer from {low} to {high}{nullable}")
    return value


def phone(raw: str) -> str:
    """A phone number as the outbox stores it."""
    try:
        return normalise_phone(raw)
    except PhoneError:
        # The document's PhoneQuery shape, but no number a send accepts (e.g. +91 and 11 digits): valid
        # to ask about, and nothing is stored under it.
        if _PHONE_QUERY.fullmatch(raw):
            return "+" + raw.lstrip("+ ")
        raise ControlError("phone must be 10 to 15 ASCII digits with an optional leading +") from None


def optional_phone(request: Request) -> str | None:
    """The `phone` query parameter, if given (a `+` sent unencoded arrives as a space)."""
    raw = request.query_params.get("phone")
    return None if raw is None else phone(raw.replace(" ", "+"))


def required_phone(request: Request) -> str:
    """The `phone` query parameter."""
    found = optional_phone(request)
    if found is None:
        raise ControlError("the phone query parameter is required")
    return found


def int_query(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter from `low` to `high`."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    # The length first: int() of thousands of digits is slow, and past 4300 digits a ValueError.
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(high)) or not low <= int(raw) <= high:
        raise ControlError(f"{name} must be an integer from {low} to {high}")
    return int(raw)


def float_query(request: Request, name: str, default: float, low: float, high: float) -> float:
    """A number query parameter from `low` to `high`."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ControlError(f"{name} must be a number from {low} to {high}") from None
    if not low <= value <= high:  # also refuses nan
        raise ControlError(f"{name} must be a number from {low} to {high}")
    return value
