"""The async base client of every provider, and the retry loop it runs each call under.

This module is the source: `client.py` (`BaseClient`, the sync twin) is generated from it by
scripts/unasync_clients.py, so the two cannot drift. A provider's async client subclasses
`AsyncBaseClient` with its `ClientSettings`, adds its groups of methods, and describes each request
as a `Call`; the base client sends it under the retry policy and reads the reply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Generic, Self, TypeVar

import httpx

from .call import Call
from .errors import ProviderError
from .provider import Provider
from .retries import AsyncAttempt, Kind, RetryPolicy, next_delay
from .settings import ClientSettings
from .transport import AsyncLoggingTransport

__all__ = ["AsyncBaseClient", "send_with_retries"]

T = TypeVar("T")
SettingsT = TypeVar("SettingsT", bound=ClientSettings)


async def send_with_retries(
    provider: Provider,
    policy: RetryPolicy,
    kind: Kind,
    operation: str,
    attempt: AsyncAttempt,
    secrets: Iterable[str] = (),
) -> httpx.Response:
    """Run `attempt` under the policy (`retries.next_delay` decides); return the last reply, or raise
    the provider's `TransportError` or `Timeout`."""
    retry_number = 0
    while True:
        outcome: httpx.Response | httpx.RequestError
        try:
            outcome = await attempt()
        except httpx.RequestError as exc:
            outcome = exc
        delay = next_delay(provider, policy, kind, operation, outcome, retry_number, secrets)
        if delay is None:
            assert isinstance(outcome, httpx.Response)  # a failure raised in next_delay
            return outcome
        await policy.async_sleep(delay)
        retry_number += 1


class AsyncBaseClient(Generic[SettingsT]):
    """What every provider client does the same way: one httpx client with the logging transport,
    redirects off (a redirect would carry credentials elsewhere), calls sent under the retry policy,
    and closing. `auth` and `headers` are passed to httpx (e.g. `httpx.BasicAuth` for an API that
    wants it). Use it as a context manager, or close it, to release its connections."""

    def __init__(
        self,
        settings: SettingsT,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._settings = settings
        self._http = httpx.AsyncClient(
            base_url=settings.base_url,
            timeout=settings.timeout,
            transport=AsyncLoggingTransport(transport or httpx.AsyncHTTPTransport(), settings.provider),
            follow_redirects=False,
            auth=auth,
            headers=headers,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._settings.base_url!r})"

    async def run(self, call: Call[T]) -> T:
        """Send one prepared call under the retry policy and read its reply (used by the groups)."""
        settings = self._settings

        async def attempt() -> httpx.Response:
            return await self._http.request(**call.build())

        reply = await send_with_retries(
            settings.provider, settings.retry, call.kind, call.operation, attempt, settings.secrets
        )
        try:
            return call.read(reply)
        except ProviderError as error:
            # The error's text may quote the server, which may echo a credential back.
            error.details = settings.provider.redact(error.details, settings.secrets)
            error.args = (error.details,)
            raise

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
