"""2Factor.in's route family (openapi/twofactor.yaml): V1 OTP routes, R1 SMS (form, query, bulk,
encrypted), short links, and their reply and error shapes.

- operations.py: the operations table (operationId, method, path -> handler);
- otp_handlers.py, sms_handlers.py: the handlers; otp.py: the OTP lifecycle (send, VERIFY, VERIFY3);
- replies.py: the status body `{"Status", "Details"}`, the bulk error body, the 404/405/500 shaper;
- errors.py: every error text; accounts.py: API key, IP allowlist, sender and text checks;
- envelope.py: the encrypted route's AES envelope; shortlinks.py: R1 short links and their clicks;
- ratelimit.py: which account a request counts against.
"""

from __future__ import annotations

from starlette.routing import Route

from ...core.family import Mounted, ProviderFamily, Runtime, operation_routes
from . import errors, replies
from .operations import OPERATIONS, Handlers
from .ratelimit import account_key
from .shortlinks import ShortLinkRoute, ShortLinks


def mount(runtime: Runtime) -> Mounted:
    """2Factor's routes and handlers over one runtime."""
    handlers = Handlers(runtime.service)
    routes = [
        *operation_routes(OPERATIONS, handlers),
        # GET /API/R1 gets the documented 400 "HTTP GET is not supported on this endpoint" from sendEncrypted.
        # A route of its own, after the POST one, so a 405 there advertises only the documented `Allow: POST`.
        Route("/API/R1", handlers.sendEncrypted, methods=["GET"], include_in_schema=False, name="sendEncryptedGet"),
    ]
    return Mounted(
        routes=routes,
        # After every other route: a short link's path shape (/{header}/{code}) must never shadow one.
        fallback_routes=[
            ShortLinkRoute(
                ShortLinks(runtime.service, runtime.webhooks),
                # `/2fa/verify` has a short link's shape: the other families' paths are never links.
                reserved=tuple(p for p in runtime.path_prefixes if p not in FAMILY_PREFIXES),
            )
        ],
        exception_handlers={
            errors.Refused: replies.on_two_factor_error,
            errors.BulkRefused: replies.on_bulk_error,
        },
        account_key=account_key(runtime.service),
    )


FAMILY_PREFIXES = ("/API/",)
FAMILY = ProviderFamily(
    name="twofactor",
    document="openapi/twofactor.yaml",
    path_prefixes=FAMILY_PREFIXES,
    operations=OPERATIONS,
    shape_error=replies.shape_error,
    mount=mount,
)
