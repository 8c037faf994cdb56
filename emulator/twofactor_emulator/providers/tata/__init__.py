"""Tata Communications Smart 2FA's route family (openapi/tata-smart2fa.yaml): OTPs by SMS, call or
email under `/2fa/`, with verify, cancel, search, usage records and limits, behind HTTP Basic auth.

- operations.py: the operations table and the handlers;
- otps.py: the state (OTPs with the one-per-minute rule, guard times and timeouts; usage; limits);
- requests.py: the document's field rules; accounts.py: the `[tata]` config table and Basic auth;
- errors.py: the `{"code", "message"}` errors and the 404/405/429/500 shaper.
"""

from __future__ import annotations

from ...core.basic_auth import account_key_of, masked
from ...core.family import Mounted, ProviderFamily, Runtime, operation_routes
from ...core.service import Service
from . import accounts, errors
from .operations import OPERATIONS, Handlers


def mount(runtime: Runtime) -> Mounted:
    """Tata's routes over one runtime."""
    store = runtime.service.store
    store.family_tables.update({"tata_otps": "destination", "tata_limits": None, "tata_limit_uses": None})
    # A limit use older than a bucket's window (at most 31 days) no longer counts.
    store.family_expiry.update({"tata_otps": "expires_at", "tata_limit_uses": "at"})
    known = accounts.Accounts(accounts.configured_accounts(runtime.service))
    handlers = Handlers(runtime.service, known)
    return Mounted(
        routes=operation_routes(OPERATIONS, handlers),
        exception_handlers={errors.TataError: errors.on_tata_error},
        account_key=account_key_of("tata", known.by_sid),
    )


def banner(service: Service, show_secrets: bool) -> list[str]:
    """The accounts as `twofactor-emulator serve` prints them (the token masked unless asked for)."""
    return [
        f"  Tata Smart 2FA account SID: {a.account_sid}  auth token: "
        + (a.auth_token if show_secrets else masked(a.auth_token))
        for a in accounts.configured_accounts(service)
    ]


FAMILY = ProviderFamily(
    name="tata",
    document="openapi/tata-smart2fa.yaml",
    path_prefixes=("/2fa/",),
    operations=OPERATIONS,
    shape_error=errors.shape_error,
    mount=mount,
    config_section=accounts.SECTION,
    read_config=accounts.read_config,
    banner=banner,
)
