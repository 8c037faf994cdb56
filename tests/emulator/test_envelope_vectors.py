"""The emulator's own envelope (providers/twofactor/envelope.py) against the document's known-answer
vectors (`x-envelope.vectors`), independently of the client's implementation."""

from __future__ import annotations

from typing import Any

import pytest
from twofactor_emulator.providers.twofactor import envelope

from ..envelope_vectors import INVALID, VALID, fixed_start, names


@pytest.mark.parametrize("vector", VALID, ids=names(VALID))
def test_the_emulator_opens_a_valid_vector_to_its_plaintext(vector: dict[str, Any]) -> None:
    opened = envelope.open_body(vector["body"], vector["secretKey"], vector["mode"])
    assert opened == vector["plaintext"].encode("utf-8")


@pytest.mark.parametrize("vector", VALID, ids=names(VALID))
def test_the_emulator_seals_a_vector_to_exactly_its_body(vector: dict[str, Any]) -> None:
    sealed = envelope.seal(
        vector["plaintext"].encode("utf-8"), vector["secretKey"], vector["mode"], nonce_or_iv=fixed_start(vector)
    )
    assert sealed == vector["body"]


@pytest.mark.parametrize("vector", INVALID, ids=names(INVALID))
def test_the_emulator_refuses_an_invalid_vector(vector: dict[str, Any]) -> None:
    with pytest.raises(envelope.EnvelopeError):
        envelope.open_body(vector["body"], vector["secretKey"], vector["mode"])
