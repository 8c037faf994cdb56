"""Identifiers shaped like 2Factor's (any provider's replies can use them), drawn from the operating
system's CSPRNG (`secrets`)."""

from __future__ import annotations

import secrets
import uuid

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
# Random bytes mapped to base-36 characters in one C call. 256 is not a multiple of 36, so the first
# 4 characters are a little likelier (8/256 against 7/256): 5.16 bits per character instead of 5.17,
# which leaves the session id's ~162 random bits unguessable. OTPs, which must be uniform, use randbelow.
_TO_BASE36 = bytes(ord(_BASE36[b % 36]) for b in range(256))
_SESSION_HEAD = 19  # characters before the '-'


def session_id() -> str:
    """An OTP session id like the docs' `160gaseavbemjvlgw7o-7303503698702e11`:
    19 lowercase letters or digits, '-', 16 hex digits."""
    return secrets.token_bytes(_SESSION_HEAD).translate(_TO_BASE36).decode("ascii") + "-" + secrets.token_hex(8)


def request_id() -> str:
    """An SMS request id (a UUID, like the bulk replies' `requestId`)."""
    return str(uuid.uuid4())


def otp_digits(length: int) -> str:
    """A uniformly random OTP of `length` ASCII digits, leading zeros included."""
    return f"{secrets.randbelow(10**length):0{length}d}"
