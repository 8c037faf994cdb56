"""`AsyncSmart2fa`, the asyncio client of Tata Communications' Smart 2FA API.

    async with AsyncSmart2fa(sid, token, service="MyApp", sender="+919876500000") as smart2fa:
        sent = await smart2fa.send_otp("+919999999999", body="Your code is {code}", length=6)
        if (await smart2fa.verify(sent, code_typed_by_user)).matched:
            ...

This module is the source: `client.py` (`Smart2fa`, the synchronous client with the same methods)
is generated from it by scripts/unasync_clients.py, so the two cannot drift. Each method builds its
request in `calls`, runs it under the retry policy of `sms_common.retries` (a send, verify, cancel
or limit change is never repeated once it may have reached the server), and reads the reply in
`replies`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import httpx
from sms_common.aio import AsyncBaseClient
from sms_common.retries import RetryPolicy
from sms_common.settings import DEFAULT_TIMEOUT

from . import calls
from .errors import InvalidInput
from .results import Channel, Limit, LimitBucket, OtpRecord, OtpSent, UsageRecord, VerifyResult
from .settings import Settings

__all__ = ["AsyncSmart2fa"]


class AsyncSmart2fa(AsyncBaseClient[Settings]):
    """A Tata Smart 2FA client.

    `sid` and `token` are the account SID and auth token (default `$TATA_SMART2FA_SID` and
    `$TATA_SMART2FA_TOKEN`). `base_url` defaults to `$TATA_SMART2FA_BASE_URL`, else production;
    point it at the emulator for local work. `service`, `sender` (the `from` of sms and call) and
    `email_from` are defaults for every send (`$TATA_SMART2FA_SERVICE`, `$TATA_SMART2FA_FROM`,
    `$TATA_SMART2FA_EMAIL_FROM`). Explicit arguments win over the environment. `timeout` is seconds
    (or an `httpx.Timeout`), `retry` a `RetryPolicy`, `transport` an httpx transport (a test's, a
    proxy's). Use it as a context manager, or close it, to release its connections.
    """

    def __init__(
        self,
        sid: str | None = None,
        token: str | None = None,
        *,
        base_url: str | None = None,
        service: str | None = None,
        sender: str | None = None,
        email_from: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        settings = Settings(
            sid,
            token,
            base_url=base_url,
            service=service,
            sender=sender,
            email_from=email_from,
            timeout=timeout,
            retry=retry,
        )
        super().__init__(settings, transport=transport, auth=settings.auth())

    def _service(self, service: str | None) -> str:
        chosen = service if service is not None else self._settings.service
        if not chosen:
            raise InvalidInput("a service name is needed: service= here or on the client, or TATA_SMART2FA_SERVICE")
        return chosen

    async def send_otp(
        self,
        to: str,
        *,
        body: str = "Your verification code is {code}",
        channel: Channel = "sms",
        service: str | None = None,
        sender: str | None = None,
        email_from: str | None = None,
        subject: str | None = None,
        length: int | None = None,
        timeout: int | None = None,
        guard_time: int | None = None,
        limits: Mapping[str, str] | None = None,
        language: str | None = None,
        voice: str | None = None,
        repeat: int | None = None,
        account_sid: str | None = None,
    ) -> OtpSent:
        """Send an OTP to `to` on `channel` ("sms", "call" or "email"); `{code}` in `body` becomes it.

        `length` is 4-10 digits (server default 6), `timeout` the seconds it stays valid (default
        300), `guard_time` how long a replaced OTP stays valid; `limits` maps limit names to the
        values counted against them. For email, `subject` and `email_from` are required; for sms and
        call, `sender`. `language`, `voice` ("man", "woman") and `repeat` shape a call. Never
        repeated once the request may have reached the server. Sending again to the same number
        within a minute is `TooManyOtps`.
        """
        return await self.run(
            calls.send_otp(
                to=to,
                body=body,
                service=self._service(service),
                channel=channel,
                sender=sender if sender is not None else self._settings.sender,
                email_from=email_from if email_from is not None else self._settings.email_from,
                subject=subject,
                length=length,
                timeout=timeout,
                guard_time=guard_time,
                limits=limits,
                language=language,
                voice=voice,
                repeat=repeat,
                account_sid=account_sid,
            )
        )

    async def verify(
        self, sent: OtpSent | str, code: str, *, service: str | None = None, request_id: str | None = None
    ) -> VerifyResult:
        """Check the code the user typed, for `sent` (what `send_otp` returned) or a destination.

        With a destination (`to` of the send), the newest valid OTP of the service is checked, or
        the one `request_id` names. A wrong code is `matched=False`; an expired, used, canceled or
        locked OTP is an `OtpUnusable` error. Never repeated once it may have reached the server:
        each try counts as an attempt.
        """
        to, service, request_id = self._select(sent, service, request_id)
        return await self.run(calls.verify(service=service, to=to, code=code, request_id=request_id))

    async def cancel(self, sent: OtpSent | str, *, service: str | None = None, request_id: str | None = None) -> str:
        """Cancel an OTP before it is used (selected as for `verify`); returns its request id."""
        to, service, request_id = self._select(sent, service, request_id)
        return await self.run(calls.cancel(service=service, to=to, request_id=request_id))

    def _select(self, sent: OtpSent | str, service: str | None, request_id: str | None) -> tuple[str, str, str | None]:
        if isinstance(sent, OtpSent):
            return sent.to, service or sent.service, request_id or sent.request_id
        return sent, self._service(service), request_id

    async def get_otp(self, request_id: str) -> OtpRecord:
        """One OTP's state by its request id (never its code)."""
        return await self.run(calls.get_otp(request_id))

    async def list_otps(self, *, page: int = 0, page_size: int = 50) -> tuple[int, list[OtpRecord]]:
        """(total, one page of the account's OTPs), newest first."""
        return await self.run(calls.list_otps(page=page, page_size=page_size))

    async def search_otps(
        self,
        *,
        service: str | None = None,
        to: str | None = None,
        channel: Channel | None = None,
        status: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        page: int = 0,
        page_size: int = 50,
    ) -> tuple[int, list[OtpRecord]]:
        """(total, one page of the OTPs that match every filter given), newest first."""
        return await self.run(
            calls.search_otps(
                service=service,
                to=to,
                channel=channel,
                status=status,
                since=since,
                until=until,
                page=page,
                page_size=page_size,
            )
        )

    async def usage(
        self,
        *,
        period: str | None = None,
        category: Channel | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> list[UsageRecord]:
        """Usage records: all time; per `period` ("daily", "monthly", "yearly"); or filtered by channel and days."""
        return await self.run(calls.usage(period=period, category=category, start=start, end=end))

    async def create_limit(
        self,
        name: str,
        buckets: Sequence[LimitBucket],
        *,
        description: str | None = None,
        account_sid: str | None = None,
    ) -> Limit:
        """Create a named limit of one or two buckets, for sends to name in `limits`."""
        return await self.run(
            calls.create_limit(name=name, buckets=list(buckets), description=description, account_sid=account_sid)
        )

    async def list_limits(self) -> list[Limit]:
        """Every limit of the account, sorted by name."""
        return await self.run(calls.list_limits())

    async def update_limit(
        self, limit_sid: str, *, buckets: Sequence[LimitBucket] | None = None, description: str | None = None
    ) -> Limit:
        """Change a limit's buckets or description (its name cannot change)."""
        return await self.run(
            calls.update_limit(
                limit_sid, buckets=list(buckets) if buckets is not None else None, description=description
            )
        )

    async def delete_limit(self, limit_sid: str) -> None:
        """Delete a limit; sends naming it are refused (`InvalidLimitName`) from then on."""
        await self.run(calls.delete_limit(limit_sid))
