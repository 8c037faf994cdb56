"""datatechlabs' delivery receipts against openapi/datatechlabs-sms.yaml's `webhooks`, which
schemathesis does not cover: the document's examples against their schemas, and every receipt the
emulator sends (each `dlr-level`, GET and POST, each magic number's final state) captured by a real
local receiver and validated (a GET's query against the webhook's parameters, a POST's form against
`DeliveryReceipt`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import jsonschema
import pytest
import yaml

from .conftest import DATATECHLABS_CREDENTIALS, DATATECHLABS_SPEC_PATH, EXTERNAL_URL, Target
from .document import resolve_ref

DOCUMENT: dict[str, Any] = yaml.safe_load(DATATECHLABS_SPEC_PATH.read_text())
BY_METHOD = {"GET": "deliveryReceiptByGet", "POST": "deliveryReceiptByPost"}
WAIT_SECONDS = 15.0  # upper bound for the receipts to arrive; not a timing assertion


def resolve(node: Any) -> Any:
    return resolve_ref(DOCUMENT, node)


def receipt_schema(method: str) -> dict[str, Any]:
    """The schema a receipt's fields must meet: the POST form's, or one built from the GET's query parameters."""
    operation = DOCUMENT["webhooks"][BY_METHOD[method]][method.lower()]
    if method == "POST":
        schema = resolve(operation["requestBody"])["content"]["application/x-www-form-urlencoded"]["schema"]
        return {**schema, "components": DOCUMENT["components"]}
    parameters = [resolve(p) for p in operation["parameters"]]
    return {
        "type": "object",
        "properties": {p["name"]: p["schema"] for p in parameters},
        "required": [p["name"] for p in parameters if p.get("required")],
        "additionalProperties": False,
        "components": DOCUMENT["components"],
    }


def problems(method: str, fields: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(receipt_schema(method))
    return [error.message for error in validator.iter_errors(fields)]


def post_examples() -> list[Any]:
    body = resolve(DOCUMENT["webhooks"][BY_METHOD["POST"]]["post"]["requestBody"])
    return [
        pytest.param(media, resolve(example)["value"], id=f"{media}-{label}")
        for media, content in body["content"].items()
        for label, example in content.get("examples", {}).items()
    ]


@pytest.mark.parametrize(("media_type", "example"), post_examples())
def test_receipt_examples_match_the_schema(media_type: str, example: dict[str, Any]) -> None:
    assert not problems("POST", example)


def test_harness_rejects_malformed_receipts() -> None:
    """The validation is not vacuous: a receipt without `id`, a level 4, a long text, an unknown field."""
    assert problems("POST", {"message_status": "DELIVRD", "level": "2"})
    assert problems("GET", {"id": "030d10b8-a149-4b7e-8ed8-8e8cdb3a11e9", "message_status": "DELIVRD", "level": "4"})
    assert problems("POST", {"id": "x", "message_status": "FINE", "level": "1", "text": "t" * 21})
    assert problems(
        "GET", {"id": "030d10b8-a149-4b7e-8ed8-8e8cdb3a11e9", "message_status": "ESME_ROK", "level": "1", "x": "1"}
    )


class Capture:
    """A local receiver recording every receipt (GET query or POST form) and acknowledging it."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str]]] = []
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def _ack(self, fields: dict[str, str]) -> None:
                capture.received.append((self.command, fields))
                self.send_response(200)
                self.send_header("Content-Length", "10")
                self.end_headers()
                self.wfile.write(b"ACK/Jasmin")

            def do_GET(self) -> None:
                self._ack(dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)))

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                self._ack(dict(parse_qsl(raw.decode(), keep_blank_values=True)))

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/dlr"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def capture() -> Iterator[Capture]:
    receiver = Capture()
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()


PHONES = ["+919999999999", "+919000000001", "+919000000002", "+919000000003"]  # delivered, then the magic numbers


def test_emulator_sends_receipts_the_document_describes(target: Target, capture: Capture) -> None:
    if EXTERNAL_URL:
        pytest.skip("a deployment elsewhere cannot reach this machine's local receiver")
    sends = [(phone, level, method) for phone in PHONES for level in (1, 2, 3) for method in ("GET", "POST")]
    for phone, level, method in sends:
        body = {"to": phone, "from": "DTLABS", "content": "Your code is 482910", "dlr": True}
        body.update({"dlr-level": level, "dlr-url": capture.url, "dlr-method": method})
        reply = httpx.post(target.base_url + "/sms/send", json=body, auth=DATATECHLABS_CREDENTIALS, timeout=10)
        assert reply.status_code == 200, reply.text
    expected = sum(2 if level == 3 else 1 for _, level, _ in sends)
    deadline = time.monotonic() + WAIT_SECONDS
    while len(capture.received) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(capture.received) == expected
    for method, fields in capture.received:
        assert not problems(method, fields), (method, fields)
    statuses = {fields["message_status"] for _, fields in capture.received}
    assert statuses == {"ESME_ROK", "ESME_RINVDSTADR", "DELIVRD", "UNDELIV", "REJECTD"}
