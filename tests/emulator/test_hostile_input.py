"""Bad input on every route family gets a 2Factor-shaped error, never a 500, and stores nothing.

Body limits (docs/emulator.md): V1 POST and R1 form 64 KiB, encrypted 96 KiB, bulk 5 MiB, control 64 KiB.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from twofactor.envelope import seal_json

from .conftest import API_KEY, PHONE, SECRET_KEY, v1

KIB = 1024
R1 = {"module": "TRANS_SMS", "apikey": API_KEY, "to": "919999999999", "from": "HEADER", "msg": "Hello"}
BULK_MESSAGE = {"smsFrom": "TFACTR", "smsTo": "+919876543210", "smsText": "Hello"}
INVALID_PHONE = "Invalid Phone Number - Length Mismatch(Expected: 10)"
INVALID_TEMPLATE = "Invalid Template Name - Template Not Found"
INVALID_OTP = "Invalid OTP Value - Expected 4 to 6 digits"


JSON = {"Content-Type": "application/json"}


def status_body_error(details: str) -> dict[str, str]:
    return {"Status": "Error", "Details": details}


# (case, method, url, request kwargs, expected status, expected V1 Details or None for the bulk/control shape)
CASES: list[tuple[str, str, str, dict[str, Any], int, str | None]] = [
    # ---- malformed JSON
    ("bulk: malformed JSON", "POST", "/API/R1/Bulk/", {"content": b'{"module": "TRANS_SMS",'}, 400, None),
    ("bulk: JSON that is not an object", "POST", "/API/R1/Bulk/", {"content": b"[1, 2]"}, 400, None),
    ("bulk: invalid UTF-8", "POST", "/API/R1/Bulk/", {"content": b'{"a": "\xff"}'}, 400, None),
    (
        "control: malformed JSON",
        "POST",
        "/_emulator/clock/advance",
        {"content": b"{seconds: 5", "headers": JSON},
        400,
        None,
    ),
    ("control: reset with a list", "POST", "/_emulator/reset", {"content": b"[]", "headers": JSON}, 400, None),
    # ---- oversized bodies
    (
        "V1 POST: 65 KiB body",
        "POST",
        v1(f"SMS/{PHONE}/AUTOGEN"),
        {"content": b"x" * 65 * KIB},
        400,
        "Request Body Too Large - Limit 65536 Bytes",
    ),
    (
        "R1 form: 65 KiB body",
        "POST",
        "/API/R1/",
        {"content": b"msg=" + b"x" * 65 * KIB},
        400,
        "Request Body Too Large - Limit 65536 Bytes",
    ),
    (
        "ENC: 97 KiB body",
        "POST",
        "/API/R1?module=ENC&encmode=GCM",
        {"content": b"A" * 97 * KIB, "headers": {"Secret-Key": SECRET_KEY}},
        400,
        "Request Body Too Large - Limit 98304 Bytes",
    ),
    ("bulk: 6 MiB body", "POST", "/API/R1/Bulk/", {"content": b" " * 6 * KIB * KIB}, 400, None),
    ("control: 65 KiB body", "POST", "/_emulator/reset", {"content": b" " * 65 * KIB, "headers": JSON}, 400, None),
    # ---- 1001 bulk messages
    (
        "bulk: 1001 messages",
        "POST",
        "/API/R1/Bulk/",
        {"json": {"module": "TRANS_SMS", "apikey": API_KEY, "messages": [BULK_MESSAGE] * 1001}},
        400,
        None,
    ),
    (
        "bulk: no messages",
        "POST",
        "/API/R1/Bulk/",
        {"json": {"module": "TRANS_SMS", "apikey": API_KEY, "messages": []}},
        400,
        None,
    ),
    # ---- values the generated models would let through and the document does not
    (
        "bulk: explicit null",
        "POST",
        "/API/R1/Bulk/",
        {"json": {"module": "TRANS_SMS", "apikey": API_KEY, "messages": [BULK_MESSAGE | {"callback_format": None}]}},
        400,
        None,
    ),
    (
        "R1: webhook URL over 2048 characters",
        "POST",
        "/API/R1/",
        {"data": R1 | {"shortenurlwebhook": "https://e.com/" + "a" * 2040}},
        400,
        "Invalid Parameter - shortenurlwebhook",
    ),
    (
        "R1: webhook URL not http",
        "POST",
        "/API/R1/",
        {"data": R1 | {"campaignwebhook": "ftp://example.com/x"}},
        400,
        "Invalid Parameter - campaignwebhook",
    ),
    (
        "ENC: smsdate as a number",
        "POST",
        "/API/R1?module=ENC&encmode=GCM",
        {
            "content": seal_json(
                {"module": "TRANS_SMS_DLR", "apikey": API_KEY, "sessionid": "x", "smsdate": 20240118}, SECRET_KEY, "GCM"
            ),
            "headers": {"Secret-Key": SECRET_KEY},
        },
        400,
        "Invalid SMS Date - Expected YYYY-MM-DD",
    ),
    (
        "ENC: explicit null",
        "POST",
        "/API/R1?module=ENC&encmode=GCM",
        {"content": seal_json(R1 | {"msg": None}, SECRET_KEY, "GCM"), "headers": {"Secret-Key": SECRET_KEY}},
        400,
        "Invalid Message Text - Expected 1 to 1000 Characters Without Control Characters",
    ),
    # ---- unknown modules
    (
        "R1 form: unknown module",
        "POST",
        "/API/R1/",
        {"data": R1 | {"module": "VOICE"}},
        400,
        "Invalid Module - Expected TRANS_SMS Or PROMO_SMS",
    ),
    (
        "R1 query: unknown module",
        "GET",
        "/API/R1/",
        {"params": R1 | {"module": "trans_sms"}},
        400,
        "Invalid Module - Expected TRANS_SMS Or PROMO_SMS",
    ),
    (
        "bulk: unknown module",
        "POST",
        "/API/R1/Bulk/",
        {"json": {"module": "PROMO_SMS", "apikey": API_KEY, "messages": [BULK_MESSAGE]}},
        400,
        None,
    ),
    (
        "ENC: unknown module in the query",
        "POST",
        "/API/R1?module=ENC2",
        {"headers": {"Secret-Key": SECRET_KEY}},
        400,
        "Invalid Module - Expected module=ENC",
    ),
    (
        "ENC: unknown module inside",
        "POST",
        "/API/R1?module=ENC&encmode=GCM",
        {
            "content": seal_json({"module": "X", "apikey": API_KEY}, SECRET_KEY, "GCM"),
            "headers": {"Secret-Key": SECRET_KEY},
        },
        400,
        "Invalid Module - Expected TRANS_SMS Or TRANS_SMS_DLR",
    ),
    (
        "ENC: unknown mode",
        "POST",
        "/API/R1?module=ENC&encmode=ECB",
        {"headers": {"Secret-Key": SECRET_KEY}},
        400,
        "Invalid Encryption Mode - Expected GCM Or CBC",
    ),
    # ---- OTPs that are not digits
    ("VERIFY: letters", "GET", v1("SMS/VERIFY/abc-123/12a4"), {}, 400, INVALID_OTP),
    ("VERIFY: Arabic-Indic digits", "GET", v1("SMS/VERIFY/abc-123/١٢٣٤"), {}, 400, INVALID_OTP),
    ("VERIFY: fullwidth digits", "GET", v1("SMS/VERIFY/abc-123/１２３４５６"), {}, 400, INVALID_OTP),
    ("VERIFY: too long", "GET", v1("SMS/VERIFY/abc-123/1234567"), {}, 400, INVALID_OTP),
    (
        "voice VERIFY: the sandbox's dummy session with letters",
        "GET",
        v1("VOICE/VERIFY/Dummy-12345/abcd"),
        {},
        400,
        INVALID_OTP,
    ),
    ("VERIFY3: letters", "GET", v1(f"SMS/VERIFY3/{PHONE}/abcd"), {}, 400, INVALID_OTP),
    (
        "VERIFY: session id with a quote",
        "GET",
        v1("SMS/VERIFY/a'b/123456"),
        {},
        400,
        "Invalid API / SessionId Combination - No Entry Exists",
    ),
    ("custom OTP: Devanagari digits", "GET", v1(f"SMS/{PHONE}/१२३४"), {}, 400, INVALID_TEMPLATE),
    ("custom OTP with template: letters", "GET", v1(f"SMS/{PHONE}/12ab/OTP1"), {}, 400, INVALID_OTP),
    ("voice OTP: letters", "GET", v1(f"VOICE/{PHONE}/abcd"), {}, 400, INVALID_OTP),
    # ---- unicode digits and other junk in phone numbers
    ("phone: Devanagari digits", "GET", v1("SMS/+९१९९९९९९९९९९/AUTOGEN"), {}, 400, INVALID_PHONE),
    ("phone: fullwidth digits", "GET", v1("SMS/９９９９９９９９９９/AUTOGEN"), {}, 400, INVALID_PHONE),
    ("phone: Arabic-Indic digits", "GET", v1("SMS/٩٩٩٩٩٩٩٩٩٩/AUTOGEN"), {}, 400, INVALID_PHONE),
    ("phone: too short", "GET", v1("SMS/99999/AUTOGEN"), {}, 400, INVALID_PHONE),
    ("phone: +91 with 11 digits", "GET", v1("SMS/+9199999999999/AUTOGEN"), {}, 400, INVALID_PHONE),
    ("phone: space inside", "GET", v1("SMS/99999%2099999/AUTOGEN"), {}, 400, INVALID_PHONE),
    ("phone: NUL byte", "GET", v1("SMS/9999999999%00/AUTOGEN"), {}, 400, INVALID_PHONE),
    ("R1: unicode digits in to", "POST", "/API/R1/", {"data": R1 | {"to": "९९९९९९९९९९"}}, 400, INVALID_PHONE),
    (
        "control: unicode digits",
        "GET",
        "/_emulator/messages?phone=%D9%A9%D9%A9%D9%A9%D9%A9%D9%A9%D9%A9%D9%A9%D9%A9%D9%A9%D9%A9",
        {},
        400,
        None,
    ),
    # ---- path tricks in template names
    ("template: dot dot", "GET", v1(f"SMS/{PHONE}/AUTOGEN/%2e%2e"), {}, 400, INVALID_TEMPLATE),
    (
        "template: encoded slash",
        "GET",
        v1(f"SMS/{PHONE}/AUTOGEN/..%2F..%2Fetc%2Fpasswd"),
        {},
        404,
        "Invalid Request - No Such Route",
    ),
    ("template: backslash", "GET", v1(f"SMS/{PHONE}/AUTOGEN/..%5Cwin.ini"), {}, 400, INVALID_TEMPLATE),
    ("template: NUL byte", "GET", v1(f"SMS/{PHONE}/AUTOGEN2/OTP1%00"), {}, 400, INVALID_TEMPLATE),
    ("template: semicolon", "GET", v1(f"SMS/{PHONE}/AUTOGEN3/OTP1;DROP"), {}, 400, INVALID_TEMPLATE),
    ("template: 65 characters", "GET", v1(f"SMS/{PHONE}/AUTOGEN/{'A' * 65}"), {}, 400, INVALID_TEMPLATE),
    ("template: SQL quote", "GET", v1(f"SMS/{PHONE}/12345/x'%20OR%20'1'='1"), {}, 400, INVALID_TEMPLATE),
    ("template: unicode", "GET", v1(f"SMS/{PHONE}/AUTOGEN/ＯＴＰ１"), {}, 400, INVALID_TEMPLATE),
    ("sandbox template: dot dot", "GET", v1("SMS/+919920123456/AUTOGEND/%2e%2e"), {}, 200, INVALID_TEMPLATE),
    # ---- unknown routes and methods
    ("unknown V1 route", "GET", v1(f"SMS/{PHONE}/AUTOGEN/OTP1/extra"), {}, 404, "Invalid Request - No Such Route"),
    ("unknown route", "GET", "/admin", {}, 404, "Invalid Request - No Such Route"),
    ("trailing slash", "GET", v1(f"SMS/{PHONE}/AUTOGEN/"), {}, 404, "Invalid Request - No Such Route"),
    ("DELETE on V1", "DELETE", v1(f"SMS/{PHONE}/AUTOGEN"), {}, 405, "HTTP DELETE is not supported on this endpoint"),
    ("PUT on ENC", "PUT", "/API/R1", {}, 405, "HTTP PUT is not supported on this endpoint"),
    ("GET on bulk", "GET", "/API/R1/Bulk/", {}, 405, None),
    ("unknown control route", "GET", "/_emulator/nothing", {}, 404, None),
    ("control: bad limit", "GET", "/_emulator/messages?limit=-1", {}, 400, None),
    ("control: advance by a string", "POST", "/_emulator/clock/advance", {"json": {"seconds": "10"}}, 400, None),
    ("control: advance backwards", "POST", "/_emulator/clock/advance", {"json": {"seconds": -5}}, 400, None),
    ("control: wait for NaN seconds", "GET", f"/_emulator/messages/wait?phone={PHONE[1:]}&timeout=nan", {}, 400, None),
]


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "details"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_hostile_input(
    client: httpx.AsyncClient, method: str, url: str, kwargs: dict[str, Any], status: int, details: str | None
) -> None:
    reply = await client.request(method, url, **kwargs)
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == "application/json"
    body = reply.json()
    if url.startswith("/_emulator"):
        assert set(body) == {"error"} and body["error"]
    elif url.startswith("/API/R1/Bulk"):
        assert body["success"] is False
        assert {"requestId", "error", "errorType", "details", "timestamp"} <= set(body) and body["details"]
    else:
        assert body == status_body_error(details or "")
    messages = (await client.get("/_emulator/messages")).json()["messages"]
    assert messages == [], "bad input must store nothing"
