"""Reading 2Factor's replies: the typed result of a success, or the typed error of anything else.

Success bodies are parsed with the generated models (`twofactor_client.models`), so a reply that
does not fit the document is a `MalformedReply` rather than a half-filled result. Errors go through
`errors.error_for_details`, the one table from `Details` texts to error classes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import httpx
from sms_common.json_body import parse_json_object
from sms_common.retries import retry_after_seconds
from twofactor_client.models.balance_success import BalanceSuccess
from twofactor_client.models.bulk_error import BulkError
from twofactor_client.models.bulk_message_status_bulk_message_outcome import BulkMessageStatusBulkMessageOutcome
from twofactor_client.models.bulk_success import BulkSuccess
from twofactor_client.models.enc_dlr_result import EncDlrResult
from twofactor_client.models.enc_send_result import EncSendResult
from twofactor_client.models.otp_send_success import OtpSendSuccess
from twofactor_client.models.otp_send_with_value_success import OtpSendWithValueSuccess
from twofactor_client.models.sms_send_success import SmsSendSuccess
from twofactor_client.models.verify_success import VerifySuccess
from twofactor_client.types import Unset

from . import envelope
from .errors import (
    BulkValidationError,
    DecryptionFailed,
    FieldError,
    InsufficientCredits,
    InvalidApiKey,
    MalformedReply,
    RateLimited,
    TwoFactorError,
    error_for_details,
)
from .quirks import status_body_error
from .results import BulkAccepted, BulkFailure, DeliveryStatus, EncryptedSent, OtpSent, SmsSent, VerifyResult

__all__ = [
    "OTP_MISMATCH",
    "balance",
    "bulk_chunk",
    "delivery_status",
    "encrypted_sent",
    "otp_sent",
    "otp_with_value_sent",
    "sms_sent",
    "verify_result",
]

# The one verify verdict that is a result, not an error (the document's examples.OtpMismatch).
OTP_MISMATCH = "OTP Mismatch"

Model = TypeVar("Model")


def _success_body(reply: httpx.Response, operation: str) -> dict[str, Any]:
    """The reply as a JSON object; a status body saying `"Status": "Error"` (under HTTP 200, 400 or
    429 alike) raises its error, and so does any other HTTP error."""
    body = parse_json_object(reply.content)
    details = status_body_error(body)
    if details is not None:
        raise error_for_details(
            details,
            status_code=reply.status_code,
            operation=operation,
            retry_after=retry_after_seconds(reply.headers),
        )
    if reply.status_code == 429:
        raise RateLimited(
            "Too many requests", status_code=429, operation=operation, retry_after=retry_after_seconds(reply.headers)
        )
    if reply.status_code >= 400:
        # A proxy's or a crashed server's page: no 2Factor text to map, say what we got.
        raise TwoFactorError(
            f"HTTP {reply.status_code} without a 2Factor reply", status_code=reply.status_code, operation=operation
        )
    if body is None:
        raise MalformedReply("the reply is not a JSON object", status_code=reply.status_code, operation=operation)
    return body


def _model(
    parse: Callable[[dict[str, Any]], Model], body: dict[str, Any], reply: httpx.Response, operation: str
) -> Model:
    """Parse a success body with a generated model; a body that does not fit is `MalformedReply`."""
    try:
        return parse(body)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise MalformedReply(
            "the reply does not match the document's success schema", status_code=reply.status_code, operation=operation
        ) from None


def otp_sent(reply: httpx.Response, operation: str, known_otp: str | None = None) -> OtpSent:
    """An OTP send: the session id, and the OTP when the reply carries it (AUTOGEN2) or we chose it."""
    body = _success_body(reply, operation)
    success = _model(OtpSendSuccess.from_dict, body, reply, operation)
    returned = success.otp if not isinstance(success.otp, Unset) else None
    return OtpSent(session_id=success.details, otp=returned or known_otp, operation=operation)


def otp_with_value_sent(reply: httpx.Response, operation: str) -> OtpSent:
    """An AUTOGEN2 / AUTOGEND2 send, whose reply must carry the OTP (`OtpSendWithValueSuccess`)."""
    success = _model(OtpSendWithValueSuccess.from_dict, _success_body(reply, operation), reply, operation)
    return OtpSent(session_id=success.details, otp=success.otp, operation=operation)


def verify_result(reply: httpx.Response, operation: str) -> VerifyResult:
    """A verify: "OTP Matched" and "OTP Mismatch" are results; every other text is an error."""
    body = parse_json_object(reply.content)
    if status_body_error(body) == OTP_MISMATCH:
        return VerifyResult(matched=False, details=OTP_MISMATCH)
    success = _model(VerifySuccess.from_dict, _success_body(reply, operation), reply, operation)
    return VerifyResult(matched=True, details=success.details)


def sms_sent(reply: httpx.Response, operation: str, recipients: Sequence[str]) -> SmsSent:
    """An R1 send: `Details` is the request id."""
    success = _model(SmsSendSuccess.from_dict, _success_body(reply, operation), reply, operation)
    return SmsSent(request_id=success.details, recipients=tuple(recipients))


def balance(reply: httpx.Response, operation: str) -> int:
    """A balance query: `Details` is the number of credits, as a decimal string."""
    success = _model(BalanceSuccess.from_dict, _success_body(reply, operation), reply, operation)
    try:
        return int(success.details)
    except ValueError:
        raise MalformedReply(
            "the balance is not a number", status_code=reply.status_code, operation=operation
        ) from None


# ---------------------------------------------------------------------------- bulk
def _bulk_error(reply: httpx.Response, operation: str, body: dict[str, Any]) -> TwoFactorError:
    """The error for the bulk route's own error shape (`{"success": false, "details": [...]}`)."""
    error = _model(BulkError.from_dict, body, reply, operation)
    fields = tuple(
        FieldError(
            field=None if isinstance(item.field, Unset) else item.field,
            error=item.error,
            details=None if isinstance(item.details, Unset) else item.details,
        )
        for item in error.details
    )
    summary = "; ".join(f"{f.field}: {f.error}" if f.field else f.error for f in fields) or error.error
    text = f"{error.error}: {summary}" if summary != error.error else error.error
    if reply.status_code == 429 or error.error_type == "RateLimitError":
        return RateLimited(
            text, status_code=reply.status_code, operation=operation, retry_after=retry_after_seconds(reply.headers)
        )
    # The docs' invalid-key reply is a field error on `apikey`: an authentication failure, not a
    # validation one; so is a credits failure. The table decides, as for every other route.
    for item in fields:
        cls = type(error_for_details(item.error, status_code=None, operation=None))
        if cls in (InvalidApiKey, InsufficientCredits):
            return cls(text, status_code=reply.status_code, operation=operation)
    return BulkValidationError(text, status_code=reply.status_code, operation=operation, field_errors=fields)


