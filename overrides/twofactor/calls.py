"""Every request the client makes, described once for the sync and the async client alike.

A `Call` (`sms_common.call`) names the document's operation, how safe it is to repeat
(`sms_common.retries.Kind`), how to build the HTTP request, and how to read the reply. The request
and the operationId come from the generated endpoint module of `twofactor_client` (its public
`request_kwargs` and `OPERATION_ID`, from scripts/templates/openapi-python-client/): the client
sends the request itself so that the retry loop sees every raw reply, including statuses the
document does not list, which the generated parsers drop.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from functools import partial
from types import ModuleType
from typing import Any, Literal, TypedDict, TypeVar

import httpx
from sms_common.call import Call
from sms_common.retries import Kind
from twofactor_client.api.balance import (
    get_otp_sms_balance,
    get_promotional_sms_balance,
    get_transactional_sms_balance,
)
from twofactor_client.api.encrypted_sms import send_encrypted
from twofactor_client.api.otp import (
    send_custom_otp_or_template_sms,
    send_custom_otp_with_template,
    send_otp_autogen,
    send_otp_autogen_2,
    send_otp_autogen_2_with_template,
    send_otp_autogen_3,
    send_otp_autogen_3_with_template,
    send_otp_autogen_with_template,
)
from twofactor_client.api.otp_verification import verify_otp, verify_otp_by_phone
from twofactor_client.api.sandbox import (
    send_sandbox_otp,
    send_sandbox_otp_2,
    send_sandbox_otp_2_with_template,
    send_sandbox_otp_with_template,
)
from twofactor_client.api.transactional_sms import send_sms
from twofactor_client.api.voice_otp import send_voice_otp_autogen, send_voice_otp_with_value, verify_voice_otp
from twofactor_client.models.enc_dlr_plaintext import EncDlrPlaintext
from twofactor_client.models.enc_sms_plaintext import EncSmsPlaintext
from twofactor_client.models.r1_module import R1Module
from twofactor_client.models.r1_sms_form import R1SmsForm
from twofactor_client.models.send_encrypted_encmode import SendEncryptedEncmode
from twofactor_client.models.shorten_url_flag import ShortenUrlFlag
from twofactor_client.types import UNSET, File

from . import envelope, replies
from .checks import (
    check_callback_value,
    check_campaign,
    check_code,
    check_dlt_id,
    check_sender,
    check_session_id,
    check_sms_date,
    check_template,
    check_text,
    check_webhook_url,
)
from .errors import InvalidInput
from .quirks import format_schedule_time, india_today, join_recipients, keep_literal_plus, normalise_phone
from .results import (
    DeliveryStatus,
    EncryptedSent,
    OtpSent,
    SmsSent,
    VerifyResult,
)

__all__ = ["BalanceKind", "Call", "SmsOptions", "read_as"]

T = TypeVar("T")
BalanceKind = Literal["otp", "transactional", "promotional"]


def _v1(module: ModuleType, kind: Kind, read: Callable[[httpx.Response, str], T], **params: str) -> Call[T]:
    """A V1 call: path parameters only. `module` is the generated operation module."""
    operation: str = module.OPERATION_ID
    return Call(operation, kind, partial(_v1_request, module, params), partial(read_as, read, operation))


def _v1_request(module: ModuleType, params: dict[str, str]) -> dict[str, Any]:
    """The generated module's request, with the phone number's '+' kept literal (quirks)."""
    kwargs: dict[str, Any] = module.request_kwargs(**params)
    kwargs["url"] = keep_literal_plus(kwargs["url"])
    return kwargs


def read_as(read: Callable[[httpx.Response, str], T], operation: str, reply: httpx.Response) -> T:
    """Call a reply reader of `replies` with the operation it reads for (bound with `partial`)."""
    return read(reply, operation)


# ---------------------------------------------------------------------------- OTP
def otp_send(
    api_key: str,
    phone: str,
    *,
    template: str | None = None,
    otp: str | None = None,
    digits: int = 6,
    return_otp: bool = False,
) -> Call[OtpSent]:
    """Pick the route: a caller's OTP (with or without template), else AUTOGEN / AUTOGEN2 / AUTOGEN3."""
    number = normalise_phone(phone).v1_path
    name = None if template is None else check_template(template)
    if otp is not None:
        code = check_code(otp)
        read: Callable[[httpx.Response, str], OtpSent] = partial(
            replies.otp_sent, known_otp=code if return_otp else None
        )
        if name is None:
            return _v1(
                send_custom_otp_or_template_sms,
                Kind.SEND,
                read,
                api_key=api_key,
                phone_number=number,
                otp_value_or_template=code,
            )
        return _v1(
            send_custom_otp_with_template,
            Kind.SEND,
            read,
            api_key=api_key,
            phone_number=number,
            otp_value=code,
            otp_template_name=name,
        )
    if digits not in (4, 6):
        raise InvalidInput(f"digits must be 4 (AUTOGEN3) or 6 (AUTOGEN, AUTOGEN2), got {digits!r}")
    if digits == 4 and return_otp:
        raise InvalidInput("2Factor returns the generated OTP only for 6-digit OTPs (AUTOGEN2); use digits=6")
    module: ModuleType
    templated: ModuleType
    if digits == 4:
        module, templated = send_otp_autogen_3, send_otp_autogen_3_with_template
    elif return_otp:
        module, templated = send_otp_autogen_2, send_otp_autogen_2_with_template
    else:
        module, templated = send_otp_autogen, send_otp_autogen_with_template
    read = replies.otp_with_value_sent if return_otp else replies.otp_sent
    if name is None:
        return _v1(module, Kind.SEND, read, api_key=api_key, phone_number=number)
    return _v1(templated, Kind.SEND, read, api_key=api_key, phone_number=number, otp_template_name=name)


