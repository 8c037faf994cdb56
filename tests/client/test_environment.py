"""Configuration from the environment, as openai-python does: `TWOFACTOR_API_KEY`,
`TWOFACTOR_SECRET_KEY` and `TWOFACTOR_BASE_URL` fill in the arguments left out; explicit arguments
win; the repr and the debug log show the base URL in force and never a key."""

from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import pytest
from twofactor import (
    PRODUCTION_URL,
    AsyncTwoFactor,
    InvalidApiKey,
    InvalidInput,
    TransportError,
    TwoFactor,
    TwoFactorError,
)

ENV_KEY = "envkey-0000-4000-8000-00000000e1e1"
ENV_SECRET = "env-secret-key-0123456789abcdef0"
ARG_KEY = "argkey-0000-4000-8000-00000000a1a1"
OTP_REPLY = {"Status": "Success", "Details": "session-1"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own TWOFACTOR_* variables must not decide these tests."""
    for name in ("TWOFACTOR_API_KEY", "TWOFACTOR_SECRET_KEY", "TWOFACTOR_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


class Recorder:
    """A mock transport that answers every request with an OTP sent, and keeps the requests."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=OTP_REPLY)


def test_base_url_and_key_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_API_KEY", ENV_KEY)
    monkeypatch.setenv("TWOFACTOR_BASE_URL", "http://emulator.test:8787/")
    recorder = Recorder()
    with TwoFactor(transport=httpx.MockTransport(recorder)) as client:
        assert repr(client) == "TwoFactor(base_url='http://emulator.test:8787')"
        client.otp.send("+919999999999")
    (request,) = recorder.requests
    assert request.url.host == "emulator.test" and request.url.port == 8787
    assert f"/API/V1/{ENV_KEY}/SMS/" in request.url.path


def test_async_client_reads_the_same_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_API_KEY", ENV_KEY)
    monkeypatch.setenv("TWOFACTOR_BASE_URL", "http://emulator.test:8787")
    recorder = Recorder()

    async def send() -> None:
        async with AsyncTwoFactor(transport=httpx.MockTransport(recorder)) as client:
            assert repr(client) == "AsyncTwoFactor(base_url='http://emulator.test:8787')"
            await client.otp.send("+919999999999")

    asyncio.run(send())
    (request,) = recorder.requests
    assert request.url.host == "emulator.test" and ENV_KEY in request.url.path


def test_explicit_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_API_KEY", ENV_KEY)
    monkeypatch.setenv("TWOFACTOR_BASE_URL", "http://emulator.test:8787")
    recorder = Recorder()
    with TwoFactor(ARG_KEY, base_url="http://other.test", transport=httpx.MockTransport(recorder)) as client:
        client.otp.send("+919999999999")
    (request,) = recorder.requests
    assert request.url.host == "other.test" and ARG_KEY in request.url.path and ENV_KEY not in str(request.url)


def test_production_is_the_default_without_the_variable() -> None:
    with TwoFactor(ARG_KEY) as client:
        assert repr(client) == f"TwoFactor(base_url={PRODUCTION_URL!r})"


def test_a_blank_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_BASE_URL", "  ")
    with TwoFactor(ARG_KEY) as client:
        assert repr(client) == f"TwoFactor(base_url={PRODUCTION_URL!r})"


@pytest.mark.parametrize("client_class", [TwoFactor, AsyncTwoFactor])
def test_no_key_anywhere_names_the_variable(client_class: type[TwoFactor] | type[AsyncTwoFactor]) -> None:
    with pytest.raises(InvalidApiKey, match="TWOFACTOR_API_KEY"):
        client_class()


def test_a_bad_base_url_from_the_environment_says_where_it_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_BASE_URL", "127.0.0.1:8787")
    with pytest.raises(InvalidInput, match=r"\$TWOFACTOR_BASE_URL"):
        TwoFactor(ARG_KEY)


def test_secret_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_SECRET_KEY", ENV_SECRET)
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    client = TwoFactor(ARG_KEY, base_url="http://2factor.test", transport=httpx.MockTransport(server))
    with client, pytest.raises(TwoFactorError):  # an HTTP 500: what the reply says is not the point here
        client.encrypted.send("+919999999999", "ABCDEF", "hello")
    assert seen and seen[0].headers["Secret-Key"] == ENV_SECRET


def test_a_bad_secret_key_in_the_environment_names_the_variable_not_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_SECRET_KEY", "too-short-secret")
    with pytest.raises(InvalidInput, match=r"\$TWOFACTOR_SECRET_KEY") as caught:
        TwoFactor(ARG_KEY)
    assert "too-short-secret" not in str(caught.value)


def test_debug_log_names_the_base_url_and_its_source_never_the_key(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TWOFACTOR_API_KEY", ENV_KEY)
    monkeypatch.setenv("TWOFACTOR_SECRET_KEY", ENV_SECRET)
    monkeypatch.setenv("TWOFACTOR_BASE_URL", "http://emulator.test:8787")
    with caplog.at_level(logging.DEBUG, logger="twofactor"):
        TwoFactor().close()
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "http://emulator.test:8787" in text and "$TWOFACTOR_BASE_URL" in text
    assert ENV_KEY not in text and ENV_SECRET not in text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_names_the_url_and_the_fix() -> None:
    base_url = f"http://127.0.0.1:{_closed_port()}"
    with TwoFactor(ARG_KEY, base_url=base_url) as client, pytest.raises(TransportError) as caught:
        client.otp.send("+919999999999")
    message = str(caught.value)
    assert base_url in message and "is the emulator running?" in message and "twofactor-emulator" in message
    assert ARG_KEY not in message
