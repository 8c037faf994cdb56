"""The receipt worker's outbox cursor never skips a message committed while it looks: writes commit on
the store's writer thread, so a message can land between the worker's two reads of the outbox."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from twofactor_emulator.core.webhooks import WebhookDispatcher
from twofactor_emulator.providers.datatechlabs.receipts import ReceiptDispatcher


class RacingStore:
    """An outbox whose next message commits right after the worker's query found nothing new."""

    def __init__(self) -> None:
        self.seq = 0
        self.rows: list[dict[str, Any]] = []

    def last_seq(self) -> int:
        return self.seq

    def messages(self, limit: int, after_seq: int, provider: str) -> list[dict[str, Any]]:
        found = [row for row in self.rows if row["seq"] > after_seq]
        if not found and not self.rows:  # the race: the writer thread commits one just after the query
            self.seq += 1
            self.rows.append({"seq": self.seq, "dlr_url": "http://127.0.0.1:9/dlr", "dlr_level": 1, "created_at": 0.0})
        return list(reversed(found))[:limit]


def test_a_message_committed_between_the_two_reads_still_gets_its_receipt() -> None:
    store = RacingStore()
    service: Any = SimpleNamespace(store=store)
    dispatcher = ReceiptDispatcher(
        service, settings=SimpleNamespace(), webhooks=WebhookDispatcher.__new__(WebhookDispatcher)
    )  # type: ignore[arg-type]
    dispatcher._collect()  # finds nothing; the message commits meanwhile
    dispatcher._collect()  # must find it now
    assert [receipt.message["seq"] for receipt in dispatcher.pending] == [1]
