"""Fixtures of the failover tests: ONE real emulator process on a real socket, its faults and clock
driven through the control API, and gateways (sync and async) over the providers it serves.

The providers: `2factor` (2Factor generates and checks the code, operation `sendOtpAutogen`),
`tata` (Tata Smart 2FA generates and checks it, `tataSendOtp`), `datatechlabs` (SMS only: the
gateway's code, `datatechlabsSendSms`), and `2factor-sms` (2Factor's R1 route carrying the
gateway's code, `sendSms`). A fault rule names one operation, so it takes down one provider alone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from otp_gateway import (
    AsyncDatatechlabsSms,
    AsyncOtpGateway,
    AsyncTataOtp,
    AsyncTwoFactorOtp,
    AsyncTwoFactorSms,
    DatatechlabsSms,
    FailoverPolicy,
    GatewayEvent,
    OtpGateway,
    TataOtp,
    TwoFactorOtp,
    TwoFactorSms,
)
from twofactor_emulator.testing import EmulatorHandle, running_emulator

from tests.client.conftest import Driver

API_KEY = "f0f0f0f0-0000-4000-8000-00000000fa11"
SMS_API_KEY = "f0f0f0f0-0000-4000-8000-0000000005m5"  # the R1 provider's own account
BROKE_API_KEY = "f0f0f0f0-0000-4000-8000-0000000br0ke"  # an account with no credits
APP_SECRET = "failover-tests-app-secret-0123456789"
SENDER = "ACMEIN"
PHONE = "+919812345670"
TATA_SID = "AC" + "fa11" * 8
TATA_TOKEN = "failover-tata-token-0123"
TATA_FROM = "+919876500000"
DTL_USER = "failover"
DTL_PASSWORD = "failover-dtl-password-0123"

CONFIG: dict[str, Any] = {
    "accounts": [
        {"api_key": API_KEY, "secret_key": "failover-secret-0123456789abcdef", "sandbox": False, "credits": 10**7},
        {"api_key": SMS_API_KEY, "secret_key": "failover-sms-secret-0123456789ab", "sandbox": False, "credits": 10**7},
        {"api_key": BROKE_API_KEY, "secret_key": "failover-broke-secret-0123456789", "sandbox": False, "credits": 0},
    ],
    "tata": {"accounts": [{"account_sid": TATA_SID, "auth_token": TATA_TOKEN}]},
    "datatechlabs": {"accounts": [{"username": DTL_USER, "password": DTL_PASSWORD, "credits": 10**7}]},
}

# Operations of openapi/twofactor.yaml that each stand-in provider uses: a fault rule on one
# takes that provider down alone.
OTP_SEND = "sendOtpAutogen"
SMS_SEND = "sendSms"
TATA_SEND = "tataSendOtp"
DTL_SEND = "datatechlabsSendSms"


class Emulator:
    """The control API, as these tests use it."""

    def __init__(self, handle: EmulatorHandle) -> None:
        self.handle = handle
        self.base_url = handle.base_url
        self.http = handle.client

    def faults(self, *rules: dict[str, Any]) -> None:
        """Replace every fault rule (none: all healthy)."""
        self.http.put("/_emulator/faults", json={"rules": list(rules)}).raise_for_status()

    def fired(self) -> list[int]:
        """How often each rule fired, in order."""
        reply = self.http.get("/_emulator/faults")
        reply.raise_for_status()
        return [rule["fired"] for rule in reply.json()["rules"]]

    def messages(self, phone: str) -> list[dict[str, Any]]:
        """The outbox's messages to `phone`, newest first."""
        return self.handle.messages(phone)

    def code_in(self, message: dict[str, Any]) -> str:
        """The code an SMS carries (its last word)."""
        return str(message["text"].split()[-1])

    def now(self) -> float:
        """The emulator's clock, as seconds since the epoch: the gateway's clock in these tests."""
        reply = self.http.get("/_emulator/clock")
        reply.raise_for_status()
        return dt.datetime.fromisoformat(reply.json()["now"].replace("Z", "+00:00")).timestamp()

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock (and so the gateway's) forward."""
        self.handle.advance_clock(seconds)


@pytest.fixture(scope="session")
def emulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    """One emulator process for every failover test, on a real socket and a real SQLite file."""
    db = tmp_path_factory.mktemp("failover") / "emulator.sqlite3"
    with running_emulator(db=db, config=CONFIG) as handle:
        yield handle


@pytest.fixture
def emulator(emulator_process: EmulatorHandle) -> Iterator[Emulator]:
    """The session's emulator, healthy and empty at the start of each test."""
    control = Emulator(emulator_process)
    control.faults()
    emulator_process.reset()
    yield control
    control.faults()


def dead_url() -> str:
    """An address where nothing listens: connections are refused (the request never leaves)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


SHORT_DEADLINE = httpx.Timeout(0.5, connect=0.5)  # "slow" in these tests is a 2 s fault latency


class GatewayFactory:
    """Builds a gateway, sync or async, over named stand-in providers; records its events."""

    def __init__(self, emulator: Emulator, flavour: str, runner: asyncio.Runner | None) -> None:
        self.emulator = emulator
        self.flavour = flavour
        self.runner = runner
        self.events: list[GatewayEvent] = []
        self._made: list[Any] = []

    def provider(self, stand_in: str, **options: Any) -> Any:
        """`2factor`, `tata`, `datatechlabs`, `2factor-sms`, `2factor-broke` (no credits) or
        `2factor-dead` (refused connections)."""
        sync = self.flavour == "sync"
        base_url = options.pop("base_url", self.emulator.base_url)
        label = options.pop("name", stand_in)  # a stand-in may play another provider's name
        if stand_in == "2factor":
            cls: Callable[..., Any] = TwoFactorOtp if sync else AsyncTwoFactorOtp
            return cls(API_KEY, name=label, base_url=base_url, **options)
        if stand_in == "2factor-sms":
            cls = TwoFactorSms if sync else AsyncTwoFactorSms
            return cls(SMS_API_KEY, sender=SENDER, name=label, base_url=base_url, **options)
        if stand_in == "2factor-broke":
            cls = TwoFactorSms if sync else AsyncTwoFactorSms
            return cls(BROKE_API_KEY, sender=SENDER, name=label, base_url=base_url, **options)
        if stand_in == "tata":
            cls = TataOtp if sync else AsyncTataOtp
            return cls(
                TATA_SID, TATA_TOKEN, service="Login", sender=TATA_FROM, name=label, base_url=base_url, **options
            )
        if stand_in == "datatechlabs":
            cls = DatatechlabsSms if sync else AsyncDatatechlabsSms
            return cls(DTL_USER, DTL_PASSWORD, sender=SENDER, name=label, base_url=base_url, **options)
        if stand_in == "2factor-dead":
            cls = TwoFactorOtp if sync else AsyncTwoFactorOtp
            return cls(API_KEY, name=label, base_url=dead_url(), **options)
        raise AssertionError(f"no stand-in provider {stand_in!r}")

    def __call__(self, *providers: Any, policy: FailoverPolicy | None = None, **options: Any) -> Driver:
        """A gateway over `providers` (names or adapters), on the emulator's clock."""
        adapters = [self.provider(p) if isinstance(p, str) else p for p in providers]
        options.setdefault("clock", self.emulator.now)
        callbacks = [self.events.append, *options.pop("on_event", [])]
        cls: Callable[..., Any] = OtpGateway if self.flavour == "sync" else AsyncOtpGateway
        gateway = cls(adapters, secret=APP_SECRET, policy=policy, on_event=callbacks, **options)
        self._made.append(gateway)
        return Driver(gateway, self.runner)

    def named(self, name: str) -> list[GatewayEvent]:
        """The events of one name, in order."""
        return [event for event in self.events if event.name == name]

    def close(self) -> None:
        for gateway in self._made:
            if self.runner is None:
                gateway.close()
            else:
                self.runner.run(gateway.aclose())


@pytest.fixture(params=["sync", "async"])
def gateways(request: pytest.FixtureRequest, emulator: Emulator) -> Iterator[GatewayFactory]:
    """Makes gateways of one flavour; every test using it runs once sync and once async."""
    if request.param == "sync":
        factory = GatewayFactory(emulator, "sync", None)
        yield factory
        factory.close()
        return
    with asyncio.Runner() as runner:
        factory = GatewayFactory(emulator, "async", runner)
        yield factory
        factory.close()
