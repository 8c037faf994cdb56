"""Reading datatechlabs' delivery receipts (DLRs): the GET query and the POST form of the document's
`webhooks` (`receiveDatatechlabsDlrByGet`, `receiveDatatechlabsDlrByPost`).

    receipt = parse_delivery_receipt(request.query_string)             # dlr-method GET
    receipt = parse_delivery_receipt(body, content_type=content_type)  # dlr-method POST (form; JSON too)
    return DLR_ACK                                                     # answer HTTP 200 with exactly this

The fields are checked with the document's pydantic model (`datatechlabs_models.DeliveryReceipt`);
a receipt that does not fit is a `WebhookError`, whose message names the fields, never their values.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from urllib.parse import parse_qsl

import datatechlabs_models as models
import pydantic

from .errors import WebhookError
from .results import DeliveryReceipt

__all__ = ["DLR_ACK", "parse_delivery_receipt"]

# The body of the HTTP 200 that acknowledges a receipt (platform: Jasmin resends anything else).
DLR_ACK = "ACK/Jasmin"

_MAX_BODY = 64 * 1024


def _fields(data: Mapping[str, str] | str | bytes, content_type: str | None) -> dict[str, str]:
    """The receipt's fields from a mapping, a query string or form body, or a JSON body."""
    if isinstance(data, Mapping):
        return {str(key): value for key, value in data.items()}
    if len(data) > _MAX_BODY:
        raise WebhookError(f"the receipt is larger than {_MAX_BODY} bytes")
    text = data.decode("utf-8", errors="strict") if isinstance(data, bytes) else data
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/json" or (not media and text.lstrip().startswith("{")):
        try:
            value = json.loads(text)
        except ValueError:
            raise WebhookError("the receipt is not valid JSON") from None
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise WebhookError("a JSON receipt must be an object of strings")
        return value
    pairs = parse_qsl(text.lstrip("?"), keep_blank_values=True, strict_parsing=False)
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields:
            raise WebhookError(f"the field {key!r} appears twice")
        fields[key] = value
    return fields


def _short_date(text: str | None) -> dt.datetime | None:
    """`YYMMDDhhmm` in UTC (the document's ShortDate)."""
    if text is None:
        return None
    try:
        return dt.datetime.strptime(text, "%y%m%d%H%M").replace(tzinfo=dt.UTC)
    except ValueError:
        raise WebhookError("a receipt date is not a real YYMMDDhhmm time") from None


def parse_delivery_receipt(
    data: Mapping[str, str] | str | bytes, *, content_type: str | None = None
) -> DeliveryReceipt:
    """One delivery receipt from a GET query (string or mapping) or a POST body (form or JSON).

    The receipt may carry fields this client does not know; they are ignored, since a receiver
    must still acknowledge the receipt.
    """
    try:
        fields = _fields(data, content_type)
    except UnicodeDecodeError:
        raise WebhookError("the receipt is not UTF-8") from None
    try:
        receipt = models.DeliveryReceipt.model_validate(fields)
    except pydantic.ValidationError as exc:
        names = ", ".join(sorted({".".join(str(p) for p in e["loc"]) or "receipt" for e in exc.errors()}))
        raise WebhookError(f"the receipt does not fit the document ({names})") from None
    return DeliveryReceipt(
        message_id=receipt.id,
        message_status=receipt.message_status,
        level=int(receipt.level),
        connector=receipt.connector,
        id_smsc=receipt.id_smsc,
        submitted=_short_date(receipt.subdate),
        done=_short_date(receipt.donedate),
        submitted_count=int(receipt.sub) if receipt.sub is not None else None,
        delivered_count=int(receipt.dlvrd) if receipt.dlvrd is not None else None,
        error_code=receipt.err,
        text=receipt.text,
    )
