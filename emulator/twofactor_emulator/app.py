"""The ASGI application: every operation of openapi/twofactor.yaml bound to its handler, the
control API, and error handlers that answer in 2Factor's shapes (never a framework page)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route

from .control.features import DailyFeatures
from .control.messages import ControlHandlers
from .core import http as replies
from .core.credits import OUT_OF_CREDITS, OutOfCreditsError
from .core.routing import LiteralFirstRouter
from .core.service import Service
from .providers.twofactor import errors
from .providers.twofactor.otp_handlers import OtpHandlers
from .providers.twofactor.sms_handlers import SmsHandlers

log = logging.getLogger("twofactor_emulator")
Endpoint = Callable[[Request], Awaitable[Response]]
V1 = "/API/V1/{api_key}"
V1_METHODS = ("GET", "POST")  # the document's "POST on V1 routes"


@dataclass(frozen=True)
class Operation:
    """One operation of the document: its operationId, its path and methods as documented."""

    operation_id: str
    method: str
    path: str


# Every operation of openapi/twofactor.yaml (tests/emulator/test_routes_match_document.py keeps this
# list and the document equal). The order is the routing order: a literal segment (AUTOGEN, VERIFY...)
# must come before a templated one of the same shape, as the document's "Route precedence" says; the R1
# routes share no shape with V1 ones and come first because Starlette tries routes one by one.
OPERATIONS: tuple[Operation, ...] = (
    Operation("sendSms", "POST", "/API/R1/"),
    Operation("sendSmsByQuery", "GET", "/API/R1/"),
    Operation("sendBulkSms", "POST", "/API/R1/Bulk/"),
    Operation("sendEncrypted", "POST", "/API/R1"),
    Operation("verifyOtp", "GET", V1 + "/SMS/VERIFY/{otp_session_id}/{otp_entered_by_user}"),
    Operation("verifyOtp2", "GET", V1 + "/SMS/VERIFY2/{otp_session_id}/{otp_entered_by_user}"),
    Operation("verifyOtpByPhone", "GET", V1 + "/SMS/VERIFY3/{phone_number}/{otp_entered_by_user}"),
    Operation("sendOtpAutogen", "GET", V1 + "/SMS/{phone_number}/AUTOGEN"),
    Operation("sendOtpAutogenWithTemplate", "GET", V1 + "/SMS/{phone_number}/AUTOGEN/{otp_template_name}"),
    Operation("sendOtpAutogen2", "GET", V1 + "/SMS/{phone_number}/AUTOGEN2"),
    Operation("sendOtpAutogen2WithTemplate", "GET", V1 + "/SMS/{phone_number}/AUTOGEN2/{otp_template_name}"),
    Operation("sendOtpAutogen3", "GET", V1 + "/SMS/{phone_number}/AUTOGEN3"),
    Operation("sendOtpAutogen3WithTemplate", "GET", V1 + "/SMS/{phone_number}/AUTOGEN3/{otp_template_name}"),
    Operation("sendSandboxOtp", "GET", V1 + "/SMS/{phone_number}/AUTOGEND"),
    Operation("sendSandboxOtpWithTemplate", "GET", V1 + "/SMS/{phone_number}/AUTOGEND/{otp_template_name}"),
    Operation("sendSandboxOtp2", "GET", V1 + "/SMS/{phone_number}/AUTOGEND2"),
    Operation("sendSandboxOtp2WithTemplate", "GET", V1 + "/SMS/{phone_number}/AUTOGEND2/{otp_template_name}"),
    Operation("sendCustomOtpOrTemplateSms", "GET", V1 + "/SMS/{phone_number}/{otp_value_or_template}"),
    Operation("sendCustomOtpWithTemplate", "GET", V1 + "/SMS/{phone_number}/{otp_value}/{otp_template_name}"),
    Operation("getOtpSmsBalance", "GET", V1 + "/BAL/SMS"),
    Operation("getTransactionalSmsBalance", "GET", V1 + "/ADDON_SERVICES/BAL/TRANSACTIONAL_SMS"),
    Operation("getPromotionalSmsBalance", "GET", V1 + "/ADDON_SERVICES/BAL/PROMOTIONAL_SMS"),
    Operation("verifyVoiceOtp", "GET", V1 + "/VOICE/VERIFY/{otp_session_id}/{otp_entered_by_user}"),
    Operation("sendVoiceOtpAutogen", "GET", V1 + "/VOICE/{phone_number}/AUTOGEN"),
    Operation("sendVoiceOtpWithValue", "GET", V1 + "/VOICE/{phone_number}/{otp_value}"),
)


def _methods(operation: Operation) -> list[str]:
    if operation.path.startswith("/API/V1/"):
        return list(V1_METHODS)
    return [operation.method]


def operation_routes(service: Service) -> list[Route]:
    """One route per path, each calling the handler named after its operationId."""
    sms = SmsHandlers(service)
    handlers = (OtpHandlers(service), sms)
    by_path: dict[str, list[Operation]] = {}
    for operation in OPERATIONS:
        by_path.setdefault(operation.path, []).append(operation)
    routes: list[Route] = []
    for path, operations in by_path.items():
        endpoints = {}
        for operation in operations:
            owner = next(h for h in handlers if hasattr(h, operation.operation_id))
            endpoint: Endpoint = getattr(owner, operation.operation_id)
            for method in _methods(operation):
                endpoints[method] = endpoint
        single = next(iter(endpoints.values())) if len(set(endpoints.values())) == 1 else None
        routes.append(Route(path, single or _by_method(endpoints), methods=list(endpoints), name=path))
    # GET /API/R1 gets the documented 400 "HTTP GET is not supported on this endpoint" from sendEncrypted.
    # A route of its own, after the POST one, so a 405 there advertises only the documented `Allow: POST`.
    routes.append(
        Route("/API/R1", sms.sendEncrypted, methods=["GET"], include_in_schema=False, name="sendEncryptedGet")
    )
    return routes


def _by_method(endpoints: dict[str, Endpoint]) -> Endpoint:
    """One endpoint for a path whose methods are different operations (GET and POST /API/R1/)."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await endpoints[method](request)

    dispatch.endpoints = endpoints  # type: ignore[attr-defined]  # read by the drift test
    return dispatch


