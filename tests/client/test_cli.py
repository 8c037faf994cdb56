"""The `twofactor` CLI against the emulator: in-process for every command, and once as the
installed console script."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from twofactor.cli import main
from twofactor_emulator.testing import EmulatorHandle

from .conftest import API_KEY, OTHER_PHONE, PHONE, SECRET_KEY


def run(emulator: EmulatorHandle, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--base-url", emulator.base_url, *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_API_KEY", API_KEY)
    monkeypatch.setenv("TWOFACTOR_SECRET_KEY", SECRET_KEY)


@pytest.mark.usefixtures("keys")
def test_otp_send_and_verify(emulator: EmulatorHandle) -> None:
    code, out, _ = run(emulator, "--json", "otp", "send", PHONE)
    assert code == 0
    session_id = json.loads(out)["session_id"]
    otp = emulator.latest_otp(PHONE)
    wrong = "0000" if otp != "000000" else "1111"
    code, out, _ = run(emulator, "otp", "verify", session_id, wrong)
    assert (code, out.strip()) == (1, "mismatch: OTP Mismatch")
    code, out, _ = run(emulator, "--json", "otp", "verify", session_id, otp)
    assert code == 0 and json.loads(out) == {"matched": True, "details": "OTP Matched"}
    code, out, err = run(emulator, "--json", "otp", "verify", session_id, otp)
    assert code == 3 and json.loads(out)["error"] == "OtpAlreadyVerified"
    assert "OTP Already Verified" in err


@pytest.mark.usefixtures("keys")
def test_otp_send_options(emulator: EmulatorHandle) -> None:
    code, out, _ = run(emulator, "--json", "otp", "send", "9999999999", "--otp", "4321", "--return-otp")
    assert code == 0 and json.loads(out)["otp"] == "4321"
    assert emulator.latest_otp(PHONE) == "4321"
    code, out, _ = run(emulator, "otp", "send", PHONE, "--digits", "4")
    assert code == 0 and "session_id: " in out
    code, _, _ = run(emulator, "otp", "verify-phone", PHONE, emulator.latest_otp(PHONE))
    assert code == 0


@pytest.mark.usefixtures("keys")
def test_sms_send(emulator: EmulatorHandle) -> None:
    code, out, _ = run(
        emulator,
        "--json",
        "sms",
        "send",
        "--to",
        PHONE,
        "--to",
        "8888888888",
        "--sender",
        "HEADER",
        "--text",
        "hi",
        "--schedule-at",
        "2099-01-01T09:00:00+05:30",
        "--peid",
        "1101",
        "--ctid",
        "1107",
    )
    assert code == 0
    sent = json.loads(out)
    assert sent["recipients"] == [PHONE, OTHER_PHONE] and len(sent["message_ids"]) == 2
    assert {m["id"] for m in emulator.messages()} == set(sent["message_ids"])
    code, _, err = run(
        emulator,
        "sms",
        "send",
        "--to",
        PHONE,
        "--sender",
        "HEADER",
        "--text",
        "x",
        "--schedule-at",
        "2099-01-01T09:00:00",
    )
    assert code == 2 and "UTC offset" in err


@pytest.mark.usefixtures("keys")
def test_bulk_send_csv_with_progress(emulator: EmulatorHandle, tmp_path: Path) -> None:
    rows = ["to,text"] + [f"+9198{n:08d},message {n}" for n in range(1200)] + ["12,bad number"]
    file = tmp_path / "messages.csv"
    file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run(emulator, "bulk", "send", str(file), "--sender", "TFACTR")
    assert code == 1  # one message failed
    assert out.splitlines()[0] == "accepted 1200, failed 1, requests 2"
    assert "failed #1200 12: invalid phone number" in out
    progress = err.splitlines()
    assert progress[-1].endswith("1201/1201") and progress[-1].startswith("[#")
    assert len(progress) == 2  # one line per request (stderr is not a terminal here)


@pytest.mark.usefixtures("keys")
def test_bulk_send_json(emulator: EmulatorHandle, tmp_path: Path) -> None:
    file = tmp_path / "messages.json"
    file.write_text(json.dumps({"messages": [{"smsFrom": "TFACTR", "smsTo": PHONE, "smsText": "hello"}]}), "utf-8")
    code, out, err = run(emulator, "--json", "bulk", "send", str(file))
    result = json.loads(out)
    assert (code, len(result["accepted"]), result["ok"], err) == (0, 1, True, "")
    [message] = emulator.messages(phone=PHONE)
    assert message["id"] == result["accepted"][0]["message_id"]


@pytest.mark.usefixtures("keys")
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("m.txt", "to,text", "--format"),
        ("m.csv", "phone\n1", "header row"),
        ("m.json", "{", "not valid JSON"),
        ("m.json", "[]", "no messages"),
        ("missing.csv", None, "cannot read"),
    ],
)
def test_bulk_file_problems(
    emulator: EmulatorHandle, tmp_path: Path, name: str, content: str | None, reason: str
) -> None:
    file = tmp_path / name
    if content is not None:
        file.write_text(content, encoding="utf-8")
    code, _, err = run(emulator, "bulk", "send", str(file))
    assert code == 2 and reason in err
    assert emulator.messages() == []


@pytest.mark.usefixtures("keys")
@pytest.mark.parametrize("mode", ["GCM", "CBC"])
def test_encrypted_send_and_status(emulator: EmulatorHandle, mode: str) -> None:
    code, out, _ = run(
        emulator, "--json", "encrypted", "send", "--to", PHONE, "--sender", "HEADER", "--text", "s", "--mode", mode
    )
    assert code == 0
    request_id = json.loads(out)["request_id"]
    code, out, _ = run(emulator, "--json", "encrypted", "status", request_id, "--mode", mode)
    assert code == 0 and json.loads(out)["found"] is True


@pytest.mark.usefixtures("keys")
def test_balance(emulator: EmulatorHandle) -> None:
    code, out, _ = run(emulator, "--json", "balance", "--kind", "transactional")
    assert code == 0 and isinstance(json.loads(out)["balance"], int)


def test_the_key_must_come_from_the_environment(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWOFACTOR_API_KEY", raising=False)
    code, _, err = run(emulator, "otp", "send", PHONE)
    assert code == 2 and "TWOFACTOR_API_KEY" in err


@pytest.mark.usefixtures("keys")
def test_bad_input_exits_2_and_sends_nothing(emulator: EmulatorHandle) -> None:
    code, out, err = run(emulator, "--json", "otp", "send", "12")
    assert code == 2 and json.loads(out)["error"] == "InvalidPhoneNumber" and "invalid phone number" in err
    assert emulator.messages() == []


def test_console_script(emulator: EmulatorHandle) -> None:
    script = shutil.which("twofactor", path=str(Path(sys.executable).parent))
    assert script, "the twofactor console script is not installed (pip install -e .)"
    env = {**os.environ, "TWOFACTOR_API_KEY": API_KEY, "TWOFACTOR_BASE_URL": emulator.base_url}
    done = subprocess.run(
        [script, "--json", "otp", "send", PHONE], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["session_id"]
    assert emulator.latest_otp(PHONE)
    helped = subprocess.run([script, "sms", "send", "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert helped.returncode == 0 and "--shorten-url-callback" in helped.stdout
