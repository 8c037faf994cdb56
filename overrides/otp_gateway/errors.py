"""Typed errors of the OTP gateway, under the root every provider client shares.

`OtpGatewayError` is a `ProviderError`, so `except ProviderError` catches a failed failover as it
catches one provider's failure. Each error carries `details` (our explanation; never a code, a key
or a token) and, where one provider's answer is the cause, that answer's `status_code`.

- `InvalidTicket`: a ticket that is malformed, signed with another secret, tampered with, or from
  another gateway; nothing was sent to any provider.
- `AllProvidersFailed`: no provider could send; `failures` names each provider and why.
- `VerifyUnavailable`: the provider that issued the live OTP could not be asked. A verify never
  fails over (only that provider knows its code) and is never repeated (each try burns an attempt).
- `InvalidInput`: an argument was refused before any request (a malformed phone number, say).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sms_common.errors import ProviderError

__all__ = [
    "AllProvidersFailed",
    "InvalidInput",
    "InvalidTicket",
    "OtpGatewayError",
    "ProviderError",
    "ProviderFailure",
    "VerifyUnavailable",
]


class OtpGatewayError(ProviderError):
    """Root of every error the OTP gateway raises on purpose."""

    provider = "OTP gateway"


class InvalidInput(OtpGatewayError, ValueError):
    """An argument was refused before any request was made."""


class InvalidTicket(OtpGatewayError, ValueError):
    """The ticket cannot be trusted: malformed, tampered with, or signed with an unknown secret."""


@dataclass(frozen=True)
class ProviderFailure:
    """Why one provider did not send: `kind` is a `FailureKind` value, `reason` a redacted text."""

    provider: str
    kind: str
    reason: str
    status_code: int | None = None

    def __str__(self) -> str:
        status = f", HTTP {self.status_code}" if self.status_code is not None else ""
        return f"{self.provider}: {self.kind}{status} ({self.reason})"


class AllProvidersFailed(OtpGatewayError):
    """No provider sent the OTP. `failures` lists every provider in the order tried (or skipped)."""

    def __init__(self, failures: Sequence[ProviderFailure]) -> None:
        self.failures: tuple[ProviderFailure, ...] = tuple(failures)
        listed = "; ".join(str(failure) for failure in self.failures) or "no provider is configured"
        super().__init__(f"no provider could send the OTP: {listed}")


class VerifyUnavailable(OtpGatewayError):
    """The provider that issued the live OTP could not be asked; the code was not checked anywhere else.

    `may_have_arrived` is False when the request surely did not reach the provider's check (the
    connection was refused, or the provider answered HTTP 429): asking again costs no attempt.
    Otherwise the app can ask again (the attempt cap still holds) or offer a resend, which goes to
    another provider first.
    """

    def __init__(self, details: str, *, status_code: int | None = None, may_have_arrived: bool = True) -> None:
        super().__init__(details, status_code=status_code)
        self.may_have_arrived = may_have_arrived
