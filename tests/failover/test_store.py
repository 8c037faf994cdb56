"""The code stores: the rules of `check`, and single use under concurrency (threads and processes)."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from otp_gateway import MemoryCodeStore, SqliteCodeStore, StoredCode, VerifyOutcome
from otp_gateway.errors import InvalidInput

RIGHT, WRONG = "a" * 64, "b" * 64


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MemoryCodeStore | SqliteCodeStore]:
    if request.param == "memory":
        yield MemoryCodeStore()
        return
    sqlite = SqliteCodeStore(tmp_path / "codes.sqlite3")
    yield sqlite
    sqlite.close()


def test_the_rules_of_check(store: MemoryCodeStore | SqliteCodeStore) -> None:
    assert store.check("k", RIGHT, 0.0) is VerifyOutcome.UNKNOWN
    store.save("k", StoredCode(RIGHT, expires_at=100.0, max_attempts=2))
    assert store.check("k", WRONG, 1.0) is VerifyOutcome.MISMATCH
    assert store.check("k", RIGHT, 1.0) is VerifyOutcome.MATCHED
    assert store.check("k", RIGHT, 1.0) is VerifyOutcome.USED
    store.save("k", StoredCode(RIGHT, expires_at=100.0, max_attempts=2))  # a new code forgets the old state
    assert [store.check("k", WRONG, 1.0) for _ in range(2)] == [VerifyOutcome.MISMATCH] * 2
    assert store.check("k", RIGHT, 1.0) is VerifyOutcome.LOCKED
    store.save("e", StoredCode(RIGHT, expires_at=10.0, max_attempts=5))
    assert store.check("e", RIGHT, 10.0) is VerifyOutcome.EXPIRED
    store.discard("e")
    assert store.check("e", RIGHT, 1.0) is VerifyOutcome.UNKNOWN


def test_purge_removes_used_and_expired_codes(store: MemoryCodeStore | SqliteCodeStore) -> None:
    store.save("used", StoredCode(RIGHT, 100.0, 5))
    store.check("used", RIGHT, 1.0)
    store.save("old", StoredCode(RIGHT, 5.0, 5))
    store.save("live", StoredCode(RIGHT, 100.0, 5))
    assert store.purge(50.0) == 2
    assert store.check("live", RIGHT, 50.0) is VerifyOutcome.MATCHED


def test_exactly_one_of_many_concurrent_threads_matches(store: MemoryCodeStore | SqliteCodeStore) -> None:
    store.save("k", StoredCode(RIGHT, 1e12, 5))
    barrier = threading.Barrier(16)
    outcomes: list[VerifyOutcome] = []
    lock = threading.Lock()

    def verify() -> None:
        barrier.wait()
        outcome = store.check("k", RIGHT, 1.0)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=verify) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted([VerifyOutcome.MATCHED] + [VerifyOutcome.USED] * 15)


def test_concurrent_wrong_codes_never_exceed_the_cap(store: MemoryCodeStore | SqliteCodeStore) -> None:
    store.save("k", StoredCode(RIGHT, 1e12, 3))
    barrier = threading.Barrier(12)
    outcomes: list[VerifyOutcome] = []

    def guess() -> None:
        barrier.wait()
        outcomes.append(store.check("k", WRONG, 1.0))

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(VerifyOutcome.MISMATCH) == 3 and outcomes.count(VerifyOutcome.LOCKED) == 9


def _verify_in_process(
    path: str, start: multiprocessing.synchronize.Event, results: multiprocessing.Queue[str]
) -> None:
    store = SqliteCodeStore(path)
    start.wait()
    results.put(store.check("k", RIGHT, 1.0).value)


def test_exactly_one_of_many_processes_matches(tmp_path: Path) -> None:
    path = str(tmp_path / "codes.sqlite3")
    SqliteCodeStore(path).save("k", StoredCode(RIGHT, 1e12, 5))
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [context.Process(target=_verify_in_process, args=(path, start, results)) for _ in range(6)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    outcomes = sorted(results.get(timeout=10) for _ in workers)
    assert outcomes == sorted(["matched"] + ["used"] * 5)


def test_sqlite_store_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "codes.sqlite3"
    SqliteCodeStore(path).save("k", StoredCode(RIGHT, 1e12, 5))
    assert SqliteCodeStore(path).check("k", RIGHT, 1.0) is VerifyOutcome.MATCHED


def test_sqlite_store_needs_a_file() -> None:
    with pytest.raises(InvalidInput):
        SqliteCodeStore(":memory:")
