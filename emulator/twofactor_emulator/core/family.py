"""The interface between the shared core and a provider's route family.

A provider is a folder `providers/<name>/` whose `__init__.py` defines `FAMILY = ProviderFamily(...)`,
listed once in `providers/__init__.py`'s `FAMILIES`. The app (app.py) mounts every family on the one
`Runtime`: it adds the family's routes and exception handlers, answers 404/405/429/500 under the
family's `path_prefixes` with its `shape_error`, lets fault rules name its operationIds, rate-limits
by its `account_key`, and runs its background loops while the server runs. Nothing in core or in
the control API names a provider.
"""

from __future__ import annotations

import types
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope

from .background import BackgroundLoop
from .config import SectionReader
from .faults import Faults
from .retention import Retention
from .service import Service
from .webhooks import WebhookDispatcher

Endpoint = Callable[[Request], Awaitable[Response]]
# An unbound handler method of a family's handler class: `Handlers.sendSms`, called as (handlers, request).
Handler = Callable[[Any, Request], Awaitable[Response]]
# (request, text, HTTP status) -> an error reply in the family's own shape.
ErrorShaper = Callable[[Request, str, int], Response]
ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]
# The account a request counts against for the rate limit, and a `receive` that still yields the
# whole body (reading a key from a body consumes it). None: not limited (e.g. a sandbox account).
AccountKey = Callable[[Scope, Receive], Awaitable[tuple[str | None, Receive]]]


@dataclass(frozen=True)
class Runtime:
    """Everything of one emulator instance that a family or the control API may use."""

    service: Service
    webhooks: WebhookDispatcher
    retention: Retention
    faults: Faults
    # Every family's `path_prefixes`: a family's fallback route must never match under another's.
    path_prefixes: tuple[str, ...] = ()
    # Called after `POST /_emulator/reset` with the phone reset (None: everything), for what a family
    # keeps in memory (datatechlabs' receipts not yet sent). Families append theirs when mounted.
    after_reset: list[Callable[[str | None], None]] = field(default_factory=list)


@dataclass(frozen=True)
class Operation:
    """One operation of a family's document, bound explicitly to its handler."""

    operation_id: str
    method: str  # as documented
    path: str
    handler: Handler
    also: tuple[str, ...] = ()  # further methods served by the same handler (2Factor's "POST on V1 routes")

    @property
    def methods(self) -> tuple[str, ...]:
        """Every method the route serves for this operation."""
        return (self.method, *self.also)


@dataclass(frozen=True)
class Mounted:
    """A family's parts built over one `Runtime`."""

    routes: Sequence[BaseRoute]  # in routing order
    fallback_routes: Sequence[BaseRoute] = ()  # tried after every family's and the control API's routes
    exception_handlers: Mapping[type[Exception], ExceptionHandler] = field(default_factory=dict)
    account_key: AccountKey | None = None  # None: the family is never rate-limited
    background: Sequence[BackgroundLoop] = ()  # started with the server, stopped at shutdown


@dataclass(frozen=True)
class ProviderFamily:
    """One provider's route family. Register it with one line in `providers/__init__.py`."""

    name: str  # "twofactor"
    document: str  # its OpenAPI document, relative to the repository: "openapi/twofactor.yaml"
    path_prefixes: tuple[str, ...]  # paths it owns ("/API/"): its error shape answers under them
    operations: tuple[Operation, ...]  # every operation of the document (a drift test compares them)
    shape_error: ErrorShaper
    mount: Callable[[Runtime], Mounted]
    config_section: str | None = None  # its own top-level TOML table, if it has settings beyond [[accounts]]
    read_config: SectionReader | None = None  # validates that table; the result is in `service.config.sections`
    # The lines `twofactor-emulator serve` prints about the family's accounts (bool: show secrets in full).
    banner: Callable[[Service, bool], Sequence[str]] | None = None


def check_handlers(operations: Sequence[Operation], handlers: type) -> None:
    """At import: every operation's handler is the method named after its operationId, and every public
    coroutine method of `handlers` serves an operation. Raises TypeError on a missing or extra handler."""
    ids = [o.operation_id for o in operations]
    if len(set(ids)) != len(ids):
        raise TypeError(f"{handlers.__name__}: an operationId is listed twice")
    for operation in operations:
        if getattr(handlers, operation.operation_id, None) is not operation.handler:
            raise TypeError(f"{operation.operation_id} is not bound to {handlers.__name__}.{operation.operation_id}")
    public = {
        name
        for name in dir(handlers)
        if not name.startswith("_") and isinstance(getattr(handlers, name), types.FunctionType)
    }
    extra = public - set(ids)
    if extra:
        raise TypeError(f"{handlers.__name__} has handlers without an operation: {', '.join(sorted(extra))}")


def operation_routes(operations: Sequence[Operation], handlers: object) -> list[Route]:
    """One route per path, in the order of `operations`, each method calling its operation's handler
    bound to `handlers` (the instance)."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for operation in operations:
        endpoint: Endpoint = types.MethodType(operation.handler, handlers)
        for method in operation.methods:
            by_path.setdefault(operation.path, {})[method] = endpoint
    routes: list[Route] = []
    for path, endpoints in by_path.items():
        single = next(iter(endpoints.values())) if len(set(endpoints.values())) == 1 else None
        routes.append(Route(path, single or _by_method(endpoints), methods=list(endpoints), name=path))
    return routes


def _by_method(endpoints: dict[str, Endpoint]) -> Endpoint:
    """One endpoint for a path whose methods are different operations (GET and POST /API/R1/)."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await endpoints[method](request)

    dispatch.endpoints = endpoints  # type: ignore[attr-defined]  # read by the drift test
    return dispatch
