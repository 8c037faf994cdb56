"""Identifiers shaped like 2Factor's."""

from __future__ import annotations

import secrets
import string
import uuid

_ALNUM = string.ascii_lowercase + string.digits
DUMMY_SESSION = "Dummy-12345"
DUMMY_OTP = "12345"


def session_id() -> str:
    """An OTP session id like the docs' `160gaseavbemjvlgw7o-7303503698702e11`:
    19 lowercase alphanumerics, '-', 16 hex digits."""
    return "".join(secrets.choice(_ALNUM) for _ in range(19)) + "-" + secrets.token_hex(8)


def request_id() -> str:
    """An SMS request id (a UUID, like the bulk replies' `requestId`)."""
    return str(uuid.uuid4())


def otp_digits(length: int) -> str:
    """A random OTP of `length` ASCII digits from a CSPRNG."""
    return "".join(secrets.choice(string.digits) for _ in range(length))
