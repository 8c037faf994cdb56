"""The emulator's side of the encrypted route's AES-256 envelope, written from the document's
`x-envelope` (openapi/twofactor.yaml, `sendEncrypted`), not shared with the client:

- key: the UTF-8 bytes of the 32-character `Secret-Key` header value;
- GCM: base64(nonce (12 bytes) || ciphertext || tag (16 bytes)), no associated data;
- CBC: base64(IV (16 bytes) || ciphertext), PKCS7 padding (block 16);
- standard base64 with padding; whitespace around the body is ignored.

Every failure to open (wrong key or key length, bad tag, bad padding, truncated, not base64, not a
JSON object) raises the one `EnvelopeError`, so the route's reply is no padding oracle.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ...core.http import JsonError, parse_json

KEY_BYTES = 32
NONCE_BYTES = 12  # GCM
TAG_BYTES = 16  # GCM
IV_BYTES = 16  # CBC
BLOCK_BITS = 128


class EnvelopeError(ValueError):
    """A body that does not open with the key, or a key that cannot be one. Says nothing more."""

    def __init__(self) -> None:
        super().__init__("the envelope does not open")


def _key(secret_key: str) -> bytes:
    key = secret_key.encode("utf-8")
    if len(key) != KEY_BYTES:
        raise EnvelopeError
    return key


@functools.lru_cache(maxsize=32)
def _gcm(key: bytes) -> AESGCM:
    # The key schedule costs about as much as sealing a short body, and the same few keys come back.
    return AESGCM(key)


def seal(plaintext: bytes, secret_key: str, mode: str, *, nonce_or_iv: bytes | None = None) -> str:
    """The base64 body of `plaintext` sealed in `mode` ("GCM" or "CBC"); a fresh random nonce/IV
    unless one is given (known-answer tests give one)."""
    key = _key(secret_key)
    if mode == "GCM":
        nonce = os.urandom(NONCE_BYTES) if nonce_or_iv is None else nonce_or_iv
        if len(nonce) != NONCE_BYTES:
            raise ValueError(f"a GCM nonce is {NONCE_BYTES} bytes")
        raw = nonce + _gcm(key).encrypt(nonce, plaintext, None)
    elif mode == "CBC":
        iv = os.urandom(IV_BYTES) if nonce_or_iv is None else nonce_or_iv
        if len(iv) != IV_BYTES:
            raise ValueError(f"a CBC IV is {IV_BYTES} bytes")
        padder = padding.PKCS7(BLOCK_BITS).padder()
        padded = padder.update(plaintext) + padder.finalize()
        encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        raw = iv + encryptor.update(padded) + encryptor.finalize()
    else:
        raise ValueError("mode must be GCM or CBC")
    return base64.b64encode(raw).decode("ascii")


def open_body(body: bytes | str, secret_key: str, mode: str) -> bytes:
    """The plaintext of a base64 body sealed in `mode`; `EnvelopeError` on any failure."""
    key = _key(secret_key)
    try:
        raw = base64.b64decode(body.strip(), validate=True)
        if mode == "GCM":
            if len(raw) < NONCE_BYTES + TAG_BYTES:
                raise EnvelopeError
            return _gcm(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None)
        if mode != "CBC":
            raise EnvelopeError
        iv, ciphertext = raw[:IV_BYTES], raw[IV_BYTES:]
        if len(iv) != IV_BYTES or not ciphertext or len(ciphertext) % (BLOCK_BITS // 8):
            raise EnvelopeError
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        unpadder = padding.PKCS7(BLOCK_BITS).unpadder()
        return unpadder.update(decryptor.update(ciphertext) + decryptor.finalize()) + unpadder.finalize()
    except (binascii.Error, InvalidTag, ValueError):  # EnvelopeError is a ValueError too
        raise EnvelopeError from None


def seal_json(payload: dict[str, Any], secret_key: str, mode: str) -> str:
    """A JSON object (compact UTF-8), sealed as the route's replies are."""
    return seal(json.dumps(payload, separators=(",", ":")).encode("utf-8"), secret_key, mode)


def open_json(body: bytes | str, secret_key: str, mode: str) -> dict[str, Any]:
    """The JSON object sealed in `body`; `EnvelopeError` if it does not open or is no JSON object."""
    plaintext = open_body(body, secret_key, mode)
    try:
        value = parse_json(plaintext)  # at most the route's 96 KiB: parsed on the loop
    except JsonError:  # not JSON, not UTF-8, nested too deeply: the same reply as every failure
        raise EnvelopeError from None
    if not isinstance(value, dict):
        raise EnvelopeError
    return value
