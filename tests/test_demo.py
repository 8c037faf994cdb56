"""The README's first command, `./dev demo` = `twofactor demo` (also `twofactor-emulator demo`, which runs the
client's demo in a child process): a real server, a real SQLite file, a send-and-verify round trip through
the client."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run_demo(*args: str, env_db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if env_db is not None:
        env["TWOFACTOR_EMULATOR_DB"] = str(env_db)
    return subprocess.run(
        [sys.executable, "-m", "twofactor_emulator", "demo", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_demo_round_trip_on_the_default_database_persists(tmp_path: Path) -> None:
    db = tmp_path / "default.sqlite3"  # what default_db_path() gives when $TWOFACTOR_EMULATOR_DB is set
    first = run_demo(env_db=db)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "OTP Mismatch" in first.stdout
    assert "OTP Matched" in first.stdout
    assert "round trip OK" in first.stdout
    assert db.exists(), "the demo did not use the embedded SQLite default"

    second = run_demo(env_db=db)
    assert second.returncode == 0, second.stdout + second.stderr
    # The same account both times (it lives in the database), and the first run's SMS survived.
    key_line = re.compile(r"API key (\S+)\)")
    assert key_line.findall(first.stdout) == key_line.findall(second.stdout) != []
    with sqlite3.connect(db) as connection:
        count = connection.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert count >= 2, f"expected both runs' messages in the outbox, found {count}"


def test_demo_never_prints_the_whole_api_key(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    result = run_demo("--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(db) as connection:
        keys = [row[0] for row in connection.execute("SELECT api_key FROM accounts")]
    assert keys
    for key in keys:
        assert key not in result.stdout + result.stderr


@pytest.mark.parametrize("phone", ["not-a-phone", "+91" + "9" * 40, "+९१९९९९९९९९९९"])
def test_demo_with_a_bad_phone_fails_cleanly(tmp_path: Path, phone: str) -> None:
    result = run_demo("--db", str(tmp_path / "bad.sqlite3"), "--phone", phone)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "round trip failed" in result.stderr


def test_the_client_command_runs_the_same_demo(tmp_path: Path) -> None:
    db = tmp_path / "client.sqlite3"

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from twofactor.cli import main; sys.exit(main(sys.argv[1:]))",
            "demo",
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "TWOFACTOR_API_KEY"},  # the demo needs no key
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "round trip OK" in result.stdout
    assert db.exists()


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        ("tata", ["Too many OTP request to same destination Number", "Invalid code", "OTP already verified"]),
        ("datatechlabs", ["the SMSC receipt", "ESME_ROK", "the handset receipt", "DELIVRD", "UCS-2"]),
    ],
)
def test_demo_of_the_other_providers(tmp_path: Path, provider: str, expected: list[str]) -> None:
    db = tmp_path / "demo.sqlite3"
    first = run_demo("--provider", provider, "--db", str(db))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "round trip OK" in first.stdout
    for text in expected:
        assert text in first.stdout, first.stdout
    # Again on the same database at once: the default accounts are the same ones, and Tata's
    # one-OTP-per-minute rule is met by moving the emulator's clock, saying so.
    second = run_demo("--provider", provider, "--db", str(db))
    assert second.returncode == 0, second.stdout + second.stderr
    assert (
        first.stdout.splitlines()[0].split("(", 1)[1].split(",")[1]
        == (second.stdout.splitlines()[0].split("(", 1)[1].split(",")[1])
    )
    if provider == "tata":
        assert "clock moved 60 s on" in second.stdout
    with sqlite3.connect(db) as connection:
        secrets = [row[0] for row in connection.execute("SELECT value FROM meta WHERE key LIKE '%default_account'")]
    for stored in secrets:
        for value in re.findall(r'"(?:auth_token|password)": "([^"]+)"', stored):
            assert value not in first.stdout + first.stderr + second.stdout + second.stderr
