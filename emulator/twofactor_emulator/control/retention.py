"""`GET`/`PUT /_emulator/retention`: prune old messages past a count or an age (core/retention.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.family import Runtime
from ..core.retention import RetentionSettings
from .params import integer, json_body, number

MAX_RETENTION_SECONDS = 10 * 365 * 24 * 3600.0
MAX_RETAINED_MESSAGES = 1_000_000_000  # SQLite's OFFSET takes at most 2**63 - 1; a billion is plenty


def _reply(runtime: Runtime, pruned_now: int = 0) -> Response:
    settings = runtime.retention.settings
    return JSONResponse(
        {
            "maxMessages": settings.max_messages,
            "maxAgeSeconds": settings.max_age_seconds,
            "prunedNow": pruned_now,
            "prunedSinceStart": runtime.retention.pruned,
        }
    )


async def get_retention(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/retention."""
    return _reply(runtime)


async def set_retention(runtime: Runtime, request: Request) -> Response:
    """PUT /_emulator/retention with `{"maxMessages": n, "maxAgeSeconds": s}` (null: no limit of that kind)."""
    body = await json_body(request, required=True)
    count = integer(body, "maxMessages", None, 1, MAX_RETAINED_MESSAGES)
    age = body.get("maxAgeSeconds")
    if age is not None:
        age = number(body, "maxAgeSeconds", 0.0, MAX_RETENTION_SECONDS)
    pruned = await runtime.retention.configure(RetentionSettings(max_messages=count, max_age_seconds=age))
    return _reply(runtime, pruned)
