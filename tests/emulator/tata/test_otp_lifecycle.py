"""Tata Smart 2FA's OTP rules on a real socket, timed by the emulator's clock (never by sleeping):
the one-OTP-per-minute rule (453), timeout, guardTime and a resend without it, verify and cancel
following the OTP's state, single use, the attempt cap and hashed storage."""

from __future__ import annotations

import re
from typing import Any

from .conftest import OTHER_SID, OTHER_TOKEN, PHONE, Tata, error


def test_code_replaces_every_placeholder_with_length_digits(tata: Tata) -> None:
    rid = tata.sent(body="{code} is your code. Again: {code}", length=8)
    assert re.fullmatch(r"OTP[0-9a-f]{31}", rid)
    message = tata.control.get("/_emulator/messages/latest", params={"phone": PHONE}).json()
    code = message["otp"]
    assert re.fullmatch(r"[0-9]{8}", code)
    assert message["text"] == f"{code} is your code. Again: {code}"
    assert message["provider"] == "tata" and message["kind"] == "otp"
    assert tata.control.get("/_emulator/otp", params={"phone": PHONE}).json()["otp"] == code


def test_second_send_within_a_minute_is_453_and_after_a_minute_is_fine(tata: Tata) -> None:
    tata.sent()
    assert error(tata.send()) == (404, 453, "Too many OTP request to same destination Number")
    assert error(tata.send(service="Other", channel="call"))[1] == 453  # per destination, whatever service
    tata.advance(59)
    assert tata.send().json()["code"] == 453
    tata.advance(1)
    assert tata.send().status_code == 200
    assert tata.sent("+918888888888")  # another destination is not limited


def test_otp_expires_after_timeout(tata: Tata) -> None:
    rid = tata.sent(timeout=120)
    code = tata.otp_of(rid)
    tata.advance(119)
    assert tata.status(rid) == "pending"
    tata.advance(1)
    assert tata.status(rid) == "expired"
    assert error(tata.verify(code, requestID=rid)) == (410, 462, "OTP expired")
    assert error(tata.verify(code))[1] == 462  # by number: the newest OTP says why


def test_default_timeout_is_300_seconds(tata: Tata) -> None:
    rid = tata.sent()
    tata.advance(299)
    assert tata.status(rid) == "pending"
    tata.advance(1)
    assert tata.status(rid) == "expired"


def test_resend_without_guard_time_cancels_the_old_otp(tata: Tata) -> None:
    old = tata.sent()
    old_code = tata.otp_of(old)
    tata.advance(60)
    new = tata.sent()
    assert tata.status(old) == "canceled"
    assert error(tata.verify(old_code, requestID=old)) == (409, 464, "OTP canceled")
    assert tata.verify(tata.otp_of(new)).json() == {"code": 200, "message": "OK", "requestID": new}


def test_guard_time_keeps_the_old_otp_valid_for_that_long(tata: Tata) -> None:
    old = tata.sent()
    old_code = tata.otp_of(old)
    tata.advance(60)
    new = tata.sent(guardTime=30)
    assert tata.status(old) == "pending" and tata.status(new) == "pending"
    tata.advance(29)
    # The user typed the code that arrived late: by number, every valid OTP is checked.
    assert tata.verify(old_code).json()["requestID"] == old
    assert tata.status(new) == "pending"


def test_guard_time_ends_in_canceled(tata: Tata) -> None:
    old = tata.sent()
    old_code = tata.otp_of(old)
    tata.advance(60)
    tata.sent(guardTime=30)
    tata.advance(30)
    assert tata.status(old) == "canceled"
    assert error(tata.verify(old_code, requestID=old))[1] == 464


def test_single_use(tata: Tata) -> None:
    rid = tata.sent()
    code = tata.otp_of(rid)
    assert tata.verify(code).status_code == 200
    assert error(tata.verify(code, requestID=rid)) == (409, 463, "OTP already verified")
    assert tata.status(rid) == "verified"


def test_attempt_cap_locks_even_the_right_code(tata: Tata) -> None:
    rid = tata.sent()
    code = tata.otp_of(rid)
    wrong = "0000" if code != "0000" else "1111"
    for _ in range(4):
        assert error(tata.verify(wrong + "00")) == (400, 460, "Invalid code")
    assert error(tata.verify(wrong + "00"))[1] == 460  # the fifth wrong code locks...
    assert error(tata.verify(code)) == (409, 465, "Too many verification attempts")  # ...the right one too
    record = tata.http.get(f"/2fa/search/{rid}").json()["otp"]
    assert record["status"] == "locked" and record["attempts"] == 5


