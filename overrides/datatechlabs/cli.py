"""`twofactor datatechlabs send`: the datatechlabs command of the `twofactor` command line.

    export DATATECHLABS_USERNAME=... DATATECHLABS_PASSWORD=...   # never options: shell history
    export DATATECHLABS_BASE_URL=http://127.0.0.1:8787          # datatechlabs publishes no address
    twofactor datatechlabs send +919999999999 "Your code is 482910" --from DTLABS --dlr-url https://example.com/dlr

`--from` defaults to DATATECHLABS_SENDER. The exit codes are the `twofactor` command's.
"""

from __future__ import annotations

import argparse
from typing import Any

from sms_common.command_line import commands
from sms_common.retries import RetryPolicy

from .client import Datatechlabs
from .settings import BASE_URL_ENV, PASSWORD_ENV, USERNAME_ENV

__all__ = ["GROUP", "add_commands", "run"]

GROUP = "datatechlabs"


def add_commands(groups: Any) -> None:
    """Add the `datatechlabs` group to the subcommands of the `twofactor` parser."""
    group = groups.add_parser(
        GROUP,
        help="the datatechlabs SMS API: send an SMS with delivery receipts",
        description=f"Credentials come from ${USERNAME_ENV} and ${PASSWORD_ENV}.",
    )
    group.add_argument("--base-url", dest="provider_base_url", help=f"API address (default ${BASE_URL_ENV})")
    actions = commands(group, "action")
    send = actions.add_parser("send", help="send one SMS; prints its message id and segments")
    send.add_argument("to", help="international digits, + optional")
    send.add_argument("text")
    send.add_argument("--from", dest="sender", help="the sender (default $DATATECHLABS_SENDER)")
    send.add_argument("--dlr-url", help="where delivery receipts are sent")
    send.add_argument("--dlr-level", type=int, choices=(1, 2, 3), help="1 SMSC, 2 handset, 3 both (default 3)")
    send.add_argument("--dlr-method", choices=("GET", "POST"), help="how receipts are sent (server default GET)")
    send.add_argument("--coding", choices=("GSM7", "UTF-8"), help="character set (default: GSM-7 if the text fits)")


def run(options: argparse.Namespace) -> tuple[Any, int]:
    """Do one `datatechlabs` command; return what to print and the exit code (errors are raised)."""
    with Datatechlabs(
        base_url=options.provider_base_url,
        timeout=options.timeout,
        retry=RetryPolicy(max_retries=options.retries),
    ) as client:
        sent = client.sms.send(
            options.to,
            options.text,
            sender=options.sender,
            dlr_url=options.dlr_url,
            dlr_level=options.dlr_level,
            dlr_method=options.dlr_method,
            coding=options.coding,
        )
        return sent, 0
