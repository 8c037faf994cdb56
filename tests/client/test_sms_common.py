"""The shared base of the provider clients: the error tree, redaction and settings that a client
of another provider (JSON body, Basic auth) builds on, and 2Factor's client on top of it."""

from __future__ import annotations

import logging

import httpx
import pytest
import sms_common
import twofactor
from sms_common.aio import AsyncBaseClient
from sms_common.client import BaseClient
from sms_common.json_body import parse_json_object
from sms_common.redact import redact, redact_url
from sms_common.retries import Kind, RetryPolicy, next_delay
from sms_common.settings import BasicCredentials, ClientSettings, as_timeout, from_env

SECRET = "s3cr3t-sentinel-value"


class AcmeError(sms_common.ProviderError):
    provider = "Acme"


class AcmeInput(AcmeError, sms_common.InvalidInput):
    pass


class AcmeTransport(AcmeError, sms_common.TransportError):
    pass


class AcmeTimeout(AcmeTransport, sms_common.Timeout):
    pass


ACME = sms_common.Provider(
    name="Acme",
    logger=logging.getLogger("acme-test"),
    log_env_var="ACME_TEST_LOG",
    transport_error=AcmeTransport,
    timeout_error=AcmeTimeout,
    input_error=AcmeInput,
)


def test_twofactor_errors_are_provider_errors_and_shared_kinds() -> None:
    assert issubclass(twofactor.TwoFactorError, sms_common.ProviderError)
    pairs = [
        (twofactor.TransportError, sms_common.TransportError),
        (twofactor.Timeout, sms_common.Timeout),
        (twofactor.InvalidInput, sms_common.InvalidInput),
        (twofactor.InvalidApiKey, sms_common.InvalidCredentials),
        (twofactor.RateLimited, sms_common.RateLimited),
        (twofactor.MalformedReply, sms_common.MalformedReply),
    ]
    for ours, shared in pairs:
        assert issubclass(ours, shared) and issubclass(ours, twofactor.TwoFactorError), ours
    error = twofactor.RateLimited("slow down", status_code=429, operation="verifyOtp", retry_after=2.0)
    assert (error.provider, error.retry_after, str(error)) == ("2Factor", 2.0, "slow down [verifyOtp, HTTP 429]")
    assert "provider='2Factor'" in repr(error)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.test/send?apikey=" + SECRET + "&to=1", "https://api.test/send?apikey=***&to=1"),
        ("https://api.test/x?to=1&password=" + SECRET, "https://api.test/x?to=1&password=***"),
        ("https://user:" + SECRET + "@api.test/x", "https://***@api.test/x"),
        ("https://api.test/keys?monkey=banana", "https://api.test/keys?monkey=banana"),
    ],
)
def test_redact_url_removes_query_and_userinfo_credentials(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_redact_removes_every_secret_longest_first() -> None:
    text = f"token {SECRET} and {SECRET[:6]}"
    assert redact(text, [SECRET[:6], SECRET]) == "token *** and ***"


def test_a_giving_up_network_failure_is_the_providers_class_and_redacted() -> None:
    request = httpx.Request("POST", f"https://api.test/send?apikey={SECRET}")
    failure = httpx.ReadTimeout(f"timed out sending {SECRET}", request=request)
    with pytest.raises(AcmeTimeout) as caught:
        next_delay(ACME, RetryPolicy(), Kind.SEND, "sendSms", failure, 0, [SECRET])
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
    assert "may have reached the server" in caught.value.details


def test_settings_refuse_bad_input_with_the_providers_class_and_keep_secrets_out_of_repr() -> None:
    with pytest.raises(AcmeInput):
        ClientSettings(ACME, base_url="ftp://api.test")
    with pytest.raises(AcmeInput):
        ClientSettings(ACME, base_url="https://api.test", timeout=0)
    settings = ClientSettings(ACME, base_url="https://api.test/", timeout=3, secrets=(SECRET, None, ""))
    assert settings.base_url == "https://api.test" and settings.secrets == (SECRET,)
    assert SECRET not in repr(settings)
    assert as_timeout(httpx.Timeout(1.0)) == httpx.Timeout(1.0)


def test_from_env_treats_blank_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMS_COMMON_TEST_VALUE", "  ")
    assert from_env("SMS_COMMON_TEST_VALUE", "default") == "default"
    monkeypatch.setenv("SMS_COMMON_TEST_VALUE", " x ")
    assert from_env("SMS_COMMON_TEST_VALUE") == "x"
    monkeypatch.delenv("SMS_COMMON_TEST_VALUE")
    assert from_env("SMS_COMMON_TEST_VALUE") is None


class AcmeSettings(ClientSettings):
    """A client of a JSON API with Basic auth, as a provider built on sms_common would have."""

    def __init__(self, user: str, password: str, retry: RetryPolicy | None = None) -> None:
        super().__init__(ACME, base_url="https://acme.test", retry=retry, secrets=(user, password))
        self.auth = httpx.BasicAuth(user, password)


def _acme_call(kind: Kind) -> sms_common.Call[dict[str, object]]:
    def read(reply: httpx.Response) -> dict[str, object]:
        if reply.status_code >= 400:
            raise AcmeError(f"HTTP {reply.status_code}", status_code=reply.status_code, operation="sendOtp")
        body = parse_json_object(reply.content)
        if body is None:
            raise sms_common.MalformedReply("not JSON", status_code=reply.status_code, operation="sendOtp")
        return body

    return sms_common.Call(
        "sendOtp",
        kind,
        lambda: {"method": "POST", "url": "/v1/otp", "json": {"mobile": "+919999999999"}},
        read,
    )


def test_a_json_basic_auth_client_runs_on_the_base_clients() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(503)  # a READ is tried again after a 5xx
        return httpx.Response(200, json={"status": "sent", "id": "otp-1"})

    settings = AcmeSettings("acme-user", SECRET, retry=RetryPolicy(sleep=lambda _s: None))
    with BaseClient(settings, transport=httpx.MockTransport(handler), auth=settings.auth) as client:
        assert client.run(_acme_call(Kind.READ)) == {"status": "sent", "id": "otp-1"}
        assert SECRET not in repr(client)
    assert len(seen) == 2
    assert seen[-1].headers["authorization"].startswith("Basic ")
    assert seen[-1].headers["content-type"] == "application/json"


async def test_a_send_that_may_have_arrived_is_not_repeated_on_the_async_base_client() -> None:
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        raise httpx.ReadTimeout(f"read timed out, password {SECRET}", request=request)

    settings = AcmeSettings("acme-user", SECRET, retry=RetryPolicy(sleep=lambda _s: None))
    async with AsyncBaseClient(settings, transport=httpx.MockTransport(handler), auth=settings.auth) as client:
        with pytest.raises(AcmeTimeout) as caught:
            await client.run(_acme_call(Kind.SEND))
    assert attempts == 1
    assert caught.value.provider == "Acme" and SECRET not in str(caught.value)


def test_basic_credentials_come_from_arguments_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    options = {
        "user_env": "ACME_TEST_USER",
        "password_env": "ACME_TEST_PASSWORD",
        "labels": ("user", "password"),
        "usage": "Acme(user, password)",
        "error": AcmeInput,
    }
    monkeypatch.delenv("ACME_TEST_USER", raising=False)
    monkeypatch.setenv("ACME_TEST_PASSWORD", SECRET)
    with pytest.raises(AcmeInput, match=r"the user is needed: Acme\(user, password\) or \$ACME_TEST_USER"):
        BasicCredentials(None, None, **options)
    monkeypatch.setenv("ACME_TEST_USER", "env-user")
    assert BasicCredentials(None, None, **options).secrets == ("env-user", SECRET)
    assert BasicCredentials("arg-user", None, **options).secrets == ("arg-user", SECRET)  # the argument wins
    assert SECRET not in repr(BasicCredentials(None, None, **options))
    for user, password in (("a:b", SECRET), ("user", SECRET + "\n")):
        with pytest.raises(AcmeInput) as refused:
            BasicCredentials(user, password, **options)
        assert SECRET not in str(refused.value)
