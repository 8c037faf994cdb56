"""What the Tata Smart 2FA client returns: plain frozen dataclasses, never the wire models."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Channel", "Limit", "LimitBucket", "OtpRecord", "OtpSent", "UsageRecord", "VerifyResult"]

Channel = Literal["sms", "call", "email"]


@dataclass(frozen=True)
class OtpSent:
    """An OTP was sent. `request_id` names it for `verify`, `cancel` and `get_otp`."""

    request_id: str
    service: str
    to: str
    channel: Channel


@dataclass(frozen=True)
class VerifyResult:
    """The verdict of a verify. A wrong code is `matched=False` (it counts as an attempt)."""

    matched: bool
    request_id: str | None
    details: str


@dataclass(frozen=True)
class OtpRecord:
    """One OTP as search returns it (never with its code)."""

    request_id: str
    service: str
    channel: Channel
    to: str
    sender: str | None
    status: Literal["pending", "verified", "canceled", "expired", "locked"]
    attempts: int
    created: dt.datetime
    expires: dt.datetime
    updated: dt.datetime
    account_sid: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class LimitBucket:
    """At most `max` OTPs per `interval` seconds."""

    name: str
    max: int
    interval: int


@dataclass(frozen=True)
class Limit:
    """A named limit that sends can refer to in `limits`."""

    limit_sid: str
    name: str
    buckets: tuple[LimitBucket, ...]
    description: str | None
    created: dt.datetime
    updated: dt.datetime
    account_sid: str = field(repr=False)


@dataclass(frozen=True)
class UsageRecord:
    """OTPs sent and verified on one channel between two UTC days (both inclusive)."""

    category: Channel
    start: dt.date
    end: dt.date
    count: int
    verified: int
