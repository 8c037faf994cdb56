"""Webhook URLs that match the document's pattern but cannot be used: refused where they are set, and an
attempt whose request fails in any way (not only an httpx error) is a failed, logged attempt that ends
after `maxAttempts`. Real emulator on a real socket; credentials in a URL never reach the log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from twofactor_emulator.core.webhooks import is_webhook_url, redacted_url
from twofactor_emulator.testing import EmulatorHandle

from ..conftest import Receiver, eventually
from .test_webhook_worker import bulk, log, webhooks

# Parses as an http URL (so it is accepted), but the request raises IDNAError (a bad A-label), no httpx error.
UNRESOLVABLE = "http://xn--zz.example/hook"


@pytest.mark.parametrize("url", ["http://a:x/hook", "http://a:99999/hook", "http://a:0/hook", "http:///hook"])
def test_a_url_without_a_usable_host_or_port_is_refused(emulator: EmulatorHandle, url: str) -> None:
    assert not is_webhook_url(url)
    reply = emulator.client.put("/_emulator/webhooks", json={"url": url})
    assert reply.status_code == 400, reply.text
    assert emulator.client.get("/_emulator/webhooks").json()["url"] is None


def test_an_attempt_that_raises_is_logged_and_given_up(emulator: EmulatorHandle) -> None:
    webhooks(emulator, url=UNRESOLVABLE, maxAttempts=2, backoffSeconds=1)
    message_id = bulk(emulator, "hello")
    first = eventually(lambda: [e for e in log(emulator) if e["messageId"] == message_id], "the first attempt")
    assert [(e["attempt"], e["error"], e["outcome"]) for e in first] == [(1, "IDNAError", "will retry")]
    emulator.client.post("/_emulator/clock/advance", json={"seconds": 1}).raise_for_status()
    both = eventually(lambda: [e for e in log(emulator) if e["messageId"] == message_id][1:] and log(emulator), "2")
    assert [e["outcome"] for e in both if e["messageId"] == message_id] == ["will retry", "gave up"]
    assert emulator.client.get("/_emulator/webhooks").json()["pending"] == 0


def test_the_log_masks_credentials_of_the_url(
    emulator: EmulatorHandle, receiver_factory: Callable[[int], Receiver]
) -> None:
    receiver = receiver_factory(0)
    url = receiver.url.replace("http://", "http://hook-user:hook-password@") + "?token=hook-token&shop=7"
    webhooks(emulator, url=url)
    message_id = bulk(emulator, "hello")
    eventually(receiver.acknowledged, "the report")  # the receiver got it, at the URL as given
    entry = eventually(lambda: [e for e in log(emulator) if e["messageId"] == message_id], "the report")[0]
    assert entry["outcome"] == "acknowledged"
    assert entry["url"] == receiver.url.replace("http://", "http://***@") + "?token=***&shop=***"
    text = emulator.client.get("/_emulator/webhooks/log").text
    assert "hook-password" not in text and "hook-token" not in text and "hook-user" not in text


def test_redacted_url_keeps_what_is_not_a_credential() -> None:
    assert redacted_url("https://example.com/a/b#f") == "https://example.com/a/b#f"
    assert redacted_url("http://u@[::1]:8080/x?a") == "http://***@[::1]:8080/x?a=***"
    assert redacted_url("http://a:x/") == "<unparsable URL>"
