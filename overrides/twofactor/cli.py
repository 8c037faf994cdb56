"""`twofactor`: the command line of the client.

    export TWOFACTOR_API_KEY=...                   # never a command-line option: it would land in shell history
    twofactor --base-url http://127.0.0.1:8787 otp send +919999999999
    twofactor otp verify <session id> 123456
    twofactor --json bulk send messages.csv
    twofactor demo                                 # start the emulator and run a send-and-verify round trip
    twofactor tata send +919999999999 --service MyApp --from +919876500000   # Tata Smart 2FA (tata_smart2fa/cli.py)
    twofactor datatechlabs send +919999999999 "Your code is 482910"          # datatechlabs (datatechlabs/cli.py)
    twofactor otp send --providers 2factor,2factor-sms +919999999999   # failover: otp_gateway.cli
    twofactor doctor                               # every configured provider's credentials

Exit codes: 0 done (and matched); 1 an OTP mismatch, or some bulk messages failed; 2 bad usage or
input (nothing was sent); 3 the API or the network failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.util
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from datatechlabs import cli as datatechlabs_cli
from otp_gateway import cli as gateway_cli
from sms_common import errors as common
from sms_common._version import distribution_version
from sms_common.command_line import commands, require_command
from sms_common.retries import RetryPolicy
from sms_common.settings import from_env
from tata_smart2fa import cli as tata_cli
from tata_smart2fa.results import VerifyResult as TataVerifyResult

from . import bulk_files
from .client import TwoFactor
from .errors import InvalidInput, TwoFactorError
from .results import BulkResult, VerifyResult
from .settings import API_KEY_ENV, BASE_URL_ENV, PRODUCTION_URL, SECRET_KEY_ENV

__all__ = ["main"]

EXIT_OK, EXIT_NEGATIVE, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
# The other providers' command groups (`twofactor tata ...`, `twofactor datatechlabs ...`): each
# reads its own environment and has its own `--base-url`; the options above before the group
# (--timeout, --retries, --json) apply to them too, the global --base-url does not.
OTHER_PROVIDERS = {tata_cli.GROUP: tata_cli, datatechlabs_cli.GROUP: datatechlabs_cli}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twofactor",
        description=f"Send and verify OTPs and SMS with 2Factor.in. The API key comes from ${API_KEY_ENV}, "
        f"the encrypted route's secret key from ${SECRET_KEY_ENV}.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {distribution_version()}")
    parser.add_argument(
        "--base-url",
        default=from_env(BASE_URL_ENV, PRODUCTION_URL),
        help=f"2Factor's API address (default ${BASE_URL_ENV} or {PRODUCTION_URL}); the emulator's for local use",
    )
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for a reply (default 15)")
    parser.add_argument("--retries", type=int, default=2, help="retries of safe failures (default 2; 0 for none)")
    parser.add_argument("--json", action="store_true", help="print one JSON object, for scripts")
    groups = commands(parser, "group")

    otp = commands(groups.add_parser("otp", help="send or verify an SMS OTP"), "action")
    send = otp.add_parser("send", help="send an OTP; prints its session id")
    send.add_argument("phone", help="+919999999999, 919999999999 or 9999999999")
    send.add_argument("--template", help="an approved OTP template name (default template if absent)")
    send.add_argument("--otp", help="send this OTP (4-6 digits) instead of a generated one")
    send.add_argument("--digits", type=int, choices=(4, 6), default=6, help="length of a generated OTP (default 6)")
    send.add_argument("--return-otp", action="store_true", help="have 2Factor return the OTP (AUTOGEN2)")
    send.add_argument("--sandbox", action="store_true", help="use the sandbox route (AUTOGEND); sends nothing")
    verify = otp.add_parser("verify", help="check a code by session id (exit 1 on mismatch)")
    verify.add_argument("session_id")
    verify.add_argument("code")
    gateway_cli.add_gateway_options(send)
    gateway_cli.add_gateway_options(verify)
    verify_phone = otp.add_parser("verify-phone", help="check a code by phone number (exit 1 on mismatch)")
    verify_phone.add_argument("phone")
    verify_phone.add_argument("code")

    sms = commands(groups.add_parser("sms", help="send transactional or promotional SMS"), "action")
    sms_send = sms.add_parser("send", help="send one text to one or more numbers")
    _message_options(sms_send)
    sms_send.add_argument("--promotional", action="store_true", help="send as promotional SMS (PROMO_SMS)")
    sms_send.add_argument("--schedule-at", help="ISO 8601 time with a UTC offset, e.g. 2030-01-01T09:00:00+05:30")
    sms_send.add_argument("--peid", help="DLT principal entity id")
    sms_send.add_argument("--ctid", help="DLT content template id")
    sms_send.add_argument("--campaign", help="click-tracking campaign name")
    sms_send.add_argument("--campaign-webhook", help="URL that receives campaign clicks")
    sms_send.add_argument("--shorten-urls", action="store_true", help="turn URLs in the text into short links")
    sms_send.add_argument("--shorten-url-webhook", help="URL that receives short-link clicks")
    sms_send.add_argument("--shorten-url-callback", help="a value echoed in short-link click reports")

    bulk = commands(groups.add_parser("bulk", help="send many SMS from a file"), "action")
    bulk_send = bulk.add_parser("send", help="send the messages of a CSV or JSON file (any number)")
    bulk_send.add_argument(
        "file", help="CSV with a header row (sender,to,text[,callback_value1,callback_value2]) or JSON"
    )
    bulk_send.add_argument("--format", choices=("csv", "json"), help="the file's format (default: by extension)")
    bulk_send.add_argument("--sender", help="sender id for rows that have none")
    bulk_send.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    encrypted = commands(groups.add_parser("encrypted", help="the AES-256 encrypted route"), "action")
    enc_send = encrypted.add_parser("send", help="send an SMS through the encrypted route")
    _message_options(enc_send)
    enc_send.add_argument(
        "--mode", choices=("GCM", "CBC"), default="GCM", help="AES mode (default GCM; CBC is unauthenticated)"
    )
    enc_status = encrypted.add_parser("status", help="delivery status of an encrypted send")
    enc_status.add_argument("request_id", help="the request id an encrypted send printed")
    enc_status.add_argument("--date", help="the day it was sent, YYYY-MM-DD India time (default today in India)")
    enc_status.add_argument("--mode", choices=("GCM", "CBC"), default="GCM", help="AES mode (default GCM)")

    gateway_cli.add_doctor(groups)
    balance = groups.add_parser("balance", help="credits left")
    balance.add_argument("--kind", choices=("otp", "transactional", "promotional"), default="otp")

    for provider in OTHER_PROVIDERS.values():
        provider.add_commands(groups)

    # Listed for --help; `main` hands `demo` and every word after it to the demo before parsing.
    demo = groups.add_parser("demo", help="start an emulator and run a send-and-verify round trip (no key needed)")
    demo.add_argument("args", nargs="*", help="the demo's options: --db PATH, --phone NUMBER")
    return parser


def _message_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", action="append", required=True, help="a recipient (repeat, or comma-separate)")
    parser.add_argument("--sender", required=True, help="DLT-approved sender id, up to 6 letters or digits")
    parser.add_argument("--text", required=True, help="the DLT-approved text")


def _schedule(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--schedule-at {value!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise InvalidInput("--schedule-at needs a UTC offset (e.g. +05:30 or Z): without one the time is ambiguous")
    return when


def _recipients(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class _Progress:
    """A progress bar on stderr: redrawn in place on a terminal, one line per update otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if self.stream.isatty():
            self.stream.write("\r" + bar + ("\n" if done >= total else ""))
        else:
            self.stream.write(bar + "\n")
        self.stream.flush()


