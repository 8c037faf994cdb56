"""Delivery reports: every message goes SCHEDULED -> SENT -> a final status, on the emulator's clock.

Nothing is written per message: a message's status is a function of its send time, the configured
delivery delay, the emulator's clock and its phone number. So the request hot path pays nothing,
and advancing the clock moves every message forward at once.

- SCHEDULED until the clock reaches `scheduletime` (R1 sends with a schedule);
- SENT for `delay_seconds` after that;
- then DELIVERED, or the final status of a magic test number (below).

The delay is one emulator-wide setting, stored in the database's meta table; changing it moves
the delivery time of messages already sent too (their status is computed, not stored).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from .store import Store

SCHEDULED = "SCHEDULED"
SENT = "SENT"
DELIVERED = "DELIVERED"
FAILED = "FAILED"
DND = "DND"
INVALID_NUMBER = "INVALID_NUMBER"

# Magic test numbers: a message to one of these ends in the status shown instead of DELIVERED.
# Full numbers (not suffixes) so that no ordinary test number hits one by chance. The README lists them.
MAGIC_NUMBERS: dict[str, str] = {
    "+919000000001": FAILED,
    "+919000000002": DND,
    "+919000000003": INVALID_NUMBER,
}

DEFAULT_DELAY_SECONDS = 0.0  # the existing flows expect DELIVERED at once; the docs' example took 2 s
MAX_DELAY_SECONDS = 7 * 24 * 3600
_META_KEY = "delivery_settings"


@dataclass
class DeliverySettings:
    """How long a message stays SENT before its final status, in emulator seconds."""

    delay_seconds: float = DEFAULT_DELAY_SECONDS

    @classmethod
    def load(cls, store: Store) -> DeliverySettings:
        """The settings stored in `store`, or the defaults."""
        raw = store.get_meta(_META_KEY)
        return cls(**json.loads(raw)) if raw else cls()

    def save(self, store: Store) -> None:
        """Persist the settings (they survive a restart)."""
        store.set_meta(_META_KEY, json.dumps(asdict(self)))


def final_status(phone: str) -> str:
    """The status a message to `phone` ends in."""
    return MAGIC_NUMBERS.get(phone, DELIVERED)


def sent_at(message: dict[str, Any]) -> float:
    """When the message left: its schedule time if it had one, else when it was accepted."""
    scheduled = message.get("scheduled_at")
    return float(scheduled) if scheduled is not None else float(message["created_at"])


def status_at(message: dict[str, Any], settings: DeliverySettings) -> float:
    """When the message reaches its final status."""
    return sent_at(message) + settings.delay_seconds


def message_status(message: dict[str, Any], now: float, settings: DeliverySettings) -> str:
    """The message's delivery status at emulator time `now`."""
    if now < sent_at(message):
        return SCHEDULED
    if now < status_at(message, settings):
        return SENT
    return final_status(str(message["phone"]))
