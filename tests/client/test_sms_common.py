"""The shared base of the provider clients: the error tree, redaction and settings that a client
of another provider (JSON body, Basic auth) builds on, and 2Factor's client on top of it."""

from __future__ import annotations

import logging

import httpx
import pytest
import sms_common
import twofactor
from sms_common.redact import redact, redact_url
from sms_common.retries import Kind, RetryPolicy, next_delay
from sms_common.settings import ClientSettings, as_timeout, from_env

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
