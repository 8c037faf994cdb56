"""Every error of datatechlabs' route: `{"status": "Error", "message": ...}` with an HTTP status, the
texts of openapi/datatechlabs-sms.yaml's `x-error-messages` (Jasmin's HTTP API where it has one)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.basic_auth import www_authenticate

REALM = "datatechlabs"
INVALID_BODY = "Invalid request body"
NOT_GSM7 = "Content cannot be encoded in GSM-7: use coding UTF-8"
AUTHENTICATION_FAILED = "Authentication failed"
INSUFFICIENT_BALANCE = "Insufficient balance"


class DatatechlabsError(Exception):
    """An error reply with its HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def missing(name: str) -> DatatechlabsError:
    return DatatechlabsError(f"Mandatory argument not found: {name}")


def unknown(name: str) -> DatatechlabsError:
    return DatatechlabsError(f"Argument {name[:64]} is unknown")


def invalid(name: str) -> DatatechlabsError:
    return DatatechlabsError(f"Argument {name} has an invalid value")


def reply(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"status": "Error", "message": message}, status_code=status, headers=headers)


async def on_error(request: Request, exc: Exception) -> Response:
    """Starlette exception handler of `DatatechlabsError` (a 401 asks for Basic credentials)."""
    assert isinstance(exc, DatatechlabsError)
    return reply(exc.message, exc.status, www_authenticate(REALM) if exc.status == 401 else None)


def shape_error(request: Request, details: str, status: int) -> Response:
    """404/405/429/500/503 under /sms/ in datatechlabs' shape."""
    return reply(details, status)