def _run(options: argparse.Namespace, client: TwoFactor, stderr: TextIO) -> tuple[Any, int]:
    """Do the command; return what to print and the exit code."""
    group, action = options.group, getattr(options, "action", None)
    if group == "otp" and action == "send":
        if options.sandbox:
            sent = client.otp.send_sandbox(options.phone, template=options.template, return_otp=options.return_otp)
            return sent, EXIT_OK
        sent = client.otp.send(
            options.phone,
            template=options.template,
            otp=options.otp,
            digits=options.digits,
            return_otp=options.return_otp,
        )
        return sent, EXIT_OK
    if group == "otp":
        verdict: VerifyResult = (
            client.otp.verify(options.session_id, options.code)
            if action == "verify"
            else client.otp.verify_phone(options.phone, options.code)
        )
        return verdict, EXIT_OK if verdict.matched else EXIT_NEGATIVE
    if group == "sms":
        send = client.sms.send_promotional if options.promotional else client.sms.send
        sent_sms = send(
            _recipients(options.to),
            options.sender,
            options.text,
            schedule_at=_schedule(options.schedule_at),
            peid=options.peid,
            ctid=options.ctid,
            campaign=options.campaign,
            campaign_webhook=options.campaign_webhook,
            shorten_urls=options.shorten_urls,
            shorten_url_webhook=options.shorten_url_webhook,
            shorten_url_callback=options.shorten_url_callback,
        )
        return sent_sms, EXIT_OK
    if group == "bulk":
        messages = bulk_files.read_messages(options.file, options.format, options.sender)
        progress = None if options.no_progress or options.json else _Progress(stderr)
        result: BulkResult = client.bulk.send(messages, on_progress=progress)
        return result, EXIT_OK if result.ok else EXIT_NEGATIVE
    if group == "encrypted" and action == "send":
        return client.encrypted.send(_recipients(options.to), options.sender, options.text, mode=options.mode), EXIT_OK
    if group == "encrypted":
        return client.encrypted.delivery_status(options.request_id, options.date, mode=options.mode), EXIT_OK
    return {"balance": client.balance(options.kind), "kind": options.kind}, EXIT_OK


