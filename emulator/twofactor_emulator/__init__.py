"""A stateful, persistent local emulator of SMS/OTP provider APIs (2Factor.in first).

Start it with the `twofactor-emulator` command, or in tests with `twofactor_emulator.testing`.
Layout: `core/` (shared by every provider), `providers/` (one route family per provider, listed in
`providers/__init__.py`), `control/` (the `/_emulator/` control API), `app.py` (assembles them).
"""

from __future__ import annotations

from pathlib import Path

DISTRIBUTION = "twofactor-emulator"


def __getattr__(name: str) -> str:
    # `__version__` is read from the installed distribution's metadata (whose one source is the
    # repository's VERSION file) on first use: the pytest plugin imports this package in every test
    # run, and importlib.metadata costs milliseconds.
    if name != "__version__":
        raise AttributeError(f"module 'twofactor_emulator' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # a source checkout that was never installed
        source = Path(__file__).resolve().parents[1] / "VERSION"
        return source.read_text().strip() if source.is_file() else "0+unknown"
