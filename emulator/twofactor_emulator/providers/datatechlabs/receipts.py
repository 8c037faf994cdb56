"""Delivery receipts (DLRs) to a message's `dlr-url`, as openapi/datatechlabs-sms.yaml's `webhooks`
describe them (Jasmin's callbacks).

A background loop on the server's event loop picks up each datatechlabs message stored with a
receipt request and sends, by `dlr-method` (GET with the fields in the query, or POST as a form):

- the SMSC receipt (levels 1 and 3) when the message is accepted: `ESME_ROK`, or `ESME_RINVDSTADR`
  for the magic number of an invalid destination;
- the handset receipt (levels 2 and 3) when the emulator's clock reaches the message's final status
  (core/delivery.py: the delivery delay, then DELIVERED or a magic number's status): `DELIVRD`,
  `UNDELIV` (FAILED and INVALID_NUMBER) or `REJECTD` (DND), with the Jasmin fields.

At level 3 the handset receipt waits until the SMSC one is acknowledged or given up, so they arrive
in that order. A receipt is acknowledged only by HTTP 200 with the body `ACK/Jasmin`; anything else
(another status or body, a refused connection, no answer within the timeout) is a failed attempt,
tried again after `ReceiptSettings.wait_after(attempt)` emulator seconds, at most `max_attempts` in
all. Each attempt runs as its own task and is sent through core/webhooks.py's one `request` (one
total deadline, `dlr_timeout_seconds`; at most `MAX_CONCURRENT_ATTEMPTS` webhook requests at once),
so a receiver that hangs or trickles holds up only its own receipts, and any failure of the request
(even a URL httpx cannot use) is a failed attempt. The send refuses a `dlr-url` no request can be
sent to, or that points at the emulator itself (operations.py). Every attempt goes into the
emulator's webhook log (`GET /_emulator/webhooks/log`), with its provider, method and level, and
the URL redacted (`redacted_url`: its user name, password and query values masked).

Like 2Factor's delivery reports, receipts not yet acknowledged live in memory, at most
`MAX_PENDING` of them (past it the oldest is dropped unsent): a restart forgets them (README,
interpretations), and so does a reset of their messages.
"""

from __future__ import annotations

import asyncio
import functools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ...core.background import BackgroundLoop
from ...core.clock import iso_utc
from ...core.delivery import DELIVERED, DND, FAILED, INVALID_NUMBER, final_status, sent_at, status_at
from ...core.service import Service
from ...core.webhooks import MAX_PENDING, Reply, WebhookDispatcher, redacted_url
from .accounts import ReceiptSettings

PROVIDER = "datatechlabs"
TICK_SECONDS = 0.05
ACK_BODY = "ACK/Jasmin"
CONNECTOR = "emulator"
# Final status -> (SMSC status, handset status, err)
OUTCOMES: dict[str, tuple[str, str, str]] = {
    DELIVERED: ("ESME_ROK", "DELIVRD", "000"),
    FAILED: ("ESME_ROK", "UNDELIV", "001"),
    DND: ("ESME_ROK", "REJECTD", "002"),
    INVALID_NUMBER: ("ESME_RINVDSTADR", "UNDELIV", "003"),
}


