"""The `twofactor-emulator` command.

twofactor-emulator [serve] [--host 127.0.0.1] [--port 8787] [--db PATH] [--config FILE]
                   [--public-url URL] [--control-token TOKEN]
twofactor-emulator demo [ARGS...]   (runs `python -m twofactor.demo`, the client's demo)

Bound to an address other than loopback, the emulator refuses to start without a control token
(`--control-token` or `TWOFACTOR_EMULATOR_CONTROL_TOKEN`): anyone who reaches the port could
otherwise read every OTP and wipe the state.
"""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from .core.config import ConfigError, load_config
from .core.store import DamagedDatabaseError, SchemaError

DEFAULT_HOST = "127.0.0.1"
PUBLIC_URL_ENV = "TWOFACTOR_EMULATOR_PUBLIC_URL"
CONTROL_TOKEN_ENV = "TWOFACTOR_EMULATOR_CONTROL_TOKEN"  # noqa: S105 - the variable's name, not a token
DEFAULT_PORT = 8787
LISTEN_BACKLOG = 2048  # uvicorn's default


def default_db_path() -> Path:
    """The embedded SQLite file used without --db: $TWOFACTOR_EMULATOR_DB, else
    $XDG_DATA_HOME/twofactor-emulator/emulator.sqlite3 (~/.local/share/... by default)."""
    override = os.environ.get("TWOFACTOR_EMULATOR_DB")
    if override:
        return Path(override)
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "twofactor-emulator" / "emulator.sqlite3"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twofactor-emulator",
        description="A stateful, persistent local 2Factor.in SMS/OTP API. `twofactor-emulator demo` runs a round trip.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port, 0 for any free one (default {DEFAULT_PORT})"
    )
    parser.add_argument("--db", help=f"SQLite file, or :memory: (default {default_db_path()})")
    parser.add_argument("--config", help="TOML file with [[accounts]] (JSON of the same shape if it ends in .json)")
    parser.add_argument(
        "--show-secret-key",
        action="store_true",
        help="also print the accounts' secrets in full (2Factor's secret keys, Tata's tokens, datatechlabs' passwords)",
    )
    parser.add_argument(
        "--public-url",
        default=os.environ.get(PUBLIC_URL_ENV) or None,
        help=f"the base URL clients reach the emulator by, used in short links and allowed as Host "
        f"(default ${PUBLIC_URL_ENV}, else the listening address)",
    )
    parser.add_argument(
        "--control-token",
        default=os.environ.get(CONTROL_TOKEN_ENV) or None,
        help=f"require this bearer token on the control API and the inbox (default ${CONTROL_TOKEN_ENV}; "
        "required when binding to an address other than loopback; prefer the variable: arguments are visible to ps)",
    )
    return parser


def _public_url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return f"--public-url must be an http(s) base URL such as http://emulator.local:8787, not {url!r}"
    return None


