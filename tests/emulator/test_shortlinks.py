"""Short links on a real socket: URLs in an R1 text become `/<HEADER>/<code>` links of the emulator,
one set per recipient; opening one redirects and posts the click webhooks as forms."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from twofactor_emulator.testing import EmulatorHandle

from .conftest import Receiver, eventually

pytestmark = pytest.mark.slow
PHONES = ("+919876543210", "+918765432109")
LONG_URL = "https://example.com/order/42?ref=sms"


def send(emulator: EmulatorHandle, **fields: str) -> None:
    form = {
        "module": "TRANS_SMS",
        "apikey": emulator.api_key,
        "to": ",".join(PHONES),
        "from": "TFACTR",
        "msg": f"Track your order at {LONG_URL} today",
        **fields,
    }
    reply = emulator.client.post("/API/R1/", data=form)
    assert reply.status_code == 200, reply.text


def links(emulator: EmulatorHandle) -> dict[str, str]:
    pattern = re.compile(re.escape(emulator.base_url) + r"/TFACTR/[a-z0-9]{10}")
    found = {}
    for message in emulator.messages():
        [link] = pattern.findall(message["text"])
        assert LONG_URL not in message["text"]
        found[message["to"]] = link
    return found


def test_shortenurl_links_redirect_and_post_the_short_url_webhook(
    emulator: EmulatorHandle, receiver_factory: Callable[[int], Receiver]
) -> None:
    receiver = receiver_factory(0)
    send(emulator, shortenurl="1", shortenurlwebhook=receiver.url, shortenurlcallback="user_789")
    by_phone = links(emulator)
    assert len(set(by_phone.values())) == 2  # each recipient has a link of their own
    opened = emulator.client.get(by_phone[PHONES[1]], follow_redirects=False)
    assert (opened.status_code, opened.headers["location"]) == (302, LONG_URL)
    [click] = eventually(receiver.acknowledged, "the short-URL webhook")
    assert click["phoneNo"] == "8765432109" and click["ip"] == "127.0.0.1"
    assert (click["shortUrl"], click["longUrl"], click["callbackValue"]) == (by_phone[PHONES[1]], LONG_URL, "user_789")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", click["accessed"])
    # The log entry lands once the receiver's reply is back, a little after the receiver saw the body.
    log = eventually(lambda: emulator.client.get("/_emulator/webhooks/log").json()["attempts"], "the log entry")
    assert [(a["url"], a["outcome"]) for a in log] == [(receiver.url, "acknowledged")]


def test_the_click_log_masks_credentials_of_the_webhook_url(
    emulator: EmulatorHandle, receiver_factory: Callable[[int], Receiver]
) -> None:
    receiver = receiver_factory(0)
    url = receiver.url.replace("http://", "http://click-user:click-password@") + "?token=click-token"
    send(emulator, shortenurl="1", shortenurlwebhook=url)
    emulator.client.get(links(emulator)[PHONES[0]], follow_redirects=False)
    eventually(receiver.acknowledged, "the short-URL webhook")
    log = eventually(lambda: emulator.client.get("/_emulator/webhooks/log").json()["attempts"], "the log entry")
    assert [a["url"] for a in log] == [receiver.url.replace("http://", "http://***@") + "?token=***"]
    text = emulator.client.get("/_emulator/webhooks/log").text
    assert "click-password" not in text and "click-token" not in text and "click-user" not in text


def test_campaign_links_post_the_click_tracking_form(
    emulator: EmulatorHandle, receiver_factory: Callable[[int], Receiver]
) -> None:
    receiver = receiver_factory(0)
    send(emulator, campaignname="DiwaliSale", campaignwebhook=receiver.url)
    link = links(emulator)[PHONES[0]]
    assert emulator.client.get(link, follow_redirects=False).headers["location"] == LONG_URL
    [click] = eventually(receiver.acknowledged, "the campaign webhook")
    assert set(click) == {"accessed", "phoneNo", "campaignName", "ip"}
    assert (click["phoneNo"], click["campaignName"]) == ("9876543210", "DiwaliSale")


def test_without_the_flags_urls_stay_and_unknown_codes_are_404(emulator: EmulatorHandle) -> None:
    send(emulator)
    assert all(LONG_URL in m["text"] for m in emulator.messages())
    unknown = emulator.client.get("/TFACTR/zzzzzz")
    assert unknown.status_code == 404 and unknown.json()["Status"] == "Error"
    assert emulator.client.get("/_emulator/nothing").json() == {"error": "Invalid Request - No Such Route"}
