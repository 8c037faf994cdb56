"""Fixtures of the provider client tests: a scripted server on a real socket, and each provider's
client, sync or async, driven by one test body (the `Driver` of the 2Factor client tests)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from datatechlabs import AsyncDatatechlabs, Datatechlabs
from sms_common.retries import RetryPolicy
from tata_smart2fa import AsyncSmart2fa, Smart2fa

from tests.client.conftest import Driver

from .scripted_server import ScriptedServer, scripted_server

# Sentinel credentials: tests look for them in every text the clients produce.
SID = "ACsentinel0sid0000000000000000000001"
TOKEN = "sentinel-token-9f8e7d6c5b4a"
USERNAME = "sentinel-user-3141"
PASSWORD = "sentinel-password-2718"
SECRETS = (SID, TOKEN, USERNAME, PASSWORD)

SERVICE = "2FA"
SENDER = "+919876500000"
PHONE = "+919999999999"

# Retries wait no time in tests (the policy is what is tested, not the clock).
FAST_RETRIES = RetryPolicy(max_retries=3, sleep=lambda _s: None, async_sleep=lambda _s: asyncio.sleep(0))


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with scripted_server() as running:
        yield running


def _driven(client_type: type[Any], async_type: type[Any], param: str, *args: Any, **options: Any) -> Iterator[Driver]:
    if param == "sync":
        with client_type(*args, **options) as client:
            yield Driver(client, None)
        return
    with asyncio.Runner() as runner:
        client = async_type(*args, **options)
        yield Driver(client, runner)
        runner.run(client.aclose())


@pytest.fixture(params=["sync", "async"])
def tata(request: pytest.FixtureRequest, server: ScriptedServer) -> Iterator[Driver]:
    """A Smart 2FA client of the scripted server, sync or async."""
    yield from _driven(
        Smart2fa,
        AsyncSmart2fa,
        request.param,
        SID,
        TOKEN,
        base_url=server.base_url,
        service=SERVICE,
        sender=SENDER,
        retry=FAST_RETRIES,
        timeout=2.0,
    )


@pytest.fixture(params=["sync", "async"])
def dtl(request: pytest.FixtureRequest, server: ScriptedServer) -> Iterator[Driver]:
    """A datatechlabs client of the scripted server, sync or async."""
    yield from _driven(
        Datatechlabs,
        AsyncDatatechlabs,
        request.param,
        USERNAME,
        PASSWORD,
        base_url=server.base_url,
        sender="DTLABS",
        retry=FAST_RETRIES,
        timeout=2.0,
    )
