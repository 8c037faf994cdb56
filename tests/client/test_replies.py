"""How the client reads replies the emulator does not produce: the docs' own bulk samples, a bulk
request refused as a whole in the middle of a split send, and bodies that are not 2Factor's."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from twofactor import (
    BulkValidationError,
    InvalidApiKey,
    MalformedReply,
    RetryPolicy,
    TwoFactor,
    TwoFactorError,
)
from twofactor.replies import bulk_chunk

NO_RETRIES = RetryPolicy(max_retries=0)


def _client(handler: Any) -> TwoFactor:
    return TwoFactor(
        "key-1234", base_url="http://2factor.test", retry=NO_RETRIES, transport=httpx.MockTransport(handler)
    )


def _messages(count: int) -> list[dict[str, str]]:
    return [{"sender": "TFACTR", "to": f"+9198{n:08d}", "text": f"m{n}"} for n in range(count)]


def test_the_docs_bulk_success_sample_without_messages() -> None:
    sample = {  # the docs' reply: no `messages` list
        "success": True,
        "requestId": "f4bda732",
        "messageCount": 2,
        "timestamp": "2024-12-16T10:59:17.311Z",
        "processingTime": 1224,
        "queueStats": {"success": True, "totalChunks": 1, "successfulChunks": 1, "failedChunks": 0},
    }
    reply = httpx.Response(200, json=sample)
    request_id, accepted, failed = bulk_chunk(reply, "sendBulkSms", (7, 9), ("+911", "+912"))
    assert (request_id, failed) == ("f4bda732", [])
    assert [(a.index, a.phone, a.message_id) for a in accepted] == [
        (7, "+911", "f4bda732-1"),
        (9, "+912", "f4bda732-2"),
    ]
    with pytest.raises(MalformedReply, match="without saying which"):
        bulk_chunk(httpx.Response(200, json={**sample, "messageCount": 1}), "sendBulkSms", (7, 9), ("+911", "+912"))


def test_a_request_refused_as_a_whole_fails_only_its_messages() -> None:
    bodies: list[dict[str, Any]] = []

    def server(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        if len(bodies) == 2:  # the second request of three
            return httpx.Response(
                400,
                json={
                    "success": False,
                    "requestId": "r2",
                    "error": "Validation failed",
                    "errorType": "ValidationError",
                    "details": [{"field": "messages[3].smsText", "error": "Too long"}],
                    "timestamp": "2024-12-16T10:59:17Z",
                },
            )
        statuses = [
            {"index": n, "smsTo": m["smsTo"], "status": "accepted", "messageId": f"r{len(bodies)}-{n + 1}"}
            for n, m in enumerate(body["messages"])
        ]
        return httpx.Response(
            200,
            json={
                "success": True,
                "requestId": f"r{len(bodies)}",
                "messageCount": len(statuses),
                "timestamp": "2024-12-16T10:59:17Z",
                "processingTime": 1,
                "queueStats": {"success": True, "totalChunks": 1, "successfulChunks": 1, "failedChunks": 0},
                "messages": statuses,
            },
        )

    with _client(server) as client:
        result = client.bulk.send(_messages(2500))
    assert [len(body["messages"]) for body in bodies] == [1000, 1000, 500]
    assert result.request_ids == ("r1", "r3")
    assert [item.index for item in result.failed] == list(range(1000, 2000))
    assert "messages[3].smsText: Too long" in result.failed[0].error
    assert len(result.accepted) == 1500 and result.accepted[-1].message_id == "r3-500"


def test_a_key_refused_mid_send_stops_the_rest_but_keeps_what_was_accepted() -> None:
    calls: list[int] = []

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        body = json.loads(request.content)
        if len(calls) == 2:
            return httpx.Response(
                400,
                json={
                    "success": False,
                    "requestId": "r2",
                    "error": "Validation failed",
                    "errorType": "ValidationError",
                    "details": [
                        {"field": "apikey", "error": "Invalid API Key Or TRANSACTIONAL_SMS Service Is Inactive"}
                    ],
                    "timestamp": "2024-12-16T10:59:17Z",
                },
            )
        return httpx.Response(
            200,
            json={
                "success": True,
                "requestId": "r1",
                "messageCount": len(body["messages"]),
                "timestamp": "2024-12-16T10:59:17Z",
                "processingTime": 1,
                "queueStats": {"success": True, "totalChunks": 1, "successfulChunks": 1, "failedChunks": 0},
            },
        )

    progress: list[tuple[int, int]] = []
    with _client(server) as client:
        result = client.bulk.send(_messages(2500), on_progress=lambda done, total: progress.append((done, total)))
    assert len(calls) == 2  # the third request was not sent
    assert len(result.accepted) == 1000 and len(result.failed) == 1500
    assert "Invalid API Key" in result.failed[0].error
    assert result.failed[-1].error.startswith("not sent: an earlier request failed with")
    assert progress[-1] == (2500, 2500)


def test_bulk_validation_error_carries_field_errors() -> None:
    body = {
        "success": False,
        "requestId": "r",
        "error": "Validation failed",
        "errorType": "ValidationError",
        "details": [{"error": "Failed to parse request body as JSON", "details": "Expected ','"}],
        "timestamp": "2024-12-16T10:59:17Z",
    }
    with pytest.raises(BulkValidationError) as caught:
        bulk_chunk(httpx.Response(400, json=body), "sendBulkSms", (0,), ("+91",))
    [field] = caught.value.field_errors
    assert (field.field, field.error, field.details) == (None, "Failed to parse request body as JSON", "Expected ','")


def test_an_invalid_key_stops_a_bulk_send() -> None:
    calls: list[int] = []

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(
            400,
            json={
                "success": False,
                "requestId": "r",
                "error": "Validation failed",
                "errorType": "ValidationError",
                "details": [{"field": "apikey", "error": "Invalid API Key Or TRANSACTIONAL_SMS Service Is Inactive"}],
                "timestamp": "2024-12-16T10:59:17Z",
            },
        )

    with _client(server) as client, pytest.raises(InvalidApiKey):
        client.bulk.send(_messages(2500))
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("status", "content", "error", "text"),
    [
        (200, b"<html>hello</html>", MalformedReply, "not a JSON object"),
        (200, b'{"Status": "Success"}', MalformedReply, "success schema"),
        (502, b"<html>Bad Gateway</html>", TwoFactorError, "HTTP 502 without a 2Factor reply"),
        (302, b"", MalformedReply, "not a JSON object"),
    ],
)
def test_replies_that_are_not_2factors(status: int, content: bytes, error: type[Exception], text: str) -> None:
    with _client(lambda request: httpx.Response(status, content=content)) as client, pytest.raises(error, match=text):
        client.otp.send("9999999999")


def test_autogen2_without_the_otp_is_malformed() -> None:
    reply = {"Status": "Success", "Details": "session-1"}  # AUTOGEN2 must carry OTP
    with _client(lambda request: httpx.Response(200, json=reply)) as client:
        assert client.otp.send("9999999999").otp is None  # AUTOGEN: no OTP expected
        with pytest.raises(MalformedReply, match="success schema"):
            client.otp.send("9999999999", return_otp=True)
