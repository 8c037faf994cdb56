"""Every error text of 2Factor's routes, and the exceptions that carry them.

The texts quoted by 2Factor's docs or by public clients are used as is; the others follow their
style ("<What> - <why>") and are listed in docs/emulator.md.
"""

from __future__ import annotations

from typing import Any

from ...core.phones import INVALID_PHONE as INVALID_PHONE  # one text, owned by the phone rules

# ---- texts from the docs or from public clients
OTP_MATCHED = "OTP Matched"
OTP_MISMATCH = "OTP Mismatch"
OTP_EXPIRED = "OTP Expired"
NO_ENTRY = "Invalid API / SessionId Combination - No Entry Exists"
SECRET_KEY_MISSING = "Secret-Key is missing in the request header"  # noqa: S105 - an error text
DECRYPTION_FAILED = "Decryption failed"
GET_NOT_SUPPORTED = "HTTP GET is not supported on this endpoint"
BULK_INVALID_API_KEY = "Invalid API Key Or TRANSACTIONAL_SMS Service Is Inactive"
BULK_BAD_JSON = "Failed to parse request body as JSON"
BULK_VALIDATION = "Validation failed"

# ---- texts of the document's interpretations (openapi/twofactor.yaml)
INVALID_API_KEY = "Invalid API Key"
INVALID_OTP_VALUE = "Invalid OTP Value - Expected 4 to 6 digits"
ALREADY_VERIFIED = "OTP Already Verified"
ATTEMPTS_EXCEEDED = "OTP Attempts Exceeded"
NO_ENTRY_PHONE = "Invalid API / Phone Number Combination - No Entry Exists"
SANDBOX_NOT_ENABLED = "Sandbox Mode Is Not Enabled For This Account / Phone Number"

# ---- the emulator's own texts, in 2Factor's style
INVALID_TEMPLATE = "Invalid Template Name - Template Not Found"
INVALID_SENDER = "Invalid Sender Id - Not Approved For This Account"
TEXT_NOT_APPROVED = "Message Text Does Not Match Any Approved Template"
IP_NOT_ALLOWED = "Request From An IP Address Not In The Allowlist"
INVALID_MODULE_R1 = "Invalid Module - Expected TRANS_SMS Or PROMO_SMS"
INVALID_MODULE_ENC = "Invalid Module - Expected TRANS_SMS Or TRANS_SMS_DLR"
INVALID_ENC_QUERY = "Invalid Module - Expected module=ENC"
INVALID_ENC_MODE = "Invalid Encryption Mode - Expected GCM Or CBC"
SCHEDULE_TOO_SOON = "Invalid Schedule Time - Must Be At Least 5 Minutes Ahead (India Time)"
BULK_TOO_MANY = "Messages Must Hold 1 To 1000 Messages"
BULK_NOT_OBJECT = "Request Body Must Be A JSON Object"
BULK_PHONE = "Invalid Phone Number - Expected International Format, Digits With An Optional Leading +"

# Field-specific texts for a form, query or JSON field that fails the document's schema.
FIELD_TEXTS = {
    "module": INVALID_MODULE_R1,
    "apikey": INVALID_API_KEY,
    "to": INVALID_PHONE,
    "from": "Invalid Sender Id - Expected 1 to 6 Letters Or Digits",
    "smsFrom": "Invalid Sender Id - Expected 1 to 6 Letters Or Digits",
    "msg": "Invalid Message Text - Expected 1 to 1000 Characters Without Control Characters",
    "smsText": "Invalid Message Text - Expected 1 to 1000 Characters Without Control Characters",
    "scheduletime": "Invalid Schedule Time - Expected YYYY-MM-DD HH:MM:SS (India Time)",
    "peid": "Invalid PEID - Expected Digits",
    "ctid": "Invalid CTID - Expected Digits",
    "sessionid": "Invalid Session Id - Expected 1 to 128 Characters",
    "smsdate": "Invalid SMS Date - Expected YYYY-MM-DD",
}


def missing_field(name: str) -> str:
    """The text for a required field that is absent."""
    return f"Missing Parameter - {name}"


def invalid_field(name: str) -> str:
    """The text for a field without a specific text."""
    return FIELD_TEXTS.get(name, f"Invalid Parameter - {name}")


def webhook_to_self(name: str) -> str:
    """The text for a webhook URL that points at the emulator itself (core/webhooks.targets_self)."""
    return f"Invalid Parameter - {name} (the emulator does not post webhooks to itself)"


class Refused(Exception):
    """A V1, R1 or ENC error: `{"Status": "Error", "Details": details}`.

    Production answers it with HTTP 400 (`status`), the sandbox with HTTP 200.
    """

    def __init__(self, details: str, *, sandbox: bool = False, status: int = 400) -> None:
        super().__init__(details)
        self.details = details
        self.status = 200 if sandbox else status


class BulkRefused(Exception):
    """A rejected bulk request: the docs' `{"success": false, ...}` shape with its `details` list."""

    def __init__(
        self,
        details: list[dict[str, Any]],
        *,
        error: str = BULK_VALIDATION,
        error_type: str = "ValidationError",
        status: int = 400,
    ) -> None:
        super().__init__(error)
        self.details = details
        self.error = error
        self.error_type = error_type
        self.status = status
