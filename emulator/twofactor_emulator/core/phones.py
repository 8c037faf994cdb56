"""Phone numbers: every accepted spelling maps to one canonical form, `+<country><number>`."""

from __future__ import annotations

import re

# ASCII digits only: str.isdigit() and \d would accept Devanagari or fullwidth digits.
_PHONE_RE = re.compile(r"^\+?[0-9]{10,15}$", re.ASCII)
INVALID_PHONE = "Invalid Phone Number - Length Mismatch(Expected: 10)"


class PhoneError(ValueError):
    """Not a phone number the document accepts."""


def normalise_phone(raw: str) -> str:
    """Return the canonical `+<digits>` form of a phone number, or raise `PhoneError`.

    Accepted (document, "Phone numbers in paths"): `+919999999999`, `%2B919999999999` (decoded
    before it gets here), `919999999999` and the bare 10-digit `9999999999` (India).
    """
    text = raw  # no strip(): " 9999999999" is not a phone number, and saying so beats guessing
    if not _PHONE_RE.fullmatch(text):
        raise PhoneError(INVALID_PHONE)
    digits = text.lstrip("+")
    if text.startswith("+"):
        # An Indian number must have exactly 10 digits after +91; other countries 10-15 in all.
        if digits.startswith("91") and len(digits) != 12:
            raise PhoneError(INVALID_PHONE)
        return text
    if len(digits) == 10:
        return "+91" + digits
    if len(digits) == 12 and digits.startswith("91"):
        return "+" + digits
    raise PhoneError(INVALID_PHONE)


def national(phone: str) -> str:
    """The number without country code, as 2Factor's delivery reports write it."""
    return phone[3:] if phone.startswith("+91") else phone.lstrip("+")
