"""Checks of the caller's arguments against the document's schemas, made before any request.

A value the server would refuse (or, worse, that would change which route a path matches, like a
template name with a '/') is refused here with `InvalidInput`, so nothing is sent and nothing is
charged. Each check names the schema of openapi/twofactor.yaml it follows.
"""

from __future__ import annotations

import datetime as dt
import re

from .errors import InvalidInput

__all__ = [
    "check_callback_value",
    "check_campaign",
    "check_code",
    "check_dlt_id",
    "check_sender",
    "check_session_id",
    "check_sms_date",
    "check_template",
    "check_text",
    "check_webhook_url",
]

_CODE = re.compile(r"[0-9]{4,6}")  # OtpCode
_TEMPLATE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # TemplateName
_SESSION_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # SessionId
_SENDER = re.compile(r"[A-Za-z0-9]{1,6}")  # SenderId
_DLT_ID = re.compile(r"[0-9]{1,30}")  # DltId
_CAMPAIGN = re.compile(r"[A-Za-z0-9 _.-]{1,100}")  # CampaignName
_WEBHOOK_URL = re.compile(r"https?://\S+")  # WebhookUrl's pattern; its length limits are _WEBHOOK_URL_LENGTH
_WEBHOOK_URL_LENGTH = range(8, 2048 + 1)  # WebhookUrl: minLength 8, maxLength 2048
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # SmsText forbids these
_CALLBACK_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # CallbackValue forbids these


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _matching(pattern: re.Pattern[str], value: object, what: str, rule: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise InvalidInput(f"invalid {what} {_shown(value)}: expected {rule}")
    return value


def check_code(value: object, what: str = "OTP") -> str:
    """An OTP (sent or typed by the user): 4 to 6 ASCII digits."""
    return _matching(_CODE, value, what, "4 to 6 digits")


def check_template(value: object) -> str:
    """A template name: 1-64 letters, digits, '_' or '-'."""
    return _matching(_TEMPLATE, value, "template name", "1 to 64 letters, digits, '_' or '-'")


def check_session_id(value: object) -> str:
    """An OTP session id as a send returned it."""
    return _matching(_SESSION_ID, value, "session id", "1 to 64 letters, digits or '-' (the Details of a send)")


def check_sender(value: object) -> str:
    """A DLT sender id (header): 1-6 letters or digits."""
    return _matching(_SENDER, value, "sender id", "1 to 6 letters or digits")


def check_dlt_id(value: object, what: str) -> str:
    """A DLT PEID or CTID: digits."""
    return _matching(_DLT_ID, value, what, "1 to 30 digits")


def check_campaign(value: object) -> str:
    """A click-tracking campaign name."""
    return _matching(_CAMPAIGN, value, "campaign name", "1 to 100 letters, digits, spaces, '_', '.' or '-'")


def check_webhook_url(value: object, what: str) -> str:
    """A URL 2Factor posts webhooks to: absolute http or https, no spaces, at most 2048 characters."""
    rule = "an absolute http:// or https:// URL without spaces, at most 2048 characters"
    if isinstance(value, str) and len(value) not in _WEBHOOK_URL_LENGTH:
        raise InvalidInput(f"invalid {what} {_shown(value)}: expected {rule}")
    return _matching(_WEBHOOK_URL, value, what, rule)


def check_text(value: object) -> str:
    """An SMS text: 1-1000 characters, no control characters but tab, LF and CR."""
    if not isinstance(value, str) or not 1 <= len(value) <= 1000:
        length = len(value) if isinstance(value, str) else type(value).__name__
        raise InvalidInput(f"invalid SMS text ({length}): expected 1 to 1000 characters")
    if _CONTROL.search(value):
        raise InvalidInput("invalid SMS text: control characters other than tab, LF and CR are refused")
    return value


def check_callback_value(value: object, what: str) -> str:
    """A callback value echoed in webhooks: 1-256 characters, no control characters."""
    if not isinstance(value, str) or not 1 <= len(value) <= 256 or _CALLBACK_CONTROL.search(value):
        raise InvalidInput(f"invalid {what} {_shown(value)}: expected 1 to 256 characters without control characters")
    return value


def check_sms_date(value: object) -> dt.date:
    """The day an SMS was sent: a `date` or 'YYYY-MM-DD'. A datetime is refused: its day depends on the zone."""
    if isinstance(value, dt.datetime):
        raise InvalidInput("pass the day the SMS was sent as a date (India time), not a datetime")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"invalid SMS date {_shown(value)}: expected a date or 'YYYY-MM-DD'")
