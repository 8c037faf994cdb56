"""A pytest plugin, installed with the package (entry point `pytest11`): the `twofactor_emulator` fixture.

    def test_login(twofactor_emulator):
        my_app.send_login_code("+919999999999", base_url=twofactor_emulator.base_url,
                               api_key=twofactor_emulator.api_key)
        code = twofactor_emulator.latest_otp("+919999999999")

One emulator serves the whole session, on a free 127.0.0.1 port; each test gets it reset (messages,
OTP sessions, clock, credits, delivery delay and webhooks). Where it runs is the ini option
`twofactor_emulator_mode`:

- `thread` (default): uvicorn on a thread of the test process, over an in-memory database;
- `process`: `python -m twofactor_emulator` as a child process, as a deployed emulator runs.

`twofactor_emulator_config` (ini) names a TOML/JSON config file; without it, one account with
random keys is made. `twofactor_emulator_control_token` (ini, or the environment variable
`TWOFACTOR_EMULATOR_CONTROL_TOKEN`) makes the control API require that token; the fixture's
helpers and `client` send it, and `handle.control_headers` is the header for your own requests.
The fixture's value is a `twofactor_emulator.testing.EmulatorHandle`, with
helpers `latest_otp(phone)`, `wait_for_message(phone)`, `messages(phone)`, `advance_clock(s)`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .environment import CONTROL_TOKEN_ENV

if TYPE_CHECKING:
    from .testing import EmulatorHandle

# Registering the plugin must cost a test run nothing: pytest imports this module in every run of
# every project that has the emulator installed. So it imports only pytest; the emulator, uvicorn
# and httpx are imported by the session fixture, when a test first asks for the emulator.

MODES = ("thread", "process")


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's ini options."""
    parser.addini("twofactor_emulator_mode", "twofactor_emulator fixture: thread or process", default="thread")
    parser.addini("twofactor_emulator_config", "twofactor_emulator fixture: a TOML/JSON config file", default="")
    parser.addini(
        "twofactor_emulator_control_token",
        f"twofactor_emulator fixture: require this control token (default ${CONTROL_TOKEN_ENV})",
        default="",
    )


def _config(pytestconfig: pytest.Config) -> dict[str, Any]:
    path = str(pytestconfig.getini("twofactor_emulator_config"))
    if not path:
        from .testing import random_config

        return random_config()
    file = Path(pytestconfig.rootpath, path)
    text = file.read_text(encoding="utf-8")
    if file.suffix == ".json":
        data: dict[str, Any] = json.loads(text)
        return data
    import tomllib

    return tomllib.loads(text)


@pytest.fixture(scope="session")
def twofactor_emulator_session(pytestconfig: pytest.Config) -> Iterator[EmulatorHandle]:
    """The session's emulator (not reset between tests: use `twofactor_emulator`)."""
    mode = str(pytestconfig.getini("twofactor_emulator_mode"))
    if mode not in MODES:
        raise pytest.UsageError(f"twofactor_emulator_mode must be one of {', '.join(MODES)}, not {mode!r}")
    config = _config(pytestconfig)
    token = str(pytestconfig.getini("twofactor_emulator_control_token")) or os.environ.get(CONTROL_TOKEN_ENV) or None
    from .testing import ThreadEmulator, running_emulator

    if mode == "process":
        with running_emulator(config=config, control_token=token) as handle:
            yield handle
        return
    thread = ThreadEmulator(config, control_token=token)
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture
def twofactor_emulator(twofactor_emulator_session: EmulatorHandle) -> EmulatorHandle:
    """The emulator, reset: no messages, sessions or webhooks, the clock and credits back to the start."""
    handle = twofactor_emulator_session
    handle.reset()
    handle.client.put("/_emulator/delivery", json={"delaySeconds": 0}).raise_for_status()
    handle.client.put("/_emulator/webhooks", json={"url": None}).raise_for_status()
    return handle
