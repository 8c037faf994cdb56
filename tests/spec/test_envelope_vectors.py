"""The envelope's known-answer vectors (`x-envelope.vectors` of `sendEncrypted`) are right.

Each valid body is re-derived by a second implementation that is neither the client's nor the
emulator's envelope code (Node's `crypto` for GCM, `openssl enc` for CBC), each invalid one must be
refused by it, and every valid plaintext is a plaintext or sealed reply the document describes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from .conftest import ROOT


def _vectors(spec: dict[str, Any]) -> list[dict[str, Any]]:
    vectors: list[dict[str, Any]] = spec["paths"]["/API/R1"]["post"]["x-envelope"]["vectors"]
    return vectors


def test_a_second_implementation_agrees_with_every_vector() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "envelope_vectors.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_every_valid_plaintext_is_a_described_plaintext_or_reply(spec: dict[str, Any]) -> None:
    envelope = spec["paths"]["/API/R1"]["post"]["x-envelope"]
    either = {"anyOf": [envelope["plaintextSchema"], envelope["replySchema"]], "components": spec["components"]}
    validator = Draft202012Validator(either)
    for vector in _vectors(spec):
        if vector.get("valid", True):
            errors = [e.message for e in validator.iter_errors(json.loads(vector["plaintext"]))]
            assert not errors, (vector["name"], errors)


@pytest.mark.parametrize("field", ["name", "mode", "secretKey", "plaintext", "body", "valid"])
def test_every_vector_has_the_fields_other_languages_read(spec: dict[str, Any], field: str) -> None:
    for vector in _vectors(spec):
        assert field in vector, vector.get("name")
        assert ("nonce" in vector) == (vector["mode"] == "GCM") and ("iv" in vector) == (vector["mode"] == "CBC")
