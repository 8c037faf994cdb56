"""`GET`/`PUT /_emulator/delivery`: how long messages stay SENT, and the magic numbers (core/delivery.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.delivery import MAGIC_NUMBERS, MAX_DELAY_SECONDS, DeliverySettings
from ..core.family import Runtime
from .params import ControlError, json_body, number


def _reply(runtime: Runtime) -> Response:
    return JSONResponse({"delaySeconds": runtime.service.delivery.delay_seconds, "magicNumbers": MAGIC_NUMBERS})


async def get_delivery(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/delivery."""
    return _reply(runtime)


async def set_delivery(runtime: Runtime, request: Request) -> Response:
    """PUT /_emulator/delivery with `{"delaySeconds": N}`."""
    body = await json_body(request, required=True)
    if "delaySeconds" not in body:  # required by the admin document's DeliveryRequest
        raise ControlError("delaySeconds is required")
    service = runtime.service
    wanted = DeliverySettings(number(body, "delaySeconds", service.delivery.delay_seconds, MAX_DELAY_SECONDS))
    await service.batcher.run(lambda: wanted.save(service.store))
    service.delivery.delay_seconds = wanted.delay_seconds  # the one settings object every reader holds
    return _reply(runtime)