def bulk_chunk(
    reply: httpx.Response, operation: str, indexes: Sequence[int], phones: Sequence[str]
) -> tuple[str, list[BulkAccepted], list[BulkFailure]]:
    """One bulk request's outcome. `indexes[i]` is the caller's index of the request's i-th message,
    sent to `phones[i]`; results name messages by the caller's index."""
    body = parse_json_object(reply.content)
    if body is not None and body.get("success") is False:
        raise _bulk_error(reply, operation, body)
    body = _success_body(reply, operation)
    success = _model(BulkSuccess.from_dict, body, reply, operation)
    accepted: list[BulkAccepted] = []
    failed: list[BulkFailure] = []
    if isinstance(success.messages, Unset):
        # The docs' sample reply has no `messages`: all were accepted only if the count says so.
        if success.message_count != len(indexes):
            raise MalformedReply(
                f"the server accepted {success.message_count} of {len(indexes)} messages without saying which",
                status_code=reply.status_code,
                operation=operation,
            )
        accepted = [
            BulkAccepted(index, phone, f"{success.request_id}-{n}")
            for n, (index, phone) in enumerate(zip(indexes, phones, strict=True), 1)
        ]
        return success.request_id, accepted, failed
    for item in success.messages:
        if not 0 <= item.index < len(indexes):
            raise MalformedReply(
                f"the reply names message {item.index}, which was not sent",
                status_code=reply.status_code,
                operation=operation,
            )
        index = indexes[item.index]
        if item.status is BulkMessageStatusBulkMessageOutcome.ACCEPTED and not isinstance(item.message_id, Unset):
            accepted.append(BulkAccepted(index, item.sms_to, item.message_id))
        else:
            reason = item.error if not isinstance(item.error, Unset) else "rejected (no reason given)"
            failed.append(BulkFailure(index, item.sms_to, reason))
    return success.request_id, accepted, failed


# ---------------------------------------------------------------------------- encrypted route
def _opened(reply: httpx.Response, operation: str, secret_key: str, mode: str) -> dict[str, Any]:
    """The opened plaintext of a sealed success reply; errors arrive as plain JSON."""
    if reply.status_code != 200 or parse_json_object(reply.content) is not None:
        _success_body(reply, operation)  # raises the error it carries
        raise MalformedReply(
            "a plain JSON reply where a sealed one was expected", status_code=reply.status_code, operation=operation
        )
    try:
        opened = envelope.open_json(reply.content, secret_key, mode)
    except envelope.EnvelopeError:
        raise DecryptionFailed(
            "Decryption failed: the reply could not be opened with this secret key and mode",
            status_code=reply.status_code,
            operation=operation,
        ) from None
    details = status_body_error(opened)
    if details is not None:
        raise error_for_details(details, status_code=reply.status_code, operation=operation)
    return opened


def encrypted_sent(reply: httpx.Response, operation: str, secret_key: str, mode: str) -> EncryptedSent:
    """An encrypted send: the opened reply's `Details` is the request id."""
    opened = _opened(reply, operation, secret_key, mode)
    return EncryptedSent(request_id=_model(EncSendResult.from_dict, opened, reply, operation).details)


def delivery_status(reply: httpx.Response, operation: str, secret_key: str, mode: str) -> DeliveryStatus:
    """An encrypted delivery-status query; without a record only `details` is set."""
    result = _model(EncDlrResult.from_dict, _opened(reply, operation, secret_key, mode), reply, operation)
    return DeliveryStatus(
        details=result.details,
        status=None if isinstance(result.delivery_status, Unset) else result.delivery_status.value,
        sent_at=None if isinstance(result.sent_at, Unset) else result.sent_at,
        delivered_at=None if isinstance(result.delivered_at, Unset) else result.delivered_at,
    )
