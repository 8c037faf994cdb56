"""A 5xx reply keeps the keep-alive connection usable: 200 requests on one client alternate replies
of 500 (a bug in a handler), 503 (a storage error, an injected fault) and normal ones, with no
transport error. (Starlette re-raised after its 500 reply and uvicorn then closed the connection
without `Connection: close`, so the client's next request failed.)"""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
import pytest

PHONE = "+919999999999"


def test_5xx_replies_keep_the_connection_usable(
    serve: Any, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with serve() as emulator:
        store = emulator.app.state.service.store

        def bug(*args: object, **kwargs: object) -> None:
            raise RuntimeError("a bug in a handler")

        def locked(*args: object, **kwargs: object) -> None:
            raise sqlite3.OperationalError("database is locked")

        store.messages = bug  # GET /_emulator/messages: 500
        store.latest_otp_message = locked  # GET /_emulator/otp: 503
        balance = f"/API/V1/{emulator.api_key}/BAL/SMS"
        with httpx.Client(base_url=emulator.base_url, timeout=10) as http:
            fault = {"rules": [{"kind": "error", "operation": "getOtpSmsBalance", "status": 503, "probability": 0.5}]}
            assert http.put("/_emulator/faults", json=fault).status_code == 200
            statuses: list[int] = []
            transport_errors: list[str] = []
            for n in range(200):
                path = ["/_emulator/messages", "/_emulator/health", f"/_emulator/otp?phone={PHONE}", balance][n % 4]
                try:
                    reply = http.get(path)
                except httpx.TransportError as exc:
                    transport_errors.append(f"{path}: {type(exc).__name__}")
                    continue
                statuses.append(reply.status_code)
                assert reply.headers.get("connection") != "close"
                reply.json()  # every reply, 5xx included, is JSON in its family's shape
        assert transport_errors == []
        assert statuses.count(500) == 50 and statuses.count(503) >= 50 and 200 in statuses
    ours = [r for r in caplog.records if r.name == "twofactor_emulator" and r.exc_info]
    assert len(ours) == 100, "one logged traceback per failed request"
    assert not [r for r in caplog.records if r.name.startswith("uvicorn")]
    assert "Exception in ASGI application" not in capfd.readouterr().err, "uvicorn logged a second traceback"
