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
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from .cli import CONTROL_TOKEN_ENV, listening_socket
from .core.config import resolve_config
from .core.edge import ServerSettings
from .providers import config_sections
from .server import uvicorn_config
from .testing import (
    STARTUP_SECONDS,
    EmulatorHandle,
    create_app,
    provider_credentials,
    random_config,
    running_emulator,
)

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


class ThreadEmulator(EmulatorHandle):
    """The emulator served by uvicorn on a thread of this process (same helpers as a child process)."""

    def __init__(self, config: dict[str, Any], control_token: str | None = None) -> None:
        parsed = resolve_config(config, config_sections())
        assert parsed is not None and parsed.accounts
        sock = listening_socket("127.0.0.1", 0)  # bound here: no other process can take the port meanwhile
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings = ServerSettings(public_url=self.base_url, control_token=control_token, bind_host="127.0.0.1")
        app = create_app(db=":memory:", config=parsed, settings=settings)
        self.server = uvicorn.Server(uvicorn_config(app))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.name = "twofactor-emulator"
        self.thread.start()
        self.api_key = parsed.accounts[0].api_key
        self.secret_key = parsed.accounts[0].secret_key
        self.control_token = control_token
        self.credentials = provider_credentials(config)
        self.client = httpx.Client(base_url=self.base_url, timeout=30.0, headers=self.control_headers)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the emulator thread did not start")
            time.sleep(0.01)

    def __repr__(self) -> str:
        return f"ThreadEmulator(base_url={self.base_url!r})"

    def kill(self) -> None:
        """Stop serving at once."""
        self.server.force_exit = True
        self.stop()

    def stop(self) -> None:
        """Shut uvicorn down and wait for its thread."""
        self.client.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _config(pytestconfig: pytest.Config) -> dict[str, Any]:
    path = str(pytestconfig.getini("twofactor_emulator_config"))
    if not path:
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
