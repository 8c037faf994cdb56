"""Fault test: a send whose reply is lost after the server acted on it is never sent again.

`stall_proxy.StallProxy` (a real local TCP proxy) delivers the request to the emulator, waits for the
emulator's whole reply, and then never answers the client, which times out reading. The client is
allowed 3 retries with no wait: if it repeated the send, the outbox would hold more than one message.
A balance query through the same proxy is retried (it is a safe read), which shows the proxy lets
retries through and that the difference is the client's policy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from twofactor import AsyncTwoFactor, RetryPolicy, Timeout, TwoFactor
from twofactor_emulator.testing import EmulatorHandle

from .conftest import API_KEY, PHONE, SECRET_KEY
from .stall_proxy import stall_proxy

RETRIES = RetryPolicy(max_retries=3, sleep=lambda _seconds: None, async_sleep=lambda _seconds: asyncio.sleep(0))
# Short read timeout so the test does not wait long for a reply that never comes; no assertion
# depends on it.
READ_TIMEOUT = httpx.Timeout(0.5, connect=5.0)

SENDS: dict[str, Callable[[Any], Any]] = {
    "otp.send": lambda client: client.otp.send(PHONE),
    "sms.send": lambda client: client.sms.send(PHONE, "HEADER", "shipped"),
    "bulk.send": lambda client: client.bulk.send([{"sender": "HEADER", "to": PHONE, "text": "bulk"}]),
    "encrypted.send": lambda client: client.encrypted.send(PHONE, "HEADER", "sealed"),
}


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_sync_send_is_not_repeated(emulator: EmulatorHandle, send: Callable[[Any], Any]) -> None:
    with stall_proxy(emulator.base_url) as proxy:
        client = TwoFactor(API_KEY, secret_key=SECRET_KEY, base_url=proxy.base_url, timeout=READ_TIMEOUT, retry=RETRIES)
        with client:
            if send is SENDS["bulk.send"]:
                # bulk reports a failed request as failed messages instead of raising
                result = send(client)
                assert "may have reached the server" in result.failed[0].error
            else:
                with pytest.raises(Timeout, match="may have reached the server"):
                    send(client)
        assert len(proxy.forwarded) == 1
    assert len(emulator.messages(phone=PHONE)) == 1


@pytest.mark.parametrize("send", [SENDS["otp.send"], SENDS["encrypted.send"]], ids=["otp.send", "encrypted.send"])
async def test_async_send_is_not_repeated(emulator: EmulatorHandle, send: Callable[[Any], Any]) -> None:
    with stall_proxy(emulator.base_url) as proxy:
        async with AsyncTwoFactor(
            API_KEY, secret_key=SECRET_KEY, base_url=proxy.base_url, timeout=READ_TIMEOUT, retry=RETRIES
        ) as client:
            with pytest.raises(Timeout):
                await send(client)
        assert len(proxy.forwarded) == 1
    assert len(emulator.messages(phone=PHONE)) == 1


def test_verify_is_not_repeated(emulator: EmulatorHandle) -> None:
    with TwoFactor(API_KEY, base_url=emulator.base_url) as direct:
        sent = direct.otp.send(PHONE)
    with stall_proxy(emulator.base_url) as proxy:
        client = TwoFactor(API_KEY, base_url=proxy.base_url, timeout=READ_TIMEOUT, retry=RETRIES)
        with client, pytest.raises(Timeout):
            client.otp.verify(sent.session_id, "000000")
        assert len(proxy.forwarded) == 1  # one attempt of the session's five was used, not four


def test_a_safe_read_is_retried_through_the_same_proxy(emulator: EmulatorHandle) -> None:
    with stall_proxy(emulator.base_url) as proxy:
        client = TwoFactor(API_KEY, base_url=proxy.base_url, timeout=READ_TIMEOUT, retry=RETRIES)
        with client, pytest.raises(Timeout):
            client.balance()
        assert len(proxy.forwarded) == 1 + RETRIES.max_retries
