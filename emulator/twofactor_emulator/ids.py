"""Identifiers shaped like 2Factor's, drawn from the operating system's CSPRNG (`secrets`)."""

from __future__ import annotations

import secrets
import uuid

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_SESSION_HEAD = 19  # characters before the '-'
_HEAD_SPACE = 36**_SESSION_HEAD
DUMMY_SESSION = "Dummy-12345"
DUMMY_OTP = "12345"


def session_id() -> str:
    """An OTP session id like the docs' `160gaseavbemjvlgw7o-7303503698702e11`:
    19 lowercase letters or digits, '-', 16 hex digits."""
    # One big random number written in base 36 (uniform over all 36**19 heads): one CSPRNG call, not 19.
    number = secrets.randbelow(_HEAD_SPACE)
    head = []
    for _ in range(_SESSION_HEAD):
        number, digit = divmod(number, 36)
        head.append(_BASE36[digit])
    return "".join(head) + "-" + secrets.token_hex(8)


def request_id() -> str:
    """An SMS request id (a UUID, like the bulk replies' `requestId`)."""
    return str(uuid.uuid4())


def otp_digits(length: int) -> str:
    """A uniformly random OTP of `length` ASCII digits, leading zeros included."""
    return f"{secrets.randbelow(10**length):0{length}d}"
