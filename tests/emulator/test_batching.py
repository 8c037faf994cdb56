"""Group commit: concurrent requests share transactions without losing updates, a failing unit is
rolled back alone, and nobody gets a result before the commit."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import httpx
from twofactor_emulator.core.config import parse_config
from twofactor_emulator.core.service import Service
from twofactor_emulator.core.store import Store
from twofactor_emulator.testing import create_app

from .conftest import CONFIG, PHONE, latest_otp, v1


async def test_concurrent_sends_all_land(client: httpx.AsyncClient) -> None:
    replies = await asyncio.gather(*[client.get(v1(f"SMS/{PHONE}/AUTOGEN")) for _ in range(20)])
    sessions = {r.json()["Details"] for r in replies}
    assert len(sessions) == 20
    messages = (await client.get("/_emulator/messages")).json()["messages"]
    assert {m["sessionId"] for m in messages} == sessions


async def test_concurrent_wrong_codes_are_all_counted(client: httpx.AsyncClient) -> None:
    sent = (await client.get(v1(f"SMS/{PHONE}/AUTOGEN"))).json()
    otp = await latest_otp(client, PHONE)
    wrong = "000000" if otp != "000000" else "111111"
    replies = await asyncio.gather(*[client.get(v1(f"SMS/VERIFY/{sent['Details']}/{wrong}")) for _ in range(7)])
    details = sorted(r.json()["Details"] for r in replies)
    assert details == ["OTP Attempts Exceeded"] * 2 + ["OTP Mismatch"] * 5


def service_on(path: Path) -> Service:
    return Service(Store(str(path)), parse_config(CONFIG))


async def test_a_failing_unit_is_rolled_back_alone(tmp_path: Path) -> None:
    service = service_on(tmp_path / "batch.sqlite3")
    account = service.accounts[0]

    def send_then_fail() -> None:
        service.send_sms(account, ["+911111111111"], sender="A", texts="doomed", operation="t", kind="transactional")
        raise RuntimeError("fails after writing")

    def send() -> tuple[str, list[str | None]]:
        return service.send_sms(
            account, ["+912222222222"], sender="A", texts="kept", operation="t", kind="transactional"
        )

    results = await asyncio.gather(
        service.batcher.run(send_then_fail), service.batcher.run(send), return_exceptions=True
    )
    assert isinstance(results[0], RuntimeError)
    assert [m["text"] for m in service.store.messages()] == ["kept"]
    service.store.close()


async def test_the_result_comes_after_the_commit(tmp_path: Path) -> None:
    path = tmp_path / "commit.sqlite3"
    service = service_on(path)
    account = service.accounts[0]
    request_id, _ = await service.batcher.run(
        lambda: service.send_sms(account, [PHONE], sender="A", texts="x", operation="t", kind="transactional")
    )
    # Another connection sees only committed data: the row is there the moment the result is.
    with sqlite3.connect(path) as other:
        rows = other.execute("SELECT COUNT(*) FROM messages WHERE request_id = ?", (request_id,)).fetchone()
    assert rows == (1,)
    service.store.close()


async def test_a_read_right_after_an_acknowledged_write_sees_it_on_a_file(tmp_path: Path) -> None:
    """On a file, reads use connections of their own (not the writer's): each must still see every
    write acknowledged before it, also with other writes committing meanwhile."""
    app = create_app(db=tmp_path / "reads.sqlite3", config=CONFIG)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:

        async def send_then_read(n: int) -> None:
            phone = f"+9198765{n:05d}"
            sent = (await client.get(v1(f"SMS/{phone}/AUTOGEN"))).json()["Details"]
            seen = (await client.get("/_emulator/otp", params={"phone": phone})).json()
            assert seen["sessionId"] == sent

        for _ in range(5):
            await asyncio.gather(*[send_then_read(n) for n in range(20)])


async def test_quick_work_runs_on_the_loop_thread_and_the_rest_on_the_writer_thread(tmp_path: Path) -> None:
    service = service_on(tmp_path / "where.sqlite3")
    loop_thread = threading.get_ident()
    ran_on: dict[str, int] = {}

    def note(name: str) -> None:
        ran_on[name] = threading.get_ident()
        service.store.set_meta(name, "written")  # a write inside the batch's transaction

    await service.batcher.run(lambda: note("quick"), quick=True)
    await service.batcher.run(lambda: note("slow"))
    # A batch with one slow unit goes to the writer thread whole, its quick units included.
    await asyncio.gather(service.batcher.run(lambda: note("quick2"), quick=True), service.batcher.run(lambda: None))
    assert ran_on["quick"] == loop_thread
    assert ran_on["slow"] != loop_thread
    assert ran_on["quick2"] == ran_on["slow"]
    assert [service.store.get_meta(n) for n in ("quick", "slow", "quick2")] == ["written"] * 3
    service.batcher.close()
    service.store.close()


async def test_quick_work_waits_for_the_writer_thread_when_the_lock_is_taken(tmp_path: Path) -> None:
    """Another connection holds SQLite's write lock: quick work does not wait on the loop's thread; it
    goes to the writer thread, which commits it once the lock is free, and the loop keeps running."""
    path = tmp_path / "taken.sqlite3"
    service = service_on(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    loop_thread = threading.get_ident()
    ran_on: list[int] = []

    def write() -> None:
        ran_on.append(threading.get_ident())
        service.store.set_meta("after-the-lock", "yes")

    pending = asyncio.ensure_future(service.batcher.run(write, quick=True))
    await asyncio.sleep(0.1)  # returns: the loop is free while the writer thread waits for the lock
    assert not pending.done()
    other.execute("COMMIT")
    await asyncio.wait_for(pending, timeout=10)
    assert ran_on and ran_on[0] != loop_thread
    assert service.store.get_meta("after-the-lock") == "yes"
    other.close()
    service.batcher.close()
    service.store.close()


async def test_the_order_of_units_holds_across_the_two_threads(tmp_path: Path) -> None:
    """Quick units queued while the writer thread has work run after that work, in order."""
    service = service_on(tmp_path / "order.sqlite3")
    order: list[str] = []

    def slow() -> None:
        time.sleep(0.05)  # the writer thread is busy while the quick units queue
        order.append("slow")

    first = asyncio.ensure_future(service.batcher.run(slow))
    await asyncio.sleep(0.01)
    await asyncio.gather(
        first,
        *(service.batcher.run(lambda n=n: order.append(f"quick{n}"), quick=True) for n in range(3)),  # type: ignore[misc]
    )
    assert order == ["slow", "quick0", "quick1", "quick2"]
    service.batcher.close()
    service.store.close()
