"""The datatechlabs client against a scripted server on a real socket, and its delivery-receipt
parser against receipts sent over HTTP to a local receiver.

The emulator has no datatechlabs routes yet; these tests check the client's side of the contract.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import http.client
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import datatechlabs as d
import pytest
import yaml
from datatechlabs import DLR_ACK, AsyncDatatechlabs, Datatechlabs, parse_delivery_receipt

from tests.client.conftest import Driver

from .conftest import FAST_RETRIES, PASSWORD, PHONE, USERNAME
from .scripted_server import Reply, ScriptedServer

DOCUMENT = yaml.safe_load((Path(__file__).parents[2] / "openapi" / "datatechlabs-sms.yaml").read_text())
MESSAGE_ID = "030d10b8-a149-4b7e-8ed8-8e8cdb3a11e9"
ACCEPTED = Reply(200, {"status": "Success", "messageId": MESSAGE_ID, "segments": 2, "encoding": "UCS-2"})


def test_send_with_receipts(dtl: Driver, server: ScriptedServer) -> None:
    server.expect("POST", "/sms/send", ACCEPTED)
    sent = dtl.sms.send(PHONE, "आपका कोड 482910 है", dlr_url="https://example.com/dlr?shop=1", coding="UTF-8")
    plain = dtl.sms.send(
        PHONE, "hello", sender="OTHER", dlr_url="https://example.com/dlr", dlr_level=1, dlr_method="POST"
    )
    assert sent == d.SmsSent(message_id=MESSAGE_ID, segments=2, encoding="UCS-2") == plain
    first, second = server.requests
    assert first.json() == {
        "to": PHONE,
        "from": "DTLABS",
        "content": "आपका कोड 482910 है",
        "dlr": True,
        "dlr-url": "https://example.com/dlr?shop=1",
        "dlr-level": 3,
        "coding": "UTF-8",
    }
    assert (
        second.json()["from"] == "OTHER" and second.json()["dlr-level"] == 1 and second.json()["dlr-method"] == "POST"
    )
    assert first.headers["Authorization"] == "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()


def test_send_without_receipts_sends_no_dlr_field(dtl: Driver, server: ScriptedServer) -> None:
    server.expect("POST", "/sms/send", ACCEPTED)
    dtl.sms.send(PHONE, "hello")
    assert server.requests[0].json() == {"to": PHONE, "from": "DTLABS", "content": "hello"}


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, d.InvalidInput), (401, d.InvalidCredentials), (403, d.InsufficientBalance), (429, d.RateLimited)],
)
def test_each_error_status_raises_its_class(
    dtl: Driver, server: ScriptedServer, status: int, cls: type[d.DatatechlabsError]
) -> None:
    documented = {entry["httpStatus"] for entry in DOCUMENT["info"]["x-error-messages"]}
    assert status in documented
    server.expect("POST", "/sms/send", Reply(status, {"status": "Error", "message": "told so"}, {"Retry-After": "0"}))
    with pytest.raises(cls) as caught:
        dtl.sms.send(PHONE, "hello")
    assert (caught.value.details, caught.value.status_code, caught.value.operation) == (
        "told so",
        status,
        "datatechlabsSendSms",
    )


def test_replies_outside_the_document(dtl: Driver, server: ScriptedServer) -> None:
    server.expect("POST", "/sms/send", Reply(502, b"<html>bad gateway</html>"), Reply(200, {"data": 'Success "x"'}))
    with pytest.raises(d.DatatechlabsError, match="HTTP 502 without a datatechlabs error reply"):
        dtl.sms.send(PHONE, "hello")
    assert len(server.requests) == 1, "a send refused with a 5xx is not sent again"
    with pytest.raises(d.MalformedReply, match="messageId"):
        dtl.sms.send(PHONE, "hello")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"to": "12"}, "to"),
        ({"to": PHONE, "text": ""}, "content"),
        ({"to": PHONE, "dlr_url": "ftp://example.com/x"}, "dlr-url"),
        ({"to": PHONE, "dlr_url": "https://example.com/x", "dlr_level": 4}, "dlr-level"),
        ({"to": PHONE, "dlr_level": 2}, "need a dlr_url"),
        ({"to": PHONE, "coding": "latin1"}, "coding"),
        ({"to": PHONE, "sender": "A" * 12}, "from"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    dtl: Driver, server: ScriptedServer, kwargs: dict[str, Any], match: str
) -> None:
    kwargs.setdefault("text", "hello")
    with pytest.raises(d.InvalidInput, match=match):
        dtl.sms.send(**kwargs)
    assert server.requests == []


@pytest.mark.parametrize("client_type", [Datatechlabs, AsyncDatatechlabs])
def test_a_send_whose_reply_is_lost_is_not_sent_again(server: ScriptedServer, client_type: type[Any]) -> None:
    server.expect("POST", "/sms/send", Reply(hold=True))
    client = client_type(USERNAME, PASSWORD, base_url=server.base_url, sender="DTLABS", retry=FAST_RETRIES, timeout=0.3)
    with pytest.raises(d.Timeout, match="may have reached the server"):
        if isinstance(client, AsyncDatatechlabs):

            async def main() -> None:
                async with client:
                    await client.sms.send(PHONE, "hello")

            asyncio.run(main())
        else:
            with client:
                client.sms.send(PHONE, "hello")
    assert len(server.requests) == 1


def test_a_send_refused_with_429_is_tried_again(dtl: Driver, server: ScriptedServer) -> None:
    """A 429 means the server refused before doing anything: the shared policy repeats it."""
    server.expect(
        "POST",
        "/sms/send",
        Reply(429, {"status": "Error", "message": "Rate limit exceeded"}, {"Retry-After": "0"}),
        ACCEPTED,
    )
    assert dtl.sms.send(PHONE, "hello").message_id == MESSAGE_ID
    assert len(server.requests) == 2


def test_no_secret_in_reprs_errors_or_logs(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATATECHLABS_LOG", "debug")
    basic = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    server.expect("POST", "/sms/send", Reply(401, {"status": "Error", "message": f"no user {USERNAME} / {PASSWORD}"}))
    texts: list[str] = []
    with caplog.at_level("DEBUG"):
        with Datatechlabs(USERNAME, PASSWORD, base_url=server.base_url, sender="DTLABS", retry=FAST_RETRIES) as client:
            texts += [repr(client), repr(client.sms)]
            with pytest.raises(d.InvalidCredentials) as refused:
                client.sms.send(PHONE, "hello")
            texts += [str(refused.value), repr(refused.value)]
        unreachable = Datatechlabs(USERNAME, PASSWORD, base_url=f"http://{USERNAME}:{PASSWORD}@127.0.0.1:9", sender="X")
        with unreachable, pytest.raises(d.TransportError) as failed:
            unreachable.sms.send(PHONE, "hello")
        texts += [str(failed.value), repr(failed.value), caplog.text]
    assert "request POST" in caplog.text
    for text in texts:
        for secret in (USERNAME, PASSWORD, basic):
            assert secret not in text


def test_configuration_from_the_environment(server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATATECHLABS_USERNAME", "DATATECHLABS_PASSWORD", "DATATECHLABS_BASE_URL", "DATATECHLABS_SENDER"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(d.InvalidCredentials, match="DATATECHLABS_USERNAME"):
        Datatechlabs()
    with pytest.raises(d.InvalidInput, match="DATATECHLABS_BASE_URL"):
        Datatechlabs(USERNAME, PASSWORD)
    monkeypatch.setenv("DATATECHLABS_USERNAME", "env-user")
    monkeypatch.setenv("DATATECHLABS_PASSWORD", "env-password")
    monkeypatch.setenv("DATATECHLABS_BASE_URL", server.base_url)
    monkeypatch.setenv("DATATECHLABS_SENDER", "ENVSND")
    server.expect("POST", "/sms/send", ACCEPTED)
    with Datatechlabs() as from_env:
        from_env.sms.send(PHONE, "hello")
    with Datatechlabs(USERNAME, PASSWORD, sender="ARGSND") as from_args:
        from_args.sms.send(PHONE, "hello")
    env_send, arg_send = server.requests
    assert env_send.headers["Authorization"] == "Basic " + base64.b64encode(b"env-user:env-password").decode()
    assert env_send.json()["from"] == "ENVSND" and arg_send.json()["from"] == "ARGSND"
    assert arg_send.headers["Authorization"] == "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()


# ---------------------------------------------------------------------------- delivery receipts


def document_receipts() -> list[tuple[str, dict[str, str]]]:
    post = DOCUMENT["webhooks"]["deliveryReceiptByPost"]["post"]["requestBody"]["content"]
    examples = post["application/x-www-form-urlencoded"]["examples"]
    return [(name, example["value"]) for name, example in examples.items()]


class _Receiver:
    """A local HTTP receiver that parses each receipt with the client's parser and acknowledges it."""

    def __init__(self) -> None:
        self.receipts: list[d.DeliveryReceipt] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, receipt_source: Any, content_type: str | None) -> None:
                try:
                    receiver.receipts.append(parse_delivery_receipt(receipt_source, content_type=content_type))
                    status, body = 200, DLR_ACK.encode()
                except d.WebhookError as error:
                    status, body = 400, str(error).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(self.path.partition("?")[2], None)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                self._answer(body, self.headers.get("Content-Type"))

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.http.server_address[1]
        threading.Thread(target=self.http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def send(
        self, method: str, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        headers = {"Content-Type": content_type} if content_type else {}
        connection.request(method, path, body=body, headers=headers)
        reply = connection.getresponse()
        answer = (reply.status, reply.read().decode())
        connection.close()
        return answer


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    running = _Receiver()
    yield running
    running.http.shutdown()
    running.http.server_close()


@pytest.mark.parametrize(("name", "fields"), document_receipts(), ids=[n for n, _ in document_receipts()])
def test_every_documented_receipt_parses_from_get_form_and_json(
    receiver: _Receiver, name: str, fields: dict[str, str]
) -> None:
    query = urlencode(fields)
    assert receiver.send("GET", f"/dlr?{query}") == (200, DLR_ACK)
    assert receiver.send("POST", "/dlr", query.encode(), "application/x-www-form-urlencoded") == (200, DLR_ACK)
    assert receiver.send("POST", "/dlr", json.dumps(fields).encode(), "application/json") == (200, DLR_ACK)
    by_get, by_form, by_json = receiver.receipts
    assert by_get == by_form == by_json
    assert (by_get.message_id, by_get.message_status, by_get.level) == (
        fields["id"],
        fields["message_status"],
        int(fields["level"]),
    )
    assert by_get.from_handset == ("id_smsc" in fields)


def test_what_a_receipt_says() -> None:
    (_, level2), (_, level3_smsc) = [r for r in document_receipts() if r[0] in ("level2", "level3Smsc")]
    delivered = parse_delivery_receipt(urlencode(level2))
    assert delivered.delivered and delivered.final and delivered.from_handset
    assert delivered.done == dt.datetime(2026, 12, 1, 10, 1, tzinfo=dt.UTC)
    assert (delivered.submitted_count, delivered.delivered_count, delivered.error_code) == (1, 1, "000")
    accepted = parse_delivery_receipt(level3_smsc)
    assert accepted.delivered and not accepted.final and accepted.level == 3
    refused = parse_delivery_receipt({**level3_smsc, "message_status": "ESME_RINVDSTADR"})
    assert not refused.delivered and refused.final


@pytest.mark.parametrize(
    "body",
    [
        "message_status=DELIVRD&level=2",  # no id
        f"id={MESSAGE_ID}&message_status=DELIVERED&level=2",  # not a status of the document
        f"id={MESSAGE_ID}&message_status=DELIVRD&level=4",
        f"id={MESSAGE_ID}&id={MESSAGE_ID}&message_status=DELIVRD&level=2",  # a field twice
        f"id={MESSAGE_ID}&message_status=DELIVRD&level=2&donedate=2613451001",  # no such date
        '{"id": 1}',
        b"\xff\xfe",
    ],
)
def test_a_bad_receipt_is_a_webhook_error_naming_no_value(receiver: _Receiver, body: str | bytes) -> None:
    raw = body if isinstance(body, bytes) else body.encode()
    status, text = receiver.send("POST", "/dlr", raw, "application/x-www-form-urlencoded")
    assert status == 400 and "DELIVERED" not in text and "2613451001" not in text
    with pytest.raises(d.WebhookError):
        parse_delivery_receipt(body, content_type="application/x-www-form-urlencoded")
