"""The Tata Smart 2FA and datatechlabs documents: their endpoint tables, provenance, field rules and
the rules other-language generators need, checked on every operation, schema and example."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .conftest import ROOT, SPEC_PATH, operations, resolve

TATA = SPEC_PATH.parent / "tata-smart2fa.yaml"
DATATECHLABS = SPEC_PATH.parent / "datatechlabs-sms.yaml"
PROVIDER_DOCUMENTS = [TATA, DATATECHLABS]
ALL_DOCUMENTS = sorted(SPEC_PATH.parent.glob("*.yaml"))
PROVENANCE = {"documented", "platform", "interpretation"}

# The review checklist (and the emulator's to-do list): method, path, operationId, provenance, and
# every HTTP status the operation answers. A row missing from the document fails, and so does an
# operation the table does not know.
TATA_ENDPOINTS = [
    ("post", "/2fa/send", "tataSendOtp", "documented", {"200", "400", "401", "404", "409", "429"}),
    ("post", "/2fa/verify", "tataVerifyOtp", "platform", {"200", "400", "401", "404", "409", "410", "429"}),
    ("post", "/2fa/cancel", "tataCancelOtp", "platform", {"200", "400", "401", "404", "409", "410", "429"}),
    ("get", "/2fa/search", "tataListOtps", "platform", {"200", "400", "401", "429"}),
    ("post", "/2fa/search", "tataSearchOtps", "platform", {"200", "400", "401", "429"}),
    ("get", "/2fa/search/{otpSid}", "tataGetOtp", "platform", {"200", "401", "404", "429"}),
    ("get", "/2fa/usage/records", "tataListUsageRecords", "platform", {"200", "401", "429"}),
    ("post", "/2fa/usage/records", "tataSearchUsageRecords", "platform", {"200", "400", "401", "429"}),
    ("get", "/2fa/usage/records/{period}", "tataListUsageRecordsByPeriod", "platform", {"200", "400", "401", "429"}),
    ("post", "/2fa/limits", "tataCreateLimit", "platform", {"200", "400", "401", "409", "429"}),
    ("get", "/2fa/limits", "tataListLimits", "interpretation", {"200", "401", "429"}),
    ("put", "/2fa/limits/{limitSid}", "tataUpdateLimit", "platform", {"200", "400", "401", "404", "429"}),
    ("delete", "/2fa/limits/{limitSid}", "tataDeleteLimit", "interpretation", {"200", "401", "404", "429"}),
]
DATATECHLABS_ENDPOINTS = [
    ("post", "/sms/send", "datatechlabsSendSms", "documented", {"200", "400", "401", "403", "429"}),
]
DATATECHLABS_WEBHOOKS = [
    ("get", "deliveryReceiptByGet", "receiveDatatechlabsDlrByGet"),
    ("post", "deliveryReceiptByPost", "receiveDatatechlabsDlrByPost"),
]


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


@pytest.fixture(scope="module")
def tata() -> dict[str, Any]:
    return load(TATA)


@pytest.fixture(scope="module")
def datatechlabs() -> dict[str, Any]:
    return load(DATATECHLABS)


def every_operation(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    yield from operations(document)
    yield from operations(document, "webhooks")


def walk(node: Any, where: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every dict in a document, with the keys that lead to it."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from walk(value, (*where, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*where, str(index)))


def pointer(where: tuple[str, ...]) -> str:
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in where)


def validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A JSON Schema 2020-12 validator for a schema of the document, its `$ref`s resolved in it."""
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:document", resource)
    where = next(where for where, node in walk(document) if node is schema)
    return jsonschema.Draft202012Validator({"$ref": "urn:document" + pointer(where)}, registry=registry)


