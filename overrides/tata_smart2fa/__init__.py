"""`tata_smart2fa`: a typed client for Tata Communications' Smart 2FA OTP API, sync and async.

    from tata_smart2fa import Smart2fa

    with Smart2fa(sid, token, service="MyApp", sender="+919876500000") as smart2fa:
        sent = smart2fa.send_otp("+919999999999", body="Your code is {code}", length=6)
        if smart2fa.verify(sent, code_typed_by_user).matched:
            ...

Credentials and defaults also come from TATA_SMART2FA_* environment variables. See docs/providers.md.
"""

from sms_common._lazy import lazy_attributes
from sms_common.retries import RetryPolicy

from .aio import AsyncSmart2fa
from .client import Smart2fa
from .errors import (
    InvalidCredentials,
    InvalidInput,
    InvalidLimitName,
    LimitExceeded,
    LimitExists,
    LimitNotFound,
    MalformedReply,
    OtpAlreadyVerified,
    OtpCanceled,
    OtpExpired,
    OtpLocked,
    OtpNotFound,
    OtpUnusable,
    RateLimited,
    Smart2faError,
    Timeout,
    TooManyOtps,
    TransportError,
)
from .results import Limit, LimitBucket, OtpRecord, OtpSent, UsageRecord, VerifyResult
from .settings import PRODUCTION_URL

__all__ = [
    "PRODUCTION_URL",
    "AsyncSmart2fa",
    "InvalidCredentials",
    "InvalidInput",
    "InvalidLimitName",
    "Limit",
    "LimitBucket",
    "LimitExceeded",
    "LimitExists",
    "LimitNotFound",
    "MalformedReply",
    "OtpAlreadyVerified",
    "OtpCanceled",
    "OtpExpired",
    "OtpLocked",
    "OtpNotFound",
    "OtpRecord",
    "OtpSent",
    "OtpUnusable",
    "RateLimited",
    "RetryPolicy",
    "Smart2fa",
    "Smart2faError",
    "Timeout",
    "TooManyOtps",
    "TransportError",
    "UsageRecord",
    "VerifyResult",
    "__version__",
]

# `__version__`: the client distribution's, read on first use.
__getattr__ = lazy_attributes(__name__, {})
