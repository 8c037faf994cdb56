"""The `twofactor-emulator` command.

twofactor-emulator [serve] [--host 127.0.0.1] [--port 8787] [--db PATH] [--config FILE]
twofactor-emulator demo [ARGS...]   (runs `python -m twofactor.demo`, the client's demo)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .core.config import ConfigError, load_config
from .core.store import DamagedDatabaseError, SchemaError

DEFAULT_HOST = "127.0.0.1"
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
        "--show-secret-key", action="store_true", help="also print the accounts' secret keys (the ENC route's AES keys)"
    )
    return parser


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
    from .core.service import open_service
    from .providers import config_sections

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
    print(f"  control API: {base_url}/_emulator/health")
    sys.stdout.flush()
    # access_log off: request lines would print V1 paths, which contain API keys.
    server_config = uvicorn.Config(build_app(service), log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(server_config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
