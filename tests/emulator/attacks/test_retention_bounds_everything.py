"""Retention and reset bound everything the emulator keeps, not only the outbox: OTP sessions, short
links and the webhook log; and the database file shrinks after a prune (real SQLite files)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from twofactor_emulator.testing import random_config, running_emulator

from ..conftest import Receiver, eventually

pytestmark = pytest.mark.slow
PHONE = "+919876543210"


def rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        count: int = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
    return count


def rich_config() -> dict[str, object]:
    config = random_config()
    config["accounts"][0]["credits"] = 1_000_000  # type: ignore[index]
    return config


def send_link(http: httpx.Client, api_key: str, n: int) -> None:
    form = {"module": "TRANS_SMS", "apikey": api_key, "to": PHONE[3:], "from": "TFACTR", "shortenurl": "1"}
    http.post("/API/R1/", data={**form, "msg": f"see https://example.com/{n}"}).raise_for_status()


def test_retention_prunes_sessions_and_links_and_reset_removes_links(tmp_path: Path) -> None:
    db = tmp_path / "bounded.sqlite3"
    with running_emulator(db, rich_config()) as emulator, httpx.Client(base_url=emulator.base_url) as http:
        for _ in range(30):
            http.get(f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN").raise_for_status()
        for n in range(20):
            send_link(http, emulator.api_key, n)
        assert (rows(db, "otp_sessions"), rows(db, "short_links")) == (30, 20)
        http.put("/_emulator/retention", json={"maxMessages": 5}).raise_for_status()
        assert rows(db, "messages") == 5
        assert rows(db, "otp_sessions") == 5
        assert rows(db, "short_links") == 5  # the links of the five messages kept
        [link] = [word for word in emulator.messages()[0]["text"].split() if word.startswith("http")]
        assert http.get(link, follow_redirects=False).status_code == 302
        http.post("/_emulator/reset", json={}).raise_for_status()
        assert (rows(db, "messages"), rows(db, "otp_sessions"), rows(db, "short_links")) == (0, 0, 0)
        assert http.get(link, follow_redirects=False).status_code == 404  # a reset link no longer redirects


def test_a_full_reset_empties_the_webhook_log(tmp_path: Path, receiver_factory: Callable[[int], Receiver]) -> None:
    receiver = receiver_factory(0)
    with running_emulator(tmp_path / "log.sqlite3") as emulator, httpx.Client(base_url=emulator.base_url) as http:
        http.put("/_emulator/webhooks", json={"url": receiver.url}).raise_for_status()
        message = {"smsFrom": "TFACTR", "smsTo": PHONE, "smsText": "hello"}
        body = {"module": "TRANS_SMS", "apikey": emulator.api_key, "messages": [message]}
        http.post("/API/R1/Bulk/", json=body).raise_for_status()
        eventually(lambda: http.get("/_emulator/webhooks/log").json()["attempts"], "the report's log entry")
        http.post("/_emulator/reset", json={}).raise_for_status()
        assert http.get("/_emulator/webhooks/log").json() == {"attempts": []}


def test_the_file_shrinks_after_a_prune(tmp_path: Path) -> None:
    db = tmp_path / "shrinks.sqlite3"
    config = rich_config()
    (tmp_path / "config.json").write_text(json.dumps(config))
    with running_emulator(db, config) as emulator, httpx.Client(base_url=emulator.base_url, timeout=60) as http:
        text = "x" * 900
        messages = [{"smsFrom": "TFACTR", "smsTo": PHONE, "smsText": text} for _ in range(1000)]
        for _ in range(5):
            body = {"module": "TRANS_SMS", "apikey": emulator.api_key, "messages": messages}
            http.post("/API/R1/Bulk/", json=body).raise_for_status()
        grown = eventually(lambda: db.stat().st_size if db.stat().st_size > 4_000_000 else 0, "the checkpoint")
        http.put("/_emulator/retention", json={"maxMessages": 10}).raise_for_status()
        eventually(lambda: db.stat().st_size < grown / 4, "the file giving its pages back")
