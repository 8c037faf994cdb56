"""The emulator's own envelope (providers/twofactor/envelope.py) against the document's known-answer
vectors (`x-envelope.vectors`), independently of the client's implementation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from twofactor_emulator.providers.twofactor import envelope

DOCUMENT = Path(__file__).resolve().parents[2] / "openapi" / "twofactor.yaml"
VECTORS: list[dict[str, Any]] = yaml.safe_load(DOCUMENT.read_text())["paths"]["/API/R1"]["post"]["x-envelope"][
    "vectors"
]
VALID = [v for v in VECTORS if v.get("valid", True)]
INVALID = [v for v in VECTORS if not v.get("valid", True)]


def _start(vector: dict[str, Any]) -> bytes:
    return bytes.fromhex(vector["nonce"] if vector["mode"] == "GCM" else vector["iv"])


@pytest.mark.parametrize("vector", VALID, ids=[v["name"] for v in VALID])
def test_the_emulator_opens_a_valid_vector_to_its_plaintext(vector: dict[str, Any]) -> None:
    opened = envelope.open_body(vector["body"], vector["secretKey"], vector["mode"])
    assert opened == vector["plaintext"].encode("utf-8")


@pytest.mark.parametrize("vector", VALID, ids=[v["name"] for v in VALID])
def test_the_emulator_seals_a_vector_to_exactly_its_body(vector: dict[str, Any]) -> None:
    sealed = envelope.seal(
        vector["plaintext"].encode("utf-8"), vector["secretKey"], vector["mode"], nonce_or_iv=_start(vector)
    )
    assert sealed == vector["body"]


@pytest.mark.parametrize("vector", INVALID, ids=[v["name"] for v in INVALID])
def test_the_emulator_refuses_an_invalid_vector(vector: dict[str, Any]) -> None:
    with pytest.raises(envelope.EnvelopeError):
        envelope.open_body(vector["body"], vector["secretKey"], vector["mode"])
