"""Every request of the Tata Smart 2FA client, described once for the sync and the async client.

Each function checks its arguments against the document's own rules (the generated pydantic
models of `tata_smart2fa_models`, plus the channel rules the models cannot express), and returns a
`Call`: the operationId, how safe it is to repeat, the request built by the generated endpoint
module's public `request_kwargs`, and the reader of its reply (`replies`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from functools import partial
from types import ModuleType
from typing import Any, TypeVar

import httpx
import pydantic
import tata_smart2fa_models as models
from sms_common.call import Call
from sms_common.retries import Kind
from tata_smart2fa_client.api.limits import tata_create_limit, tata_delete_limit, tata_list_limits, tata_update_limit
from tata_smart2fa_client.api.otp import tata_cancel_otp, tata_send_otp, tata_verify_otp
from tata_smart2fa_client.api.search import tata_get_otp, tata_list_otps, tata_search_otps
from tata_smart2fa_client.api.usage import (
    tata_list_usage_records,
    tata_list_usage_records_by_period,
    tata_search_usage_records,
)
from tata_smart2fa_client.models.cancel_otp_request import CancelOtpRequest
from tata_smart2fa_client.models.limit_definition import LimitDefinition
from tata_smart2fa_client.models.limit_update import LimitUpdate
from tata_smart2fa_client.models.otp_search_filter import OtpSearchFilter
from tata_smart2fa_client.models.send_otp_request import SendOtpRequest
from tata_smart2fa_client.models.usage_filter import UsageFilter
from tata_smart2fa_client.models.usage_period import UsagePeriod
from tata_smart2fa_client.models.verify_otp_request import VerifyOtpRequest

from . import replies
from .errors import InvalidInput
from .results import Channel, Limit, LimitBucket, OtpRecord, OtpSent, UsageRecord, VerifyResult

__all__ = [
    "cancel",
    "create_limit",
    "delete_limit",
    "get_otp",
    "list_limits",
    "list_otps",
    "search_otps",
    "send_otp",
    "update_limit",
    "usage",
    "verify",
]

T = TypeVar("T")
_PHONE = re.compile(r"^(?:\+?[0-9]{1,15}|client:[A-Za-z0-9_.-]{1,64})$")  # PhoneDestination
_EMAIL = re.compile(r"^[^@\s\x00-\x1F\x7F]{1,64}@[^@\s\x00-\x1F\x7F]{1,253}$")  # EmailAddress
_REQUEST_ID = re.compile(r"^OTP[0-9A-Za-z]{31}$")  # RequestId
_LIMIT_SID = re.compile(r"^LM[0-9a-f]{32}$")  # LimitSid


def _checked(model: type[pydantic.BaseModel], wire: dict[str, Any]) -> dict[str, Any]:
    """`wire` (the JSON body) checked by the document's pydantic model; InvalidInput names each
    field at fault and what is wrong, never the value (a code or a number is private)."""
    try:
        model.model_validate(wire)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}" for error in exc.errors()
        )
        raise InvalidInput(problems) from None
    return wire


def _call(module: ModuleType, kind: Kind, read: Callable[[httpx.Response, str], T], **kwargs: Any) -> Call[T]:
    operation: str = module.OPERATION_ID
    return Call(operation, kind, partial(module.request_kwargs, **kwargs), partial(_read, read, operation))


def _read(read: Callable[[httpx.Response, str], T], operation: str, reply: httpx.Response) -> T:
    return read(reply, operation)


def _without_none(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


# ---------------------------------------------------------------------------- OTP
def send_otp(
    *,
    to: str,
    body: str,
    service: str,
    channel: Channel,
    sender: str | None,
    email_from: str | None,
    subject: str | None,
    length: int | None,
    timeout: int | None,
    guard_time: int | None,
    limits: Mapping[str, str] | None,
    language: str | None,
    voice: str | None,
    repeat: int | None,
    account_sid: str | None,
) -> Call[OtpSent]:
    """`tataSendOtp`, with the document's channel rules checked first."""
    if channel == "email":
        if not (subject and email_from):
            raise InvalidInput("the email channel needs a subject and email_from (or TATA_SMART2FA_EMAIL_FROM)")
        if not _EMAIL.match(to):
            raise InvalidInput("to: the email channel sends to an email address")
    elif channel in ("sms", "call"):
        if not sender:
            raise InvalidInput(f"the {channel} channel needs sender= (the `from`, or TATA_SMART2FA_FROM)")
        if not _PHONE.match(to):
            raise InvalidInput(f"to: the {channel} channel sends to (+)digits (at most 15) or client:<name>")
    else:
        raise InvalidInput(f"channel must be 'sms', 'call' or 'email', got {channel!r}")
    wire = _checked(
        models.SendOtpRequest,
        _without_none(
            service=service,
            to=to,
            body=body,
            channel=channel,
            # `from` means nothing on the email channel; a default sender is not sent there.
            **{"from": sender if channel != "email" else None},
            emailFrom=email_from if channel == "email" else None,
            subject=subject if channel == "email" else None,
            length=length,
            timeout=timeout,
            guardTime=guard_time,
            limits=dict(limits) if limits is not None else None,
            language=language,
            voice=voice,
            repeat=repeat,
            accountSid=account_sid,
        ),
    )
    read = partial(replies.otp_sent, service=service, to=to, channel=channel)
    return _call(tata_send_otp, Kind.SEND, read, body=SendOtpRequest.from_dict(wire))


