"""Delivery reports on a real socket: SENT -> final status on the emulator's clock, the magic test
numbers, TRANS_SMS_DLR answering from that state, and the bulk webhook with retries and its log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest
from twofactor.envelope import open_json, seal_json
from twofactor_emulator.core.clock import INDIA
from twofactor_emulator.core.delivery import MAGIC_NUMBERS
from twofactor_emulator.testing import EmulatorHandle

from .conftest import Receiver, eventually

pytestmark = pytest.mark.slow
FAILED_PHONE, DND_PHONE, INVALID_PHONE = (
    next(p for p, s in MAGIC_NUMBERS.items() if s == status) for status in ("FAILED", "DND", "INVALID_NUMBER")
)
PHONE = "+919876543210"


def r1(emulator: EmulatorHandle, to: str) -> str:
    form = {"module": "TRANS_SMS", "apikey": emulator.api_key, "to": to, "from": "HEADER", "msg": "Hello"}
    reply = emulator.client.post("/API/R1/", data=form)
    assert reply.status_code == 200, reply.text
    request_id: str = reply.json()["Details"]
    return request_id


def statuses(emulator: EmulatorHandle) -> dict[str, str]:
    return {m["to"]: m["status"] for m in emulator.messages()}


def put(emulator: EmulatorHandle, path: str, body: dict[str, Any]) -> httpx.Response:
    return emulator.client.put(path, json=body)


def bulk(emulator: EmulatorHandle, *phones: str) -> dict[str, Any]:
    messages = [
        {
            "smsFrom": "TFACTR",
            "smsTo": p,
            "smsText": "Order shipped",
            "callback_value1": f"order_{n}",
            "callback_value2": "c",
        }
        for n, p in enumerate(phones)
    ]
    reply = emulator.client.post(
        "/API/R1/Bulk/", json={"module": "TRANS_SMS", "apikey": emulator.api_key, "messages": messages}
    )
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


def webhook_log(emulator: EmulatorHandle) -> list[dict[str, Any]]:
    attempts: list[dict[str, Any]] = emulator.client.get("/_emulator/webhooks/log").json()["attempts"]
    return attempts


def test_messages_stay_sent_for_the_delay_then_reach_their_final_status(emulator: EmulatorHandle) -> None:
    assert put(emulator, "/_emulator/delivery", {"delaySeconds": 30}).json()["delaySeconds"] == 30
    r1(emulator, ",".join([PHONE, FAILED_PHONE, DND_PHONE, INVALID_PHONE]))
    assert set(statuses(emulator).values()) == {"SENT"}
    emulator.advance_clock(29)
    assert set(statuses(emulator).values()) == {"SENT"}
    emulator.advance_clock(1)
    assert statuses(emulator) == {
        PHONE: "DELIVERED",
        FAILED_PHONE: "FAILED",
        DND_PHONE: "DND",
        INVALID_PHONE: "INVALID_NUMBER",
    }
    # The delivery delay is listed with the magic numbers, which the README documents.
    assert emulator.client.get("/_emulator/delivery").json()["magicNumbers"] == MAGIC_NUMBERS


@pytest.mark.parametrize("mode", ["GCM", "CBC"])
def test_trans_sms_dlr_answers_from_the_delivery_state(emulator: EmulatorHandle, mode: str) -> None:
    put(emulator, "/_emulator/delivery", {"delaySeconds": 10})

    def dlr(session_id: str) -> dict[str, Any]:
        query = {
            "module": "TRANS_SMS_DLR",
            "apikey": emulator.api_key,
            "sessionid": session_id,
            "smsdate": datetime.fromtimestamp(emulator_now(emulator), INDIA).strftime("%Y-%m-%d"),
        }
        reply = emulator.client.post(
            f"/API/R1?module=ENC&encmode={mode}",
            content=seal_json(query, emulator.secret_key, mode),
            headers={"Secret-Key": emulator.secret_key},
        )
        assert reply.status_code == 200, reply.text
        report: dict[str, Any] = open_json(reply.text, emulator.secret_key, mode)
        return report

    delivered, dnd = r1(emulator, PHONE), r1(emulator, DND_PHONE)
    assert dlr(delivered)["DeliveryStatus"] == "SENT" and "DeliveredAt" not in dlr(delivered)
    emulator.advance_clock(10)
    report = dlr(delivered)
    assert report["DeliveryStatus"] == "DELIVERED"
    sent = datetime.strptime(report["SentAt"], "%Y-%m-%d %H:%M:%S")
    assert (datetime.strptime(report["DeliveredAt"], "%Y-%m-%d %H:%M:%S") - sent).total_seconds() in (10, 11)
    assert dlr(dnd)["DeliveryStatus"] == "DND" and "DeliveredAt" not in dlr(dnd)


def emulator_now(emulator: EmulatorHandle) -> float:
    now = emulator.client.get("/_emulator/clock").json()["now"]
    return datetime.fromisoformat(now.replace("Z", "+00:00")).timestamp()


def test_bulk_reports_are_retried_with_backoff_until_the_receiver_acknowledges(
    emulator: EmulatorHandle, receiver_factory: Callable[[int], Receiver]
) -> None:
    receiver = receiver_factory(3)  # 503 to the first three POSTs
    settings = put(emulator, "/_emulator/webhooks", {"url": receiver.url, "maxAttempts": 5, "backoffSeconds": 60})
    assert settings.json() == {
        "url": receiver.url,
        "maxAttempts": 5,
        "backoffSeconds": 60,
        "timeoutSeconds": 10,
        "pending": 0,
    }
    put(emulator, "/_emulator/delivery", {"delaySeconds": 2})
    sent = bulk(emulator, PHONE, FAILED_PHONE)
    ids = [m["messageId"] for m in sent["messages"]]

    emulator.advance_clock(2)  # both reach their final status: first attempts, both refused (503)
    eventually(lambda: len(webhook_log(emulator)) == 2, "the first attempt of both reports")
    assert [(a["attempt"], a["statusCode"], a["outcome"]) for a in webhook_log(emulator)] == [
        (1, 503, "will retry"),
        (1, 503, "will retry"),
    ]
    emulator.advance_clock(60)  # first backoff: 60 s; one more 503, then a 200
    eventually(lambda: len(webhook_log(emulator)) == 4, "the second attempts")
    emulator.advance_clock(120)  # second backoff: 120 s
    # The log, not the receiver: the receiver records a body before its reply reaches the emulator.
    outcomes = lambda: [a["outcome"] for a in webhook_log(emulator)]  # noqa: E731
    eventually(lambda: outcomes().count("acknowledged") == 2, "both reports acknowledged")

    log = webhook_log(emulator)
    assert all(a["outcome"] != "gave up" for a in log)
    by_id = {body["SessionId"]: body for body in receiver.acknowledged()}
    assert set(by_id) == set(ids)
    delivered, failed = by_id[ids[0]], by_id[ids[1]]
    assert delivered["SmsStatus"] == "DELIVERED" and failed["SmsStatus"] == "FAILED"
    assert delivered["SmsTo"] == "9876543210" and delivered["SmsFrom"] == "TFACTR"
    assert (delivered["callback_value1"], delivered["callback_value2"]) == ("order_0", "c")
    assert failed["callback_value1"] == "order_1"
    assert emulator.client.get("/_emulator/webhooks").json()["pending"] == 0


def test_an_unreachable_receiver_is_retried_then_given_up(
    emulator: EmulatorHandle, receiver_factory: Callable[[int], Receiver]
) -> None:
    closed = receiver_factory(0)
    url = closed.url
    closed.close()  # nothing listens there any more: connections are refused
    put(emulator, "/_emulator/webhooks", {"url": url, "maxAttempts": 2, "backoffSeconds": 5})
    bulk(emulator, PHONE)
    eventually(lambda: len(webhook_log(emulator)) == 1, "the first attempt")
    emulator.advance_clock(5)
    eventually(lambda: len(webhook_log(emulator)) == 2, "the second attempt")
    log = webhook_log(emulator)
    assert [(a["attempt"], a["error"], a["outcome"]) for a in log] == [
        (1, "ConnectError", "will retry"),
        (2, "ConnectError", "gave up"),
    ]
    assert emulator.client.get("/_emulator/webhooks").json()["pending"] == 0


def test_no_report_without_a_url_and_none_for_messages_other_than_bulk(
    emulator: EmulatorHandle, receiver_factory: Callable[[int], Receiver]
) -> None:
    receiver = receiver_factory(0)
    bulk(emulator, PHONE)  # before a URL is set: never reported
    put(emulator, "/_emulator/webhooks", {"url": receiver.url})
    r1(emulator, PHONE)  # not bulk: not reported
    sent = bulk(emulator, PHONE)
    eventually(lambda: receiver.acknowledged(), "the report of the second bulk message")
    assert [b["SessionId"] for b in receiver.acknowledged()] == [sent["messages"][0]["messageId"]]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_emulator/delivery", {"delaySeconds": -1}),
        ("/_emulator/delivery", {"delaySeconds": "5"}),
        ("/_emulator/delivery", {"delaySeconds": True}),
        ("/_emulator/webhooks", {"url": "ftp://example.com"}),
        ("/_emulator/webhooks", {"url": "http://127.0.0.1/", "maxAttempts": 0}),
        ("/_emulator/webhooks", {"backoffSeconds": 1e12}),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(emulator: EmulatorHandle, path: str, body: dict[str, Any]) -> None:
    before = emulator.client.get(path).json()
    reply = put(emulator, path, body)
    assert reply.status_code == 400 and reply.json()["error"]
    assert emulator.client.get(path).json() == before
