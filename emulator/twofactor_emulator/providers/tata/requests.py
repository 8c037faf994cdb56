"""Reading and checking Tata request bodies and queries against openapi/tata-smart2fa.yaml's schemas.

Every rule is the document's: a body is one JSON object of at most 64 KiB; a field it does not
define is `Unknown parameter: <name>`, a required one that is absent `Missing parameter: <name>`, a
value that breaks its schema `Invalid parameter: <name>`. Patterns are matched whole (`fullmatch`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from starlette.requests import Request

from ...core import http
from . import errors

BODY_LIMIT = 64 * 1024
_NO_CONTROL = r"[^\x00-\x1F\x7F]"
SERVICE = re.compile(_NO_CONTROL + r"{1,64}")
SOURCE = re.compile(r"\+?[0-9]{1,15}|[A-Za-z0-9]{1,11}", re.ASCII)
PHONE_DESTINATION = re.compile(r"\+?[0-9]{1,15}|client:[A-Za-z0-9_.-]{1,64}", re.ASCII)
EMAIL = re.compile(r"[^@\s\x00-\x1F\x7F]{1,64}@[^@\s\x00-\x1F\x7F]{1,253}")
ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}", re.ASCII)
REQUEST_ID = re.compile(r"OTP[0-9A-Za-z]{31}", re.ASCII)
SUBJECT = re.compile(_NO_CONTROL + r"{1,255}")
LANGUAGE = re.compile(r"(?:[a-z0-9]{1,20}\.)?[a-z]{2,3}-[A-Z]{2}", re.ASCII)
BODY_TEXT = re.compile(r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*\{code\}[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*")
OTP_CODE = re.compile(r"[0-9]{4,10}", re.ASCII)
LIMIT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}", re.ASCII)
LIMIT_VALUE = re.compile(_NO_CONTROL + r"{1,256}")
DESCRIPTION = re.compile(_NO_CONTROL + r"{1,256}")
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", re.ASCII)
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
CHANNELS = ("sms", "call", "email")
STATUSES = ("pending", "verified", "canceled", "expired", "locked")

Check = Callable[[Any], bool]


def text(pattern: re.Pattern[str], low: int = 1, high: int = 10_000) -> Check:
    """A string of `low` to `high` characters matching `pattern` whole."""
    return lambda v: isinstance(v, str) and low <= len(v) <= high and pattern.fullmatch(v) is not None


def integer(low: int, high: int) -> Check:
    """A JSON integer (6.0 is one, as JSON Schema counts) from `low` to `high`; never a boolean."""

    def check(v: Any) -> bool:
        if isinstance(v, bool) or not isinstance(v, int | float):
            return False
        if isinstance(v, float) and not v.is_integer():
            return False
        return low <= v <= high

    return check


def one_of(*values: str) -> Check:
    return lambda v: isinstance(v, str) and v in values


def as_int(value: Any) -> int:
    return int(value)


async def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or `Invalid request body`."""
    raw = await http.read_body(request, BODY_LIMIT, lambda _text: errors.invalid_body())
    try:
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise errors.invalid_body() from None
    if not isinstance(value, dict):
        raise errors.invalid_body()
    return value


def check_fields(body: Mapping[str, Any], rules: Mapping[str, Check], required: Sequence[str]) -> None:
    """Unknown, then missing, then invalid fields, each answered with the document's texts."""
    for name in body:
        if name not in rules:
            raise errors.unknown(name)
    for name in required:
        if name not in body:
            raise errors.missing(name)
    for name, value in body.items():
        if not rules[name](value):
            raise errors.invalid(name)


def real_timestamp(value: Any) -> bool:
    if not (isinstance(value, str) and TIMESTAMP.fullmatch(value)):
        return False
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True


def real_day(value: Any) -> bool:
    if not (isinstance(value, str) and DAY.fullmatch(value)):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def epoch_of_timestamp(value: str) -> float:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def destination(value: str) -> str:
    """A destination as stored and compared: `+<digits>` for a number (the `+` is optional in a
    request), a `client:` name or an email address as given."""
    if SOURCE.fullmatch(value) and value.lstrip("+").isdigit():
        return "+" + value.lstrip("+")
    return value


def _limit_values(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and 1 <= len(value) <= 10
        and all(isinstance(k, str) and LIMIT_NAME.fullmatch(k) for k in value)
        and all(text(LIMIT_VALUE, 1, 256)(v) for v in value.values())
    )


