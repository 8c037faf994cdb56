"""The document says what the docs say, and marks what it adds.

A node whose description says "Interpretation" (a value the docs do not give) carries
`x-provenance: interpretation`, and the reverse; each example of the document validates against its
schema (so do the docs' own replies); examples named as the docs' are the docs' text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from .conftest import HTTP_METHODS, ROOT, resolve

# What the docs do not give, and the node of the document that says so.
INTERPRETED = [
    ("paths", "/API/R1/", "get"),  # GET /API/R1/, inferred from two truncated URL samples
    ("components", "schemas", "RecipientList"),  # R1 `to`: at most 1000 numbers
    ("components", "schemas", "SmsText"),  # R1 `msg`: at most 1000 characters
    ("components", "schemas", "ScheduleTime"),  # India time
    ("components", "schemas", "DltId"),  # digits only
    ("components", "schemas", "EncDlrResult", "properties", "DeliveryStatus"),  # the extra values
    ("components", "schemas", "DeliveryReport", "properties", "SmsStatus"),  # the extra values
    ("components", "responses", "RateLimited"),  # the rate-limit reply and text
    ("paths", "/API/R1/Bulk/", "post", "responses", "429"),  # the bulk rate-limit reply
    ("webhooks", "bulkDeliveryReport", "post"),  # the account-level callback URL
]


def _nodes(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, f"{where}/{index}")


def test_every_interpretation_is_marked_and_every_mark_explained(spec: dict[str, Any]) -> None:
    for where, node in _nodes(spec):
        if where == "#/info":
            continue  # the overview: its sections say "Interpretation:" inline
        description = node.get("description")
        explained = isinstance(description, str) and "Interpretation" in description
        marked = node.get("x-provenance") == "interpretation"
        assert explained == marked, f'{where}: "Interpretation" in the description iff x-provenance: interpretation'


@pytest.mark.parametrize("location", INTERPRETED, ids=["/".join(loc) for loc in INTERPRETED])
def test_each_value_the_docs_do_not_give_is_marked(spec: dict[str, Any], location: tuple[str, ...]) -> None:
    node: Any = spec
    for key in location:
        node = node[key]
    assert node.get("x-provenance") == "interpretation"


def _examples(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(where, schema, value) of every media-type example of requests, responses and webhooks."""
    for section in ("paths", "webhooks"):
        for path, item in spec.get(section, {}).items():
            for method in HTTP_METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                holders = [("request", resolve(spec, operation.get("requestBody", {})))]
                holders += [(status, resolve(spec, r)) for status, r in operation.get("responses", {}).items()]
                for label, holder in holders:
                    for media_type, media in holder.get("content", {}).items():
                        where = f"{method.upper()} {path} {label} {media_type}"
                        if "example" in media:
                            yield where, media["schema"], media["example"]
                        for name, example in media.get("examples", {}).items():
                            yield f"{where} {name}", media["schema"], resolve(spec, example)["value"]


def test_every_example_validates_against_its_schema(spec: dict[str, Any]) -> None:
    checked = 0
    for where, schema, value in _examples(spec):
        validator = Draft202012Validator({**schema, "components": spec["components"]})
        errors = [e.message for e in validator.iter_errors(value)]
        assert not errors, f"{where}: {errors[0]}"
        checked += 1
    assert checked > 40


def test_the_docs_bulk_error_samples_are_the_docs_text(spec: dict[str, Any]) -> None:
    examples = spec["paths"]["/API/R1/Bulk/"]["post"]["responses"]["400"]["content"]["application/json"]["examples"]
    assert "timestamp" not in spec["components"]["schemas"]["BulkError"]["required"]
    for name in ("invalidApiKey", "invalidJson"):
        assert examples[name]["summary"].startswith("The docs'")
        assert "timestamp" not in examples[name]["value"], f"{name}: the docs' sample has no timestamp"
    [detail] = examples["invalidJson"]["value"]["details"]
    assert detail["details"] == "Expected ',' or ']' after array element in JSON at pos:"
    assert examples["invalidApiKey"]["value"]["details"] == [
        {"field": "apikey", "error": "Invalid API Key Or TRANSACTIONAL_SMS Service Is Inactive"}
    ]


def test_readme_lists_the_interpretations() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Interpretations") :]
    for phrase in (
        "`GET /API/R1/`",
        "1000 characters in `msg`",
        "`scheduletime` in India time",
        "`peid` and `ctid` as 1 to 30 digits",
        "show only DELIVERED",
        "Rate Limit Exceeded - 200 Requests Per Second",
        "one callback URL set for the account",
        "up to the\n   tooling",
    ):
        assert phrase in section, phrase
