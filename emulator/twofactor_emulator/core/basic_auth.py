"""HTTP Basic authentication, for provider families whose API uses it (Tata Smart 2FA, datatechlabs).

The header is read strictly: the `Basic` scheme (any case), canonical base64 of UTF-8 `user:password`.
Anything else is "no credentials", which a family answers as a wrong pair: a 401 that never says
which part was wrong. Passwords are compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping

MAX_HEADER_LENGTH = 1024


def basic_credentials(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """The (user, password) of an `Authorization: Basic ...` header, or None."""
    header = headers.get("authorization")
    if header is None or len(header) > MAX_HEADER_LENGTH:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    user, colon, password = decoded.partition(":")
    if not colon or not user:
        return None
    return user, password


def password_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of a password or token."""
    return hmac.compare_digest(given.encode(), expected.encode())


def www_authenticate(realm: str) -> dict[str, str]:
    """The header of a 401 that asks for Basic credentials."""
    return {"WWW-Authenticate": f'Basic realm="{realm}"'}


def masked(secret: str) -> str:
    """A secret as a banner shows it: its first and last 4 characters only."""
    return f"{secret[:4]}…{secret[-4:]}" if len(secret) > 12 else "…"