SEND_RULES: dict[str, Check] = {
    "service": text(SERVICE, 1, 64),
    "from": text(SOURCE, 1, 16),
    "to": text(re.compile(f"{PHONE_DESTINATION.pattern}|{EMAIL.pattern}"), 1, 254),
    "body": text(BODY_TEXT, 6, 1600),
    "channel": one_of(*CHANNELS),
    "accountSid": text(ACCOUNT_SID, 34, 34),
    "subject": text(SUBJECT, 1, 255),
    "emailFrom": text(EMAIL, 3, 254),
    "language": text(LANGUAGE, 5, 40),
    "repeat": integer(1, 10),
    "length": integer(4, 10),
    "voice": one_of("man", "woman"),
    "timeout": integer(30, 86400),
    "guardTime": integer(0, 3600),
    "limits": _limit_values,
}


@dataclass(frozen=True)
class SendRequest:
    """A checked send."""

    service: str
    channel: str
    to: str  # as stored (see `destination`)
    sender: str | None  # `from`, or `emailFrom` for email
    body: str
    subject: str | None
    account_sid: str | None
    language: str | None
    voice: str | None
    repeat: int
    length: int
    timeout: int
    guard_time: int
    limits: dict[str, str]


def send_request(body: dict[str, Any]) -> SendRequest:
    """The document's SendOtpRequest, with its channel rules (the `if`/`then` of the schema)."""
    check_fields(body, SEND_RULES, ("service", "to", "body"))
    channel = body.get("channel", "sms")
    to = body["to"]
    if channel == "email":
        for name in ("subject", "emailFrom"):
            if name not in body:
                raise errors.missing(name)
        if not text(EMAIL, 3, 254)(to):
            raise errors.invalid("to")
    else:
        if "from" not in body:
            raise errors.missing("from")
        if not text(PHONE_DESTINATION, 1, 71)(to):
            raise errors.invalid("to")
    return SendRequest(
        service=body["service"],
        channel=channel,
        to=destination(to),
        sender=body.get("emailFrom") if channel == "email" else body["from"],
        body=body["body"],
        subject=body.get("subject") if channel == "email" else None,
        account_sid=body.get("accountSid"),
        language=body.get("language"),
        voice=body.get("voice"),
        repeat=as_int(body.get("repeat", 1)),
        length=as_int(body.get("length", 6)),
        timeout=as_int(body.get("timeout", 300)),
        guard_time=as_int(body.get("guardTime", 0)),
        limits=dict(body.get("limits", {})),
    )


DESTINATION = text(re.compile(f"{PHONE_DESTINATION.pattern}|{EMAIL.pattern}"), 1, 254)
SELECT_RULES: dict[str, Check] = {
    "service": text(SERVICE, 1, 64),
    "number": DESTINATION,
    "requestID": text(REQUEST_ID, 34, 34),
}
VERIFY_RULES: dict[str, Check] = {**SELECT_RULES, "code": text(OTP_CODE, 4, 10)}

SEARCH_RULES: dict[str, Check] = {
    "service": text(SERVICE, 1, 64),
    "to": DESTINATION,
    "channel": one_of(*CHANNELS),
    "status": one_of(*STATUSES),
    "startTime": real_timestamp,
    "endTime": real_timestamp,
    "page": integer(0, 100000),
    "pageSize": integer(1, 1000),
}
USAGE_RULES: dict[str, Check] = {
    "category": one_of(*CHANNELS),
    "startDate": real_day,
    "endDate": real_day,
}


def _bucket(value: Any) -> bool:
    rules = {"name": text(LIMIT_NAME, 1, 64), "max": integer(1, 1_000_000), "interval": integer(1, 2_678_400)}
    return isinstance(value, dict) and set(value) == set(rules) and all(rules[k](v) for k, v in value.items())


def _buckets(value: Any) -> bool:
    return isinstance(value, list) and 1 <= len(value) <= 2 and all(_bucket(b) for b in value)


LIMIT_RULES: dict[str, Check] = {
    "name": text(LIMIT_NAME, 1, 64),
    "accountSid": text(ACCOUNT_SID, 34, 34),
    "description": text(DESCRIPTION, 1, 256),
    "buckets": _buckets,
}
LIMIT_UPDATE_RULES: dict[str, Check] = {"description": LIMIT_RULES["description"], "buckets": _buckets}


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter, or `Invalid parameter: <name>`."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 7 and low <= int(raw) <= high):
        raise errors.invalid(name)
    return int(raw)
