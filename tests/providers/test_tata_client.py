"""The Tata Smart 2FA client against a scripted server on a real socket: the requests it builds,
how it reads every reply of the document, retries that never re-send, and the environment.

The emulator has no Smart 2FA routes yet; these tests check the client's side of the contract.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
import tata_smart2fa as t2
import yaml
from tata_smart2fa import AsyncSmart2fa, LimitBucket, Smart2fa

from tests.client.conftest import Driver

from .conftest import FAST_RETRIES, PHONE, SENDER, SERVICE, SID, TOKEN
from .scripted_server import Reply, ScriptedServer

DOCUMENT = yaml.safe_load((Path(__file__).parents[2] / "openapi" / "tata-smart2fa.yaml").read_text())
REQUEST_ID = "OTP99d0418681c7dfcb9586a5d69787a77"
SENT = Reply(200, {"code": 200, "message": "OK", "requestID": REQUEST_ID})
STATE_OK = Reply(200, {"code": 200, "message": "OK", "requestID": REQUEST_ID})
LIMIT_SID = "LMbace6be07558cec1faddac8a04804923"
STORED_LIMIT = {
    "limitSid": LIMIT_SID,
    "name": "limit_on_phone",
    "accountSid": "AC1f2aee21e9d2afba92635f38823d6485",
    "buckets": [{"name": "short", "max": 3, "interval": 600}],
    "dateCreated": "2026-12-01T10:00:00Z",
    "dateUpdated": "2026-12-01T10:00:00Z",
}
OTP = {
    "requestID": REQUEST_ID,
    "service": SERVICE,
    "channel": "sms",
    "to": PHONE,
    "from": SENDER,
    "status": "pending",
    "attempts": 0,
    "dateCreated": "2026-12-01T10:00:00Z",
    "dateExpires": "2026-12-01T10:05:00Z",
    "dateUpdated": "2026-12-01T10:00:00Z",
}


def test_send_then_verify_a_wrong_and_the_right_code(tata: Driver, server: ScriptedServer) -> None:
    server.expect("POST", "/2fa/send", SENT)
    server.expect("POST", "/2fa/verify", Reply(400, {"code": 460, "message": "Invalid code"}), STATE_OK)
    sent = tata.send_otp(PHONE, body="Your code is {code}", length=8, guard_time=30, limits={"limit_on_phone": PHONE})
    assert sent == t2.OtpSent(request_id=REQUEST_ID, service=SERVICE, to=PHONE, channel="sms")
    wrong = tata.verify(sent, "000000")
    right = tata.verify(sent, "12345678")
    assert (wrong.matched, right.matched, right.request_id) == (False, True, REQUEST_ID)

    send, *verifies = server.requests
    assert send.json() == {
        "service": SERVICE,
        "to": PHONE,
        "body": "Your code is {code}",
        "channel": "sms",
        "from": SENDER,
        "length": 8,
        "guardTime": 30,
        "limits": {"limit_on_phone": PHONE},
    }
    assert send.headers["Authorization"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert [v.json() for v in verifies] == [
        {"service": SERVICE, "number": PHONE, "code": code, "requestID": REQUEST_ID} for code in ("000000", "12345678")
    ]


def test_email_and_call_sends_carry_their_channel_fields(tata: Driver, server: ScriptedServer) -> None:
    server.expect("POST", "/2fa/send", SENT)
    tata.send_otp("user@example.com", channel="email", subject="Login", email_from="otp@example.com", body="{code}!")
    tata.send_otp(PHONE, channel="call", body="Code {code}", repeat=2, voice="woman", language="awspolly.en-IN")
    email, call = (seen.json() for seen in server.requests)
    assert email == {
        "service": SERVICE,
        "to": "user@example.com",
        "body": "{code}!",
        "channel": "email",
        "emailFrom": "otp@example.com",
        "subject": "Login",
    }
    assert call["channel"] == "call" and call["from"] == SENDER and call["repeat"] == 2 and call["voice"] == "woman"


def test_cancel_and_verify_by_destination(tata: Driver, server: ScriptedServer) -> None:
    server.expect("POST", "/2fa/cancel", STATE_OK)
    server.expect("POST", "/2fa/verify", STATE_OK)
    assert tata.cancel(PHONE) == REQUEST_ID
    assert tata.verify(PHONE, "123456", service="Other").matched
    assert [seen.json() for seen in server.requests] == [
        {"service": SERVICE, "number": PHONE},
        {"service": "Other", "number": PHONE, "code": "123456"},
    ]


def test_search_usage_and_limits_read_their_replies(tata: Driver, server: ScriptedServer) -> None:
    server.expect("GET", f"/2fa/search/{REQUEST_ID}", Reply(200, {"code": 200, "message": "OK", "otp": OTP}))
    page = {"code": 200, "message": "OK", "page": 0, "pageSize": 10, "total": 1, "otps": [OTP]}
    server.expect("GET", "/2fa/search", Reply(200, page))
    server.expect("POST", "/2fa/search", Reply(200, page))
    records = [{"category": "sms", "startDate": "2026-12-01", "endDate": "2026-12-31", "count": 12, "verified": 9}]
    usage = Reply(200, {"code": 200, "message": "OK", "records": records})
    server.expect("GET", "/2fa/usage/records/monthly", usage)
    server.expect("POST", "/2fa/usage/records", usage)
    server.expect("POST", "/2fa/limits", Reply(200, {"code": 200, "message": "OK", "limit": STORED_LIMIT}))
    server.expect("GET", "/2fa/limits", Reply(200, {"code": 200, "message": "OK", "limits": [STORED_LIMIT]}))
    server.expect("DELETE", f"/2fa/limits/{LIMIT_SID}", Reply(200, {"code": 200, "message": "OK"}))

    otp = tata.get_otp(REQUEST_ID)
    assert (otp.status, otp.to, otp.expires) == ("pending", PHONE, dt.datetime(2026, 12, 1, 10, 5, tzinfo=dt.UTC))
    assert tata.list_otps(page_size=10) == (1, [otp])
    since = dt.datetime(2026, 12, 1, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    assert tata.search_otps(to=PHONE, status="pending", since=since)[0] == 1
    (monthly,) = tata.usage(period="monthly")
    assert (monthly.category, monthly.start, monthly.count, monthly.verified) == ("sms", dt.date(2026, 12, 1), 12, 9)
    tata.usage(category="sms", start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31))
    limit = tata.create_limit("limit_on_phone", [LimitBucket("short", 3, 600)])
    assert limit.buckets == (LimitBucket("short", 3, 600),) and tata.list_limits() == [limit]
    assert tata.delete_limit(LIMIT_SID) is None

    by_path = {f"{seen.method} {seen.path}": seen for seen in server.requests}
    assert "GET /2fa/search?page=0&pageSize=10" in by_path
    assert by_path["POST /2fa/search"].json() == {
        "to": PHONE,
        "status": "pending",
        "startTime": "2026-12-01T10:00:00Z",
        "page": 0,
        "pageSize": 50,
    }
    assert by_path["POST /2fa/usage/records"].json() == {
        "category": "sms",
        "startDate": "2026-12-01",
        "endDate": "2026-12-31",
    }
    assert by_path["POST /2fa/limits"].json() == {
        "name": "limit_on_phone",
        "buckets": [{"name": "short", "max": 3, "interval": 600}],
    }
    assert SID not in repr(limit)  # the account SID is data, but kept out of reprs


# Every sub error code of the document, and the class the client raises for it.
EXPECTED_ERRORS: dict[int, type[t2.Smart2faError]] = {
    400: t2.InvalidInput,
    401: t2.InvalidCredentials,
    429: t2.RateLimited,
    453: t2.TooManyOtps,
    461: t2.OtpNotFound,
    462: t2.OtpExpired,
    463: t2.OtpAlreadyVerified,
    464: t2.OtpCanceled,
    465: t2.OtpLocked,
    495: t2.InvalidLimitName,
    496: t2.LimitExceeded,
    497: t2.LimitExists,
    498: t2.LimitNotFound,
}


def test_every_error_code_of_the_document_has_its_class() -> None:
    documented = {entry["code"] for entry in DOCUMENT["info"]["x-error-codes"]}
    assert documented - {460} == set(EXPECTED_ERRORS), "460 is verify's mismatch result, every other code an error"


@pytest.mark.parametrize(
    "entry", [e for e in DOCUMENT["info"]["x-error-codes"] if e["code"] != 460], ids=lambda e: str(e["code"])
)
def test_each_error_reply_raises_its_class(tata: Driver, server: ScriptedServer, entry: dict[str, Any]) -> None:
    message = entry["message"].split(" | ")[0].replace("<name>", "limit_on_ip").replace("<limitSid>", LIMIT_SID)
    # Retry-After 0 so a retried 429 costs nothing; the last reply repeats.
    server.expect(
        "POST",
        "/2fa/cancel",
        Reply(entry["httpStatus"], {"code": entry["code"], "message": message}, {"Retry-After": "0"}),
    )
    with pytest.raises(EXPECTED_ERRORS[entry["code"]]) as caught:
        tata.cancel(PHONE)
    error = caught.value
    assert (error.code, error.status_code, error.details, error.operation) == (
        entry["code"],
        entry["httpStatus"],
        message,
        "tataCancelOtp",
    )


def test_replies_outside_the_document(tata: Driver, server: ScriptedServer) -> None:
    server.expect("POST", "/2fa/cancel", Reply(502, b"<html>Bad gateway</html>"))
    with pytest.raises(t2.Smart2faError, match="HTTP 502 without a Smart 2FA error reply"):
        tata.cancel(PHONE)
    server.expect("POST", "/2fa/send", Reply(200, {"code": 200, "message": "OK", "requestID": "OTP-short"}))
    with pytest.raises(t2.MalformedReply, match="requestID"):
        tata.send_otp(PHONE)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"to": "user@example.com", "channel": "email", "email_from": "a@example.com"}, "subject"),
        ({"to": "user@example.com", "channel": "email", "subject": "s"}, "email_from"),
        ({"to": "user@example.com"}, "to: the sms channel"),
        ({"to": PHONE, "channel": "email", "subject": "s", "email_from": "a@example.com"}, "email address"),
        ({"to": PHONE, "length": 3}, "length"),
        ({"to": PHONE, "length": 11}, "length"),
        ({"to": PHONE, "body": "no placeholder"}, "body"),
        ({"to": PHONE, "channel": "fax"}, "channel"),
        ({"to": PHONE, "timeout": 10}, "timeout"),
        ({"to": PHONE, "limits": {"bad name!": "x"}}, "limits"),
        ({"to": PHONE, "service": ""}, "service"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    tata: Driver, server: ScriptedServer, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(t2.InvalidInput, match=match):
        tata.send_otp(**kwargs)
    assert server.requests == []


def test_bad_ids_and_codes_are_refused_before_any_request(tata: Driver, server: ScriptedServer) -> None:
    for call in (
        lambda: tata.get_otp("../limits"),
        lambda: tata.delete_limit("LM/../../2fa/send"),
        lambda: tata.verify(PHONE, "12ab56"),
        lambda: tata.usage(period="weekly"),
        lambda: tata.search_otps(since=dt.datetime(2026, 1, 1)),  # naive time
    ):
        with pytest.raises(t2.InvalidInput):
            call()
    assert server.requests == []


# ---------------------------------------------------------------------------- retries


@pytest.mark.parametrize("client_type", [Smart2fa, AsyncSmart2fa])
@pytest.mark.parametrize("operation", ["send", "verify", "cancel"])
def test_a_write_whose_reply_is_lost_is_not_sent_again(
    server: ScriptedServer, client_type: type[Any], operation: str
) -> None:
    """The server takes the request and holds its reply past the client's read timeout."""
    server.expect("POST", f"/2fa/{operation}", Reply(hold=True))
    client = client_type(
        SID, TOKEN, base_url=server.base_url, service=SERVICE, sender=SENDER, retry=FAST_RETRIES, timeout=0.3
    )
    calls = {
        "send": lambda: client.send_otp(PHONE),
        "verify": lambda: client.verify(PHONE, "123456"),
        "cancel": lambda: client.cancel(PHONE),
    }
    with pytest.raises(t2.Timeout, match="may have reached the server"):
        _run(client, calls[operation])
    assert len(server.requests) == 1


