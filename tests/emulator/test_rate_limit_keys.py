"""The rate limit's account key: only a known account is counted, under its API key whichever credential
named it (a made-up key gets no bucket of its own), and the counts of one window are bounded."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from twofactor_emulator.core import faults
from twofactor_emulator.core.config import parse_config
from twofactor_emulator.core.service import Service
from twofactor_emulator.core.store import Store
from twofactor_emulator.providers.twofactor.ratelimit import account_key

from .conftest import CONFIG, PHONE


def key_of(
    service: Service, path: str, query: bytes = b"", headers: tuple[tuple[bytes, bytes], ...] = (), method: str = "GET"
) -> str | None:
    scope = {"type": "http", "method": method, "path": path, "query_string": query, "headers": list(headers)}

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    key, _ = asyncio.run(account_key(service)(scope, receive))
    return key


def test_only_known_accounts_are_counted_under_their_api_key(tmp_path: Path) -> None:
    service = Service(Store(str(tmp_path / "rate.sqlite3")), parse_config(CONFIG))
    account = service.accounts[0]
    assert key_of(service, f"/API/V1/{account.api_key}/SMS/{PHONE}/AUTOGEN") == account.api_key
    assert key_of(service, "/API/R1/", b"apikey=" + account.api_key.encode()) == account.api_key
    header = ((b"secret-key", account.secret_key.encode()),)
    assert key_of(service, "/API/R1/Encrypted", headers=header, method="POST") == account.api_key
    wrong = ((b"secret-key", b"0" * 32),)
    assert key_of(service, "/API/R1/Encrypted", headers=wrong, method="POST") is None
    made_up = "00000000-0000-4000-8000-000000000000"
    assert key_of(service, f"/API/V1/{made_up}/SMS/{PHONE}/AUTOGEN") is None
    assert key_of(service, "/API/R1/", b"apikey=anything") is None


def test_a_window_counts_a_bounded_number_of_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faults, "MAX_RATE_KEYS", 5)
    limiter = faults.RateLimiter(1)
    for n in range(50):
        limiter.allow(f"key-{n}")
    assert len(limiter._counts) <= 5
