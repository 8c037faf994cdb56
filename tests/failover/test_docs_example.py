"""The web-app login of docs/failover.md, run as written against the emulator (a failing provider included)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
from otp_gateway import AsyncOtpGateway

from .conftest import API_KEY, APP_SECRET, OTP_SEND, PHONE, Emulator, GatewayFactory

DOC = Path(__file__).resolve().parents[2] / "docs" / "failover.md"


def _example() -> str:
    section = DOC.read_text(encoding="utf-8").split("## A web-app login", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None
    return found.group(1)


def test_the_documented_login_works(emulator: Emulator) -> None:
    namespace: dict[str, Any] = {"TWOFACTOR_KEY": API_KEY, "APP_SECRET": APP_SECRET}
    exec(compile(_example(), str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation's code
    # The same gateway, pointed at the emulator instead of production, with its first provider down.
    factory = GatewayFactory(emulator, "async", None)
    namespace["gateway"] = AsyncOtpGateway(
        [factory.provider("2factor"), factory.provider("2factor-sms")], secret=APP_SECRET
    )
    emulator.faults({"kind": "error", "status": 503, "operation": OTP_SEND})

    async def browse() -> None:
        transport = httpx.ASGITransport(app=namespace["app"])
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as browser:
            assert (await browser.post("/login/check", json={"code": "123456"})).status_code == 400
            assert (await browser.post("/login/send", json={"phone": PHONE})).json() == {"sent": True}
            code = emulator.code_in(emulator.messages(PHONE)[0])
            wrong = "000000" if code != "000000" else "111111"
            reply = await browser.post("/login/check", json={"code": wrong})
            assert reply.json() == {"ok": False, "send_again": False}
            assert (await browser.post("/login/check", json={"code": code})).json() == {"ok": True, "send_again": False}
            assert (await browser.post("/login/check", json={"code": code})).status_code == 400  # cookie gone
        await namespace["gateway"].aclose()

    asyncio.run(browse())
