"""`GET /_emulator/clock` and `POST /_emulator/clock/advance`: the emulator's clock (expiry, delivery)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.clock import MAX_ADVANCE_SECONDS, ClockRangeError, iso_utc
from ..core.family import Runtime
from .params import ControlError, json_body


def _reply(runtime: Runtime) -> Response:
    service = runtime.service
    return JSONResponse({"now": iso_utc(service.now()), "offsetSeconds": service.clock.offset})


async def get_clock(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/clock."""
    return _reply(runtime)


async def advance_clock(runtime: Runtime, request: Request) -> Response:
    """POST /_emulator/clock/advance with `{"seconds": N}`."""
    body = await json_body(request)
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= MAX_ADVANCE_SECONDS:
        raise ControlError(f"seconds must be a number from 0 to {MAX_ADVANCE_SECONDS}")
    service = runtime.service
    try:
        await service.batcher.run(lambda: service.advance_clock(float(seconds)))
    except ClockRangeError as exc:
        raise ControlError(str(exc)) from None
    return _reply(runtime)
