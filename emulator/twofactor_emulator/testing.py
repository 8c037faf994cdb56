"""Helpers for tests: the app in-process, on a thread of this process (`ThreadEmulator`, what the
pytest plugin uses by default), or a real emulator process on a free port.

app = create_app(db=":memory:", config={"accounts": [{"api_key": ..., "secret_key": ..., "sandbox": False}]})

with running_emulator() as emulator:
    httpx.get(f"{emulator.base_url}/API/V1/{emulator.api_key}/SMS/+919999999999/AUTOGEN")
    otp = emulator.latest_otp("+919999999999")

With a control token (`running_emulator(control_token=...)`), the handle's helpers and its `client`
send it as `Authorization: Bearer`; `handle.control_headers` gives the header to your own client.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from .app import build_app
from .cli import CONTROL_TOKEN_ENV, listening_socket
from .core.config import EmulatorConfig, resolve_config
from .core.edge import ServerSettings
from .core.service import open_service
from .providers import config_sections
from .server import EmulatorServer, uvicorn_config

ConfigValue = EmulatorConfig | dict[str, Any] | str | Path | None
STARTUP_SECONDS = 30.0


IN_PROCESS = ServerSettings(in_process=True)


def create_app(
    db: str | Path = ":memory:", config: ConfigValue = None, settings: ServerSettings = IN_PROCESS
) -> Starlette:
    """The emulator's ASGI app on database `db`, with accounts from `config` (a dict of the TOML's
    shape, a TOML/JSON file, or None for one default account).

    `settings` default to in-process use (any `Host`: httpx's and Starlette's test hosts are made up);
    serving the app on a socket, pass `ServerSettings()` (or run `twofactor-emulator serve`)."""
    return build_app(open_service(str(db), resolve_config(config, config_sections())), settings)


def random_config(sandbox: bool | list[str] = False) -> dict[str, Any]:
    """A config dict with one account of each provider, with fresh random keys."""
    return {
        "accounts": [{"api_key": str(uuid.uuid4()), "secret_key": secrets.token_hex(16), "sandbox": sandbox}],
        "tata": {"accounts": [{"account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16)}]},
        "datatechlabs": {"accounts": [{"username": "user-" + secrets.token_hex(4), "password": secrets.token_hex(16)}]},
    }


def provider_credentials(config: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The first Basic-auth pair of each provider in a config dict: `{"tata": (sid, token),
    "datatechlabs": (user, password)}`, for the providers it configures."""
    found: dict[str, tuple[str, str]] = {}
    tata = config.get("tata", {}).get("accounts") or []
    if tata:
        found["tata"] = (tata[0]["account_sid"], tata[0]["auth_token"])
    dtl = config.get("datatechlabs", {}).get("accounts") or []
    if dtl:
        found["datatechlabs"] = (dtl[0]["username"], dtl[0]["password"])
    return found


class EmulatorHandle:
    """A running emulator process and helpers over its control API. Keys are kept out of repr()."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        base_url: str,
        api_key: str,
        secret_key: str,
        control_token: str | None = None,
    ) -> None:
        self.process = process
        self.base_url = base_url
        self.api_key = api_key
        self.secret_key = secret_key
        self.control_token = control_token
        # Basic-auth pairs of the other providers' first accounts (see `provider_credentials`).
        self.credentials: dict[str, tuple[str, str]] = {}
        self.client = httpx.Client(base_url=base_url, timeout=30.0, headers=self.control_headers)

    @property
    def control_headers(self) -> dict[str, str]:
        """The header the control API needs when the emulator has a control token (else none)."""
        return {} if self.control_token is None else {"Authorization": f"Bearer {self.control_token}"}

    def __repr__(self) -> str:
        return f"EmulatorHandle(base_url={self.base_url!r}, pid={self.process.pid})"

    def _get(self, path: str, **params: str | int | float | None) -> httpx.Response:
        return self.client.get(path, params={k: v for k, v in params.items() if v is not None})

    def messages(self, phone: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Outbox messages, newest first (to one phone if given)."""
        response = self._get("/_emulator/messages", phone=phone, limit=limit)
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()["messages"]
        return result

    def latest_message(self, phone: str) -> dict[str, Any] | None:
        """The newest message to `phone`, or None."""
        response = self._get("/_emulator/messages/latest", phone=phone)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def latest_otp(self, phone: str) -> str:
        """The newest OTP sent to `phone`; LookupError if none was."""
        response = self._get("/_emulator/otp", phone=phone)
        if response.status_code == 404:
            raise LookupError(f"no OTP was sent to {phone}")
        response.raise_for_status()
        otp: str = response.json()["otp"]
        return otp

    def wait_for_message(self, phone: str, timeout: float = 10.0, after: int | None = None) -> dict[str, Any]:
        """The next message to `phone` (after message seq `after`, by default after now); TimeoutError if none."""
        params: dict[str, str | float] = {"phone": phone, "timeout": timeout}
        if after is not None:
            params["after"] = after
        response = self.client.get("/_emulator/messages/wait", params=params, timeout=timeout + 10.0)
        if response.status_code == 204:
            raise TimeoutError(f"no message to {phone} within {timeout} s")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the emulator's clock forward."""
        response = self.client.post("/_emulator/clock/advance", json={"seconds": seconds})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def reset(self, phone: str | None = None) -> int:
        """Delete messages and sessions (of one phone, or all); returns how many messages went."""
        response = self.client.post("/_emulator/reset", json={} if phone is None else {"phone": phone})
        response.raise_for_status()
        deleted: int = response.json()["deleted"]
        return deleted

    def health(self) -> dict[str, Any]:
        """The health document."""
        response = self.client.get("/_emulator/health")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def kill(self) -> None:
        """SIGKILL the process (what a crash looks like) and wait for it."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the process gracefully (SIGTERM), then SIGKILL if it lingers."""
        self.client.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process.stdout is not None:
            self.process.stdout.close()


