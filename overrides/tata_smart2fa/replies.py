"""Reading Tata Smart 2FA replies: the typed result of a success, the typed error of anything else.

Success bodies are checked with the document's pydantic models (`tata_smart2fa_models`), so a reply
that does not fit the document is a `MalformedReply`, not a half-filled result. Error bodies carry
a sub error code, mapped by `errors.error_for_code`; a wrong code at verify (460) is the one error
reply that is a result (`matched=False`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import httpx
import pydantic
import tata_smart2fa_models as models
from sms_common.json_body import parse_json_object
from sms_common.retries import retry_after_seconds

from .errors import MalformedReply, Smart2faError, error_for_code
from .results import Channel, Limit, LimitBucket, OtpRecord, OtpSent, UsageRecord, VerifyResult

__all__ = [
    "WRONG_CODE",
    "limit",
    "limits",
    "ok",
    "otp_page",
    "otp_record",
    "otp_sent",
    "request_id",
    "usage",
    "verify_result",
]

WRONG_CODE = 460  # the document's "Invalid code": verify's mismatch, a result rather than an error

Model = TypeVar("Model", bound=pydantic.BaseModel)


def _error(reply: httpx.Response, operation: str, body: dict[str, Any] | None) -> Smart2faError:
    """The error of a reply that is not a success."""
    retry_after = retry_after_seconds(reply.headers)
    try:
        error = models.ErrorReply.model_validate(body)
    except pydantic.ValidationError:
        # A proxy's page or a crashed server: no sub code to map, say what arrived.
        return error_for_code(
            None,
            f"HTTP {reply.status_code} without a Smart 2FA error reply",
            status_code=reply.status_code,
            operation=operation,
            retry_after=retry_after,
        )
    return error_for_code(
        error.code, error.message, status_code=reply.status_code, operation=operation, retry_after=retry_after
    )


def _success(reply: httpx.Response, operation: str, model: type[Model]) -> Model:
    body = parse_json_object(reply.content)
    if reply.status_code != 200:
        raise _error(reply, operation, body)
    try:
        return model.model_validate(body)
    except pydantic.ValidationError as exc:
        fields = ", ".join(sorted({".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()}))
        raise MalformedReply(
            f"the reply does not fit {model.__name__} ({fields})", status_code=200, operation=operation
        ) from None


def otp_sent(reply: httpx.Response, operation: str, *, service: str, to: str, channel: Channel) -> OtpSent:
    sent = _success(reply, operation, models.SendOtpReply)
    return OtpSent(request_id=sent.request_id, service=service, to=to, channel=channel)


def verify_result(reply: httpx.Response, operation: str) -> VerifyResult:
    if reply.status_code == 400:
        body = parse_json_object(reply.content)
        if isinstance(body, dict) and body.get("code") == WRONG_CODE and isinstance(body.get("message"), str):
            return VerifyResult(matched=False, request_id=None, details=body["message"])
    verified = _success(reply, operation, models.OtpStateReply)
    return VerifyResult(matched=True, request_id=verified.request_id, details=verified.message)


def request_id(reply: httpx.Response, operation: str) -> str:
    return _success(reply, operation, models.OtpStateReply).request_id


def ok(reply: httpx.Response, operation: str) -> None:
    _success(reply, operation, models.OkReply)


def _time(text: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        raise MalformedReply(f"{text!r} is not a real UTC time") from None


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise MalformedReply(f"{text!r} is not a real day") from None


def _record(otp: models.OtpRecord) -> OtpRecord:
    return OtpRecord(
        request_id=otp.request_id,
        service=otp.service,
        channel=otp.channel.value,
        to=otp.to,
        sender=otp.from_,
        status=otp.status.value,
        attempts=otp.attempts,
        created=_time(otp.date_created),
        expires=_time(otp.date_expires),
        updated=_time(otp.date_updated),
        account_sid=otp.account_sid,
    )


def otp_record(reply: httpx.Response, operation: str) -> OtpRecord:
    return _record(_success(reply, operation, models.OtpFoundReply).otp)


def otp_page(reply: httpx.Response, operation: str) -> tuple[int, list[OtpRecord]]:
    page = _success(reply, operation, models.OtpListReply)
    return page.total, [_record(otp) for otp in page.otps]


def usage(reply: httpx.Response, operation: str) -> list[UsageRecord]:
    records = _success(reply, operation, models.UsageListReply).records
    return [
        UsageRecord(
            category=r.category.value,
            start=_day(r.start_date),
            end=_day(r.end_date),
            count=r.count,
            verified=r.verified,
        )
        for r in records
    ]


def _limit(stored: models.Limit) -> Limit:
    return Limit(
        limit_sid=stored.limit_sid,
        name=stored.name,
        buckets=tuple(LimitBucket(name=b.name, max=b.max, interval=b.interval) for b in stored.buckets),
        description=stored.description,
        created=_time(stored.date_created),
        updated=_time(stored.date_updated),
        account_sid=stored.account_sid,
    )


def limit(reply: httpx.Response, operation: str) -> Limit:
    return _limit(_success(reply, operation, models.LimitReply).limit)


def limits(reply: httpx.Response, operation: str) -> list[Limit]:
    return [_limit(stored) for stored in _success(reply, operation, models.LimitListReply).limits]
