"""Reading the OpenAPI documents: `$ref` resolution shared by the hooks and the tests."""

from __future__ import annotations

from typing import Any


def resolve_ref(document: dict[str, Any], node: Any) -> Any:
    """`node` with its local `$ref`s (`#/components/...`, JSON-pointer escaped) followed in `document`."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node