# Banner lines of the other providers' accounts (printed in full with --show-secret-key).
_BANNER_CREDENTIALS = {
    "tata": re.compile(r"Tata Smart 2FA account SID: (\S+)  auth token: (\S+)"),
    "datatechlabs": re.compile(r"datatechlabs user: (\S+)  password: (\S+)"),
}


def start_emulator(
    db: str | Path,
    config_file: Path | None = None,
    api_key: str | None = None,
    secret_key: str = "",
    control_token: str | None = None,
    *,
    read_credentials: bool = False,
) -> EmulatorHandle:
    """Start `python -m twofactor_emulator` on a free 127.0.0.1 port and wait until it is healthy.

    Without `config_file` the emulator serves the database's own default account; without `api_key`
    the handle gets the first API key the start-up banner prints. `control_token` goes to the child
    in its environment (an argument would show in `ps`). `read_credentials`: the banner shows the
    secrets in full, and the handle's `credentials` get the Tata and datatechlabs accounts printed
    (the banner goes only to this pipe).
    """
    argv = [sys.executable, "-m", "twofactor_emulator", "serve", "--port", "0", "--db", str(db)]
    if config_file is not None:
        argv += ["--config", str(config_file)]
    env = {k: v for k, v in os.environ.items() if k != CONTROL_TOKEN_ENV}
    if control_token is not None:
        env[CONTROL_TOKEN_ENV] = control_token
    if read_credentials:
        argv.append("--show-secret-key")
    credentials: dict[str, tuple[str, str]] = {}
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)  # noqa: S603 - our own interpreter and module
    assert process.stdout is not None
    # The banner: "2Factor emulator listening on http://127.0.0.1:PORT", "  API key: KEY" per account,
    # then the control API line, printed at once. Its first line within the startup time: a child stuck
    # before printing (a locked database, say) must fail the caller, not hang it.
    ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
    line = process.stdout.readline() if ready else ""
    base_url = line.rsplit(" ", 1)[1].strip() if "listening on " in line else ""
    while base_url and line and "control API" not in line:
        line = process.stdout.readline()
        if api_key is None and line.strip().startswith("API key:"):
            api_key = line.split("API key:", 1)[1].split()[0]
        for provider, pattern in _BANNER_CREDENTIALS.items():
            found = pattern.search(line) if read_credentials else None
            if found and provider not in credentials:
                credentials[provider] = (found.group(1), found.group(2))
    if not base_url or api_key is None:
        process.kill()
        process.wait()
        raise RuntimeError(f"the emulator did not start (exit code {process.poll()})")
    handle = EmulatorHandle(process, base_url, api_key, secret_key, control_token)
    handle.credentials = credentials
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            handle.health()
            return handle
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                handle.stop()
                raise RuntimeError("the emulator did not become healthy") from None
            time.sleep(0.05)


@contextmanager
def running_emulator(
    db: str | Path = ":memory:",
    config: dict[str, Any] | str | Path | None = None,
    control_token: str | None = None,
) -> Iterator[EmulatorHandle]:
    """Run the emulator in a subprocess on a free 127.0.0.1 port for the duration of the block.

    The handle's `api_key` and `secret_key` are the first account's. Without `config`, one account
    with random keys is made. With `control_token`, the control API requires it (the handle sends it).
    """
    data: dict[str, Any]
    if config is None:
        data = random_config()
    elif isinstance(config, dict):
        data = config
    else:
        resolve_config(config, config_sections())  # validate here, with a clear error
        text = Path(config).read_text(encoding="utf-8")
        import tomllib

        data = json.loads(text) if str(config).endswith(".json") else tomllib.loads(text)
    parsed = resolve_config(data, config_sections())
    assert parsed is not None and parsed.accounts
    first = parsed.accounts[0]
    with tempfile.TemporaryDirectory(prefix="twofactor-emulator-") as folder:
        config_file = Path(folder) / "config.json"
        config_file.write_text(json.dumps(data), encoding="utf-8")
        config_file.chmod(0o600)  # it holds secret keys
        handle = start_emulator(db, config_file, first.api_key, first.secret_key, control_token)
        handle.credentials = provider_credentials(data)
        try:
            yield handle
        finally:
            handle.stop()


_LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


@contextmanager
def write_lock_held(db: str | Path) -> Iterator[None]:
    """For the block, another process holds SQLite's write lock on `db` (`BEGIN IMMEDIATE` on a
    connection of its own), as a second emulator or a `sqlite3` shell in a transaction would: what
    the emulator does meanwhile can be tested (writes answer a retryable 503, reads go on)."""
    locker = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _LOCKER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert locker.stdout is not None and locker.stdin is not None
    try:
        if locker.stdout.readline().strip() != "locked":
            raise RuntimeError(f"could not lock {db}")
        yield
    finally:
        locker.stdin.write("\n")
        locker.stdin.close()
        locker.wait(timeout=10)
        locker.stdout.close()


class ThreadEmulator(EmulatorHandle):
    """The emulator served by uvicorn on a thread of this process (same helpers as a child process)."""

    def __init__(self, config: dict[str, Any], control_token: str | None = None) -> None:
        parsed = resolve_config(config, config_sections())
        assert parsed is not None and parsed.accounts
        sock = listening_socket("127.0.0.1", 0)  # bound here: no other process can take the port meanwhile
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings = ServerSettings(public_url=self.base_url, control_token=control_token, bind_host="127.0.0.1")
        app = build_app(open_service(":memory:", parsed), settings)
        self.server = EmulatorServer(uvicorn_config(app), on_stop=app.stopping)
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