def test_a_read_is_retried_after_a_5xx_and_a_send_after_a_429(tata: Driver, server: ScriptedServer) -> None:
    server.expect(
        "GET", f"/2fa/search/{REQUEST_ID}", Reply(503, b"busy"), Reply(200, {"code": 200, "message": "OK", "otp": OTP})
    )
    server.expect(
        "POST", "/2fa/send", Reply(429, {"code": 429, "message": "Rate limit exceeded"}, {"Retry-After": "0"}), SENT
    )
    assert tata.get_otp(REQUEST_ID).request_id == REQUEST_ID
    assert tata.send_otp(PHONE).request_id == REQUEST_ID
    assert [seen.path for seen in server.requests] == [f"/2fa/search/{REQUEST_ID}"] * 2 + ["/2fa/send"] * 2


def test_a_send_refused_with_a_5xx_is_not_sent_again(tata: Driver, server: ScriptedServer) -> None:
    server.expect("POST", "/2fa/send", Reply(500, b"oops"))
    with pytest.raises(t2.Smart2faError):
        tata.send_otp(PHONE)
    assert len(server.requests) == 1


def _run(client: Any, call: Any) -> Any:
    import asyncio
    import inspect

    if isinstance(client, AsyncSmart2fa):

        async def main() -> Any:
            async with client:
                result = call()
                return await result if inspect.isawaitable(result) else result

        return asyncio.run(main())
    with client:
        return call()


