"""`OtpTicket`: what the app keeps between send and verify, and its signed text form.

A ticket names the phone number, which providers sent a code for it and under which of their ids,
and when it expires. It never holds a code. Its text form (`ticket.token`) fits a session or a
cookie: `otp1.<base64url JSON>.<base64url HMAC-SHA256>`. It is signed because it says which provider
and which provider session to ask: a forged ticket could point a verify at someone else's session.
It is signed, not encrypted: whoever holds it can read the phone number (as in any signed cookie).

Secrets rotate: the first secret signs, every secret is accepted, and a ticket remembers which one
checked it (the gateway hashes a local code with the same one).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput, InvalidTicket, ProviderFailure
from .phones import mask_phone

__all__ = ["MAX_DELIVERIES", "Delivery", "OtpTicket", "TicketSigner", "derive_key", "new_ticket_id"]

PREFIX = "otp1"
MAX_TOKEN_CHARS = 4096  # refused before any decoding: a ticket is a few hundred characters
MAX_DELIVERIES = 8  # a ticket's history (first send and resends) is bounded, as is its cookie
MIN_SECRET_BYTES = 16


def new_ticket_id() -> str:
    """128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose (ticket signing, code hashing) from the app secret."""
    return hmac.new(secret, f"otp_gateway {purpose} v1".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class Delivery:
    """One send of a code for a ticket.

    `ref` is the provider's id of its OTP session (None when the send was ambiguous and no reply
    came, or when the code is local). `local` means the gateway generated the code and keeps its
    hash; otherwise the provider generated it and checks it.
    """

    provider: str
    ref: str | None
    local: bool
    sent_at: float
    ambiguous: bool = False


@dataclass(frozen=True)
class OtpTicket:
    """A sent OTP: the phone, its deliveries (the last is the live one), and when it expires.

    `token` is the signed text form to keep in a session or cookie; `str(ticket)` is the same.
    `failures` lists the providers that failed during the send that made this ticket (for the
    caller's monitoring); it is not part of the token.
    """

    id: str
    phone: str
    issued_at: float
    expires_at: float
    deliveries: tuple[Delivery, ...]
    token: str = field(default="", compare=False, repr=False)
    failures: tuple[ProviderFailure, ...] = field(default=(), compare=False)
    key_index: int = field(default=0, compare=False, repr=False)

    @property
    def live(self) -> Delivery:
        """The delivery whose code a verify checks: the latest one."""
        return self.deliveries[-1]

    @property
    def provider(self) -> str:
        """The provider that sent the live code."""
        return self.live.provider

    @property
    def ambiguous(self) -> bool:
        """True when the live send may or may not have reached its provider (no reply came)."""
        return self.live.ambiguous

    def __str__(self) -> str:
        return self.token

    def __repr__(self) -> str:
        return (
            f"OtpTicket(id={self.id!r}, phone={mask_phone(self.phone)!r}, provider={self.provider!r}, "
            f"ambiguous={self.ambiguous!r}, deliveries={len(self.deliveries)}, expires_at={self.expires_at!r})"
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(not (c.isascii() and (c.isalnum() or c in "-_")) for c in text):
        raise InvalidTicket("the ticket is malformed")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidTicket("the ticket is malformed") from None


def _payload(ticket: OtpTicket) -> dict[str, Any]:
    return {
        "i": ticket.id,
        "p": ticket.phone,
        "t": ticket.issued_at,
        "e": ticket.expires_at,
        "d": [[d.provider, d.ref, int(d.local), d.sent_at, int(d.ambiguous)] for d in ticket.deliveries],
    }


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InvalidTicket("the ticket is malformed")
    return float(value)


def _text(value: Any, limit: int = 256) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InvalidTicket("the ticket is malformed")
    return value


def _flag(value: Any) -> bool:
    if type(value) is not int or value not in (0, 1):
        raise InvalidTicket("the ticket is malformed")
    return bool(value)


def _ticket(data: Any, token: str, key_index: int) -> OtpTicket:
    """The ticket of a decoded payload; any field of the wrong shape is InvalidTicket."""
    if not isinstance(data, dict) or set(data) != {"i", "p", "t", "e", "d"}:
        raise InvalidTicket("the ticket is malformed")
    raw = data["d"]
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_DELIVERIES:
        raise InvalidTicket("the ticket is malformed")
    deliveries = []
    for item in raw:
        if not isinstance(item, list) or len(item) != 5:
            raise InvalidTicket("the ticket is malformed")
        provider, ref, local, sent_at, ambiguous = item
        deliveries.append(
            Delivery(
                provider=_text(provider, 64),
                ref=None if ref is None else _text(ref),
                local=_flag(local),
                sent_at=_number(sent_at),
                ambiguous=_flag(ambiguous),
            )
        )
    return OtpTicket(
        id=_text(data["i"], 64),
        phone=_text(data["p"], 20),
        issued_at=_number(data["t"]),
        expires_at=_number(data["e"]),
        deliveries=tuple(deliveries),
        token=token,
        key_index=key_index,
    )


class TicketSigner:
    """Signs tickets with the first secret and checks them against every secret (rotation)."""

    def __init__(self, app_secrets: Sequence[bytes]) -> None:
        if not app_secrets:
            raise InvalidInput("the gateway needs at least one secret to sign tickets")
        for secret in app_secrets:
            if len(secret) < MIN_SECRET_BYTES:
                raise InvalidInput(f"each secret must be at least {MIN_SECRET_BYTES} bytes ({len(secret)} given)")
        self._keys = tuple(derive_key(secret, "ticket") for secret in app_secrets)

    def __repr__(self) -> str:
        return f"TicketSigner(secrets={len(self._keys)})"

    def _mac(self, key: bytes, signed: str) -> str:
        return _b64(hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest())

    def sign(self, ticket: OtpTicket) -> OtpTicket:
        """The ticket with its token set (signed with the first secret)."""
        body = _b64(json.dumps(_payload(ticket), separators=(",", ":"), ensure_ascii=True).encode("ascii"))
        signed = f"{PREFIX}.{body}"
        token = f"{signed}.{self._mac(self._keys[0], signed)}"
        if len(token) > MAX_TOKEN_CHARS:
            raise InvalidInput("the ticket grew past its size limit")
        return OtpTicket(
            id=ticket.id,
            phone=ticket.phone,
            issued_at=ticket.issued_at,
            expires_at=ticket.expires_at,
            deliveries=ticket.deliveries,
            token=token,
            failures=ticket.failures,
            key_index=0,
        )

    def load(self, token: str) -> OtpTicket:
        """The ticket of a token, or InvalidTicket. The signature is checked before anything is parsed."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or not token.isascii():
            raise InvalidTicket("the ticket is malformed")
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != PREFIX:
            raise InvalidTicket("the ticket is malformed")
        signed = f"{parts[0]}.{parts[1]}"
        matches = [
            index for index, key in enumerate(self._keys) if hmac.compare_digest(self._mac(key, signed), parts[2])
        ]
        if not matches:
            raise InvalidTicket("the ticket's signature does not match: tampered with, or signed with another secret")
        try:
            data = json.loads(_unb64(parts[1]).decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            raise InvalidTicket("the ticket is malformed") from None
        return _ticket(data, token, matches[0])