def control_routes(service: Service) -> list[Route]:
    """The routes of openapi/emulator-admin.yaml."""
    control = ControlHandlers(service)
    return [
        Route("/_emulator/health", control.health, methods=["GET"], name="getHealth"),
        Route("/_emulator/messages", control.list_messages, methods=["GET"], name="listMessages"),
        Route("/_emulator/messages/latest", control.latest_message, methods=["GET"], name="getLatestMessage"),
        Route("/_emulator/messages/wait", control.wait_message, methods=["GET"], name="waitForMessage"),
        Route("/_emulator/otp", control.latest_otp, methods=["GET"], name="getLatestOtp"),
        Route("/_emulator/reset", control.reset, methods=["POST"], name="reset"),
        Route("/_emulator/clock", control.clock, methods=["GET"], name="getClock"),
        Route("/_emulator/clock/advance", control.advance_clock, methods=["POST"], name="advanceClock"),
    ]


# ---------------------------------------------------------------------------- error replies
async def _two_factor_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.TwoFactorError)
    return replies.error_reply(exc)


async def _bulk_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.BulkError)
    return replies.bulk_error_reply(exc)


async def _control_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.ControlError)
    return JSONResponse({"error": exc.message}, status_code=exc.status)


def _shaped(request: Request, details: str, status: int) -> Response:
    """An error in the shape of the family the path belongs to."""
    path = request.url.path
    if path.startswith("/_emulator"):
        return JSONResponse({"error": details}, status_code=status)
    if path.startswith("/API/R1/Bulk"):
        bulk = errors.BulkError([{"error": details}], error=details, error_type="RequestError", status=status)
        return replies.bulk_error_reply(bulk)
    return replies.envelope("Error", details, status)


async def _http_error(request: Request, exc: Exception) -> Response:
    # Starlette raises these for unknown paths (404) and methods a route does not serve (405).
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        response = _shaped(request, errors.method_not_allowed(request.method), 405)
        if exc.headers:
            response.headers.update(exc.headers)  # Allow
        allowed = _allowed_methods(request)
        if allowed:
            response.headers["Allow"] = allowed
        return response
    if exc.status_code == 404:
        return _shaped(request, errors.NO_SUCH_ROUTE, 404)
    return _shaped(request, str(exc.detail), exc.status_code)


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
    return _shaped(request, OUT_OF_CREDITS, 400)  # credits.py; in each route family's own shape


async def _unexpected(request: Request, exc: Exception) -> Response:
    # A bug or a storage failure: still a 2Factor-shaped reply, never a framework page or a trace.
    log.error("unexpected %s on %s %s", type(exc).__name__, request.method, _route_name(request), exc_info=exc)
    if isinstance(exc, sqlite3.Error):
        return _shaped(request, errors.STORAGE, 503)
    return _shaped(request, errors.INTERNAL, 500)


def _route_name(request: Request) -> str:
    # The path holds the API key: log the route's template instead.
    route = request.scope.get("route")
    return getattr(route, "path", "?")


def _lifespan(service: Service, daily: DailyFeatures) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        daily.start()
        yield
        await daily.stop()
        service.store.close()

    return lifespan


def build_app(service: Service) -> Starlette:
    """The emulator's ASGI app over `service`."""
    app = Starlette(
        exception_handlers={
            errors.TwoFactorError: _two_factor_error,
            errors.BulkError: _bulk_error,
            errors.ControlError: _control_error,
            OutOfCreditsError: _out_of_credits,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    daily = DailyFeatures(service)  # daily_control.py: delivery, webhooks (issue 6)
    app.router = LiteralFirstRouter(
        [*operation_routes(service), *control_routes(service), *daily.routes()],
        lifespan=_lifespan(service, daily),
        redirect_slashes=False,  # a redirect is no 2Factor reply; unknown paths get the 404 envelope
    )
    app.state.service = service
    operations = {(method, o.path): o.operation_id for o in OPERATIONS for method in _methods(o)}
    daily.install(app, operations, _shaped)  # faults.py
    return app
