"""The AES-256 envelope of 2Factor's encrypted route (`POST /API/R1?module=ENC`).

Pure functions, no HTTP. The byte layout is this project's reading of vague docs, fixed in the
document's `x-envelope` extension of `sendEncrypted` and listed in the README's interpretations:

* key: the UTF-8 bytes of the account's 32-character secret key (the `Secret-Key` header);
* GCM: base64( nonce (12 random bytes) || ciphertext || tag (16 bytes) ), no associated data;
* CBC: base64( IV (16 random bytes) || ciphertext ), PKCS7 padding.

CBC has no integrity protection: anyone who can change the bytes in transit can change the
plaintext without the receiver noticing. The docs offer it, so it is supported, but GCM is the
default everywhere in this project.

Every failure to open an envelope raises the same `EnvelopeError` with the same message, whatever
went wrong (wrong key, bad tag, bad padding, truncated input, not base64), so that a server built on
`open_envelope` is not a padding oracle.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# `cryptography` is imported inside the functions that use it: its native bindings cost more than the
# rest of the client together, and most programs never send an encrypted SMS.

Mode = Literal["GCM", "CBC"]
MODES: tuple[Mode, ...] = ("GCM", "CBC")
KEY_BYTES = 32
GCM_NONCE_BYTES = 12
GCM_TAG_BYTES = 16
CBC_IV_BYTES = 16
_BLOCK_BITS = 128

# One message for every way opening can fail: distinct messages would tell an attacker which check
# failed (a padding oracle for CBC).
OPEN_FAILED = "Decryption failed"


class EnvelopeError(ValueError):
    """An envelope could not be sealed or opened. The message never contains key material."""


def check_key(secret_key: str | bytes) -> bytes:
    """Return the AES-256 key for a secret key, or raise `EnvelopeError` if it is not 32 bytes."""
    key = secret_key.encode("utf-8") if isinstance(secret_key, str) else bytes(secret_key)
    if len(key) != KEY_BYTES:
        # The length is safe to say; the key itself never appears in the message.
        raise EnvelopeError(f"the secret key must be exactly {KEY_BYTES} bytes of UTF-8, got {len(key)}")
    return key


def check_mode(mode: str) -> Mode:
    """Return `mode` as a known mode (case-insensitive), or raise `EnvelopeError`."""
    upper = mode.upper()
    if upper == "GCM":
        return "GCM"
    if upper == "CBC":
        return "CBC"
    raise EnvelopeError(f"unknown encryption mode {mode!r}: use 'GCM' or 'CBC'")


@functools.lru_cache(maxsize=32)
def _gcm(key: bytes) -> AESGCM:
    """The AES-GCM object of a key. Building it runs the key schedule, which costs as much as sealing
    a short message, and a client or server uses the same few keys again and again (bench/). The
    cache holds at most 32 keys of this process, as the clients holding them do anyway."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def seal(plaintext: bytes, secret_key: str | bytes, mode: str = "GCM") -> str:
    """Encrypt `plaintext` and return the base64 text the encrypted route carries."""
    checked_mode = check_mode(mode)
    start = os.urandom(GCM_NONCE_BYTES if checked_mode == "GCM" else CBC_IV_BYTES)
    return seal_with_nonce(plaintext, secret_key, checked_mode, start)


def seal_with_nonce(plaintext: bytes, secret_key: str | bytes, mode: str, nonce_or_iv: bytes) -> str:
    """`seal` with a given GCM nonce (12 bytes) or CBC IV (16 bytes) instead of a random one.

    Only for known-answer vectors (the document's `x-envelope.vectors`): a GCM nonce used twice with
    one key gives away the authentication key and the XOR of the two plaintexts, so every real
    envelope goes through `seal`, which draws a fresh random nonce or IV.
    """
    key = check_key(secret_key)
    checked_mode = check_mode(mode)
    start = bytes(nonce_or_iv)
    size = GCM_NONCE_BYTES if checked_mode == "GCM" else CBC_IV_BYTES
    if len(start) != size:
        raise EnvelopeError(f"a {checked_mode} envelope needs a {size}-byte nonce or IV, got {len(start)}")
    if checked_mode == "GCM":
        sealed = start + _gcm(key).encrypt(start, plaintext, None)  # ciphertext || tag
    else:
        # PKCS7 by hand on the sealing side: nothing here depends on secret data, and it is faster
        # than the padding objects. Opening keeps `cryptography`'s unpadder (its checks are the
        # careful part).
        block = _BLOCK_BITS // 8
        pad = block - len(plaintext) % block
        padded = plaintext + bytes([pad]) * pad
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        encryptor = Cipher(algorithms.AES(key), modes.CBC(start)).encryptor()
        sealed = start + encryptor.update(padded) + encryptor.finalize()
    return base64.b64encode(sealed).decode("ascii")


def open_envelope(body: str | bytes, secret_key: str | bytes, mode: str = "GCM") -> bytes:
    """Decrypt base64 `body`; raise `EnvelopeError(OPEN_FAILED)` on any failure to open it.

    A bad key length or an unknown mode is the caller's error and says so; everything that depends
    on the body or on whether the key is the right one fails with the one `OPEN_FAILED` message.
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = check_key(secret_key)
    checked_mode = check_mode(mode)
    try:
        raw = base64.b64decode(body.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError(OPEN_FAILED) from None
    try:
        if checked_mode == "GCM":
            if len(raw) < GCM_NONCE_BYTES + GCM_TAG_BYTES:
                raise EnvelopeError(OPEN_FAILED)
            return _gcm(key).decrypt(raw[:GCM_NONCE_BYTES], raw[GCM_NONCE_BYTES:], None)
        iv, ciphertext = raw[:CBC_IV_BYTES], raw[CBC_IV_BYTES:]
        if len(iv) != CBC_IV_BYTES or not ciphertext or len(ciphertext) % (_BLOCK_BITS // 8):
            raise EnvelopeError(OPEN_FAILED)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(_BLOCK_BITS).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except (InvalidTag, ValueError):
        raise EnvelopeError(OPEN_FAILED) from None


def seal_json(payload: dict[str, Any], secret_key: str | bytes, mode: str = "GCM") -> str:
    """Seal a JSON object (compact, UTF-8) as the encrypted route expects it."""
    return seal(json.dumps(payload, separators=(",", ":")).encode("utf-8"), secret_key, mode)


def open_json(body: str | bytes, secret_key: str | bytes, mode: str = "GCM") -> dict[str, Any]:
    """Open an envelope whose plaintext must be a JSON object; anything else is `OPEN_FAILED`."""
    plaintext = open_envelope(body, secret_key, mode)
    try:
        value = json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise EnvelopeError(OPEN_FAILED) from None
    if not isinstance(value, dict):
        raise EnvelopeError(OPEN_FAILED)
    return value
