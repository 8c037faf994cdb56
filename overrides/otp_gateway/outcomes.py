"""What a send attempt and a verify can come to, in words every provider shares.

Each provider adapter turns its own client's errors into a `SendFailed` of one `FailureKind`; the
gateway decides on the kind alone (fail over, count against the breaker, or give up), so the
failover rules live in one place (`policy`) and not once per provider.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["FailureKind", "Health", "SendFailed", "VerifyOutcome", "VerifyResult"]


class FailureKind(enum.StrEnum):
    """Why one provider did not send."""

    UNAVAILABLE = "unavailable"  # no connection, a timeout before the request left, HTTP 5xx
    RATE_LIMITED = "rate_limited"  # HTTP 429, or the provider's own per-number throttle
    NO_CREDITS = "no_credits"  # the account cannot pay for the message
    CREDENTIALS = "credentials"  # the provider refused our keys: misconfigured, not the user's fault
    REFUSED = "refused"  # another refusal of the provider's own (a template, a sender id, an account setting)
    AMBIGUOUS = "ambiguous"  # the request may have reached the provider: it may have sent the SMS
    CIRCUIT_OPEN = "circuit_open"  # skipped: the provider's breaker is open
    INVALID_REQUEST = "invalid_request"  # the provider calls the number invalid: no other would take it either


class SendFailed(Exception):
    """Raised by an adapter when its provider did not (surely) send. Internal to the gateway.

    `counts` says whether the failure is evidence against the provider's health (a per-number
    throttle is not). `error` is the provider client's own typed error, already redacted.
    """

    def __init__(
        self,
        kind: FailureKind,
        reason: str,
        *,
        status_code: int | None = None,
        counts: bool = True,
        error: BaseException | None = None,
    ) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.status_code = status_code
        self.counts = counts
        self.error = error
        self.local_ref: str | None = None  # set by the gateway: the store key of a local code


class VerifyOutcome(enum.StrEnum):
    """The verdict on a code. Only MATCHED logs the user in; MISMATCH lets them try again."""

    MATCHED = "matched"
    MISMATCH = "mismatch"  # wrong code (or not 4 to 10 digits); the OTP stays live
    EXPIRED = "expired"  # the ticket or the OTP outlived its time: send a new one
    USED = "used"  # the OTP was already matched once: OTPs are single use
    LOCKED = "locked"  # too many wrong codes: even the right one fails now
    UNKNOWN = "unknown"  # the provider has no such OTP (never sent, or cancelled)


@dataclass(frozen=True)
class VerifyResult:
    """The verdict, which provider gave it, and for which ticket. True only when matched."""

    outcome: VerifyOutcome
    provider: str
    ticket_id: str

    @property
    def matched(self) -> bool:
        """True when the code matched the ticket's live OTP (this once)."""
        return self.outcome is VerifyOutcome.MATCHED

    @property
    def final(self) -> bool:
        """True when no later code can match this ticket: send a new OTP."""
        return self.outcome not in (VerifyOutcome.MATCHED, VerifyOutcome.MISMATCH)

    def __bool__(self) -> bool:
        return self.matched


@dataclass(frozen=True)
class Health:
    """What `doctor` found for one provider. `ok` is None when the provider has no harmless call
    (checking its credentials would send a message)."""

    provider: str
    ok: bool | None
    details: str
