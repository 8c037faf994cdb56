"""Typed errors of the 2Factor client: one root, one subclass per thing a caller handles differently.

`TwoFactorError` is 2Factor's root under the shared `sms_common.ProviderError`: every error carries
`status_code` (HTTP status, or None when no reply arrived), `details` (2Factor's `Details` text, or
our own explanation) and `operation` (the operationId of the document, or None for client-side
checks). Failures every provider has (network, input, malformed reply, rate limit, credentials) are
also subclasses of the shared class of `sms_common.errors`. No message ever contains a key.

`error_for_details` is the ONE table from 2Factor's `Details` texts to these classes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sms_common import errors as common
from sms_common.errors import ProviderError

__all__ = [
    "BulkValidationError",
    "DecryptionFailed",
    "FieldError",
    "InsufficientCredits",
    "InvalidApiKey",
    "InvalidInput",
    "InvalidPhoneNumber",
    "MalformedReply",
    "OtpAlreadyVerified",
    "OtpAttemptsExceeded",
    "OtpExpired",
    "RateLimited",
    "SessionNotFound",
    "TemplateError",
    "Timeout",
    "TransportError",
    "TwoFactorError",
    "WebhookError",
    "error_for_details",
]


class TwoFactorError(ProviderError):
    """Root of every error this client raises on purpose."""

    provider = "2Factor"


class InvalidApiKey(TwoFactorError, common.InvalidCredentials):
    """The API key (or the Secret-Key header) was refused: an authentication failure."""


class InvalidPhoneNumber(TwoFactorError, ValueError):
    """A phone number is malformed. Raised client-side before any request, or by the server."""


class OtpExpired(TwoFactorError):
    """The OTP session can no longer be verified (it expired). Send a new OTP."""


class OtpAlreadyVerified(OtpExpired):
    """The OTP was already matched once; OTPs are single-use. A subclass of `OtpExpired`: send a new one."""


class OtpAttemptsExceeded(OtpExpired):
    """Too many wrong codes locked the session; even the right code fails now. Send a new OTP."""


class SessionNotFound(TwoFactorError):
    """No OTP session exists for this session id (or phone number) under this API key."""


class TemplateError(TwoFactorError):
    """The named template is unknown, not approved, or does not fit the message."""


class InsufficientCredits(TwoFactorError):
    """The account has no credits left for this kind of message."""


class RateLimited(TwoFactorError, common.RateLimited):
    """Too many requests. `retry_after` is the server's Retry-After in seconds, when it sent one."""


class DecryptionFailed(TwoFactorError):
    """An encrypted payload could not be opened: by the server (our request) or by us (its reply)."""


@dataclass(frozen=True)
class FieldError:
    """One validation problem of a bulk request, as the server names it."""

    field: str | None
    error: str
    details: str | None = None


class BulkValidationError(TwoFactorError):
    """The bulk route refused the whole request; `field_errors` lists each problem."""

    def __init__(
        self,
        details: str,
        *,
        status_code: int | None = None,
        operation: str | None = None,
        field_errors: Sequence[FieldError] = (),
    ) -> None:
        super().__init__(details, status_code=status_code, operation=operation)
        self.field_errors: tuple[FieldError, ...] = tuple(field_errors)


class TransportError(TwoFactorError, common.TransportError):
    """The request failed on the network (connect, read, dropped connection). No usable reply."""


class Timeout(TransportError, common.Timeout):
    """The request timed out (connect, write, read or waiting for a pooled connection)."""


class InvalidInput(TwoFactorError, common.InvalidInput):
    """An argument was refused before any request was made (a bad OTP, sender id, template name...)."""


class MalformedReply(TwoFactorError, common.MalformedReply):
    """The server answered something that is not the reply the document describes."""


class WebhookError(TwoFactorError, ValueError):
    """A webhook body could not be parsed into the report or click it should be."""


# ---------------------------------------------------------------------------- the one table
# (pattern over the normalised Details text, class). First match wins, so specific texts come
# before general ones: "Invalid API / SessionId Combination - No Entry Exists" must not be
# read as an invalid API key.
_DETAILS_TABLE: tuple[tuple[re.Pattern[str], type[TwoFactorError]], ...] = tuple(
    (re.compile(pattern), cls)
    for pattern, cls in (
        (r"no entry exists|session ?id not found|invalid session", SessionNotFound),
        (r"otp expired|otp has expired", OtpExpired),
        (r"already verified|otp already used", OtpAlreadyVerified),
        (r"attempts exceeded|too many attempts|maximum attempts", OtpAttemptsExceeded),
        (r"rate limit|too many requests", RateLimited),
        (r"decryption failed|decrypt", DecryptionFailed),
        (r"secret-key|secret key", InvalidApiKey),
        (r"invalid api key|api key .*inactive|api key is (missing|invalid)|unauthori[sz]ed", InvalidApiKey),
        # "Sandbox Mode Is Not Enabled For This Account / Phone Number" names a phone number but is
        # an account setting, not a malformed number: the root class, before the phone pattern.
        (r"sandbox mode is not enabled", TwoFactorError),
        (r"phone number|mobile number|invalid number|invalid recipient", InvalidPhoneNumber),
        (r"template", TemplateError),
        (r"insufficient|low balance|no credits|not enough (credits|balance)", InsufficientCredits),
    )
)


def error_for_details(
    details: str,
    *,
    status_code: int | None,
    operation: str | None,
    retry_after: float | None = None,
) -> TwoFactorError:
    """Return the error for a `Details` text; an unknown text gives the root class with the text."""
    text = " ".join(details.split()).lower()
    for pattern, cls in _DETAILS_TABLE:
        if pattern.search(text):
            if cls is RateLimited:
                return RateLimited(details, status_code=status_code, operation=operation, retry_after=retry_after)
            return cls(details, status_code=status_code, operation=operation)
    if status_code == 429:
        return RateLimited(details, status_code=status_code, operation=operation, retry_after=retry_after)
    if status_code in (401, 403):
        return InvalidApiKey(details, status_code=status_code, operation=operation)
    return TwoFactorError(details, status_code=status_code, operation=operation)
