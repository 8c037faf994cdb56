"""Fixtures of the emulator tests: the app in-process over httpx's ASGI transport, on fresh state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from twofactor_emulator.testing import create_app

API_KEY = "8f2c3c1e-0000-4000-8000-000000000001"
SECRET_KEY = "0123456789abcdef0123456789abcdef"
SANDBOX_API_KEY = "8f2c3c1e-0000-4000-8000-00000000sand"
SANDBOX_SECRET_KEY = "sandbox-secret-0123456789abcdef0"
PHONE = "+919999999999"
OTHER_PHONE = "+918888888888"
SANDBOX_PHONE = "+919920123456"  # the docs' sandbox example number

# The first account is production with one sandbox number, the second a whole-sandbox account.
CONFIG: dict[str, Any] = {
    "accounts": [
        {"api_key": API_KEY, "secret_key": SECRET_KEY, "sandbox": [SANDBOX_PHONE]},
        {"api_key": SANDBOX_API_KEY, "secret_key": SANDBOX_SECRET_KEY, "sandbox": True},
    ]
}


def v1(path: str, api_key: str = API_KEY) -> str:
    """A V1 URL path for the account."""
    return f"/API/V1/{api_key}/{path}"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of a fresh in-memory emulator; an exception inside the app fails the test."""
    app = create_app(db=":memory:", config=CONFIG)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
        yield http


async def latest_otp(client: httpx.AsyncClient, phone: str) -> str:
    """The OTP the control API says was last sent to `phone`."""
    response = await client.get("/_emulator/otp", params={"phone": phone})
    assert response.status_code == 200, response.text
    otp: str = response.json()["otp"]
    return otp
