"""`AsyncTwoFactor`, the asyncio client: the same groups and methods as `TwoFactor`, awaited.

    async with AsyncTwoFactor(api_key) as client:
        sent = await client.otp.send("+919999999999")
        result = await client.otp.verify(sent.session_id, "123456")

The requests, retry decisions and reply reading are the same code as the sync client's (`calls`,
`retries`, `replies`); only the waiting differs. See `client.TwoFactor` for each method's contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar, Unpack

import httpx
from sms_common.retries import RetryPolicy, call_async
from sms_common.settings import DEFAULT_TIMEOUT
from sms_common.transport import AsyncLoggingTransport

from . import calls
from .bulk import BulkPlan
from .calls import BalanceKind, Call, SmsOptions
from .errors import TwoFactorError
from .results import BulkMessage, BulkResult, DeliveryStatus, EncryptedSent, OtpSent, SmsSent, VerifyResult
from .settings import PRODUCTION_URL, PROVIDER, Settings

__all__ = ["AsyncTwoFactor"]

T = TypeVar("T")
Progress = Callable[[int, int], None]


class AsyncTwoFactor:
    """A 2Factor client for asyncio, with the constructor and methods of `TwoFactor`.

    `api_key` is the account's key; `secret_key` (32 characters) is needed only for `encrypted`.
    `base_url` defaults to production (https://2factor.in); point it at the emulator for local work.
    `timeout` is seconds (or an `httpx.Timeout`); `retry` a `RetryPolicy`. `transport` replaces the
    network transport (an `httpx.AsyncBaseTransport`).

    Use it as an async context manager, or await `aclose()`, to release its connections.
    """

    def __init__(
        self,
        api_key: str,
        *,
        secret_key: str | None = None,
        base_url: str = PRODUCTION_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._settings = Settings(api_key, secret_key=secret_key, base_url=base_url, timeout=timeout, retry=retry)
        self._http = httpx.AsyncClient(
            base_url=self._settings.base_url,
            timeout=self._settings.timeout,
            transport=AsyncLoggingTransport(transport or httpx.AsyncHTTPTransport(), PROVIDER),
            follow_redirects=False,  # a redirect would carry the key in the URL to another place
        )
        self.otp = AsyncOtp(self)
        self.sms = AsyncSms(self)
        self.bulk = AsyncBulk(self)
        self.encrypted = AsyncEncrypted(self)
        self.voice = AsyncVoice(self)

    def __repr__(self) -> str:
        return f"AsyncTwoFactor(base_url={self._settings.base_url!r})"

    async def run(self, call: Call[T]) -> T:
        """Send one prepared call under the retry policy and read its reply (used by the groups)."""
        settings = self._settings

        async def attempt() -> httpx.Response:
            return await self._http.request(**call.build())

        reply = await call_async(PROVIDER, settings.retry, call.kind, call.operation, attempt, settings.secrets)
        return call.read(reply)

    async def balance(self, kind: BalanceKind = "otp") -> int:
        """As `TwoFactor.balance`."""
        return await self.run(calls.balance(self._settings.api_key, kind))

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncTwoFactor:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class _Group:
    def __init__(self, client: AsyncTwoFactor) -> None:
        self._client = client
        self._settings = client._settings

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class AsyncOtp(_Group):
    """SMS OTPs: send, verify by session id, verify by phone number, sandbox sends."""

    async def send(
        self,
        phone: str,
        template: str | None = None,
        otp: str | None = None,
        digits: int = 6,
        return_otp: bool = False,
    ) -> OtpSent:
        """As `TwoFactor.otp.send`."""
        return await self._client.run(
            calls.otp_send(
                self._settings.api_key, phone, template=template, otp=otp, digits=digits, return_otp=return_otp
            )
        )

    async def send_sandbox(self, phone: str, template: str | None = None, return_otp: bool = False) -> OtpSent:
        """As `TwoFactor.otp.send_sandbox`."""
        return await self._client.run(
            calls.otp_send_sandbox(self._settings.api_key, phone, template=template, return_otp=return_otp)
        )

    async def verify(self, session_id: str, code: str) -> VerifyResult:
        """As `TwoFactor.otp.verify`."""
        return await self._client.run(calls.otp_verify(self._settings.api_key, session_id, code))

    async def verify_phone(self, phone: str, code: str) -> VerifyResult:
        """As `TwoFactor.otp.verify_phone`."""
        return await self._client.run(calls.otp_verify_phone(self._settings.api_key, phone, code))


class AsyncVoice(_Group):
    """Voice-call OTPs (not in 2Factor's current docs; `x-provenance: community`)."""

    async def send(self, phone: str, otp: str | None = None) -> OtpSent:
        """As `TwoFactor.voice.send`."""
        return await self._client.run(calls.voice_send(self._settings.api_key, phone, otp=otp))

    async def verify(self, session_id: str, code: str) -> VerifyResult:
        """As `TwoFactor.voice.verify`."""
        return await self._client.run(calls.voice_verify(self._settings.api_key, session_id, code))


class AsyncSms(_Group):
    """Transactional and promotional SMS through the R1 route (a form POST; the key is not in the URL)."""

    async def send(self, to: str | Iterable[str], sender: str, text: str, **options: Unpack[SmsOptions]) -> SmsSent:
        """As `TwoFactor.sms.send`."""
        return await self._client.run(
            calls.sms_send(self._settings.api_key, to=to, sender=sender, text=text, **options)
        )

    async def send_promotional(
        self, to: str | Iterable[str], sender: str, text: str, **options: Unpack[SmsOptions]
    ) -> SmsSent:
        """As `TwoFactor.sms.send_promotional`."""
        return await self._client.run(
            calls.sms_send(self._settings.api_key, to=to, sender=sender, text=text, promotional=True, **options)
        )


class AsyncBulk(_Group):
    """Bulk transactional SMS with delivery reports."""

    async def send(
        self, messages: Iterable[BulkMessage | Mapping[str, Any]], on_progress: Progress | None = None
    ) -> BulkResult:
        """As `TwoFactor.bulk.send`."""
        plan = BulkPlan(self._settings.api_key, messages)
        for chunk in plan.pending():
            try:
                plan.record(chunk, await self._client.run(chunk.call))
            except TwoFactorError as error:
                plan.record_error(chunk, error)
            if on_progress is not None:
                on_progress(plan.done, plan.total)
        if on_progress is not None and plan.stopped_by is not None:
            on_progress(plan.done, plan.total)  # the requests that were not sent are settled too
        return plan.result()


class AsyncEncrypted(_Group):
    """The AES-256 encrypted route. GCM is the default; CBC is unauthenticated (use it only if you must)."""

    async def send(self, to: str | Iterable[str], sender: str, text: str, mode: str = "GCM") -> EncryptedSent:
        """As `TwoFactor.encrypted.send`."""
        settings = self._settings
        return await self._client.run(
            calls.encrypted_send(settings.api_key, settings.secret_key(), to=to, sender=sender, text=text, mode=mode)
        )

    async def delivery_status(
        self, session_id: str, date: dt.date | str | None = None, mode: str = "GCM"
    ) -> DeliveryStatus:
        """As `TwoFactor.encrypted.delivery_status`."""
        settings = self._settings
        return await self._client.run(
            calls.encrypted_delivery_status(
                settings.api_key, settings.secret_key(), session_id=session_id, date=date, mode=mode
            )
        )
