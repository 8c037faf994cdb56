"""The server's edge: the outermost ASGI middleware, what every request passes before faults and
routing, and the settings of the server itself (public URL, allowed hosts, control token).

- An exception never costs the connection. Starlette's error middleware sends the 500 reply of the
  app's `Exception` handler and then re-raises, and uvicorn closes a keep-alive connection on any
  exception, although the reply said nothing of closing, so a client's next request on it failed.
  Here an exception after a complete reply is dropped (the handler logged it); one before any reply
  is answered in the route family's shape; one in the middle of a reply lets uvicorn close. In
  process (`ServerSettings.in_process`, the test helpers' `create_app`) it is raised again after
  the reply, so the test that met a bug fails.
- A repeated query parameter is refused with 400 in the family's shape, on every route: a rate limit
  reading the first value and a handler reading the last would count one account and serve another.
- Gates: per path prefix, a check that may answer instead of the app (the control API's guard,
  control/guard.py).
- A reply to a request whose body was refused unread (core/http.CLOSE_CONNECTION) says
  `Connection: close`, so the rest of that body is never read.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http import CLOSE_CONNECTION, duplicate_name, duplicate_parameter

log = logging.getLogger("twofactor_emulator")
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - names, not a bind
INTERNAL = "Internal Error - The Emulator Could Not Process This Request"
STORAGE = "Service Unavailable - The Emulator Could Not Store This Request"
Shaper = Callable[[Request, str, int], Response]
Gate = Callable[[Scope], Response | None]


@dataclass(frozen=True)
class ServerSettings:
    """How the emulator is reached: set by the command line (or the test helpers), read by the edge,
    the control API's guard and the short links."""

    public_url: str | None = None  # the base URL handed out in links; None: the listening address
    control_token: str | None = field(default=None, repr=False)  # None: the control API is open (loopback)
    bind_host: str | None = None  # the --host the server was started with
    # True when served in process (testing.create_app behind httpx's ASGITransport or Starlette's
    # TestClient): any Host is accepted (their host names are made up, and there is no socket a
    # browser could reach), and an unexpected exception is raised to the test after its 500 reply,
    # so a bug fails the test that met it. On a socket the connection is kept instead.
    in_process: bool = False

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """Host names the control API answers under: loopback, the bound host, the public URL's host."""
        names = set(LOOPBACK_NAMES)
        if self.bind_host and self.bind_host.strip("[]") not in WILDCARD_HOSTS:
            names.add(self.bind_host.strip("[]").lower())
        if self.public_url:
            public = urlsplit(self.public_url).hostname
            if public:
                names.add(public.lower())
        return frozenset(names)


def host_name(host_header: str) -> str:
    """The name part of a `Host` header value, lower case, without port or IPv6 brackets."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Edge:
    """The outermost middleware (see the module's docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        shape_error: Shaper,
        gates: Sequence[tuple[str, Gate]] = (),
        raise_errors: bool = False,
    ) -> None:
        self.app = app
        self.shape_error = shape_error
        self.gates = tuple(gates)
        self.raise_errors = raise_errors  # after the reply: in process, so the test sees the bug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        reply = _TrackedSend(scope, send)
        try:
            await self.app(scope, receive, reply)
        except Exception as exc:
            if reply.started and not reply.complete:
                raise  # half a reply: only closing the connection ends it
            if not reply.started:
                log.error(
                    "unexpected %s on %s %s", type(exc).__name__, scope["method"], _route_name(scope), exc_info=exc
                )
                status, text = (503, STORAGE) if isinstance(exc, sqlite3.Error) else (500, INTERNAL)
                await self.shape_error(Request(scope), text, status)(scope, receive, send)
            # Else answered (and logged) by the app's error handler.
            if self.raise_errors:
                raise
            # On a socket: the reply is complete, so the connection stays open for the next request.

    def _refusal(self, scope: Scope) -> Response | None:
        query: bytes = scope.get("query_string", b"")
        if query:
            repeated = duplicate_name(parse_qsl(query.decode("latin-1"), keep_blank_values=True))
            if repeated is not None:
                return self.shape_error(Request(scope), duplicate_parameter(repeated), 400)
        path: str = scope["path"]
        for prefix, gate in self.gates:
            if path.startswith(prefix):
                return gate(scope)
        return None


class _TrackedSend:
    """uvicorn's `send`, noting how far the reply got and adding `Connection: close` when asked.
    `transport` is uvicorn's socket transport (None in process), for the fault middleware's drops."""

    __slots__ = ("_scope", "_send", "complete", "started", "transport")

    def __init__(self, scope: Scope, send: Send) -> None:
        self._scope = scope
        self._send = send
        self.started = self.complete = False
        self.transport = getattr(getattr(send, "__self__", None), "transport", None)

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            if self._scope.get(CLOSE_CONNECTION):
                message = {**message, "headers": [*message.get("headers", ()), (b"connection", b"close")]}
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            self.complete = True
        await self._send(message)


def _route_name(scope: Scope) -> str:
    # The path holds the API key: log the route's template instead.
    return getattr(scope.get("route"), "path", "?")