def is_loopback(address: str) -> bool:
    """True for a loopback IP address (the bound socket's)."""
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket for uvicorn.

    The protocol is given explicitly: asyncio sets TCP_NODELAY only on connections accepted from a
    socket whose `proto` is IPPROTO_TCP, and without it every reply waits ~40 ms for Nagle's algorithm
    and the client's delayed ACK (found by the benchmark).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # Listening before the banner is printed: a client that connects as soon as it reads the URL is
        # queued by the kernel instead of refused while uvicorn starts up.
        sock.listen(LISTEN_BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["demo"]:
        return demo(args[1:])
    if args[:1] == ["serve"]:
        args = args[1:]
    options = _parser().parse_args(args)
    return serve(options)


def demo(args: Sequence[str]) -> int:
    """The client's round trip against this emulator: `python -m twofactor.demo`, in a child process
    so the emulator never imports the client."""
    if importlib.util.find_spec("twofactor") is None:
        print(
            "twofactor-emulator demo: the demo runs the `twofactor` client, which is not installed here "
            "(install the twofactor-toolkit distribution, or run `twofactor demo` where it is)",
            file=sys.stderr,
        )
        return 2
    return subprocess.call([sys.executable, "-m", "twofactor.demo", *args])  # noqa: S603 - our interpreter


def serve(options: argparse.Namespace) -> int:
    """Open the database, bind the socket, print where the emulator listens, serve until stopped."""
    import uvicorn  # imported here so `--help` stays fast

    from .app import build_app
    from .core.edge import ServerSettings
    from .core.service import open_service
    from .providers import FAMILIES, config_sections
    from .server import GIL_SWITCH_SECONDS, uvicorn_config

    if options.public_url and (problem := _public_url_problem(options.public_url)):
        print(f"twofactor-emulator: {problem}", file=sys.stderr)
        return 2
    db = options.db or str(default_db_path())
    if db != ":memory:":
        Path(db).parent.mkdir(parents=True, exist_ok=True)
    try:
        config = load_config(options.config, config_sections()) if options.config else None
        service = open_service(db, config)
    except (ConfigError, SchemaError) as exc:
        print(f"twofactor-emulator: {exc}", file=sys.stderr)
        return 2
    except DamagedDatabaseError as exc:
        print(
            f"twofactor-emulator: the database {db} is damaged ({exc}); restore a copy or start on a new file",
            file=sys.stderr,
        )
        return 2
    except sqlite3.Error as exc:
        print(f"twofactor-emulator: cannot open the database {db}: {exc}", file=sys.stderr)
        return 2
    try:
        sock = listening_socket(options.host, options.port)
    except OSError as exc:
        print(f"twofactor-emulator: cannot listen on {options.host}:{options.port}: {exc.strerror}", file=sys.stderr)
        return 2
    family = sock.family
    host, port = sock.getsockname()[:2]
    if not is_loopback(host):
        if not options.control_token:
            sock.close()
            print(
                f"twofactor-emulator: {options.host} is not a loopback address: set a control token "
                f"(--control-token or ${CONTROL_TOKEN_ENV}) so that only you can drive the control API",
                file=sys.stderr,
            )
            return 2
        print(
            f"warning: listening on {options.host}, reachable from other machines; the control API and the "
            "inbox require the control token",
            file=sys.stderr,
        )
    shown_host = f"[{host}]" if family == socket.AF_INET6 else host
    base_url = f"http://{shown_host}:{port}"
    print(f"2Factor emulator listening on {base_url}")
    print(f"  database: {db} (schema v{service.store.schema_version()}, journal {service.store.journal_mode})")
    for account in service.accounts:
        # The key is printed on purpose: it is what a developer pastes into their app's settings.
        line = f"  API key: {account.api_key}"
        if options.show_secret_key:
            line += f"  secret key: {account.secret_key}"
        print(line + ("  (sandbox)" if account.sandbox is True else ""))
    for provider in FAMILIES:
        for text in provider.banner(service, options.show_secret_key) if provider.banner else ():
            print(text)
    print(f"  control API: {base_url}/_emulator/health")
    if options.control_token:  # never printed: the developer set it, and logs are often shared
        print(f"  control token: required (Authorization: Bearer; inbox: {base_url}/_emulator/inbox?token=...)")
    sys.stdout.flush()
    # Links name the listening address; on a wildcard address, the address each connection reached.
    listening = None if ipaddress.ip_address(host.split("%", 1)[0]).is_unspecified else base_url
    settings = ServerSettings(
        public_url=options.public_url or listening, control_token=options.control_token, bind_host=options.host
    )
    sys.setswitchinterval(GIL_SWITCH_SECONDS)  # server.py: the loop's turn while a body is parsed
    # asyncio, also where uvloop is installed: running out of file descriptors must be logged (server.py's
    # OncePerInterval reads asyncio's accept() errors), and under uvloop that log stayed empty. On this h11
    # protocol uvloop was worth only 1.1-1.2x the requests per CPU second (bench/README.md).
    server_config = uvicorn_config(build_app(service, settings), loop="asyncio")
    uvicorn.Server(server_config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
