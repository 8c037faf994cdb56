"""Every client method, sync and async, against the emulator on a real socket (see conftest.py).

Each test checks the client's result against what the emulator recorded (its outbox, its OTPs),
so a client that invented a result would fail.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from twofactor import (
    DecryptionFailed,
    InsufficientCredits,
    InvalidApiKey,
    InvalidInput,
    InvalidPhoneNumber,
    OtpAlreadyVerified,
    OtpAttemptsExceeded,
    OtpExpired,
    SessionNotFound,
    TemplateError,
    TwoFactor,
    TwoFactorError,
)
from twofactor_emulator.testing import EmulatorHandle

from .conftest import API_KEY, LOW_CREDIT_API_KEY, OTHER_PHONE, PHONE, SANDBOX_API_KEY, SANDBOX_PHONE, TEMPLATE, Driver


def _other(code: str) -> str:
    """A code of the same length that is certainly wrong."""
    return "".join(str((int(digit) + 1) % 10) for digit in code)


# ---------------------------------------------------------------------------- OTP
def test_send_and_verify_by_session(tf: Driver, emulator: EmulatorHandle) -> None:
    sent = tf.otp.send(PHONE)
    assert sent.operation == "sendOtpAutogen"
    assert sent.otp is None
    otp = emulator.latest_otp(PHONE)
    assert re.fullmatch(r"[0-9]{6}", otp)
    [message] = emulator.messages(phone=PHONE)
    assert otp in message["text"]

    wrong = tf.otp.verify(sent.session_id, _other(otp))
    assert (wrong.matched, wrong.details) == (False, "OTP Mismatch")
    assert not wrong
    right = tf.otp.verify(sent.session_id, otp)
    assert (right.matched, right.details) == (True, "OTP Matched")


def test_otp_is_single_use(tf: Driver, emulator: EmulatorHandle) -> None:
    sent = tf.otp.send(PHONE)
    otp = emulator.latest_otp(PHONE)
    assert tf.otp.verify(sent.session_id, otp).matched
    with pytest.raises(OtpAlreadyVerified) as caught:
        tf.otp.verify(sent.session_id, otp)
    assert isinstance(caught.value, OtpExpired)  # "send a new OTP" handles both
    assert (caught.value.status_code, caught.value.operation) == (400, "verifyOtp")


def test_autogen2_with_template_returns_the_otp(tf: Driver, emulator: EmulatorHandle) -> None:
    sent = tf.otp.send("9999999999", template=TEMPLATE, return_otp=True)  # 10 digits: India
    assert sent.operation == "sendOtpAutogen2WithTemplate"
    assert sent.otp == emulator.latest_otp(PHONE)
    [message] = emulator.messages(phone=PHONE)
    assert message["text"] == f"Your login code is {sent.otp}"
    assert tf.otp.verify_phone("919999999999", sent.otp).matched


def test_four_digit_otp(tf: Driver, emulator: EmulatorHandle) -> None:
    sent = tf.otp.send(PHONE, digits=4)
    assert sent.operation == "sendOtpAutogen3"
    assert re.fullmatch(r"[0-9]{4}", emulator.latest_otp(PHONE))
    with pytest.raises(InvalidInput):
        tf.otp.send(PHONE, digits=4, return_otp=True)  # no route returns a 4-digit OTP
    with pytest.raises(InvalidInput):
        tf.otp.send(PHONE, digits=5)
    assert len(emulator.messages(phone=PHONE)) == 1  # the refused calls sent nothing


@pytest.mark.parametrize(
    ("template", "operation"), [(None, "sendCustomOtpOrTemplateSms"), (TEMPLATE, "sendCustomOtpWithTemplate")]
)
def test_custom_otp(tf: Driver, emulator: EmulatorHandle, template: str | None, operation: str) -> None:
    sent = tf.otp.send(OTHER_PHONE, otp="4321", template=template, return_otp=True)
    assert (sent.operation, sent.otp) == (operation, "4321")
    assert emulator.latest_otp(OTHER_PHONE) == "4321"
    assert tf.otp.verify(sent.session_id, "4321").matched


def test_expired_otp_is_an_error_not_a_mismatch(tf: Driver, emulator: EmulatorHandle) -> None:
    sent = tf.otp.send(PHONE)
    otp = emulator.latest_otp(PHONE)
    emulator.advance_clock(601)  # the document's interpretation: OTPs live 10 minutes
    with pytest.raises(OtpExpired) as caught:
        tf.otp.verify(sent.session_id, otp)
    assert caught.value.details == "OTP Expired"
    with pytest.raises(OtpExpired):
        tf.otp.verify_phone(PHONE, otp)


def test_unknown_session(tf: Driver) -> None:
    with pytest.raises(SessionNotFound) as caught:
        tf.otp.verify("no-such-session-0000", "123456")
    assert caught.value.details == "Invalid API / SessionId Combination - No Entry Exists"
    with pytest.raises(SessionNotFound):
        tf.otp.verify_phone("+917777777777", "123456")


def test_locked_after_five_wrong_codes(tf: Driver, emulator: EmulatorHandle) -> None:
    sent = tf.otp.send(PHONE)
    otp = emulator.latest_otp(PHONE)
    for _ in range(5):
        assert not tf.otp.verify(sent.session_id, _other(otp)).matched
    with pytest.raises(OtpAttemptsExceeded):
        tf.otp.verify(sent.session_id, otp)


def test_unknown_template(tf: Driver, emulator: EmulatorHandle) -> None:
    with pytest.raises(TemplateError) as caught:
        tf.otp.send(PHONE, template="NOPE")
    assert caught.value.operation == "sendOtpAutogenWithTemplate"
    assert emulator.messages(phone=PHONE) == []


def test_bad_input_is_refused_before_sending(tf: Driver, emulator: EmulatorHandle) -> None:
    with pytest.raises(InvalidPhoneNumber):
        tf.otp.send("12345")
    with pytest.raises(InvalidInput):
        tf.otp.send(PHONE, template="../VERIFY")  # would reach another route
    with pytest.raises(InvalidInput):
        tf.otp.verify("session", "12ab")
    assert emulator.messages() == []


def test_sandbox_send(tf: Driver, emulator: EmulatorHandle) -> None:
    sent = tf.otp.send_sandbox(SANDBOX_PHONE, return_otp=True)
    assert sent.operation == "sendSandboxOtp2"
    assert sent.session_id and sent.otp
    with pytest.raises(TwoFactorError) as caught:
        tf.otp.send_sandbox(PHONE)  # sandbox mode is not on for this number
    assert type(caught.value) is TwoFactorError  # an account setting, not a bad number
    assert caught.value.details == "Sandbox Mode Is Not Enabled For This Account / Phone Number"


def test_voice_otp(tf: Driver, emulator: EmulatorHandle) -> None:
    sent = tf.voice.send(PHONE)
    otp = emulator.latest_otp(PHONE)
    assert not tf.voice.verify(sent.session_id, _other(otp)).matched
    assert tf.voice.verify(sent.session_id, otp).matched
    chosen = tf.voice.send(OTHER_PHONE, otp="98765")
    assert tf.voice.verify(chosen.session_id, "98765").matched


def test_invalid_api_key(emulator: EmulatorHandle) -> None:
    with TwoFactor("not-the-right-key", base_url=emulator.base_url) as client, pytest.raises(InvalidApiKey) as caught:
        client.otp.send(PHONE)
    assert caught.value.details == "Invalid API Key"


# ---------------------------------------------------------------------------- R1, balance
def test_sms_send_to_many(tf: Driver, emulator: EmulatorHandle) -> None:
    sent = tf.sms.send([PHONE, "8888888888"], "HEADER", "Your order has shipped")
    assert sent.recipients == (PHONE, OTHER_PHONE)
    outbox = {message["id"]: message for message in emulator.messages()}
    assert set(outbox) == set(sent.message_ids)
    for message_id, phone in zip(sent.message_ids, sent.recipients, strict=True):
        assert outbox[message_id]["to"] == phone
        assert outbox[message_id]["text"] == "Your order has shipped"


def test_sms_promotional_scheduled_from_any_zone(tf: Driver, emulator: EmulatorHandle) -> None:
    in_an_hour = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    pacific = in_an_hour.astimezone(dt.timezone(dt.timedelta(hours=-8)))
    sent = tf.sms.send_promotional(PHONE, "HEADER", "Sale tomorrow", schedule_at=pacific, peid="1101", ctid="1107")
    [message] = emulator.messages(phone=PHONE)
    assert message["id"] == sent.message_ids[0]
    with pytest.raises(TwoFactorError) as caught:  # the docs: at least 5 minutes ahead
        tf.sms.send(PHONE, "HEADER", "too soon", schedule_at=dt.datetime.now(dt.UTC))
    assert "Schedule Time" in caught.value.details
    with pytest.raises(ValueError, match="timezone-aware"):
        tf.sms.send(PHONE, "HEADER", "naive", schedule_at=dt.datetime(2030, 1, 1, 9, 0))


def test_balance_counts_sends(tf: Driver, emulator: EmulatorHandle) -> None:
    before = tf.balance()
    tf.otp.send(PHONE)
    assert tf.balance() == before - 1
    assert isinstance(tf.balance("transactional"), int)
    assert isinstance(tf.balance("promotional"), int)


# ---------------------------------------------------------------------------- bulk
def test_bulk_over_1000_is_split_and_combined(tf: Driver, emulator: EmulatorHandle) -> None:
    messages = [{"sender": "TFACTR", "to": f"+9198{n:08d}", "text": f"message {n}"} for n in range(2100)]
    messages[5]["to"] = "12"  # not a phone number: refused before sending
    messages[1500] = {"smsFrom": "TFACTR", "smsTo": "+919812345678", "smsText": ""}  # empty text
    progress: list[tuple[int, int]] = []
    before = tf.balance("transactional")
    result = tf.bulk.send(messages, on_progress=lambda done, total: progress.append((done, total)))

    assert len(result.request_ids) == 3  # 2098 sendable messages: 1000 + 1000 + 98
    assert [item.index for item in result.failed] == [5, 1500]
    assert "invalid phone number" in result.failed[0].error
    assert len(result.accepted) == 2098
    assert progress[-1] == (2100, 2100)
    assert before - tf.balance("transactional") == 2098  # one credit per stored message
    newest = emulator.messages(limit=1000)  # the control API lists at most 1000
    assert {message["id"] for message in newest} <= set(result.message_ids)
    for item in (result.accepted[0], result.accepted[-1]):
        [stored] = emulator.messages(phone=item.phone)
        assert (stored["id"], stored["text"]) == (item.message_id, f"message {item.index}")


# ---------------------------------------------------------------------------- encrypted route
@pytest.mark.parametrize("mode", ["GCM", "CBC"])
def test_encrypted_round_trip(tf: Driver, emulator: EmulatorHandle, mode: str) -> None:
    sent = tf.encrypted.send(PHONE, "HEADER", f"sealed with {mode}", mode=mode)
    [message] = emulator.messages(phone=PHONE)
    assert (message["requestId"], message["text"]) == (sent.request_id, f"sealed with {mode}")
    status = tf.encrypted.delivery_status(sent.request_id, mode=mode)
    assert status.found and status.status in ("SENT", "DELIVERED")
    assert not tf.encrypted.delivery_status("no-such-request", mode=mode).found


def test_encrypted_with_the_wrong_secret_key(emulator: EmulatorHandle) -> None:
    client = TwoFactor(API_KEY, secret_key="x" * 32, base_url=emulator.base_url)
    with client, pytest.raises(DecryptionFailed) as caught:
        client.encrypted.send(PHONE, "HEADER", "never sent")
    assert (caught.value.status_code, caught.value.details) == (400, "Decryption failed")
    assert emulator.messages() == []


def test_encrypted_needs_a_secret_key(emulator: EmulatorHandle) -> None:
    from .conftest import API_KEY

    with TwoFactor(API_KEY, base_url=emulator.base_url) as client, pytest.raises(InvalidInput, match="secret key"):
        client.encrypted.send(PHONE, "HEADER", "never sent")


def test_sandbox_account_answers_with_http_200(emulator: EmulatorHandle) -> None:
    """The sandbox answers errors with HTTP 200: the verdicts must still be read from `Status`."""
    with TwoFactor(SANDBOX_API_KEY, base_url=emulator.base_url) as client:
        sent = client.otp.send_sandbox(PHONE, return_otp=True)
        mismatch = client.otp.verify(sent.session_id, sent.otp or "000000")  # the sandbox never matches these
        assert (mismatch.matched, mismatch.details) == (False, "OTP Mismatch")
        assert client.otp.verify("Dummy-12345", "12345").matched  # the docs' one matching pair
        with pytest.raises(InvalidPhoneNumber) as caught:
            client.otp.send_sandbox("+9199")  # refused by the client before any request
        assert caught.value.status_code is None
    assert emulator.messages() == []  # the sandbox sends nothing


def test_running_out_of_credits(emulator_process: EmulatorHandle) -> None:
    """Runs once per session, on an account of its own with 3 credits."""
    with TwoFactor(LOW_CREDIT_API_KEY, base_url=emulator_process.base_url) as client:
        assert client.balance() == 3
        client.otp.send(PHONE)
        client.sms.send(PHONE, "HEADER", "one segment")
        with pytest.raises(InsufficientCredits) as caught:
            client.sms.send([PHONE, OTHER_PHONE], "HEADER", "two messages, one credit left")
        assert "Insufficient Credits" in caught.value.details
        with pytest.raises(InsufficientCredits):  # the bulk route's own error shape, same class
            client.bulk.send(
                [{"sender": "HEADER", "to": PHONE, "text": "a"}, {"sender": "HEADER", "to": PHONE, "text": "b"}]
            )
        assert client.balance() == 1  # the refused sends cost nothing
