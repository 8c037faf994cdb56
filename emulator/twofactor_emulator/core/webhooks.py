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

Every attempt (reports and short-link clicks alike, `WebhookDispatcher.post`) has one total deadline,
`timeout_seconds` (10 s by default), for connecting, sending and reading the reply together, so a
receiver that trickles its answer byte by byte is cut off like one that never answers. Up to
`MAX_CONCURRENT_ATTEMPTS` attempts run at once, so a slow receiver delays no other report; any
exception of an attempt (not only an httpx error) is a failed attempt, logged and retried like one.
`WebhookDispatcher.request` is the emulator's one way to send a webhook (datatechlabs' receipts use
it too, with GET or form bodies). The log shows each URL redacted (`redacted_url`). The task
is supervised: an error in it is logged once per kind (its type only: payloads and URLs may carry
secrets) and the task goes on. The URL may be changed or turned off at any time: an attempt in
flight finishes against the URL it started with, and a report dropped meanwhile is not brought back.

The emulator never posts to itself: a webhook URL (this one, and the campaign and short-URL webhooks
of sends) whose host is an address of this machine and whose port is the emulator's own is refused,
since a report posted to `/_emulator/reset` would wipe the outbox (`targets_self`).

Interpretations: one callback URL for every account the emulator serves (the docs set it per
account in 2Factor's dashboard, which the emulator has not); only bulk messages are reported, as
the docs describe the callback on the bulk API; pending reports live in memory (at most
`MAX_PENDING`, the oldest dropped past it), so a restart forgets reports not yet acknowledged.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import socket
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .background import BackgroundLoop
from .clock import india_text, iso_utc
from .delivery import final_status, sent_at, status_at
from .phones import national
from .service import Service

log = logging.getLogger("twofactor_emulator")
TICK_SECONDS = 0.05  # real time between two looks at the outbox and the due reports
DEFAULT_TIMEOUT_SECONDS = 10.0  # the total deadline of one attempt: connect + send + read
MIN_TIMEOUT_SECONDS = 0.1
MAX_TIMEOUT_SECONDS = 60.0
MAX_CONCURRENT_ATTEMPTS = 16
DEADLINE_ERROR = "DeadlineExceeded"  # the log's `error` when the total deadline cut an attempt
LOG_SIZE = 1000  # attempts kept in the delivery log, newest last
MAX_PENDING = 10_000  # reports (and receipts) waiting at once; past it the oldest is dropped unsent
MAX_ATTEMPTS_LIMIT = 20
_META_KEY = "webhook_settings"
# The document's WebhookUrl: an absolute http(s) URL without whitespace, 8 to 2048 characters. Every
# webhook URL the emulator accepts (the delivery-report URL, campaign and short-URL webhooks) uses it.
WEBHOOK_URL_MAX_LENGTH = 2048
_WEBHOOK_URL = re.compile(r"https?://[^\s]+")


def is_webhook_url(value: object) -> bool:
    """True for a string the document's WebhookUrl schema accepts and that a request can be sent to:
    it parses as a URL with a host, and its port (if any) is a number from 1 to 65535."""
    if not (isinstance(value, str) and 8 <= len(value) <= WEBHOOK_URL_MAX_LENGTH and _WEBHOOK_URL.fullmatch(value)):
        return False
    import httpx  # here, not at start: it is a large part of the emulator's start-up imports

    try:
        url = httpx.URL(value)
        port = urlsplit(value).port
    except (httpx.InvalidURL, ValueError):
        return False
    return bool(url.raw_host) and (port is None or 1 <= port <= 65535)


def redacted_url(url: str) -> str:
    """`url` as a log may show it: a user name or password and every query value masked (either may
    be a receiver's credential), the rest as given."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "<unparsable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        shown_host = f"[{host}]" if host and ":" in host else (host or "")
        netloc = "***@" + shown_host + (f":{port}" if port is not None else "")
    query = (
        "&".join(pair.split("=", 1)[0] + "=***" if pair else pair for pair in parts.query.split("&"))
        if parts.query
        else ""
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


@dataclass(frozen=True)
class Reply:
    """How one webhook attempt ended: the receiver's status and body text, or the error's type name."""

    status_code: int | None
    text: str = ""
    error: str | None = None


@dataclass
class WebhookSettings:
    """Where reports go and how hard the emulator tries."""

    url: str | None = None
    max_attempts: int = 5
    backoff_seconds: float = 1.0
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

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
    in_flight: bool = False


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


def _is_local_address(address: str) -> bool:
    """Whether `address` belongs to this machine: loopback, unspecified, or bindable here."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.is_loopback or ip.is_unspecified:
        return True
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None and (mapped.is_loopback or mapped.is_unspecified):
        return True
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((str(ip), 0))  # only an address of one of this machine's interfaces binds
        except OSError:
            return False
    return True


async def targets_self(url: str, own_port: int | None) -> bool:
    """Whether a POST to `url` would reach this emulator: its port is the emulator's and its host (a
    name, or any spelling of an address: `127.1`, `2130706433`, `[::ffff:127.0.0.1]`) resolves to an
    address of this machine. A name that does not resolve is not refused here (the attempt fails)."""
    if own_port is None:
        return False
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if port != own_port or not parts.hostname:
        return False
    try:
        found = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    return any(_is_local_address(str(sockaddr[0])) for *_, sockaddr in found)


def own_port(scope: Any) -> int | None:
    """The port the emulator serves a request on (None in-process, where there is no socket)."""
    server = scope.get("server") if isinstance(scope, dict) else None
    return int(server[1]) if server and server[1] is not None else None


@dataclass
class WebhookDispatcher:
    """Finds bulk messages, waits for their final status, posts reports, keeps the log."""

    service: Service
    settings: WebhookSettings = field(init=False)
    pending: dict[str, PendingReport] = field(default_factory=dict)  # by message id
    log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LOG_SIZE))
    _cursor: int = 0

    def __post_init__(self) -> None:
        self.settings = WebhookSettings.load(self.service)
        self._cursor = self.service.store.last_seq()
        self.loop = BackgroundLoop("twofactor-emulator-webhooks", self._run)
        self._attempts: set[asyncio.Task[None]] = set()  # reports in flight
        self._slots: asyncio.Semaphore | None = None
        self._slots_loop: asyncio.AbstractEventLoop | None = None
        self._logged_errors: set[str] = set()

    async def configure(self, settings: WebhookSettings) -> None:
        """New settings; reports start with the next bulk message stored. No URL drops waiting reports
        (an attempt in flight finishes, its report is not brought back)."""
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
            self.pending = {key: r for key, r in self.pending.items() if r.message["phone"] != phone}

    def ensure_running(self) -> None:
        """Post reports in the background while a URL is set."""
        if self.settings.url is not None:
            self.loop.ensure_running()

    async def _run(self) -> None:
        try:
            while self.settings.url is not None:
                try:
                    self.tick()
                except Exception as exc:  # supervised: log once per kind, keep going
                    self._log_error("the delivery-report task", exc)
                await asyncio.sleep(TICK_SECONDS)
        except asyncio.CancelledError:  # the server stops: so do the attempts in flight
            for task in list(self._attempts):
                task.cancel()
            raise
        # The URL was turned off: attempts in flight finish (within their deadline) and are logged.

    def _log_error(self, where: str, exc: BaseException) -> None:
        kind = type(exc).__name__
        if kind not in self._logged_errors:  # only the type: a message could hold a URL's credentials
            self._logged_errors.add(kind)
            log.error("%s met %s and goes on (logged once per kind)", where, kind)

    def _collect(self) -> None:
        while True:
            rows = self.service.store.messages(limit=500, after_seq=self._cursor)  # newest first
            if not rows:
                return
            for row in reversed(rows):
                self._cursor = max(self._cursor, int(row["seq"]))
                if row["kind"] == "bulk":
                    self.pending[row["id"]] = PendingReport(row, status_at(row, self.service.delivery))
                    if len(self.pending) > MAX_PENDING:
                        del self.pending[next(iter(self.pending))]

    def tick(self) -> None:
        """Pick up new bulk messages and start an attempt for every report that is due."""
        self._collect()
        now = self.service.now()
        loop = asyncio.get_running_loop()
        for report in list(self.pending.values()):
            if not report.in_flight and report.next_try <= now:
                report.in_flight = True
                task = loop.create_task(self._attempt(report))
                self._attempts.add(task)
                task.add_done_callback(self._attempts.discard)

    async def post(self, url: str, **content: Any) -> tuple[int | None, str | None]:
        """POST through `request`: (status, None) or (None, the error's type name)."""
        reply = await self.request("POST", url, **content)
        return reply.status_code, reply.error

    async def request(self, method: str, url: str, *, timeout: float | None = None, **content: Any) -> Reply:
        """Every webhook request of the emulator (reports, short-link clicks, datatechlabs receipts):
        within one total deadline (`timeout`, else the settings'), at most MAX_CONCURRENT_ATTEMPTS at
        once. Any exception (a refused connection, a URL httpx cannot use) is a failed attempt."""
        import httpx  # here, not at start: it is a large part of the emulator's start-up imports

        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots_loop is not loop:
            self._slots, self._slots_loop = asyncio.Semaphore(MAX_CONCURRENT_ATTEMPTS), loop
        deadline = self.settings.timeout_seconds if timeout is None else timeout
        async with self._slots:
            try:
                # httpx's own timeouts only back the total deadline up, so a silent receiver always
                # ends as DEADLINE_ERROR (with equal values, which fires first would be a race).
                async with asyncio.timeout(deadline), httpx.AsyncClient(timeout=deadline * 2) as http:
                    response = await http.request(method, url, **content)
                return Reply(response.status_code, response.text)
            except TimeoutError:
                return Reply(None, error=DEADLINE_ERROR)
            except Exception as exc:  # only the type: a message could hold the URL's credentials
                return Reply(None, error=type(exc).__name__)

    async def _attempt(self, report: PendingReport) -> None:
        try:
            await self._attempt_once(report)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # supervised: a failed attempt, given up after max_attempts like any other
            self._log_error("a delivery-report attempt", exc)
            if report.attempts >= self.settings.max_attempts:
                self._drop(report.message["id"], report)
            else:
                report.next_try = self.service.now() + self.settings.backoff_seconds * 2 ** (report.attempts - 1)
        finally:
            report.in_flight = False

    async def _attempt_once(self, report: PendingReport) -> None:
        url = self.settings.url
        if url is None:
            return
        report.attempts += 1
        payload = report_payload(report.message, self.service)
        status_code, error = await self.post(url, json=payload)
        acknowledged = status_code is not None and 200 <= status_code < 300
        now = self.service.now()
        key = report.message["id"]
        if acknowledged:
            outcome = "acknowledged"
            self._drop(key, report)
        elif report.attempts >= self.settings.max_attempts:
            outcome = "gave up"
            self._drop(key, report)
        else:
            outcome = "will retry"
            report.next_try = now + self.settings.backoff_seconds * 2 ** (report.attempts - 1)
        entry: dict[str, Any] = {
            "messageId": key,
            "url": redacted_url(url),
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

    def _drop(self, key: str, report: PendingReport) -> None:
        # Only this very report: the URL may have been turned off and on meanwhile (a new report, or none).
        if self.pending.get(key) is report:
            del self.pending[key]
