"""The webhook parsers on bodies the emulator really posts: bulk delivery reports after a
`client.bulk.send`, and campaign / short-URL clicks after opening a short link of a `client.sms.send`.

A small HTTP server on a real local socket receives the posts; the tests wait for them (up to a
generous limit, no timing asserted) and parse them with `parse_delivery_report` / `parse_click`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from twofactor import CampaignClick, ShortUrlClick, TwoFactor, parse_click, parse_delivery_report
from twofactor_emulator.testing import EmulatorHandle

from .conftest import API_KEY, PHONE

WAIT_SECONDS = 20.0


class Receiver:
    """Collects (path, content type, body) of every POST; answers 200."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str, bytes]] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.arrived:
                    receiver.posts.append((self.path, self.headers.get("Content-Type", ""), body))
                    receiver.arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, path: str, count: int) -> list[tuple[str, bytes]]:
        """The (content type, body) of the first `count` posts to `path`; fails after WAIT_SECONDS."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self._to(path)) >= count, timeout=WAIT_SECONDS)
            found = self._to(path)
        assert len(found) >= count, f"{len(found)} of {count} posts to {path} arrived"
        return found[:count]

    def _to(self, path: str) -> list[tuple[str, bytes]]:
        return [(kind, body) for where, kind, body in self.posts if where == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    listening = Receiver()
    yield listening
    listening.server.shutdown()
    listening.server.server_close()


def test_bulk_delivery_reports(emulator: EmulatorHandle, receiver: Receiver) -> None:
    emulator.client.put("/_emulator/webhooks", json={"url": f"{receiver.url}/dlr"}).raise_for_status()
    try:
        with TwoFactor(API_KEY, base_url=emulator.base_url) as client:
            result = client.bulk.send(
                [
                    {"sender": "TFACTR", "to": PHONE, "text": "one", "callback_value1": "order_1"},
                    {"sender": "TFACTR", "to": "+918888888888", "text": "two", "callback_value2": "cust_2"},
                ]
            )
        posts = receiver.wait_for("/dlr", 2)
    finally:
        emulator.client.put("/_emulator/webhooks", json={"url": None})
    reports = {report.session_id: report for report in (parse_delivery_report(body) for _, body in posts)}
    assert set(reports) == set(result.message_ids)
    first, second = (reports[item.message_id] for item in result.accepted)
    assert (first.to, first.status, first.delivered, first.callback_value1) == (
        "9999999999",
        "DELIVERED",
        True,
        "order_1",
    )
    assert (second.sender, second.callback_value1, second.callback_value2) == ("TFACTR", None, "cust_2")
    assert all(kind.startswith("application/json") for kind, _ in posts)


def test_campaign_and_short_url_clicks(emulator: EmulatorHandle, receiver: Receiver) -> None:
    with TwoFactor(API_KEY, base_url=emulator.base_url) as client:
        client.sms.send(
            PHONE,
            "TFACTR",
            "Diwali offer: https://example.com/offer",
            campaign="DiwaliSale",
            campaign_webhook=f"{receiver.url}/campaign",
            shorten_urls=True,
            shorten_url_webhook=f"{receiver.url}/short",
            shorten_url_callback="user_789",
        )
    [message] = emulator.messages(phone=PHONE)
    links = re.findall(r"https?://\S+/TFACTR/[a-z0-9]+", message["text"])
    assert len(links) == 1, message["text"]
    opened = httpx.get(links[0], follow_redirects=False, timeout=30)
    assert (opened.status_code, opened.headers["location"]) == (302, "https://example.com/offer")

    [(campaign_kind, campaign_body)] = receiver.wait_for("/campaign", 1)
    [(_, short_body)] = receiver.wait_for("/short", 1)
    assert campaign_kind.startswith("application/x-www-form-urlencoded")
    campaign = parse_click(campaign_body)
    assert isinstance(campaign, CampaignClick)
    assert (campaign.campaign_name, campaign.phone, campaign.ip) == ("DiwaliSale", "9999999999", "127.0.0.1")
    short = parse_click(short_body)
    assert isinstance(short, ShortUrlClick)
    assert (short.short_url, short.long_url, short.callback_value) == (
        links[0],
        "https://example.com/offer",
        "user_789",
    )
