"""Phone numbers as the gateway keeps them: one spelling per number, and a masked form for logs.

Every provider takes E.164 with a `+`, so the gateway normalises once, before any request, and a
number a provider would refuse never costs a failover. The rules are the 2Factor client's: `+91`
and 10 digits, `91` and 10 digits, or 10 digits (India); other countries `+` and 10 to 15 digits.
Only ASCII digits count (a Devanagari or fullwidth digit is refused, not converted).
"""

from __future__ import annotations

from .errors import InvalidInput

__all__ = ["mask_phone", "normalise_phone"]


def _ascii_digits(text: str) -> bool:
    return bool(text) and all("0" <= c <= "9" for c in text)


def normalise_phone(phone: str) -> str:
    """`phone` as `+<country><number>`, or InvalidInput (the text is not echoed whole)."""
    if not isinstance(phone, str):
        raise InvalidInput("the phone number must be a string")
    shown = phone[:20]
    if phone.startswith("+"):
        digits = phone[1:]
        if _ascii_digits(digits) and (
            (digits.startswith("91") and len(digits) == 12) or (not digits.startswith("91") and 10 <= len(digits) <= 15)
        ):
            return phone
    elif _ascii_digits(phone):
        if len(phone) == 10:
            return "+91" + phone
        if len(phone) == 12 and phone.startswith("91"):
            return "+" + phone
    raise InvalidInput(
        f"invalid phone number {shown!r}: use +91 and 10 digits, 91 and 10 digits, 10 digits, or + and 10 to 15 digits"
    )


def mask_phone(phone: str) -> str:
    """The number with all but its country code and last two digits hidden, for events and logs."""
    if len(phone) <= 6:
        return "*" * len(phone)
    head = 3 if phone.startswith("+") else 0
    return phone[:head] + "*" * (len(phone) - head - 2) + phone[-2:]
