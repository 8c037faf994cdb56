"""Faults and the rate limit, on a real socket: error bursts per operation, dropped connections,
"process then drop", latency rules, HTTP 429 per account past the limit, sandbox exempt."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import httpx
import pytest
from twofactor_emulator.core.faults import INJECTED
from twofactor_emulator.testing import EmulatorHandle, running_emulator

pytestmark = pytest.mark.slow
PHONE = "+919876543210"


def faults(emulator: EmulatorHandle, body: dict[str, Any]) -> dict[str, Any]:
    reply = emulator.client.put("/_emulator/faults", json=body)
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


def autogen(emulator: EmulatorHandle, api_key: str | None = None) -> httpx.Response:
    return emulator.client.get(f"/API/V1/{api_key or emulator.api_key}/SMS/{PHONE}/AUTOGEN")


def test_an_error_burst_hits_only_its_operation_and_only_count_times(emulator: EmulatorHandle) -> None:
    faults(emulator, {"rules": [{"kind": "error", "operation": "sendOtpAutogen", "status": 503, "count": 2}]})
    for _ in range(2):
        reply = autogen(emulator)
        assert (reply.status_code, reply.json()) == (503, {"Status": "Error", "Details": INJECTED})
    assert emulator.messages() == []  # an injected error does nothing
    assert emulator.client.get(f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN2").status_code == 200
    assert autogen(emulator).status_code == 200  # the burst is over
    assert emulator.client.get("/_emulator/faults").json()["rules"][0]["fired"] == 2


def test_a_2factor_error_in_the_bulk_shape(emulator: EmulatorHandle) -> None:
    faults(emulator, {"rules": [{"kind": "error", "operation": "sendBulkSms", "status": 400, "details": "Busy"}]})
    reply = emulator.client.post("/API/R1/Bulk/", json={"module": "TRANS_SMS", "apikey": emulator.api_key})
    assert reply.status_code == 400 and reply.json()["success"] is False and reply.json()["error"] == "Busy"


def test_drop_resets_the_connection_and_does_nothing(emulator: EmulatorHandle) -> None:
    faults(emulator, {"rules": [{"kind": "drop", "operation": "sendOtpAutogen", "count": 1}]})
    with pytest.raises(httpx.TransportError):
        autogen(emulator)
    assert emulator.messages() == []
    assert autogen(emulator).status_code == 200


def test_drop_after_processing_commits_the_send_but_never_answers(emulator: EmulatorHandle) -> None:
    faults(emulator, {"rules": [{"kind": "dropAfter", "count": 1}]})
    with pytest.raises(httpx.TransportError):
        autogen(emulator)
    [message] = emulator.messages(PHONE)  # the OTP went out although the caller saw no reply
    assert message["otp"] == emulator.latest_otp(PHONE)


def test_a_latency_rule_fires_and_the_request_still_succeeds(emulator: EmulatorHandle) -> None:
    faults(emulator, {"rules": [{"kind": "latency", "latencyMs": 10, "latencyMaxMs": 30}], "seed": 7})
    assert autogen(emulator).status_code == 200
    assert emulator.client.get("/_emulator/faults").json()["rules"][0]["fired"] == 1
    faults(emulator, {})
    assert emulator.client.get("/_emulator/faults").json() == {"rules": [], "rateLimit": None, "seed": None}


def test_probability_zero_never_fires(emulator: EmulatorHandle) -> None:
    faults(emulator, {"rules": [{"kind": "error", "probability": 0}]})
    assert all(autogen(emulator).status_code == 200 for _ in range(20))


def test_the_rate_limit_answers_429_per_account_and_spares_the_sandbox() -> None:
    def account(sandbox: bool) -> dict[str, Any]:
        return {"api_key": str(uuid.uuid4()), "secret_key": secrets.token_hex(16), "sandbox": sandbox, "credits": 10**6}

    production, sandbox = account(False), account(True)
    with running_emulator(config={"accounts": [production, sandbox]}) as emulator:
        assert faults(emulator, {"rateLimit": {}})["rateLimit"] == {"requestsPerSecond": 200}  # the default tier
        faults(emulator, {"rateLimit": {"requestsPerSecond": 3}})
        replies = [autogen(emulator) for _ in range(40)]
        assert [r.status_code for r in replies[:3]] == [200, 200, 200]  # the first `limit` always pass
        limited = [r for r in replies if r.status_code == 429]
        # The document's RateLimited response: its text (with the limit in force) and a Retry-After header.
        assert limited and limited[0].json() == {
            "Status": "Error",
            "Details": "Rate Limit Exceeded - 3 Requests Per Second",
        }
        assert limited[0].headers["Retry-After"] == "1"
        # Keys in bodies count too: the bulk route's JSON, in the bulk error shape.
        bulk = {
            "module": "TRANS_SMS",
            "apikey": emulator.api_key,
            "messages": [{"smsFrom": "TFACTR", "smsTo": PHONE, "smsText": "hi"}],
        }
        bulk_replies = [emulator.client.post("/API/R1/Bulk/", json=bulk) for _ in range(40)]
        assert any(
            r.status_code == 429 and r.json()["error"] == "Rate Limit Exceeded - 3 Requests Per Second"
            for r in bulk_replies
        )
        assert all(r.status_code in (200, 429) for r in bulk_replies)  # the replayed body still parses
        sandbox_replies = [emulator.client.get(f"/API/V1/{sandbox['api_key']}/SMS/{PHONE}/AUTOGEND") for _ in range(40)]
        assert {r.status_code for r in sandbox_replies} == {200}
        assert all(emulator.client.get("/_emulator/health").status_code == 200 for _ in range(20))


@pytest.mark.parametrize(
    "body",
    [
        {"rules": [{"kind": "explode"}]},
        {"rules": [{"kind": "error", "operation": "noSuchOperation"}]},
        {"rules": [{"kind": "error", "operation": ["sendOtpAutogen"]}]},  # unhashable: was a 500 (contract run)
        {"rules": [{"kind": "error", "operation": {"id": "sendOtpAutogen"}}]},
        {"rules": [{"kind": ["error"]}]},
        {"rules": [{"kind": "error", "status": 200}]},
        {"rules": [{"kind": "latency", "latencyMs": 50, "latencyMaxMs": 10}]},
        {"rules": [{"kind": "error", "probability": 2}]},
        {"rateLimit": {"requestsPerSecond": 0}},
        {"rules": "all"},
    ],
)
def test_bad_fault_settings_are_refused_and_change_nothing(emulator: EmulatorHandle, body: dict[str, Any]) -> None:
    faults(emulator, {"rules": [{"kind": "latency"}]})
    before = emulator.client.get("/_emulator/faults").json()
    reply = emulator.client.put("/_emulator/faults", json=body)
    assert reply.status_code == 400 and reply.json()["error"]
    assert emulator.client.get("/_emulator/faults").json() == before
