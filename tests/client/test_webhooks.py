"""`parse_delivery_report` and `parse_click` on the bodies the document's webhooks describe."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from twofactor import CampaignClick, ShortUrlClick, WebhookError, parse_click, parse_delivery_report

REPORT = {  # webhooks.bulkDeliveryReport, the docs' sample
    "SessionId": "30b3c545-5e1a-482e-9fac-1a76e805020d-1",
    "SmsFrom": "TFACTR",
    "SmsTo": "9876543210",
    "SmsStatus": "DELIVERED",
    "SentAt": "2025-11-24 19:43:06",
    "StatusAt": "2025-11-24 19:43:08",
    "callback_value1": "order_98765",
    "callback_value2": "cust_1122",
}


@pytest.mark.parametrize(
    "encode", [lambda d: json.dumps(d).encode(), json.dumps, lambda d: d], ids=["bytes", "str", "dict"]
)
def test_delivery_report(encode: object) -> None:
    report = parse_delivery_report(encode(REPORT))  # type: ignore[operator]
    assert (report.session_id, report.to, report.status, report.delivered) == (
        "30b3c545-5e1a-482e-9fac-1a76e805020d-1",
        "9876543210",
        "DELIVERED",
        True,
    )
    assert (report.callback_value1, report.callback_value2) == ("order_98765", "cust_1122")


def test_delivery_report_without_callback_values() -> None:
    body = {k: v for k, v in REPORT.items() if not k.startswith("callback")} | {"SmsStatus": "DND"}
    report = parse_delivery_report(json.dumps(body))
    assert (report.callback_value1, report.delivered) == (None, False)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"{not json", "not valid JSON"),
        (b"[1]", "JSON object"),
        (json.dumps({**REPORT, "SmsStatus": "LOST"}).encode(), "unknown SmsStatus"),
        (json.dumps({k: v for k, v in REPORT.items() if k != "SessionId"}).encode(), "SessionId"),
        (json.dumps({**REPORT, "SmsTo": ["x"]}).encode(), "must be text"),
        (b"\xff\xfe", "UTF-8"),
        (b"x" * 70_000, "too large"),
    ],
)
def test_malformed_reports_are_refused_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(WebhookError, match=reason):
        parse_delivery_report(body)


def test_campaign_click() -> None:
    click = parse_click(b"accessed=2024-11-29+14%3A30%3A00&phoneNo=9876543210&campaignName=DiwaliSale&ip=203.0.113.7")
    assert click == CampaignClick(
        accessed="2024-11-29 14:30:00", phone="9876543210", campaign_name="DiwaliSale", ip="203.0.113.7"
    )


def test_short_url_click() -> None:
    body = (
        "accessed=2024-11-29 14:30:00&phoneNo=9876543210&ip=203.0.113.7"
        "&shortUrl=https%3A%2F%2Fe.1rp.in%2FTFACTR%2Fh6fgs"
        "&longUrl=https%3A%2F%2Fexample.com%2Foffer&callbackValue=user_789"
    )
    click = parse_click(body)
    assert isinstance(click, ShortUrlClick)
    assert (click.short_url, click.long_url, click.callback_value) == (
        "https://e.1rp.in/TFACTR/h6fgs",
        "https://example.com/offer",
        "user_789",
    )


@pytest.mark.parametrize(
    "body", ["", "accessed=x&phoneNo=1&ip=2", "accessed=x&accessed=y&phoneNo=1&ip=2&campaignName=c", "not a form"]
)
def test_malformed_clicks_are_refused(body: str) -> None:
    with pytest.raises(WebhookError):
        parse_click(body)


def _document_webhook_examples() -> list[tuple[str, str, dict[str, object]]]:
    document = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi" / "twofactor.yaml").read_text("utf-8"))
    found = []
    for name, hook in document["webhooks"].items():
        for media_type, content in hook["post"]["requestBody"]["content"].items():
            for example in content["examples"].values():
                found.append((name, media_type, example["value"]))
    return found


@pytest.mark.parametrize(("name", "media_type", "value"), _document_webhook_examples())
def test_the_documents_webhook_examples_parse(name: str, media_type: str, value: dict[str, object]) -> None:
    """Each example body of the document's `webhooks`, encoded as its media type says, parses."""
    if media_type == "application/json":
        report = parse_delivery_report(json.dumps(value).encode())
        assert (name, report.session_id, report.status) == (
            "bulkDeliveryReport",
            value["SessionId"],
            value["SmsStatus"],
        )
        return
    assert media_type == "application/x-www-form-urlencoded"
    click = parse_click(urlencode(value).encode())
    expected = ShortUrlClick if name == "shortUrlClick" else CampaignClick
    assert isinstance(click, expected)
    assert click.phone == value["phoneNo"]
