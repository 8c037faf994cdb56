"""The client's envelope against the document's known-answer vectors (`x-envelope.vectors`).

The vectors were computed outside the client and re-derived by Node's `crypto` and `openssl enc`
(`scripts/envelope_vectors.py --check`), so these tests check the client's byte layout against an
answer it did not produce.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from twofactor import DecryptionFailed, TwoFactor
from twofactor.envelope import OPEN_FAILED, EnvelopeError, open_envelope, seal, seal_with_nonce

from ..envelope_vectors import INVALID, VALID, VECTORS, fixed_start, names


def test_the_document_has_the_vectors_every_implementation_needs() -> None:
    names = [v["name"] for v in VECTORS]
    assert len(names) == len(set(names)), "vector names must be unique"
    for mode in ("GCM", "CBC"):
        valid_plaintexts = [v["plaintext"] for v in VALID if v["mode"] == mode]
        assert any('"module":' in p for p in valid_plaintexts), f"{mode}: a send plaintext"
        assert any('"Status":"Success"' in p for p in valid_plaintexts), f"{mode}: a reply plaintext"
        assert any(v["mode"] == mode for v in INVALID), f"{mode}: a vector that must fail"
    for vector in VECTORS:
        assert len(vector["secretKey"].encode("utf-8")) == 32
        assert len(fixed_start(vector)) == (12 if vector["mode"] == "GCM" else 16)
        assert set(vector) <= {"name", "mode", "secretKey", "nonce", "iv", "plaintext", "body", "valid"}


@pytest.mark.parametrize("vector", VALID, ids=names(VALID))
def test_a_valid_vector_opens_to_exactly_its_plaintext(vector: dict[str, Any]) -> None:
    opened = open_envelope(vector["body"], vector["secretKey"], vector["mode"])
    assert opened == vector["plaintext"].encode("utf-8")


@pytest.mark.parametrize("vector", VALID, ids=names(VALID))
def test_sealing_with_the_fixed_nonce_gives_exactly_the_body(vector: dict[str, Any]) -> None:
    sealed = seal_with_nonce(
        vector["plaintext"].encode("utf-8"), vector["secretKey"], vector["mode"], fixed_start(vector)
    )
    assert sealed == vector["body"]


@pytest.mark.parametrize("vector", VALID, ids=names(VALID))
def test_production_sealing_never_reuses_the_vectors_nonce(vector: dict[str, Any]) -> None:
    sealed = base64.b64decode(seal(vector["plaintext"].encode("utf-8"), vector["secretKey"], vector["mode"]))
    assert sealed[: len(fixed_start(vector))] != fixed_start(vector)
    assert base64.b64encode(sealed).decode() != vector["body"]


@pytest.mark.parametrize("mode,size", [("GCM", 12), ("CBC", 16)])
@pytest.mark.parametrize("offset", [-1, +1])
def test_a_fixed_nonce_of_the_wrong_size_is_refused(mode: str, size: int, offset: int) -> None:
    for length in (0, size + offset):
        with pytest.raises(EnvelopeError, match=f"{size}-byte"):
            seal_with_nonce(b"x", VECTORS[0]["secretKey"], mode, bytes(length))


@pytest.mark.parametrize("vector", INVALID, ids=names(INVALID))
def test_an_invalid_vector_is_refused_with_the_one_message(vector: dict[str, Any]) -> None:
    with pytest.raises(EnvelopeError) as caught:
        open_envelope(vector["body"], vector["secretKey"], vector["mode"])
    assert str(caught.value) == OPEN_FAILED


@pytest.mark.parametrize("vector", INVALID, ids=names(INVALID))
def test_the_client_reports_an_invalid_vector_as_a_reply_it_cannot_open(vector: dict[str, Any]) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=vector["body"].encode()))
    with (
        TwoFactor("key-1234", secret_key=vector["secretKey"], base_url="http://2factor.test", transport=transport) as c,
        pytest.raises(DecryptionFailed) as caught,
    ):
        c.encrypted.send("+919999999999", "HEADER", "hello", mode=vector["mode"])
    assert caught.value.operation == "sendEncrypted"
    assert vector["secretKey"] not in str(caught.value)


@pytest.mark.parametrize("vector", [v for v in VALID if '"Status"' in v["plaintext"]], ids=lambda v: v["name"])
def test_the_client_reads_a_sealed_reply_vector(vector: dict[str, Any]) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=vector["body"].encode()))
    with TwoFactor(
        "key-1234", secret_key=vector["secretKey"], base_url="http://2factor.test", transport=transport
    ) as client:
        if '"DeliveryStatus"' in vector["plaintext"]:
            status = client.encrypted.delivery_status("rid-1", date="2026-11-30", mode=vector["mode"])
            assert status.status == "DELIVERED"
        else:
            sent = client.encrypted.send("+919999999999", "HEADER", "hello", mode=vector["mode"])
            assert sent.request_id in vector["plaintext"]
