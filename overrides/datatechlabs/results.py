"""What the datatechlabs client returns: plain frozen dataclasses, never the wire models."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

__all__ = ["DeliveryReceipt", "SmsSent"]


@dataclass(frozen=True)
class SmsSent:
    """The message was accepted. `message_id` is the `id` of its delivery receipts."""

    message_id: str
    segments: int
    encoding: Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class DeliveryReceipt:
    """One delivery receipt (a DLR) posted to `dlr-url`.

    `level` is the `dlr-level` the send asked for, not the kind of receipt: a level-3 send gets an
    SMSC receipt and then a handset receipt, both with level 3. `from_handset` tells them apart
    (a handset receipt has `id_smsc` and the dates). `delivered` is True for `ESME_ROK` in an SMSC
    receipt (accepted) and `DELIVRD` in a handset receipt.
    """

    message_id: str
    message_status: str
    level: int
    connector: str | None
    id_smsc: str | None
    submitted: dt.datetime | None
    done: dt.datetime | None
    submitted_count: int | None
    delivered_count: int | None
    error_code: str | None
    text: str | None

    @property
    def from_handset(self) -> bool:
        return self.id_smsc is not None

    @property
    def delivered(self) -> bool:
        return self.message_status == ("DELIVRD" if self.from_handset else "ESME_ROK")

    @property
    def final(self) -> bool:
        """No later receipt will change this message's state (a handset receipt, or an SMSC refusal)."""
        return self.from_handset or self.message_status != "ESME_ROK"