def short_date(epoch: float) -> str:
    """`YYMMDDhhmm`, UTC."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%y%m%d%H%M")


def smsc_receipt(message: dict[str, Any]) -> dict[str, str]:
    """The level-1 receipt (the first of level 3)."""
    smsc_status = OUTCOMES[final_status(str(message["phone"]))][0]
    return {
        "id": message["id"],
        "message_status": smsc_status,
        "level": str(message["dlr_level"]),
        "connector": CONNECTOR,
    }


def handset_receipt(message: dict[str, Any], service: Service) -> dict[str, str]:
    """The level-2 receipt (the second of level 3)."""
    _, status, err = OUTCOMES[final_status(str(message["phone"]))]
    return {
        "id": message["id"],
        "message_status": status,
        "level": str(message["dlr_level"]),
        "connector": CONNECTOR,
        "id_smsc": str(message["seq"]),
        "subdate": short_date(sent_at(message)),
        "donedate": short_date(status_at(message, service.delivery)),
        "sub": "001",
        "dlvrd": "001" if status == "DELIVRD" else "000",
        "err": err,
        "text": str(message["text"])[:20],
    }


@dataclass
class Receipt:
    """One receipt not yet acknowledged nor given up."""

    message: dict[str, Any]
    payload: Callable[[], dict[str, str]]  # built when sent: the handset receipt's donedate follows the clock
    due: float  # emulator time of the next attempt
    after: Receipt | None = None  # sent only once this one is settled (level 3's order)
    attempts: int = 0
    in_flight: bool = False
    settled: bool = False


@dataclass
class ReceiptDispatcher:
    """Finds messages asking for receipts and sends them, with retries, into the webhook log."""

    service: Service
    settings: ReceiptSettings
    webhooks: WebhookDispatcher  # its `request` sends (one deadline, one concurrency bound), its log records
    pending: list[Receipt] = field(default_factory=list)
    _cursor: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._cursor = self.service.store.last_seq()
        self.loop = BackgroundLoop("twofactor-emulator-datatechlabs-receipts", self._run)

    @property
    def log(self) -> deque[dict[str, Any]]:
        """The emulator's webhook log (core/webhooks.py), shared with 2Factor's reports."""
        return self.webhooks.log

    async def _run(self) -> None:
        try:
            while True:
                self.tick()
                await asyncio.sleep(TICK_SECONDS)
        finally:
            for task in list(self._tasks):
                task.cancel()

    def _add(self, receipt: Receipt) -> None:
        self.pending.append(receipt)
        if len(self.pending) > MAX_PENDING:
            self.pending.pop(0).settled = True  # the oldest, unsent (a level-3 handset receipt behind it goes alone)

    def _collect(self) -> None:
        store = self.service.store
        while True:
            # The newest seq is read BEFORE the query: writes commit on the writer thread meanwhile, and a
            # message committed between the two reads must stay after the cursor, not be skipped.
            newest = store.last_seq()
            rows = store.messages(limit=500, after_seq=self._cursor, provider=PROVIDER)  # newest first
            if not rows:
                self._cursor = max(self._cursor, newest)
                return
            for row in reversed(rows):
                self._cursor = max(self._cursor, int(row["seq"]))
                if row["dlr_url"] is None:
                    continue
                level = int(row["dlr_level"])
                first: Receipt | None = None
                if level in (1, 3):
                    first = Receipt(row, functools.partial(smsc_receipt, row), due=float(row["created_at"]))
                    self._add(first)
                if level in (2, 3):
                    payload = functools.partial(handset_receipt, row, self.service)
                    due = status_at(row, self.service.delivery)
                    self._add(Receipt(row, payload, due=due, after=first))

    def forget(self, phone: str | None) -> None:
        """After a reset: receipts of the deleted messages are not sent (attempts in flight end)."""
        self.pending = [r for r in self.pending if phone is not None and r.message["phone"] != phone]

    def tick(self) -> None:
        """Pick up new messages and start every attempt that is due (settled receipts leave, in one pass)."""
        self._collect()
        now = self.service.now()
        self.pending = [r for r in self.pending if not r.settled]
        for receipt in self.pending:
            waiting = receipt.after is not None and not receipt.after.settled
            if receipt.in_flight or waiting or receipt.due > now:
                continue
            receipt.in_flight = True
            task = asyncio.get_running_loop().create_task(self._attempt(receipt))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _attempt(self, receipt: Receipt) -> None:
        message = receipt.message
        url, method = str(message["dlr_url"]), str(message["dlr_method"])
        receipt.attempts += 1
        payload: dict[str, str] = {}
        try:
            payload = receipt.payload()
            if method == "POST":
                reply = await self.webhooks.request("POST", url, timeout=self.settings.timeout_seconds, data=payload)
            else:
                import httpx  # here, not at start: it is a large part of the emulator's start-up imports

                # The receipt's fields join the URL's own query (httpx's `params=` would replace it).
                target = httpx.URL(url).copy_merge_params(payload)
                reply = await self.webhooks.request("GET", str(target), timeout=self.settings.timeout_seconds)
        except asyncio.CancelledError:
            receipt.in_flight = False
            raise
        except Exception as exc:  # a URL httpx cannot use, a payload that cannot be built: a failed attempt
            reply = Reply(None, error=type(exc).__name__)
        acknowledged = reply.status_code == 200 and reply.text.strip() == ACK_BODY
        error = reply.error
        if not acknowledged and reply.status_code == 200:
            error = "NotAcknowledged"  # 200 without ACK/Jasmin: Jasmin retries it too
        now = self.service.now()
        entry: dict[str, Any] = {
            "messageId": message["id"],
            "provider": PROVIDER,
            "url": redacted_url(url),
            "method": method,
            "level": int(message["dlr_level"]),
            "attempt": receipt.attempts,
            "at": iso_utc(now),
            "statusCode": reply.status_code,
            "error": error,
            "payload": payload,
        }
        if acknowledged:
            entry["outcome"] = "acknowledged"
            receipt.settled = True
        elif receipt.attempts >= self.settings.max_attempts:
            entry["outcome"] = "gave up"
            receipt.settled = True
        else:
            entry["outcome"] = "will retry"
            receipt.due = now + self.settings.wait_after(receipt.attempts)
            entry["nextAttemptAt"] = iso_utc(receipt.due)
        receipt.in_flight = False
        self.log.append(entry)
