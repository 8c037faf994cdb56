"""Every request example of the document is sent to the emulator and the reply validated against the document.

An operation's "docs request" is built from the first example of each parameter and, for each example
of its request body, one request. It is sent twice: as written (the docs' placeholder keys must get
2Factor's error envelope) and with the contract account's key in place of the placeholder (so the
success path is validated too). The encrypted route's body example is opaque base64 sealed with no
real key; its plaintext is sealed with the account's secret key instead.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
import pytest
import yaml
from twofactor.envelope import open_json, seal_json

from .conftest import SPEC_PATH, Target
from .document import resolve_ref

DOCUMENT: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
KEY_FIELDS = {"api_key", "apikey"}


def resolve(node: Any) -> Any:
    return resolve_ref(DOCUMENT, node)


def first_example(holder: dict[str, Any]) -> Any:
    if "example" in holder:
        return holder["example"]
    if holder.get("examples"):
        return resolve(next(iter(holder["examples"].values())))["value"]
    schema = resolve(holder.get("schema", {}))
    if schema.get("examples"):
        return schema["examples"][0]
    return schema.get("const", schema.get("default"))


def docs_requests() -> list[Any]:
    cases = []
    for path, item in DOCUMENT["paths"].items():
        shared = [resolve(p) for p in item.get("parameters", [])]
        for method, operation in item.items():
            if method == "parameters":
                continue
            params = shared + [resolve(p) for p in operation.get("parameters", [])]
            values = {(p["in"], p["name"]): first_example(p) for p in params}
            bodies: list[tuple[str, str | None, Any]] = [("no body", None, None)]
            request_body = resolve(operation.get("requestBody", {}))
            for media_type, media in request_body.get("content", {}).items():
                bodies = []
                if "examples" in media:
                    bodies += [(name, media_type, resolve(ex)["value"]) for name, ex in media["examples"].items()]
                if "example" in media:
                    bodies.append(("example", media_type, media["example"]))
            for label, media_type, body in bodies:
                for keyed in (False, True):
                    cases.append(
                        pytest.param(
                            path,
                            method,
                            operation,
                            values,
                            media_type,
                            body,
                            keyed,
                            id=f"{operation['operationId']}-{label}-{'account key' if keyed else 'as written'}",
                        )
                    )
    return cases


def validator_for(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**schema, "components": DOCUMENT["components"]})


@pytest.mark.parametrize(("path", "method", "operation", "values", "media_type", "body", "keyed"), docs_requests())
def test_docs_example_request(
    target: Target,
    path: str,
    method: str,
    operation: dict[str, Any],
    values: dict[tuple[str, str], Any],
    media_type: str | None,
    body: Any,
    keyed: bool,
) -> None:
    values = dict(values)
    body = dict(body) if isinstance(body, dict) else body
    if keyed:
        for location, name in list(values):
            if name in KEY_FIELDS:
                values[(location, name)] = target.api_key
            if name == "Secret-Key":
                values[(location, name)] = target.secret_key
        if isinstance(body, dict) and "apikey" in body:
            body["apikey"] = target.api_key
    url_path = path
    for (location, name), value in values.items():
        if location == "path":
            url_path = url_path.replace("{" + name + "}", quote(str(value), safe="+"))
    query = {name: str(v) for (location, name), v in values.items() if location == "query" and v is not None}
    headers = {name: str(v) for (location, name), v in values.items() if location == "header" and v is not None}
    envelope = operation.get("x-envelope")
    mode = query.get("encmode", "CBC")
    request: dict[str, Any] = {}
    if media_type == "application/json":
        request["json"] = body
    elif media_type == "application/x-www-form-urlencoded" and envelope is None:
        request["data"] = body
    elif media_type and envelope is not None:
        # The envelope's base64 text is the whole body, as `text/plain` or as the form content type.
        if keyed:
            # The docs' plaintext: the schema's own example of a send, sealed with the account's key.
            plaintext = {
                "module": "TRANS_SMS",
                "apikey": target.api_key,
                "to": "919999999999",
                "from": "HEADER",
                "msg": "DLT Approved Message Text Goes Here",
            }
            request["content"] = seal_json(plaintext, target.secret_key, mode)
        else:
            request["content"] = str(body)
        headers["Content-Type"] = media_type
    elif media_type and media_type.startswith("text/plain"):
        request["content"] = str(body)
        headers["Content-Type"] = media_type
    reply = httpx.request(
        method.upper(), target.base_url + url_path, params=query, headers=headers, timeout=10, **request
    )

    responses = operation["responses"]
    assert str(reply.status_code) in responses, f"undocumented status {reply.status_code}: {reply.text[:300]}"
    documented = resolve(responses[str(reply.status_code)])
    content_type = reply.headers.get("content-type", "").split(";")[0].strip()
    assert content_type in documented.get("content", {}), f"undocumented content type {content_type!r}"
    if content_type == "application/json":
        value = reply.json()
    elif envelope is not None and reply.status_code == 200:
        value = open_json(reply.content, target.secret_key, mode)
        errors = list(validator_for(envelope["replySchema"]).iter_errors(value))
        assert not errors, f"opened reply {value!r}: {errors[0].message}"
        return
    else:
        value = reply.text
    schema = documented["content"][content_type]["schema"]
    errors = list(validator_for(schema).iter_errors(value))
    assert not errors, f"reply {value!r} violates the document: {errors[0].message}"
    if not keyed and any(name in KEY_FIELDS for _, name in values):
        # The docs' placeholder keys are no account's key: a 2Factor-shaped refusal, never a success.
        assert not (isinstance(value, dict) and (value.get("Status") == "Success" or value.get("success") is True))
