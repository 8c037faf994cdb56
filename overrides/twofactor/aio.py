"""`AsyncTwoFactor`, the asyncio client: methods grouped by what a user does.

    async with AsyncTwoFactor(api_key) as client:          # production; base_url= for the emulator
        sent = await client.otp.send("+919999999999")       # AUTOGEN: a 6-digit OTP by SMS
        if (await client.otp.verify(sent.session_id, "123456")).matched:
            ...

This module is the source: `client.py` (`TwoFactor`, the synchronous client with the same groups
and methods) is generated from it by scripts/unasync_clients.py, so the two cannot drift. Each
method builds its request in `calls`, runs it under the retry policy of `sms_common.retries`
(`sms_common.aio.AsyncBaseClient`), and reads the reply in `replies`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Unpack

import httpx
from sms_common.aio import AsyncBaseClient
from sms_common.retries import RetryPolicy
from sms_common.settings import DEFAULT_TIMEOUT

from . import calls
from .bulk import BulkPlan
from .calls import BalanceKind, SmsOptions
from .errors import TwoFactorError
from .results import BulkMessage, BulkResult, DeliveryStatus, EncryptedSent, OtpSent, SmsSent, VerifyResult
from .settings import Settings

__all__ = ["AsyncTwoFactor"]

Progress = Callable[[int, int], None]


class AsyncTwoFactor(AsyncBaseClient[Settings]):
    """A 2Factor client.

    `api_key` is the account's key; `secret_key` (32 characters) is needed only for `encrypted`.
    `base_url` defaults to production (https://2factor.in); point it at the emulator for local work.
    Left out, each is read from `TWOFACTOR_API_KEY`, `TWOFACTOR_SECRET_KEY` and `TWOFACTOR_BASE_URL`
    (explicit arguments win); no API key anywhere is an `InvalidApiKey` naming the variable.
    `timeout` is seconds (or an `httpx.Timeout`); `retry` a `RetryPolicy`. `transport` replaces the
    network transport (an httpx transport, e.g. a proxy's or a test's).

    Use it as a context manager, or close it, to release its connections.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        settings = Settings(api_key, secret_key=secret_key, base_url=base_url, timeout=timeout, retry=retry)
        super().__init__(settings, transport=transport)
        self.otp = AsyncOtp(self)
        self.sms = AsyncSms(self)
        self.bulk = AsyncBulk(self)
        self.encrypted = AsyncEncrypted(self)
        self.voice = AsyncVoice(self)

    async def balance(self, kind: BalanceKind = "otp") -> int:
        """Credits left: `kind` is "otp" (SMS OTP), "transactional" or "promotional" SMS.

        The balance routes are not in 2Factor's current docs (`x-provenance: community`).
        """
        return await self.run(calls.balance(self._settings.api_key, kind))


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
        """Send an OTP by SMS and return its session id.

        Without `otp`, 2Factor generates it: 6 digits (AUTOGEN, or AUTOGEN2 with `return_otp=True`,
        whose reply carries the OTP) or 4 digits (AUTOGEN3). With `otp` (4-6 digits) your OTP is
        sent. `template` names an approved OTP template; without it the default one is used.
        `phone`: '+919999999999', '919999999999' or a 10-digit Indian number.
        """
        return await self._client.run(
            calls.otp_send(
                self._settings.api_key, phone, template=template, otp=otp, digits=digits, return_otp=return_otp
            )
        )

    async def send_sandbox(self, phone: str, template: str | None = None, return_otp: bool = False) -> OtpSent:
        """AUTOGEND (AUTOGEND2 with `return_otp`): a sandbox send; needs sandbox mode on the account."""
        return await self._client.run(
            calls.otp_send_sandbox(self._settings.api_key, phone, template=template, return_otp=return_otp)
        )

    async def verify(self, session_id: str, code: str) -> VerifyResult:
        """Check the code the user typed (VERIFY). A mismatch is `matched=False`; an expired OTP,
        an unknown session and a locked session are errors. Never retried after it may have
        reached the server: each try burns one of the session's attempts."""
        return await self._client.run(calls.otp_verify(self._settings.api_key, session_id, code))

    async def verify_phone(self, phone: str, code: str) -> VerifyResult:
        """Check the code against the latest live OTP sent to `phone` (VERIFY3)."""
        return await self._client.run(calls.otp_verify_phone(self._settings.api_key, phone, code))


class AsyncVoice(_Group):
    """Voice-call OTPs (not in 2Factor's current docs; `x-provenance: community`)."""

    async def send(self, phone: str, otp: str | None = None) -> OtpSent:
        """Call `phone` and read out a generated OTP, or `otp` (4-6 digits)."""
        return await self._client.run(calls.voice_send(self._settings.api_key, phone, otp=otp))

    async def verify(self, session_id: str, code: str) -> VerifyResult:
        """Check the code the user heard."""
        return await self._client.run(calls.voice_verify(self._settings.api_key, session_id, code))


class AsyncSms(_Group):
    """Transactional and promotional SMS through the R1 route (a form POST; the key is not in the URL)."""

    async def send(self, to: str | Iterable[str], sender: str, text: str, **options: Unpack[SmsOptions]) -> SmsSent:
        """Send one DLT-approved `text` from `sender` to one or more numbers (at most 1000).

        Options (all optional): `schedule_at`, any timezone-aware datetime (sent as India time, at
        least 5 minutes ahead); `peid` and `ctid`, the DLT entity and template ids; `campaign` and
        `campaign_webhook` for click tracking; `shorten_urls`, `shorten_url_webhook` and
        `shorten_url_callback` for short links.
        """
        return await self._client.run(
            calls.sms_send(self._settings.api_key, to=to, sender=sender, text=text, **options)
        )

    async def send_promotional(
        self, to: str | Iterable[str], sender: str, text: str, **options: Unpack[SmsOptions]
    ) -> SmsSent:
        """As `send`, as promotional SMS (`module=PROMO_SMS`)."""
        return await self._client.run(
            calls.sms_send(self._settings.api_key, to=to, sender=sender, text=text, promotional=True, **options)
        )


class AsyncBulk(_Group):
    """Bulk transactional SMS with delivery reports."""

    async def send(
        self, messages: Iterable[BulkMessage | Mapping[str, Any]], on_progress: Progress | None = None
    ) -> BulkResult:
        """Send any number of messages in requests of at most 1000; return one combined result.

        `messages` are `BulkMessage`s or mappings with `sender`, `to`, `text` (or the wire names
        `smsFrom`, `smsTo`, `smsText`) and optional `callback_value1`/`callback_value2`. The result
        names every message by its index in `messages`: `accepted` with its message id, or
        `failed` with the reason. `on_progress(done, total)` is called after each request.
        A request refused for the key or for credits stops the send: the later requests are not
        sent and their messages fail "not sent". That error (`InvalidApiKey`,
        `InsufficientCredits`) is raised only when no message was accepted; `InvalidInput` when
        `messages` is empty.
        """
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
        """Send an SMS whose payload is sealed with the secret key; returns the request id."""
        settings = self._settings
        return await self._client.run(
            calls.encrypted_send(settings.api_key, settings.secret_key(), to=to, sender=sender, text=text, mode=mode)
        )

    async def delivery_status(
        self, session_id: str, date: dt.date | str | None = None, mode: str = "GCM"
    ) -> DeliveryStatus:
        """The delivery status of an encrypted send: its request id and the day (India time) it was
        sent, today in India by default. `status` is None when the server has no record."""
        settings = self._settings
        return await self._client.run(
            calls.encrypted_delivery_status(
                settings.api_key, settings.secret_key(), session_id=session_id, date=date, mode=mode
            )
        )
