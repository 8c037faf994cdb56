"""Typed errors of the Tata Smart 2FA client: one root, one subclass per thing a caller handles differently.

`Smart2faError` is Tata's root under the shared `sms_common.ProviderError`; network, input,
credential, rate-limit and reply failures are also subclasses of the shared classes of
`sms_common.errors`, so a caller can catch them across providers. Every error carries `code` (the
sub error code of the reply, or None), `status_code`, `details` and `operation`. No message ever
contains the account SID or token.

`error_for_code` is the ONE table from the document's sub error codes (`info.x-error-codes` of
openapi/tata-smart2fa.yaml) to these classes.
"""

from __future__ import annotations

from sms_common import errors as common
from sms_common.errors import ProviderError

__all__ = [
    "InvalidCredentials",
    "InvalidInput",
    "InvalidLimitName",
    "LimitExceeded",
    "LimitExists",
    "LimitNotFound",
    "MalformedReply",
    "OtpAlreadyVerified",
    "OtpCanceled",
    "OtpExpired",
    "OtpLocked",
    "OtpNotFound",
    "OtpUnusable",
    "RateLimited",
    "Smart2faError",
    "Timeout",
    "TooManyOtps",
    "TransportError",
    "error_for_code",
]


class Smart2faError(ProviderError):
    """Root of every error this client raises on purpose. `code` is the reply's sub error code."""

    provider = "Tata Smart 2FA"

    def __init__(
        self, details: str, *, status_code: int | None = None, operation: str | None = None, code: int | None = None
    ) -> None:
        super().__init__(details, status_code=status_code, operation=operation)
        self.code = code


class InvalidInput(Smart2faError, common.InvalidInput):
    """An argument was refused: before any request, or by the server (sub code 400)."""


class InvalidCredentials(Smart2faError, common.InvalidCredentials):
    """The account SID and token are missing or were refused (HTTP 401)."""


class RateLimited(Smart2faError, common.RateLimited):
    """Too many requests (sub code 429). `retry_after` is the server's Retry-After in seconds."""

    def __init__(
        self,
        details: str,
        *,
        status_code: int | None = None,
        operation: str | None = None,
        code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(details, status_code=status_code, operation=operation, code=code)
        self.retry_after = retry_after


class TooManyOtps(RateLimited):
    """Tata's documented 453: an OTP went to this destination less than a minute ago."""


class LimitExceeded(RateLimited):
    """496: a bucket of a limit named in `limits` is full; no OTP was sent."""


class InvalidLimitName(Smart2faError):
    """Tata's documented 495: `limits` names a limit that does not exist."""


class LimitExists(Smart2faError):
    """497: a limit with this name exists already."""


class LimitNotFound(Smart2faError):
    """498: no limit of the account has this id."""


class OtpNotFound(Smart2faError):
    """461: no OTP of the account matches the request id (or, by number, none is valid)."""


class OtpUnusable(Smart2faError):
    """The OTP can no longer be verified or canceled. Send a new one."""


class OtpExpired(OtpUnusable):
    """462: its timeout (and any guard time) passed."""


class OtpAlreadyVerified(OtpUnusable):
    """463: it was verified once; OTPs are single-use."""


class OtpCanceled(OtpUnusable):
    """464: it was canceled (by cancel, or by a newer send to the same destination)."""


class OtpLocked(OtpUnusable):
    """465: too many wrong codes locked it; even the right code fails now."""


class MalformedReply(Smart2faError, common.MalformedReply):
    """The server answered something that is not the reply the document describes."""


class TransportError(Smart2faError, common.TransportError):
    """The request failed on the network. No usable reply."""


class Timeout(TransportError, common.Timeout):
    """The request timed out."""


# The sub error codes of the document's `info.x-error-codes`. 460 (a wrong code) is not here: it is
# the verify result `matched=False`, not an error.
_CODE_TABLE: dict[int, type[Smart2faError]] = {
    400: InvalidInput,
    401: InvalidCredentials,
    453: TooManyOtps,
    461: OtpNotFound,
    462: OtpExpired,
    463: OtpAlreadyVerified,
    464: OtpCanceled,
    465: OtpLocked,
    495: InvalidLimitName,
    496: LimitExceeded,
    497: LimitExists,
    498: LimitNotFound,
}


def error_for_code(
    code: int | None,
    message: str,
    *,
    status_code: int,
    operation: str,
    retry_after: float | None = None,
) -> Smart2faError:
    """The error of a reply with sub code `code`; an unknown code falls back on the HTTP status."""
    cls = _CODE_TABLE.get(code) if code is not None else None
    if cls is None:
        if status_code == 429 or code == 429:
            cls = RateLimited
        elif status_code == 401:
            cls = InvalidCredentials
        else:
            cls = Smart2faError
    if issubclass(cls, RateLimited):
        return cls(message, status_code=status_code, operation=operation, code=code, retry_after=retry_after)
    return cls(message, status_code=status_code, operation=operation, code=code)
