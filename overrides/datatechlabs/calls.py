"""The request of the datatechlabs client, described once for the sync and the async client.

`send_sms` checks its arguments against the document's rules (the generated pydantic model of
`datatechlabs_models`, plus the `dlr` rule it cannot express) and returns a `Call` built by the
generated endpoint module's public `request_kwargs`.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

import datatechlabs_models as models
import httpx
import pydantic
from datatechlabs_client.api.sms import datatechlabs_send_sms
from datatechlabs_client.models.send_sms_request import SendSmsRequest
from sms_common.call import Call
from sms_common.retries import Kind

from . import replies
from .errors import InvalidInput
from .results import SmsSent

__all__ = ["Coding", "DlrMethod", "send_sms"]

Coding = Literal["GSM7", "UTF-8"]
DlrMethod = Literal["GET", "POST"]


def send_sms(
    *,
    to: str,
    text: str,
    sender: str | None,
    dlr_url: str | None,
    dlr_level: int | None,
    dlr_method: DlrMethod | None,
    coding: Coding | None,
) -> Call[SmsSent]:
    """`datatechlabsSendSms`. Receipts are asked for exactly when `dlr_url` is given."""
    if not sender:
        raise InvalidInput("a sender is needed: sender= here or on the client, or DATATECHLABS_SENDER")
    if dlr_url is None and (dlr_level is not None or dlr_method is not None):
        raise InvalidInput("dlr_level and dlr_method need a dlr_url to send the receipts to")
    wire: dict[str, Any] = {"to": to, "from": sender, "content": text}
    if dlr_url is not None:
        wire.update({"dlr": True, "dlr-url": dlr_url, "dlr-level": 3 if dlr_level is None else dlr_level})
        if dlr_method is not None:
            wire["dlr-method"] = dlr_method
    if coding is not None:
        wire["coding"] = coding
    try:
        models.SendSmsRequest.model_validate(wire)
    except pydantic.ValidationError as exc:
        # Field names and what is wrong; never the value (the text may hold an OTP).
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}" for error in exc.errors()
        )
        raise InvalidInput(problems) from None
    operation: str = datatechlabs_send_sms.OPERATION_ID
    return Call(
        operation,
        Kind.SEND,
        partial(datatechlabs_send_sms.request_kwargs, body=SendSmsRequest.from_dict(wire)),
        partial(_read, operation),
    )


def _read(operation: str, reply: httpx.Response) -> SmsSent:
    return replies.sms_sent(reply, operation)
