"""A real Tata Smart 2FA emulator on a socket (uvicorn on a thread, shared by the module's tests,
reset before each test) and a Basic-auth client of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from twofactor_emulator.testing import ThreadEmulator

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "tata-token-0123456789"
SUB_SID = "ACfedcba9876543210fedcba9876543210"
OTHER_SID = "AC11111111111111111111111111111111"
OTHER_TOKEN = "other-token-0123456789"
PHONE = "+919999999999"
SENDER = "+919876500000"
CONFIG: dict[str, Any] = {
    "accounts": [{"api_key": "8f2c3c1e-0000-4000-8000-00000000aaaa", "secret_key": "0123456789abcdef0123456789abcdef"}],
    "tata": {
        "accounts": [
            {"account_sid": SID, "auth_token": TOKEN, "sub_accounts": [SUB_SID]},
            {"account_sid": OTHER_SID, "auth_token": OTHER_TOKEN, "max_attempts": 3},
        ]
    },
}


class Tata:
    """The emulator, a client with the first account's credentials, and control helpers."""

    def __init__(self, emulator: ThreadEmulator) -> None:
        self.emulator = emulator
        self.base_url = emulator.base_url
        self.http = httpx.Client(base_url=self.base_url, auth=(SID, TOKEN), timeout=30.0)
        self.control = emulator.client

    def send(self, to: str = PHONE, **fields: Any) -> httpx.Response:
        body: dict[str, Any] = {"service": "2FA", "from": SENDER, "to": to, "body": "Your code is {code}"}
        body.update(fields)
        return self.http.post("/2fa/send", json={k: v for k, v in body.items() if v is not None})

    def sent(self, to: str = PHONE, **fields: Any) -> str:
        response = self.send(to, **fields)
        assert response.status_code == 200, response.text
        rid: str = response.json()["requestID"]
        return rid

    def verify(self, code: str, number: str = PHONE, **fields: Any) -> httpx.Response:
        return self.http.post("/2fa/verify", json={"service": "2FA", "number": number, "code": code, **fields})

    def otp_of(self, rid: str) -> str:
        """The code of the OTP `rid`, read from the outbox (the emulator stores only its hash)."""
        for message in self.control.get("/_emulator/messages", params={"provider": "tata"}).json()["messages"]:
            if message["id"] == rid:
                otp: str = message["otp"]
                return otp
        raise LookupError(rid)

    def status(self, rid: str) -> str:
        response = self.http.get(f"/2fa/search/{rid}")
        assert response.status_code == 200, response.text
        status: str = response.json()["otp"]["status"]
        return status

    def advance(self, seconds: float) -> None:
        self.control.post("/_emulator/clock/advance", json={"seconds": seconds}).raise_for_status()


@pytest.fixture(scope="module")
def tata_emulator() -> Iterator[ThreadEmulator]:
    emulator = ThreadEmulator(CONFIG)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def tata(tata_emulator: ThreadEmulator) -> Iterator[Tata]:
    tata_emulator.reset()
    helper = Tata(tata_emulator)
    yield helper
    helper.http.close()


def error(response: httpx.Response) -> tuple[int, int, str]:
    """(HTTP status, sub error code, message) of an error reply."""
    body = response.json()
    return response.status_code, body["code"], body["message"]
