"""Reading datatechlabs replies: the typed result of a success, the typed error of anything else.

The success body is checked with the document's pydantic model (`datatechlabs_models.SendSmsReply`),
so a reply that does not fit is a `MalformedReply`; an error's class follows its HTTP status
(`errors.error_for_status`), its text is the server's `message`.
"""

from __future__ import annotations

import datatechlabs_models as models
import httpx
import pydantic
from sms_common.json_body import parse_json_object
from sms_common.retries import retry_after_seconds

from .errors import MalformedReply, error_for_status
from .results import SmsSent

__all__ = ["sms_sent"]


def sms_sent(reply: httpx.Response, operation: str) -> SmsSent:
    body = parse_json_object(reply.content)
    if reply.status_code != 200:
        try:
            message = models.ErrorReply.model_validate(body).message
        except pydantic.ValidationError:
            message = f"HTTP {reply.status_code} without a datatechlabs error reply"
        raise error_for_status(
            reply.status_code, message, operation=operation, retry_after=retry_after_seconds(reply.headers)
        )
    try:
        sent = models.SendSmsReply.model_validate(body)
    except pydantic.ValidationError as exc:
        fields = ", ".join(sorted({".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()}))
        raise MalformedReply(
            f"the reply does not fit SendSmsReply ({fields})", status_code=200, operation=operation
        ) from None
    return SmsSent(message_id=sent.message_id, segments=sent.segments, encoding=sent.encoding.value)