def otp_send_sandbox(
    api_key: str, phone: str, *, template: str | None = None, return_otp: bool = False
) -> Call[OtpSent]:
    """AUTOGEND (or AUTOGEND2 with return_otp): a sandbox send that sends nothing and costs nothing."""
    number = normalise_phone(phone).v1_path
    read = replies.otp_with_value_sent if return_otp else replies.otp_sent
    if template is None:
        module = send_sandbox_otp_2 if return_otp else send_sandbox_otp
        return _v1(module, Kind.SEND, read, api_key=api_key, phone_number=number)
    module = send_sandbox_otp_2_with_template if return_otp else send_sandbox_otp_with_template
    return _v1(
        module,
        Kind.SEND,
        read,
        api_key=api_key,
        phone_number=number,
        otp_template_name=check_template(template),
    )


def _verify_session(module: ModuleType, api_key: str, session_id: str, code: str) -> Call[VerifyResult]:
    """A verify by session id (SMS or voice): the same path parameters and the same reply."""
    return _v1(
        module,
        Kind.VERIFY,
        replies.verify_result,
        api_key=api_key,
        otp_session_id=check_session_id(session_id),
        otp_entered_by_user=check_code(code, "code"),
    )


def otp_verify(api_key: str, session_id: str, code: str) -> Call[VerifyResult]:
    """VERIFY by session id."""
    return _verify_session(verify_otp, api_key, session_id, code)


def otp_verify_phone(api_key: str, phone: str, code: str) -> Call[VerifyResult]:
    """VERIFY3 by phone number."""
    return _v1(
        verify_otp_by_phone,
        Kind.VERIFY,
        replies.verify_result,
        api_key=api_key,
        phone_number=normalise_phone(phone).v1_path,
        otp_entered_by_user=check_code(code, "code"),
    )


def voice_send(api_key: str, phone: str, *, otp: str | None = None) -> Call[OtpSent]:
    """A voice call reading out a generated OTP, or the caller's."""
    number = normalise_phone(phone).v1_path
    if otp is None:
        return _v1(send_voice_otp_autogen, Kind.SEND, replies.otp_sent, api_key=api_key, phone_number=number)
    return _v1(
        send_voice_otp_with_value,
        Kind.SEND,
        replies.otp_sent,
        api_key=api_key,
        phone_number=number,
        otp_value=check_code(otp),
    )


def voice_verify(api_key: str, session_id: str, code: str) -> Call[VerifyResult]:
    """Verify a voice OTP by session id."""
    return _verify_session(verify_voice_otp, api_key, session_id, code)


def balance(api_key: str, kind: BalanceKind = "otp") -> Call[int]:
    """Credits left for OTP, transactional or promotional SMS."""
    modules = {
        "otp": get_otp_sms_balance,
        "transactional": get_transactional_sms_balance,
        "promotional": get_promotional_sms_balance,
    }
    if kind not in modules:
        raise InvalidInput(f"balance kind must be one of {', '.join(modules)}, got {kind!r}")
    return _v1(modules[kind], Kind.READ, replies.balance, api_key=api_key)


# ---------------------------------------------------------------------------- R1
class SmsOptions(TypedDict, total=False):
    """The optional fields of an R1 send, by their Python names (see `TwoFactor.sms.send`)."""

    schedule_at: dt.datetime | None
    peid: str | None
    ctid: str | None
    campaign: str | None
    campaign_webhook: str | None
    shorten_urls: bool
    shorten_url_webhook: str | None
    shorten_url_callback: str | None


