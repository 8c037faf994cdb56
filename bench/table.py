"""One row per measurement, rendered as a markdown table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

COLUMNS = ("Section", "Subject", "Load", "Conns", "Result", "p50 ms", "p99 ms", "Ratio", "Goal", "Met", "Note")


@dataclass
class Row:
    """A measured figure, or a skipped one (`rate` None and the reason in `note`)."""

    section: str
    subject: str
    load: str = ""
    conns: int | None = None
    rate: float | None = None
    unit: str = "req/s"
    p50_ms: float | None = None
    p99_ms: float | None = None
    ratio: float | None = None
    ratio_vs: str = ""
    goal: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def skipped(self) -> bool:
        return self.rate is None and self.p50_ms is None


def skipped(section: str, subject: str, reason: str, load: str = "", conns: int | None = None) -> Row:
    """A row that says what was not measured and why."""
    return Row(section, subject, load=load, conns=conns, note=f"skipped: {reason}")


def _number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}f}"


def render(rows: Sequence[Row]) -> str:
    """The rows as a GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for row in rows:
        rate = "-" if row.rate is None else f"{_number(row.rate)} {row.unit}"
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}× {row.ratio_vs}".strip()
        met = "-" if row.met is None else ("yes" if row.met else "**no**")
        cells = (
            row.section,
            row.subject,
            row.load or "-",
            "-" if row.conns is None else str(row.conns),
            rate,
            _number(row.p50_ms),
            _number(row.p99_ms),
            ratio,
            row.goal or "-",
            met,
            row.note.replace("|", "/"),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
