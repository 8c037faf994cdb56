"""Group commit: the state changes of requests that arrive together share one SQLite transaction,
committed before any of those requests is answered, and the event loop never waits for SQLite's
write lock.

A commit (writing the WAL) is the largest cost of a request. Every handler that changes state hands
its work to `CommitBatcher.run`. The work queued during one turn of the event loop runs in order in
one transaction; no caller gets its result before that transaction has committed, so "a reply only
after its state is committed" still holds. Each unit of work runs in its own savepoint: one that
fails is rolled back alone.

Where a batch runs:

- **On the event loop's thread, at once**, when every unit was marked `quick` (a few rows: an OTP
  send or verify, one SMS) and the write lock is free right now: no thread hop and no contention for
  the GIL (×1.04-1.14 the OTP requests per second, bench/README.md). "Free right now" means the store
  takes the lock without waiting (`Store.batch(wait=False)`): no other thread is writing and no other
  connection holds SQLite's lock.
- **On the writer thread** otherwise: work that may take milliseconds (a bulk request, a reset, a
  prune), a batch whose lock was taken, and whatever arrives while the writer thread is busy, which
  joins its next transaction. While another process holds the write lock, the writer thread waits
  (at most the store's busy timeout) and the event loop goes on serving reads and every other route;
  the units of that batch then fail with `StorageBusyError`.

A unit of work may run on the writer thread: it must not touch the event loop. What must happen on
the loop after the commit (waking long-polls) is registered with `after_commit` and runs on the
caller's loop just before the results are handed out.

The hand-off back from the writer thread is one `call_soon_threadsafe` per event loop and batch,
which settles every waiting request of that loop at once: each such call writes to the loop's
wake-up pipe, and one per request (what `asyncio.wrap_future` does) cost about a tenth of an OTP
request's CPU.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .store import Store, WriterBusyError

T = TypeVar("T")
QUICK_ROWS = 16  # a unit of work that writes at most about this many rows may be marked quick
# work, its result (a future of the caller's loop), when it was queued, the event loop of its caller,
# whether it is quick (may run on the event loop's thread)
_Unit = tuple[Callable[[], Any], "asyncio.Future[Any]", float, asyncio.AbstractEventLoop, bool]
# a future and its outcome: (future, True, result) or (future, False, exception)
_Outcome = tuple["asyncio.Future[Any]", bool, Any]


class CommitBatcher:
    """Runs units of state-changing work in shared transactions, on the event loop's thread when they
    are quick and the lock is free, else on one writer thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # One worker: SQLite has one writer at a time anyway, and one thread keeps the order of the units.
        # The thread starts with the first unit and ends when the batcher is garbage-collected.
        self._writer = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._mutex = threading.Lock()
        self._pending: list[_Unit] = []
        self._draining = False
        self._local = threading.local()  # on the thread running a unit: that unit's after-commit callbacks

    async def run(self, work: Callable[[], T], *, quick: bool = False) -> T:
        """Run `work` in the next batch; return its result (or raise its error) after the commit.

        `quick`: the work writes a few rows and may run on the event loop's thread (see the module's
        docstring); leave it off for anything that may take milliseconds.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        with self._mutex:
            self._pending.append((work, future, time.monotonic(), loop, quick))
        # Deferred: the requests already ready in this turn queue theirs first and share the transaction.
        # One call per unit, no shared "scheduled" flag: a loop that closes before running its call
        # cannot leave other loops' units waiting (the extra calls find the writer busy and return).
        loop.call_soon(self._kick)
        return await future  # type: ignore[no-any-return]

    def close(self) -> None:
        """Wait for the writes already queued, then end the writer thread."""
        self._writer.shutdown(wait=True)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Inside a unit of work: call `callback` on the caller's event loop once the unit's transaction
        committed. Outside one (start-up, synchronous tests): call it now."""
        callbacks: list[Callable[[], None]] | None = getattr(self._local, "callbacks", None)
        if callbacks is None:
            callback()
        else:
            callbacks.append(callback)

    def _kick(self) -> None:
        with self._mutex:
            if self._draining or not self._pending:
                return  # the writer thread takes the queued units when its transaction ends
            self._draining = True
            batch, self._pending = self._pending, []
        if all(unit[4] for unit in batch) and self._write(batch, wait=False):
            with self._mutex:
                if not self._pending:
                    self._draining = False
                    return
            # Queued meanwhile by another event loop's thread: the writer thread takes them.
        else:
            with self._mutex:
                self._pending[:0] = batch  # still first, in their order
        self._writer.submit(self._drain)

    def _drain(self) -> None:
        """On the writer thread: one transaction per round, until nothing is queued."""
        while True:
            with self._mutex:
                batch, self._pending = self._pending, []
                if not batch:
                    self._draining = False
                    return
            self._write(batch)

    def _write(self, batch: list[_Unit], *, wait: bool = True) -> bool:
        """Run the batch in one transaction and hand the outcomes back. `wait=False` (on the event
        loop's thread): False if the write lock was not free at once, and nothing was done."""
        outcomes: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
        committed: dict[asyncio.AbstractEventLoop, list[Callable[[], None]]] = {}
        try:
            with self.store.batch(time.monotonic() - batch[0][2], wait=wait):
                for work, future, _, loop, _ in batch:
                    # Cancelled before its work started (the caller went away): nothing to do. Read
                    # across threads, which is safe for a flag; a cancel that comes later only means
                    # the work is committed and nobody reads the result.
                    if future.cancelled():
                        continue
                    callbacks: list[Callable[[], None]] = []
                    self._local.callbacks = callbacks
                    try:
                        with self.store.savepoint():
                            result = work()
                        outcomes.setdefault(loop, []).append((future, True, result))
                        committed.setdefault(loop, []).extend(callbacks)
                    except Exception as exc:  # handed to the waiting request, not swallowed
                        outcomes.setdefault(loop, []).append((future, False, exc))
                    finally:
                        self._local.callbacks = None
        except WriterBusyError:
            return False  # raised before BEGIN: nothing ran
        except Exception as exc:  # BEGIN or COMMIT failed: nothing of the batch is acknowledged
            failed: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
            for _, future, _, loop, _ in batch:
                failed.setdefault(loop, []).append((future, False, exc))
            _hand_back(failed, {})
            return True
        _hand_back(outcomes, committed)
        return True


def _hand_back(
    outcomes: dict[asyncio.AbstractEventLoop, list[_Outcome]],
    committed: dict[asyncio.AbstractEventLoop, list[Callable[[], None]]],
) -> None:
    """One call per event loop that settles its futures there: now for the loop this runs on (a
    batch written on the loop's thread), through the loop's wake-up pipe for any other."""
    try:
        current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:  # the writer thread runs no loop
        current = None
    for loop in outcomes.keys() | committed.keys():
        if loop is current:
            _settle(outcomes.get(loop, []), committed.get(loop, []))
            continue
        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits there any more
            loop.call_soon_threadsafe(_settle, outcomes.get(loop, []), committed.get(loop, []))


def _settle(outcomes: list[_Outcome], callbacks: list[Callable[[], None]]) -> None:
    """On the caller's loop: the after-commit callbacks first (they run even when their request went
    away meanwhile), then the results."""
    for callback in callbacks:
        try:
            callback()
        except Exception as exc:  # one failing callback must not leave the other requests waiting
            asyncio.get_running_loop().call_exception_handler(
                {"message": "after-commit callback failed", "exception": exc}
            )
    for future, ok, value in outcomes:
        if future.done():
            continue  # cancelled meanwhile: the caller went away; its work (if it ran) is committed anyway
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
