"""Typed errors of the datatechlabs SMS client: one root, one subclass per thing a caller handles differently.

`DatatechlabsError` is datatechlabs' root under the shared `sms_common.ProviderError`; network,
input, credential, rate-limit and reply failures are also subclasses of the shared classes of
`sms_common.errors`. Every error carries `status_code`, `details` (the server's `message`, or our
explanation) and `operation`. No message ever contains the user name or password.

`error_for_status` is the ONE table from the document's error statuses to these classes.
"""

from __future__ import annotations

from sms_common import errors as common
from sms_common.errors import ProviderError

__all__ = [
    "DatatechlabsError",
    "InsufficientBalance",
    "InvalidCredentials",
    "InvalidInput",
    "MalformedReply",
    "RateLimited",
    "Timeout",
    "TransportError",
    "WebhookError",
    "error_for_status",
]


class DatatechlabsError(ProviderError):
    """Root of every error this client raises on purpose."""

    provider = "datatechlabs"


class InvalidInput(DatatechlabsError, common.InvalidInput):
    """An argument was refused: before any request, or by the server (HTTP 400)."""


class InvalidCredentials(DatatechlabsError, common.InvalidCredentials):
    """The user name and password are missing or were refused (HTTP 401)."""


class InsufficientBalance(DatatechlabsError):
    """The balance cannot pay for every segment (HTTP 403); nothing was sent."""


class RateLimited(DatatechlabsError, common.RateLimited):
    """Too many requests (HTTP 429). `retry_after` is the server's Retry-After in seconds."""


class MalformedReply(DatatechlabsError, common.MalformedReply):
    """The server answered something that is not the reply the document describes."""


class TransportError(DatatechlabsError, common.TransportError):
    """The request failed on the network. No usable reply."""


class Timeout(TransportError, common.Timeout):
    """The request timed out."""


class WebhookError(DatatechlabsError, ValueError):
    """A delivery receipt could not be read: a field is missing or breaks the document's rule."""


_STATUS_TABLE: dict[int, type[DatatechlabsError]] = {
    400: InvalidInput,
    401: InvalidCredentials,
    403: InsufficientBalance,
}


def error_for_status(
    status_code: int, message: str, *, operation: str, retry_after: float | None = None
) -> DatatechlabsError:
    """The error of a reply with HTTP `status_code` and the server's `message`."""
    if status_code == 429:
        return RateLimited(message, status_code=status_code, operation=operation, retry_after=retry_after)
    cls = _STATUS_TABLE.get(status_code, DatatechlabsError)
    return cls(message, status_code=status_code, operation=operation)
