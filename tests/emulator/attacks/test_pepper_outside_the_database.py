"""The HMAC pepper of stored OTPs can live outside the database (environment or config), so a copy of
the SQLite file alone does not hold what is needed to test OTP guesses against its hashes."""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from twofactor_emulator.testing import random_config, running_emulator

pytestmark = pytest.mark.slow
PHONE = "+919999999999"


def meta_keys(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT key FROM meta")}


def round_trip(base_url: str, api_key: str, otp_of: object) -> None:
    with httpx.Client(base_url=base_url) as http:
        session = http.get(f"/API/V1/{api_key}/SMS/{PHONE}/AUTOGEN").json()["Details"]
        otp = otp_of(PHONE)  # type: ignore[operator]
        verified = http.get(f"/API/V1/{api_key}/SMS/VERIFY/{session}/{otp}").json()
        assert verified["Details"] == "OTP Matched"


def test_a_pepper_from_the_environment_is_not_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "env.sqlite3"
    monkeypatch.setenv("TWOFACTOR_EMULATOR_PEPPER", secrets.token_hex(32))
    with running_emulator(db) as emulator:
        round_trip(emulator.base_url, emulator.api_key, emulator.latest_otp)
    assert "otp_pepper" not in meta_keys(db)


def test_a_pepper_from_the_config_is_not_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWOFACTOR_EMULATOR_PEPPER", raising=False)
    db = tmp_path / "config.sqlite3"
    config = random_config() | {"storage": {"otp_pepper": secrets.token_hex(32)}}
    with running_emulator(db, config) as emulator:
        round_trip(emulator.base_url, emulator.api_key, emulator.latest_otp)
    assert "otp_pepper" not in meta_keys(db)


def test_without_one_each_database_keeps_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWOFACTOR_EMULATOR_PEPPER", raising=False)
    db = tmp_path / "default.sqlite3"
    with running_emulator(db) as emulator:
        round_trip(emulator.base_url, emulator.api_key, emulator.latest_otp)
    assert "otp_pepper" in meta_keys(db)


@pytest.mark.parametrize("pepper", ["too-short", "zz" * 32, "ab" * 65])
def test_a_bad_pepper_is_refused_without_echoing_it(tmp_path: Path, pepper: str) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(random_config() | {"storage": {"otp_pepper": pepper}}))
    result = subprocess.run(
        [sys.executable, "-m", "twofactor_emulator", "--port", "0", "--db", ":memory:", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "storage.otp_pepper" in result.stderr and pepper not in result.stderr
