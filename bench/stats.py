"""Throughput and latency percentiles of one load run, whichever generator produced them."""

from __future__ import annotations

import statistics
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
    server_cpu_s: float | None = None  # user+system CPU the server's processes spent during the run

    @property
    def cpu_us_per_request(self) -> float | None:
        """Server CPU per request: on a shared machine, steadier than the rate (it ignores waiting)."""
        if self.server_cpu_s is None or not self.requests:
            return None
        return self.server_cpu_s / self.requests * 1e6

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


def combine(runs: Sequence[LoadResult]) -> LoadResult:
    """Several runs of one target as one: totals for the rate, medians of the per-run percentiles."""
    p50s = [r.p50_ms for r in runs if r.p50_ms is not None]
    p99s = [r.p99_ms for r in runs if r.p99_ms is not None]
    return LoadResult(
        requests=sum(r.requests for r in runs),
        errors=sum(r.errors for r in runs),
        seconds=sum(r.seconds for r in runs),
        p50_ms=statistics.median(p50s) if p50s else None,
        p99_ms=statistics.median(p99s) if p99s else None,
        tool=runs[0].tool,
        server_cpu_s=None if any(r.server_cpu_s is None for r in runs) else sum(r.server_cpu_s or 0 for r in runs),
    )
