"""Where the gateway keeps the codes it generated: a small interface, in memory or in SQLite.

The gateway stores only a keyed digest of each code (see `codes`), under the ticket id, with its
expiry and attempt cap. `check` is the one operation that must be atomic: under any number of
concurrent verifies of one ticket, exactly one can ever see MATCHED. To keep codes in your own
database or in Redis, write a class with these four methods (sync: `CodeStore`; for the async
gateway, `AsyncCodeStore`, or a sync store, which the async gateway runs in a worker thread).
docs/failover.md has a Redis version.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from .errors import InvalidInput
from .outcomes import VerifyOutcome

__all__ = [
    "AnyCodeStore",
    "AsyncCodeStore",
    "CodeStore",
    "MemoryCodeStore",
    "SqliteCodeStore",
    "StoredCode",
    "as_async_store",
    "as_sync_store",
]


@dataclass(frozen=True)
class StoredCode:
    """A code's digest, the time it stops being valid (the gateway's clock), and its attempt cap."""

    digest: str
    expires_at: float
    max_attempts: int


@runtime_checkable
class CodeStore(Protocol):
    """The store interface. `key` is a ticket id; `now` is the gateway's clock (seconds)."""

    def save(self, key: str, code: StoredCode) -> None:
        """Store `code` under `key`, replacing any earlier one (its attempts and use are forgotten)."""

    def check(self, key: str, digest: str, now: float) -> VerifyOutcome:
        """Atomically: UNKNOWN if nothing is stored, USED if already matched, EXPIRED at or after
        `expires_at`, LOCKED once `max_attempts` wrong digests were given; else MATCHED (and mark it
        used) when `digest` equals the stored one, or MISMATCH (and count one attempt)."""

    def discard(self, key: str) -> None:
        """Forget the code under `key` (a resend went to a provider that keeps its own code)."""

    def purge(self, now: float) -> int:
        """Delete codes that are used or expired at `now`; return how many."""


class AsyncCodeStore(Protocol):
    """`CodeStore` for the async gateway: the same methods, awaited."""

    async def save(self, key: str, code: StoredCode) -> None: ...

    async def check(self, key: str, digest: str, now: float) -> VerifyOutcome: ...

    async def discard(self, key: str) -> None: ...

    async def purge(self, now: float) -> int: ...


# What the async gateway accepts as its store: it runs a sync store in a worker thread.
AnyCodeStore = CodeStore | AsyncCodeStore


def _verdict(
    digest: str, stored: str, expires_at: float, max_attempts: int, attempts: int, used: bool, now: float
) -> VerifyOutcome:
    """The rules of `check`, shared by both stores (the caller makes it atomic)."""
    if used:
        return VerifyOutcome.USED
    if now >= expires_at:
        return VerifyOutcome.EXPIRED
    if attempts >= max_attempts:
        return VerifyOutcome.LOCKED
    if hmac.compare_digest(digest, stored):
        return VerifyOutcome.MATCHED
    return VerifyOutcome.MISMATCH


class MemoryCodeStore:
    """Codes in a dict, behind a lock: for one process (tests, a single-worker app)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[str, tuple[StoredCode, int, bool]] = {}

    def __repr__(self) -> str:
        return f"MemoryCodeStore(codes={len(self._codes)})"

    def __len__(self) -> int:
        return len(self._codes)

    def save(self, key: str, code: StoredCode) -> None:
        with self._lock:
            self._codes[key] = (code, 0, False)

    def check(self, key: str, digest: str, now: float) -> VerifyOutcome:
        with self._lock:
            entry = self._codes.get(key)
            if entry is None:
                return VerifyOutcome.UNKNOWN
            code, attempts, used = entry
            verdict = _verdict(digest, code.digest, code.expires_at, code.max_attempts, attempts, used, now)
            if verdict is VerifyOutcome.MATCHED:
                self._codes[key] = (code, attempts, True)
            elif verdict is VerifyOutcome.MISMATCH:
                self._codes[key] = (code, attempts + 1, False)
            return verdict

    def discard(self, key: str) -> None:
        with self._lock:
            self._codes.pop(key, None)

    def purge(self, now: float) -> int:
        with self._lock:
            gone = [key for key, (code, _, used) in self._codes.items() if used or now >= code.expires_at]
            for key in gone:
                del self._codes[key]
            return len(gone)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS otp_codes (
    key TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    expires_at REAL NOT NULL,
    max_attempts INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used INTEGER NOT NULL DEFAULT 0
)
"""


