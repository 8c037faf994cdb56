"""The Tata Smart 2FA and datatechlabs clients end to end against the emulator on a real socket, sync
and async: every operation of each client, the documented errors as the typed errors, the clock moved
through the control API (no sleeping), and datatechlabs receipts parsed by the client's parser as a
real local receiver gets them."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from datatechlabs import AsyncDatatechlabs, Datatechlabs, parse_delivery_receipt
from datatechlabs.errors import DatatechlabsError, InsufficientBalance, InvalidCredentials
from tata_smart2fa import AsyncSmart2fa, Smart2fa
from tata_smart2fa import errors as tata_errors
from tata_smart2fa.results import LimitBucket
from twofactor_emulator.testing import EmulatorHandle, random_config, running_emulator

PHONE = "+919999999999"
WAIT_SECONDS = 15.0  # upper bound for receipts to arrive; not a timing assertion


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    config = random_config()
    config["datatechlabs"]["accounts"].append({"username": "poor", "password": "poor-password-123", "credits": 1})
    with running_emulator(config=config) as handle:
        yield handle


@pytest.fixture
def fresh(emulator: EmulatorHandle) -> EmulatorHandle:
    emulator.reset()
    return emulator


def smart2fa(emulator: EmulatorHandle) -> Smart2fa:
    sid, token = emulator.credentials["tata"]
    return Smart2fa(sid, token, base_url=emulator.base_url, service="Shop", sender="+919876500000")


def test_tata_sync_round_trip(fresh: EmulatorHandle) -> None:
    with smart2fa(fresh) as client:
        sent = client.send_otp(PHONE, body="Your Shop code is {code}", length=8)
        code = fresh.latest_otp(PHONE)
        assert len(code) == 8
        wrong = client.verify(sent, "00000000" if code != "00000000" else "11111111")
        assert not wrong.matched
        assert client.verify(sent, code).matched
        with pytest.raises(tata_errors.OtpAlreadyVerified):
            client.verify(sent, code)
        record = client.get_otp(sent.request_id)
        assert record.status == "verified" and record.attempts == 1
        with pytest.raises(tata_errors.TooManyOtps):
            client.send_otp(PHONE)
        total, records = client.list_otps()
        assert total == 1 and records[0].request_id == sent.request_id
        assert [r.category for r in client.usage()] == ["sms", "call", "email"]
        assert client.usage(period="daily")[0].count == 1


def test_tata_sync_expiry_guard_time_cancel_and_limits(fresh: EmulatorHandle) -> None:
    with smart2fa(fresh) as client:
        first = client.send_otp(PHONE, timeout=60)
        fresh.advance_clock(60)
        with pytest.raises(tata_errors.OtpExpired):
            client.verify(first, fresh.latest_otp(PHONE))
        old = client.send_otp(PHONE)
        old_code = fresh.latest_otp(PHONE)
        fresh.advance_clock(60)
        client.send_otp(PHONE, guard_time=30)
        assert client.verify(PHONE, old_code).matched  # the guard time keeps the late code valid
        fresh.advance_clock(60)
        third = client.send_otp(PHONE)
        assert client.cancel(third) == third.request_id
        with pytest.raises(tata_errors.OtpCanceled):
            client.verify(third, fresh.latest_otp(PHONE))
        assert client.get_otp(old.request_id).status == "verified"
        with pytest.raises(tata_errors.InvalidLimitName):
            client.send_otp("+918888888888", limits={"per_phone": "+918888888888"})
        limit = client.create_limit("per_phone", [LimitBucket("short", 1, 600)], description="one per 10 min")
        with pytest.raises(tata_errors.LimitExists):
            client.create_limit("per_phone", [LimitBucket("short", 1, 600)])
        client.send_otp("+918888888888", limits={"per_phone": "+918888888888"})
        fresh.advance_clock(60)
        with pytest.raises(tata_errors.LimitExceeded):
            client.send_otp("+918888888888", limits={"per_phone": "+918888888888"})
        assert client.update_limit(limit.limit_sid, buckets=[LimitBucket("short", 5, 600)]).buckets[0].max == 5
        assert [x.name for x in client.list_limits()] == ["per_phone"]
        client.delete_limit(limit.limit_sid)
        with pytest.raises(tata_errors.LimitNotFound):
            client.delete_limit(limit.limit_sid)


def test_tata_sync_lock_after_wrong_codes_and_email(fresh: EmulatorHandle) -> None:
    with smart2fa(fresh) as client:
        sent = client.send_otp(PHONE)
        code = fresh.latest_otp(PHONE)
        for _ in range(5):
            assert not client.verify(sent, "0000" if not code.startswith("0000") else "1111").matched
        with pytest.raises(tata_errors.OtpLocked):
            client.verify(sent, code)
        mail = client.send_otp(
            "user@example.com", channel="email", subject="Your code", email_from="otp@example.com", body="Code {code}"
        )
        message = next(m for m in fresh.messages() if m["id"] == mail.request_id)
        assert message["kind"] == "email" and message["subject"] == "Your code"
        assert client.verify(mail, message["otp"]).matched


def test_tata_wrong_credentials(fresh: EmulatorHandle) -> None:
    sid, _ = fresh.credentials["tata"]
    client = Smart2fa(sid, "wrong-token-123", base_url=fresh.base_url, service="Shop", sender="SHOP")
    with client, pytest.raises(tata_errors.InvalidCredentials) as caught:
        client.send_otp(PHONE)
    assert "wrong-token-123" not in str(caught.value) and "wrong-token-123" not in repr(caught.value)


def test_tata_async_round_trip(fresh: EmulatorHandle) -> None:
    sid, token = fresh.credentials["tata"]

    async def scenario() -> None:
        async with AsyncSmart2fa(sid, token, base_url=fresh.base_url, service="Shop", sender="SHOP") as client:
            sent = await client.send_otp(PHONE, channel="call", repeat=2)
            message = fresh.latest_message(PHONE)
            assert message is not None and message["kind"] == "voice"
            assert (await client.verify(sent, fresh.latest_otp(PHONE))).matched
            total, found = await client.search_otps(status="verified", channel="call")
            assert total == 1 and found[0].request_id == sent.request_id
            with pytest.raises(tata_errors.OtpAlreadyVerified):
                await client.cancel(sent)

    asyncio.run(scenario())


class Receiver:
    """A real local DLR receiver that parses each receipt with the client's parser and acknowledges it."""

    def __init__(self) -> None:
        self.receipts: list[Any] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _take(self, data: str | bytes, content_type: str | None) -> None:
                receiver.receipts.append(parse_delivery_receipt(data, content_type=content_type))
                self.send_response(200)
                self.send_header("Content-Length", "10")
                self.end_headers()
                self.wfile.write(b"ACK/Jasmin")

            def do_GET(self) -> None:
                self._take(self.path.partition("?")[2], None)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self._take(raw, self.headers.get("Content-Type"))

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/dlr"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int) -> list[Any]:
        deadline = time.monotonic() + WAIT_SECONDS
        while len(self.receipts) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.receipts) >= count, self.receipts
        return self.receipts


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.server.shutdown()
    made.server.server_close()


