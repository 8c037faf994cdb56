"""The OpenAPI documents this distribution ships, bundled (every `$ref` internal), YAML and JSON.

    from twofactor import documents

    documents.names()                         # ['emulator-admin', 'twofactor', ...]
    documents.path("twofactor")               # .../twofactor/openapi/twofactor-openapi-1.0.0.yaml
    documents.path("twofactor", "json")
    documents.text("twofactor", "json")

A document's name is its source file's name in the repository's `openapi/` folder, without `.yaml`.
The files are the repository's `dist/`, written by `scripts/bundle.py` and listed in its index.json.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

__all__ = ["Format", "names", "path", "text"]

Format = Literal["yaml", "json"]
_FOLDER = "openapi"


@cache
def _index() -> dict[str, dict[str, str]]:
    documents: dict[str, dict[str, str]] = json.loads(_folder().joinpath("index.json").read_text("utf-8"))["documents"]
    return documents


def _folder() -> Path:
    return Path(str(resources.files(__package__ or "twofactor") / _FOLDER))


def names() -> list[str]:
    """The names of the shipped documents, sorted."""
    return sorted(_index())


def path(name: str, format: Format = "yaml") -> Path:
    """The file of document `name` in `format` ("yaml" or "json"); KeyError for an unknown name."""
    if format not in ("yaml", "json"):
        raise ValueError(f"format must be 'yaml' or 'json', not {format!r}")
    entry = _index().get(name)
    if entry is None:
        raise KeyError(f"no document named {name!r}; shipped: {', '.join(names())}")
    return _folder() / entry[format]


def text(name: str, format: Format = "yaml") -> str:
    """The text of document `name` in `format`."""
    return path(name, format).read_text("utf-8")
