"""A circuit breaker per provider, on an injectable clock (tests move time; nothing sleeps).

CLOSED: requests pass; `failure_threshold` failures in a row open it.
OPEN: requests are skipped until `reset_after` seconds have passed on the clock.
HALF_OPEN: one probe passes; its success closes the breaker, its failure opens it again. A probe
that never reports (its task was cancelled) frees its place after another `reset_after`.

Thread-safe: the sync gateway may be shared by a web server's threads.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable

__all__ = ["BreakerState", "CircuitBreaker"]


class BreakerState(enum.StrEnum):
    """Where a breaker stands."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


StateChange = Callable[[str, BreakerState, BreakerState], None]


class CircuitBreaker:
    """One provider's breaker. `on_change(name, old, new)` is called on every transition."""

    def __init__(
        self,
        name: str,
        *,
        clock: Callable[[], float],
        failure_threshold: int = 3,
        reset_after: float = 30.0,
        on_change: StateChange | None = None,
    ) -> None:
        if failure_threshold < 1 or reset_after <= 0:
            raise ValueError("failure_threshold must be 1 or more and reset_after more than 0")
        self.name = name
        self._clock = clock
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self._on_change = on_change
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_started: float | None = None

    def __repr__(self) -> str:
        return f"CircuitBreaker({self.name!r}, state={self._state.value!r}, failures={self._failures})"

    @property
    def state(self) -> BreakerState:
        """The state now: an OPEN breaker whose time has come reads HALF_OPEN (without taking the probe)."""
        with self._lock:
            if self._state is BreakerState.OPEN and self._clock() >= self._opened_at + self.reset_after:
                return BreakerState.HALF_OPEN
            return self._state

    def allow(self) -> bool:
        """May a request go to this provider now? In HALF_OPEN, True takes the one probe's place."""
        changed: tuple[BreakerState, BreakerState] | None = None
        with self._lock:
            now = self._clock()
            if self._state is BreakerState.OPEN:
                if now < self._opened_at + self.reset_after:
                    return False
                changed = (self._state, BreakerState.HALF_OPEN)
                self._state = BreakerState.HALF_OPEN
                self._probe_started = None
            if self._state is BreakerState.HALF_OPEN:
                if self._probe_started is not None and now < self._probe_started + self.reset_after:
                    allowed = False
                else:
                    self._probe_started = now
                    allowed = True
            else:
                allowed = True
        if changed is not None:
            self._notify(*changed)
        return allowed

    def record_success(self) -> None:
        """The provider answered as it should: close the breaker."""
        with self._lock:
            old = self._state
            self._state, self._failures, self._probe_started = BreakerState.CLOSED, 0, None
        if old is not BreakerState.CLOSED:
            self._notify(old, BreakerState.CLOSED)

    def record_failure(self) -> None:
        """The provider failed: count it; open the breaker at the threshold, or at once in HALF_OPEN."""
        with self._lock:
            old = self._state
            self._failures += 1
            if old is BreakerState.HALF_OPEN or (
                old is BreakerState.CLOSED and self._failures >= self.failure_threshold
            ):
                self._state, self._opened_at, self._probe_started = BreakerState.OPEN, self._clock(), None
            new = self._state
        if new is not old:
            self._notify(old, new)

    def release(self) -> None:
        """The request proved nothing either way (a per-number throttle): free a probe's place."""
        with self._lock:
            self._probe_started = None

    def _notify(self, old: BreakerState, new: BreakerState) -> None:
        if self._on_change is not None:
            self._on_change(self.name, old, new)
