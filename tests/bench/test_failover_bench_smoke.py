"""The failover bench still runs and reports every measure (a few logins; no figure is asserted,
except that no code was ever verified twice, which is correctness, not speed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_failover_bench_smoke() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.failover_bench", "--logins", "40", "--concurrency", "4", "--policies", "default"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for measure in ("| success |", "| SMS per login |", "| extra latency of failover p50 / p99 |", "load average"):
        assert measure in result.stdout
    assert "| double verifies | 0 |" in result.stdout
