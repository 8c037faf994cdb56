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

__all__ = [
    "datatechlabs_send_failure",
    "send_failure",
    "tata_send_failure",
    "twofactor_send_failure",
    "verify_unavailable",
]


def _network(error: Exception, exchange: Exchange) -> SendFailed:
    kind = FailureKind.AMBIGUOUS if exchange.may_have_arrived or exchange.failures == 0 else FailureKind.UNAVAILABLE
    return SendFailed(kind, str(error), error=error)


ErrorClasses = tuple[type[common.ProviderError], ...]


def send_failure(
    error: common.ProviderError,
    exchange: Exchange,
    *,
    invalid_number: ErrorClasses = (),
    no_credits: ErrorClasses = (),
    per_number: ErrorClasses = (),
) -> SendFailed:
    """A provider client's error during a send, as a failover decision. The shared error classes of
    `sms_common` say most; each provider names its own classes for the three things they do not."""
    status = error.status_code

    def failed(kind: FailureKind, counts: bool = True) -> SendFailed:
        return SendFailed(kind, str(error), status_code=status, counts=counts, error=error)

    if isinstance(error, common.TransportError):
        return _network(error, exchange)
    if isinstance(error, invalid_number):
        return failed(FailureKind.INVALID_REQUEST)
    if isinstance(error, per_number):
        # A limit on one destination: the provider is healthy, so its breaker does not count it;
        # another provider may still send.
        return failed(FailureKind.RATE_LIMITED, counts=False)
    if isinstance(error, common.RateLimited) or status == 429:
        return failed(FailureKind.RATE_LIMITED)
    if status is not None and status >= 500:
        return failed(FailureKind.UNAVAILABLE)
    if isinstance(error, no_credits):
        return failed(FailureKind.NO_CREDITS)
    if isinstance(error, common.InvalidCredentials):
        return failed(FailureKind.CREDENTIALS)
    if isinstance(error, common.MalformedReply):
        return failed(FailureKind.AMBIGUOUS)  # a 2xx that is not a send reply: the SMS may have gone out
    return failed(FailureKind.REFUSED)


def twofactor_send_failure(error: tf.TwoFactorError, exchange: Exchange) -> SendFailed:
    """A 2Factor client error during a send."""
    return send_failure(error, exchange, invalid_number=(tf.InvalidPhoneNumber,), no_credits=(tf.InsufficientCredits,))


def tata_send_failure(error: tata.Smart2faError, exchange: Exchange) -> SendFailed:
    """A Tata Smart 2FA client error during a send (453: one OTP a minute per number; 496: a limit's bucket)."""
    return send_failure(error, exchange, per_number=(tata.TooManyOtps, tata.LimitExceeded))


def datatechlabs_send_failure(error: dtl.DatatechlabsError, exchange: Exchange) -> SendFailed:
    """A datatechlabs client error during a send."""
    return send_failure(error, exchange, no_credits=(dtl.InsufficientBalance,))


def verify_unavailable(provider: str, error: common.ProviderError, exchange: Exchange) -> VerifyUnavailable:
    """Any provider's failure during a verify: whether the request may have reached the check."""
    if isinstance(error, common.RateLimited):
        arrived = False  # refused before any processing (429)
    elif isinstance(error, common.TransportError):
        arrived = exchange.may_have_arrived or exchange.failures == 0
    else:
        arrived = True
    return VerifyUnavailable(f"{provider}: {error}", status_code=error.status_code, may_have_arrived=arrived)
