"""The control API's one route table: every operation of openapi/emulator-admin.yaml, its method and
path, and the handler that serves it (one module per resource). A handler takes the `Runtime` and
the request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core.family import Endpoint, Runtime
from . import clock, credits, delivery, documents, faults, health, inbox, messages, otp, retention, webhooks
from .guard import require_json

ControlHandler = Callable[[Runtime, Request], Awaitable[Response]]

# (operationId, method, path, handler); a path's GET and PUT are two operations, so two routes.
ROUTES: tuple[tuple[str, str, str, ControlHandler], ...] = (
    ("getHealth", "GET", "/_emulator/health", health.health),
    ("listMessages", "GET", "/_emulator/messages", messages.list_messages),
    ("getLatestMessage", "GET", "/_emulator/messages/latest", messages.latest_message),
    ("waitForMessage", "GET", "/_emulator/messages/wait", messages.wait_message),
    ("getLatestOtp", "GET", "/_emulator/otp", otp.latest_otp),
    ("reset", "POST", "/_emulator/reset", messages.reset),
    ("getClock", "GET", "/_emulator/clock", clock.get_clock),
    ("advanceClock", "POST", "/_emulator/clock/advance", clock.advance_clock),
    ("getDelivery", "GET", "/_emulator/delivery", delivery.get_delivery),
    ("setDelivery", "PUT", "/_emulator/delivery", delivery.set_delivery),
    ("getWebhooks", "GET", "/_emulator/webhooks", webhooks.get_webhooks),
    ("setWebhooks", "PUT", "/_emulator/webhooks", webhooks.set_webhooks),
    ("getWebhookLog", "GET", "/_emulator/webhooks/log", webhooks.webhook_log),
    ("getCredits", "GET", "/_emulator/credits", credits.get_credits),
    ("getFaults", "GET", "/_emulator/faults", faults.get_faults),
    ("setFaults", "PUT", "/_emulator/faults", faults.set_faults),
    ("getInbox", "GET", "/_emulator/inbox", inbox.page),
    ("getRetention", "GET", "/_emulator/retention", retention.get_retention),
    ("setRetention", "PUT", "/_emulator/retention", retention.set_retention),
    ("streamEvents", "GET", "/_emulator/events", inbox.events),
    ("listDocuments", "GET", "/_emulator/openapi", documents.list_documents),
    ("getDocument", "GET", "/_emulator/openapi/{file}", documents.get_document),
    ("openInbox", "GET", "/", inbox.home),
)


def slashless(path: str) -> str | None:
    """The control path `path` names with a trailing slash added (`/_emulator/inbox/`), or None.

    Served as a redirect to the path without the slash (a browser user types either); only paths of
    this table, so a provider's path never gets a reply that is not the provider's."""
    if not path.startswith("/_emulator/") or not path.endswith("/"):
        return None
    stripped = path.rstrip("/")
    return stripped if any(stripped == route_path for _, _, route_path, _ in ROUTES) else None


def control_routes(runtime: Runtime) -> list[Route]:
    """The routes of the control API over one runtime (route names are the operationIds)."""
    return [
        Route(path, _bound(handler, runtime), methods=[method], name=name) for name, method, path, handler in ROUTES
    ]


def _bound(handler: ControlHandler, runtime: Runtime) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        require_json(request)  # a POST or PUT says its body is JSON (control/guard.py)
        return await handler(runtime, request)

    endpoint.__name__ = handler.__name__
    return endpoint
