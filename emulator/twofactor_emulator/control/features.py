"""The control API of the daily-tool features (issue 6): delivery delay, magic numbers, the bulk
delivery-report webhook and its log. Described in openapi/emulator-admin.yaml like the rest."""

from __future__ import annotations

import math
import re
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router
from starlette.types import ASGIApp

from ..core.delivery import MAGIC_NUMBERS, MAX_DELAY_SECONDS
from ..core.faults import (
    DEFAULT_RATE_LIMIT,
    INJECTED,
    KINDS,
    MAX_LATENCY_MS,
    FaultInjector,
    FaultRule,
    FaultSettings,
    Shaper,
)
from ..core.retention import Retention, RetentionSettings
from ..core.service import Service
from ..core.webhooks import MAX_ATTEMPTS_LIMIT, WebhookDispatcher, WebhookSettings
from ..providers.twofactor import errors
from ..providers.twofactor.shortlinks import ShortLinks
from .inbox import Inbox
from .messages import _json_body

_URL_RE = re.compile(r"https?://[^\s]{1,2040}")
MAX_BACKOFF_SECONDS = 24 * 3600.0
MAX_RULES = 50
MAX_RETENTION_SECONDS = 10 * 365 * 24 * 3600.0


def _number(body: dict[str, Any], name: str, default: float, high: float) -> float:
    value = body.get(name, default)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or not 0 <= value <= high:
        raise errors.ControlError(f"{name} must be a number from 0 to {high:g}")
    return float(value)


