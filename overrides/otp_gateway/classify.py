"""Each provider client's errors, read as failover decisions (`SendFailed` of one `FailureKind`).

One function per provider, shared by the sync and async adapters. The rules are the policy's
(see `policy`): a number the provider calls invalid is INVALID_REQUEST (raised, no failover: the
gateway already checked its form, so every provider would refuse it); a network failure is
UNAVAILABLE when the request never left and AMBIGUOUS when it may have arrived; HTTP 5xx is
UNAVAILABLE; any other refusal (a template, a sender id, an account setting) is the provider's own
configuration, so the next provider is tried (REFUSED) and the breaker counts it.
"""

from __future__ import annotations

from datatechlabs import errors as dtl
from sms_common import errors as common
from tata_smart2fa import errors as tata
from twofactor import errors as tf

from .errors import VerifyUnavailable
from .outcomes import FailureKind, SendFailed
from .tracking import Exchange

__all__ = ["datatechlabs_send_failure", "tata_send_failure", "twofactor_send_failure", "verify_unavailable"]


def _network(error: Exception, exchange: Exchange) -> SendFailed:
    kind = FailureKind.AMBIGUOUS if exchange.may_have_arrived or exchange.failures == 0 else FailureKind.UNAVAILABLE
    return SendFailed(kind, str(error), error=error)


def twofactor_send_failure(error: tf.TwoFactorError, exchange: Exchange) -> SendFailed:
    """A 2Factor client error during a send, as a failover decision."""
    status = error.status_code
    if isinstance(error, tf.TransportError):
        return _network(error, exchange)
    if isinstance(error, tf.InvalidPhoneNumber):
        return SendFailed(FailureKind.INVALID_REQUEST, str(error), status_code=status, error=error)
    if isinstance(error, tf.RateLimited) or status == 429:
        return SendFailed(FailureKind.RATE_LIMITED, str(error), status_code=status, error=error)
    if status is not None and status >= 500:
        return SendFailed(FailureKind.UNAVAILABLE, str(error), status_code=status, error=error)
    if isinstance(error, tf.InsufficientCredits):
        return SendFailed(FailureKind.NO_CREDITS, str(error), status_code=status, error=error)
    if isinstance(error, tf.InvalidApiKey):
        return SendFailed(FailureKind.CREDENTIALS, str(error), status_code=status, error=error)
    if isinstance(error, tf.MalformedReply):
        # A 2xx whose body is not a send reply: the SMS may well have gone out.
        return SendFailed(FailureKind.AMBIGUOUS, str(error), status_code=status, error=error)
    return SendFailed(FailureKind.REFUSED, str(error), status_code=status, error=error)


def tata_send_failure(error: tata.Smart2faError, exchange: Exchange) -> SendFailed:
    """A Tata Smart 2FA client error during a send, as a failover decision."""
    status = error.status_code
    if isinstance(error, tata.TransportError):
        return _network(error, exchange)
    if isinstance(error, tata.TooManyOtps | tata.LimitExceeded):
        # Limits on one destination (453: one OTP a minute; 496: a limit's bucket): the provider is
        # healthy, so the breaker does not count them; another provider may still send.
        return SendFailed(FailureKind.RATE_LIMITED, str(error), status_code=status, counts=False, error=error)
    if isinstance(error, tata.RateLimited) or status == 429:
        return SendFailed(FailureKind.RATE_LIMITED, str(error), status_code=status, error=error)
    if status is not None and status >= 500:
        return SendFailed(FailureKind.UNAVAILABLE, str(error), status_code=status, error=error)
    if isinstance(error, tata.InvalidCredentials):
        return SendFailed(FailureKind.CREDENTIALS, str(error), status_code=status, error=error)
    if isinstance(error, tata.MalformedReply):
        return SendFailed(FailureKind.AMBIGUOUS, str(error), status_code=status, error=error)
    return SendFailed(FailureKind.REFUSED, str(error), status_code=status, error=error)


def datatechlabs_send_failure(error: dtl.DatatechlabsError, exchange: Exchange) -> SendFailed:
    """A datatechlabs client error during a send, as a failover decision."""
    status = error.status_code
    if isinstance(error, dtl.TransportError):
        return _network(error, exchange)
    if isinstance(error, dtl.RateLimited) or status == 429:
        return SendFailed(FailureKind.RATE_LIMITED, str(error), status_code=status, error=error)
    if status is not None and status >= 500:
        return SendFailed(FailureKind.UNAVAILABLE, str(error), status_code=status, error=error)
    if isinstance(error, dtl.InsufficientBalance):
        return SendFailed(FailureKind.NO_CREDITS, str(error), status_code=status, error=error)
    if isinstance(error, dtl.InvalidCredentials):
        return SendFailed(FailureKind.CREDENTIALS, str(error), status_code=status, error=error)
    if isinstance(error, dtl.MalformedReply):
        return SendFailed(FailureKind.AMBIGUOUS, str(error), status_code=status, error=error)
    return SendFailed(FailureKind.REFUSED, str(error), status_code=status, error=error)


def verify_unavailable(provider: str, error: common.ProviderError, exchange: Exchange) -> VerifyUnavailable:
    """Any provider's failure during a verify: whether the request may have reached the check."""
    if isinstance(error, common.RateLimited):
        arrived = False  # refused before any processing (429)
    elif isinstance(error, common.TransportError):
        arrived = exchange.may_have_arrived or exchange.failures == 0
    else:
        arrived = True
    return VerifyUnavailable(f"{provider}: {error}", status_code=error.status_code, may_have_arrived=arrived)
