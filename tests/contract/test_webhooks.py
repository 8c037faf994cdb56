"""Webhooks, which schemathesis does not cover: the document's examples against the webhook schemas,
and a capture harness that validates whatever the emulator posts.

Against the emulator, the posts themselves are checked too: its delivery-report URL is pointed at a
local receiver through the control API (`PUT /_emulator/webhooks`), and short links are opened to
make it post the campaign and short-URL click forms. Against another target (TWOFACTOR_CONTRACT_URL)
those two tests skip: there is no control API to point its webhooks at the receiver.
"""

from __future__ import annotations

import json
import threading
import time
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


WAIT_SECONDS = 15.0  # upper bound for the emulator's background posts; not a timing assertion


def wait_for(capture: Capture, count: int) -> list[tuple[str, str, Any]]:
    """The first `count` posts as (path, media type, payload), once they arrived."""
    deadline = time.monotonic() + WAIT_SECONDS
    while len(capture.received) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"{len(capture.received)} of {count} webhook posts arrived within {WAIT_SECONDS} s")
        time.sleep(0.02)
    return [(path, *payload) for (path, _, _), payload in zip(capture.received, capture.payloads(), strict=True)]


def emulator_handle(target: Target) -> Any:
    if target.handle is None:
        pytest.skip("the target is not the emulator: no control API to point its webhooks at this receiver")
    return target.handle


def test_emulator_posts_valid_delivery_reports(fresh_target: Target, capture: Capture) -> None:
    handle = emulator_handle(fresh_target)
    settings = handle.client.put("/_emulator/webhooks", json={"url": capture.url + "/dlr", "backoffSeconds": 0})
    assert settings.status_code == 200, settings.text
    messages = [
        {"smsFrom": "TFACTR", "smsTo": "+919876543210", "smsText": "hi", "callback_value1": "order_1"},
        {"smsFrom": "TFACTR", "smsTo": "+919000000001", "smsText": "fails", "callback_value2": "x"},  # FAILED
        {"smsFrom": "TFACTR", "smsTo": "9000000002", "smsText": "dnd"},  # DND
    ]
    body = {"module": "TRANS_SMS", "apikey": fresh_target.api_key, "messages": messages}
    reply = httpx.post(fresh_target.base_url + "/API/R1/Bulk/", json=body, timeout=10)
    assert reply.status_code == 200, reply.text
    posts = wait_for(capture, len(messages))
    assert {path for path, _, _ in posts} == {"/dlr"}
    for _, media_type, report in posts:
        assert media_type == "application/json"
        assert not validate_webhook("bulkDeliveryReport", media_type, report), report
    assert sorted(report["SmsStatus"] for _, _, report in posts) == ["DELIVERED", "DND", "FAILED"]


def test_emulator_posts_valid_click_webhooks(fresh_target: Target, capture: Capture) -> None:
    handle = emulator_handle(fresh_target)
    form = {"module": "TRANS_SMS", "apikey": fresh_target.api_key, "to": "9876543210", "from": "TFACTR"}
    sends = [
        {"msg": "Sale at https://example.com/sale", "campaignname": "Diwali", "campaignwebhook": capture.url + "/c"},
        {"msg": "Order https://example.com/o/1", "shortenurl": "1", "shortenurlwebhook": capture.url + "/s"},
    ]
    for extra in sends:
        reply = httpx.post(fresh_target.base_url + "/API/R1/", data={**form, **extra}, timeout=10)
        assert reply.status_code == 200, reply.text
    links = [word for m in handle.messages() for word in m["text"].split() if "/TFACTR/" in word]
    assert len(links) == 2
    for link in links:
        assert httpx.get(link, follow_redirects=False, timeout=10).status_code == 302
    posts = wait_for(capture, 2)
    by_path = {path: (media_type, payload) for path, media_type, payload in posts}
    for path, name in (("/c", "campaignClick"), ("/s", "shortUrlClick")):
        media_type, payload = by_path[path]
        assert media_type == "application/x-www-form-urlencoded"
        assert not validate_webhook(name, media_type, payload), payload
