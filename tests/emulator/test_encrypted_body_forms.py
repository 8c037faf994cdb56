"""The encrypted route takes its base64 body as `text/plain` and as the form content type.

The docs' cURL sample (`curl -X POST "https://2factor.in/API/R1/?module=ENC" -d "<EncryptedPayload>"`)
sends the base64 text with curl's default `Content-Type: application/x-www-form-urlencoded`, so the
document describes both. The bodies are the document's known-answer vectors, sent to an account that
has the vectors' keys: the emulator must open them as they are, with `+` and `/` intact (read as a
form, a `+` would become a space and the envelope would not open).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from twofactor.envelope import open_json
from twofactor_emulator.testing import create_app

from ..envelope_vectors import ENCRYPTED_OPERATION, INVALID, VECTORS

BY_NAME = {v["name"]: v for v in VECTORS}
SENDS = [BY_NAME["gcm-send-sms"], BY_NAME["cbc-send-sms"]]
CONTENT_TYPES = list(ENCRYPTED_OPERATION["requestBody"]["content"])


@pytest.fixture
async def vector_account() -> AsyncIterator[httpx.AsyncClient]:
    """An emulator whose account has the vectors' secret key and the API key inside their plaintexts."""
    plaintext = json.loads(SENDS[0]["plaintext"])
    config: dict[str, Any] = {"accounts": [{"api_key": plaintext["apikey"], "secret_key": SENDS[0]["secretKey"]}]}
    transport = httpx.ASGITransport(app=create_app(db=":memory:", config=config), client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
        yield http


def test_the_document_describes_both_content_types() -> None:
    assert CONTENT_TYPES == ["text/plain", "application/x-www-form-urlencoded"]
    assert all("+" in v["body"] and "/" in v["body"] for v in SENDS), "the vectors must exercise + and /"


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
@pytest.mark.parametrize("path", ["/API/R1", "/API/R1/"])
@pytest.mark.parametrize("vector", SENDS, ids=[v["name"] for v in SENDS])
async def test_a_vector_body_is_accepted_as_text_and_as_form(
    vector_account: httpx.AsyncClient, content_type: str, path: str, vector: dict[str, Any]
) -> None:
    reply = await vector_account.post(
        path,
        params={"module": "ENC", "encmode": vector["mode"]},
        content=vector["body"],
        headers={"Secret-Key": vector["secretKey"], "Content-Type": content_type},
    )
    assert reply.status_code == 200, reply.text
    opened = open_json(reply.text, vector["secretKey"], vector["mode"])
    assert opened["Status"] == "Success"
    messages = (await vector_account.get("/_emulator/messages")).json()["messages"]
    sent = json.loads(vector["plaintext"])
    assert {m["text"] for m in messages if m["requestId"] == opened["Details"]} == {sent["msg"]}
    assert len([m for m in messages if m["requestId"] == opened["Details"]]) == len(sent["to"].split(","))


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
async def test_an_invalid_vector_is_decryption_failed_whatever_the_content_type(
    vector_account: httpx.AsyncClient, content_type: str
) -> None:
    for vector in INVALID:
        reply = await vector_account.post(
            "/API/R1",
            params={"module": "ENC", "encmode": vector["mode"]},
            content=vector["body"],
            headers={"Secret-Key": vector["secretKey"], "Content-Type": content_type},
        )
        assert (reply.status_code, reply.json()) == (400, {"Status": "Error", "Details": "Decryption failed"}), vector[
            "name"
        ]
