"""datatechlabs' route family (openapi/datatechlabs-sms.yaml): `POST /sms/send` behind HTTP Basic
auth, segments by `coding`, credits, and delivery receipts (DLRs) posted back to `dlr-url`.

- operations.py: the operations table and the handler; sending.py: the field rules and segments;
- receipts.py: the receipts, their retries on the emulator's clock and the webhook log;
- accounts.py: the `[datatechlabs]` config table and Basic auth; errors.py: the error shape.
"""

from __future__ import annotations

from ...core.basic_auth import account_key_of, masked
from ...core.family import Mounted, ProviderFamily, Runtime, operation_routes
from ...core.service import Service
from . import accounts, errors
from .operations import OPERATIONS, Handlers
from .receipts import ReceiptDispatcher


def mount(runtime: Runtime) -> Mounted:
    """datatechlabs' route and its receipt loop over one runtime."""
    service = runtime.service
    known = accounts.Accounts(accounts.configured_accounts(service))
    receipts = ReceiptDispatcher(service, accounts.settings_of(service).receipts, runtime.webhooks)
    runtime.after_reset.append(receipts.forget)
    handlers = Handlers(service, known, receipts)
    return Mounted(
        routes=operation_routes(OPERATIONS, handlers),
        exception_handlers={errors.DatatechlabsError: errors.on_error},
        account_key=account_key_of("datatechlabs", known.by_user),
        background=[receipts.loop],
    )


def banner(service: Service, show_secrets: bool) -> list[str]:
    """The accounts as `twofactor-emulator serve` prints them (the password masked unless asked for)."""
    return [
        f"  datatechlabs user: {a.username}  password: " + (a.password if show_secrets else masked(a.password))
        for a in accounts.configured_accounts(service)
    ]


FAMILY = ProviderFamily(
    name="datatechlabs",
    document="openapi/datatechlabs-sms.yaml",
    path_prefixes=("/sms/",),
    operations=OPERATIONS,
    shape_error=errors.shape_error,
    mount=mount,
    config_section=accounts.SECTION,
    read_config=accounts.read_config,
    banner=banner,
)
