"""Hostile and malformed requests to Tata Smart 2FA's routes: wrong Basic auth, missing and unknown
fields, values that break the document's rules, oversized and non-JSON bodies. Each is a clear error
in the document's shape, and nothing is sent."""

from __future__ import annotations

import base64

import httpx
import pytest

from .conftest import PHONE, SID, TOKEN, Tata, error

EVERY_OPERATION = [
    ("POST", "/2fa/send"),
    ("POST", "/2fa/verify"),
    ("POST", "/2fa/cancel"),
    ("GET", "/2fa/search"),
    ("POST", "/2fa/search"),
    ("GET", "/2fa/search/OTP99d0418681c7dfcb9586a5d69787a77"),
    ("GET", "/2fa/usage/records"),
    ("POST", "/2fa/usage/records"),
    ("GET", "/2fa/usage/records/daily"),
    ("POST", "/2fa/limits"),
    ("GET", "/2fa/limits"),
    ("PUT", "/2fa/limits/LMbace6be07558cec1faddac8a04804923"),
    ("DELETE", "/2fa/limits/LMbace6be07558cec1faddac8a04804923"),
]
BAD_AUTH = [
    None,
    f"Basic {base64.b64encode(f'{SID}:wrong-token'.encode()).decode()}",
    "Basic " + base64.b64encode(("AC" + "0" * 32 + ":" + TOKEN).encode()).decode(),
    f"Basic {base64.b64encode(SID.encode()).decode()}",  # no colon
    "Basic !!!not-base64!!!",
    f"Bearer {TOKEN}",
    "Basic " + "A" * 5000,
]


@pytest.mark.parametrize(("method", "path"), EVERY_OPERATION)
@pytest.mark.parametrize("header", BAD_AUTH, ids=range(len(BAD_AUTH)))
def test_wrong_basic_auth_is_401_everywhere(tata: Tata, method: str, path: str, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = httpx.request(method, tata.base_url + path, headers=headers, json={})
    assert error(response) == (401, 401, "Authentication failed")
    assert response.headers["www-authenticate"] == 'Basic realm="Smart 2FA"'
    assert TOKEN not in response.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"from": "TATA", "to": PHONE, "body": "{code}"}, "Missing parameter: service"),
        ({"service": "2FA", "from": "TATA", "body": "{code}"}, "Missing parameter: to"),
        ({"service": "2FA", "from": "TATA", "to": PHONE}, "Missing parameter: body"),
        ({"service": "2FA", "to": PHONE, "body": "x {code}"}, "Missing parameter: from"),
        ({"service": "2FA", "from": "TATA", "to": PHONE, "body": "no placeholder"}, "Invalid parameter: body"),
        ({"service": "2FA", "from": "TATA", "to": PHONE, "body": "{code}!", "length": 3}, "Invalid parameter: length"),
        ({"service": "2FA", "from": "TATA", "to": PHONE, "body": "{code}!", "length": 11}, "Invalid parameter: length"),
        (
            {"service": "2FA", "from": "TATA", "to": PHONE, "body": "{code}!", "length": True},
            "Invalid parameter: length",
        ),
        (
            {"service": "2FA", "from": "TATA", "to": PHONE, "body": "{code}!", "timeout": 29},
            "Invalid parameter: timeout",
        ),
        (
            {"service": "2FA", "from": "TATA", "to": PHONE, "body": "{code}!", "guardtime": 5},
            "Unknown parameter: guardtime",
        ),
        (
            {"service": "2FA", "from": "TATA", "to": PHONE, "body": "{code}!", "channel": "fax"},
            "Invalid parameter: channel",
        ),
        ({"service": "2FA", "from": "TATA", "to": "user@example.com", "body": "{code}!"}, "Invalid parameter: to"),
        (
            {"service": "2FA", "channel": "email", "to": "u@example.com", "body": "{code}!", "emailFrom": "a@b.c"},
            "Missing parameter: subject",
        ),
        (
            {
                "service": "2FA",
                "channel": "email",
                "to": PHONE,
                "body": "{code}!",
                "emailFrom": "a@b.c",
                "subject": "s",
            },
            "Invalid parameter: to",
        ),
        ({"service": "2FA\n", "from": "TATA", "to": PHONE, "body": "{code}!"}, "Invalid parameter: service"),
        ({"service": "2FA", "from": "TATA", "to": PHONE, "body": "{code}!", "limits": {}}, "Invalid parameter: limits"),
        (
            {"service": "2FA", "from": "TATA", "to": PHONE, "body": "{code}!", "limits": {"a b": "x"}},
            "Invalid parameter: limits",
        ),
    ],
)
def test_send_field_rules(tata: Tata, body: dict[str, object], message: str) -> None:
    assert error(tata.http.post("/2fa/send", json=body)) == (400, 400, message)
    assert tata.control.get("/_emulator/messages").json()["messages"] == []


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe{}", b"[" * 100_000 + b"]" * 100_000, b" " * (64 * 1024 + 1)],
    ids=["empty", "text", "array", "string", "not-utf8", "deep", "oversized"],
)
@pytest.mark.parametrize("path", ["/2fa/send", "/2fa/verify", "/2fa/cancel", "/2fa/search", "/2fa/limits"])
def test_bodies_that_are_no_json_object(tata: Tata, content: bytes, path: str) -> None:
    response = tata.http.post(path, content=content, headers={"Content-Type": "application/json"})
    assert error(response) == (400, 400, "Invalid request body")


def test_verify_field_rules(tata: Tata) -> None:
    assert (
        error(tata.http.post("/2fa/verify", json={"service": "2FA", "number": PHONE}))[2] == "Missing parameter: code"
    )
    for code in ("123", "12345678901", "١٢٣٤٥٦", 123456):
        response = tata.http.post("/2fa/verify", json={"service": "2FA", "number": PHONE, "code": code})
        assert error(response)[2] == "Invalid parameter: code"
    response = tata.http.post("/2fa/verify", json={"service": "2FA", "number": PHONE, "code": "1234", "requestID": "x"})
    assert error(response)[2] == "Invalid parameter: requestID"


def test_unknown_paths_and_methods_answer_in_tata_shape(tata: Tata) -> None:
    assert error(tata.http.get("/2fa/nothing"))[:2] == (404, 404)
    response = tata.http.get("/2fa/send")
    assert error(response)[:2] == (405, 405) and response.headers["allow"] == "POST"