def examples_with_schemas(document: dict[str, Any]) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(where, example value, schema) for every media-type and parameter example of a document."""
    for where, node in walk(document):
        schema = node.get("schema")
        if not isinstance(schema, dict):
            continue
        if "example" in node:
            yield pointer(where), node["example"], schema
        for name, example in (node.get("examples") or {}).items():
            if isinstance(example, dict):
                yield f"{pointer(where)}/examples/{name}", resolve(document, example)["value"], schema


# ---------------------------------------------------------------- endpoint tables


@pytest.mark.parametrize(
    ("path", "endpoints"), [(TATA, TATA_ENDPOINTS), (DATATECHLABS, DATATECHLABS_ENDPOINTS)], ids=["tata", "dtl"]
)
def test_the_endpoint_table_is_the_document(path: Path, endpoints: list[Any]) -> None:
    document = load(path)
    found = {(method, p): op for p, method, op in operations(document)}
    assert set(found) == {(method, p) for method, p, *_ in endpoints}
    for method, p, operation_id, provenance, statuses in endpoints:
        op = found[(method, p)]
        assert op["operationId"] == operation_id
        assert op["x-provenance"] == provenance, operation_id
        assert set(op["responses"]) == statuses, operation_id


@pytest.mark.parametrize(
    ("package", "endpoints"),
    [("tata_smart2fa_client", TATA_ENDPOINTS), ("datatechlabs_client", DATATECHLABS_ENDPOINTS)],
)
def test_every_operation_is_in_the_generated_client(package: str, endpoints: list[Any]) -> None:
    api = Path(importlib.import_module(f"{package}.api").__file__ or "").parent
    modules = {p.stem for p in api.rglob("*.py")}
    for _method, _path, operation_id, *_ in endpoints:
        assert re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower() in modules, operation_id


def test_the_dlr_webhooks_cover_both_methods(datatechlabs: dict[str, Any]) -> None:
    for method, name, operation_id in DATATECHLABS_WEBHOOKS:
        assert datatechlabs["webhooks"][name][method]["operationId"] == operation_id


# ---------------------------------------------------------------- rules for every generator


def test_operation_ids_are_unique_across_every_document() -> None:
    seen: dict[str, str] = {}
    for path in ALL_DOCUMENTS:
        for _where, _method, op in every_operation(load(path)):
            assert op["operationId"] not in seen, f"{op['operationId']} in {path.name} and {seen[op['operationId']]}"
            seen[op["operationId"]] = path.name


@pytest.mark.parametrize("path", PROVIDER_DOCUMENTS, ids=lambda p: p.name)
def test_one_defined_tag_per_operation_and_webhooks_have_their_own(path: Path) -> None:
    document = load(path)
    defined = {tag["name"] for tag in document["tags"]}
    path_tags = {tag for _p, _m, op in operations(document) for tag in op["tags"]}
    for where, method, op in every_operation(document):
        assert len(op["tags"]) == 1 and op["tags"][0] in defined, f"{method} {where}: {op['tags']}"
        assert op.get("summary") and len(op.get("description", "")) > 20, f"{method} {where}"
    for _name, _method, op in operations(document, "webhooks"):
        assert op["tags"][0] not in path_tags, f"webhook {op['operationId']} shares a tag with real operations"


@pytest.mark.parametrize("path", PROVIDER_DOCUMENTS, ids=lambda p: p.name)
def test_no_binary_strings_and_every_one_of_has_a_mapped_discriminator(path: Path) -> None:
    for where, node in walk(load(path)):
        assert node.get("format") != "binary", pointer(where)
        if "oneOf" in node:
            mapping = node.get("discriminator", {}).get("mapping", {})
            assert {ref["$ref"] for ref in node["oneOf"]} == set(mapping.values()), pointer(where)


@pytest.mark.parametrize("path", PROVIDER_DOCUMENTS, ids=lambda p: p.name)
def test_every_operation_and_schema_has_a_provenance(path: Path) -> None:
    document = load(path)
    marked = [(op["operationId"], op) for _w, _m, op in every_operation(document)]
    marked += list(document["components"]["schemas"].items())
    for name, node in marked:
        assert node.get("x-provenance") in PROVENANCE, f"{name}: x-provenance {node.get('x-provenance')!r}"
        if node["x-provenance"] == "interpretation":
            assert "Interpretation" in node["description"], f"{name}: say what was decided"


@pytest.mark.parametrize(("path", "heading"), [(TATA, "Tata Smart 2FA"), (DATATECHLABS, "datatechlabs SMS")])
def test_the_readme_lists_the_interpretations_under_a_heading_per_provider(path: Path, heading: str) -> None:
    readme = (ROOT / "README.md").read_text()
    interpretations = readme[readme.index("## Interpretations") :]
    assert f"### {heading}" in interpretations
    section = interpretations.split(f"### {heading}", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    assert len(re.findall(r"^\d+\. \*\*", section, re.MULTILINE)) >= 5, "a numbered list of interpretations"


@pytest.mark.parametrize("path", PROVIDER_DOCUMENTS, ids=lambda p: p.name)
def test_basic_auth_everywhere_and_every_operation_answers_401(path: Path) -> None:
    document = load(path)
    (scheme,) = document["components"]["securitySchemes"].values()
    assert scheme == {**scheme, "type": "http", "scheme": "basic"}
    assert len(document["security"]) == 1
    for where, method, op in operations(document):
        assert "401" in op["responses"], f"{method} {where}"
        for status, response in op["responses"].items():
            response = resolve(document, response)
            media = response["content"]["application/json"]
            assert media.get("examples"), f"{method} {where} {status}: no example"


@pytest.mark.parametrize("path", PROVIDER_DOCUMENTS, ids=lambda p: p.name)
def test_every_example_is_valid_against_its_schema(path: Path) -> None:
    """Redocly's example check cannot read `if`/`then` (see redocly.yaml); this one can."""
    document = load(path)
    checked = 0
    for where, value, schema in examples_with_schemas(document):
        errors = [e.message for e in validator(document, schema).iter_errors(value)]
        assert not errors, f"{where}: {errors}"
        checked += 1
    assert checked >= 20


