"""The docs' endpoint table, written out by hand, against the document and the generated client.

Each row is (method, path as the document writes it, operationId, where the docs give it). A row
missing from the document, or an operation missing from twofactor_client, fails the test; so does
an operation in the document that the table does not know (the table is the review checklist).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from .conftest import operations

V1 = "/API/V1/{api_key}"
ENDPOINTS = [
    # Send OTP - AUTOGEN ("GET Send OTP (AUTOGEN)", "(AUTOGEN2)", "(AUTOGEN3)"), template segment optional
    ("get", f"{V1}/SMS/{{phone_number}}/AUTOGEN", "sendOtpAutogen", "docs"),
    ("get", f"{V1}/SMS/{{phone_number}}/AUTOGEN/{{otp_template_name}}", "sendOtpAutogenWithTemplate", "docs"),
    ("get", f"{V1}/SMS/{{phone_number}}/AUTOGEN2", "sendOtpAutogen2", "docs"),
    ("get", f"{V1}/SMS/{{phone_number}}/AUTOGEN2/{{otp_template_name}}", "sendOtpAutogen2WithTemplate", "docs"),
    ("get", f"{V1}/SMS/{{phone_number}}/AUTOGEN3", "sendOtpAutogen3", "docs"),
    ("get", f"{V1}/SMS/{{phone_number}}/AUTOGEN3/{{otp_template_name}}", "sendOtpAutogen3WithTemplate", "docs"),
    # Send OTP - Custom OTP ("GET Send OTP (Manual Generation)"), and the sandbox's custom template SMS,
    # which has the same shape as the custom OTP without template: one route, resolved by content.
    ("get", f"{V1}/SMS/{{phone_number}}/{{otp_value_or_template}}", "sendCustomOtpOrTemplateSms", "docs"),
    ("get", f"{V1}/SMS/{{phone_number}}/{{otp_value}}/{{otp_template_name}}", "sendCustomOtpWithTemplate", "docs"),
    # Verify OTP Input
    ("get", f"{V1}/SMS/VERIFY/{{otp_session_id}}/{{otp_entered_by_user}}", "verifyOtp", "docs"),
    ("get", f"{V1}/SMS/VERIFY3/{{phone_number}}/{{otp_entered_by_user}}", "verifyOtpByPhone", "docs"),
    ("get", f"{V1}/SMS/VERIFY2/{{otp_session_id}}/{{otp_entered_by_user}}", "verifyOtp2", "docs (sandbox)"),
    # Sandbox / Testing
    ("get", f"{V1}/SMS/{{phone_number}}/AUTOGEND", "sendSandboxOtp", "docs (sandbox)"),
    (
        "get",
        f"{V1}/SMS/{{phone_number}}/AUTOGEND/{{otp_template_name}}",
        "sendSandboxOtpWithTemplate",
        "docs (sandbox)",
    ),
    ("get", f"{V1}/SMS/{{phone_number}}/AUTOGEND2", "sendSandboxOtp2", "docs (sandbox)"),
    (
        "get",
        f"{V1}/SMS/{{phone_number}}/AUTOGEND2/{{otp_template_name}}",
        "sendSandboxOtp2WithTemplate",
        "docs (sandbox)",
    ),
    # Send Transactional SMS / Send Promotional SMS (form POST) and the runtime PEID/CTID sample (GET)
    ("post", "/API/R1/", "sendSms", "docs"),
    ("get", "/API/R1/", "sendSmsByQuery", "docs"),
    # Send Bulk Messages
    ("post", "/API/R1/Bulk/", "sendBulkSms", "docs"),
    # Encrypted SMS Endpoints (send and delivery status share the route)
    ("post", "/API/R1", "sendEncrypted", "docs"),
    # Not in the docs, used by public clients (x-provenance: community)
    ("get", f"{V1}/BAL/SMS", "getOtpSmsBalance", "community"),
    ("get", f"{V1}/ADDON_SERVICES/BAL/TRANSACTIONAL_SMS", "getTransactionalSmsBalance", "community"),
    ("get", f"{V1}/ADDON_SERVICES/BAL/PROMOTIONAL_SMS", "getPromotionalSmsBalance", "community"),
    ("get", f"{V1}/VOICE/{{phone_number}}/AUTOGEN", "sendVoiceOtpAutogen", "community"),
    ("get", f"{V1}/VOICE/{{phone_number}}/{{otp_value}}", "sendVoiceOtpWithValue", "community"),
    ("get", f"{V1}/VOICE/VERIFY/{{otp_session_id}}/{{otp_entered_by_user}}", "verifyVoiceOtp", "community"),
]
WEBHOOKS = [
    ("bulkDeliveryReport", "receiveBulkDeliveryReport"),
    ("campaignClick", "receiveCampaignClick"),
    ("shortUrlClick", "receiveShortUrlClick"),
]


def snake_case(operation_id: str) -> str:
    """openapi-python-client's module name for an operationId (sendOtpAutogen2 -> send_otp_autogen_2)."""
    words = re.sub(r"([a-z])([A-Z0-9])", r"\1_\2", operation_id)
    return re.sub(r"([0-9])([A-Za-z])", r"\1_\2", words).lower()


@pytest.mark.parametrize(("method", "path", "operation_id", "source"), ENDPOINTS, ids=[e[2] for e in ENDPOINTS])
def test_endpoint_is_in_the_document(
    spec: dict[str, Any], method: str, path: str, operation_id: str, source: str
) -> None:
    assert path in spec["paths"], f"{method.upper()} {path} ({source}) is missing from the document"
    operation = spec["paths"][path].get(method)
    assert operation is not None, f"{method.upper()} {path} has no {method} operation"
    assert operation["operationId"] == operation_id
    assert (operation.get("x-provenance") == "community") == (source == "community")


def test_document_has_no_operation_outside_the_table(spec: dict[str, Any]) -> None:
    known = {(m, p) for m, p, _, _ in ENDPOINTS}
    found = {(m, p) for p, m, _ in operations(spec)}
    assert found == known


@pytest.mark.parametrize(("name", "operation_id"), WEBHOOKS)
def test_webhook_is_in_the_document(spec: dict[str, Any], name: str, operation_id: str) -> None:
    assert spec["webhooks"][name]["post"]["operationId"] == operation_id


@pytest.mark.parametrize(("method", "path", "operation_id", "source"), ENDPOINTS, ids=[e[2] for e in ENDPOINTS])
def test_generated_client_has_the_operation(
    spec: dict[str, Any], method: str, path: str, operation_id: str, source: str
) -> None:
    tag = spec["paths"][path][method]["tags"][0]
    module_name = f"twofactor_client.api.{snake_case(tag.replace(' ', '_'))}.{snake_case(operation_id)}"
    module = importlib.import_module(module_name)
    for function in ("sync", "sync_detailed", "asyncio", "asyncio_detailed"):
        assert callable(getattr(module, function, None)), f"{module_name}.{function} is missing"
    kwargs = module.request_kwargs.__code__.co_varnames  # the request builder takes every path parameter
    for parameter in re.findall(r"{(\w+)}", path):
        assert parameter in kwargs, f"{module_name} does not take {parameter}"


def test_snake_case_matches_the_generator() -> None:
    assert snake_case("sendOtpAutogen2WithTemplate") == "send_otp_autogen_2_with_template"
    assert snake_case("getOtpSmsBalance") == "get_otp_sms_balance"
    assert snake_case("OTP_verification") == "otp_verification"