def sms_send(
    api_key: str,
    *,
    to: str | Iterable[str],
    sender: str,
    text: str,
    promotional: bool = False,
    schedule_at: dt.datetime | None = None,
    peid: str | None = None,
    ctid: str | None = None,
    campaign: str | None = None,
    campaign_webhook: str | None = None,
    shorten_urls: bool = False,
    shorten_url_webhook: str | None = None,
    shorten_url_callback: str | None = None,
) -> Call[SmsSent]:
    """An R1 form POST (never the query-string GET, which would put the key in the URL)."""
    recipients, phones = join_recipients(to)
    form = R1SmsForm(
        module=R1Module.PROMO_SMS if promotional else R1Module.TRANS_SMS,
        apikey=api_key,
        to=recipients,
        from_=check_sender(sender),
        msg=check_text(text),
        scheduletime=UNSET if schedule_at is None else format_schedule_time(schedule_at),
        peid=UNSET if peid is None else check_dlt_id(peid, "PEID"),
        ctid=UNSET if ctid is None else check_dlt_id(ctid, "CTID"),
        campaignname=UNSET if campaign is None else check_campaign(campaign),
        campaignwebhook=UNSET if campaign_webhook is None else check_webhook_url(campaign_webhook, "campaign_webhook"),
        shortenurl=ShortenUrlFlag.VALUE_1 if shorten_urls else UNSET,
        shortenurlwebhook=UNSET
        if shorten_url_webhook is None
        else check_webhook_url(shorten_url_webhook, "shorten_url_webhook"),
        shortenurlcallback=UNSET
        if shorten_url_callback is None
        else check_callback_value(shorten_url_callback, "shorten_url_callback"),
    )
    numbers = tuple(str(phone) for phone in phones)
    return Call(
        send_sms.OPERATION_ID,
        Kind.SEND,
        partial(send_sms.request_kwargs, body=form),
        partial(read_as, partial(replies.sms_sent, recipients=numbers), send_sms.OPERATION_ID),
    )


# ---------------------------------------------------------------------------- encrypted route
def _sealed_request(sealed: bytes, mode: str, secret_key: str) -> dict[str, Any]:
    kwargs = send_encrypted.request_kwargs(
        body=File(payload=io.BytesIO(sealed)), module="ENC", encmode=SendEncryptedEncmode(mode), secret_key=secret_key
    )
    # The generated code sends a File's stream, which an AsyncClient cannot send (it is not an async
    # iterator) and which a retry would find consumed: send the sealed bytes themselves.
    kwargs["content"] = sealed
    return kwargs


def encrypted_send(
    api_key: str, secret_key: str, *, to: str | Iterable[str], sender: str, text: str, mode: str = "GCM"
) -> Call[EncryptedSent]:
    """An SMS through the AES-256 envelope (GCM by default; CBC is unauthenticated)."""
    checked_mode = _mode(mode)
    recipients, _ = join_recipients(to)
    plaintext = EncSmsPlaintext(
        module="TRANS_SMS", apikey=api_key, to=recipients, from_=check_sender(sender), msg=check_text(text)
    )
    sealed = envelope.seal_json(plaintext.to_dict(), secret_key, checked_mode).encode("ascii")
    read = partial(replies.encrypted_sent, secret_key=secret_key, mode=checked_mode)
    return Call(
        send_encrypted.OPERATION_ID,
        Kind.SEND,
        partial(_sealed_request, sealed, checked_mode, secret_key),
        partial(read_as, read, send_encrypted.OPERATION_ID),
    )


def encrypted_delivery_status(
    api_key: str, secret_key: str, *, session_id: str, date: dt.date | str | None = None, mode: str = "GCM"
) -> Call[DeliveryStatus]:
    """The delivery status of an encrypted send, by its request id and the day it was sent (India
    time; today in India when None)."""
    checked_mode = _mode(mode)
    if not isinstance(session_id, str) or not 1 <= len(session_id) <= 128:
        raise InvalidInput("invalid session id: expected the 1 to 128 character Details of an encrypted send")
    plaintext = EncDlrPlaintext(
        module="TRANS_SMS_DLR",
        apikey=api_key,
        sessionid=session_id,
        smsdate=india_today() if date is None else check_sms_date(date),
    )
    sealed = envelope.seal_json(plaintext.to_dict(), secret_key, checked_mode).encode("ascii")
    read = partial(replies.delivery_status, secret_key=secret_key, mode=checked_mode)
    return Call(
        send_encrypted.OPERATION_ID,
        Kind.READ,
        partial(_sealed_request, sealed, checked_mode, secret_key),
        partial(read_as, read, send_encrypted.OPERATION_ID),
    )


def _mode(mode: str) -> str:
    try:
        return envelope.check_mode(mode)
    except envelope.EnvelopeError as exc:
        raise InvalidInput(str(exc)) from None
