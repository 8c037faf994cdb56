"""Persistence: a file database in WAL mode with a versioned schema; a restart keeps everything."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from twofactor_emulator.core import store as store_module
from twofactor_emulator.core.service import Service
from twofactor_emulator.core.store import SCHEMA_VERSION, Checkpointer, SchemaError, Store
from twofactor_emulator.providers.twofactor.otp import OtpLifecycle
from twofactor_emulator.testing import create_app

from .conftest import CONFIG, PHONE, v1


def client_for(db: Path, config: object = CONFIG) -> httpx.AsyncClient:
    app = create_app(db=db, config=config)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator")


async def test_a_restart_keeps_sessions_messages_and_the_clock(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    async with client_for(db) as first:
        sent = (await first.get(v1(f"SMS/{PHONE}/AUTOGEN"))).json()
        otp = (await first.get("/_emulator/otp", params={"phone": PHONE})).json()["otp"]
        await first.post("/_emulator/clock/advance", json={"seconds": 120})
    async with client_for(db) as second:
        assert (await second.get("/_emulator/clock")).json()["offsetSeconds"] == 120
        messages = (await second.get("/_emulator/messages")).json()["messages"]
        assert [m["sessionId"] for m in messages] == [sent["Details"]]
        reply = await second.get(v1(f"SMS/VERIFY/{sent['Details']}/{otp}"))
        assert reply.json()["Details"] == "OTP Matched"
        assert (await second.get(v1("BAL/SMS"))).json()["Details"] == "249"
    async with client_for(db) as third:  # the match itself was persisted
        reply = await third.get(v1(f"SMS/VERIFY/{sent['Details']}/{otp}"))
        assert reply.json()["Details"] == "OTP Already Verified"


async def test_the_default_account_survives_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "default.sqlite3")
    first = Service(Store(db), None)
    key = first.accounts[0].api_key
    first.store.close()
    second = Service(Store(db), None)
    assert [a.api_key for a in second.accounts] == [key]
    second.store.close()


def test_file_database_uses_wal_and_the_current_schema(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "wal.sqlite3"))
    assert store.journal_mode == "wal"
    assert store.schema_version() == SCHEMA_VERSION
    store.close()


def test_a_newer_schema_is_refused_not_clobbered(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    Store(str(path)).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaError):
        Store(str(path))


def test_the_otp_is_stored_only_as_an_hmac_in_sessions(tmp_path: Path) -> None:
    path = tmp_path / "hashed.sqlite3"
    service = Service(Store(str(path)), None)
    account = service.accounts[0]
    sent = OtpLifecycle(service).send_otp(account, PHONE, operation="sendOtpAutogen", otp="424242")
    service.store.close()
    with sqlite3.connect(path) as raw:
        (stored,) = raw.execute("SELECT otp_hash FROM otp_sessions WHERE session_id = ?", (sent.session_id,)).fetchone()
    assert "424242" not in stored and len(stored) == 64


def test_under_constant_writes_the_wal_starts_over_without_the_writers_own_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PASSIVE checkpoint alone never lets the WAL start over while writes keep coming; the
    checkpoint thread asks for a RESTART and the next batch runs it, so the WAL stays short with the
    writer's own checkpoint switched off."""
    monkeypatch.setattr(store_module, "WRITER_CHECKPOINT_PAGES", 0)  # no backstop
    monkeypatch.setattr(Checkpointer, "RESTART_FRAMES", 200)  # the real one: 8,000
    monkeypatch.setattr(Checkpointer, "BUSY_FRAMES", 50)
    monkeypatch.setattr(Checkpointer, "IDLE_SECONDS", 0.01)
    monkeypatch.setattr(Checkpointer, "BUSY_SECONDS", 0.005)
    path = tmp_path / "wal.sqlite3"
    store = Store(str(path))
    try:
        # As the emulator writes under load: a batch of a few rows, a moment of other work, again.
        for _ in range(600):
            with store.batch():
                for _ in range(10):  # random keys: ~2 new pages per row (a table and an index page)
                    store.set_meta(os.urandom(16).hex(), "x" * 200)
            time.sleep(0.0005)
        pages = os.path.getsize(f"{path}-wal") // int(store._one("PRAGMA page_size")[0])
    finally:
        store.close()
    # Without the restart the WAL holds every batch's pages: thousands. With it, a few hundred at most.
    assert pages < 2000, pages
