"""Group commit: the state changes of requests that arrive together share one SQLite transaction.

A commit (writing the WAL) is the largest cost of a request. Every handler that changes state hands
its work to `CommitBatcher.run`; all work queued during one turn of the event loop runs in order in
one transaction, and no caller gets its result before that transaction has committed, so "a reply
only after its state is committed" still holds. Each unit of work runs in its own savepoint: one that
fails is rolled back alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from .store import Store

T = TypeVar("T")


class CommitBatcher:
    """Runs units of state-changing work in shared transactions on the event loop's thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._pending: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []

    async def run(self, work: Callable[[], T]) -> T:
        """Run `work` in the next batch; return its result (or raise its error) after the commit."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)  # after the requests already ready in this turn queue theirs
        self._pending.append((work, future))
        return await future

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        outcomes: list[tuple[asyncio.Future[Any], bool, Any]] = []
        try:
            with self.store.batch():
                for work, future in batch:
                    try:
                        with self.store.savepoint():
                            result = work()
                        outcomes.append((future, True, result))
                    except Exception as exc:  # handed to the waiting request, not swallowed
                        outcomes.append((future, False, exc))
        except Exception as exc:  # the commit failed: nothing of the batch is acknowledged
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, ok, value in outcomes:
            if future.done():  # the caller went away (client disconnected); its work is committed anyway
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