class SqliteCodeStore:
    """Codes in a SQLite file, shared safely by threads and processes.

    Each thread has its own connection (WAL journal). `check` runs in a `BEGIN IMMEDIATE`
    transaction, which takes the database's write lock before reading, so two verifies of one
    code, in two threads or two processes, are serialised and only the first can match.
    """

    def __init__(self, path: str | Path, *, busy_timeout: float = 10.0) -> None:
        self.path = str(path)
        if self.path == ":memory:":
            raise InvalidInput(
                "SqliteCodeStore needs a file (each thread opens its own connection); use MemoryCodeStore"
            )
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        with self._transaction() as connection:
            connection.execute(_SCHEMA)

    def __repr__(self) -> str:
        return f"SqliteCodeStore({self.path!r})"

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    def _transaction(self) -> _Transaction:
        return _Transaction(self._connection())

    def save(self, key: str, code: StoredCode) -> None:
        with self._transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO otp_codes (key, digest, expires_at, max_attempts, attempts, used)"
                " VALUES (?, ?, ?, ?, 0, 0)",
                (key, code.digest, code.expires_at, code.max_attempts),
            )

    def check(self, key: str, digest: str, now: float) -> VerifyOutcome:
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT digest, expires_at, max_attempts, attempts, used FROM otp_codes WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                return VerifyOutcome.UNKNOWN
            stored, expires_at, max_attempts, attempts, used = row
            verdict = _verdict(digest, stored, expires_at, max_attempts, attempts, bool(used), now)
            if verdict is VerifyOutcome.MATCHED:
                connection.execute("UPDATE otp_codes SET used = 1 WHERE key = ?", (key,))
            elif verdict is VerifyOutcome.MISMATCH:
                connection.execute("UPDATE otp_codes SET attempts = attempts + 1 WHERE key = ?", (key,))
            return verdict

    def discard(self, key: str) -> None:
        with self._transaction() as connection:
            connection.execute("DELETE FROM otp_codes WHERE key = ?", (key,))

    def purge(self, now: float) -> int:
        with self._transaction() as connection:
            return connection.execute("DELETE FROM otp_codes WHERE used = 1 OR expires_at <= ?", (now,)).rowcount

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


class _Transaction:
    """`BEGIN IMMEDIATE` ... `COMMIT` (or `ROLLBACK` on an exception)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.connection.execute("ROLLBACK" if exc_type is not None else "COMMIT")


class _InlineAsync:
    """A memory store for the async gateway: its calls never block, so they run inline."""

    def __init__(self, store: MemoryCodeStore) -> None:
        self._store = store

    async def save(self, key: str, code: StoredCode) -> None:
        self._store.save(key, code)

    async def check(self, key: str, digest: str, now: float) -> VerifyOutcome:
        return self._store.check(key, digest, now)

    async def discard(self, key: str) -> None:
        self._store.discard(key)

    async def purge(self, now: float) -> int:
        return self._store.purge(now)


class _ThreadedAsync:
    """Any sync store for the async gateway: each call runs in a worker thread (SQLite may wait on a lock)."""

    def __init__(self, store: CodeStore) -> None:
        self._store = store

    async def save(self, key: str, code: StoredCode) -> None:
        await asyncio.to_thread(self._store.save, key, code)

    async def check(self, key: str, digest: str, now: float) -> VerifyOutcome:
        return await asyncio.to_thread(self._store.check, key, digest, now)

    async def discard(self, key: str) -> None:
        await asyncio.to_thread(self._store.discard, key)

    async def purge(self, now: float) -> int:
        return await asyncio.to_thread(self._store.purge, now)


def _is_async(store: object) -> bool:
    return inspect.iscoroutinefunction(getattr(store, "check", None))


def as_async_store(store: AnyCodeStore) -> AsyncCodeStore:
    """The store as the async gateway calls it."""
    if _is_async(store):
        return store  # type: ignore[return-value]
    if isinstance(store, MemoryCodeStore):
        return _InlineAsync(store)
    return _ThreadedAsync(store)  # type: ignore[arg-type]


def as_sync_store(store: AnyCodeStore) -> CodeStore:
    """The store as the sync gateway calls it; an async store is refused."""
    if _is_async(store):
        raise InvalidInput("the sync gateway needs a sync store (CodeStore); this one is async")
    return store  # type: ignore[return-value]
