"""2Factor adapters: `AsyncTwoFactorOtp` (2Factor generates and checks the code) and
`AsyncTwoFactorSms` (2Factor's R1 route only carries an SMS with the gateway's code).

Each builds its own `AsyncTwoFactor` client with no retries (failing over is the retry: a 429 or a
refused connection goes to the next provider at once, not after a backoff) and a short deadline,
on a `TrackingTransport`, so that a network failure is known as "never sent" or "ambiguous".
"""

from __future__ import annotations

import httpx
from twofactor import AsyncTwoFactor
from twofactor import errors as tf
from twofactor.settings import PRODUCTION_URL

from ..classify import twofactor_send_failure, verify_unavailable
from ..outcomes import Health, VerifyOutcome
from ..ticket import Delivery
from ..tracking import NO_RETRIES, SEND_TIMEOUT, AsyncTrackingTransport, tracking

__all__ = ["AsyncTwoFactorOtp", "AsyncTwoFactorSms"]


def _client(
    api_key: str, base_url: str, timeout: float | httpx.Timeout, transport: httpx.AsyncBaseTransport | None
) -> AsyncTwoFactor:
    return AsyncTwoFactor(
        api_key,
        base_url=base_url,
        timeout=timeout,
        retry=NO_RETRIES,
        transport=AsyncTrackingTransport(transport),
    )


async def _balance(name: str, client: AsyncTwoFactor, kind: str) -> Health:
    try:
        balance = await client.balance("otp" if kind == "otp" else "transactional")
    except tf.TwoFactorError as error:
        return Health(name, False, f"{type(error).__name__}: {error}")
    return Health(name, True, f"credentials accepted; {balance} {kind} credits left")


class AsyncTwoFactorOtp:
    """2Factor's SMS OTP: AUTOGEN (6 digits) or AUTOGEN3 (4 digits), verified by session id, or by
    phone number (VERIFY3) after an ambiguous send, whose session id never arrived."""

    def __init__(
        self,
        api_key: str,
        *,
        name: str = "2factor",
        base_url: str = PRODUCTION_URL,
        template: str | None = None,
        timeout: float | httpx.Timeout = SEND_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self._template = template
        self._client = _client(api_key, base_url, timeout, transport)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, client={self._client!r})"

    async def send_otp(self, phone: str, *, length: int, ttl: float) -> str | None:
        """AUTOGEN3 for 4 digits, else AUTOGEN (6): 2Factor has no other lengths, and sets the lifetime."""
        with tracking() as exchange:
            try:
                sent = await self._client.otp.send(phone, template=self._template, digits=4 if length == 4 else 6)
            except tf.TwoFactorError as error:
                raise twofactor_send_failure(error, exchange) from None
        return sent.session_id

    async def verify_otp(self, delivery: Delivery, phone: str, code: str) -> VerifyOutcome:
        """VERIFY with the session id, or VERIFY3 with the phone number when there is none."""
        with tracking() as exchange:
            try:
                if delivery.ref is None:
                    result = await self._client.otp.verify_phone(phone, code)
                else:
                    result = await self._client.otp.verify(delivery.ref, code)
            except tf.OtpAlreadyVerified:
                return VerifyOutcome.USED
            except tf.OtpAttemptsExceeded:
                return VerifyOutcome.LOCKED
            except tf.OtpExpired:
                return VerifyOutcome.EXPIRED
            except tf.SessionNotFound:
                return VerifyOutcome.UNKNOWN
            except tf.TwoFactorError as error:
                raise verify_unavailable(self.name, error, exchange) from None
        return VerifyOutcome.MATCHED if result.matched else VerifyOutcome.MISMATCH

    async def check_credentials(self) -> Health:
        """The OTP balance: a read that sends nothing."""
        return await _balance(self.name, self._client, "otp")

    async def aclose(self) -> None:
        """Close the client."""
        await self._client.aclose()


class AsyncTwoFactorSms:
    """2Factor's R1 transactional SMS carrying the gateway's code (`sender`: a DLT-approved sender
    id; the gateway's `sms_text` must be a DLT-approved template for it)."""

    def __init__(
        self,
        api_key: str,
        *,
        sender: str,
        name: str = "2factor-sms",
        base_url: str = PRODUCTION_URL,
        timeout: float | httpx.Timeout = SEND_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self._sender = sender
        self._client = _client(api_key, base_url, timeout, transport)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, sender={self._sender!r}, client={self._client!r})"

    async def send_sms(self, phone: str, text: str) -> str:
        """One R1 message; its message id."""
        with tracking() as exchange:
            try:
                sent = await self._client.sms.send(phone, self._sender, text)
            except tf.TwoFactorError as error:
                raise twofactor_send_failure(error, exchange) from None
        return sent.message_ids[0]

    async def check_credentials(self) -> Health:
        """The transactional SMS balance: a read that sends nothing."""
        return await _balance(self.name, self._client, "transactional")

    async def aclose(self) -> None:
        """Close the client."""
        await self._client.aclose()
