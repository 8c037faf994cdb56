"""Webhooks, which schemathesis does not cover: the document's examples against the webhook schemas,
and a capture harness that validates whatever the emulator posts.

The emulator posting webhooks (bulk delivery reports, campaign and short-URL clicks) is a later
issue; `test_emulator_posts_valid_delivery_reports` skips until the emulator's testing handle offers
a way to set the account's callback URL (`set_callback_url`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import httpx
import jsonschema
import pytest
import yaml

from .conftest import SPEC_PATH, Target
from .document import resolve_ref

DOCUMENT: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())


def resolve(node: Any) -> Any:
    return resolve_ref(DOCUMENT, node)


def webhook_schema(name: str, media_type: str) -> dict[str, Any]:
    body = resolve(DOCUMENT["webhooks"][name]["post"]["requestBody"])
    return {**body["content"][media_type]["schema"], "components": DOCUMENT["components"]}


def webhook_examples() -> list[Any]:
    cases = []
    for name, item in DOCUMENT["webhooks"].items():
        body = resolve(item["post"]["requestBody"])
        for media_type, media in body["content"].items():
            for label, example in media.get("examples", {}).items():
                cases.append(pytest.param(name, media_type, resolve(example)["value"], id=f"{name}-{label}"))
    return cases


def validate_webhook(name: str, media_type: str, payload: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(webhook_schema(name, media_type))
    return [error.message for error in validator.iter_errors(payload)]


@pytest.mark.parametrize(("name", "media_type", "payload"), webhook_examples())
def test_webhook_examples_match_their_schemas(name: str, media_type: str, payload: Any) -> None:
    assert not validate_webhook(name, media_type, payload)


def test_every_webhook_has_an_example() -> None:
    with_examples = {param.values[0] for param in webhook_examples()}
    assert with_examples == set(DOCUMENT["webhooks"])


def test_harness_rejects_a_malformed_report() -> None:
    """The harness is not vacuous: a report without SmsStatus and with a bad timestamp fails."""
    bad = {"SessionId": "x-1", "SmsFrom": "TFACTR", "SmsTo": "9876543210", "SentAt": "yesterday", "StatusAt": "now"}
    assert len(validate_webhook("bulkDeliveryReport", "application/json", bad)) >= 2


class Capture:
    """A local HTTP server that records every POST (the webhook receiver)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, bytes]] = []
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                capture.received.append((self.path, self.headers.get("content-type", ""), self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def payloads(self) -> list[tuple[str, Any]]:
        out = []
        for _, content_type, body in self.received:
            if content_type.startswith("application/json"):
                out.append(("application/json", json.loads(body)))
            else:
                out.append(("application/x-www-form-urlencoded", dict(parse_qsl(body.decode()))))
        return out


@pytest.fixture
def capture() -> Iterator[Capture]:
    receiver = Capture()
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()


def test_emulator_posts_valid_delivery_reports(target: Target, capture: Capture) -> None:
    handle = target.handle
    if handle is None or not hasattr(handle, "set_callback_url") or not hasattr(handle, "deliver_pending"):
        pytest.skip("the emulator does not post delivery reports yet (no set_callback_url/deliver_pending)")
    handle.set_callback_url(capture.url + "/dlr")
    reply = httpx.post(
        target.base_url + "/API/R1/Bulk/",
        json={
            "module": "TRANS_SMS",
            "apikey": target.api_key,
            "messages": [
                {"smsFrom": "TFACTR", "smsTo": "+919876543210", "smsText": "hi", "callback_value1": "order_1"}
            ],
        },
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    handle.deliver_pending()  # bounded: delivers what is queued now, once
    reports = [payload for media, payload in capture.payloads() if media == "application/json"]
    assert reports, "no delivery report was posted"
    for report in reports:
        assert not validate_webhook("bulkDeliveryReport", "application/json", report), report
