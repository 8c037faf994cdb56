"""Retention on a real socket: messages pruned past a count at once and then in the background,
and past an age on the emulator's clock."""

from __future__ import annotations

from typing import Any

import pytest
from twofactor_emulator.testing import EmulatorHandle

from .conftest import eventually

pytestmark = pytest.mark.slow
PHONE = "+919876543210"


def send(emulator: EmulatorHandle, count: int) -> None:
    for _ in range(count):
        emulator.client.get(f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN").raise_for_status()


def retention(emulator: EmulatorHandle, body: dict[str, Any]) -> dict[str, Any]:
    reply = emulator.client.put("/_emulator/retention", json=body)
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


def test_pruned_past_a_count_keeping_the_newest(emulator: EmulatorHandle) -> None:
    send(emulator, 5)
    newest = [m["seq"] for m in emulator.messages()][:3]
    assert retention(emulator, {"maxMessages": 3})["prunedNow"] == 2
    assert [m["seq"] for m in emulator.messages()] == newest
    send(emulator, 4)
    eventually(lambda: len(emulator.messages()) == 3, "the background prune")
    assert emulator.client.get("/_emulator/retention").json()["prunedSinceStart"] == 6
    # The newest OTP is still readable after pruning.
    assert emulator.latest_otp(PHONE) == emulator.messages()[0]["otp"]


def test_pruned_past_an_age_on_the_emulator_clock(emulator: EmulatorHandle) -> None:
    send(emulator, 2)
    assert retention(emulator, {"maxAgeSeconds": 3600})["prunedNow"] == 0
    emulator.advance_clock(1800)
    send(emulator, 1)
    emulator.advance_clock(1801)  # the first two are now older than an hour, the third is not
    eventually(lambda: len(emulator.messages()) == 1, "the background prune of the old messages")
    assert retention(emulator, {"maxMessages": None, "maxAgeSeconds": None}) == {
        "maxMessages": None,
        "maxAgeSeconds": None,
        "prunedNow": 0,
        "prunedSinceStart": 2,
    }


@pytest.mark.parametrize(
    "body", [{"maxMessages": 0}, {"maxMessages": 2.5}, {"maxAgeSeconds": -1}, {"maxAgeSeconds": "1h"}]
)
def test_bad_retention_is_refused_and_prunes_nothing(emulator: EmulatorHandle, body: dict[str, Any]) -> None:
    send(emulator, 2)
    reply = emulator.client.put("/_emulator/retention", json=body)
    assert reply.status_code == 400 and reply.json()["error"]
    assert len(emulator.messages()) == 2
