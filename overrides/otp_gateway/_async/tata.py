"""Tata Smart 2FA adapter: `AsyncTataOtp` (Tata generates the code, sends it by SMS and checks it).

Its `AsyncSmart2fa` client is built with no retries and the gateway's short deadline, on a
`TrackingTransport`. The OTP's `timeout` is the gateway's code lifetime; a verify names the OTP by
its request id, or, after an ambiguous send, by the phone number (Tata then checks the newest valid
OTP of the service for that number).
"""

from __future__ import annotations

import httpx
from tata_smart2fa import AsyncSmart2fa
from tata_smart2fa import errors as tata

from ..classify import tata_send_failure, verify_unavailable
from ..outcomes import Health, VerifyOutcome
from ..policy import DEFAULT_SMS_TEXT
from ..ticket import Delivery
from ..tracking import NO_RETRIES, SEND_TIMEOUT, AsyncTrackingTransport, tracking

__all__ = ["AsyncTataOtp"]


class AsyncTataOtp:
    """Tata Smart 2FA's SMS OTP. `sid`, `token`, `service`, `sender` and `base_url` default to the
    client's `TATA_SMART2FA_*` variables; `body` is the SMS text, with `{code}` where the code goes."""

    def __init__(
        self,
        sid: str | None = None,
        token: str | None = None,
        *,
        name: str = "tata",
        base_url: str | None = None,
        service: str | None = None,
        sender: str | None = None,
        body: str = DEFAULT_SMS_TEXT,
        timeout: float | httpx.Timeout = SEND_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self._body = body
        self._client = AsyncSmart2fa(
            sid,
            token,
            base_url=base_url,
            service=service,
            sender=sender,
            timeout=timeout,
            retry=NO_RETRIES,
            transport=AsyncTrackingTransport(transport),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, client={self._client!r})"

    async def send_otp(self, phone: str, *, length: int, ttl: float) -> str | None:
        """One SMS OTP of `length` digits that Tata keeps valid for `ttl` seconds."""
        with tracking() as exchange:
            try:
                sent = await self._client.send_otp(phone, body=self._body, length=length, timeout=max(1, int(ttl)))
            except tata.Smart2faError as error:
                raise tata_send_failure(error, exchange) from None
        return sent.request_id

    async def verify_otp(self, delivery: Delivery, phone: str, code: str) -> VerifyOutcome:
        """Verify by request id, or by number when the send's reply never came."""
        with tracking() as exchange:
            try:
                result = await self._client.verify(phone, code, request_id=delivery.ref)
            except tata.OtpAlreadyVerified:
                return VerifyOutcome.USED
            except tata.OtpLocked:
                return VerifyOutcome.LOCKED
            except tata.OtpExpired:
                return VerifyOutcome.EXPIRED
            except (tata.OtpCanceled, tata.OtpNotFound):
                return VerifyOutcome.UNKNOWN
            except tata.Smart2faError as error:
                raise verify_unavailable(self.name, error, exchange) from None
        return VerifyOutcome.MATCHED if result.matched else VerifyOutcome.MISMATCH

    async def check_credentials(self) -> Health:
        """Lists the account's limits: a read that sends nothing."""
        try:
            limits = await self._client.list_limits()
        except tata.Smart2faError as error:
            return Health(self.name, False, f"{type(error).__name__}: {error}")
        return Health(self.name, True, f"credentials accepted; {len(limits)} limits defined")

    async def aclose(self) -> None:
        """Close the client."""
        await self._client.aclose()
