"""Did a failed request leave this machine? The one fact that separates "down" from "ambiguous";
and the deadline and retry policy every adapter gives its client.

A provider client raises its own `TransportError` either way; the httpx exception underneath says
which (a connect error or a connect/pool timeout: never sent; anything later: may have arrived).
The adapters give their clients a `TrackingTransport`, which notes that fact in the current
context's `Exchange` before the client turns the exception into its own error. Contexts are per
thread and per asyncio task, so concurrent sends never see each other's notes.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sms_common.retries import RetryPolicy

__all__ = ["NO_RETRIES", "SEND_TIMEOUT", "AsyncTrackingTransport", "Exchange", "TrackingTransport", "tracking"]

# What every adapter gives its client. An OTP login cannot wait long on one provider: 5 s for a
# reply, 2 s to connect, then the next. No retries: failing over is the retry, so a 429 or a refused
# connection goes to the next provider at once rather than after a backoff.
SEND_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
NO_RETRIES = RetryPolicy(max_retries=0)

NOT_SENT: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Exchange:
    """The fate of the requests made inside one `tracking()` block."""

    def __init__(self) -> None:
        self.may_have_arrived = False  # a request failed after it may have reached the server
        self.failures = 0

    def note(self, failure: httpx.RequestError) -> None:
        """Record one failed request."""
        self.failures += 1
        if not isinstance(failure, NOT_SENT):
            self.may_have_arrived = True


_current: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar("otp_gateway_exchange", default=None)


@contextmanager
def tracking() -> Iterator[Exchange]:
    """Collect the failures of the requests made inside the block."""
    exchange = Exchange()
    token = _current.set(exchange)
    try:
        yield exchange
    finally:
        _current.reset(token)


def _note(failure: httpx.RequestError) -> None:
    exchange = _current.get()
    if exchange is not None:
        exchange.note(failure)


class TrackingTransport(httpx.BaseTransport):
    """Wraps a sync transport; notes every failed request in the current `Exchange`."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._inner.handle_request(request)
        except httpx.RequestError as failure:
            _note(failure)
            raise

    def close(self) -> None:
        self._inner.close()


class AsyncTrackingTransport(httpx.AsyncBaseTransport):
    """Wraps an async transport; notes every failed request in the current `Exchange`."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except httpx.RequestError as failure:
            _note(failure)
            raise

    async def aclose(self) -> None:
        await self._inner.aclose()
