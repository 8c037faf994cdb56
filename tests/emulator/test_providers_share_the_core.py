"""Tata Smart 2FA and datatechlabs get everything the emulator core has, in the same process as
2Factor: fault rules by their operationIds (in their error shapes), the per-account rate limit, the
control API (reset, latest OTP, messages by provider, wait), retention, durability (a SIGKILL after
the reply loses nothing) and the pytest plugin's helpers."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
from twofactor_emulator.core.store import MIGRATIONS, Store
from twofactor_emulator.testing import EmulatorHandle, random_config, running_emulator

PHONE = "+919999999999"


def tata_send(emulator: EmulatorHandle, to: str = PHONE) -> httpx.Response:
    body = {"service": "2FA", "from": "TATA", "to": to, "body": "Your code is {code}"}
    return emulator.client.post("/2fa/send", json=body, auth=emulator.credentials["tata"])


def dtl_send(emulator: EmulatorHandle, to: str = PHONE) -> httpx.Response:
    body = {"to": to, "from": "DTLABS", "content": "hello"}
    return emulator.client.post("/sms/send", json=body, auth=emulator.credentials["datatechlabs"])


def test_fault_rules_name_their_operations_and_answer_in_their_shapes(emulator: EmulatorHandle) -> None:
    rules = [
        {"kind": "error", "operation": "tataSendOtp", "status": 503, "count": 1},
        {"kind": "error", "operation": "datatechlabsSendSms", "status": 500, "count": 1},
    ]
    emulator.client.put("/_emulator/faults", json={"rules": rules}).raise_for_status()
    failed = tata_send(emulator)
    assert failed.status_code == 503 and failed.json()["code"] == 503 and isinstance(failed.json()["message"], str)
    assert tata_send(emulator, "+918888888888").status_code == 200  # count 1: the next one goes through
    refused = dtl_send(emulator)
    assert refused.status_code == 500 and refused.json()["status"] == "Error"
    assert dtl_send(emulator).status_code == 200
    assert emulator.client.get(f"/API/V1/{emulator.api_key}/BAL/SMS").status_code == 200  # 2Factor untouched


def test_the_rate_limit_counts_each_providers_accounts() -> None:
    with running_emulator(config=random_config()) as emulator:
        emulator.client.put("/_emulator/faults", json={"rateLimit": {"requestsPerSecond": 3}}).raise_for_status()
        auth = emulator.credentials["tata"]
        replies = [emulator.client.get("/2fa/limits", auth=auth) for _ in range(30)]
        limited = [r for r in replies if r.status_code == 429]
        assert limited and limited[0].json()["code"] == 429 and limited[0].headers["Retry-After"] == "1"
        dtl = [dtl_send(emulator, f"+9199999{n:05d}") for n in range(30)]
        assert any(r.status_code == 429 and r.json()["status"] == "Error" for r in dtl)
        assert {r.status_code for r in dtl} <= {200, 429}


def test_control_api_sees_every_provider(emulator: EmulatorHandle) -> None:
    emulator.client.get(f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN").raise_for_status()
    assert emulator.client.get("/_emulator/otp", params={"phone": PHONE}).json()["message"]["provider"] == "twofactor"
    rid = tata_send(emulator).json()["requestID"]
    tata_otp = emulator.latest_otp(PHONE)  # the newest OTP, whatever the provider
    latest = emulator.client.get("/_emulator/otp", params={"phone": PHONE}).json()
    assert latest["sessionId"] == rid and latest["message"]["provider"] == "tata"
    assert latest["otp"] == tata_otp and latest["message"]["operation"] == "tataSendOtp"
    seq = emulator.messages(PHONE)[0]["seq"]
    dtl_send(emulator).raise_for_status()
    waited = emulator.wait_for_message(PHONE, timeout=5, after=seq)
    assert waited["provider"] == "datatechlabs"
    providers = [m["provider"] for m in emulator.messages(PHONE)]
    assert providers == ["datatechlabs", "tata", "twofactor"]
    for provider in ("twofactor", "tata", "datatechlabs"):
        only = emulator.client.get("/_emulator/messages", params={"provider": provider}).json()["messages"]
        assert [m["provider"] for m in only] == [provider]
    bad = emulator.client.get("/_emulator/messages", params={"provider": "sinch"})
    assert bad.status_code == 400
    assert emulator.reset(PHONE) == 3
    assert tata_send(emulator).status_code == 200  # the reset phone's Tata OTPs went too: no 453


def test_retention_prunes_tata_otps(emulator: EmulatorHandle) -> None:
    rid = tata_send(emulator).json()["requestID"]
    auth = emulator.credentials["tata"]
    emulator.advance_clock(400)  # the OTP expired 100 s ago
    emulator.client.put("/_emulator/retention", json={"maxAgeSeconds": 60}).raise_for_status()
    assert emulator.client.get(f"/2fa/search/{rid}", auth=auth).json()["code"] == 461
    assert emulator.messages(PHONE) == []


def test_a_kill_after_the_reply_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    config = random_config()
    with running_emulator(db=db, config=config) as emulator:
        rid = tata_send(emulator).json()["requestID"]
        message_id = dtl_send(emulator).json()["messageId"]
        emulator.kill()
    with running_emulator(db=db, config=config) as again:
        record = again.client.get(f"/2fa/search/{rid}", auth=again.credentials["tata"]).json()
        assert record["otp"]["status"] == "pending"
        assert {m["id"] for m in again.messages(PHONE)} == {rid, message_id}
        assert tata_send(again).json()["code"] == 453  # the kept OTP still counts for the one-per-minute rule


def test_schema_upgrade_keeps_old_messages_as_2factor(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(db)
    for number, script in enumerate(MIGRATIONS[:2], start=1):
        conn.executescript(f"BEGIN;{script}PRAGMA user_version={number};COMMIT;")
    conn.execute(
        "INSERT INTO messages (id, account, phone, text, kind, operation, created_at) "
        "VALUES ('m-1', 'key', '+919999999999', 'hi', 'transactional', 'sendSms', 0)"
    )
    conn.commit()
    conn.close()
    store = Store(str(db))
    try:
        assert store.schema_version() == len(MIGRATIONS)
        rows: list[dict[str, Any]] = store.messages()
        assert rows[0]["provider"] == "twofactor" and rows[0]["subject"] is None
    finally:
        store.close()
