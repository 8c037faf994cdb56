"""2Factor's operations table: every operation of openapi/twofactor.yaml, its documented method and
path, bound explicitly to its handler. `check_handlers` runs at import, so a handler without an
operation or an operation without its handler stops the emulator from starting
(tests/emulator/test_routes_match_document.py keeps this table and the document equal).

The order is the routing order: a literal segment (AUTOGEN, VERIFY...) must come before a templated
one of the same shape, as the document's "Route precedence" says; the R1 routes share no shape with
V1 ones and come first because Starlette tries routes one by one.
"""

from __future__ import annotations

from ...core.family import Operation, check_handlers
from ...core.service import Service
from .otp import OtpLifecycle
from .otp_handlers import OtpHandlers
from .sms_handlers import SmsHandlers


class Handlers(OtpHandlers, SmsHandlers):
    """Every 2Factor handler (V1 in otp_handlers.py, R1/bulk/encrypted in sms_handlers.py) over one `Service`."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.otp = OtpLifecycle(service)


V1 = "/API/V1/{api_key}"
POST = ("POST",)  # the document's "POST on V1 routes": every V1 route also answers a bodiless POST
H = Handlers

OPERATIONS: tuple[Operation, ...] = (
    Operation("sendSms", "POST", "/API/R1/", H.sendSms),
    Operation("sendSmsByQuery", "GET", "/API/R1/", H.sendSmsByQuery),
    Operation("sendBulkSms", "POST", "/API/R1/Bulk/", H.sendBulkSms),
    Operation("sendEncrypted", "POST", "/API/R1", H.sendEncrypted),
    Operation("verifyOtp", "GET", V1 + "/SMS/VERIFY/{otp_session_id}/{otp_entered_by_user}", H.verifyOtp, POST),
    Operation("verifyOtp2", "GET", V1 + "/SMS/VERIFY2/{otp_session_id}/{otp_entered_by_user}", H.verifyOtp2, POST),
    Operation(
        "verifyOtpByPhone", "GET", V1 + "/SMS/VERIFY3/{phone_number}/{otp_entered_by_user}", H.verifyOtpByPhone, POST
    ),
    Operation("sendOtpAutogen", "GET", V1 + "/SMS/{phone_number}/AUTOGEN", H.sendOtpAutogen, POST),
    Operation(
        "sendOtpAutogenWithTemplate",
        "GET",
        V1 + "/SMS/{phone_number}/AUTOGEN/{otp_template_name}",
        H.sendOtpAutogenWithTemplate,
        POST,
    ),
    Operation("sendOtpAutogen2", "GET", V1 + "/SMS/{phone_number}/AUTOGEN2", H.sendOtpAutogen2, POST),
    Operation(
        "sendOtpAutogen2WithTemplate",
        "GET",
        V1 + "/SMS/{phone_number}/AUTOGEN2/{otp_template_name}",
        H.sendOtpAutogen2WithTemplate,
        POST,
    ),
    Operation("sendOtpAutogen3", "GET", V1 + "/SMS/{phone_number}/AUTOGEN3", H.sendOtpAutogen3, POST),
    Operation(
        "sendOtpAutogen3WithTemplate",
        "GET",
        V1 + "/SMS/{phone_number}/AUTOGEN3/{otp_template_name}",
        H.sendOtpAutogen3WithTemplate,
        POST,
    ),
    Operation("sendSandboxOtp", "GET", V1 + "/SMS/{phone_number}/AUTOGEND", H.sendSandboxOtp, POST),
    Operation(
        "sendSandboxOtpWithTemplate",
        "GET",
        V1 + "/SMS/{phone_number}/AUTOGEND/{otp_template_name}",
        H.sendSandboxOtpWithTemplate,
        POST,
    ),
    Operation("sendSandboxOtp2", "GET", V1 + "/SMS/{phone_number}/AUTOGEND2", H.sendSandboxOtp2, POST),
    Operation(
        "sendSandboxOtp2WithTemplate",
        "GET",
        V1 + "/SMS/{phone_number}/AUTOGEND2/{otp_template_name}",
        H.sendSandboxOtp2WithTemplate,
        POST,
    ),
    Operation(
        "sendCustomOtpOrTemplateSms",
        "GET",
        V1 + "/SMS/{phone_number}/{otp_value_or_template}",
        H.sendCustomOtpOrTemplateSms,
        POST,
    ),
    Operation(
        "sendCustomOtpWithTemplate",
        "GET",
        V1 + "/SMS/{phone_number}/{otp_value}/{otp_template_name}",
        H.sendCustomOtpWithTemplate,
        POST,
    ),
    Operation("getOtpSmsBalance", "GET", V1 + "/BAL/SMS", H.getOtpSmsBalance, POST),
    Operation(
        "getTransactionalSmsBalance",
        "GET",
        V1 + "/ADDON_SERVICES/BAL/TRANSACTIONAL_SMS",
        H.getTransactionalSmsBalance,
        POST,
    ),
    Operation(
        "getPromotionalSmsBalance", "GET", V1 + "/ADDON_SERVICES/BAL/PROMOTIONAL_SMS", H.getPromotionalSmsBalance, POST
    ),
    Operation(
        "verifyVoiceOtp", "GET", V1 + "/VOICE/VERIFY/{otp_session_id}/{otp_entered_by_user}", H.verifyVoiceOtp, POST
    ),
    Operation("sendVoiceOtpAutogen", "GET", V1 + "/VOICE/{phone_number}/AUTOGEN", H.sendVoiceOtpAutogen, POST),
    Operation("sendVoiceOtpWithValue", "GET", V1 + "/VOICE/{phone_number}/{otp_value}", H.sendVoiceOtpWithValue, POST),
)

check_handlers(OPERATIONS, Handlers)
