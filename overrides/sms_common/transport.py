"""httpx transports that log each exchange on the provider's logger, the URL redacted.

They wrap the real transport (or a test's), so they see the request exactly as it goes out. With
debug logging off they cost one level check per exchange: no URL is formatted.
"""

from __future__ import annotations

import logging

import httpx

from .provider import Provider

__all__ = ["AsyncLoggingTransport", "LoggingTransport"]


def _log_request(provider: Provider, request: httpx.Request) -> None:
    if provider.logger.isEnabledFor(logging.DEBUG):
        provider.logger.debug("request %s %s", request.method, provider.url_rule(str(request.url)))


def _log_reply(provider: Provider, request: httpx.Request, response: httpx.Response) -> None:
    if provider.logger.isEnabledFor(logging.DEBUG):
        url = provider.url_rule(str(request.url))
        provider.logger.debug("reply %s %s -> HTTP %d", request.method, url, response.status_code)


class LoggingTransport(httpx.BaseTransport):
    """Wraps a sync transport (the default HTTP transport, or a test's MockTransport)."""

    def __init__(self, inner: httpx.BaseTransport, provider: Provider) -> None:
        self._inner = inner
        self._provider = provider

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _log_request(self._provider, request)
        response = self._inner.handle_request(request)
        _log_reply(self._provider, request, response)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncLoggingTransport(httpx.AsyncBaseTransport):
    """Wraps an async transport."""

    def __init__(self, inner: httpx.AsyncBaseTransport, provider: Provider) -> None:
        self._inner = inner
        self._provider = provider

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _log_request(self._provider, request)
        response = await self._inner.handle_async_request(request)
        _log_reply(self._provider, request, response)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
