"""`twofactor`: a typed client for the 2Factor.in SMS/OTP API, sync and async.

    from twofactor import TwoFactor

    with TwoFactor(api_key) as client:
        sent = client.otp.send("+919999999999")
        if client.otp.verify(sent.session_id, code_typed_by_user).matched:
            ...

See docs/client.md for the whole API, the errors and the CLI.

The clients are imported on first use, so `import twofactor` stays cheap: the generated client,
attrs, asyncio and cryptography load only when a client is first needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sms_common._lazy import lazy_attributes

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
from .webhooks import CampaignClick, DeliveryReport, ShortUrlClick, parse_click, parse_delivery_report

if TYPE_CHECKING:
    from sms_common.retries import RetryPolicy

    from .aio import AsyncTwoFactor
    from .client import TwoFactor
    from .settings import PRODUCTION_URL

# The names whose modules pull in the generated client, attrs, asyncio or cryptography: imported
# on first use (module -> names). Errors, results and webhook parsers are light and imported at once.
_LAZY = {
    "AsyncTwoFactor": "twofactor.aio",
    "TwoFactor": "twofactor.client",
    "RetryPolicy": "sms_common.retries",
    "PRODUCTION_URL": "twofactor.settings",
}

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
    "__version__",
    "parse_click",
    "parse_delivery_report",
]


__getattr__ = lazy_attributes(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
