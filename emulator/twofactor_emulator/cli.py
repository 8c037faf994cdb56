"""The `twofactor-emulator` command.

    twofactor-emulator [serve] [--host 127.0.0.1] [--port 8787] [--db PATH] [--config FILE]
                       [--public-url URL] [--control-token TOKEN]
    twofactor-emulator otp PHONE [--url URL]     # the latest OTP sent to PHONE, from a running emulator
    twofactor-emulator demo [ARGS...]            # runs `python -m twofactor.demo`, the client's demo
    twofactor-emulator --version

`serve` is the default command. Its options fall back on the environment, a flag always winning:
TWOFACTOR_EMULATOR_HOST, TWOFACTOR_EMULATOR_PORT, TWOFACTOR_EMULATOR_DB, TWOFACTOR_EMULATOR_CONFIG,
TWOFACTOR_EMULATOR_PUBLIC_URL, TWOFACTOR_EMULATOR_CONTROL_TOKEN. `otp` finds the emulator at --url,
else TWOFACTOR_EMULATOR_URL, else the host and port above.
Exit codes: 0 done; 1 nothing found (`otp`); 2 bad usage or input; 3 the emulator cannot be reached.

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
from .environment import CONFIG_ENV, CONTROL_TOKEN_ENV, DB_ENV, HOST_ENV, PORT_ENV, PUBLIC_URL_ENV, URL_ENV

__all__ = ["CONTROL_TOKEN_ENV", "PUBLIC_URL_ENV", "default_db_path", "listening_socket", "main", "parse_args"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
LISTEN_BACKLOG = 2048  # uvicorn's default
COMMANDS = ("serve", "otp", "demo")
EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def default_db_path() -> Path:
    """The embedded SQLite file used without --db: $TWOFACTOR_EMULATOR_DB, else
    $XDG_DATA_HOME/twofactor-emulator/emulator.sqlite3 (~/.local/share/... by default)."""
    override = _env(DB_ENV)
    if override:
        return Path(override)
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "twofactor-emulator" / "emulator.sqlite3"


def port_number(text: str) -> int:
    """A TCP port: 0 (any free one) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def _port_from_env() -> int:
    """The port when --port is not given: $TWOFACTOR_EMULATOR_PORT, else 8787 (ValueError if invalid)."""
    text = _env(PORT_ENV)
    if text is None:
        return DEFAULT_PORT
    try:
        return port_number(text)
    except argparse.ArgumentTypeError as exc:
        raise ValueError(f"${PORT_ENV}: {exc}") from None


def _version() -> str:
    from . import __version__

    return __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twofactor-emulator",
        description="A stateful, persistent local 2Factor.in SMS/OTP API that never sends a real SMS. "
        "Without a command it serves (`serve`).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the emulator (the default command)")
    serve.add_argument(
        "--host",
        default=_env(HOST_ENV) or DEFAULT_HOST,
        help=f"address to bind (default ${HOST_ENV} or {DEFAULT_HOST})",
    )
    serve.add_argument(
        "--port", type=port_number, help=f"port, 0 for any free one (default ${PORT_ENV} or {DEFAULT_PORT})"
    )
    serve.add_argument("--db", help=f"SQLite file, or :memory: (default ${DB_ENV} or {default_db_path()})")
    serve.add_argument(
        "--config",
        default=_env(CONFIG_ENV),
        help=f"TOML file with [[accounts]] (JSON of the same shape if it ends in .json; default ${CONFIG_ENV})",
    )
    serve.add_argument(
        "--show-secret-key",
        action="store_true",
        help="also print the accounts' secrets in full (2Factor's secret keys, Tata's tokens, datatechlabs' passwords)",
    )
    serve.add_argument(
        "--public-url",
        default=os.environ.get(PUBLIC_URL_ENV) or None,
        help=f"the base URL clients reach the emulator by, used in short links and allowed as Host "
        f"(default ${PUBLIC_URL_ENV}, else the listening address)",
    )
    serve.add_argument(
        "--control-token",
        default=os.environ.get(CONTROL_TOKEN_ENV) or None,
        help=f"require this bearer token on the control API and the inbox (default ${CONTROL_TOKEN_ENV}; "
        "required when binding to an address other than loopback; prefer the variable: arguments are visible to ps)",
    )

    otp = commands.add_parser("otp", help="print the latest OTP sent to a phone number, from a running emulator")
    otp.add_argument("phone", help="+919999999999, 919999999999 or 9999999999")
    otp.add_argument("--url", help=f"the emulator's address (default ${URL_ENV}, else http://HOST:PORT as for serve)")

    demo = commands.add_parser("demo", help="run the client's send-and-verify round trip against a fresh emulator")
    demo.add_argument("args", nargs="*", help="options of `python -m twofactor.demo` (--db PATH, --phone NUMBER)")
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


