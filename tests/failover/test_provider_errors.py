"""Each provider client's answers, read as failover decisions by its adapter.

The replies are the ones the providers' documents define (openapi/tata-smart2fa.yaml,
openapi/datatechlabs-sms.yaml), fed to the real clients through an httpx MockTransport: what is
tested is the adapters' reading of each answer, not the network. The end-to-end runs against the
emulator are in test_faults.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from otp_gateway import Delivery, FailureKind, SendFailed, VerifyOutcome, VerifyUnavailable
from otp_gateway._sync.datatechlabs import DatatechlabsSms
from otp_gateway._sync.tata import TataOtp

Reply = Callable[[httpx.Request], httpx.Response]
PHONE = "+919812345670"


def _json(status: int, body: dict[str, object], headers: dict[str, str] | None = None) -> Reply:
    return lambda request: httpx.Response(status, json=body, headers=headers)


def _raise(error: type[httpx.RequestError]) -> Reply:
    def reply(request: httpx.Request) -> httpx.Response:
        raise error("injected", request=request)

    return reply


def _tata(reply: Reply) -> TataOtp:
    return TataOtp(
        "AC0123456789abcdef",
        "token-0123456789",
        base_url="http://tata.test",
        service="Login",
        sender="+919876500000",
        transport=httpx.MockTransport(reply),
    )


def _dtl(reply: Reply) -> DatatechlabsSms:
    return DatatechlabsSms(
        "user", "password-0123", base_url="http://dtl.test", sender="ACME", transport=httpx.MockTransport(reply)
    )


@pytest.mark.parametrize(
    ("reply", "kind", "counts"),
    [
        (
            _json(404, {"code": 453, "message": "Too many OTP request to same destination Number"}),
            "rate_limited",
            False,
        ),
        (_json(429, {"code": 496, "message": "Limit exceeded: limit_on_phone"}), "rate_limited", False),
        (_json(429, {"code": 429, "message": "Rate limit exceeded"}, {"Retry-After": "1"}), "rate_limited", True),
        (_json(401, {"code": 401, "message": "Authentication failed"}), "credentials", True),
        (_json(503, {"code": 503, "message": "Service Unavailable"}), "unavailable", True),
        (_json(409, {"code": 495, "message": "Invalid Limit Name: x"}), "refused", True),
        (lambda request: httpx.Response(200, text="<html>proxy</html>"), "ambiguous", True),
        (_raise(httpx.ConnectError), "unavailable", True),
        (_raise(httpx.ReadTimeout), "ambiguous", True),
    ],
)
def test_tata_send_failures(reply: Reply, kind: str, counts: bool) -> None:
    with pytest.raises(SendFailed) as caught:
        _tata(reply).send_otp(PHONE, length=6, ttl=300)
    assert (caught.value.kind, caught.value.counts) == (FailureKind(kind), counts)
    assert "token-0123456789" not in caught.value.reason


def test_tata_send_asks_for_the_gateway_length_and_lifetime() -> None:
    seen: list[dict[str, object]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(
            200, json={"code": 200, "message": "OK", "requestID": "OTP99d0418681c7dfcb9586a5d69787a77"}
        )

    assert _tata(reply).send_otp(PHONE, length=8, ttl=120) == "OTP99d0418681c7dfcb9586a5d69787a77"
    assert (seen[0]["to"], seen[0]["length"], seen[0]["timeout"], seen[0]["service"]) == (PHONE, 8, 120, "Login")
    assert "{code}" in str(seen[0]["body"])


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (200, 200, VerifyOutcome.MATCHED),
        (400, 460, VerifyOutcome.MISMATCH),
        (410, 462, VerifyOutcome.EXPIRED),
        (409, 463, VerifyOutcome.USED),
        (409, 464, VerifyOutcome.UNKNOWN),
        (409, 465, VerifyOutcome.LOCKED),
        (404, 461, VerifyOutcome.UNKNOWN),
    ],
)
def test_tata_verify_outcomes(status: int, code: int, outcome: VerifyOutcome) -> None:
    seen: list[dict[str, object]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        body: dict[str, object] = {"code": code, "message": "x"}
        if status == 200:
            body.update(message="OK", requestID="OTP99d0418681c7dfcb9586a5d69787a77")
        return httpx.Response(status, json=body)

    delivery = Delivery("tata", "OTP99d0418681c7dfcb9586a5d69787a77", False, 0.0)
    assert _tata(reply).verify_otp(delivery, PHONE, "123456") is outcome
    assert seen[0]["requestID"] == "OTP99d0418681c7dfcb9586a5d69787a77" and seen[0]["number"] == PHONE


def test_tata_verify_after_an_ambiguous_send_goes_by_number() -> None:
    seen: list[dict[str, object]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(
            200, json={"code": 200, "message": "OK", "requestID": "OTP99d0418681c7dfcb9586a5d69787a77"}
        )

    assert _tata(reply).verify_otp(Delivery("tata", None, False, 0.0, True), PHONE, "123456") is VerifyOutcome.MATCHED
    assert "requestID" not in seen[0] and seen[0]["number"] == PHONE


def test_tata_verify_unreachable() -> None:
    with pytest.raises(VerifyUnavailable) as caught:
        _tata(_raise(httpx.ConnectError)).verify_otp(
            Delivery("tata", "OTP99d0418681c7dfcb9586a5d69787a77", False, 0.0), PHONE, "123456"
        )
    assert caught.value.may_have_arrived is False


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (_json(403, {"status": "Error", "message": "Insufficient balance"}), "no_credits"),
        (_json(401, {"status": "Error", "message": "Authentication failed"}), "credentials"),
        (_json(429, {"status": "Error", "message": "Rate limit exceeded"}), "rate_limited"),
        (_json(500, {"status": "Error", "message": "Internal error"}), "unavailable"),
        (_json(400, {"status": "Error", "message": "Argument from has an invalid value"}), "refused"),
        (_raise(httpx.ConnectError), "unavailable"),
        (_raise(httpx.ReadTimeout), "ambiguous"),
    ],
)
def test_datatechlabs_send_failures(reply: Reply, kind: str) -> None:
    with pytest.raises(SendFailed) as caught:
        _dtl(reply).send_sms(PHONE, "Your verification code is 123456")
    assert caught.value.kind is FailureKind(kind)
    assert "password-0123" not in caught.value.reason


def test_datatechlabs_send_returns_the_message_id() -> None:
    reply = _json(
        200,
        {"status": "Success", "messageId": "030d10b8-a149-4b7e-8ed8-8e8cdb3a11e9", "segments": 1, "encoding": "GSM-7"},
    )
    assert _dtl(reply).send_sms(PHONE, "Your verification code is 123456") == "030d10b8-a149-4b7e-8ed8-8e8cdb3a11e9"


def test_datatechlabs_doctor_says_it_cannot_check_without_sending() -> None:
    health = _dtl(_raise(httpx.ConnectError)).check_credentials()
    assert health.ok is None and "no harmless call" in health.details
