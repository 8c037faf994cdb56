"""How uvicorn serves the emulator: httptools as the HTTP parser, uvloop as the event loop (asyncio
where uvloop is not installed: it has no Windows build), connection limits and timeouts, a half-close
that still gets its reply, and logs that stay one line per condition. The command line (cli.py) and
the pytest plugin's thread mode both serve through `uvicorn_config`.

- Idle connections: a connection that has not sent a complete request head within
  `HEADER_TIMEOUT_SECONDS` (a fresh one that sends nothing, or one that trickles its headers) is
  closed; uvicorn's keep-alive timeout only starts after a first reply, so idle or half-open fresh
  connections were otherwise kept for ever. Between requests uvicorn's `timeout_keep_alive` applies.
- Concurrency: past `limit_concurrency` open connections or running requests, uvicorn answers
  503 `Service Unavailable` at once (its own plain-text reply) instead of queueing; the default is
  derived from the process's file-descriptor limit, so the refusal comes before `accept()` fails.
- Half-close: a client that shuts down its sending side after a request (`shutdown(SHUT_WR)`) still
  gets the reply; the connection closes after it. (uvicorn's own protocol lets the loop close the
  transport on EOF, so the reply to a request still running, a write in particular, would be lost
  although it was stored.)
- Large bodies are parsed in a worker thread (core/http.py) that holds the GIL for up to the
  interpreter's switch interval at a time; the command lowers it from 5 ms to `GIL_SWITCH_SECONDS`
  so the event loop gets its turn sooner (bench/stall.py measures the difference).
- Garbage collection: the command keeps the objects that live as long as the process out of the
  collector's full scans (core/heap.py).
- Logs: when file descriptors run out, asyncio's loop logs a traceback per failed `accept()`; uvloop
  (libuv) logs nothing and closes the waiting connections, so past the concurrency limit each new
  connection tries a spare descriptor and logs when there is none. uvicorn warns per refused request.
  `OncePerInterval` keeps one line per condition every `LOG_INTERVAL_SECONDS`, without the traceback
  (asyncio's records always as one line).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .core import heap

HEADER_TIMEOUT_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5.0
RESERVED_DESCRIPTORS = 64  # for the database, webhook posts and the listening socket
MAX_CONCURRENCY = 4096
LOG_INTERVAL_SECONDS = 10.0
GIL_SWITCH_SECONDS = 0.001


def tune_process() -> None:
    """Process-wide settings for the command's own process (not applied when the emulator runs inside
    a test runner's process, whose objects and threads are not the emulator's to tune)."""
    sys.setswitchinterval(GIL_SWITCH_SECONDS)  # the loop's turn while a body is parsed
    heap.enable()


def default_concurrency() -> int:
    """Open connections served at once: below the soft file-descriptor limit, so the limit refuses
    cleanly before `accept()` starts failing."""
    if sys.platform == "win32":  # sockets are handles there, with no per-process limit to stay under
        return MAX_CONCURRENCY
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONCURRENCY
    return max(8, min(MAX_CONCURRENCY, soft - RESERVED_DESCRIPTORS))


class EmulatorServer(uvicorn.Server):
    """uvicorn's server, telling the app when it begins to shut down. uvicorn waits for every request
    in flight, and an open inbox event stream or a long-poll would hold the shutdown until its next
    timeout (the inbox's 2 s tick, a wait's own timeout)."""

    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_stop = on_stop

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._on_stop()
        await super().shutdown(sockets)


class EmulatorHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a request-head timeout, replies to half-closed connections and,
    on uvloop, a log line when file descriptors run out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._peer_finished = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()
        if self.limit_concurrency is not None and len(self.connections) > self.limit_concurrency:
            self._check_descriptors_left()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def on_headers_complete(self) -> None:
        self._cancel_head_timer()  # the request head is complete
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._waiting_reply():
            return  # a pipelined request started: its head is in, its reply to come
        if self._peer_finished:
            self.transport.close()  # the client sends nothing more: the reply was its last
        elif not self.transport.is_closing():
            self._arm_head_timer()

    def eof_received(self) -> bool:  # type: ignore[override]
        """The client closed its sending side. Keep the connection open for the reply to a request
        received whole and still running; otherwise (nothing in flight, or half a request) close."""
        self._peer_finished = True
        if not (self._waiting_reply() and not self.cycle.more_body):
            self.transport.close()
        return True  # the loop closes the transport itself if this is false

    def _waiting_reply(self) -> bool:
        """A request's head was received and its reply is not complete (the latest request's: pipelined
        ones are answered in order)."""
        return self.cycle is not None and not self.cycle.response_complete

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._head_timeout)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timeout(self) -> None:
        self._head_timer = None
        if not self._waiting_reply() and not self.transport.is_closing():
            self.transport.close()

    def _check_descriptors_left(self) -> None:
        """Past the concurrency limit the next `accept()` may find no descriptor. asyncio's own loop
        logs that failure itself; uvloop (libuv) says nothing and closes every pending connection at
        once, so here a spare descriptor is tried and its absence logged (one line per interval, by
        `OncePerInterval`)."""
        if isinstance(self.loop, asyncio.BaseEventLoop):
            return
        try:
            os.close(os.open(os.devnull, os.O_RDONLY))
        except OSError as exc:
            self.logger.warning(
                "%s: %d connections open, new ones are closed at once until some end",
                exc.strerror or exc,
                len(self.connections),
            )


class OncePerInterval(logging.Filter):
    """Lets a record through once per `interval` seconds per message template, without its traceback
    (the storm of identical tracebacks when descriptors run out: one line says it)."""

    def __init__(self, interval: float = LOG_INTERVAL_SECONDS) -> None:
        super().__init__()
        self.interval = interval
        self._last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = f"{record.name}:{str(record.msg).split(chr(10), 1)[0]}"  # the first line: the condition
        now = time.monotonic()
        if now - self._last.get(key, -self.interval) < self.interval:
            return False
        self._last[key] = now
        error = record.exc_info[1] if record.exc_info else None
        # asyncio's own conditions (accept() failing, its retry timer firing after shutdown closed the
        # socket) are loop internals: one line says them. Elsewhere only OSErrors lose their traceback.
        if error is not None and (record.name == "asyncio" or isinstance(error, OSError)):
            reason = (
                error.strerror if isinstance(error, OSError) and error.strerror else f"{type(error).__name__}: {error}"
            )
            first_line = record.getMessage().split("\n", 1)[0]
            record.msg = f"{first_line}: {reason} (repeats are silenced for {self.interval:g} s)"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


_FILTERED_LOGGERS = ("asyncio", "uvicorn.error")


def install_log_filters() -> None:
    """Rate-limit asyncio's and uvicorn's per-connection error lines (idempotent)."""
    for name in _FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OncePerInterval) for f in logger.filters):
            logger.addFilter(OncePerInterval())


def uvicorn_config(app: ASGIApp, **options: Any) -> uvicorn.Config:
    """uvicorn's settings for the emulator; `options` (host, port...) are passed on."""
    install_log_filters()
    settings: dict[str, Any] = {
        "http": EmulatorHttpToolsProtocol,
        "loop": "auto",  # uvloop where it is installed (not on Windows), else asyncio
        "log_level": "warning",
        "access_log": False,  # request lines would print V1 paths, which contain API keys
        "lifespan": "on",
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "limit_concurrency": default_concurrency(),
    }
    settings.update(options)
    return uvicorn.Config(app, **settings)
