"""`GET`/`PUT /_emulator/webhooks` and `GET /_emulator/webhooks/log`: the delivery-report webhook
(core/webhooks.py) and every attempt it and the short-link clicks made."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.family import Runtime
from ..core.webhooks import (
    MAX_ATTEMPTS_LIMIT,
    MAX_TIMEOUT_SECONDS,
    MIN_TIMEOUT_SECONDS,
    WEBHOOK_URL_MAX_LENGTH,
    WebhookSettings,
    is_webhook_url,
    own_port,
    targets_self,
)
from .params import ControlError, json_body, number

MAX_BACKOFF_SECONDS = 24 * 3600.0


def _reply(runtime: Runtime) -> Response:
    settings = runtime.webhooks.settings
    return JSONResponse(
        {
            "url": settings.url,
            "maxAttempts": settings.max_attempts,
            "backoffSeconds": settings.backoff_seconds,
            "timeoutSeconds": settings.timeout_seconds,
            "pending": len(runtime.webhooks.pending),
        }
    )


async def get_webhooks(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/webhooks."""
    return _reply(runtime)


async def set_webhooks(runtime: Runtime, request: Request) -> Response:
    """PUT /_emulator/webhooks with `{"url", "maxAttempts", "backoffSeconds"}`; a null url turns reports off."""
    body = await json_body(request, required=True)
    current = runtime.webhooks.settings
    url = body.get("url", current.url)
    if url is not None and not is_webhook_url(url):
        raise ControlError(f"url must be an http(s) URL of 8 to {WEBHOOK_URL_MAX_LENGTH} characters, or null")
    attempts = body.get("maxAttempts", current.max_attempts)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= MAX_ATTEMPTS_LIMIT:
        raise ControlError(f"maxAttempts must be an integer from 1 to {MAX_ATTEMPTS_LIMIT}")
    backoff = number(body, "backoffSeconds", current.backoff_seconds, MAX_BACKOFF_SECONDS)
    timeout = number(body, "timeoutSeconds", current.timeout_seconds, MAX_TIMEOUT_SECONDS)
    if timeout < MIN_TIMEOUT_SECONDS:
        raise ControlError(f"timeoutSeconds must be a number from {MIN_TIMEOUT_SECONDS:g} to {MAX_TIMEOUT_SECONDS:g}")
    if url is not None and await targets_self(url, own_port(request.scope)):
        raise ControlError("url points at this emulator itself; the emulator does not post webhooks to itself")
    settings = WebhookSettings(url=url, max_attempts=attempts, backoff_seconds=backoff, timeout_seconds=timeout)
    await runtime.webhooks.configure(settings)
    return _reply(runtime)


async def webhook_log(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/webhooks/log: every report attempt, oldest first (the last 1000)."""
    return JSONResponse({"attempts": list(runtime.webhooks.log)})
