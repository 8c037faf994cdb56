"""Faults at run time, set through the control API (`PUT /_emulator/faults`), and the rate limit.

`Faults` holds the rules (the control API swaps them); `FaultMiddleware` is the ASGI middleware that
applies them, wrapped around the whole Starlette app by app.py (outside Starlette's error middleware,
so it sees uvicorn's own `send` and can reach the socket). Rules apply to the provider families'
routes only, never to the control API, each to one operationId or to all:

- `latency`: wait `latencyMs` (or a random time up to `latencyMaxMs`) of real time, then serve;
- `error`: answer `status` (default 503) with `details`, in the route family's own error shape,
  without doing the work: HTTP 5xx, or a 2Factor error with a 4xx status;
- `drop`: close the connection (TCP reset) without reading further or answering;
- `dropAfter`: do the work (state is committed), then reset the connection instead of answering,
  the "did my OTP go out?" case.

Each rule fires with `probability` (default 1) and, with `count`, only that many times (an error
burst). `seed` makes the random draws repeatable.

The rate limit counts requests per account (each family's `account_key` finds it: for 2Factor the API
key in the path, query, form or bulk body, or the Secret-Key header, of a known account only) in
one-second windows of real time, and answers HTTP 429 past `requestsPerSecond` (default 200:
2Factor's default tier). A family exempts an account by giving no key (2Factor's sandbox: "no rate
limits"); at most `MAX_RATE_KEYS` keys are counted in a window.

With no rule and no rate limit (the default), a request costs one attribute check here.
Dropping needs a real socket (uvicorn): in-process transports have none, so there a drop rule
raises `ConnectionAbortedError` instead, which in-process clients see as a failed request.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KINDS = ("latency", "error", "drop", "dropAfter")
DEFAULT_RATE_LIMIT = 200


def rate_limited_text(limit: int) -> str:
    """The 429 text of openapi/twofactor.yaml's RateLimited response, with the limit in force."""
    return f"Rate Limit Exceeded - {limit} Requests Per Second"


INJECTED = "Service Unavailable - Injected Fault"
MAX_LATENCY_MS = 60_000
# Bytes of a body read to find its API key, the rest passed on unread: above every route's own body
# limit (2Factor's bulk: 5 MiB), so no body a route accepts can hide its key from the rate limit.
BUFFER_LIMIT = 6 * 1024 * 1024
Shaper = Callable[[Request, str, int], Response]
AccountKeyOf = Callable[[Scope, Receive], Awaitable[tuple[str | None, Receive]]]


@dataclass
class FaultRule:
    """One fault: what, where, how often."""

    kind: str
    operation: str | None = None  # an operationId of a provider's document; None: every provider route
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


MAX_RATE_KEYS = 10_000  # keys counted in one window; a key past it is not counted (families give known accounts only)


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
        if count == 1 and len(self._counts) >= MAX_RATE_KEYS:
            return True
        self._counts[key] = count
        return count <= self.limit


class Faults:
    """The rules and the rate limit in force; `configure` swaps them whole (the control API)."""

    def __init__(self, operation_ids: Iterable[str]) -> None:
        self.operation_ids = frozenset(operation_ids)  # what a rule may name
        self.settings = FaultSettings()
        self.active = False
        self.limiter: RateLimiter | None = None
        self._random = random.Random()  # noqa: S311 - fault draws, not security

    def configure(self, settings: FaultSettings) -> None:
        """Install new rules and rate limit (the counters start over)."""
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit) if settings.rate_limit is not None else None
        self._random = random.Random(settings.seed)  # noqa: S311 - fault draws, not security
        self.active = bool(settings.rules) or self.limiter is not None

    def pick(self, operation: str | None) -> FaultRule | None:
        """The rule that fires for a request to `operation` (None: no operation's route), if any."""
        for rule in self.settings.rules:
            if rule.operation is not None and rule.operation != operation:
                continue
            if rule.count is not None and rule.fired >= rule.count:
                continue
            if self._random.random() < rule.probability:
                return rule
        return None

    def latency_seconds(self, rule: FaultRule) -> float:
        """A latency rule's wait: `latencyMs`, or a random time up to `latencyMaxMs`."""
        high = rule.latency_max_ms if rule.latency_max_ms is not None else rule.latency_ms
        return self._random.uniform(rule.latency_ms, high) / 1000


class FaultMiddleware:
    """The ASGI middleware that applies `faults` to every request outside the control API.

    `routes` and `operations` ((method, route path) -> operationId) name the request's operation;
    `shape_error` answers in the shape of the family the path belongs to; `account_key` finds the
    account a request counts against (None: the path's family is not rate-limited).
    """

    def __init__(
        self,
        app: ASGIApp,
        faults: Faults,
        *,
        routes: Callable[[], Iterable[BaseRoute]],
        operations: dict[tuple[str, str], str],
        shape_error: Shaper,
        account_key: Callable[[str], AccountKeyOf | None],
    ) -> None:
        self.app = app
        self.faults = faults
        self.routes = routes
        self.operations = operations
        self.shape_error = shape_error
        self.account_key = account_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.faults
        if not faults.active or scope["type"] != "http" or scope["path"].startswith("/_emulator"):
            await self.app(scope, receive, send)
            return
        limiter = faults.limiter
        find_key = self.account_key(scope["path"])
        if limiter is not None and find_key is not None:
            key, receive = await find_key(scope, receive)
            if key is not None and not limiter.allow(key):
                limited = self.shape_error(Request(scope), rate_limited_text(limiter.limit), 429)
                # Fixed one-second windows: the next window opens within a second (the document's Retry-After).
                limited.headers["Retry-After"] = "1"
                await limited(scope, receive, send)
                return
        rule = faults.pick(self._operation(scope))
        if rule is None:
            await self.app(scope, receive, send)
            return
        rule.fired += 1
        if rule.kind == "latency":
            await asyncio.sleep(faults.latency_seconds(rule))
            await self.app(scope, receive, send)
        elif rule.kind == "error":
            await self.shape_error(Request(scope), rule.details, rule.status)(scope, receive, send)
        elif rule.kind == "drop":
            _abort(send)
        else:  # dropAfter: the work is done and committed, the reply never leaves

            async def swallow(message: Message) -> None:
                return

            await self.app(scope, receive, swallow)
            _abort(send)

    def _operation(self, scope: Scope) -> str | None:
        for route in self.routes():
            if isinstance(route, Route):
                match, _ = route.matches(scope)
                if match is Match.FULL:
                    return self.operations.get((scope["method"], route.path))
        return None


def _abort(send: Send) -> None:
    # uvicorn calls the app with a bound method of its request cycle, which holds the socket's transport;
    # the edge (core/edge.py) wraps it and exposes that transport as its own `transport`.
    transport = getattr(send, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("fault injection: connection dropped (no socket to reset in-process)")
    transport.abort()  # RST: the client sees the connection reset, no reply


async def buffered_body(receive: Receive) -> tuple[bytes, Receive]:
    """Up to `BUFFER_LIMIT` bytes of the request body, and a `receive` that yields the whole body again
    (the route's own body limit still applies after this)."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more and size <= BUFFER_LIMIT:
        message = await receive()
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = bool(message.get("more_body"))
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": more}

    return body, replay
