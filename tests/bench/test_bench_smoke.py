"""The benchmark command still starts and prints its table (smoke mode: no wrk, no Prism, no
network, tiny runs). No figure is asserted: speed belongs in bench/, not in the test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECTIONS = ("envelope", "load", "bulk", "cold start", "client", "wall time")


@pytest.mark.slow
def test_smoke_mode_prints_a_table_with_every_section(tmp_path: Path) -> None:
    out_file = tmp_path / "report.md"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out_file)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert "| Section | Subject | Load | Conns | Result |" in result.stdout
    assert any("logical cores" in line for line in lines), "the core count must be in the output"
    rows = [line for line in lines if line.startswith("| ") and not line.startswith("| Section")]
    for section in SECTIONS:
        assert any(row.startswith(f"| {section} |") for row in rows), f"no row for {section}"
    # Absent tools are skipped with a reason; a section that crashed is a broken benchmark.
    assert not [row for row in rows if "failed:" in row], "\n".join(rows)
    # The loads must be valid requests: a load the emulator answers with errors measures nothing.
    assert not [row for row in rows if "errors (not counted" in row], "\n".join(rows)
    assert "skipped: smoke mode" in result.stdout  # Prism and the wall times are not run in smoke mode
    assert out_file.read_text().strip() == result.stdout.strip()
