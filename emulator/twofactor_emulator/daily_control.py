"""The control API of the daily-tool features (issue 6): delivery delay, magic numbers, the bulk
delivery-report webhook and its log. Described in openapi/emulator-admin.yaml like the rest."""

from __future__ import annotations

import math
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import errors
from .control import _json_body
from .delivery import MAGIC_NUMBERS, MAX_DELAY_SECONDS
from .service import Service
from .webhooks import MAX_ATTEMPTS_LIMIT, WebhookDispatcher, WebhookSettings

_URL_RE = re.compile(r"https?://[^\s]{1,2040}")
MAX_BACKOFF_SECONDS = 24 * 3600.0


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

    def routes(self) -> list[Route]:
        """The control routes (names are the admin document's operationIds)."""
        return [
            Route("/_emulator/delivery", self.get_delivery, methods=["GET"], name="getDelivery"),
            Route("/_emulator/delivery", self.set_delivery, methods=["PUT"], name="setDelivery"),
            Route("/_emulator/webhooks", self.get_webhooks, methods=["GET"], name="getWebhooks"),
            Route("/_emulator/webhooks", self.set_webhooks, methods=["PUT"], name="setWebhooks"),
            Route("/_emulator/webhooks/log", self.webhook_log, methods=["GET"], name="getWebhookLog"),
            Route("/_emulator/credits", self.credits, methods=["GET"], name="getCredits"),
        ]

    def start(self) -> None:
        """At server start: resume posting reports if a callback URL is stored."""
        self.webhooks.ensure_running()

    async def stop(self) -> None:
        """At server stop."""
        await self.webhooks.stop()

    # ------------------------------------------------------------------ delivery
    def _delivery_reply(self) -> Response:
        return JSONResponse({"delaySeconds": self.service.delivery.delay_seconds, "magicNumbers": MAGIC_NUMBERS})

    async def get_delivery(self, request: Request) -> Response:
        """GET /_emulator/delivery."""
        return self._delivery_reply()

    async def set_delivery(self, request: Request) -> Response:
        """PUT /_emulator/delivery with `{"delaySeconds": N}`."""
        body = await _json_body(request)
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
        body = await _json_body(request)
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
