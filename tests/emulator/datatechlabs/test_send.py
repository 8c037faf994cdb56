"""datatechlabs' `POST /sms/send` on a real socket: segments and encoding by `coding`, credits,
the outbox, and hostile input (wrong Basic auth, missing and unknown fields, bad `coding`,
oversized and non-JSON bodies), each a clear error in the document's shape with nothing sent."""

from __future__ import annotations

import base64
import re

import httpx
import pytest

from .conftest import PASSWORD, PHONE, POOR_PASSWORD, POOR_USER, USER, Datatechlabs

GSM_160 = "a" * 160
EXTENDED = "{}" * 80  # extension characters take two septets each: 160 characters, 320 septets


@pytest.mark.parametrize(
    ("content", "coding", "segments", "encoding"),
    [
        ("hello, World!", None, 1, "GSM-7"),
        (GSM_160, None, 1, "GSM-7"),
        (GSM_160 + "a", None, 2, "GSM-7"),
        ("a" * 306, "GSM7", 2, "GSM-7"),
        ("a" * 307, "GSM7", 3, "GSM-7"),
        (EXTENDED, "GSM7", 3, "GSM-7"),
        ("hello, World!", "UTF-8", 1, "UCS-2"),
        ("a" * 70, "UTF-8", 1, "UCS-2"),
        ("a" * 71, "UTF-8", 2, "UCS-2"),
        ("आ" * 134, None, 2, "UCS-2"),
        ("आ" * 135, None, 3, "UCS-2"),
        ("😀" * 35, "UTF-8", 1, "UCS-2"),  # two UTF-16 code units each
    ],
)
def test_segments_follow_coding(
    dtl: Datatechlabs, content: str, coding: str | None, segments: int, encoding: str
) -> None:
    fields = {"content": content} if coding is None else {"content": content, "coding": coding}
    reply = dtl.send(**fields)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["status"], body["segments"], body["encoding"]) == ("Success", segments, encoding)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", body["messageId"])


def test_the_outbox_shows_the_message_and_its_receipt_request(dtl: Datatechlabs) -> None:
    message_id = dtl.sent(to="919999999999", **{"dlr": True, "dlr-level": 2, "dlr-url": "http://127.0.0.1:9/x"})
    message = dtl.control.get("/_emulator/messages/latest", params={"phone": PHONE}).json()
    assert message["id"] == message_id and message["provider"] == "datatechlabs"
    assert (message["to"], message["from"], message["text"]) == (PHONE, "DTLABS", "hello, World!")
    assert (message["dlrUrl"], message["dlrMethod"], message["dlrLevel"]) == ("http://127.0.0.1:9/x", "GET", 2)
    assert dtl.control.get("/_emulator/messages", params={"provider": "tata"}).json()["messages"] == []


def test_credits_are_charged_per_segment(dtl: Datatechlabs) -> None:
    poor = (POOR_USER, POOR_PASSWORD)  # 3 credits
    assert (
        dtl.http.post("/sms/send", json={"to": PHONE, "from": "X", "content": "a" * 200}, auth=poor).status_code == 200
    )
    refused = dtl.http.post("/sms/send", json={"to": PHONE, "from": "X", "content": "a" * 200}, auth=poor)
    assert (refused.status_code, refused.json()) == (403, {"status": "Error", "message": "Insufficient balance"})
    assert dtl.http.post("/sms/send", json={"to": PHONE, "from": "X", "content": "a"}, auth=poor).status_code == 200
    dtl.control.post("/_emulator/reset", json={}).raise_for_status()  # a full reset gives credits back
    assert (
        dtl.http.post("/sms/send", json={"to": PHONE, "from": "X", "content": "a" * 200}, auth=poor).status_code == 200
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Basic " + base64.b64encode(f"{USER}:wrong-password".encode()).decode(),
        "Basic " + base64.b64encode(f"nobody:{PASSWORD}".encode()).decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
        "Basic ###",
        "Digest username=shop",
    ],
)
def test_wrong_basic_auth(dtl: Datatechlabs, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = httpx.post(dtl.base_url + "/sms/send", json={"to": PHONE, "from": "X", "content": "x"}, headers=headers)
    assert (response.status_code, response.json()) == (401, {"status": "Error", "message": "Authentication failed"})
    assert response.headers["www-authenticate"] == 'Basic realm="datatechlabs"'
    assert PASSWORD not in response.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to": None}, "Mandatory argument not found: to"),
        ({"from": None}, "Mandatory argument not found: from"),
        ({"content": None}, "Mandatory argument not found: content"),
        ({"text": "hi"}, "Argument text is unknown"),
        ({"coding": "UTF-16"}, "Argument coding has an invalid value"),
        ({"coding": 8}, "Argument coding has an invalid value"),
        ({"coding": "GSM7", "content": "आपका कोड"}, "Content cannot be encoded in GSM-7: use coding UTF-8"),
        ({"dlr": "yes"}, "Argument dlr has an invalid value"),
        ({"dlr": True}, "Mandatory argument not found: dlr-url"),
        ({"dlr": True, "dlr-url": "http://x.example/dlr"}, "Mandatory argument not found: dlr-level"),
        ({"dlr": True, "dlr-level": 4, "dlr-url": "http://x.example/"}, "Argument dlr-level has an invalid value"),
        ({"dlr": True, "dlr-level": True, "dlr-url": "http://x.example/"}, "Argument dlr-level has an invalid value"),
        ({"dlr": True, "dlr-level": 1, "dlr-url": "ftp://x.example/"}, "Argument dlr-url has an invalid value"),
        ({"dlr": True, "dlr-level": 1, "dlr-url": "http://x/\nHost: y"}, "Argument dlr-url has an invalid value"),
        ({"dlr-method": "PUT"}, "Argument dlr-method has an invalid value"),
        ({"to": "0919999999999"}, "Argument to has an invalid value"),
        ({"to": "+91 99999 99999"}, "Argument to has an invalid value"),
        ({"from": "TOO-LONG-SENDER"}, "Argument from has an invalid value"),
        ({"content": ""}, "Argument content has an invalid value"),
        ({"content": "a\x00b"}, "Argument content has an invalid value"),
        ({"content": "a" * 1601}, "Argument content has an invalid value"),
    ],
)
def test_field_rules(dtl: Datatechlabs, fields: dict[str, object], message: str) -> None:
    body: dict[str, object] = {"to": PHONE, "from": "DTLABS", "content": "hello"}
    body.update(fields)
    response = dtl.http.post("/sms/send", json={k: v for k, v in body.items() if v is not None})
    assert (response.status_code, response.json()) == (400, {"status": "Error", "message": message})
    assert dtl.control.get("/_emulator/messages").json()["messages"] == []


@pytest.mark.parametrize(
    "content",
    [b"", b"nope", b"[]", b"null", b"\xff{}", b"{" * 50_000, b'{"to": "' + b"9" * (64 * 1024) + b'"}'],
    ids=["empty", "text", "array", "null", "not-utf8", "deep", "oversized"],
)
def test_bodies_that_are_no_json_object(dtl: Datatechlabs, content: bytes) -> None:
    response = dtl.http.post("/sms/send", content=content, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (400, {"status": "Error", "message": "Invalid request body"})


def test_unknown_paths_and_methods_answer_in_its_shape(dtl: Datatechlabs) -> None:
    missing = dtl.http.get("/sms/balance")
    assert missing.status_code == 404 and missing.json()["status"] == "Error"
    wrong = dtl.http.get("/sms/send")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST" and wrong.json()["status"] == "Error"