def test_redocly_ignores_only_the_example_check_of_these_documents() -> None:
    """The ignore file (see its header) may not hide anything the example test above does not cover."""
    ignores = yaml.safe_load((ROOT / ".redocly.lint-ignore.yaml").read_text())
    # The one other entry: the emulator's GET /, whose only answer is a redirect to the inbox.
    admin = ignores.pop("openapi/emulator-admin.yaml", None)
    assert admin in (None, {"operation-2xx-response": ["#/paths/~1/get/responses"]}), admin
    assert set(ignores) <= {f"openapi/{p.name}" for p in PROVIDER_DOCUMENTS}
    for rules in ignores.values():
        assert set(rules) == {"no-invalid-media-type-examples"}
        assert all("/examples/" in where for where in next(iter(rules.values())))


# ---------------------------------------------------------------- Tata's field rules


def tata_send(tata: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return validator(tata, tata["components"]["schemas"]["SendOtpRequest"])


SMS = {"service": "2FA", "from": "+919876500000", "to": "+919999999999", "body": "Code {code}"}
EMAIL = {
    "service": "2FA",
    "channel": "email",
    "emailFrom": "otp@example.com",
    "to": "user@example.com",
    "subject": "Code",
    "body": "Code {code}",
}


@pytest.mark.parametrize(
    "body",
    [
        SMS,
        {**SMS, "channel": "call", "repeat": 3, "voice": "man", "language": "awspolly.ja-JP"},
        EMAIL,
        {**SMS, "length": 4},
        {**SMS, "length": 10},
        {**SMS, "to": "client:alice"},
        {**SMS, "limits": {"limit_on_phone": "+919999999999", "limit_on_ip": "127.0.0.1"}},
        {**SMS, "body": "{code} is your code; again: {code}"},
    ],
)
def test_tata_send_accepts(tata: dict[str, Any], body: dict[str, Any]) -> None:
    tata_send(tata).validate(body)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({k: v for k, v in SMS.items() if k != "from"}, "from is required for sms (channel absent)"),
        ({**{k: v for k, v in SMS.items() if k != "from"}, "channel": "call"}, "from is required for call"),
        ({k: v for k, v in EMAIL.items() if k != "subject"}, "subject is required for email"),
        ({k: v for k, v in EMAIL.items() if k != "emailFrom"}, "emailFrom is required for email"),
        ({**EMAIL, "to": "+919999999999"}, "an email goes to an email address"),
        ({**SMS, "to": "user@example.com"}, "an SMS goes to a phone number"),
        ({**SMS, "length": 3}, "length 4 to 10"),
        ({**SMS, "length": 11}, "length 4 to 10"),
        ({**SMS, "body": "Your code is code"}, "{code} required in body"),
        ({**SMS, "channel": "whatsapp"}, "three channels"),
        ({**SMS, "guardtime": 30}, "unknown fields are refused"),
        ({**SMS, "limits": {}}, "limits has at least one pair"),
        ({**SMS, "timeout": 0}, "timeout at least 30"),
        ({**SMS, "to": "+1234567890123456"}, "at most 15 digits"),
    ],
)
def test_tata_send_refuses(tata: dict[str, Any], body: dict[str, Any], why: str) -> None:
    assert list(tata_send(tata).iter_errors(body)), why


