"""One background task per feature, on the server's event loop (webhook posts, retention pruning)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any


class BackgroundLoop:
    """Runs `body()` as a task on the running event loop; started on demand, cancelled at shutdown.

    An in-process test client may drive the app from a new event loop per test: a task whose loop is
    not the running one is replaced.
    """

    def __init__(self, name: str, body: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self.name = name
        self.body = body
        self._task: asyncio.Task[None] | None = None

    def ensure_running(self) -> None:
        """Start the task unless it already runs on this loop."""
        loop = asyncio.get_running_loop()
        if self._task is not None and not self._task.done() and self._task.get_loop() is loop:
            return
        self._task = loop.create_task(self.body(), name=self.name)

    async def stop(self) -> None:
        """Cancel the task and wait for it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._task
            self._task = None
