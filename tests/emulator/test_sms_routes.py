"""R1 (form and query), bulk and the encrypted route: the docs' flows and validation rules."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from twofactor.envelope import open_json, seal, seal_json
from twofactor_emulator.testing import create_app

from .conftest import API_KEY, OTHER_PHONE, PHONE, SECRET_KEY

INDIA = timezone(timedelta(hours=5, minutes=30))


def r1_form(**overrides: str) -> dict[str, str]:
    form = {
        "module": "TRANS_SMS",
        "apikey": API_KEY,
        "to": "919999999999,918888888888",
        "from": "HEADER",
        "msg": "DLT Approved Message Text Goes Here",
    }
    form.update(overrides)
    return form


async def outbox(client: httpx.AsyncClient, phone: str | None = None) -> list[dict[str, object]]:
    params = {"phone": phone} if phone else {}
    messages: list[dict[str, object]] = (await client.get("/_emulator/messages", params=params)).json()["messages"]
    return messages


# ---------------------------------------------------------------------------- R1
async def test_r1_to_two_numbers_gives_two_outbox_messages(client: httpx.AsyncClient) -> None:
    reply = await client.post("/API/R1/", data=r1_form())
    assert reply.status_code == 200
    request_id = reply.json()["Details"]
    assert reply.json()["Status"] == "Success"
    messages = await outbox(client)
    assert sorted((m["to"], m["id"]) for m in messages) == [
        (OTHER_PHONE, f"{request_id}-2"),
        (PHONE, f"{request_id}-1"),
    ]
    assert all(m["text"] == "DLT Approved Message Text Goes Here" and m["from"] == "HEADER" for m in messages)


async def test_r1_by_query_string(client: httpx.AsyncClient) -> None:
    reply = await client.get("/API/R1/", params=r1_form(module="PROMO_SMS", to="9999999999", peid="1101", ctid="1107"))
    assert reply.status_code == 200, reply.text
    assert [m["kind"] for m in await outbox(client)] == ["promotional"]


@pytest.mark.parametrize(
    ("field", "value", "details"),
    [
        ("module", "OTP_SMS", "Invalid Module - Expected TRANS_SMS Or PROMO_SMS"),
        ("apikey", "XXXX-XXXX-XXXX-XXXX-XXXX", "Invalid API Key"),
        ("to", "99999", "Invalid Phone Number - Length Mismatch(Expected: 10)"),
        ("from", "TOOLONGID", "Invalid Sender Id - Expected 1 to 6 Letters Or Digits"),
        ("msg", "", "Invalid Message Text - Expected 1 to 1000 Characters Without Control Characters"),
        ("peid", "12ab", "Invalid PEID - Expected Digits"),
        ("ctid", "x", "Invalid CTID - Expected Digits"),
        ("scheduletime", "tomorrow", "Invalid Schedule Time - Expected YYYY-MM-DD HH:MM:SS (India Time)"),
    ],
)
async def test_r1_validates_every_field(client: httpx.AsyncClient, field: str, value: str, details: str) -> None:
    reply = await client.post("/API/R1/", data=r1_form(**{field: value}))
    assert (reply.status_code, reply.json()) == (400, {"Status": "Error", "Details": details})
    assert await outbox(client) == []


async def test_r1_missing_field(client: httpx.AsyncClient) -> None:
    form = r1_form()
    del form["msg"]
    reply = await client.post("/API/R1/", data=form)
    assert reply.json() == {"Status": "Error", "Details": "Missing Parameter - msg"}


async def test_r1_scheduletime_must_be_five_minutes_ahead_in_india_time(client: httpx.AsyncClient) -> None:
    soon = (datetime.now(INDIA) + timedelta(minutes=4)).strftime("%Y-%m-%d %H:%M:%S")
    reply = await client.post("/API/R1/", data=r1_form(scheduletime=soon))
    assert reply.json()["Details"] == "Invalid Schedule Time - Must Be At Least 5 Minutes Ahead (India Time)"
    later = (datetime.now(INDIA) + timedelta(minutes=6)).strftime("%Y-%m-%d %H:%M:%S")
    accepted = await client.post("/API/R1/", data=r1_form(to="9999999999", scheduletime=later))
    assert accepted.status_code == 200
    assert [m["status"] for m in await outbox(client)] == ["SCHEDULED"]
    await client.post("/_emulator/clock/advance", json={"seconds": 7 * 60})
    assert [m["status"] for m in await outbox(client)] == ["DELIVERED"]


# ---------------------------------------------------------------------------- bulk
def bulk(count: int, **message: str) -> dict[str, object]:
    item = {"smsFrom": "TFACTR", "smsTo": "+919876543210", "smsText": "Your code is 483920"} | message
    return {"module": "TRANS_SMS", "apikey": API_KEY, "messages": [dict(item) for _ in range(count)]}


async def test_bulk_docs_sample_succeeds_in_the_docs_shape(client: httpx.AsyncClient) -> None:
    payload = bulk(1, callback_value1="order_98765", callback_value2="user_12345")
    reply = await client.post("/API/R1/Bulk/", json=payload)
    assert reply.status_code == 200
    body = reply.json()
    assert body["success"] is True and body["messageCount"] == 1
    assert body["queueStats"] == {"success": True, "totalChunks": 1, "successfulChunks": 1, "failedChunks": 0}
    assert {"requestId", "timestamp", "processingTime"} <= set(body)
    assert body["messages"] == [
        {"index": 0, "smsTo": "+919876543210", "status": "accepted", "messageId": f"{body['requestId']}-1"}
    ]
    [message] = await outbox(client)
    assert message["callbackValue1"] == "order_98765" and message["callbackValue2"] == "user_12345"


async def test_bulk_accepts_1000_messages_in_one_request() -> None:
    # 1000 messages need more than a new account's 250 free credits.
    config = {"accounts": [{"api_key": API_KEY, "secret_key": SECRET_KEY, "credits": 10**6}]}
    transport = httpx.ASGITransport(app=create_app(config=config))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        reply = await client.post("/API/R1/Bulk/", json=bulk(1000))
        assert reply.status_code == 200
        assert reply.json()["messageCount"] == 1000
        assert len((await client.get("/_emulator/messages", params={"limit": 1000})).json()["messages"]) == 1000


async def test_bulk_refuses_1001_messages(client: httpx.AsyncClient) -> None:
    reply = await client.post("/API/R1/Bulk/", json=bulk(1001))
    assert reply.status_code == 400
    body = reply.json()
    assert body["success"] is False and body["errorType"] == "ValidationError"
    assert body["details"] == [{"field": "messages", "error": "Messages Must Hold 1 To 1000 Messages"}]
    assert await outbox(client) == []


async def test_bulk_invalid_api_key_is_the_docs_reply(client: httpx.AsyncClient) -> None:
    payload = bulk(1) | {"apikey": "XXXXXX-XXXX-XXXX-XXXX-XXXX"}
    body = (await client.post("/API/R1/Bulk/", json=payload)).json()
    assert body["error"] == "Validation failed"
    assert body["details"] == [{"field": "apikey", "error": "Invalid API Key Or TRANSACTIONAL_SMS Service Is Inactive"}]


async def test_bulk_invalid_json_is_the_docs_reply(client: httpx.AsyncClient) -> None:
    raw = json.dumps(bulk(2))[:-3] + "x]}"
    reply = await client.post("/API/R1/Bulk/", content=raw, headers={"content-type": "application/json"})
    assert reply.status_code == 400
    [detail] = reply.json()["details"]
    assert detail["error"] == "Failed to parse request body as JSON" and detail["details"]


async def test_bulk_bad_phone_rejects_only_its_message(client: httpx.AsyncClient) -> None:
    payload = bulk(3)
    payload["messages"][1]["smsTo"] = "+91-98765"  # type: ignore[index]
    body = (await client.post("/API/R1/Bulk/", json=payload)).json()
    assert body["messageCount"] == 2
    assert [m["status"] for m in body["messages"]] == ["accepted", "rejected", "accepted"]
    assert body["messages"][2]["messageId"].endswith("-3")
    assert len(await outbox(client)) == 2


async def test_bulk_text_too_long(client: httpx.AsyncClient) -> None:
    body = (await client.post("/API/R1/Bulk/", json=bulk(2, smsText="x" * 1001))).json()
    assert body["success"] is False
    assert body["details"][0]["field"] == "messages[0].smsText"


# ---------------------------------------------------------------------------- encrypted
def enc_url(mode: str) -> str:
    return f"/API/R1?module=ENC&encmode={mode}"


@pytest.mark.parametrize("mode", ["GCM", "CBC"])
async def test_enc_round_trip(client: httpx.AsyncClient, mode: str) -> None:
    payload = {"module": "TRANS_SMS", "apikey": API_KEY, "to": "919999999999", "from": "SENDER", "msg": "Hi"}
    reply = await client.post(
        enc_url(mode), content=seal_json(payload, SECRET_KEY, mode), headers={"Secret-Key": SECRET_KEY}
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    opened = open_json(reply.text, SECRET_KEY, mode)
    assert opened["Status"] == "Success"
    [message] = await outbox(client, PHONE)
    assert message["requestId"] == opened["Details"] and message["text"] == "Hi"

    today = datetime.now(INDIA).strftime("%Y-%m-%d")
    query = {"module": "TRANS_SMS_DLR", "apikey": API_KEY, "sessionid": opened["Details"], "smsdate": today}
    status = await client.post(
        enc_url(mode), content=seal_json(query, SECRET_KEY, mode), headers={"Secret-Key": SECRET_KEY}
    )
    report = open_json(status.text, SECRET_KEY, mode)
    assert report["Details"] == "1 record found for the specified filters"
    assert report["DeliveryStatus"] == "DELIVERED" and report["SentAt"].startswith(today)

    other_day = {**query, "smsdate": "2024-01-18"}
    none = await client.post(
        enc_url(mode), content=seal_json(other_day, SECRET_KEY, mode), headers={"Secret-Key": SECRET_KEY}
    )
    assert open_json(none.text, SECRET_KEY, mode) == {
        "Status": "Success",
        "Details": "No records found for the specified filters",
    }


async def test_enc_trailing_slash_and_default_mode_cbc(client: httpx.AsyncClient) -> None:
    payload = {"module": "TRANS_SMS", "apikey": API_KEY, "to": "919999999999", "from": "SENDER", "msg": "Hi"}
    reply = await client.post(
        "/API/R1/?module=ENC", content=seal_json(payload, SECRET_KEY, "CBC"), headers={"Secret-Key": SECRET_KEY}
    )
    assert open_json(reply.text, SECRET_KEY, "CBC")["Status"] == "Success"


async def test_enc_documented_errors(client: httpx.AsyncClient) -> None:
    body = seal_json({"module": "TRANS_SMS"}, SECRET_KEY, "GCM")
    missing = await client.post(enc_url("GCM"), content=body)
    assert (missing.status_code, missing.json()) == (
        400,
        {"Status": "Error", "Details": "Secret-Key is missing in the request header"},
    )
    get = await client.get(enc_url("GCM"), headers={"Secret-Key": SECRET_KEY})
    assert (get.status_code, get.json()) == (
        400,
        {"Status": "Error", "Details": "HTTP GET is not supported on this endpoint"},
    )


async def test_enc_every_decryption_failure_reads_the_same(client: httpx.AsyncClient) -> None:
    good = {"module": "TRANS_SMS", "apikey": API_KEY, "to": "919999999999", "from": "SENDER", "msg": "Hi"}
    gcm = seal_json(good, SECRET_KEY, "GCM")
    cbc = seal_json(good, SECRET_KEY, "CBC")
    wrong_key = "f" * 32
    raw_gcm = bytearray(__import__("base64").b64decode(gcm))
    raw_gcm[-1] ^= 1  # flip a bit of the tag
    raw_cbc = bytearray(__import__("base64").b64decode(cbc))
    raw_cbc[-17] ^= 1  # flip a bit of the second-to-last block: garbles the padding of the last
    b64 = __import__("base64").b64encode
    cases = {
        "wrong key (GCM)": ("GCM", seal_json(good, wrong_key, "GCM"), SECRET_KEY),
        "wrong key (CBC)": ("CBC", seal_json(good, wrong_key, "CBC"), SECRET_KEY),
        "header key unknown": ("GCM", seal_json(good, wrong_key, "GCM"), wrong_key),
        "header key too short": ("GCM", gcm, "short"),
        "bad tag": ("GCM", b64(bytes(raw_gcm)).decode(), SECRET_KEY),
        "bad padding": ("CBC", b64(bytes(raw_cbc)).decode(), SECRET_KEY),
        "truncated": ("GCM", gcm[:20], SECRET_KEY),
        "not base64": ("GCM", "this is not base64!!", SECRET_KEY),
        "plaintext not JSON": ("GCM", seal(b"not json", SECRET_KEY, "GCM"), SECRET_KEY),
        "mode mismatch": ("CBC", gcm, SECRET_KEY),
        "empty body": ("GCM", "", SECRET_KEY),
    }
    replies = {}
    for name, (mode, body, key) in cases.items():
        reply = await client.post(enc_url(mode), content=body, headers={"Secret-Key": key})
        replies[name] = (reply.status_code, reply.content, sorted(k for k in reply.headers if k != "content-length"))
    assert {r[:2] for r in replies.values()} == {(400, b'{"Status":"Error","Details":"Decryption failed"}')}
    assert len({tuple(r[2]) for r in replies.values()}) == 1
    assert await outbox(client) == []


async def test_enc_unknown_module_inside_the_envelope(client: httpx.AsyncClient) -> None:
    body = seal_json({"module": "PROMO_SMS", "apikey": API_KEY}, SECRET_KEY, "GCM")
    reply = await client.post(enc_url("GCM"), content=body, headers={"Secret-Key": SECRET_KEY})
    assert reply.json() == {"Status": "Error", "Details": "Invalid Module - Expected TRANS_SMS Or TRANS_SMS_DLR"}
