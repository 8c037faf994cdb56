"""JSON nested 1,000 levels deep or more is a 400 in the route family's shape, with no traceback:
on bulk (with and without a rate limit), in the encrypted route's plaintext, and on every control
route that takes a body. (It was a 500 with two tracebacks, and with a rate limit set bulk answered
uvicorn's plain-text 500.)"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from twofactor_emulator.control.routes import ROUTES
from twofactor_emulator.providers.twofactor.envelope import seal

DEPTHS = [1_000, 5_000, 30_000]  # within the control API's 64 KiB and the encrypted route's 96 KiB
BULK_DEPTHS = [*DEPTHS, 1_000_000]  # 2 MB: parsed off the event loop
JSON_ROUTES = [(method, path) for _, method, path, _ in ROUTES if method in ("POST", "PUT")]


def nested(depth: int, key: str = "") -> bytes:
    """An object whose `key` holds `depth` nested lists (a bare nest without `key`)."""
    inner = b"[" * depth + b"]" * depth
    return b'{"' + key.encode() + b'": ' + inner + b"}" if key else inner


def test_every_json_taking_control_route_is_listed() -> None:
    assert len(JSON_ROUTES) == 6  # reset, clock/advance, delivery, webhooks, faults, retention


@pytest.mark.parametrize("rate_limited", [False, True], ids=["no-limit", "rate-limited"])
def test_deep_nesting_is_a_400_everywhere(
    serve: Any, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str], rate_limited: bool
) -> None:
    caplog.set_level(logging.WARNING)
    with serve() as emulator, httpx.Client(base_url=emulator.base_url, timeout=30) as http:
        if rate_limited:
            assert http.put("/_emulator/faults", json={"rateLimit": {"requestsPerSecond": 1000}}).status_code == 200
        json_type = {"Content-Type": "application/json"}
        for depth in BULK_DEPTHS:
            for body in (nested(depth), nested(depth, "messages"), nested(depth, "apikey")):
                bulk = http.post("/API/R1/Bulk/", content=body, headers=json_type)
                assert bulk.status_code == 400, bulk.text
                assert bulk.json()["success"] is False and bulk.json()["error"]
        for depth in DEPTHS:
            for mode in ("GCM", "CBC"):
                sealed = seal(nested(depth, "msg"), emulator.secret_key, mode)
                enc = http.post(
                    f"/API/R1?module=ENC&encmode={mode}", content=sealed, headers={"Secret-Key": emulator.secret_key}
                )
                assert (enc.status_code, enc.json()) == (400, {"Status": "Error", "Details": "Decryption failed"})
            for method, path in JSON_ROUTES:
                for body in (nested(depth), nested(depth, "seconds")):
                    reply = http.request(method, path, content=body, headers=json_type)
                    assert reply.status_code == 400, (path, reply.text)
                    assert set(reply.json()) == {"error"}
        assert http.get("/_emulator/messages").json()["messages"] == []
    assert [r.getMessage() for r in caplog.records] == []
    assert "Traceback" not in capfd.readouterr().err
