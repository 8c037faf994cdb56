"""Seal and open per second of `twofactor.envelope`, 300-byte payload, GCM and CBC.

Each figure is paired with a reference measured in the same run: the same byte layout written
directly on `cryptography`, with every object the library lets us reuse built once (one AESGCM per
key; CBC needs a new Cipher per IV) and padding done by hand. The ratio is what the envelope's own
Python costs on top of the AES itself.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable

from bench.table import Row

PAYLOAD_BYTES = 300
GOAL_PER_SECOND = 100_000
_BATCH = 500  # calls between clock reads, so reading the clock costs nothing measurable


def per_second(call: Callable[[], object], seconds: float) -> float:
    """Calls of `call` per second over about `seconds` of wall time."""
    calls = 0
    start = time.perf_counter()
    deadline = start + seconds
    now = start
    while now < deadline:
        for _ in range(_BATCH):
            call()
        calls += _BATCH
        now = time.perf_counter()
    return calls / (now - start)


def references(key: bytes, payload: bytes) -> dict[tuple[str, str], Callable[[], object]]:
    """(direction, mode) -> the reference call (see the module docstring)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    gcm, aes = AESGCM(key), algorithms.AES(key)
    pad = 16 - len(payload) % 16
    padded = payload + bytes([pad]) * pad

    def seal_gcm() -> bytes:
        nonce = os.urandom(12)
        return base64.b64encode(nonce + gcm.encrypt(nonce, payload, None))

    def seal_cbc() -> bytes:
        iv = os.urandom(16)
        encryptor = Cipher(aes, modes.CBC(iv)).encryptor()
        return base64.b64encode(iv + encryptor.update(padded) + encryptor.finalize())

    sealed_gcm, sealed_cbc = base64.b64decode(seal_gcm()), base64.b64decode(seal_cbc())
    text_gcm, text_cbc = base64.b64encode(sealed_gcm), base64.b64encode(sealed_cbc)

    def open_gcm() -> bytes:
        raw = base64.b64decode(text_gcm)
        return gcm.decrypt(raw[:12], raw[12:], None)

    def open_cbc() -> bytes:
        raw = base64.b64decode(text_cbc)
        decryptor = Cipher(aes, modes.CBC(raw[:16])).decryptor()
        plain = decryptor.update(raw[16:]) + decryptor.finalize()
        return plain[: -plain[-1]]

    return {("seal", "GCM"): seal_gcm, ("seal", "CBC"): seal_cbc, ("open", "GCM"): open_gcm, ("open", "CBC"): open_cbc}


def run(seconds: float) -> list[Row]:
    """One row per mode and direction, each with its reference."""
    from twofactor.envelope import MODES, open_envelope, seal

    key = os.urandom(16).hex()  # 32 characters, like an account's secret key
    payload = os.urandom(PAYLOAD_BYTES)
    refs = references(key.encode(), payload)
    rows = []
    for mode in MODES:
        sealed = seal(payload, key, mode)
        # A benchmark of a broken round trip is worthless, and the reference must speak the same format.
        assert open_envelope(sealed, key, mode) == payload
        assert open_envelope(refs[("seal", mode)](), key, mode) == payload  # type: ignore[arg-type]
        for direction, call in (
            ("seal", lambda m=mode: seal(payload, key, m)),
            ("open", lambda m=mode, s=sealed: open_envelope(s, key, m)),
        ):
            rate = per_second(call, seconds)
            reference = per_second(refs[(direction, mode)], seconds)
            rows.append(
                Row(
                    "envelope",
                    f"{direction} {mode}",
                    load=f"{PAYLOAD_BYTES} B",
                    rate=rate,
                    unit="ops/s",
                    ratio=rate / reference,
                    ratio_vs="ref",
                    goal=f"≥ {GOAL_PER_SECOND:,}/s",
                    met=rate >= GOAL_PER_SECOND,
                    note=f"one thread; ref (cryptography alone, objects reused) {reference:,.0f}/s",
                )
            )
    return rows
