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
all. Each attempt runs as its own task, so a receiver that hangs holds up only its own receipts.
Every attempt goes into the emulator's webhook log (`GET /_emulator/webhooks/log`), with its
provider, method and level.

Like 2Factor's delivery reports, receipts not yet acknowledged live in memory: a restart forgets
them (README, interpretations), and so does a reset of their messages.
"""

from __future__ import annotations

import asyncio
import functools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from ...core.background import BackgroundLoop
from ...core.clock import iso_utc
from ...core.delivery import DELIVERED, DND, FAILED, INVALID_NUMBER, final_status, sent_at, status_at
from ...core.service import Service
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
    log: deque[dict[str, Any]]  # the emulator's webhook log (core/webhooks.py), shared with 2Factor's reports
    pending: list[Receipt] = field(default_factory=list)
    _cursor: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._cursor = self.service.store.last_seq()
        self.loop = BackgroundLoop("twofactor-emulator-datatechlabs-receipts", self._run)

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=self.settings.timeout_seconds) as http:
            try:
                while True:
                    self.tick(http)
                    await asyncio.sleep(TICK_SECONDS)
            finally:
                for task in list(self._tasks):
                    task.cancel()

    def _collect(self) -> None:
        store = self.service.store
        while True:
            rows = store.messages(limit=500, after_seq=self._cursor, provider=PROVIDER)  # newest first
            if not rows:
                self._cursor = max(self._cursor, store.last_seq())
                return
            for row in reversed(rows):
                self._cursor = max(self._cursor, int(row["seq"]))
                if row["dlr_url"] is None:
                    continue
                level = int(row["dlr_level"])
                first: Receipt | None = None
                if level in (1, 3):
                    first = Receipt(row, functools.partial(smsc_receipt, row), due=float(row["created_at"]))
                    self.pending.append(first)
                if level in (2, 3):
                    payload = functools.partial(handset_receipt, row, self.service)
                    due = status_at(row, self.service.delivery)
                    self.pending.append(Receipt(row, payload, due=due, after=first))

    def forget(self, phone: str | None) -> None:
        """After a reset: receipts of the deleted messages are not sent (attempts in flight end)."""
        self.pending = [r for r in self.pending if phone is not None and r.message["phone"] != phone]

    def tick(self, http: httpx.AsyncClient) -> None:
        """Pick up new messages and start every attempt that is due."""
        self._collect()
        now = self.service.now()
        for receipt in list(self.pending):
            if receipt.settled:
                self.pending.remove(receipt)
                continue
            waiting = receipt.after is not None and not receipt.after.settled
            if receipt.in_flight or waiting or receipt.due > now:
                continue
            receipt.in_flight = True
            task = asyncio.get_running_loop().create_task(self._attempt(http, receipt))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _attempt(self, http: httpx.AsyncClient, receipt: Receipt) -> None:
        message = receipt.message
        url, method = str(message["dlr_url"]), str(message["dlr_method"])
        payload = receipt.payload()
        receipt.attempts += 1
        status_code: int | None = None
        error: str | None = None
        acknowledged = False
        try:
            if method == "POST":
                response = await http.post(url, data=payload)
            else:
                # The receipt's fields join the URL's own query (httpx's `params=` would replace it).
                response = await http.get(httpx.URL(url).copy_merge_params(payload))
            status_code = response.status_code
            acknowledged = status_code == 200 and response.text.strip() == ACK_BODY
            if not acknowledged and status_code == 200:
                error = "NotAcknowledged"  # 200 without ACK/Jasmin: Jasmin retries it too
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        now = self.service.now()
        entry: dict[str, Any] = {
            "messageId": message["id"],
            "provider": PROVIDER,
            "url": url,
            "method": method,
            "level": int(message["dlr_level"]),
            "attempt": receipt.attempts,
            "at": iso_utc(now),
            "statusCode": status_code,
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
