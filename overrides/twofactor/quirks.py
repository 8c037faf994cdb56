"""The 2Factor API's quirks, each in one place, each answering a named part of openapi/twofactor.yaml.

Words: the "status body" is 2Factor's reply body `{"Status": ..., "Details": ...}`; the "envelope"
is only the AES wrapper of the encrypted route (`envelope.py`). Generic JSON reading is
`sms_common.json_body`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput, InvalidPhoneNumber

__all__ = [
    "INDIA_TIME",
    "Phone",
    "format_schedule_time",
    "india_today",
    "join_recipients",
    "keep_literal_plus",
    "normalise_phone",
    "status_body_error",
]

# ScheduleTime / Timestamp schemas: "India time (UTC+05:30), `YYYY-MM-DD HH:MM:SS`".
INDIA_TIME = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")

_SEPARATORS = re.compile(r"[\s\-().]")
_DIGITS = re.compile(r"[0-9]+")


# "Phone numbers in paths" and components.schemas.PhoneNumber: one number, three wire formats.
@dataclass(frozen=True)
class Phone:
    """A checked phone number, held as country code + national digits (e.g. '919999999999')."""

    digits: str

    @property
    def v1_path(self) -> str:
        """V1 path segment: international format with a literal '+', as the docs write it."""
        return "+" + self.digits

    @property
    def r1(self) -> str:
        """R1 `to` and encrypted `to`: digits with country code, no '+' (the docs' '91XXXXXXXXXX')."""
        return self.digits

    @property
    def bulk(self) -> str:
        """Bulk `smsTo`: international format with '+' (the docs' '+919876543210')."""
        return "+" + self.digits

    def __str__(self) -> str:
        return "+" + self.digits


# components.schemas.PhoneNumber ("10 to 15 digits with an optional leading +") and the parameter's
# "+91..., 91 and 10 digits, or 10 digits (India)": one normal form, three wire formats above.
def normalise_phone(value: object) -> Phone:
    """Check a phone number and return it normalised, or raise `InvalidPhoneNumber`.

    Accepted: '+<country><number>' (10-15 digits in all), '91' + 10 digits, 10 digits (India),
    '0' + 10 digits (India, trunk prefix). Spaces, dashes, dots and parentheses are ignored. Indian
    mobile numbers must start with 6, 7, 8 or 9. Anything else is refused before a request is made.
    """
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidPhoneNumber(f"a phone number must be a string, not {type(value).__name__}")
    raw = str(value).strip()
    compact = _SEPARATORS.sub("", raw)
    shown = raw if len(raw) <= 32 else raw[:29] + "..."
    plus = compact.startswith("+")
    body = compact[1:] if plus else compact
    if not _DIGITS.fullmatch(body or "x"):
        raise InvalidPhoneNumber(f"invalid phone number {shown!r}: only digits and an optional leading '+' are allowed")
    if plus:
        if not 10 <= len(body) <= 15 or body.startswith("0"):
            raise InvalidPhoneNumber(f"invalid phone number {shown!r}: expected '+', a country code and the number")
        digits = body
    elif len(body) == 10:
        digits = "91" + body
    elif len(body) == 11 and body.startswith("0"):
        digits = "91" + body[1:]
    elif len(body) == 12 and body.startswith("91"):
        digits = body
    else:
        raise InvalidPhoneNumber(
            f"invalid phone number {shown!r}: use +<country code><number>, 91 and 10 digits, or 10 digits"
        )
    if digits.startswith("91") and (len(digits) != 12 or digits[2] not in "6789"):
        raise InvalidPhoneNumber(f"invalid phone number {shown!r}: an Indian mobile number is 10 digits from 6-9")
    return Phone(digits)


# RecipientList schema: "One or more phone numbers separated by commas, at most 1000".
def join_recipients(to: str | Iterable[str]) -> tuple[str, tuple[Phone, ...]]:
    """Normalise one or many recipients; return the comma-joined R1 `to` value and the phones."""
    items = [part for part in to.split(",")] if isinstance(to, str) else list(to)
    phones = tuple(normalise_phone(item) for item in items)
    if not phones:
        raise InvalidPhoneNumber("at least one recipient is needed")
    if len(phones) > 1000:
        raise InvalidPhoneNumber(f"at most 1000 recipients per request, got {len(phones)}")
    return ",".join(phone.r1 for phone in phones), phones


# ScheduleTime schema: India time, 'YYYY-MM-DD HH:MM:SS'. Only an aware datetime says which instant it is.
def format_schedule_time(when: dt.datetime) -> str:
    """Format an AWARE datetime as India time 'YYYY-MM-DD HH:MM:SS'; a naive one is `InvalidInput`."""
    if not isinstance(when, dt.datetime):
        raise InvalidInput(f"schedule_at must be a datetime, not {type(when).__name__}")
    if when.tzinfo is None or when.tzinfo.utcoffset(when) is None:
        raise InvalidInput(
            "schedule_at must be timezone-aware (e.g. datetime(..., tzinfo=timezone.utc)); "
            "a naive datetime does not say which instant it means"
        )
    return when.astimezone(INDIA_TIME).strftime("%Y-%m-%d %H:%M:%S")


# EncDlrPlaintext.smsdate: "The day the SMS was sent (India time)".
def india_today() -> dt.date:
    """Today's date in India, the day a message sent now is filed under."""
    return dt.datetime.now(INDIA_TIME).date()


# "Phone numbers in paths": the docs write a literal '+'; the generated client quotes it as %2B.
def keep_literal_plus(url: str) -> str:
    """Turn '%2B' back into a literal '+' in the path of a V1 route (httpx then sends it as is: '+'
    is legal in a path segment); the query string and any other route are unchanged."""
    path, sep, query = url.partition("?")
    if "/API/V1/" not in path:
        return url
    return path.replace("%2B", "+").replace("%2b", "+") + sep + query


# "How errors arrive": the sandbox answers errors with HTTP 200, production with 400; read `Status`.
def status_body_error(body: Mapping[str, Any] | None) -> str | None:
    """The `Details` of a status body (`{"Status": "Error", "Details": ...}`) whatever the HTTP status,
    else None."""
    if body is None or str(body.get("Status", "")).lower() != "error":
        return None
    details = body.get("Details")
    return str(details) if details not in (None, "") else "Unknown error (no Details)"
