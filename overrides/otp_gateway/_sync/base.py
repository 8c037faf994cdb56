# Generated from overrides/otp_gateway/_async/base.py by scripts/unasync_clients.py; do not edit.
# Change the async source and run scripts/generate.py (`--check` fails on drift).
"""The synchronous twin of `otp_gateway._async.base`: the same classes and functions, without async (docs there)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..outcomes import Health, VerifyOutcome
from ..ticket import Delivery

__all__ = ["OtpProvider", "SmsProvider"]


@runtime_checkable
class OtpProvider(Protocol):
    """A provider that generates and checks the code itself."""

    name: str

    def send_otp(self, phone: str, *, length: int, ttl: float) -> str | None:
        """Send a code of `length` digits valid `ttl` seconds (as near as the provider allows) to
        `phone`; return the provider's id of the OTP, or None if it has none."""
        ...

    def verify_otp(self, delivery: Delivery, phone: str, code: str) -> VerifyOutcome:
        """Check `code` against the OTP of `delivery` (its `ref` is None after an ambiguous send)."""
        ...

    def check_credentials(self) -> Health:
        """A harmless call that proves the credentials work, where the provider has one."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class SmsProvider(Protocol):
    """A provider that only carries an SMS; the gateway owns the code."""

    name: str

    def send_sms(self, phone: str, text: str) -> str:
        """Send `text` to `phone`; return the provider's message id."""
        ...

    def check_credentials(self) -> Health:
        """A harmless call that proves the credentials work, where the provider has one."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
