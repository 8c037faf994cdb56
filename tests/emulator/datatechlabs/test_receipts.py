"""datatechlabs delivery receipts reaching a real local receiver: each `dlr-level`, GET and POST,
the magic numbers' final states, retries on the emulator's clock after a receiver fails or hangs,
and every attempt in the webhook log (with the document's receipt fields)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ..conftest import eventually
from .conftest import RETRY_SECONDS, Datatechlabs, DlrReceiver

SMSC_FIELDS = {"id", "message_status", "level", "connector"}
HANDSET_FIELDS = SMSC_FIELDS | {"id_smsc", "subdate", "donedate", "sub", "dlvrd", "err", "text"}


def logged(dtl: Datatechlabs, message_id: str, count: int) -> list[dict[str, Any]]:
    """The message's attempts once `count` are in the log (an attempt is logged when it has ended, and
    only then is its retry scheduled: advance the clock after this, not after the receiver saw it)."""
    return eventually(lambda: len(dtl.log(message_id)) >= count and dtl.log(message_id), f"{count} attempts logged")  # type: ignore[no-any-return]


def wait_for(receiver: DlrReceiver, count: int) -> list[dict[str, Any]]:
    return eventually(lambda: len(receiver.receipts()) >= count and receiver.receipts(), f"{count} receipts")  # type: ignore[no-any-return]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("level", [1, 2, 3])
def test_each_level_reaches_the_receiver(
    dtl: Datatechlabs, receiver: Callable[..., DlrReceiver], level: int, method: str
) -> None:
    target = receiver()
    message_id = dtl.sent(**{"dlr": True, "dlr-level": level, "dlr-url": target.url + "?shop=7", "dlr-method": method})
    got = wait_for(target, 2 if level == 3 else 1)
    assert all(r["method"] == method and r["status"] == 200 for r in got)
    fields = [r["fields"] for r in got]
    if method == "GET":
        assert all(f.pop("shop") == "7" for f in fields)  # the URL's own query is kept
    expected = {1: [SMSC_FIELDS], 2: [HANDSET_FIELDS], 3: [SMSC_FIELDS, HANDSET_FIELDS]}[level]
    assert [set(f) for f in fields] == expected
    assert all(f["id"] == message_id and f["level"] == str(level) for f in fields)
    if level in (1, 3):
        assert fields[0]["message_status"] == "ESME_ROK"
    if level in (2, 3):
        handset = fields[-1]
        assert handset["message_status"] == "DELIVRD" and handset["dlvrd"] == "001" and handset["err"] == "000"
        assert handset["text"] == "hello, World!"
    log = logged(dtl, message_id, len(got))
    assert [a["outcome"] for a in log] == ["acknowledged"] * len(got)
    assert all(a["provider"] == "datatechlabs" and a["method"] == method and a["level"] == level for a in log)
    assert [a["payload"] for a in log] == fields  # the log holds exactly what was sent


@pytest.mark.parametrize(
    ("phone", "smsc", "handset", "err"),
    [
        ("+919000000001", "ESME_ROK", "UNDELIV", "001"),
        ("+919000000002", "ESME_ROK", "REJECTD", "002"),
        ("+919000000003", "ESME_RINVDSTADR", "UNDELIV", "003"),
        ("+919999999999", "ESME_ROK", "DELIVRD", "000"),
    ],
)
def test_magic_numbers_end_in_their_states(
    dtl: Datatechlabs, receiver: Callable[..., DlrReceiver], phone: str, smsc: str, handset: str, err: str
) -> None:
    target = receiver()
    dtl.sent(to=phone, **{"dlr": True, "dlr-level": 3, "dlr-url": target.url, "dlr-method": "POST"})
    first, second = (r["fields"] for r in wait_for(target, 2))
    assert (first["message_status"], second["message_status"], second["err"]) == (smsc, handset, err)


def test_handset_receipt_waits_for_the_delivery_delay(dtl: Datatechlabs, receiver: Callable[..., DlrReceiver]) -> None:
    dtl.control.put("/_emulator/delivery", json={"delaySeconds": 120}).raise_for_status()
    target = receiver()
    dtl.sent(**{"dlr": True, "dlr-level": 3, "dlr-url": target.url})
    wait_for(target, 1)
    assert len(target.receipts()) == 1  # the SMSC receipt only: the handset has not got it yet
    dtl.advance(120)
    second = wait_for(target, 2)[1]["fields"]
    assert second["message_status"] == "DELIVRD" and second["donedate"] >= second["subdate"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_failing_receiver_gets_retries_on_the_emulator_clock(
    dtl: Datatechlabs, receiver: Callable[..., DlrReceiver], method: str
) -> None:
    target = receiver(failures=2)
    message_id = dtl.sent(**{"dlr": True, "dlr-level": 2, "dlr-url": target.url, "dlr-method": method})
    logged(dtl, message_id, 1)
    dtl.advance(RETRY_SECONDS - 1)
    assert len(target.receipts()) == 1  # not before its time
    dtl.advance(1)
    logged(dtl, message_id, 2)
    dtl.advance(RETRY_SECONDS)
    log = logged(dtl, message_id, 3)
    got = target.receipts()
    assert [r["status"] for r in got] == [503, 503, 200]
    assert got[0]["fields"] == got[2]["fields"]  # the same receipt each time
    assert [(a["attempt"], a["statusCode"], a["outcome"]) for a in log] == [
        (1, 503, "will retry"),
        (2, 503, "will retry"),
        (3, 200, "acknowledged"),
    ]


def test_gives_up_after_max_attempts_and_a_200_without_ack_is_a_failure(
    dtl: Datatechlabs, receiver: Callable[..., DlrReceiver]
) -> None:
    target = receiver(answer=b"OK")
    message_id = dtl.sent(**{"dlr": True, "dlr-level": 1, "dlr-url": target.url})
    for attempt in range(1, 5):
        logged(dtl, message_id, attempt)
        dtl.advance(RETRY_SECONDS)
    log = logged(dtl, message_id, 4)
    assert [a["outcome"] for a in log] == ["will retry"] * 3 + ["gave up"]
    assert all(a["statusCode"] == 200 and a["error"] == "NotAcknowledged" for a in log)
    dtl.advance(RETRY_SECONDS * 10)
    assert len(target.receipts()) == 4


def test_a_hanging_receiver_times_out_and_holds_nothing_else_up(
    dtl: Datatechlabs, receiver: Callable[..., DlrReceiver]
) -> None:
    hanging = receiver(failures=1, hang=True)
    healthy = receiver()
    stuck = dtl.sent(**{"dlr": True, "dlr-level": 1, "dlr-url": hanging.url})
    quick = dtl.sent(to="+918888888888", **{"dlr": True, "dlr-level": 1, "dlr-url": healthy.url})
    wait_for(healthy, 1)  # while the other receipt waits for its answer
    first = logged(dtl, stuck, 1)[0]
    assert first["statusCode"] is None and first["error"] == "DeadlineExceeded" and first["outcome"] == "will retry"
    dtl.advance(RETRY_SECONDS)
    assert eventually(lambda: [a for a in dtl.log(stuck) if a["outcome"] == "acknowledged"], "the retry")
    assert dtl.log(quick)[0]["outcome"] == "acknowledged"


def test_a_refused_connection_is_retried(dtl: Datatechlabs) -> None:
    message_id = dtl.sent(**{"dlr": True, "dlr-level": 1, "dlr-url": "http://127.0.0.1:9/dlr"})
    first = eventually(lambda: dtl.log(message_id), "the refused attempt")[0]
    assert first["error"] == "ConnectError" and first["outcome"] == "will retry"


def test_no_receipt_without_dlr(dtl: Datatechlabs, receiver: Callable[..., DlrReceiver]) -> None:
    target = receiver()
    # dlr false: the other dlr-* fields are ignored (the document, after Jasmin).
    dtl.sent(**{"dlr": False, "dlr-level": 3, "dlr-url": target.url})
    marker = receiver()
    dtl.sent(to="+918888888888", **{"dlr": True, "dlr-level": 1, "dlr-url": marker.url})
    wait_for(marker, 1)
    assert target.receipts() == []


def test_a_reset_drops_receipts_not_yet_sent(dtl: Datatechlabs, receiver: Callable[..., DlrReceiver]) -> None:
    dtl.control.put("/_emulator/delivery", json={"delaySeconds": 60}).raise_for_status()
    target = receiver()
    dtl.sent(**{"dlr": True, "dlr-level": 2, "dlr-url": target.url})
    dtl.control.post("/_emulator/reset", json={}).raise_for_status()
    marker = receiver()
    dtl.sent(to="+918888888888", **{"dlr": True, "dlr-level": 2, "dlr-url": marker.url})
    dtl.advance(60)
    wait_for(marker, 1)  # due after the reset one would have been, in the same or a later tick
    assert target.receipts() == []


def test_waiting_receipts_are_bounded_and_the_oldest_dropped(
    dtl: Datatechlabs, receiver: Callable[..., DlrReceiver], monkeypatch: pytest.MonkeyPatch
) -> None:
    from twofactor_emulator.providers.datatechlabs import receipts  # the in-process emulator's module

    monkeypatch.setattr(receipts, "MAX_PENDING", 2)
    dtl.control.put("/_emulator/delivery", json={"delaySeconds": 60}).raise_for_status()
    target = receiver()
    ids = [dtl.sent(to=f"+91888888888{n}", **{"dlr": True, "dlr-level": 2, "dlr-url": target.url}) for n in range(4)]
    dtl.advance(60)
    got = wait_for(target, 2)
    dtl.advance(60)
    marker = receiver()
    dtl.control.put("/_emulator/delivery", json={"delaySeconds": 0}).raise_for_status()
    dtl.sent(**{"dlr": True, "dlr-level": 1, "dlr-url": marker.url})
    wait_for(marker, 1)  # a later tick than any the dropped receipts could have gone in
    assert (
        sorted(r["fields"]["id"] for r in target.receipts())
        == sorted(ids[2:])
        == sorted(r["fields"]["id"] for r in got)
    )