class DailyFeatures:
    """Handlers and background work of the daily-tool features, bound to one `Service`."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.webhooks = WebhookDispatcher(service)
        self.faults: FaultInjector | None = None
        self.inbox = Inbox(service)
        self.retention = Retention(service)
        self.short_links = ShortLinks(service, self.webhooks)

    def install(self, app: Starlette, operations: dict[tuple[str, str], str], shaper: Shaper) -> None:
        """Put the fault layer outside `app`'s whole middleware stack (see faults.py)."""
        build = app.build_middleware_stack
        router = app.router

        def build_with_faults() -> ASGIApp:
            self.faults = FaultInjector(build(), router, operations, shaper, self._is_sandbox_key)
            return self.faults

        app.build_middleware_stack = build_with_faults  # type: ignore[method-assign]
        router.default = self.short_links.router_default(router.default)  # GET /{HEADER}/{code}
        self._operations = set(operations.values())
        self._router: Router = router

    def _is_sandbox_key(self, key: str) -> bool:
        account = self.service.find_account(key)
        return account is not None and account.sandbox is True

    def routes(self) -> list[Route]:
        """The control routes (names are the admin document's operationIds)."""
        return [
            Route("/_emulator/delivery", self.get_delivery, methods=["GET"], name="getDelivery"),
            Route("/_emulator/delivery", self.set_delivery, methods=["PUT"], name="setDelivery"),
            Route("/_emulator/webhooks", self.get_webhooks, methods=["GET"], name="getWebhooks"),
            Route("/_emulator/webhooks", self.set_webhooks, methods=["PUT"], name="setWebhooks"),
            Route("/_emulator/webhooks/log", self.webhook_log, methods=["GET"], name="getWebhookLog"),
            Route("/_emulator/credits", self.credits, methods=["GET"], name="getCredits"),
            Route("/_emulator/faults", self.get_faults, methods=["GET"], name="getFaults"),
            Route("/_emulator/faults", self.set_faults, methods=["PUT"], name="setFaults"),
            Route("/_emulator/inbox", self.inbox.page, methods=["GET"], name="getInbox"),
            Route("/_emulator/retention", self.get_retention, methods=["GET"], name="getRetention"),
            Route("/_emulator/retention", self.set_retention, methods=["PUT"], name="setRetention"),
            Route("/_emulator/events", self.inbox.events, methods=["GET"], name="streamEvents"),
        ]

    def start(self) -> None:
        """At server start: resume posting reports and pruning if their settings are stored."""
        self.webhooks.ensure_running()
        self.retention.ensure_running()

    async def stop(self) -> None:
        """At server stop."""
        await self.webhooks.loop.stop()
        await self.retention.loop.stop()

    # ------------------------------------------------------------------ delivery
    def _delivery_reply(self) -> Response:
        return JSONResponse({"delaySeconds": self.service.delivery.delay_seconds, "magicNumbers": MAGIC_NUMBERS})

    async def get_delivery(self, request: Request) -> Response:
        """GET /_emulator/delivery."""
        return self._delivery_reply()

    async def set_delivery(self, request: Request) -> Response:
        """PUT /_emulator/delivery with `{"delaySeconds": N}`."""
        body = await _json_body(request, required=True)
        if "delaySeconds" not in body:  # required by the admin document's DeliveryRequest
            raise errors.ControlError("delaySeconds is required")
        settings = self.service.delivery
        settings.delay_seconds = _number(body, "delaySeconds", settings.delay_seconds, MAX_DELAY_SECONDS)
        settings.save(self.service.store)
        return self._delivery_reply()

    # ------------------------------------------------------------------ webhooks
    def _webhooks_reply(self) -> Response:
        settings = self.webhooks.settings
        return JSONResponse(
            {
                "url": settings.url,
                "maxAttempts": settings.max_attempts,
                "backoffSeconds": settings.backoff_seconds,
                "pending": len(self.webhooks.pending),
            }
        )

    async def get_webhooks(self, request: Request) -> Response:
        """GET /_emulator/webhooks."""
        return self._webhooks_reply()

    async def set_webhooks(self, request: Request) -> Response:
        """PUT /_emulator/webhooks with `{"url", "maxAttempts", "backoffSeconds"}`; a null url turns reports off."""
        body = await _json_body(request, required=True)
        current = self.webhooks.settings
        url = body.get("url", current.url)
        if url is not None and not (isinstance(url, str) and _URL_RE.fullmatch(url)):
            raise errors.ControlError("url must be an http(s) URL of at most 2048 characters, or null")
        attempts = body.get("maxAttempts", current.max_attempts)
        if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= MAX_ATTEMPTS_LIMIT:
            raise errors.ControlError(f"maxAttempts must be an integer from 1 to {MAX_ATTEMPTS_LIMIT}")
        backoff = _number(body, "backoffSeconds", current.backoff_seconds, MAX_BACKOFF_SECONDS)
        self.webhooks.configure(WebhookSettings(url=url, max_attempts=attempts, backoff_seconds=backoff))
        return self._webhooks_reply()

    async def webhook_log(self, request: Request) -> Response:
        """GET /_emulator/webhooks/log: every report attempt, oldest first (the last 1000)."""
        return JSONResponse({"attempts": list(self.webhooks.log)})

    # ------------------------------------------------------------------ credits
    async def credits(self, request: Request) -> Response:
        """GET /_emulator/credits: each account's credits (named by the last 4 characters of its key)."""
        accounts = []
        for account in self.service.accounts:
            balance = self.service.balance(account)
            accounts.append(
                {
                    "apiKeyEnd": account.api_key[-4:],
                    "credits": account.credits,
                    "used": account.credits - balance,
                    "balance": balance,
                }
            )
        return JSONResponse({"accounts": accounts})

    # ------------------------------------------------------------------ faults
    def _injector(self) -> FaultInjector:
        # Built with the app's middleware stack, before the first request (this one) reached a handler.
        if self.faults is None:
            raise errors.ControlError("fault injection is not installed on this app", status=404)
        return self.faults

    def _faults_reply(self, injector: FaultInjector) -> Response:
        settings = injector.settings
        return JSONResponse(
            {
                "rules": [rule.to_json() for rule in settings.rules],
                "rateLimit": None if settings.rate_limit is None else {"requestsPerSecond": settings.rate_limit},
                "seed": settings.seed,
            }
        )

    async def get_faults(self, request: Request) -> Response:
        """GET /_emulator/faults."""
        return self._faults_reply(self._injector())

    async def set_faults(self, request: Request) -> Response:
        """PUT /_emulator/faults: replaces every rule and the rate limit; `{}` turns everything off."""
        body = await _json_body(request, required=True)
        rules = body.get("rules", [])
        if not isinstance(rules, list) or len(rules) > MAX_RULES:
            raise errors.ControlError(f"rules must be a list of at most {MAX_RULES} rules")
        parsed = [self._rule(rule, n) for n, rule in enumerate(rules)]
        limit = body.get("rateLimit")
        rate: int | None = None
        if limit is not None:
            if not isinstance(limit, dict):
                raise errors.ControlError("rateLimit must be an object or null")
            rate = limit.get("requestsPerSecond", DEFAULT_RATE_LIMIT)
            if isinstance(rate, bool) or not isinstance(rate, int) or not 1 <= rate <= 1_000_000:
                raise errors.ControlError("rateLimit.requestsPerSecond must be an integer from 1 to 1000000")
        seed = body.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise errors.ControlError("seed must be an integer or null")
        injector = self._injector()
        injector.configure(FaultSettings(rules=parsed, rate_limit=rate, seed=seed))
        return self._faults_reply(injector)

    def _rule(self, raw: Any, n: int) -> FaultRule:
        where = f"rules[{n}]"
        if not isinstance(raw, dict):
            raise errors.ControlError(f"{where} must be an object")
        kind = raw.get("kind")
        if kind not in KINDS:
            raise errors.ControlError(f"{where}.kind must be one of {', '.join(KINDS)}")
        operation = raw.get("operation")
        # isinstance first: a list or object here would be unhashable in the set lookup (a 500).
        if operation is not None and (not isinstance(operation, str) or operation not in self._operations):
            raise errors.ControlError(f"{where}.operation must be an operationId of twofactor.yaml or null")
        count = raw.get("count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
            raise errors.ControlError(f"{where}.count must be a positive integer or null")
        status = raw.get("status", 503)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise errors.ControlError(f"{where}.status must be an HTTP status from 400 to 599")
        details = raw.get("details", INJECTED)
        if not isinstance(details, str) or not 1 <= len(details) <= 500:
            raise errors.ControlError(f"{where}.details must be a text of 1 to 500 characters")
        latency = _number(raw, "latencyMs", 0.0, MAX_LATENCY_MS)
        latency_max = None if raw.get("latencyMaxMs") is None else _number(raw, "latencyMaxMs", 0.0, MAX_LATENCY_MS)
        if latency_max is not None and latency_max < latency:
            raise errors.ControlError(f"{where}.latencyMaxMs must not be below latencyMs")
        return FaultRule(
            kind=kind,
            operation=operation,
            probability=_number(raw, "probability", 1.0, 1.0),
            count=count,
            latency_ms=latency,
            latency_max_ms=latency_max,
            status=status,
            details=details,
        )

    # ------------------------------------------------------------------ retention
    def _retention_reply(self, pruned_now: int = 0) -> Response:
        settings = self.retention.settings
        return JSONResponse(
            {
                "maxMessages": settings.max_messages,
                "maxAgeSeconds": settings.max_age_seconds,
                "prunedNow": pruned_now,
                "prunedSinceStart": self.retention.pruned,
            }
        )

    async def get_retention(self, request: Request) -> Response:
        """GET /_emulator/retention."""
        return self._retention_reply()

    async def set_retention(self, request: Request) -> Response:
        """PUT /_emulator/retention with `{"maxMessages": n, "maxAgeSeconds": s}` (null: no limit of that kind)."""
        body = await _json_body(request, required=True)
        count = body.get("maxMessages")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
            raise errors.ControlError("maxMessages must be a positive integer or null")
        age = body.get("maxAgeSeconds")
        if age is not None:
            age = _number(body, "maxAgeSeconds", 0.0, MAX_RETENTION_SECONDS)
        pruned = self.retention.configure(RetentionSettings(max_messages=count, max_age_seconds=age))
        return self._retention_reply(pruned)
