"""The ASGI application: the shared core, every provider family of the registry
(providers/__init__.py), the control API (control/routes.py), the fault middleware and, outermost,
the server's edge (core/edge.py: keep-alive kept after errors, duplicate parameters refused, the
control API's guard).

Errors never become a framework page: 404/405/429/500 are answered in the shape of the family the
path belongs to (`ProviderFamily.shape_error`), `{"error": ...}` under `/_emulator/`.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp

from .control import params as control_params
from .control.guard import ControlGuard
from .control.routes import control_routes, slashless
from .core.credits import OUT_OF_CREDITS, OutOfCreditsError
from .core.edge import INTERNAL, STORAGE, Edge, ServerSettings
from .core.family import AccountKey, ExceptionHandler, Mounted, ProviderFamily, Runtime
from .core.faults import FaultMiddleware, Faults
from .core.retention import Retention
from .core.routing import LiteralFirstRouter
from .core.service import Service
from .core.store import StorageBusyError
from .core.webhooks import WebhookDispatcher
from .providers import FAMILIES

log = logging.getLogger("twofactor_emulator")
CONTROL_PREFIX = "/_emulator"
NO_SUCH_ROUTE = "Invalid Request - No Such Route"
LOCKED = "Service Unavailable - The Emulator's Database Is Locked By Another Process, Retry Later"
RETRY_AFTER_SECONDS = 1
_LOCK_LOG_INTERVAL_SECONDS = 10.0


def method_not_allowed(method: str) -> str:
    """The text for a method a route does not serve, worded like 2Factor's ENC GET error."""
    return f"HTTP {method} is not supported on this endpoint"


def family_of(path: str, families: Sequence[ProviderFamily] = FAMILIES) -> ProviderFamily:
    """The family owning `path`; the first family for a path no family owns."""
    for family in families:
        if path.startswith(family.path_prefixes):
            return family
    return families[0]


def shape_error(request: Request, details: str, status: int) -> Response:
    """An error in the shape of the family the path belongs to, or of the control API."""
    path = request.url.path
    if path.startswith(CONTROL_PREFIX):
        return control_params.error_reply(details, status)
    return family_of(path).shape_error(request, details, status)


async def _http_error(request: Request, exc: Exception) -> Response:
    # Starlette raises these for unknown paths (404) and methods a route does not serve (405).
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        response = shape_error(request, method_not_allowed(request.method), 405)
        if exc.headers:
            response.headers.update(exc.headers)  # Allow
        allowed = _allowed_methods(request)
        if allowed:
            response.headers["Allow"] = allowed
        return response
    if exc.status_code == 404:
        target = slashless(request.url.path)
        if target is not None and request.method in ("GET", "HEAD"):
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(target + query, status_code=308)
        return shape_error(request, NO_SUCH_ROUTE, 404)
    return shape_error(request, str(exc.detail), exc.status_code)


def _allowed_methods(request: Request) -> str:
    """Every method served at the request's path, over all of its routes.

    A control path's GET and PUT are two routes (one operationId each), and Starlette's own `Allow`
    names only the first route's methods. Hidden routes are left out: GET /API/R1 answers the
    documented 400, it is not a supported method there.
    """
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.include_in_schema and route.methods:
            match, _ = route.matches(request.scope)
            if match is not Match.NONE:
                methods |= route.methods
    return ", ".join(sorted(methods))


async def _out_of_credits(request: Request, exc: Exception) -> Response:
    return shape_error(request, OUT_OF_CREDITS, 400)  # core/credits.py; in each family's own shape


class _LockWarning:
    """One log line per `_LOCK_LOG_INTERVAL_SECONDS` while writes meet a locked database, not one per request."""

    last = -_LOCK_LOG_INTERVAL_SECONDS

    @classmethod
    def emit(cls) -> None:
        now = time.monotonic()
        if now - cls.last >= _LOCK_LOG_INTERVAL_SECONDS:
            cls.last = now
            log.warning("the database is locked by another connection: writes answer 503 with Retry-After")


