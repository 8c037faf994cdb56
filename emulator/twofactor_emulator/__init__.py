"""A stateful, persistent local emulator of SMS/OTP provider APIs (2Factor.in first).

Start it with the `twofactor-emulator` command, or in tests with `twofactor_emulator.testing`.
Layout: `core/` (shared by every provider), `providers/` (one route family per provider, listed in
`providers/__init__.py`), `control/` (the `/_emulator/` control API), `app.py` (assembles them).
"""

__version__ = "0.1.0"
