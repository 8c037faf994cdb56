"""Every error of Tata Smart 2FA's routes: `{"code": <sub error code>, "message": ...}` with its HTTP
status, as openapi/tata-smart2fa.yaml's `x-error-codes` lists them (453 and 495 are documented by
Tata; the others are the document's interpretations)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.basic_auth import www_authenticate

REALM = "Smart 2FA"


class TataError(Exception):
    """An error reply: sub error `code`, `message`, HTTP `status`."""

    def __init__(self, code: int, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def invalid_body() -> TataError:
    return TataError(400, "Invalid request body", 400)


def missing(name: str) -> TataError:
    return TataError(400, f"Missing parameter: {name}", 400)


def invalid(name: str) -> TataError:
    return TataError(400, f"Invalid parameter: {name[:64]}", 400)


def unknown(name: str) -> TataError:
    return TataError(400, f"Unknown parameter: {name[:64]}", 400)


def unauthorized() -> TataError:
    return TataError(401, "Authentication failed", 401)


def too_many_otps() -> TataError:
    return TataError(453, "Too many OTP request to same destination Number", 404)  # documented


def invalid_limit_name(name: str) -> TataError:
    return TataError(495, f"Invalid Limit Name: {name}", 409)  # documented


def limit_exceeded(name: str) -> TataError:
    return TataError(496, f"Limit exceeded: {name}", 429)


def limit_exists(name: str) -> TataError:
    return TataError(497, f"Limit already exists: {name}", 409)


def limit_not_found(limit_sid: str) -> TataError:
    return TataError(498, f"Limit not found: {limit_sid[:64]}", 404)


WRONG_CODE = (460, "Invalid code", 400)
NOT_FOUND = (461, "OTP not found", 404)
EXPIRED = (462, "OTP expired", 410)
ALREADY_VERIFIED = (463, "OTP already verified", 409)
CANCELED = (464, "OTP canceled", 409)
LOCKED = (465, "Too many verification attempts", 409)


def reply(code: int, message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    """The JSON error body."""
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


async def on_tata_error(request: Request, exc: Exception) -> Response:
    """Starlette exception handler of `TataError` (a 401 asks for Basic credentials)."""
    assert isinstance(exc, TataError)
    headers = www_authenticate(REALM) if exc.status == 401 else None
    return reply(exc.code, exc.message, exc.status, headers)


def shape_error(request: Request, details: str, status: int) -> Response:
    """404/405/429/500/503 under /2fa/ in Tata's shape: the HTTP status is the code."""
    return reply(status, details, status)
