"""httpx transports that sit between the generated client and the network.

They fix the literal '+' of V1 paths (see quirks.keep_literal_plus) and log each exchange with the
URL redacted. The generated code is untouched: it is handed an httpx client built on these.
"""

from __future__ import annotations

import httpx

from .quirks import keep_literal_plus
from .redact import logger, redact_url

__all__ = ["AsyncQuirkTransport", "QuirkTransport"]


def _prepare(request: httpx.Request) -> None:
    fixed = keep_literal_plus(request.url.raw_path)
    if fixed != request.url.raw_path:
        request.url = request.url.copy_with(raw_path=fixed)
    logger.debug("request %s %s", request.method, redact_url(str(request.url)))


def _log_reply(request: httpx.Request, response: httpx.Response) -> None:
    logger.debug("reply %s %s -> HTTP %d", request.method, redact_url(str(request.url)), response.status_code)


class QuirkTransport(httpx.BaseTransport):
    """Wraps a sync transport (the default HTTP transport, or a test's MockTransport)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _prepare(request)
        response = self._inner.handle_request(request)
        _log_reply(request, response)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncQuirkTransport(httpx.AsyncBaseTransport):
    """Wraps an async transport."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _prepare(request)
        response = await self._inner.handle_async_request(request)
        _log_reply(request, response)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
