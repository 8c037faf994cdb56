"""httpx transports that log each exchange with the URL redacted (`TWOFACTOR_LOG=debug`).

They wrap the real transport (or a test's), so they see the request exactly as it goes out. With
debug logging off they cost one level check per exchange: no URL is formatted.
"""

from __future__ import annotations

import logging

import httpx

from .redact import logger, redact_url

__all__ = ["AsyncLoggingTransport", "LoggingTransport"]


def _log_request(request: httpx.Request) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("request %s %s", request.method, redact_url(str(request.url)))


def _log_reply(request: httpx.Request, response: httpx.Response) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("reply %s %s -> HTTP %d", request.method, redact_url(str(request.url)), response.status_code)


class LoggingTransport(httpx.BaseTransport):
    """Wraps a sync transport (the default HTTP transport, or a test's MockTransport)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _log_request(request)
        response = self._inner.handle_request(request)
        _log_reply(request, response)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncLoggingTransport(httpx.AsyncBaseTransport):
    """Wraps an async transport."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _log_request(request)
        response = await self._inner.handle_async_request(request)
        _log_reply(request, response)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
