"""`twofactor`: a typed client for the 2Factor.in SMS/OTP API, sync and async.

    from twofactor import TwoFactor

    with TwoFactor(api_key) as client:
        sent = client.otp.send("+919999999999")
        if client.otp.verify(sent.session_id, code_typed_by_user).matched:
            ...

See docs/client.md for the whole API, the errors and the CLI.
"""

from sms_common.retries import RetryPolicy

from .aio import AsyncTwoFactor
from .client import TwoFactor
from .errors import (
    BulkValidationError,
    DecryptionFailed,
    FieldError,
    InsufficientCredits,
    InvalidApiKey,
    InvalidInput,
    InvalidPhoneNumber,
    MalformedReply,
    OtpAlreadyVerified,
    OtpAttemptsExceeded,
    OtpExpired,
    RateLimited,
    SessionNotFound,
    TemplateError,
    Timeout,
    TransportError,
    TwoFactorError,
    WebhookError,
)
from .results import (
    BulkAccepted,
    BulkFailure,
    BulkMessage,
    BulkResult,
    DeliveryStatus,
    EncryptedSent,
    OtpSent,
    SmsSent,
    VerifyResult,
)
from .settings import PRODUCTION_URL
from .webhooks import CampaignClick, DeliveryReport, ShortUrlClick, parse_click, parse_delivery_report

__all__ = [
    "PRODUCTION_URL",
    "AsyncTwoFactor",
    "BulkAccepted",
    "BulkFailure",
    "BulkMessage",
    "BulkResult",
    "BulkValidationError",
    "CampaignClick",
    "DecryptionFailed",
    "DeliveryReport",
    "DeliveryStatus",
    "EncryptedSent",
    "FieldError",
    "InsufficientCredits",
    "InvalidApiKey",
    "InvalidInput",
    "InvalidPhoneNumber",
    "MalformedReply",
    "OtpAlreadyVerified",
    "OtpAttemptsExceeded",
    "OtpExpired",
    "OtpSent",
    "RateLimited",
    "RetryPolicy",
    "SessionNotFound",
    "ShortUrlClick",
    "SmsSent",
    "TemplateError",
    "Timeout",
    "TransportError",
    "TwoFactor",
    "TwoFactorError",
    "VerifyResult",
    "WebhookError",
    "parse_click",
    "parse_delivery_report",
]
