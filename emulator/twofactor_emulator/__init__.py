"""A stateful, persistent local emulator of the 2Factor.in SMS/OTP API.

Start it with the `twofactor-emulator` command, or in tests with `twofactor_emulator.testing`.
"""

__version__ = "0.1.0"
