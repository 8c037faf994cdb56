"""What the client's methods return: small frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BulkAccepted",
    "BulkFailure",
    "BulkMessage",
    "BulkResult",
    "DeliveryStatus",
    "EncryptedSent",
    "OtpSent",
    "SmsSent",
    "VerifyResult",
]


@dataclass(frozen=True)
class OtpSent:
    """An OTP was sent. `otp` is set only when the server returned it (return_otp=True)."""

    session_id: str
    otp: str | None = None
    operation: str = ""


@dataclass(frozen=True)
class VerifyResult:
    """The verdict of a verify: `matched` is False for "OTP Mismatch". `details` is 2Factor's text."""

    matched: bool
    details: str

    def __bool__(self) -> bool:
        return self.matched


@dataclass(frozen=True)
class SmsSent:
    """An R1 send was accepted. The n-th recipient's message id is `<request_id>-<n>` (from 1)."""

    request_id: str
    recipients: tuple[str, ...]

    @property
    def message_ids(self) -> tuple[str, ...]:
        """One id per recipient, in the order given."""
        return tuple(f"{self.request_id}-{n}" for n in range(1, len(self.recipients) + 1))


@dataclass(frozen=True)
class BulkMessage:
    """One message of a bulk send (sender id, recipient, text, optional callback values)."""

    sender: str
    to: str
    text: str
    callback_value1: str | None = None
    callback_value2: str | None = None


@dataclass(frozen=True)
class BulkAccepted:
    """A bulk message that was queued. `index` is its position in the caller's list."""

    index: int
    phone: str
    message_id: str


@dataclass(frozen=True)
class BulkFailure:
    """A bulk message that was not queued, and why. `index` is its position in the caller's list."""

    index: int
    phone: str
    error: str


@dataclass(frozen=True)
class BulkResult:
    """The combined result of one or more bulk requests (at most 1000 messages each)."""

    accepted: tuple[BulkAccepted, ...]
    failed: tuple[BulkFailure, ...]
    request_ids: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every message was accepted."""
        return not self.failed

    @property
    def message_ids(self) -> tuple[str, ...]:
        """Ids of the accepted messages, in the caller's order."""
        return tuple(item.message_id for item in self.accepted)


@dataclass(frozen=True)
class EncryptedSent:
    """An encrypted send was accepted; `request_id` is the opened reply's `Details`."""

    request_id: str


@dataclass(frozen=True)
class DeliveryStatus:
    """The delivery status of an encrypted send. `status` is None when no record was found."""

    details: str
    status: str | None = None
    sent_at: str | None = None
    delivered_at: str | None = None

    @property
    def found(self) -> bool:
        """True when the server had a record for the message."""
        return self.status is not None
