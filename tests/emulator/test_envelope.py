"""The emulator's own AES envelope (providers/twofactor/envelope.py): it round-trips, refuses what it
must, and agrees byte for byte in layout with the client's separate `twofactor.envelope` (each side
opens what the other sealed). The known-answer vectors of the document check both independently."""

from __future__ import annotations

import base64

import pytest
from twofactor import envelope as client_envelope
from twofactor_emulator.providers.twofactor import envelope

KEY = "0123456789abcdef0123456789abcdef"
OTHER_KEY = "fedcba9876543210fedcba9876543210"
PAYLOAD = {"module": "TRANS_SMS", "apikey": "k", "to": "919999999999", "from": "HEADER", "msg": "héllo ✓"}
MODES = ("GCM", "CBC")


@pytest.mark.parametrize("mode", MODES)
def test_seal_then_open_gives_the_payload_back(mode: str) -> None:
    assert envelope.open_json(envelope.seal_json(PAYLOAD, KEY, mode), KEY, mode) == PAYLOAD


@pytest.mark.parametrize("mode", MODES)
def test_two_seals_of_one_payload_differ(mode: str) -> None:
    assert envelope.seal_json(PAYLOAD, KEY, mode) != envelope.seal_json(PAYLOAD, KEY, mode)


@pytest.mark.parametrize("mode", MODES)
def test_the_client_opens_what_the_emulator_sealed(mode: str) -> None:
    assert client_envelope.open_json(envelope.seal_json(PAYLOAD, KEY, mode), KEY, mode) == PAYLOAD


@pytest.mark.parametrize("mode", MODES)
def test_the_emulator_opens_what_the_client_sealed(mode: str) -> None:
    assert envelope.open_json(client_envelope.seal_json(PAYLOAD, KEY, mode), KEY, mode) == PAYLOAD


def test_the_layout_is_nonce_ciphertext_tag_and_iv_ciphertext() -> None:
    plaintext = b"x" * 20
    gcm = base64.b64decode(envelope.seal(plaintext, KEY, "GCM", nonce_or_iv=bytes(12)))
    assert gcm[:12] == bytes(12) and len(gcm) == 12 + 20 + 16
    cbc = base64.b64decode(envelope.seal(plaintext, KEY, "CBC", nonce_or_iv=bytes(16)))
    assert cbc[:16] == bytes(16) and len(cbc) == 16 + 32  # 20 bytes pad to two blocks


@pytest.mark.parametrize("mode", MODES)
def test_every_failure_to_open_is_the_same_error(mode: str) -> None:
    sealed = envelope.seal_json(PAYLOAD, KEY, mode)
    raw = bytearray(base64.b64decode(sealed))
    raw[-1] ^= 1
    tampered = base64.b64encode(bytes(raw)).decode()
    other_mode = "CBC" if mode == "GCM" else "GCM"
    bodies = [
        (sealed, OTHER_KEY, mode),  # wrong key
        (sealed, KEY[:31], mode),  # a key of the wrong length
        (tampered, KEY, mode),  # a flipped bit (GCM: bad tag; CBC: bad padding)
        (sealed[:20], KEY, mode),  # truncated
        ("not base64!", KEY, mode),
        (sealed, KEY, other_mode),
        (envelope.seal(b"[1, 2]", KEY, mode), KEY, mode),  # JSON, but no object
        (envelope.seal(b"\xff\xfe", KEY, mode), KEY, mode),  # not UTF-8
    ]
    messages = set()
    for body, key, body_mode in bodies:
        with pytest.raises(envelope.EnvelopeError) as caught:
            envelope.open_json(body, key, body_mode)
        messages.add(str(caught.value))
        assert KEY not in str(caught.value)
    assert len(messages) == 1


def test_a_nonce_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="12 bytes"):
        envelope.seal(b"x", KEY, "GCM", nonce_or_iv=bytes(16))
    with pytest.raises(ValueError, match="16 bytes"):
        envelope.seal(b"x", KEY, "CBC", nonce_or_iv=bytes(12))
