"""Throughput and latency percentiles of one load run, whichever generator produced them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int  # replies that were not a 2Factor success (see bench.workloads.reply_ok), or failed
    seconds: float
    p50_ms: float | None
    p99_ms: float | None
    tool: str

    @property
    def rate(self) -> float:
        """Successful requests per second: errors do not count as throughput."""
        return (self.requests - self.errors) / self.seconds if self.seconds > 0 else 0.0


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile of already sorted values (None when there are none)."""
    if not sorted_values:
        return None
    rank = max(1, round(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]
