"""`GET /_emulator/health`: version, schema, journal mode, clock and message count."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import __version__
from ..core.clock import iso_utc
from ..core.family import Runtime
from ..core.store import SCHEMA_VERSION


async def health(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/health."""
    service = runtime.service
    return JSONResponse(
        {
            "status": "ok",
            "version": __version__,
            "schemaVersion": SCHEMA_VERSION,
            "journalMode": service.store.journal_mode,
            "now": iso_utc(service.now()),
            "messages": service.store.count_messages(),
        }
    )