def verify(*, service: str, to: str, code: str, request_id: str | None) -> Call[VerifyResult]:
    """`tataVerifyOtp`. Never repeated once it may have reached the server (each try is an attempt)."""
    wire = _checked(models.VerifyOtpRequest, _without_none(service=service, number=to, code=code, requestID=request_id))
    return _call(tata_verify_otp, Kind.VERIFY, replies.verify_result, body=VerifyOtpRequest.from_dict(wire))


def cancel(*, service: str, to: str, request_id: str | None) -> Call[str]:
    """`tataCancelOtp`; returns the canceled OTP's request id. A write: never repeated once sent."""
    wire = _checked(models.CancelOtpRequest, _without_none(service=service, number=to, requestID=request_id))
    return _call(tata_cancel_otp, Kind.SEND, replies.request_id, body=CancelOtpRequest.from_dict(wire))


# ---------------------------------------------------------------------------- search
def get_otp(request_id: str) -> Call[OtpRecord]:
    """`tataGetOtp`. The id is checked first: it becomes a path segment."""
    if not isinstance(request_id, str) or not _REQUEST_ID.match(request_id):
        raise InvalidInput("request_id must be 'OTP' and 31 letters or digits (the requestID of a send)")
    return _call(tata_get_otp, Kind.READ, replies.otp_record, otp_sid=request_id)


def list_otps(*, page: int, page_size: int) -> Call[tuple[int, list[OtpRecord]]]:
    """`tataListOtps`: (total, one page of OTPs), newest first."""
    _checked(models.OtpSearchFilter, {"page": page, "pageSize": page_size})
    return _call(tata_list_otps, Kind.READ, replies.otp_page, page=page, page_size=page_size)


def search_otps(
    *,
    service: str | None,
    to: str | None,
    channel: Channel | None,
    status: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    page: int,
    page_size: int,
) -> Call[tuple[int, list[OtpRecord]]]:
    """`tataSearchOtps` with filters (AND); `since` inclusive, `until` exclusive."""
    wire = _checked(
        models.OtpSearchFilter,
        _without_none(
            service=service,
            to=to,
            channel=channel,
            status=status,
            startTime=_utc_text(since),
            endTime=_utc_text(until),
            page=page,
            pageSize=page_size,
        ),
    )
    return _call(tata_search_otps, Kind.READ, replies.otp_page, body=OtpSearchFilter.from_dict(wire))


def _utc_text(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise InvalidInput("search times must be timezone-aware datetimes")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------- usage
def usage(
    *, period: str | None, category: Channel | None, start: dt.date | None, end: dt.date | None
) -> Call[list[UsageRecord]]:
    """Usage records: all time (`tataListUsageRecords`), per `period` (`...ByPeriod`), or filtered."""
    if period is not None:
        if category is not None or start is not None or end is not None:
            raise InvalidInput("usage per period takes no category or dates")
        if period not in ("daily", "monthly", "yearly"):
            raise InvalidInput(f"period must be 'daily', 'monthly' or 'yearly', got {period!r}")
        return _call(tata_list_usage_records_by_period, Kind.READ, replies.usage, period=UsagePeriod(period))
    if category is None and start is None and end is None:
        return _call(tata_list_usage_records, Kind.READ, replies.usage)
    if start is not None and end is not None and start > end:
        raise InvalidInput("the start day is after the end day")
    wire = _checked(
        models.UsageFilter,
        _without_none(
            category=category,
            startDate=start.isoformat() if start else None,
            endDate=end.isoformat() if end else None,
        ),
    )
    return _call(tata_search_usage_records, Kind.READ, replies.usage, body=UsageFilter.from_dict(wire))


# ---------------------------------------------------------------------------- limits
def _bucket_wire(buckets: list[LimitBucket]) -> list[dict[str, Any]]:
    return [{"name": b.name, "max": b.max, "interval": b.interval} for b in buckets]


def create_limit(
    *, name: str, buckets: list[LimitBucket], description: str | None, account_sid: str | None
) -> Call[Limit]:
    """`tataCreateLimit`. A write: never repeated once it may have reached the server."""
    wire = _checked(
        models.LimitDefinition,
        _without_none(name=name, buckets=_bucket_wire(buckets), description=description, accountSid=account_sid),
    )
    return _call(tata_create_limit, Kind.SEND, replies.limit, body=LimitDefinition.from_dict(wire))


def list_limits() -> Call[list[Limit]]:
    """`tataListLimits`, sorted by name."""
    return _call(tata_list_limits, Kind.READ, replies.limits)


def update_limit(limit_sid: str, *, buckets: list[LimitBucket] | None, description: str | None) -> Call[Limit]:
    """`tataUpdateLimit`: new buckets and/or description."""
    _check_limit_sid(limit_sid)
    wire = _checked(
        models.LimitUpdate,
        _without_none(buckets=_bucket_wire(buckets) if buckets is not None else None, description=description),
    )
    if not wire:
        raise InvalidInput("update_limit needs buckets or a description")
    return _call(tata_update_limit, Kind.SEND, replies.limit, limit_sid=limit_sid, body=LimitUpdate.from_dict(wire))


def delete_limit(limit_sid: str) -> Call[None]:
    """`tataDeleteLimit`."""
    _check_limit_sid(limit_sid)
    return _call(tata_delete_limit, Kind.SEND, replies.ok, limit_sid=limit_sid)


def _check_limit_sid(limit_sid: str) -> None:
    if not isinstance(limit_sid, str) or not _LIMIT_SID.match(limit_sid):
        raise InvalidInput("limit_sid must be 'LM' and 32 lower-case hex digits (the limitSid of create_limit)")
