"""The emulator's clock: real time plus an offset kept in the database, so tests can advance it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

INDIA = timezone(timedelta(hours=5, minutes=30), "IST")
MAX_ADVANCE_SECONDS = 10 * 365 * 24 * 3600


def iso_utc(epoch: float) -> str:
    """ISO 8601 UTC with milliseconds and a Z, as the bulk replies write it."""
    stamp = datetime.fromtimestamp(epoch, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def india_text(epoch: float) -> str:
    """India time `YYYY-MM-DD HH:MM:SS`, the Timestamp schema of the document."""
    return datetime.fromtimestamp(epoch, INDIA).strftime("%Y-%m-%d %H:%M:%S")


def india_date(epoch: float) -> str:
    """India date `YYYY-MM-DD`."""
    return datetime.fromtimestamp(epoch, INDIA).strftime("%Y-%m-%d")


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