def test_attempt_cap_is_per_account_config(tata: Tata) -> None:
    other = tata.http.post(
        "/2fa/send",
        json={"service": "2FA", "from": "TATA", "to": PHONE, "body": "{code}x"},
        auth=(OTHER_SID, OTHER_TOKEN),
    )
    assert other.status_code == 200  # another account: the per-minute rule counts per account
    for _ in range(3):
        tata.http.post(
            "/2fa/verify", json={"service": "2FA", "number": PHONE, "code": "00000"}, auth=(OTHER_SID, OTHER_TOKEN)
        )
    status = tata.http.get(f"/2fa/search/{other.json()['requestID']}", auth=(OTHER_SID, OTHER_TOKEN))
    assert status.json()["otp"]["status"] == "locked"


def test_cancel_follows_the_state(tata: Tata) -> None:
    rid = tata.sent()
    selection = {"service": "2FA", "number": PHONE, "requestID": rid}
    assert tata.http.post("/2fa/cancel", json=selection).json() == {"code": 200, "message": "OK", "requestID": rid}
    assert error(tata.http.post("/2fa/cancel", json=selection))[1] == 464
    assert error(tata.verify(tata.otp_of(rid), requestID=rid))[1] == 464


def test_verify_and_cancel_of_unknown_otps(tata: Tata) -> None:
    assert error(tata.verify("123456")) == (404, 461, "OTP not found")
    rid = tata.sent()
    assert error(tata.verify("123456", number="+918888888888", requestID=rid))[1] == 461  # not this number's
    assert error(tata.verify("123456", service="Other", requestID=rid))[1] == 461
    fake = "OTP" + "0" * 31
    assert error(tata.http.post("/2fa/cancel", json={"service": "2FA", "number": PHONE, "requestID": fake}))[1] == 461
    assert error(tata.http.get("/2fa/search/" + fake))[1] == 461
    assert error(tata.http.get("/2fa/search/not-an-id"))[1] == 461


def test_otps_of_one_account_are_invisible_to_another(tata: Tata) -> None:
    rid = tata.sent()
    other = (OTHER_SID, OTHER_TOKEN)
    assert error(tata.http.get(f"/2fa/search/{rid}", auth=other))[1] == 461
    response = tata.http.post(
        "/2fa/verify", json={"service": "2FA", "number": PHONE, "code": tata.otp_of(rid), "requestID": rid}, auth=other
    )
    assert error(response)[1] == 461
    assert tata.status(rid) == "pending"


def test_the_code_is_stored_only_as_a_hash(tata: Tata) -> None:
    rid = tata.sent()
    code = tata.otp_of(rid)
    app: Any = tata.emulator.server.config.app
    store = app.state.service.store
    rows = store.rows("SELECT * FROM tata_otps WHERE request_id = ?", (rid,))
    assert rows and all(code not in str(value) for value in rows[0].values())
    assert re.fullmatch(r"[0-9a-f]{64}", rows[0]["otp_hash"])


def test_call_and_email_deliveries_in_the_outbox(tata: Tata) -> None:
    call = tata.sent(channel="call", body="Your code is {code}", repeat=2, length=4, voice="woman")
    message = tata.control.get("/_emulator/messages/latest", params={"phone": PHONE}).json()
    code = message["otp"]
    spoken = "Your code is " + " ".join(code)
    assert message["kind"] == "voice" and message["text"] == f"{spoken} {spoken}"
    assert message["id"] == call
    email = tata.http.post(
        "/2fa/send",
        json={
            "service": "2FA",
            "channel": "email",
            "to": "user@example.com",
            "emailFrom": "otp@example.com",
            "subject": "Your login code",
            "body": "Code: {code}",
        },
    )
    assert email.status_code == 200, email.text
    rows = tata.control.get("/_emulator/messages", params={"provider": "tata"}).json()["messages"]
    mail = next(m for m in rows if m["id"] == email.json()["requestID"])
    assert mail["kind"] == "email" and mail["to"] == "user@example.com" and mail["subject"] == "Your login code"
    assert mail["text"] == f"Code: {mail['otp']}" and mail["from"] == "otp@example.com"
    record = tata.http.get(f"/2fa/search/{email.json()['requestID']}").json()["otp"]
    assert record["channel"] == "email" and "from" not in record  # an email sender is no Source


def test_number_spellings_meet(tata: Tata) -> None:
    rid = tata.sent(to="919999999999")
    assert tata.verify(tata.otp_of(rid), number="+919999999999").status_code == 200
