# Generated from overrides/otp_gateway/_async/twofactor.py by scripts/unasync_clients.py; do not edit.
# Change the async source and run scripts/generate.py (`--check` fails on drift).
"""The synchronous twin of `otp_gateway._async.twofactor`:
the same classes and functions, without async (docs there)."""

from __future__ import annotations

import httpx
from twofactor import TwoFactor
from twofactor import errors as tf
from twofactor.settings import PRODUCTION_URL

from ..classify import twofactor_send_failure, verify_unavailable
from ..outcomes import Health, VerifyOutcome
from ..ticket import Delivery
from ..tracking import NO_RETRIES, SEND_TIMEOUT, TrackingTransport, tracking

__all__ = ["TwoFactorOtp", "TwoFactorSms"]


def _client(
    api_key: str, base_url: str, timeout: float | httpx.Timeout, transport: httpx.BaseTransport | None
) -> TwoFactor:
    return TwoFactor(
        api_key,
        base_url=base_url,
        timeout=timeout,
        retry=NO_RETRIES,
        transport=TrackingTransport(transport),
    )


def _balance(name: str, client: TwoFactor, kind: str) -> Health:
    try:
        balance = client.balance("otp" if kind == "otp" else "transactional")
    except tf.TwoFactorError as error:
        return Health(name, False, f"{type(error).__name__}: {error}")
    return Health(name, True, f"credentials accepted; {balance} {kind} credits left")


class TwoFactorOtp:
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
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = name
        self._template = template
        self._client = _client(api_key, base_url, timeout, transport)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, client={self._client!r})"

    def send_otp(self, phone: str, *, length: int, ttl: float) -> str | None:
        """AUTOGEN3 for 4 digits, else AUTOGEN (6): 2Factor has no other lengths, and sets the lifetime."""
        with tracking() as exchange:
            try:
                sent = self._client.otp.send(phone, template=self._template, digits=4 if length == 4 else 6)
            except tf.TwoFactorError as error:
                raise twofactor_send_failure(error, exchange) from None
        return sent.session_id

    def verify_otp(self, delivery: Delivery, phone: str, code: str) -> VerifyOutcome:
        """VERIFY with the session id, or VERIFY3 with the phone number when there is none."""
        with tracking() as exchange:
            try:
                if delivery.ref is None:
                    result = self._client.otp.verify_phone(phone, code)
                else:
                    result = self._client.otp.verify(delivery.ref, code)
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

    def check_credentials(self) -> Health:
        """The OTP balance: a read that sends nothing."""
        return _balance(self.name, self._client, "otp")

    def close(self) -> None:
        """Close the client."""
        self._client.close()


class TwoFactorSms:
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
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = name
        self._sender = sender
        self._client = _client(api_key, base_url, timeout, transport)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, sender={self._sender!r}, client={self._client!r})"

    def send_sms(self, phone: str, text: str) -> str:
        """One R1 message; its message id."""
        with tracking() as exchange:
            try:
                sent = self._client.sms.send(phone, self._sender, text)
            except tf.TwoFactorError as error:
                raise twofactor_send_failure(error, exchange) from None
        return sent.message_ids[0]

    def check_credentials(self) -> Health:
        """The transactional SMS balance: a read that sends nothing."""
        return _balance(self.name, self._client, "transactional")

    def close(self) -> None:
        """Close the client."""
        self._client.close()
