"""The bulk delivery-report webhook: one JSON POST per bulk message, with retries and a log.

When a callback URL is set (`PUT /_emulator/webhooks`), a background task on the server's event
loop picks up each bulk message stored after that, waits until the emulator's clock reaches the
message's final status (delivery.py), and POSTs the docs' payload (`DeliveryReport` of
openapi/twofactor.yaml) to the URL. Any 2xx acknowledges it. A failure (non-2xx, refused
connection, timeout) is retried after `backoff_seconds * 2**(attempt-1)` emulator seconds, up to
`max_attempts` attempts in all; every attempt goes into the delivery log.

Backoff follows the emulator's clock, like every other delay, so a test advances the clock
instead of sleeping. The task polls the outbox only while a URL is set: with the feature off,
nothing runs and the request path is untouched.

Interpretations: one callback URL for every account the emulator serves (the docs set it per
account in 2Factor's dashboard, which the emulator has not); only bulk messages are reported, as
the docs describe the callback on the bulk API; pending reports live in memory, so a restart
forgets reports not yet acknowledged.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from .background import BackgroundLoop
from .clock import india_text, iso_utc
from .delivery import final_status, sent_at, status_at
from .phones import national
from .service import Service

TICK_SECONDS = 0.05  # real time between two looks at the outbox and the due reports
REQUEST_TIMEOUT_SECONDS = 5.0
LOG_SIZE = 1000  # attempts kept in the delivery log, newest last
MAX_ATTEMPTS_LIMIT = 20
_META_KEY = "webhook_settings"
# The document's WebhookUrl: an absolute http(s) URL without whitespace, 8 to 2048 characters. Every
# webhook URL the emulator accepts (the delivery-report URL, campaign and short-URL webhooks) uses it.
WEBHOOK_URL_MAX_LENGTH = 2048
_WEBHOOK_URL = re.compile(r"https?://[^\s]+")


def is_webhook_url(value: object) -> bool:
    """True for a string the document's WebhookUrl schema accepts."""
    return isinstance(value, str) and 8 <= len(value) <= WEBHOOK_URL_MAX_LENGTH and bool(_WEBHOOK_URL.fullmatch(value))


@dataclass
class WebhookSettings:
    """Where reports go and how hard the emulator tries."""

    url: str | None = None
    max_attempts: int = 5
    backoff_seconds: float = 1.0

    @classmethod
    def load(cls, service: Service) -> WebhookSettings:
        """The stored settings, or the defaults (no URL: the feature is off)."""
        raw = service.store.get_meta(_META_KEY)
        return cls(**json.loads(raw)) if raw else cls()

    def save(self, service: Service) -> None:
        """Persist the settings (they survive a restart)."""
        service.store.set_meta(_META_KEY, json.dumps(asdict(self)))


@dataclass
class PendingReport:
    """A report not yet acknowledged."""

    message: dict[str, Any]
    next_try: float  # emulator time
    attempts: int = 0


def report_payload(message: dict[str, Any], service: Service) -> dict[str, Any]:
    """The docs' callback payload for one bulk message."""
    phone = str(message["phone"])
    payload: dict[str, Any] = {
        "SessionId": message["id"],
        "SmsFrom": message["sender"],
        # "The recipient, without country code": India's 91 comes off; other numbers lose only the +.
        "SmsTo": national(phone),
        "SmsStatus": final_status(phone),
        "SentAt": india_text(sent_at(message)),
        "StatusAt": india_text(status_at(message, service.delivery)),
    }
    for name in ("callback_value1", "callback_value2"):
        if message.get(name) is not None:
            payload[name] = message[name]
    return payload


@dataclass
class WebhookDispatcher:
    """Finds bulk messages, waits for their final status, posts reports, keeps the log."""

    service: Service
    settings: WebhookSettings = field(init=False)
    pending: list[PendingReport] = field(default_factory=list)
    log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LOG_SIZE))
    _cursor: int = 0

    def __post_init__(self) -> None:
        self.settings = WebhookSettings.load(self.service)
        self._cursor = self.service.store.last_seq()
        self.loop = BackgroundLoop("twofactor-emulator-webhooks", self._run)

    async def configure(self, settings: WebhookSettings) -> None:
        """New settings; reports start with the next bulk message stored. No URL drops waiting reports."""
        await self.service.batcher.run(lambda: settings.save(self.service))
        if self.settings.url is None:
            self._cursor = self.service.store.last_seq()
        if settings.url is None:
            self.pending.clear()
        self.settings = settings
        self.ensure_running()

    def forget(self, phone: str | None) -> None:
        """After a reset: reports waiting for the deleted messages are dropped; a full reset also
        empties the log."""
        if phone is None:
            self.pending.clear()
            self.log.clear()
        else:
            self.pending[:] = [report for report in self.pending if report.message["phone"] != phone]

    def ensure_running(self) -> None:
        """Post reports in the background while a URL is set."""
        if self.settings.url is not None:
            self.loop.ensure_running()

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_SECONDS) as http:
            while self.settings.url is not None:
                await self.tick(http)
                await asyncio.sleep(TICK_SECONDS)

    def _collect(self) -> None:
        while True:
            rows = self.service.store.messages(limit=500, after_seq=self._cursor)  # newest first
            if not rows:
                return
            for row in reversed(rows):
                self._cursor = max(self._cursor, int(row["seq"]))
                if row["kind"] == "bulk":
                    self.pending.append(PendingReport(row, status_at(row, self.service.delivery)))

    async def tick(self, http: httpx.AsyncClient) -> None:
        """Pick up new bulk messages and send every report that is due."""
        self._collect()
        now = self.service.now()
        due = [report for report in self.pending if report.next_try <= now]
        for report in due:
            await self._attempt(http, report)

    async def _attempt(self, http: httpx.AsyncClient, report: PendingReport) -> None:
        url = self.settings.url
        if url is None:
            return
        report.attempts += 1
        payload = report_payload(report.message, self.service)
        status_code: int | None = None
        error: str | None = None
        try:
            response = await http.post(url, json=payload)
            status_code = response.status_code
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        acknowledged = status_code is not None and 200 <= status_code < 300
        now = self.service.now()
        if acknowledged:
            outcome = "acknowledged"
            self.pending.remove(report)
        elif report.attempts >= self.settings.max_attempts:
            outcome = "gave up"
            self.pending.remove(report)
        else:
            outcome = "will retry"
            report.next_try = now + self.settings.backoff_seconds * 2 ** (report.attempts - 1)
        entry: dict[str, Any] = {
            "messageId": report.message["id"],
            "url": url,
            "attempt": report.attempts,
            "at": iso_utc(now),
            "statusCode": status_code,
            "error": error,
            "outcome": outcome,
            "payload": payload,
        }
        if outcome == "will retry":
            entry["nextAttemptAt"] = iso_utc(report.next_try)
        self.log.append(entry)
