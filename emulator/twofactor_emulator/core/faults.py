"""Faults at run time, set through the control API (`PUT /_emulator/faults`), and the rate limit.

An ASGI layer outside everything else of the app (outside Starlette's error middleware, so it sees
uvicorn's own `send` and can reach the socket). Rules apply to the 2Factor routes only, never to
the control API, each to one operationId or to all:

- `latency`: wait `latencyMs` (or a random time up to `latencyMaxMs`) of real time, then serve;
- `error`: answer `status` (default 503) with `details`, in the route family's own error shape,
  without doing the work: HTTP 5xx, or a 2Factor error with a 4xx status;
- `drop`: close the connection (TCP reset) without reading further or answering;
- `dropAfter`: do the work (state is committed), then reset the connection instead of answering,
  the "did my OTP go out?" case.

Each rule fires with `probability` (default 1) and, with `count`, only that many times (an error
burst). `seed` makes the random draws repeatable.

The rate limit counts requests per account (the API key in the path, query, form or bulk body;
the Secret-Key header for ENC) in one-second windows of real time, and answers HTTP 429 past
`requestsPerSecond` (default 200: 2Factor's default tier). Sandbox accounts are exempt (the docs:
"no rate limits" in the sandbox). Reading a key from a body buffers that body and replays it.

With no rule and no rate limit (the default), a request costs one attribute check here.
Dropping needs a real socket (uvicorn): in-process transports have none, so there a drop rule
raises `ConnectionAbortedError` instead, which in-process clients see as a failed request.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KINDS = ("latency", "error", "drop", "dropAfter")
DEFAULT_RATE_LIMIT = 200


def rate_limited_text(limit: int) -> str:
    """The 429 text of openapi/twofactor.yaml's RateLimited response, with the limit in force."""
    return f"Rate Limit Exceeded - {limit} Requests Per Second"


INJECTED = "Service Unavailable - Injected Fault"
MAX_LATENCY_MS = 60_000
BUFFER_LIMIT = 4 * 1024 * 1024  # bytes of a body read to find its API key; the rest is passed on unread
Shaper = Callable[[Request, str, int], Response]


@dataclass
class FaultRule:
    """One fault: what, where, how often."""

    kind: str
    operation: str | None = None  # an operationId of twofactor.yaml; None: every 2Factor route
    probability: float = 1.0
    count: int | None = None  # fires at most this many more times; None: no limit
    latency_ms: float = 0.0
    latency_max_ms: float | None = None
    status: int = 503
    details: str = INJECTED
    fired: int = 0

    def to_json(self) -> dict[str, Any]:
        """As the control API shows it."""
        out: dict[str, Any] = {"kind": self.kind, "operation": self.operation, "probability": self.probability}
        out["count"] = self.count
        out["fired"] = self.fired
        if self.kind == "latency":
            out["latencyMs"] = self.latency_ms
            out["latencyMaxMs"] = self.latency_max_ms
        if self.kind == "error":
            out["status"] = self.status
            out["details"] = self.details
        return out


@dataclass
class FaultSettings:
    """Every fault rule and the rate limit."""

    rules: list[FaultRule] = field(default_factory=list)
    rate_limit: int | None = None  # requests per second per account; None: off
    seed: int | None = None


