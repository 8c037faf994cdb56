"""Another process holds the database's write lock: writes get a retryable 503 within the busy timeout,
and every other route keeps answering meanwhile (the event loop never waits for the lock)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from twofactor_emulator.testing import random_config, running_emulator, write_lock_held

PHONE = "+919999999999"
# Far above a healthy probe (milliseconds) and below what a frozen event loop costs (the 2 s busy
# timeout, once per queued write): a bound on a stall, not a speed measurement (that is bench/lock_stall.py).
PROBE_BOUND_SECONDS = 1.5
pytestmark = pytest.mark.slow


def test_a_locked_database_answers_retryable_503_and_never_freezes_reads(tmp_path: Path) -> None:
    db = tmp_path / "locked.sqlite3"
    with running_emulator(db, random_config()) as emulator, httpx.Client(base_url=emulator.base_url) as http:
        send = f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN"
        assert http.get(send).status_code == 200
        with write_lock_held(db):
            replies: list[httpx.Response] = []
            writers = [
                threading.Thread(target=lambda: replies.append(httpx.get(emulator.base_url + send, timeout=30)))
                for _ in range(3)
            ]
            for writer in writers:
                writer.start()
            probes: list[float] = []
            while any(writer.is_alive() for writer in writers):
                started = time.perf_counter()
                health = http.get("/_emulator/health")
                probes.append(time.perf_counter() - started)
                assert health.status_code == 200
                assert health.json()["messages"] == 1  # a read during the lock sees what was committed
                time.sleep(0.05)
            for writer in writers:
                writer.join()
            assert probes and max(probes) < PROBE_BOUND_SECONDS, probes
            for reply in replies:
                assert reply.status_code == 503
                assert reply.headers["Retry-After"] == "1"
                assert reply.json()["Status"] == "Error"
                assert "Locked" in reply.json()["Details"]
            control = http.post("/_emulator/clock/advance", json={"seconds": 5})
            assert control.status_code == 503 and control.headers["Retry-After"] == "1"
            assert "Locked" in control.json()["error"]
            assert http.get("/_emulator/clock").json()["offsetSeconds"] == 0  # the refused advance did nothing
        # The lock is gone: the same requests succeed, and nothing of the refused ones was stored.
        assert http.get(send).status_code == 200
        assert len(emulator.messages()) == 2
        assert http.post("/_emulator/clock/advance", json={"seconds": 5}).json()["offsetSeconds"] == 5
