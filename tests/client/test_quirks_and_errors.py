"""Each quirk of `twofactor.quirks` and the `Details` -> error table of `twofactor.errors`."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import yaml
from twofactor import (
    DecryptionFailed,
    InsufficientCredits,
    InvalidApiKey,
    InvalidInput,
    InvalidPhoneNumber,
    OtpAlreadyVerified,
    OtpAttemptsExceeded,
    OtpExpired,
    RateLimited,
    SessionNotFound,
    TemplateError,
    TwoFactor,
    TwoFactorError,
)
from twofactor.errors import error_for_details
from twofactor.quirks import (
    format_schedule_time,
    join_recipients,
    keep_literal_plus,
    normalise_phone,
    status_body_error,
)

DOCUMENT = Path(__file__).resolve().parents[2] / "openapi" / "twofactor.yaml"


# ---------------------------------------------------------------------------- phone numbers
@pytest.mark.parametrize(
    "given",
    ["+919999999999", "919999999999", "9999999999", "09999999999", "+91 99999-99999", "(999) 999 9999", 9999999999],
)
def test_phone_formats_normalise_to_one_number(given: str | int) -> None:
    phone = normalise_phone(given)
    assert (phone.v1_path, phone.r1, phone.bulk) == ("+919999999999", "919999999999", "+919999999999")


@pytest.mark.parametrize("given", ["", "12345", "+0919999999999", "5999999999", "99999x9999", "+", "91999999999", True])
def test_bad_phone_numbers_are_refused(given: object) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(given)


def test_a_foreign_number_keeps_its_country_code() -> None:
    assert normalise_phone("+14155550123").r1 == "14155550123"


def test_recipients_are_comma_joined() -> None:
    joined, _phones = join_recipients(["9999999999", "+918888888888"])
    assert joined == "919999999999,918888888888"
    assert join_recipients("9999999999, 8888888888")[0] == joined
    with pytest.raises(InvalidPhoneNumber):
        join_recipients([])
    with pytest.raises(InvalidPhoneNumber, match="at most 1000"):
        join_recipients(["9999999999"] * 1001)


# ---------------------------------------------------------------------------- literal '+' in paths
def test_keep_literal_plus_only_on_v1_paths() -> None:
    assert keep_literal_plus("/API/V1/k/SMS/%2B919999999999/AUTOGEN") == "/API/V1/k/SMS/+919999999999/AUTOGEN"
    assert keep_literal_plus("/API/V1/k/SMS/%2B91/AUTOGEN?x=%2B") == "/API/V1/k/SMS/+91/AUTOGEN?x=%2B"
    assert keep_literal_plus("/API/R1/?to=%2B91") == "/API/R1/?to=%2B91"


def test_the_plus_reaches_the_wire_unquoted() -> None:
    paths: list[bytes] = []

    def server(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path)
        details = "OTP Matched" if b"/VERIFY3/" in request.url.raw_path else "session-1"
        return httpx.Response(200, json={"Status": "Success", "Details": details})

    with TwoFactor("key-1234", base_url="http://2factor.test/prefix", transport=httpx.MockTransport(server)) as client:
        client.otp.send("9999999999")
        client.otp.verify_phone("9999999999", "1234")
        client.otp.send("9999999999", template="OTP1")  # the optional template segment
    assert paths == [
        b"/prefix/API/V1/key-1234/SMS/+919999999999/AUTOGEN",
        b"/prefix/API/V1/key-1234/SMS/VERIFY3/+919999999999/1234",
        b"/prefix/API/V1/key-1234/SMS/+919999999999/AUTOGEN/OTP1",
    ]


# ---------------------------------------------------------------------------- India time
@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2030, 1, 1, 7, 30, tzinfo=dt.UTC),
        dt.datetime(2030, 1, 1, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
        dt.datetime(2029, 12, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
    ],
)
def test_schedule_times_are_written_in_india_time(when: dt.datetime) -> None:
    assert format_schedule_time(when) == "2030-01-01 13:00:00"


def test_a_naive_schedule_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_schedule_time(dt.datetime(2030, 1, 1, 13, 0))


# ---------------------------------------------------------------------------- errors as HTTP 200 or 400
@pytest.mark.parametrize("status", [200, 400])
def test_errors_arrive_as_200_or_400(status: int) -> None:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(status, json={"Status": "Error", "Details": "OTP Expired"})
    )
    client = TwoFactor("key-1234", base_url="http://2factor.test", transport=transport)
    with client, pytest.raises(OtpExpired) as caught:
        client.otp.verify("session-1", "123456")
    assert (caught.value.status_code, caught.value.operation) == (status, "verifyOtp")
    assert status_body_error({"Status": "Error", "Details": "x"}) == "x"
    assert status_body_error({"Status": "Success", "Details": "x"}) is None


# ---------------------------------------------------------------------------- the Details table
TABLE = {
    "Invalid API Key": InvalidApiKey,
    "Invalid API Key Or TRANSACTIONAL_SMS Service Is Inactive": InvalidApiKey,
    "Secret-Key is missing in the request header": InvalidApiKey,
    "Invalid Phone Number - Length Mismatch(Expected: 10)": InvalidPhoneNumber,
    "OTP Expired": OtpExpired,
    "OTP Already Verified": OtpAlreadyVerified,
    "OTP Attempts Exceeded": OtpAttemptsExceeded,
    "Invalid API / SessionId Combination - No Entry Exists": SessionNotFound,
    "Invalid API / Phone Number Combination - No Entry Exists": SessionNotFound,
    "Invalid Template Name - Template Not Found": TemplateError,
    "Message Text Does Not Match Any Approved Template": TemplateError,
    "Rate Limit Exceeded - 200 Requests Per Second": RateLimited,
    "Decryption failed": DecryptionFailed,
    "Insufficient Balance": InsufficientCredits,
    "Insufficient Credits - Recharge Your Account To Send More SMS": InsufficientCredits,
    "Sandbox Mode Is Not Enabled For This Account / Phone Number": TwoFactorError,
    "Invalid OTP Value - Expected 4 to 6 digits": TwoFactorError,
    "HTTP GET is not supported on this endpoint": TwoFactorError,
}


@pytest.mark.parametrize(("details", "cls"), TABLE.items())
def test_details_map_to_classes(details: str, cls: type[TwoFactorError]) -> None:
    error = error_for_details(details, status_code=400, operation="verifyOtp")
    assert type(error) is cls
    assert (error.details, error.status_code, error.operation) == (details, 400, "verifyOtp")
    assert details in str(error) and "verifyOtp" in str(error) and "HTTP 400" in str(error)


def test_an_unknown_text_is_the_root_class_with_the_text() -> None:
    error = error_for_details("Something New - Never Seen", status_code=400, operation="sendSms")
    assert type(error) is TwoFactorError
    assert error.details == "Something New - Never Seen"


def test_every_error_text_of_the_document_is_in_the_table() -> None:
    document = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    texts: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("Status") == "Error" and isinstance(node.get("Details"), str):
                texts.add(node["Details"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    texts.discard("OTP Mismatch")  # a verify result, not an error (see replies.verify_result)
    assert texts, "the document's error examples were not found"
    assert texts <= set(TABLE), sorted(texts - set(TABLE))


def test_rate_limited_carries_retry_after() -> None:
    error = error_for_details("Rate Limit Exceeded", status_code=429, operation="sendSms", retry_after=3.0)
    assert isinstance(error, RateLimited) and error.retry_after == 3.0


def test_operation_names_are_the_documents_operation_ids() -> None:
    """Errors name the operation by the generated module's OPERATION_ID: one module per operation of
    the document, each named exactly as the document names it."""
    import pkgutil

    import twofactor_client.api
    import yaml

    document = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    documented = {
        operation["operationId"]
        for path_item in document["paths"].values()
        for operation in path_item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    modules = [
        importlib.import_module(f"twofactor_client.api.{package.name}.{module.name}")
        for package in pkgutil.iter_modules(twofactor_client.api.__path__)
        for module in pkgutil.iter_modules([str(Path(twofactor_client.api.__path__[0]) / package.name)])
    ]
    named = [module.OPERATION_ID for module in modules]
    assert sorted(named) == sorted(documented) and len(named) == len(set(named))


def test_r1_form_carries_every_option() -> None:
    forms: list[dict[str, list[str]]] = []

    def server(request: httpx.Request) -> httpx.Response:
        forms.append(parse_qs(request.content.decode()))
        return httpx.Response(200, json={"Status": "Success", "Details": "request-1"})

    with TwoFactor("key-1234", base_url="http://2factor.test", transport=httpx.MockTransport(server)) as client:
        client.sms.send_promotional(
            "9999999999,8888888888",
            "HEADER",
            "Offer https://example.com/offer",
            schedule_at=dt.datetime(2030, 1, 1, 7, 30, tzinfo=dt.UTC),
            peid="1101",
            ctid="1107",
            campaign="DiwaliSale",
            campaign_webhook="https://example.com/clicks",
            shorten_urls=True,
            shorten_url_webhook="https://example.com/short",
            shorten_url_callback="user_789",
        )
        with pytest.raises(InvalidInput):
            client.sms.send("9999999999", "HEADER", "x", campaign_webhook="ftp://example.com")
        with pytest.raises(InvalidInput):
            client.sms.send("9999999999", "TOOLONGID", "x")
    [form] = forms
    assert {key: values[0] for key, values in form.items()} == {
        "module": "PROMO_SMS",
        "apikey": "key-1234",
        "to": "919999999999,918888888888",
        "from": "HEADER",
        "msg": "Offer https://example.com/offer",
        "scheduletime": "2030-01-01 13:00:00",
        "peid": "1101",
        "ctid": "1107",
        "campaignname": "DiwaliSale",
        "campaignwebhook": "https://example.com/clicks",
        "shortenurl": "1",
        "shortenurlwebhook": "https://example.com/short",
        "shortenurlcallback": "user_789",
    }


@pytest.mark.parametrize("scheme", ["http://", "https://"])
def test_webhook_urls_follow_the_documents_webhookurl_limits(scheme: str) -> None:
    """WebhookUrl: minLength 8, maxLength 2048, whatever the scheme's length."""
    from twofactor.checks import check_webhook_url

    longest = scheme + "a" * (2048 - len(scheme))
    assert check_webhook_url(longest, "campaign_webhook") == longest
    with pytest.raises(InvalidInput, match="at most 2048"):
        check_webhook_url(longest + "a", "campaign_webhook")
    with pytest.raises(InvalidInput):
        check_webhook_url(scheme + "a b", "campaign_webhook")
