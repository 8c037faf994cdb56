"""Seal and open per second of `twofactor.envelope`, 300-byte payload, GCM and CBC."""

from __future__ import annotations

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


def run(seconds: float) -> list[Row]:
    """One row per mode and direction."""
    from twofactor.envelope import MODES, open_envelope, seal

    key = os.urandom(16).hex()  # 32 characters, like an account's secret key
    payload = os.urandom(PAYLOAD_BYTES)
    rows = []
    for mode in MODES:
        sealed = seal(payload, key, mode)
        assert open_envelope(sealed, key, mode) == payload  # a benchmark of a broken round trip is worthless
        for name, call in (
            ("seal", lambda m=mode: seal(payload, key, m)),
            ("open", lambda m=mode, s=sealed: open_envelope(s, key, m)),
        ):
            rate = per_second(call, seconds)
            rows.append(
                Row(
                    "envelope",
                    f"{name} {mode}",
                    load=f"{PAYLOAD_BYTES} B",
                    rate=rate,
                    unit="ops/s",
                    goal=f"≥ {GOAL_PER_SECOND:,}/s",
                    met=rate >= GOAL_PER_SECOND,
                    note="one process, one thread",
                )
            )
    return rows
