"""The quality bar issue 2 sets for the document, checked on every operation, parameter and response."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import operations, resolve

CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
SEND_OTP = [
    "sendOtpAutogen",
    "sendOtpAutogenWithTemplate",
    "sendOtpAutogen2",
    "sendOtpAutogen2WithTemplate",
    "sendOtpAutogen3",
    "sendOtpAutogen3WithTemplate",
    "sendCustomOtpOrTemplateSms",
    "sendCustomOtpWithTemplate",
    "sendSandboxOtp",
    "sendSandboxOtpWithTemplate",
    "sendSandboxOtp2",
    "sendSandboxOtp2WithTemplate",
]
# Sandbox sends answer dummies that only Dummy-12345 verifies; VERIFY3 by phone is not offered for them.
SANDBOX_SEND_OTP = [op for op in SEND_OTP if op.startswith("sendSandbox")]


def all_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return list(operations(spec)) + list(operations(spec, "webhooks"))


def by_id(spec: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {op["operationId"]: (path, op) for path, _, op in operations(spec)}


def test_every_operation_has_id_summary_description_and_defined_tags(spec: dict[str, Any]) -> None:
    defined_tags = {tag["name"] for tag in spec["tags"]}
    ids = []
    for path, method, op in all_operations(spec):
        where = f"{method.upper()} {path}"
        assert CAMEL_CASE.match(op.get("operationId", "")), f"{where}: operationId not camelCase"
        assert op.get("summary", "").strip(), f"{where}: no summary"
        assert len(op.get("description", "").strip()) > 20, f"{where}: no description"
        assert op.get("tags") and set(op["tags"]) <= defined_tags, f"{where}: missing or undefined tags"
        ids.append(op["operationId"])
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_every_parameter_has_a_constrained_schema_and_an_example(spec: dict[str, Any]) -> None:
    for path, method, op in operations(spec):
        params = [resolve(spec, p) for p in spec["paths"][path].get("parameters", []) + op.get("parameters", [])]
        assert path.count("{") == sum(p["in"] == "path" for p in params), f"{path}: path parameters undeclared"
        for param in params:
            where = f"{method.upper()} {path} {param['name']}"
            schema = resolve(spec, param.get("schema"))
            assert schema, f"{where}: no schema"
            assert "example" in param or "examples" in param, f"{where}: no example"
            if schema.get("type") == "string" and "enum" not in schema and "const" not in schema:
                assert "pattern" in schema, f"{where}: no pattern"
                assert "minLength" in schema and "maxLength" in schema, f"{where}: no length bounds"


def test_every_response_has_a_schema_and_examples(spec: dict[str, Any]) -> None:
    for path, method, op in operations(spec):
        for status, response in op["responses"].items():
            response = resolve(spec, response)
            where = f"{method.upper()} {path} {status}"
            assert response.get("description"), f"{where}: no description"
            assert response.get("content"), f"{where}: no content"
            for media_type, media in response["content"].items():
                assert media.get("schema"), f"{where} {media_type}: no schema"
                if media_type == "application/json" and status != "429":
                    assert media.get("examples") or media.get("example"), f"{where}: no example"


def test_every_operation_answers_a_4xx(spec: dict[str, Any]) -> None:
    for path, method, op in operations(spec):
        assert any(code.startswith("4") for code in op["responses"]), f"{method.upper()} {path}: no 4xx response"


@pytest.mark.parametrize(
    ("schema_name", "status"),
    [
        ("OtpSendSuccess", "Success"),
        ("OtpSendWithValueSuccess", "Success"),
        ("VerifySuccess", "Success"),
        ("SmsSendSuccess", "Success"),
        ("BalanceSuccess", "Success"),
        ("ErrorReply", "Error"),
    ],
)
def test_status_is_a_const_in_every_envelope_variant(spec: dict[str, Any], schema_name: str, status: str) -> None:
    schema = spec["components"]["schemas"][schema_name]
    assert schema["properties"]["Status"]["const"] == status
    assert "Status" in schema["required"] and "Details" in schema["required"]


def test_production_errors_are_400_and_sandbox_errors_200_with_the_same_body(spec: dict[str, Any]) -> None:
    for path, _method, op in operations(spec):
        if not path.startswith("/API/V1/"):
            continue
        ok = resolve(spec, op["responses"]["200"])["content"]["application/json"]["schema"]
        variants = [v["$ref"] for v in resolve(spec, ok).get("oneOf", [])]
        assert "#/components/schemas/ErrorReply" in variants, f"{path}: 200 must admit the sandbox's errors"
        bad = resolve(spec, op["responses"]["400"])["content"]["application/json"]["schema"]
        assert bad == {"$ref": "#/components/schemas/ErrorReply"}, f"{path}: 400 must be the error envelope"


@pytest.mark.parametrize("operation_id", SEND_OTP)
def test_every_send_otp_reply_links_to_verify(spec: dict[str, Any], operation_id: str) -> None:
    _, op = by_id(spec)[operation_id]
    links = resolve(spec, op["responses"]["200"])["links"]
    verify = [link for link in links.values() if link["operationId"] == "verifyOtp"]
    assert verify, f"{operation_id}: no link to verifyOtp"
    assert verify[0]["parameters"]["otp_session_id"] == "$response.body#/Details"
    assert verify[0]["parameters"]["api_key"] == "$request.path.api_key"


@pytest.mark.parametrize("operation_id", [op for op in SEND_OTP if op not in SANDBOX_SEND_OTP])
def test_phone_based_sends_link_to_verify_by_phone(spec: dict[str, Any], operation_id: str) -> None:
    _, op = by_id(spec)[operation_id]
    links = resolve(spec, op["responses"]["200"])["links"]
    by_phone = [link for link in links.values() if link["operationId"] == "verifyOtpByPhone"]
    assert by_phone and by_phone[0]["parameters"]["phone_number"] == "$request.path.phone_number"


def test_link_targets_exist_and_take_the_linked_parameters(spec: dict[str, Any]) -> None:
    """No linter checks link targets, so this test does."""
    operations_by_id = by_id(spec)
    for name, response in spec["components"]["responses"].items():
        for link_name, link in response.get("links", {}).items():
            assert link["operationId"] in operations_by_id, f"{name}.{link_name}: unknown operation"
            path, _op = operations_by_id[link["operationId"]]
            for parameter in link["parameters"]:
                assert "{" + parameter + "}" in path, f"{name}.{link_name}: {path} has no {parameter}"


def test_no_two_templated_paths_are_equivalent(spec: dict[str, Any]) -> None:
    shapes: dict[str, str] = {}
    for path in spec["paths"]:
        shape = re.sub(r"{[^}]+}", "{}", path)
        assert shape not in shapes, f"{path} and {shapes[shape]} are equivalent templated paths"
        shapes[shape] = path


def test_servers_name_production_and_the_local_emulator(spec: dict[str, Any]) -> None:
    urls = [server["url"] for server in spec["servers"]]
    assert "https://2factor.in" in urls
    assert any(url.startswith("http://127.0.0.1:") for url in urls)


def test_encrypted_route_fixes_the_envelope_layout(spec: dict[str, Any]) -> None:
    envelope = spec["paths"]["/API/R1"]["post"]["x-envelope"]
    assert envelope["modes"]["GCM"]["layout"] == "nonce (12 random bytes) || ciphertext || tag (16 bytes)"
    assert envelope["modes"]["CBC"]["layout"] == "IV (16 random bytes) || ciphertext"
    assert envelope["modes"]["CBC"]["padding"].startswith("PKCS7")
    assert resolve(spec, envelope["plaintextSchema"])["title"] == "EncPlaintext"


def test_the_plus_in_phone_paths_is_explained(spec: dict[str, Any]) -> None:
    assert "literal `+`" in spec["info"]["description"] and "%2B" in spec["info"]["description"]
    assert spec["components"]["schemas"]["PhoneNumber"]["pattern"] == r"^\+?[0-9]{10,15}$"
