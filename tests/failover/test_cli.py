"""`twofactor otp send|verify --providers ...` and `twofactor doctor`, against the real emulator."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from twofactor.cli import main

from .conftest import API_KEY, APP_SECRET, OTP_SEND, PHONE, SENDER, Emulator


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("OTP_GATEWAY_SECRET", APP_SECRET)
    monkeypatch.setenv("TWOFACTOR_API_KEY", API_KEY)
    monkeypatch.setenv("TWOFACTOR_SMS_SENDER", SENDER)
    store = tmp_path / "codes.sqlite3"
    monkeypatch.setenv("OTP_GATEWAY_STORE", str(store))
    return store


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def test_send_fails_over_then_verify_matches_once(emulator: Emulator, env: Path) -> None:
    emulator.faults({"kind": "error", "status": 503, "operation": OTP_SEND})
    providers = ("--providers", "2factor,2factor-sms", "--emulator", emulator.base_url)
    code, out, err = _cli("--json", "otp", "send", *providers, PHONE)
    assert code == 0, err
    sent = json.loads(out)
    assert sent["provider"] == "2factor-sms" and sent["ambiguous"] is False
    assert sent["failures"] == [
        "2factor: unavailable, HTTP 503 (Service Unavailable - Injected Fault [sendOtpAutogen, HTTP 503])"
    ]
    otp = emulator.code_in(emulator.messages(PHONE)[0])
    assert _cli("otp", "verify", *providers, sent["ticket"], otp) == (0, "matched (checked by 2factor-sms)\n", "")
    assert _cli("otp", "verify", *providers, sent["ticket"], otp)[:2] == (1, "used (checked by 2factor-sms)\n")
    assert env.exists()  # the local code lived in the SQLite file, between two processes' worth of commands


def test_all_down_exits_3_naming_each_provider(emulator: Emulator, env: Path) -> None:
    emulator.faults({"kind": "error", "status": 503})
    code, out, err = _cli("otp", "send", "--providers", "2factor,2factor-sms", "--emulator", emulator.base_url, PHONE)
    assert code == 3 and out == ""
    assert "AllProvidersFailed" in err and "2factor: unavailable" in err and "2factor-sms: unavailable" in err


def test_usage_errors_exit_2_and_send_nothing(emulator: Emulator, env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = ("--providers", "2factor", "--emulator", emulator.base_url)
    assert _cli("otp", "send", "--providers", "2factor,nope", PHONE)[0] == 2
    assert _cli("otp", "send", "--providers", "2factor,2factor", PHONE)[0] == 2
    assert _cli("otp", "send", *base, "12345")[0] == 2
    code, _, err = _cli("otp", "verify", *base, "otp1.forged.ticket", "123456")
    assert code == 2 and "InvalidTicket" in err
    monkeypatch.delenv("OTP_GATEWAY_SECRET")
    code, _, err = _cli("otp", "send", *base, PHONE)
    assert code == 2 and "OTP_GATEWAY_SECRET" in err
    assert emulator.messages(PHONE) == []


def test_doctor_checks_every_configured_provider(emulator: Emulator, env: Path) -> None:
    code, out, err = _cli("doctor", "--emulator", emulator.base_url)
    assert code == 0, err
    assert out.splitlines()[0].startswith("2factor: ok - credentials accepted")
    assert out.splitlines()[1].startswith("2factor-sms: ok - credentials accepted")
    code, out, _ = _cli("--json", "doctor", "--providers", "2factor", "--emulator", "http://127.0.0.1:9")
    assert code == 3 and json.loads(out)[0]["ok"] is False
    assert API_KEY not in out


def test_console_script_round_trip(emulator: Emulator, env: Path) -> None:
    """The installed `twofactor` command, in its own processes."""
    command = [str(Path(sys.executable).parent / "twofactor")]
    providers = ["--providers", "2factor-sms,2factor", "--emulator", emulator.base_url]
    environment = dict(os.environ)
    sent = subprocess.run(
        [*command, "--json", "otp", "send", *providers, PHONE],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    ticket = json.loads(sent.stdout)["ticket"]
    otp = emulator.code_in(emulator.messages(PHONE)[0])
    verified = subprocess.run(
        [*command, "otp", "verify", *providers, ticket, otp], capture_output=True, text=True, env=environment
    )
    assert (verified.returncode, verified.stdout) == (0, "matched (checked by 2factor-sms)\n")
    assert API_KEY not in sent.stderr + verified.stderr + sent.stdout


def test_a_provider_without_its_credentials_is_named(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TATA_SMART2FA_SID", "TATA_SMART2FA_TOKEN", "DATATECHLABS_USERNAME", "DATATECHLABS_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = _cli("otp", "send", "--providers", "2factor,tata", PHONE)
    assert code == 2 and "TATA_SMART2FA_SID" in err
    code, _, err = _cli("otp", "send", "--providers", "datatechlabs", PHONE)
    assert code == 2 and "DATATECHLABS_USERNAME" in err


def test_three_providers_from_the_shell(emulator: Emulator, env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`twofactor otp send --providers 2factor,tata,datatechlabs PHONE`, then `verify`, 2Factor down."""
    from .conftest import DTL_PASSWORD, DTL_USER, TATA_FROM, TATA_SID, TATA_TOKEN

    monkeypatch.setenv("TATA_SMART2FA_SID", TATA_SID)
    monkeypatch.setenv("TATA_SMART2FA_TOKEN", TATA_TOKEN)
    monkeypatch.setenv("TATA_SMART2FA_SERVICE", "Login")
    monkeypatch.setenv("TATA_SMART2FA_FROM", TATA_FROM)
    monkeypatch.setenv("DATATECHLABS_USERNAME", DTL_USER)
    monkeypatch.setenv("DATATECHLABS_PASSWORD", DTL_PASSWORD)
    monkeypatch.setenv("DATATECHLABS_SENDER", SENDER)
    monkeypatch.setenv("DATATECHLABS_BASE_URL", emulator.base_url)
    emulator.faults({"kind": "error", "status": 503, "operation": OTP_SEND})
    providers = ("--providers", "2factor,tata,datatechlabs", "--emulator", emulator.base_url)
    code, out, err = _cli("--json", "otp", "send", *providers, PHONE)
    assert code == 0, err
    sent = json.loads(out)
    assert sent["provider"] == "tata"
    otp = emulator.code_in(emulator.messages(PHONE)[0])
    assert _cli("otp", "verify", *providers, sent["ticket"], otp) == (0, "matched (checked by tata)\n", "")
    code, out, _ = _cli("doctor", "--emulator", emulator.base_url)
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines()] == ["2factor", "2factor-sms", "tata", "datatechlabs"]
    assert "datatechlabs: not checked" in out and "tata: ok" in out
    assert TATA_TOKEN not in out + err and DTL_PASSWORD not in out + err
