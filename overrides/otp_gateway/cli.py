"""The gateway's commands in the `twofactor` CLI: `otp send|verify --providers ...` and `doctor`.

    export OTP_GATEWAY_SECRET=...          # signs tickets (16 bytes or more); the same for send and verify
    twofactor otp send --providers 2factor,2factor-sms +919999999999    # prints the ticket
    twofactor otp verify --providers 2factor,2factor-sms TICKET 123456
    twofactor doctor                       # every configured provider's credentials, by a harmless call

Codes the gateway generates (SMS-only providers) are kept in a SQLite file: `--store`, else
`$OTP_GATEWAY_STORE`, else `$XDG_DATA_HOME/otp-gateway/codes.sqlite3`. `--emulator URL` points
every provider at one emulator. Exit codes as the rest of the CLI: 0 done (and matched), 1 not
matched, 2 bad usage or input (nothing sent), 3 the providers or the network failed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from sms_common.errors import ProviderError
from sms_common.settings import from_env

from . import configure
from ._sync.gateway import OtpGateway
from .errors import AllProvidersFailed, InvalidInput, InvalidTicket
from .policy import FailoverPolicy, OnAmbiguous
from .store import SqliteCodeStore

__all__ = ["add_doctor", "add_gateway_options", "run", "uses_gateway"]

SECRET_ENV = "OTP_GATEWAY_SECRET"  # noqa: S105 - the variable's name, not a secret
STORE_ENV = "OTP_GATEWAY_STORE"
EXIT_OK, EXIT_NEGATIVE, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def add_gateway_options(parser: argparse.ArgumentParser) -> None:
    """`--providers` and its companions, on `otp send` and `otp verify`."""
    parser.add_argument(
        "--providers",
        help=f"send or verify through the OTP gateway with failover over these providers, in order "
        f"({', '.join(configure.PROVIDERS)}); the ticket is signed with ${SECRET_ENV}",
    )
    parser.add_argument("--store", help=f"SQLite file of the gateway's own codes (default ${STORE_ENV} or XDG data)")
    parser.add_argument("--emulator", help="send every provider's requests to this emulator URL")
    parser.add_argument(
        "--on-ambiguous",
        choices=[choice.value for choice in OnAmbiguous],
        default=OnAmbiguous.STAY.value,
        help="after a send that may have reached its provider: stay with it (default) or fail over",
    )


def add_doctor(groups: Any) -> None:
    """The `doctor` command."""
    doctor = groups.add_parser("doctor", help="check each configured provider's credentials (sends nothing)")
    doctor.add_argument("--providers", help="providers to check (default: every one configured in the environment)")
    doctor.add_argument("--emulator", help="check against this emulator URL")


def uses_gateway(options: argparse.Namespace) -> bool:
    """True for the commands this module runs."""
    return options.group == "doctor" or bool(getattr(options, "providers", None))


def _store_path(options: argparse.Namespace) -> Path:
    if options.store:
        return Path(options.store)
    configured = from_env(STORE_ENV)
    if configured:
        return Path(configured)
    data = from_env("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "otp-gateway" / "codes.sqlite3"


def _gateway(options: argparse.Namespace) -> OtpGateway:
    secret = from_env(SECRET_ENV)
    if not secret:
        raise InvalidInput(f"set ${SECRET_ENV} (16 bytes or more): it signs the ticket that verify checks")
    path = _store_path(options)
    path.parent.mkdir(parents=True, exist_ok=True)
    providers = configure.build(configure.parse_names(options.providers), base_url=options.emulator)
    return OtpGateway(
        providers,
        secret=secret,
        store=SqliteCodeStore(path),
        policy=FailoverPolicy(on_ambiguous=OnAmbiguous(options.on_ambiguous)),
    )


def _doctor(options: argparse.Namespace, out: TextIO, as_json: bool) -> int:
    names = configure.parse_names(options.providers) if options.providers else configure.configured()
    if not names:
        raise InvalidInput(f"no provider is configured: set the variables of one of {', '.join(configure.PROVIDERS)}")
    found = []
    for name in names:
        provider = configure.provider_from_env(name, base_url=options.emulator)
        try:
            found.append(provider.check_credentials())
        finally:
            provider.close()
    if as_json:
        out.write(json.dumps([{"provider": h.provider, "ok": h.ok, "details": h.details} for h in found]) + "\n")
    else:
        for health in found:
            verdict = {True: "ok", False: "FAILED", None: "not checked"}[health.ok]
            out.write(f"{health.provider}: {verdict} - {health.details}\n")
    return EXIT_FAILED if any(health.ok is False for health in found) else EXIT_OK


def _run(options: argparse.Namespace, out: TextIO) -> int:
    if options.group == "doctor":
        return _doctor(options, out, options.json)
    with _gateway(options) as gateway:
        if options.action == "send":
            ticket = gateway.send(options.phone)
            shown: dict[str, Any] = {
                "ticket": ticket.token,
                "provider": ticket.provider,
                "ambiguous": ticket.ambiguous,
                "failures": [str(failure) for failure in ticket.failures],
            }
            if options.json:
                out.write(json.dumps(shown) + "\n")
            else:
                out.write(f"ticket: {ticket.token}\nprovider: {ticket.provider}\n")
                if ticket.ambiguous:
                    out.write("ambiguous: the provider gave no answer; the SMS may have gone out\n")
                out.writelines(f"failed: {failure}\n" for failure in shown["failures"])
            return EXIT_OK
        if options.action != "verify":
            raise InvalidInput("--providers works with `otp send` and `otp verify`")
        result = gateway.verify(options.session_id, options.code)
        if options.json:
            out.write(json.dumps({"outcome": result.outcome.value, "provider": result.provider}) + "\n")
        else:
            out.write(f"{result.outcome.value} (checked by {result.provider})\n")
        return EXIT_OK if result.matched else EXIT_NEGATIVE


def run(options: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run a gateway command; return the exit code."""
    try:
        return _run(options, out)
    except (InvalidInput, InvalidTicket) as error:
        err.write(f"twofactor: {type(error).__name__}: {error}\n")
        return EXIT_USAGE
    except AllProvidersFailed as error:
        err.write(f"twofactor: AllProvidersFailed: {error}\n")
        return EXIT_FAILED
    except ProviderError as error:
        usage = error.status_code is None and isinstance(error, ValueError)
        err.write(f"twofactor: {type(error).__name__}: {error}\n")
        return EXIT_USAGE if usage else EXIT_FAILED
