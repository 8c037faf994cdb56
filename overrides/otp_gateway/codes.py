"""Codes the gateway generates for SMS-only providers: random digits, and their keyed hash.

A code is hashed with HMAC-SHA256 under a key derived from the app secret, salted by its ticket id.
A store's dump therefore cannot be brute-forced offline (a 6-digit code has only 10^6 values, so a
plain hash would fall in a second); whoever holds the dump and not the secret learns nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from .ticket import derive_key

__all__ = ["CodeHasher", "generate_code", "looks_like_code"]


def generate_code(length: int) -> str:
    """`length` random decimal digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**length):0{length}d}"


def looks_like_code(code: object) -> bool:
    """True for 4 to 10 ASCII digits, the only codes any provider issues."""
    return isinstance(code, str) and 4 <= len(code) <= 10 and all("0" <= c <= "9" for c in code)


class CodeHasher:
    """Digests of codes under each app secret (the ticket says which secret signed it)."""

    def __init__(self, app_secrets: Sequence[bytes]) -> None:
        self._keys = tuple(derive_key(secret, "code") for secret in app_secrets)

    def __repr__(self) -> str:
        return f"CodeHasher(secrets={len(self._keys)})"

    def digest(self, ticket_id: str, code: str, key_index: int = 0) -> str:
        """The hex digest stored for `code` of ticket `ticket_id`."""
        message = f"{ticket_id}:{code}".encode("ascii")
        return hmac.new(self._keys[key_index], message, hashlib.sha256).hexdigest()
