"""The release version, read from the installed distribution's metadata (the one source is VERSION)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DISTRIBUTION", "distribution_version"]

DISTRIBUTION = "twofactor-client"


def distribution_version() -> str:
    """The version of the `twofactor-client` distribution (every client package and this base).

    Imported on demand: `importlib.metadata` costs milliseconds that `import twofactor` should not pay.
    A source checkout that was never installed reads the repository's VERSION file instead.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        source = Path(__file__).resolve().parents[2] / "VERSION"
        return source.read_text().strip() if source.is_file() else "0+unknown"
