"""`GET /_emulator/otp?phone=`: the newest OTP sent to a phone, with its message."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.family import Runtime
from .messages import message_json
from .params import ControlError, required_phone


async def latest_otp(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/otp?phone=: the newest OTP sent to a phone."""
    phone = required_phone(request)
    row = runtime.service.store.latest_otp_message(phone)
    if row is None:
        raise ControlError(f"no OTP sent to {phone}", status=404)
    message = message_json(runtime.service, row)
    return JSONResponse(
        {
            "phone": phone,
            "otp": row["otp"],
            "sessionId": row["session_id"],
            "timestamp": message["timestamp"],
            "message": message,
        }
    )