# ---------------------------------------------------------------------------- secrets and environment


def test_no_secret_in_reprs_errors_or_logs(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TATA_SMART2FA_LOG", "debug")
    basic = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    server.expect("POST", "/2fa/send", Reply(401, {"code": 401, "message": f"Authentication failed for {SID}"}))
    texts: list[str] = []
    with caplog.at_level("DEBUG"):
        with Smart2fa(
            SID, TOKEN, base_url=server.base_url, service=SERVICE, sender=SENDER, retry=FAST_RETRIES
        ) as client:
            texts.append(repr(client))
            with pytest.raises(t2.InvalidCredentials) as refused:
                client.send_otp(PHONE)
            texts += [str(refused.value), repr(refused.value)]
        closed = Smart2fa(SID, TOKEN, base_url="http://127.0.0.1:9", service=SERVICE, retry=FAST_RETRIES)
        with closed, pytest.raises(t2.TransportError) as unreachable:
            closed.get_otp(REQUEST_ID)
        texts += [str(unreachable.value), repr(unreachable.value), caplog.text]
    assert "request POST" in caplog.text  # logging was on
    for text in texts:
        for secret in (SID, TOKEN, basic):
            assert secret not in text


def test_configuration_from_the_environment_and_arguments_win(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TATA_SMART2FA_SID", "ACenv")
    monkeypatch.setenv("TATA_SMART2FA_TOKEN", "env-token")
    monkeypatch.setenv("TATA_SMART2FA_BASE_URL", server.base_url)
    monkeypatch.setenv("TATA_SMART2FA_SERVICE", "EnvService")
    monkeypatch.setenv("TATA_SMART2FA_FROM", "ENVSND")
    server.expect("POST", "/2fa/send", SENT)
    with Smart2fa() as from_env:
        from_env.send_otp(PHONE)
    with Smart2fa(SID, TOKEN, service="ArgService", sender=SENDER) as from_args:
        from_args.send_otp(PHONE)
    env_send, arg_send = server.requests
    assert env_send.headers["Authorization"] == "Basic " + base64.b64encode(b"ACenv:env-token").decode()
    assert (env_send.json()["service"], env_send.json()["from"]) == ("EnvService", "ENVSND")
    assert arg_send.headers["Authorization"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert (arg_send.json()["service"], arg_send.json()["from"]) == ("ArgService", SENDER)


def test_missing_credentials_and_a_bad_base_url_are_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TATA_SMART2FA_SID", "TATA_SMART2FA_TOKEN", "TATA_SMART2FA_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(t2.InvalidCredentials, match="TATA_SMART2FA_SID"):
        Smart2fa()
    with pytest.raises(t2.InvalidCredentials, match="TATA_SMART2FA_TOKEN"):
        Smart2fa(SID)
    with pytest.raises(t2.InvalidInput, match="base_url"):
        Smart2fa(SID, TOKEN, base_url="ftp://example.com")
    assert repr(Smart2fa(SID, TOKEN)) == "Smart2fa(base_url='https://comms.tatacommunications.com')"
    with pytest.raises(t2.InvalidInput, match="service"):
        Smart2fa(SID, TOKEN, sender=SENDER).send_otp(PHONE)


def test_errors_share_the_common_roots() -> None:
    import sms_common

    assert issubclass(t2.Smart2faError, sms_common.ProviderError)
    assert issubclass(t2.TooManyOtps, sms_common.RateLimited) and issubclass(t2.Timeout, sms_common.Timeout)
    assert issubclass(t2.InvalidCredentials, sms_common.InvalidCredentials)
    assert issubclass(t2.OtpLocked, t2.OtpUnusable)
    httpx.Timeout(1.0)  # the timeout type the clients take
