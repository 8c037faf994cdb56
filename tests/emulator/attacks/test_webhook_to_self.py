"""Webhook URLs that point at the emulator itself are refused (the delivery-report URL, and the campaign
and short-URL webhooks of a send), whatever the spelling of the loopback address: a report posted to
`/_emulator/reset` would wipe the outbox."""

from __future__ import annotations

import pytest
from twofactor_emulator.testing import EmulatorHandle

pytestmark = pytest.mark.slow
PHONE = "9876543210"


def self_urls(emulator: EmulatorHandle) -> list[str]:
    port = emulator.base_url.rsplit(":", 1)[1]
    return [
        f"{emulator.base_url}/_emulator/reset",
        f"http://localhost:{port}/_emulator/reset",
        f"http://127.1:{port}/_emulator/clock/advance",
        f"http://2130706433:{port}/_emulator/reset",
        f"http://127.0.0.2:{port}/API/R1/",
        f"http://[::ffff:127.0.0.1]:{port}/_emulator/reset",
        f"http://0.0.0.0:{port}/_emulator/reset",
    ]


def test_the_delivery_report_url_cannot_point_at_the_emulator(emulator: EmulatorHandle) -> None:
    for url in self_urls(emulator):
        reply = emulator.client.put("/_emulator/webhooks", json={"url": url})
        assert reply.status_code == 400, url
        assert "itself" in reply.json()["error"]
    assert emulator.client.get("/_emulator/webhooks").json()["url"] is None
    # Another port on loopback is somebody else: accepted.
    other = emulator.client.put("/_emulator/webhooks", json={"url": "http://127.0.0.1:9/dlr"})
    assert other.status_code == 200


@pytest.mark.parametrize("field", ["campaignwebhook", "shortenurlwebhook"])
def test_a_send_whose_click_webhook_points_at_the_emulator_is_refused(emulator: EmulatorHandle, field: str) -> None:
    form = {"module": "TRANS_SMS", "apikey": emulator.api_key, "to": PHONE, "from": "TFACTR"}
    form |= {"msg": "see https://example.com/x", "campaignname": "c", field: self_urls(emulator)[1]}
    reply = emulator.client.post("/API/R1/", data=form)
    assert reply.status_code == 400
    assert reply.json() == {
        "Status": "Error",
        "Details": f"Invalid Parameter - {field} (the emulator does not post webhooks to itself)",
    }
    assert emulator.messages() == []  # nothing stored, nothing charged