def parse_args(args: Sequence[str]) -> argparse.Namespace:
    """The command line read into options; `serve` when no command is named (exit 2 on bad usage)."""
    words = list(args)
    if words[:1] == ["demo"]:  # every later word is the demo's own (its --help included)
        return argparse.Namespace(command="demo", args=words[1:])
    if not words or (words[0] not in COMMANDS and words[0] not in ("-h", "--help", "--version")):
        words = ["serve", *words]  # serving is the default command
    return _parser().parse_args(words)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    options = parse_args(sys.argv[1:] if argv is None else argv)
    if options.command == "demo":
        return demo(options.args)
    if options.command == "otp":
        return latest_otp(options.phone, options.url)
    return serve(options)


def demo(args: Sequence[str]) -> int:
    """The client's round trip against this emulator: `python -m twofactor.demo`, in a child process
    so the emulator never imports the client."""
    if importlib.util.find_spec("twofactor") is None:
        print(
            "twofactor-emulator demo: the demo runs the `twofactor` client, which is not installed here "
            "(pip install twofactor-client), or run `twofactor demo` where it is",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return subprocess.call([sys.executable, "-m", "twofactor.demo", *args])  # noqa: S603 - our interpreter


def emulator_url(url: str | None) -> str:
    """Where a running emulator is: `url`, else $TWOFACTOR_EMULATOR_URL, else http://HOST:PORT."""
    if url:
        return url.rstrip("/")
    from_env = _env(URL_ENV)
    if from_env:
        return from_env.rstrip("/")
    host = _env(HOST_ENV) or DEFAULT_HOST
    port = _env(PORT_ENV) or str(DEFAULT_PORT)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def latest_otp(phone: str, url: str | None) -> int:
    """`twofactor-emulator otp PHONE`: print the newest OTP sent to PHONE (GET /_emulator/otp)."""
    import httpx  # imported here: serving and --help do not need it

    base_url = emulator_url(url)
    if not base_url.startswith(("http://", "https://")):
        print(f"twofactor-emulator otp: the URL must start with http:// or https://, not {base_url!r}", file=sys.stderr)
        return EXIT_USAGE
    token = _env(CONTROL_TOKEN_ENV)  # the control API wants it when the emulator was started with one
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        reply = httpx.get(f"{base_url}/_emulator/otp", params={"phone": phone}, headers=headers, timeout=10.0)
    except httpx.HTTPError as exc:
        print(
            f"twofactor-emulator otp: cannot reach the emulator at {base_url} ({type(exc).__name__}); "
            "is it running? Start it with `twofactor-emulator`, or give --url",
            file=sys.stderr,
        )
        return EXIT_UNREACHABLE
    try:
        body = reply.json()
    except ValueError:
        body = {}
    if reply.status_code == 200 and isinstance(body, dict) and "otp" in body:
        print(body["otp"])
        return EXIT_OK
    error = body.get("error") if isinstance(body, dict) else None
    message = error or f"HTTP {reply.status_code} from {base_url}: is that the emulator?"
    print(f"twofactor-emulator otp: {message}", file=sys.stderr)
    return EXIT_NOT_FOUND if reply.status_code == 404 else EXIT_USAGE


def serve(options: argparse.Namespace) -> int:
    """Open the database, bind the socket, print where the emulator listens, serve until stopped."""
    from .app import build_app  # here, with uvicorn under .server, so `--help` stays fast
    from .core.edge import ServerSettings
    from .core.service import open_service
    from .providers import FAMILIES, config_sections
    from .server import EmulatorServer, tune_process, uvicorn_config

    if options.public_url and (problem := _public_url_problem(options.public_url)):
        print(f"twofactor-emulator: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        port = options.port if options.port is not None else _port_from_env()
    except ValueError as exc:
        print(f"twofactor-emulator: {exc}", file=sys.stderr)
        return EXIT_USAGE
    db = options.db or str(default_db_path())
    try:
        if db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
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
    except (sqlite3.Error, OSError) as exc:
        print(f"twofactor-emulator: cannot open the database {db}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        sock = listening_socket(options.host, port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(f"twofactor-emulator: cannot listen on {options.host}:{port}: {reason}", file=sys.stderr)
        return EXIT_USAGE
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
    print(f"  inbox: {base_url}/_emulator/inbox")
    print(f"  control API: {base_url}/_emulator/health  documents: {base_url}/_emulator/openapi")
    if options.control_token:  # never printed: the developer set it, and logs are often shared
        print(f"  control token: required (Authorization: Bearer; inbox: {base_url}/_emulator/inbox?token=...)")
    sys.stdout.flush()
    # Links name the listening address; on a wildcard address, the address each connection reached.
    listening = None if ipaddress.ip_address(host.split("%", 1)[0]).is_unspecified else base_url
    settings = ServerSettings(
        public_url=options.public_url or listening, control_token=options.control_token, bind_host=options.host
    )
    app = build_app(service, settings)
    server_config = uvicorn_config(app)
    tune_process()  # after the app is built: its objects are then out of the collector's full scans
    EmulatorServer(server_config, on_stop=app.stopping).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