def test_tata_send_defaults(tata: dict[str, Any]) -> None:
    properties = tata["components"]["schemas"]["SendOtpRequest"]["properties"]
    assert resolve(tata, properties["channel"])["default"] == "sms"
    assert properties["length"]["default"] == 6
    assert properties["timeout"]["default"] == 300


def test_tata_documented_errors(tata: dict[str, Any]) -> None:
    responses = tata["paths"]["/2fa/send"]["post"]["responses"]
    assert responses["404"]["content"]["application/json"]["examples"]["tooManyOtps"]["value"] == {
        "code": 453,
        "message": "Too many OTP request to same destination Number",
    }
    assert responses["409"]["content"]["application/json"]["examples"]["invalidLimitName"]["value"]["code"] == 495
    table = {(e["code"], e["httpStatus"]): e for e in tata["info"]["x-error-codes"]}
    assert table[(453, 404)]["provenance"] == "documented" and table[(495, 409)]["provenance"] == "documented"


def test_tata_every_error_example_is_in_the_error_table(tata: dict[str, Any]) -> None:
    table = {(e["code"], e["httpStatus"]): e["message"] for e in tata["info"]["x-error-codes"]}
    for where, method, op in operations(tata):
        for status, response in op["responses"].items():
            if status == "200":
                continue
            for example in resolve(tata, response)["content"]["application/json"]["examples"].values():
                value = example["value"]
                key = (value["code"], int(status))
                assert key in table, f"{method} {where}: {key} not in x-error-codes"
                assert re.fullmatch(message_pattern(table[key]), value["message"]), f"{method} {where}: {value}"


def message_pattern(template: str) -> str:
    """`Missing parameter: <name> | Invalid request body` as a regular expression."""
    alternatives = [
        re.sub(r"<[A-Za-z]+>", ".+", re.escape(m.strip()).replace(r"\<", "<").replace(r"\>", ">"))
        for m in template.split("|")
    ]
    return "|".join(alternatives)


def test_tata_send_links_to_verify_cancel_and_lookup(tata: dict[str, Any]) -> None:
    """Body fields of the next request are link parameters named `body.<field>` (the form schemathesis
    follows; openapi-generator refuses a `requestBody` that is an object of expressions)."""
    links = tata["paths"]["/2fa/send"]["post"]["responses"]["200"]["links"]
    by_target = {link["operationId"]: link for link in links.values()}
    assert set(by_target) == {"tataVerifyOtp", "tataCancelOtp", "tataGetOtp"}
    for target in ("tataVerifyOtp", "tataCancelOtp"):
        link = by_target[target]
        assert "requestBody" not in link
        body = {name.removeprefix("body."): value for name, value in link["parameters"].items()}
        assert set(link["parameters"]) == {f"body.{name}" for name in body}
        assert body["requestID"] == "$response.body#/requestID"
        request = resolve(tata, find(tata, target)["requestBody"]["content"]["application/json"]["schema"])
        assert set(body) <= set(request["properties"]), target
        assert set(request["required"]) - {"code"} <= set(body), f"{target}: the link must fill every required field"
    assert by_target["tataGetOtp"]["parameters"] == {"otpSid": "$response.body#/requestID"}


def find(document: dict[str, Any], operation_id: str) -> dict[str, Any]:
    return next(op for _p, _m, op in operations(document) if op["operationId"] == operation_id)


# ---------------------------------------------------------------- datatechlabs' field rules