def test_datatechlabs_sync_send_and_receipts(fresh: EmulatorHandle, receiver: Receiver) -> None:
    user, password = fresh.credentials["datatechlabs"]
    with Datatechlabs(user, password, base_url=fresh.base_url, sender="DTLABS") as client:
        sent = client.sms.send(PHONE, "a" * 161, dlr_url=receiver.url, dlr_level=3, dlr_method="POST")
        assert (sent.segments, sent.encoding) == (2, "GSM-7")
        assert client.sms.send(PHONE, "hello", coding="UTF-8").encoding == "UCS-2"
        smsc, handset = receiver.wait(2)
        assert (smsc.message_id, smsc.message_status, smsc.level) == (sent.message_id, "ESME_ROK", 3)
        assert handset.message_status == "DELIVRD" and handset.id_smsc is not None
        with pytest.raises(DatatechlabsError):
            client.sms.send(PHONE, "आपका कोड", coding="GSM7")


def test_datatechlabs_async_get_receipt_of_a_failed_number(fresh: EmulatorHandle, receiver: Receiver) -> None:
    user, password = fresh.credentials["datatechlabs"]

    async def scenario() -> None:
        async with AsyncDatatechlabs(user, password, base_url=fresh.base_url, sender="DTLABS") as client:
            sent = await client.sms.send("+919000000001", "hi", dlr_url=receiver.url, dlr_level=2, dlr_method="GET")
            (receipt,) = receiver.wait(1)
            assert receipt.message_id == sent.message_id and receipt.message_status == "UNDELIV"

    asyncio.run(scenario())


def test_datatechlabs_errors(fresh: EmulatorHandle) -> None:
    with Datatechlabs("poor", "poor-password-123", base_url=fresh.base_url, sender="DTLABS") as client:
        client.sms.send(PHONE, "one segment")
        with pytest.raises(InsufficientBalance):
            client.sms.send(PHONE, "no credit left")
    wrong = Datatechlabs("poor", "wrong-password-1", base_url=fresh.base_url, sender="DTLABS")
    with wrong, pytest.raises(InvalidCredentials):
        wrong.sms.send(PHONE, "hi")
