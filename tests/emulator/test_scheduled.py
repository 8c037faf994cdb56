"""Scheduled sends on a real socket: held (SCHEDULED) until the emulator's clock reaches
`scheduletime`, then sent, with the delivery delay counted from then."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from twofactor_emulator.core.clock import INDIA
from twofactor_emulator.testing import EmulatorHandle

pytestmark = pytest.mark.slow
PHONE = "+919876543210"


def test_a_scheduled_message_is_held_until_the_clock_reaches_its_time(emulator: EmulatorHandle) -> None:
    emulator.client.put("/_emulator/delivery", json={"delaySeconds": 5}).raise_for_status()
    now = datetime.fromisoformat(emulator.client.get("/_emulator/clock").json()["now"].replace("Z", "+00:00"))
    at = (now + timedelta(minutes=10)).astimezone(INDIA).replace(microsecond=0)
    form = {
        "module": "TRANS_SMS",
        "apikey": emulator.api_key,
        "to": PHONE,
        "from": "HEADER",
        "msg": "Your appointment is tomorrow",
        "scheduletime": at.strftime("%Y-%m-%d %H:%M:%S"),
    }
    assert emulator.client.post("/API/R1/", data=form).status_code == 200

    def status() -> str:
        message = emulator.latest_message(PHONE)
        assert message is not None
        return str(message["status"])

    assert status() == "SCHEDULED"
    emulator.advance_clock(9 * 60)
    assert status() == "SCHEDULED"
    emulator.advance_clock(61)  # past the schedule time, within the delivery delay
    assert status() == "SENT"
    emulator.advance_clock(5)
    assert status() == "DELIVERED"
