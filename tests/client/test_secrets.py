"""The API key and the secret key never appear in reprs, exception texts, tracebacks, log records
(with TWOFACTOR_LOG=debug) or CLI output. Sentinel keys are used for real against an emulator that
knows them, and every text the client produced is scanned for them."""

from __future__ import annotations

import io
import logging
import socket
import traceback
from collections.abc import Iterator

import httpx
import pytest
from twofactor import AsyncTwoFactor, RetryPolicy, TwoFactor, TwoFactorError
from twofactor.cli import main as cli_main
from twofactor.redact import redact_url
from twofactor_emulator.testing import EmulatorHandle, running_emulator

from .stall_proxy import stall_proxy

SENTINEL_KEY = "SENTINEL-api-key-7f3a9c"
SENTINEL_SECRET = "SENTINEL-secret-0123456789abcdef"  # 32 characters
SENTINELS = (SENTINEL_KEY, SENTINEL_SECRET)
PHONE = "+919999999999"
NO_WAIT = RetryPolicy(max_retries=1, sleep=lambda _seconds: None)


@pytest.fixture(scope="module")
def sentinel_emulator() -> Iterator[EmulatorHandle]:
    config = {"accounts": [{"api_key": SENTINEL_KEY, "secret_key": SENTINEL_SECRET, "sandbox": False}]}
    with running_emulator(config=config) as handle:
        yield handle


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def log_records(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[logging.LogRecord]]:
    """Every record of every logger, at DEBUG, with the client's own logging switched on."""
    monkeypatch.setenv("TWOFACTOR_LOG", "debug")
    capture = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield capture.records
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _error_texts(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    for linked in (error.__cause__, error.__context__):
        if linked is not None:
            texts += _error_texts(linked)
    return texts


def _assert_clean(texts: list[str]) -> None:
    assert texts
    for text in texts:
        for sentinel in SENTINELS:
            assert sentinel not in text, f"a key leaked into: {text[:300]}"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_no_key_in_reprs_errors_tracebacks_or_logs(
    sentinel_emulator: EmulatorHandle, log_records: list[logging.LogRecord], capfd: pytest.CaptureFixture[str]
) -> None:
    texts: list[str] = []
    errors: list[TwoFactorError] = []
    base = sentinel_emulator.base_url
    with TwoFactor(SENTINEL_KEY, secret_key=SENTINEL_SECRET, base_url=base, retry=NO_WAIT) as client:
        texts += [repr(client), repr(client.otp), repr(client.encrypted), str(client._settings)]
        sent = client.otp.send(PHONE)
        client.otp.verify(sent.session_id, sentinel_emulator.latest_otp(PHONE))
        client.sms.send(PHONE, "HEADER", "hello")
        client.bulk.send([{"sender": "HEADER", "to": PHONE, "text": "bulk"}])
        client.encrypted.send(PHONE, "HEADER", "sealed")
        client.balance()
        for failing in (
            lambda: client.otp.verify("no-such-session", "123456"),  # SessionNotFound
            lambda: client.otp.send_sandbox(PHONE),  # sandbox mode is off: the root class
            lambda: client.otp.verify(sent.session_id, "12ab"),  # InvalidInput
        ):
            with pytest.raises(TwoFactorError) as caught:
                failing()
            errors.append(caught.value)

    wrong_secret = TwoFactor(SENTINEL_KEY, secret_key="x" * 32, base_url=base, retry=NO_WAIT)
    with wrong_secret, pytest.raises(TwoFactorError) as caught:
        wrong_secret.encrypted.send(PHONE, "HEADER", "x")  # the server cannot open it
    errors.append(caught.value)

    refused = TwoFactor(SENTINEL_KEY, base_url=f"http://127.0.0.1:{_closed_port()}", retry=NO_WAIT)
    with refused, pytest.raises(TwoFactorError) as caught:
        refused.otp.send(PHONE)  # connection refused
    errors.append(caught.value)

    with stall_proxy(base) as proxy:
        stalled = TwoFactor(SENTINEL_KEY, base_url=proxy.base_url, timeout=0.5, retry=NO_WAIT)
        with stalled, pytest.raises(TwoFactorError) as caught:
            stalled.otp.send(PHONE)  # read timeout
        errors.append(caught.value)

    def url_in_message(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)  # as some proxies word it

    chatty = TwoFactor(SENTINEL_KEY, base_url=base, retry=NO_WAIT, transport=httpx.MockTransport(url_in_message))
    with chatty, pytest.raises(TwoFactorError) as caught:
        chatty.otp.send(PHONE)
    errors.append(caught.value)

    assert {type(error).__name__ for error in errors} >= {
        "SessionNotFound",
        "TwoFactorError",
        "DecryptionFailed",
        "TransportError",
        "Timeout",
        "InvalidInput",
    }
    for error in errors:
        texts += _error_texts(error)
    assert any("/API/V1/***/" in text for text in texts)  # the URL was there, redacted

    messages = [record.getMessage() for record in log_records]
    assert any(record.name == "twofactor" for record in log_records), "TWOFACTOR_LOG=debug logged nothing"
    assert any(record.name == "httpx" for record in log_records)
    texts += messages
    captured = capfd.readouterr()
    texts += [captured.out, captured.err]
    _assert_clean(texts)


async def test_async_client_repr_and_errors(sentinel_emulator: EmulatorHandle) -> None:
    async with AsyncTwoFactor(SENTINEL_KEY, base_url=sentinel_emulator.base_url) as client:
        with pytest.raises(TwoFactorError) as caught:
            await client.otp.verify("no-such-session", "123456")
        _assert_clean([repr(client), repr(client.otp), *_error_texts(caught.value)])


def test_cli_output(sentinel_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWOFACTOR_API_KEY", SENTINEL_KEY)
    monkeypatch.setenv("TWOFACTOR_SECRET_KEY", SENTINEL_SECRET)
    texts: list[str] = []
    for argv in (
        ["otp", "send", PHONE],
        ["--json", "otp", "verify", "no-such-session", "123456"],
        ["encrypted", "send", "--to", PHONE, "--sender", "HEADER", "--text", "x"],
        ["otp", "send", "12"],
    ):
        out, err = io.StringIO(), io.StringIO()
        cli_main(["--base-url", sentinel_emulator.base_url, *argv], out=out, err=err)
        texts += [out.getvalue(), err.getvalue()]
    _assert_clean(texts)


def test_redact_url() -> None:
    assert redact_url("GET http://h/API/V1/abc-123/SMS/+91/AUTOGEN") == "GET http://h/API/V1/***/SMS/+91/AUTOGEN"
    assert redact_url("http://h/API/R1/?apikey=abc&to=1") == "http://h/API/R1/?apikey=***&to=1"


def test_a_base_url_with_credentials_stays_out_of_reprs_and_errors() -> None:
    from sms_common.settings import ClientSettings, check_base_url
    from twofactor.settings import PROVIDER

    settings = ClientSettings(PROVIDER, base_url=f"https://user:{SENTINEL_SECRET}@127.0.0.1:1/?token={SENTINEL_KEY}")
    assert not any(s in repr(settings) for s in SENTINELS)
    with pytest.raises(TwoFactorError) as caught:
        check_base_url(f"ftp://user:{SENTINEL_SECRET}@host", PROVIDER.input_error)
    assert SENTINEL_SECRET not in str(caught.value)
