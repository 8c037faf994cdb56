"""`POST /sms/send`: the document's field rules, segments by `coding`, credits, and the outbox row
that carries the receipt request (dlr-url, dlr-method, dlr-level) for receipts.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from ...core import http
from ...core.credits import is_gsm7, segments, ucs2_segments
from ...core.webhooks import WEBHOOK_URL_MAX_LENGTH, is_webhook_url
from . import errors

BODY_LIMIT = 64 * 1024
RECIPIENT = re.compile(r"\+?[1-9][0-9]{6,14}", re.ASCII)
SENDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ]{0,10}|\+?[0-9]{1,15}", re.ASCII)
CONTENT = re.compile(r"[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F]+")
DLR_URL = re.compile(r"https?://[^\s\x00-\x1F\x7F]+")
GSM7, UTF8 = "GSM7", "UTF-8"

Check = Callable[[Any], bool]


def _text(pattern: re.Pattern[str], low: int, high: int) -> Check:
    return lambda v: isinstance(v, str) and low <= len(v) <= high and pattern.fullmatch(v) is not None


RULES: dict[str, Check] = {
    "to": _text(RECIPIENT, 7, 16),
    "from": _text(SENDER, 1, 16),
    "content": _text(CONTENT, 1, 1600),
    "dlr": lambda v: isinstance(v, bool),
    "dlr-level": lambda v: not isinstance(v, bool) and isinstance(v, int | float) and v in (1, 2, 3),
    "dlr-url": lambda v: _text(DLR_URL, 8, WEBHOOK_URL_MAX_LENGTH)(v) and is_webhook_url(v),
    "dlr-method": lambda v: v in ("GET", "POST"),
    "coding": lambda v: v in (GSM7, UTF8),
}


@dataclass(frozen=True)
class SmsRequest:
    """A checked send."""

    to: str  # `+<digits>`
    sender: str
    content: str
    coding: str | None
    dlr_url: str | None  # None: no receipts
    dlr_method: str
    dlr_level: int

    @property
    def ucs2(self) -> bool:
        """Sent as UCS-2: asked for, or content GSM-7 cannot carry."""
        return self.coding == UTF8 or not is_gsm7(self.content)

    @property
    def segments(self) -> int:
        return ucs2_segments(self.content) if self.ucs2 else segments(self.content)


async def read_request(request: Request) -> SmsRequest:
    """The body as the document's SendSmsRequest, or the error naming the first bad field."""
    raw = await http.read_body(request, BODY_LIMIT, lambda _text: errors.DatatechlabsError(errors.INVALID_BODY))
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise errors.DatatechlabsError(errors.INVALID_BODY) from None
    if not isinstance(body, dict):
        raise errors.DatatechlabsError(errors.INVALID_BODY)
    for name in body:
        if name not in RULES:
            raise errors.unknown(name)
    for name in ("to", "from", "content"):
        if name not in body:
            raise errors.missing(name)
    for name, value in body.items():
        if not RULES[name](value):
            raise errors.invalid(name)
    dlr = body.get("dlr", False)
    if dlr:
        for name in ("dlr-url", "dlr-level"):
            if name not in body:
                raise errors.missing(name)
    coding = body.get("coding")
    if coding == GSM7 and not is_gsm7(body["content"]):
        raise errors.DatatechlabsError(errors.NOT_GSM7)
    return SmsRequest(
        to="+" + body["to"].lstrip("+"),
        sender=body["from"],
        content=body["content"],
        coding=coding,
        dlr_url=body["dlr-url"] if dlr else None,
        dlr_method=body.get("dlr-method", "GET"),
        dlr_level=int(body.get("dlr-level", 0)) if dlr else 0,
    )
