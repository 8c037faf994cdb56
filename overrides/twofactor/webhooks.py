"""Parsing the webhooks 2Factor posts back: bulk delivery reports (JSON) and link clicks (forms)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from .errors import WebhookError

__all__ = ["CampaignClick", "DeliveryReport", "ShortUrlClick", "parse_click", "parse_delivery_report"]

DELIVERY_STATUSES = frozenset({"DELIVERED", "FAILED", "DND", "INVALID_NUMBER"})
_MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class DeliveryReport:
    """webhooks.bulkDeliveryReport: the delivery report of one bulk message."""

    session_id: str
    sender: str
    to: str
    status: str
    sent_at: str
    status_at: str
    callback_value1: str | None = None
    callback_value2: str | None = None

    @property
    def delivered(self) -> bool:
        """True when the status is DELIVERED."""
        return self.status == "DELIVERED"


@dataclass(frozen=True)
class CampaignClick:
    """webhooks.campaignClick: a click on a campaign short link."""

    accessed: str
    phone: str
    campaign_name: str
    ip: str


@dataclass(frozen=True)
class ShortUrlClick:
    """webhooks.shortUrlClick: a click on a short link made with shortenurl=1."""

    accessed: str
    phone: str
    ip: str
    short_url: str
    long_url: str
    callback_value: str | None = None
    campaign_name: str | None = None


def _text(body: bytes | str) -> str:
    if len(body) > _MAX_BODY:
        raise WebhookError(f"webhook body too large ({len(body)} bytes, at most {_MAX_BODY})")
    if isinstance(body, bytes):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookError("webhook body is not UTF-8 text") from None
    return body


def _field(data: Mapping[str, Any], name: str, kind: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise WebhookError(f"{kind}: the field {name!r} is missing")
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise WebhookError(f"{kind}: the field {name!r} must be text, not {type(value).__name__}")
    return str(value)


def _required(data: Mapping[str, Any], name: str, kind: str) -> str:
    value = _field(data, name, kind)
    assert value is not None  # _field raised otherwise
    return value


def parse_delivery_report(body: bytes | str | Mapping[str, Any]) -> DeliveryReport:
    """Parse a bulk delivery report (a JSON object, or a form); raise `WebhookError` if malformed."""
    kind = "delivery report"
    if isinstance(body, Mapping):
        data: Mapping[str, Any] = body
    else:
        text = _text(body).strip()
        if text.startswith(("{", "[")):
            try:
                parsed = json.loads(text)
            except ValueError:
                raise WebhookError(f"{kind}: the body is not valid JSON") from None
            if not isinstance(parsed, dict):
                raise WebhookError(f"{kind}: the body must be a JSON object")
            data = parsed
        else:
            data = _form(text, kind)
    status = _required(data, "SmsStatus", kind).upper()
    if status not in DELIVERY_STATUSES:
        raise WebhookError(f"{kind}: unknown SmsStatus {status[:40]!r}")
    return DeliveryReport(
        session_id=_required(data, "SessionId", kind),
        sender=_required(data, "SmsFrom", kind),
        to=_required(data, "SmsTo", kind),
        status=status,
        sent_at=_required(data, "SentAt", kind),
        status_at=_required(data, "StatusAt", kind),
        callback_value1=_field(data, "callback_value1", kind, required=False),
        callback_value2=_field(data, "callback_value2", kind, required=False),
    )


def _form(text: str, kind: str) -> dict[str, str]:
    if not text:
        raise WebhookError(f"{kind}: the body is empty")
    try:
        pairs = parse_qs(text, keep_blank_values=True, strict_parsing=True, max_num_fields=50)
    except ValueError:
        raise WebhookError(f"{kind}: the body is not a form (key=value&...)") from None
    repeated = sorted(key for key, values in pairs.items() if len(values) > 1)
    if repeated:
        raise WebhookError(f"{kind}: the field {repeated[0]!r} is repeated")
    return {key: values[0] for key, values in pairs.items()}


def parse_click(body: bytes | str | Mapping[str, Any]) -> CampaignClick | ShortUrlClick:
    """Parse a click webhook (form-encoded): a `ShortUrlClick` when it has `shortUrl`, else a `CampaignClick`."""
    kind = "click"
    data: Mapping[str, Any] = body if isinstance(body, Mapping) else _form(_text(body).strip(), kind)
    if data.get("shortUrl") not in (None, ""):
        kind = "short-URL click"
        return ShortUrlClick(
            accessed=_required(data, "accessed", kind),
            phone=_required(data, "phoneNo", kind),
            ip=_required(data, "ip", kind),
            short_url=_required(data, "shortUrl", kind),
            long_url=_required(data, "longUrl", kind),
            callback_value=_field(data, "callbackValue", kind, required=False),
            campaign_name=_field(data, "campaignName", kind, required=False),
        )
    kind = "campaign click"
    return CampaignClick(
        accessed=_required(data, "accessed", kind),
        phone=_required(data, "phoneNo", kind),
        campaign_name=_required(data, "campaignName", kind),
        ip=_required(data, "ip", kind),
    )
