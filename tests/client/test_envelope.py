"""The AES-256 envelope (`twofactor.envelope`) and how the client reports a reply it cannot open."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from twofactor import DecryptionFailed, TwoFactor
from twofactor.envelope import (
    CBC_IV_BYTES,
    GCM_NONCE_BYTES,
    GCM_TAG_BYTES,
    OPEN_FAILED,
    EnvelopeError,
    open_envelope,
    open_json,
    seal,
    seal_json,
)

KEY = "0123456789abcdef0123456789abcdef"
OTHER_KEY = "fedcba9876543210fedcba9876543210"


@pytest.mark.parametrize("mode", ["GCM", "CBC", "gcm"])
@pytest.mark.parametrize(
    "plaintext", [b"", b"x", b"0123456789abcdef", "नमस्ते, OTP 123456".encode(), bytes(range(256)) * 40]
)
def test_round_trip(mode: str, plaintext: bytes) -> None:
    assert open_envelope(seal(plaintext, KEY, mode), KEY, mode) == plaintext


@pytest.mark.parametrize("mode", ["GCM", "CBC"])
def test_every_length_up_to_three_blocks_round_trips(mode: str) -> None:
    for length in range(49):  # CBC padding: every remainder, and whole blocks (a full padding block)
        plaintext = bytes(range(length))
        sealed = base64.b64decode(seal(plaintext, KEY, mode))
        if mode == "CBC":
            assert len(sealed) == CBC_IV_BYTES + (length // 16 + 1) * 16
        assert open_envelope(base64.b64encode(sealed), KEY, mode) == plaintext


def test_layout_matches_x_envelope() -> None:
    gcm = base64.b64decode(seal(b"hello", KEY, "GCM"))
    assert len(gcm) == GCM_NONCE_BYTES + len(b"hello") + GCM_TAG_BYTES
    cbc = base64.b64decode(seal(b"hello", KEY, "CBC"))
    assert len(cbc) == CBC_IV_BYTES + 16  # one padded block


def test_every_single_bit_flip_of_a_gcm_envelope_fails_to_open() -> None:
    sealed = bytearray(base64.b64decode(seal(b"OTP 123456", KEY, "GCM")))
    flips = 0
    for position in range(len(sealed) * 8):  # nonce, ciphertext and tag alike
        broken = bytearray(sealed)
        broken[position // 8] ^= 1 << (position % 8)
        with pytest.raises(EnvelopeError) as caught:
            open_envelope(base64.b64encode(bytes(broken)), KEY, "GCM")
        assert str(caught.value) == OPEN_FAILED
        flips += 1
    assert flips == (GCM_NONCE_BYTES + 10 + GCM_TAG_BYTES) * 8


def test_cbc_is_malleable_which_is_why_gcm_is_the_default() -> None:
    # Documented weakness, shown rather than claimed: flipping an IV bit flips the same plaintext bit.
    sealed = bytearray(base64.b64decode(seal(b"pay 100", KEY, "CBC")))
    sealed[4] ^= ord("1") ^ ord("9")
    assert open_envelope(base64.b64encode(bytes(sealed)), KEY, "CBC") == b"pay 900"


def test_100000_envelopes_repeat_no_nonce() -> None:
    nonces = {base64.b64decode(seal(b"x", KEY, "GCM"))[:GCM_NONCE_BYTES] for _ in range(100_000)}
    assert len(nonces) == 100_000


@pytest.mark.parametrize("mode", ["GCM", "CBC"])
def test_every_failure_to_open_is_the_same_error(mode: str) -> None:
    sealed = seal_json({"Status": "Success", "Details": "id"}, KEY, mode)
    raw = base64.b64decode(sealed)
    cases = {
        "wrong key": (sealed, OTHER_KEY),
        "truncated": (base64.b64encode(raw[:-1]).decode(), KEY),
        "only a nonce": (base64.b64encode(raw[:12]).decode(), KEY),
        "empty": ("", KEY),
        "not base64": ("this is not base64!", KEY),
        "not JSON": (seal(b"not json", KEY, mode), KEY),
        "a JSON list": (seal(b"[1, 2]", KEY, mode), KEY),
    }
    # CBC with a wrong key fails the padding check 255 times in 256; the JSON check catches the rest.
    for name, (body, key) in cases.items():
        with pytest.raises(EnvelopeError) as caught:
            open_json(body, key, mode)
        assert str(caught.value) == OPEN_FAILED, name


@pytest.mark.parametrize("key", ["short", "x" * 31, "x" * 33, "é" * 16 + "x" * 16])
def test_keys_must_be_32_bytes(key: str) -> None:
    with pytest.raises(EnvelopeError, match="exactly 32 bytes") as caught:
        seal(b"x", key)
    assert key not in str(caught.value)


def test_unknown_mode() -> None:
    with pytest.raises(EnvelopeError, match="GCM"):
        seal(b"x", KEY, "ECB")


# ---------------------------------------------------------------------------- through the client
def _client_replying(body: bytes) -> TwoFactor:
    """A client whose server answers every request with HTTP 200 and `body` (the sealed-reply slot)."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    return TwoFactor("key-1234", secret_key=KEY, base_url="http://2factor.test", transport=transport)


@pytest.mark.parametrize(
    "reply",
    [
        seal_json({"Status": "Success", "Details": "request-1"}, OTHER_KEY, "GCM").encode(),  # wrong key
        base64.b64encode(base64.b64decode(seal_json({"Status": "Success"}, KEY, "GCM"))[:20]),  # truncated
        b"%%% not base64 %%%",
    ],
    ids=["wrong key", "truncated", "not base64"],
)
def test_a_reply_that_cannot_be_opened_is_decryption_failed(reply: bytes) -> None:
    with _client_replying(reply) as client, pytest.raises(DecryptionFailed) as caught:
        client.encrypted.send("+919999999999", "HEADER", "hello")
    assert caught.value.operation == "sendEncrypted"
    assert caught.value.status_code == 200


def test_the_client_seals_its_request_with_gcm_by_default() -> None:
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=seal_json({"Status": "Success", "Details": "rid"}, KEY, "GCM").encode())

    with TwoFactor(
        "key-1234", secret_key=KEY, base_url="http://2factor.test", transport=httpx.MockTransport(server)
    ) as c:
        assert c.encrypted.send("9999999999", "HEADER", "hello").request_id == "rid"
    [request] = seen
    assert request.url.params["module"] == "ENC" and request.url.params["encmode"] == "GCM"
    assert request.headers["Secret-Key"] == KEY
    plaintext = json.loads(open_envelope(request.content, KEY, "GCM"))
    assert plaintext == {
        "module": "TRANS_SMS",
        "apikey": "key-1234",
        "to": "919999999999",
        "from": "HEADER",
        "msg": "hello",
    }
