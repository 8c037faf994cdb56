"""Fixtures of the client tests: one real emulator process per session, and a driver that runs the
same test body against `TwoFactor` and `AsyncTwoFactor`."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from twofactor import AsyncTwoFactor, RetryPolicy, TwoFactor
from twofactor_emulator.testing import EmulatorHandle, running_emulator

API_KEY = "c11e0000-0000-4000-8000-00000000c11e"
SECRET_KEY = "client-tests-secret-0123456789ab"
PHONE = "+919999999999"
OTHER_PHONE = "+918888888888"
SANDBOX_PHONE = "+919920123456"  # sandbox mode is on for this number only
TEMPLATE = "LOGIN"
SANDBOX_API_KEY = "c11e0000-0000-4000-8000-0000000sandb"  # an account wholly in sandbox mode
LOW_CREDIT_API_KEY = "c11e0000-0000-4000-8000-00000000low3"  # an account with 3 credits

CONFIG: dict[str, Any] = {
    "accounts": [
        {
            "api_key": API_KEY,
            "secret_key": SECRET_KEY,
            "sandbox": [SANDBOX_PHONE],
            "otp_templates": {TEMPLATE: "Your login code is {otp}"},
            "credits": 1_000_000,
        },
        {"api_key": SANDBOX_API_KEY, "secret_key": "sandbox-secret-0123456789abcdef0", "sandbox": True},
        {"api_key": LOW_CREDIT_API_KEY, "secret_key": "low-credit-secret-0123456789abcd", "credits": 3},
    ]
}

# Retries wait no time in tests (the policy is what is tested, not the clock).
FAST_RETRIES = RetryPolicy(max_retries=2, sleep=lambda _seconds: None)


@pytest.fixture(scope="session")
def emulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    """The emulator on a real socket and a real SQLite file, for the whole session."""
    db = tmp_path_factory.mktemp("emulator") / "emulator.sqlite3"
    with running_emulator(db=db, config=CONFIG) as handle:
        yield handle


@pytest.fixture
def emulator(emulator_process: EmulatorHandle) -> EmulatorHandle:
    """The session's emulator with an empty outbox and no OTP sessions."""
    emulator_process.reset()
    return emulator_process


class Driver:
    """Calls a client's methods and awaits the result when the client is async, so one test body
    covers both clients. `driver.otp.send(...)` is `client.otp.send(...)`, awaited if need be."""

    def __init__(self, target: Any, runner: asyncio.Runner | None) -> None:
        self._target = target
        self._runner = runner

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if callable(value):

            def call(*args: Any, **kwargs: Any) -> Any:
                result = value(*args, **kwargs)
                if inspect.isawaitable(result):
                    assert self._runner is not None
                    return self._runner.run(_awaited(result))
                return result

            return call
        return Driver(value, self._runner)


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


@pytest.fixture(params=["sync", "async"])
def tf(request: pytest.FixtureRequest, emulator: EmulatorHandle) -> Iterator[Driver]:
    """A client of the emulator, sync or async."""
    options: dict[str, Any] = {"secret_key": SECRET_KEY, "base_url": emulator.base_url, "retry": FAST_RETRIES}
    if request.param == "sync":
        with TwoFactor(API_KEY, **options) as client:
            yield Driver(client, None)
        return
    with asyncio.Runner() as runner:
        async_client = AsyncTwoFactor(API_KEY, **options)
        yield Driver(async_client, runner)
        runner.run(async_client.aclose())
