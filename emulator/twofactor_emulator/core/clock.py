"""The emulator's clock: real time plus an offset kept in the database, so tests can advance it.

The clock stays within the dates Python (and every reply's timestamp format) can write: it never
passes `LATEST`, the start of year 9999, which leaves a year for what is added to it (an OTP's
expiry, a delivery delay, a webhook's backoff). An advance past it is refused; a stored offset out of
range (written by an older emulator, or edited by hand) is brought back into range at start.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta, timezone

INDIA = timezone(timedelta(hours=5, minutes=30), "IST")
MAX_ADVANCE_SECONDS = 10 * 365 * 24 * 3600
LATEST = datetime(9999, 1, 1, tzinfo=UTC).timestamp()  # the clock's upper bound, epoch seconds
_FORMATTABLE = (0.0, datetime(9999, 12, 30, tzinfo=UTC).timestamp())  # a stored time outside shows clamped


class ClockRangeError(ValueError):
    """An advance would take the clock past `LATEST`."""


def _formattable(epoch: float) -> float:
    low, high = _FORMATTABLE
    return min(max(epoch, low), high) if math.isfinite(epoch) else low


def iso_utc(epoch: float) -> str:
    """ISO 8601 UTC with milliseconds and a Z, as the bulk replies write it."""
    stamp = datetime.fromtimestamp(_formattable(epoch), UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def india_text(epoch: float) -> str:
    """India time `YYYY-MM-DD HH:MM:SS`, the Timestamp schema of the document."""
    return datetime.fromtimestamp(_formattable(epoch), INDIA).strftime("%Y-%m-%d %H:%M:%S")


def india_date(epoch: float) -> str:
    """India date `YYYY-MM-DD`."""
    return datetime.fromtimestamp(_formattable(epoch), INDIA).strftime("%Y-%m-%d")


def parse_india(text: str) -> float:
    """Parse `YYYY-MM-DD HH:MM:SS` India time to epoch seconds; ValueError when invalid."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=INDIA).timestamp()


class Clock:
    """now() = wall clock + offset. The offset lives in the store so it survives a restart."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def now(self) -> float:
        """The emulator's current time, epoch seconds."""
        return time.time() + self.offset

    def advanced(self, seconds: float) -> float:
        """The offset after moving forward `seconds`; ClockRangeError past `LATEST`."""
        offset = self.offset + seconds
        if time.time() + offset > LATEST:
            raise ClockRangeError(
                f"the clock cannot pass {iso_utc(LATEST)}: at most {self.headroom():.0f} seconds more"
            )
        return offset

    def headroom(self) -> float:
        """Seconds the clock may still be advanced."""
        return max(0.0, LATEST - self.now())


def stored_offset(raw: str | None) -> tuple[float, bool]:
    """The offset a database stored, brought into range; and whether it had to be repaired."""
    if raw is None:
        return 0.0, False
    try:
        offset = float(raw)
    except ValueError:
        return 0.0, True
    if not math.isfinite(offset) or offset < 0:
        return 0.0, True
    latest = LATEST - time.time()
    if offset > latest:
        return latest, True
    return offset, False