def _as_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = dataclasses.asdict(value)
        for name in ("message_ids", "ok", "matched", "found"):  # derived properties scripts want too
            if hasattr(value, name) and name not in data:
                data[name] = getattr(value, name)
        return data
    return value


def _readable(value: Any) -> str:
    """One human line per fact."""
    data = _as_json(value)
    if isinstance(value, BulkResult):
        lines = [f"accepted {len(value.accepted)}, failed {len(value.failed)}, requests {len(value.request_ids)}"]
        lines += [f"  failed #{item.index} {item.phone}: {item.error}" for item in value.failed]
        return "\n".join(lines)
    if isinstance(value, VerifyResult | TataVerifyResult):
        return f"{'matched' if value.matched else 'mismatch'}: {value.details}"
    return "\n".join(f"{key}: {item}" for key, item in data.items() if item not in (None, "", ()))


def _error_exit(error: common.ProviderError, as_json: bool, out: TextIO, err: TextIO) -> int:
    # Refused before any request (bad input, a malformed key): no status and no network failure.
    usage = error.status_code is None and not isinstance(error, common.TransportError)
    if as_json:
        payload = {
            "error": type(error).__name__,
            "details": error.details,
            "status": error.status_code,
            "operation": error.operation,
        }
        out.write(json.dumps(payload) + "\n")
    err.write(f"twofactor: {type(error).__name__}: {error}\n")
    return EXIT_USAGE if usage else EXIT_FAILED


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the CLI and return the exit code (the `twofactor` console script exits with it)."""
    stdout, stderr = out or sys.stdout, err or sys.stderr
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["demo"]:  # needs no API key: the demo starts an emulator and uses its account
        if importlib.util.find_spec("twofactor_emulator") is None:
            stderr.write(
                "twofactor demo: the demo starts the emulator, which is not installed here "
                "(pip install twofactor-emulator)\n"
            )
            return EXIT_USAGE
        from .demo import main as demo  # imported here: only the demo needs the emulator installed

        return demo(args[1:])
    options = _parser().parse_args(args)
    require_command(options)
    if options.retries < 0 or options.timeout <= 0:
        stderr.write("twofactor: --retries must be 0 or more and --timeout more than 0\n")
        return EXIT_USAGE
    if gateway_cli.uses_gateway(options):  # several providers, each with its own credentials
        return gateway_cli.run(options, stdout, stderr)
    if options.group in OTHER_PROVIDERS:
        code: int
        try:
            value, code = OTHER_PROVIDERS[options.group].run(options)
        except common.ProviderError as error:
            return _error_exit(error, options.json, stdout, stderr)
        stdout.write((json.dumps(_as_json(value)) if options.json else _readable(value)) + "\n")
        return code
    # The client reads both keys from the environment itself, so its messages name the variables.
    if not from_env(API_KEY_ENV):
        stderr.write(f"twofactor: set {API_KEY_ENV} to the account's API key\n")
        return EXIT_USAGE
    if options.group == "encrypted" and not from_env(SECRET_KEY_ENV):
        stderr.write(
            f"twofactor: the encrypted route needs the account's 32-character secret key: set {SECRET_KEY_ENV}\n"
        )
        return EXIT_USAGE
    try:
        with TwoFactor(
            base_url=options.base_url,
            timeout=options.timeout,
            retry=RetryPolicy(max_retries=options.retries),
        ) as client:
            value, code = _run(options, client, stderr)
    except TwoFactorError as error:
        return _error_exit(error, options.json, stdout, stderr)
    stdout.write((json.dumps(_as_json(value)) if options.json else _readable(value)) + "\n")
    return code
