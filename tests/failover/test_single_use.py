"""No code is ever verified twice: many concurrent verifies of one ticket, through the gateway,
at a provider that checks its own code and against the gateway's SQLite store."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from otp_gateway import AsyncOtpGateway, OtpGateway, SqliteCodeStore, VerifyOutcome

from .conftest import APP_SECRET, PHONE, Emulator, GatewayFactory

CONCURRENT = 12


@pytest.mark.parametrize("provider", ["2factor", "2factor-sms"])
def test_threads_verifying_one_ticket_match_once(emulator: Emulator, tmp_path: Path, provider: str) -> None:
    factory = GatewayFactory(emulator, "sync", None)
    store = SqliteCodeStore(tmp_path / "codes.sqlite3")
    with OtpGateway([factory.provider(provider)], secret=APP_SECRET, store=store) as gateway:
        ticket = gateway.send(PHONE)
        code = emulator.code_in(emulator.messages(PHONE)[0])
        barrier = threading.Barrier(CONCURRENT)
        outcomes: list[VerifyOutcome] = []

        def verify() -> None:
            barrier.wait()
            outcomes.append(gateway.verify(ticket.token, code).outcome)

        threads = [threading.Thread(target=verify) for _ in range(CONCURRENT)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert outcomes.count(VerifyOutcome.MATCHED) == 1
    assert set(outcomes) == {VerifyOutcome.MATCHED, VerifyOutcome.USED}


@pytest.mark.parametrize("provider", ["2factor", "2factor-sms"])
def test_tasks_verifying_one_ticket_match_once(emulator: Emulator, tmp_path: Path, provider: str) -> None:
    factory = GatewayFactory(emulator, "async", None)
    store = SqliteCodeStore(tmp_path / "codes.sqlite3")

    async def run() -> list[VerifyOutcome]:
        async with AsyncOtpGateway([factory.provider(provider)], secret=APP_SECRET, store=store) as gateway:
            ticket = await gateway.send(PHONE)
            code = emulator.code_in(emulator.messages(PHONE)[0])
            results = await asyncio.gather(*(gateway.verify(ticket.token, code) for _ in range(CONCURRENT)))
            return [result.outcome for result in results]

    outcomes = asyncio.run(run())
    assert outcomes.count(VerifyOutcome.MATCHED) == 1
    assert set(outcomes) == {VerifyOutcome.MATCHED, VerifyOutcome.USED}


def test_two_gateways_on_one_store_share_single_use(
    emulator: Emulator, tmp_path: Path, gateways: GatewayFactory
) -> None:
    """Two app workers (two gateways, one SQLite file, one secret): a code matched on one is used on the other."""
    path = tmp_path / "codes.sqlite3"
    first = gateways("2factor-sms", store=SqliteCodeStore(path))
    second = gateways("2factor-sms", store=SqliteCodeStore(path))
    ticket = first.send(PHONE)
    code = emulator.code_in(emulator.messages(PHONE)[0])
    assert second.verify(ticket.token, code).matched
    assert first.verify(ticket.token, code).outcome is VerifyOutcome.USED