class RateLimiter:
    """Fixed one-second windows of real time, per key."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._window = 0
        self._counts: dict[str, int] = {}

    def allow(self, key: str) -> bool:
        """Count one request; False when the key is over the limit in this second."""
        window = int(time.monotonic())
        if window != self._window:
            self._window, self._counts = window, {}
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count <= self.limit


class FaultInjector:
    """The ASGI layer. `settings` is swapped whole by the control API."""

    def __init__(
        self,
        app: ASGIApp,
        router: Router,
        operations: dict[tuple[str, str], str],
        shaper: Shaper,
        is_sandbox_key: Callable[[str], bool],
    ) -> None:
        self.app = app
        self.router = router
        self.operations = operations  # (method, route path) -> operationId
        self.shaper = shaper
        self.is_sandbox_key = is_sandbox_key
        self.settings = FaultSettings()
        self.active = False
        self._limiter: RateLimiter | None = None
        self._random = random.Random()  # noqa: S311 - fault draws, not security

    def configure(self, settings: FaultSettings) -> None:
        """Install new rules and rate limit (the counters start over)."""
        self.settings = settings
        self._limiter = RateLimiter(settings.rate_limit) if settings.rate_limit is not None else None
        self._random = random.Random(settings.seed)  # noqa: S311 - fault draws, not security
        self.active = bool(settings.rules) or self._limiter is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.active or scope["type"] != "http" or scope["path"].startswith("/_emulator"):
            await self.app(scope, receive, send)
            return
        if self._limiter is not None:
            key, receive = await _account_key(scope, receive)
            if key is not None and not self.is_sandbox_key(key) and not self._limiter.allow(key):
                limited = self.shaper(Request(scope), rate_limited_text(self._limiter.limit), 429)
                # Fixed one-second windows: the next window opens within a second (the document's Retry-After).
                limited.headers["Retry-After"] = "1"
                await limited(scope, receive, send)
                return
        rule = self._pick(self._operation(scope))
        if rule is None:
            await self.app(scope, receive, send)
            return
        rule.fired += 1
        if rule.kind == "latency":
            high = rule.latency_max_ms if rule.latency_max_ms is not None else rule.latency_ms
            await asyncio.sleep(self._random.uniform(rule.latency_ms, high) / 1000)
            await self.app(scope, receive, send)
        elif rule.kind == "error":
            await self.shaper(Request(scope), rule.details, rule.status)(scope, receive, send)
        elif rule.kind == "drop":
            _abort(send)
        else:  # dropAfter: the work is done and committed, the reply never leaves

            async def swallow(message: Message) -> None:
                return

            await self.app(scope, receive, swallow)
            _abort(send)

    def _operation(self, scope: Scope) -> str | None:
        for route in self.router.routes:
            if isinstance(route, Route):
                match, _ = route.matches(scope)
                if match is Match.FULL:
                    return self.operations.get((scope["method"], route.path))
        return None

    def _pick(self, operation: str | None) -> FaultRule | None:
        for rule in self.settings.rules:
            if rule.operation is not None and rule.operation != operation:
                continue
            if rule.count is not None and rule.fired >= rule.count:
                continue
            if self._random.random() < rule.probability:
                return rule
        return None


def _abort(send: Send) -> None:
    # uvicorn calls the app with a bound method of its request cycle, which holds the socket's transport.
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionAbortedError("fault injection: connection dropped (no socket to reset in-process)")
    transport.abort()  # RST: the client sees the connection reset, no reply


async def _account_key(scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
    """The request's account key, and a `receive` that still yields the whole body."""
    path: str = scope["path"]
    if path.startswith("/API/V1/"):
        return path.split("/")[3], receive
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if scope["method"] == "GET":
        return _first(query, "apikey"), receive
    headers = dict(scope["headers"])
    secret = headers.get(b"secret-key")
    if secret is not None:
        return "secret:" + secret.decode("latin-1"), receive
    body, more = b"", True
    while more and len(body) <= BUFFER_LIMIT:  # the routes' own body limits still apply after this
        message = await receive()
        body += message.get("body", b"")
        more = bool(message.get("more_body"))
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": more}

    key: str | None = None
    if path.startswith("/API/R1/Bulk"):
        try:
            data = json.loads(body)
            key = data.get("apikey") if isinstance(data, dict) and isinstance(data.get("apikey"), str) else None
        except (ValueError, UnicodeDecodeError):
            key = None
    else:
        key = _first(parse_qs(body.decode("latin-1")), "apikey")
    return key, replay


def _first(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name)
    return found[0] if found else None
