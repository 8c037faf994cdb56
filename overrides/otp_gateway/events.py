"""What the gateway reports for monitoring: one `GatewayEvent` per step, as log records and callbacks.

Events name providers, ticket ids, failure kinds, breaker transitions and timings. They never hold
a code, a key, a token or a whole phone number (`phone` is masked). Records go to the logger
`otp_gateway` (INFO; failures WARNING), with the event in `record.otp_event` for structured
handlers; callbacks given to the gateway get the same object.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["EventSink", "GatewayEvent", "logger"]

logger = logging.getLogger("otp_gateway")
logger.addHandler(logging.NullHandler())  # a library: the app decides where records go

# Event names, and what each means:
SEND_ATTEMPT = "send_attempt"  # a provider is asked to send
SENT = "sent"  # it sent (elapsed_ms: its reply time)
SEND_FAILED = "send_failed"  # it did not send (kind, reason)
SEND_SKIPPED = "send_skipped"  # its breaker is open
SEND_AMBIGUOUS = "send_ambiguous"  # it may have sent; the ticket says so
ALL_FAILED = "all_failed"  # no provider sent
BREAKER = "breaker"  # a breaker moved (previous_state -> state)
VERIFIED = "verified"  # a verify's outcome
VERIFY_FAILED = "verify_failed"  # the issuing provider could not be asked

_WARNINGS = frozenset({SEND_FAILED, SEND_AMBIGUOUS, ALL_FAILED, VERIFY_FAILED})


@dataclass(frozen=True)
class GatewayEvent:
    """One step of a send or verify, or a breaker transition."""

    name: str
    provider: str | None = None
    ticket_id: str | None = None
    phone: str | None = None  # masked
    kind: str | None = None
    reason: str | None = None
    status_code: int | None = None
    elapsed_ms: float | None = None
    previous_state: str | None = None
    state: str | None = None
    outcome: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The fields that are set."""
        return {key: value for key, value in asdict(self).items() if value is not None}


class EventSink:
    """Sends each event to the logger and to every callback (a failing callback is logged, not raised)."""

    def __init__(self, callbacks: Sequence[Callable[[GatewayEvent], None]] = ()) -> None:
        self._callbacks = tuple(callbacks)

    def __call__(self, event: GatewayEvent) -> None:
        level = logging.WARNING if event.name in _WARNINGS else logging.INFO
        if logger.isEnabledFor(level):
            shown = " ".join(f"{key}={value}" for key, value in event.as_dict().items() if key != "name")
            logger.log(level, "%s %s", event.name, shown, extra={"otp_event": event})
        for callback in self._callbacks:
            try:
                callback(event)
            except Exception:  # a monitoring hook must not break a login
                logger.exception("an event callback failed on %s", event.name)
