"""`twofactor tata ...` and `twofactor datatechlabs send` against a scripted server on a real socket."""

from __future__ import annotations

import io
import json

import pytest
from twofactor.cli import main

from .conftest import PASSWORD, PHONE, SID, TOKEN, USERNAME
from .scripted_server import Reply, ScriptedServer

REQUEST_ID = "OTP99d0418681c7dfcb9586a5d69787a77"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def tata_env(monkeypatch: pytest.MonkeyPatch, server: ScriptedServer) -> None:
    monkeypatch.delenv("TWOFACTOR_API_KEY", raising=False)  # the tata commands do not need it
    monkeypatch.setenv("TATA_SMART2FA_SID", SID)
    monkeypatch.setenv("TATA_SMART2FA_TOKEN", TOKEN)
    monkeypatch.setenv("TATA_SMART2FA_SERVICE", "2FA")
    monkeypatch.setenv("TATA_SMART2FA_FROM", "+919876500000")


@pytest.mark.usefixtures("tata_env")
def test_tata_send_verify_cancel(server: ScriptedServer) -> None:
    ok = Reply(200, {"code": 200, "message": "OK", "requestID": REQUEST_ID})
    server.expect("POST", "/2fa/send", ok)
    server.expect("POST", "/2fa/verify", Reply(400, {"code": 460, "message": "Invalid code"}), ok)
    server.expect("POST", "/2fa/cancel", Reply(409, {"code": 464, "message": "OTP canceled"}))
    base = ["--base-url", server.base_url]
    code, out, _ = run("--json", "tata", *base, "send", PHONE, "--length", "8", "--limit", "limit_on_phone=" + PHONE)
    assert code == 0 and json.loads(out)["request_id"] == REQUEST_ID
    assert server.requests[0].json()["limits"] == {"limit_on_phone": PHONE}
    assert run("tata", *base, "verify", PHONE, "000000") == (1, "mismatch: Invalid code\n", "")
    assert run("tata", *base, "verify", PHONE, "12345678", "--request-id", REQUEST_ID)[0] == 0
    code, out, err = run("--json", "tata", *base, "cancel", PHONE)
    assert code == 3 and json.loads(out) == {
        "error": "OtpCanceled",
        "details": "OTP canceled",
        "status": 409,
        "operation": "tataCancelOtp",
    }
    for text in (out, err):
        assert SID not in text and TOKEN not in text


@pytest.mark.usefixtures("tata_env")
def test_tata_bad_input_is_a_usage_error_and_sends_nothing(server: ScriptedServer) -> None:
    code, _, err = run("tata", "--base-url", server.base_url, "send", PHONE, "--limit", "no-equals")
    assert code == 2 and "NAME=VALUE" in err
    code, _, err = run("tata", "--base-url", server.base_url, "send", PHONE, "--channel", "email")
    assert code == 2 and "subject" in err
    assert server.requests == []


def test_datatechlabs_send(server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATATECHLABS_USERNAME", USERNAME)
    monkeypatch.setenv("DATATECHLABS_PASSWORD", PASSWORD)
    monkeypatch.setenv("DATATECHLABS_BASE_URL", server.base_url)
    reply = {
        "status": "Success",
        "messageId": "030d10b8-a149-4b7e-8ed8-8e8cdb3a11e9",
        "segments": 1,
        "encoding": "GSM-7",
    }
    server.expect("POST", "/sms/send", Reply(200, reply))
    code, out, _ = run(
        "datatechlabs",
        "send",
        PHONE,
        "hello",
        "--from",
        "DTLABS",
        "--dlr-url",
        "https://example.com/d",
        "--dlr-level",
        "2",
    )
    assert code == 0 and "message_id: 030d10b8-a149-4b7e-8ed8-8e8cdb3a11e9" in out
    assert server.requests[0].json()["dlr-level"] == 2
    monkeypatch.delenv("DATATECHLABS_BASE_URL")
    code, _, err = run("datatechlabs", "send", PHONE, "hello", "--from", "DTLABS")
    assert code == 2 and "DATATECHLABS_BASE_URL" in err
