"""The web inbox: one page (index.html, next to this file) and a server-sent-events stream.

The page lists the outbox per phone with OTPs highlighted, delivery statuses and the webhooks sent,
searches it, and resets the emulator. It refreshes itself on each event of `/_emulator/events`:
`message` when a message lands (its JSON as data) and `tick` every couple of seconds, since delivery
statuses move with the emulator's clock and webhook attempts happen in the background.

Each stream ends after `STREAM_SECONDS`; the browser's EventSource reconnects by itself (after the
`retry` we send). That keeps a server shutdown from waiting on an open stream.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import AsyncIterator
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from ...core.family import Runtime
from ...core.service import Service
from ..messages import message_json

STREAM_SECONDS = 25.0
TICK_SECONDS = 2.0
RECONNECT_MS = 500


@functools.cache
def _page() -> str:
    return files(__package__).joinpath("index.html").read_text(encoding="utf-8")


async def page(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/inbox."""
    return HTMLResponse(_page(), headers={"Cache-Control": "no-store"})


async def home(runtime: Runtime, request: Request) -> Response:
    """GET /: the emulator's address opened in a browser shows the inbox."""
    return RedirectResponse("/_emulator/inbox", status_code=307)


async def events(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/events: text/event-stream of `message` and `tick` events."""
    return StreamingResponse(
        _stream(runtime.service), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


async def _stream(service: Service) -> AsyncIterator[str]:
    store = service.store
    last = store.last_seq()
    deadline = time.monotonic() + STREAM_SECONDS
    yield f"retry: {RECONNECT_MS}\n\n"
    while time.monotonic() < deadline:
        rows = store.messages(limit=100, after_seq=last)
        for row in reversed(rows):
            last = max(last, int(row["seq"]))
            yield f"event: message\ndata: {json.dumps(message_json(service, row))}\n\n"
        if not rows:
            await service.signal.wait(TICK_SECONDS)
            if service.signal.closed:
                return  # the server is stopping: the browser reconnects to the next one
            if store.last_seq() == last:
                yield "event: tick\ndata: {}\n\n"
