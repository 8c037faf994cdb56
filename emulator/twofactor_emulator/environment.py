"""The environment variables the emulator reads, by name (the README's Configuration table lists them).

A module of its own so that the pytest plugin can name them without importing the emulator.
"""

HOST_ENV = "TWOFACTOR_EMULATOR_HOST"
PORT_ENV = "TWOFACTOR_EMULATOR_PORT"
DB_ENV = "TWOFACTOR_EMULATOR_DB"
CONFIG_ENV = "TWOFACTOR_EMULATOR_CONFIG"
PUBLIC_URL_ENV = "TWOFACTOR_EMULATOR_PUBLIC_URL"
CONTROL_TOKEN_ENV = "TWOFACTOR_EMULATOR_CONTROL_TOKEN"  # noqa: S105 - the variable's name, not a token
URL_ENV = "TWOFACTOR_EMULATOR_URL"  # where `twofactor-emulator otp` finds a running emulator
