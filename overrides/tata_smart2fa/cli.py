"""`twofactor tata ...`: the Smart 2FA commands of the `twofactor` command line.

    export TATA_SMART2FA_SID=... TATA_SMART2FA_TOKEN=...     # never options: they would land in shell history
    twofactor tata --base-url http://127.0.0.1:8787 send +919999999999 --service MyApp --from +919876500000
    twofactor tata verify +919999999999 123456 --service MyApp
    twofactor tata cancel +919999999999 --service MyApp
    twofactor tata status OTP99d0418681c7dfcb9586a5d69787a77

`--service`, `--from` and `--email-from` default to TATA_SMART2FA_SERVICE, TATA_SMART2FA_FROM and
TATA_SMART2FA_EMAIL_FROM; the address to TATA_SMART2FA_BASE_URL, else production. The exit codes
are the `twofactor` command's (verify exits 1 on a wrong code).
"""

from __future__ import annotations

import argparse
from typing import Any

from sms_common.command_line import commands
from sms_common.retries import RetryPolicy

from .client import Smart2fa
from .errors import InvalidInput
from .settings import BASE_URL_ENV, PRODUCTION_URL, SID_ENV, TOKEN_ENV

__all__ = ["GROUP", "add_commands", "run"]

GROUP = "tata"


def add_commands(groups: Any) -> None:
    """Add the `tata` group to the subcommands of the `twofactor` parser."""
    tata = groups.add_parser(
        GROUP,
        help="Tata Communications Smart 2FA: OTP by SMS, call or email",
        description=f"Credentials come from ${SID_ENV} and ${TOKEN_ENV}.",
    )
    tata.add_argument(
        "--base-url", dest="provider_base_url", help=f"API address (default ${BASE_URL_ENV} or {PRODUCTION_URL})"
    )
    actions = commands(tata, "action")
    send = actions.add_parser("send", help="send an OTP; prints its request id")
    send.add_argument("to", help="a phone number ((+)digits), client:<name>, or an email address for --channel email")
    send.add_argument("--channel", choices=("sms", "call", "email"), default="sms")
    send.add_argument("--body", default="Your verification code is {code}", help="the message, with {code}")
    send.add_argument("--service", help="your service name (default $TATA_SMART2FA_SERVICE)")
    send.add_argument("--from", dest="sender", help="the sender of sms and call (default $TATA_SMART2FA_FROM)")
    send.add_argument("--email-from", help="the sender of an email (default $TATA_SMART2FA_EMAIL_FROM)")
    send.add_argument("--subject", help="the subject of an email (required for --channel email)")
    send.add_argument("--length", type=int, help="digits of the code, 4 to 10 (server default 6)")
    send.add_argument("--valid-for", type=int, help="seconds the OTP stays valid (server default 300)")
    send.add_argument("--guard-time", type=int, help="seconds a replaced OTP stays valid")
    send.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE", help="a limit to count against")
    for name in ("verify", "cancel"):
        action = actions.add_parser(
            name, help="check a code (exit 1 on a wrong code)" if name == "verify" else "cancel an OTP"
        )
        action.add_argument("to", help="the destination of the send")
        if name == "verify":
            action.add_argument("code")
        action.add_argument("--service", help="your service name (default $TATA_SMART2FA_SERVICE)")
        action.add_argument("--request-id", help="one OTP of the destination (default: the newest valid one)")
    status = actions.add_parser("status", help="an OTP's state by its request id")
    status.add_argument("request_id")


def _limits(values: list[str]) -> dict[str, str] | None:
    pairs = {}
    for value in values:
        name, equals, counted = value.partition("=")
        if not equals:
            raise InvalidInput(f"--limit takes NAME=VALUE, got {value!r}")
        pairs[name] = counted
    return pairs or None


def run(options: argparse.Namespace) -> tuple[Any, int]:
    """Do one `tata` command; return what to print and the exit code (errors are raised)."""
    with Smart2fa(
        base_url=options.provider_base_url,
        timeout=options.timeout,
        retry=RetryPolicy(max_retries=options.retries),
    ) as client:
        if options.action == "send":
            sent = client.send_otp(
                options.to,
                body=options.body,
                channel=options.channel,
                service=options.service,
                sender=options.sender,
                email_from=options.email_from,
                subject=options.subject,
                length=options.length,
                timeout=options.valid_for,
                guard_time=options.guard_time,
                limits=_limits(options.limit),
            )
            return sent, 0
        if options.action == "verify":
            verdict = client.verify(options.to, options.code, service=options.service, request_id=options.request_id)
            return verdict, 0 if verdict.matched else 1
        if options.action == "cancel":
            canceled = client.cancel(options.to, service=options.service, request_id=options.request_id)
            return {"canceled": canceled}, 0
        return client.get_otp(options.request_id), 0