async def _storage_busy(request: Request, exc: Exception) -> Response:
    # Another process holds SQLite's write lock past the busy timeout (core/store.py): nothing of the
    # request was stored, and trying again later is the right move, so say so.
    _LockWarning.emit()
    response = shape_error(request, LOCKED, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    # A bug or a storage failure: still a reply in the family's shape, never a framework page or a trace.
    # Starlette re-raises after sending this reply; the edge (core/edge.py) drops it there, so the
    # connection stays open and uvicorn logs no second traceback.
    log.error("unexpected %s on %s %s", type(exc).__name__, request.method, _route_name(request), exc_info=exc)
    if isinstance(exc, sqlite3.Error):
        return shape_error(request, STORAGE, 503)
    return shape_error(request, INTERNAL, 500)


def _route_name(request: Request) -> str:
    # The path holds the API key: log the route's template instead.
    route = request.scope.get("route")
    return getattr(route, "path", "?")


def _lifespan(runtime: Runtime, mounted: Sequence[Mounted]) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Resume posting reports and pruning if their settings are stored; start the families' loops.
        runtime.webhooks.ensure_running()
        runtime.retention.ensure_running()
        loops = [loop for part in mounted for loop in part.background]
        for loop in loops:
            loop.ensure_running()
        yield
        for loop in loops:
            await loop.stop()
        await runtime.webhooks.loop.stop()
        await runtime.retention.loop.stop()
        runtime.service.batcher.close()  # the queued writes first, then the connections
        runtime.service.store.close()

    return lifespan


class EmulatorApp(Starlette):
    """Starlette wrapped in `FaultMiddleware`, outside Starlette's own error middleware (a dropped
    connection needs uvicorn's raw `send`, core/faults.py), wrapped in the edge (core/edge.py)."""

    def __init__(
        self, runtime: Runtime, mounted: Sequence[Mounted], settings: ServerSettings, **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.runtime = runtime
        self.settings = settings
        keys: dict[str, AccountKey | None] = {f.name: m.account_key for f, m in zip(FAMILIES, mounted, strict=True)}
        self._account_keys = keys

    def _account_key(self, path: str) -> AccountKey | None:
        return self._account_keys[family_of(path).name]

    def stopping(self) -> None:
        """The server has begun to shut down: open event streams and long-polls end now (server.py)."""
        self.runtime.service.signal.close()

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack, wrapped in the fault middleware, wrapped in the edge."""
        operations = {(method, o.path): o.operation_id for f in FAMILIES for o in f.operations for method in o.methods}
        faults = FaultMiddleware(
            super().build_middleware_stack(),
            self.runtime.faults,
            routes=lambda: self.router.routes,
            operations=operations,
            shape_error=shape_error,
            account_key=self._account_key,
        )
        return Edge(
            faults,
            shape_error=shape_error,
            gates=[(CONTROL_PREFIX + "/", ControlGuard(self.settings))],
            raise_errors=self.settings.in_process,
        )


def build_app(service: Service, settings: ServerSettings | None = None) -> EmulatorApp:
    """The emulator's ASGI app over `service`; `settings` says how it is reached (default: loopback,
    no control token, links on the listening address)."""
    settings = settings or ServerSettings()
    runtime = Runtime(
        service=service,
        webhooks=WebhookDispatcher(service),
        retention=Retention(service),
        faults=Faults(o.operation_id for f in FAMILIES for o in f.operations),
        path_prefixes=tuple(prefix for f in FAMILIES for prefix in f.path_prefixes),
    )
    mounted = [family.mount(runtime) for family in FAMILIES]
    handlers: dict[type[Exception], ExceptionHandler] = {}
    for part in mounted:
        handlers.update(part.exception_handlers)
    handlers.update(
        {
            control_params.ControlError: control_params.on_control_error,
            OutOfCreditsError: _out_of_credits,
            StorageBusyError: _storage_busy,
            HTTPException: _http_error,
            Exception: _unexpected,
        }
    )
    app = EmulatorApp(runtime, mounted, settings, exception_handlers=handlers)
    app.router = LiteralFirstRouter(
        [
            *(route for part in mounted for route in part.routes),
            *control_routes(runtime),
            *(route for part in mounted for route in part.fallback_routes),
        ],
        lifespan=_lifespan(runtime, mounted),
        redirect_slashes=False,  # a redirect is no provider's reply; unknown paths get the family's 404
    )
    app.state.service = service
    app.state.public_url = settings.public_url  # core/http.public_base_url
    return app
