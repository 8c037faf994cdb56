"""Rules that keep the documents usable by generators of every language, not only Python's.

Each rule stands for a failure seen with openapi-generator (typescript-fetch, go, java, kotlin):
webhooks sharing a tag with calls overwrite those calls' files (FILEPATH_COLLISION), an operation
with two tags is written twice (Go: types redeclared), a base64 body described as `format: binary`
becomes a file upload, and a success/error union without a discriminator matches both variants.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from .conftest import ADMIN_SPEC_PATH, SPEC_PATH, operations, resolve

DOCUMENTS = {path.name: yaml.safe_load(path.read_text()) for path in (SPEC_PATH, ADMIN_SPEC_PATH)}


@pytest.fixture(params=sorted(DOCUMENTS))
def document(request: pytest.FixtureRequest) -> dict[str, Any]:
    return DOCUMENTS[request.param]


def test_every_operation_has_exactly_one_tag(document: dict[str, Any]) -> None:
    for section in ("paths", "webhooks"):
        for path, method, op in operations(document, section):
            assert len(op.get("tags", [])) == 1, f"{method.upper()} {path}: tags {op.get('tags')}"


def test_webhooks_have_tags_no_call_uses(document: dict[str, Any]) -> None:
    call_tags = {tag for _, _, op in operations(document) for tag in op["tags"]}
    webhook_tags = {tag for _, _, op in operations(document, "webhooks") for tag in op["tags"]}
    assert not call_tags & webhook_tags, f"webhooks share tags with calls: {call_tags & webhook_tags}"


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    return schemas


def test_every_success_error_union_discriminates_on_status(document: dict[str, Any]) -> None:
    for name, schema in _schemas(document).items():
        variants = schema.get("oneOf") or schema.get("anyOf") or []
        statuses = [resolve(document, v).get("properties", {}).get("Status", {}).get("const") for v in variants]
        if not variants or None in statuses or len(set(statuses)) != len(statuses):
            continue  # not a union told apart by Status (e.g. EncReply: both variants are Success)
        discriminator = schema.get("discriminator")
        assert discriminator, f"{name}: a union told apart by Status has no discriminator"
        assert discriminator["propertyName"] == "Status", name
        assert discriminator["mapping"] == {s: v["$ref"] for s, v in zip(statuses, variants, strict=True)}, name
        assert "oneOf" in schema, f"{name}: a discriminated union is a oneOf"


def test_no_request_body_is_a_file_unless_it_is_one(document: dict[str, Any]) -> None:
    for path, method, op in operations(document):
        for media_type, media in resolve(document, op.get("requestBody", {})).get("content", {}).items():
            schema = resolve(document, media.get("schema", {}))
            assert schema.get("format") != "binary", f"{method.upper()} {path} {media_type}: text described as a file"


def test_the_encrypted_body_is_base64_text_as_text_or_form() -> None:
    document = DOCUMENTS[SPEC_PATH.name]
    operation = document["paths"]["/API/R1"]["post"]
    content = operation["requestBody"]["content"]
    assert list(content) == ["text/plain", "application/x-www-form-urlencoded"]
    vector_bodies = {v["body"] for v in operation["x-envelope"]["vectors"]}
    for media_type, media in content.items():
        schema = media["schema"]
        assert schema["type"] == "string" and "format" not in schema, media_type
        pattern = re.compile(schema["pattern"])
        for good in vector_bodies:
            assert pattern.fullmatch(good), (media_type, good)
        for bad in ("not base64!", "abc", "YWJj=", "YW Jj", "YWJj\n"):
            assert not pattern.fullmatch(bad), (media_type, bad)
        assert media["example"] in vector_bodies and len(media["example"]) >= schema["minLength"]
