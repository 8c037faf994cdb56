"""Bulk sends of any size: checked messages, split into requests of at most 1000, one combined result."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sms_common.retries import Kind
from twofactor_client.api.bulk_sms import send_bulk_sms
from twofactor_client.models.bulk_message import BulkMessage as WireBulkMessage
from twofactor_client.models.bulk_request import BulkRequest
from twofactor_client.types import UNSET

from . import replies
from .calls import Call, read_as
from .checks import check_callback_value, check_sender, check_text
from .errors import InsufficientCredits, InvalidApiKey, InvalidInput, TwoFactorError
from .quirks import normalise_phone
from .results import BulkAccepted, BulkFailure, BulkMessage, BulkResult

__all__ = ["BULK_LIMIT", "BulkChunk", "BulkPlan", "bulk_message"]

BULK_LIMIT = 1000  # BulkRequest.messages maxItems
# Failures that every later request of the same send would meet too.
_STOPS_THE_REST = (InvalidApiKey, InsufficientCredits)


def bulk_message(item: BulkMessage | Mapping[str, Any]) -> BulkMessage:
    """A caller's message as a `BulkMessage`: our names (sender, to, text) or the wire names (smsFrom...)."""
    if isinstance(item, BulkMessage):
        return item
    if not isinstance(item, Mapping):
        raise InvalidInput(f"a bulk message must be a BulkMessage or a mapping, not {type(item).__name__}")

    def pick(*names: str) -> Any:
        return next((item[name] for name in names if item.get(name) not in (None, "")), None)

    return BulkMessage(
        sender=pick("sender", "smsFrom", "from"),
        to=pick("to", "smsTo", "phone"),
        text=pick("text", "smsText", "msg"),
        callback_value1=pick("callback_value1"),
        callback_value2=pick("callback_value2"),
    )


def _wire_message(message: BulkMessage) -> WireBulkMessage:
    """One message checked and in the bulk route's format (smsTo with '+'); InvalidInput otherwise."""
    return WireBulkMessage(
        sms_from=check_sender(message.sender),
        sms_to=normalise_phone(message.to).bulk,
        sms_text=check_text(message.text),
        callback_value1=UNSET
        if message.callback_value1 is None
        else check_callback_value(message.callback_value1, "callback_value1"),
        callback_value2=UNSET
        if message.callback_value2 is None
        else check_callback_value(message.callback_value2, "callback_value2"),
    )


def _raw_to(item: object) -> str:
    """The recipient as the caller gave it, to name a message refused before sending."""
    if isinstance(item, BulkMessage):
        return str(item.to)
    if isinstance(item, Mapping):
        return str(item.get("to") or item.get("smsTo") or "")
    return ""


@dataclass
class BulkChunk:
    """One bulk request of at most 1000 messages; `indexes` are the messages' places in the caller's list."""

    call: Call[tuple[str, list[BulkAccepted], list[BulkFailure]]]
    indexes: tuple[int, ...]
    phones: tuple[str, ...]


class BulkPlan:
    """A bulk send split into requests of at most 1000 messages, and the combined result.

    Messages that fail the document's schema are not sent at all (one bad message would reject a
    whole request); they are failures in the result, with the reason. A request that fails as a
    whole marks all of its messages failed and the plan goes on, unless the failure is one no later
    request would escape (`InvalidApiKey`, `InsufficientCredits`): then the remaining requests are
    not sent and their messages fail with "not sent". That error is raised instead of a result only
    when no message at all was accepted, so an accepted message is never lost from the result.
    """

    def __init__(self, api_key: str, messages: Iterable[BulkMessage | Mapping[str, Any]]) -> None:
        self.accepted: list[BulkAccepted] = []
        self.failed: list[BulkFailure] = []
        self.request_ids: list[str] = []
        ready: list[tuple[int, WireBulkMessage]] = []
        self.total = 0
        for index, item in enumerate(messages):
            self.total += 1
            try:
                ready.append((index, _wire_message(bulk_message(item))))
            except TwoFactorError as exc:
                self.failed.append(BulkFailure(index, _raw_to(item), exc.details))
        if self.total == 0:
            raise InvalidInput("a bulk send needs at least one message")
        self.chunks = [
            self._chunk(api_key, ready[start : start + BULK_LIMIT]) for start in range(0, len(ready), BULK_LIMIT)
        ]
        self.done = self.total - len(ready)  # messages settled so far (for progress reports)
        self.stopped_by: TwoFactorError | None = None

    @staticmethod
    def _chunk(api_key: str, part: Sequence[tuple[int, WireBulkMessage]]) -> BulkChunk:
        indexes = tuple(index for index, _ in part)
        phones = tuple(message.sms_to for _, message in part)
        body = BulkRequest(module="TRANS_SMS", apikey=api_key, messages=[message for _, message in part])
        read = partial(replies.bulk_chunk, indexes=indexes, phones=phones)
        call = Call(
            send_bulk_sms.OPERATION_ID,
            Kind.SEND,
            partial(send_bulk_sms.request_kwargs, body=body),
            partial(read_as, read, send_bulk_sms.OPERATION_ID),
        )
        return BulkChunk(call, indexes, phones)

    def record(self, chunk: BulkChunk, outcome: tuple[str, list[BulkAccepted], list[BulkFailure]]) -> None:
        """Add one request's outcome."""
        request_id, accepted, failed = outcome
        self.request_ids.append(request_id)
        self.accepted.extend(accepted)
        self.failed.extend(failed)
        self.done += len(chunk.indexes)

    def pending(self) -> Iterator[BulkChunk]:
        """The requests to send, in order; after a stopping failure the rest fail unsent."""
        for chunk in self.chunks:
            if self.stopped_by is None:
                yield chunk
            else:
                self._fail(chunk, f"not sent: an earlier request failed with {self.stopped_by}")

    def record_error(self, chunk: BulkChunk, error: TwoFactorError) -> None:
        """A request failed as a whole: each of its messages failed for that reason."""
        self._fail(chunk, str(error))
        if isinstance(error, _STOPS_THE_REST):
            self.stopped_by = error

    def _fail(self, chunk: BulkChunk, reason: str) -> None:
        self.failed.extend(
            BulkFailure(index, phone, reason) for index, phone in zip(chunk.indexes, chunk.phones, strict=True)
        )
        self.done += len(chunk.indexes)

    def result(self) -> BulkResult:
        """The combined result, messages in the caller's order (or the stopping error, if nothing was accepted)."""
        if self.stopped_by is not None and not self.accepted:
            raise self.stopped_by
        return BulkResult(
            accepted=tuple(sorted(self.accepted, key=lambda item: item.index)),
            failed=tuple(sorted(self.failed, key=lambda item: item.index)),
            request_ids=tuple(self.request_ids),
        )