def dtl_send(datatechlabs: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return validator(datatechlabs, datatechlabs["components"]["schemas"]["SendSmsRequest"])


PLAIN = {"to": "+37120000000", "from": "DTLABS", "content": "hello, World!"}
RECEIPTS = {"dlr": True, "dlr-url": "https://example.com/dlr", "dlr-level": 3}


@pytest.mark.parametrize(
    "body",
    [
        PLAIN,
        {**PLAIN, **RECEIPTS, "dlr-method": "POST"},
        {**PLAIN, **RECEIPTS, "dlr-level": 1, "dlr-method": "GET"},
        {**PLAIN, "content": "आपका कोड 482910 है", "coding": "UTF-8"},
        {**PLAIN, "content": "आपका कोड 482910 है"},  # no coding: UCS-2 is chosen
        {**PLAIN, "content": "€5 [ok] {x} ~ | ^ \\ £ Ä", "coding": "GSM7"},
        {**PLAIN, "dlr": False, "dlr-url": "https://example.com/dlr"},  # ignored without dlr
    ],
)
def test_datatechlabs_send_accepts(datatechlabs: dict[str, Any], body: dict[str, Any]) -> None:
    dtl_send(datatechlabs).validate(body)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({**PLAIN, "dlr": True, "dlr-level": 1}, "dlr-url required with dlr"),
        ({**PLAIN, "dlr": True, "dlr-url": "https://example.com/dlr"}, "dlr-level required with dlr"),
        ({**PLAIN, **RECEIPTS, "dlr-level": 4}, "levels 1 to 3"),
        ({**PLAIN, **RECEIPTS, "dlr-method": "PUT"}, "GET or POST"),
        ({**PLAIN, "dlr": "yes"}, "a JSON boolean"),
        ({**PLAIN, "coding": "latin1"}, "GSM7 or UTF-8"),
        ({**PLAIN, "content": "आपका कोड", "coding": "GSM7"}, "GSM7 content must fit GSM-7"),
        ({**PLAIN, "text": "hello"}, "unknown argument"),
        ({k: v for k, v in PLAIN.items() if k != "to"}, "to is mandatory"),
        ({**PLAIN, "dlr-url": "ftp://example.com", "dlr": True, "dlr-level": 1}, "http or https"),
    ],
)
def test_datatechlabs_send_refuses(datatechlabs: dict[str, Any], body: dict[str, Any], why: str) -> None:
    assert list(dtl_send(datatechlabs).iter_errors(body)), why


def test_datatechlabs_receipts_have_an_example_for_each_level(datatechlabs: dict[str, Any]) -> None:
    post = datatechlabs["webhooks"]["deliveryReceiptByPost"]["post"]
    form = post["requestBody"]["content"]["application/x-www-form-urlencoded"]["examples"]
    levels = {(example["value"]["level"], "id_smsc" in example["value"]) for example in form.values()}
    assert levels >= {("1", False), ("2", True), ("3", False), ("3", True)}
    get = datatechlabs["webhooks"]["deliveryReceiptByGet"]["get"]
    names = {resolve(datatechlabs, p)["name"] for p in get["parameters"]}
    receipt = datatechlabs["components"]["schemas"]["DeliveryReceipt"]
    assert names == set(receipt["properties"]), "GET carries the same fields as the POST form"
    ack = resolve(datatechlabs, post["responses"]["200"])["content"]["text/plain"]["schema"]
    assert ack["const"] == "ACK/Jasmin"


# ---------------------------------------------------------------- generated models


def test_the_generated_models_read_the_documented_replies() -> None:
    import datatechlabs_models
    import tata_smart2fa_models

    sent = tata_smart2fa_models.SendOtpReply.model_validate(
        {"code": 200, "message": "OK", "requestID": "OTP99d0418681c7dfcb9586a5d69787a77"}
    )
    assert sent.request_id == "OTP99d0418681c7dfcb9586a5d69787a77"
    error = tata_smart2fa_models.ErrorReply.model_validate(
        {"code": 453, "message": "Too many OTP request to same destination Number"}
    )
    assert error.code == 453
    receipt = datatechlabs_models.DeliveryReceipt.model_validate(
        {"id": "030d10b8-a149-4b7e-8ed8-8e8cdb3a11e9", "message_status": "ESME_ROK", "level": "1"}
    )
    assert receipt.level == "1"
