"""SQLite persistence: one write connection, a read connection per reading thread, explicit
transactions, a versioned schema, a consistency check at start and a file that shrinks after deletes.

Threads and connections: every write runs over the one write connection, as a batch of group commit
(batching.py): on the event loop's thread when the lock is free at once (`batch(wait=False)`), else
on the writer thread; the event loop never waits for the write lock.
Reads run on a connection of the reading thread's own: WAL lets them proceed while a write (even
another process's) is in progress, and each read sees every transaction committed before it started,
so a read right after an acknowledged write sees that write. Work running inside a write transaction
reads through the write connection, so it sees its own changes. A `:memory:` database exists only in
its one connection, so there reads share the write connection under the lock.

Another process holding the write lock: the writer waits at most `busy_timeout` seconds (2 s by
default, `[storage] busy_timeout_seconds`), then the writes of that batch fail with
`StorageBusyError`, which the app answers as a retryable 503 with `Retry-After`.

Durability: the database runs in WAL mode with `synchronous=NORMAL`. A commit is then written to
the WAL file before `COMMIT` returns, so a reply sent after the commit survives the emulator
process being killed (SIGKILL included): the data is in the operating system's page cache, which
the OS writes out even if the process dies. Only a power loss or kernel crash can lose the last
commits, which is outside what a local emulator promises (SQLite docs, "WAL mode" and
"PRAGMA synchronous"). Every handler replies only after its transaction has committed.

The only fsyncs happen at WAL checkpoints. A thread of its own (`Checkpointer`) runs them on its
own connection, once a second, more often under heavy writes, and makes the WAL start over every
`Checkpointer.RESTART_FRAMES` pages (about 32 MB), so a request never waits for the disk's copy. The
writer's automatic checkpoint remains as a backstop (`WRITER_CHECKPOINT_PAGES`, about 160 MB) for
when the thread cannot keep the WAL short; `journal_size_limit` shrinks the file back after a burst.

At start, `integrity_check` (`quick_check` on large files) refuses a damaged file before anything is
written (`DamagedDatabaseError`). The file uses `auto_vacuum=INCREMENTAL`, and `reclaim()` hands the
pages that pruning and resets freed back to the file system.
"""

from __future__ import annotations

import json
import logging
import operator
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .config import AccountConfig, parse_account
from .credits import OutOfCreditsError, segments

log = logging.getLogger("twofactor_emulator")

# Each entry upgrades the schema by one version; PRAGMA user_version records how many ran.
# Never edit a shipped entry: append a new one, so an old database upgrades in place.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE accounts (
        api_key TEXT PRIMARY KEY,
        config TEXT NOT NULL,
        credits_used INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: never reused, so "after seq" stays valid after a reset
        id TEXT NOT NULL UNIQUE,
        account TEXT NOT NULL,
        phone TEXT NOT NULL,
        sender TEXT,
        text TEXT NOT NULL,
        kind TEXT NOT NULL,
        operation TEXT NOT NULL,
        created_at REAL NOT NULL,
        scheduled_at REAL,
        session_id TEXT,
        otp TEXT,
        request_id TEXT,
        callback_value1 TEXT,
        callback_value2 TEXT
    );
    CREATE INDEX messages_phone ON messages (phone, seq);
    CREATE TABLE otp_sessions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL UNIQUE,
        account TEXT NOT NULL,
        phone TEXT NOT NULL,
        channel TEXT NOT NULL,
        otp_hash TEXT NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        sandbox INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX otp_sessions_phone ON otp_sessions (account, phone, channel, seq);
    """,
    # 2: short links of R1 sends with shortenurl=1 or a campaignname (shortlinks.py).
    """
    CREATE TABLE short_links (
        code TEXT PRIMARY KEY,
        header TEXT NOT NULL,
        phone TEXT NOT NULL,
        long_url TEXT NOT NULL,
        campaign TEXT,
        campaign_webhook TEXT,
        short_webhook TEXT,
        callback TEXT,
        created_at REAL NOT NULL,
        clicks INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 3: more providers in one outbox. Every message records its provider (older rows are 2Factor's),
    # an email's subject and a receipt request (datatechlabs' dlr-url, dlr-method, dlr-level);
    # credits of accounts that are not 2Factor's; Tata Smart 2FA's OTPs, limits and limit uses.
    """
    ALTER TABLE messages ADD COLUMN provider TEXT NOT NULL DEFAULT 'twofactor';
    ALTER TABLE messages ADD COLUMN subject TEXT;
    ALTER TABLE messages ADD COLUMN dlr_url TEXT;
    ALTER TABLE messages ADD COLUMN dlr_method TEXT;
    ALTER TABLE messages ADD COLUMN dlr_level INTEGER;
    CREATE TABLE provider_credits (
        provider TEXT NOT NULL,
        account TEXT NOT NULL,
        credits_used INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (provider, account)
    );
    CREATE TABLE tata_otps (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL UNIQUE,
        owner TEXT NOT NULL,
        account_sid TEXT NOT NULL,
        service TEXT NOT NULL,
        channel TEXT NOT NULL,
        destination TEXT NOT NULL,
        sender TEXT,
        otp_hash TEXT NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        replaced INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX tata_otps_destination ON tata_otps (owner, destination, seq);
    CREATE TABLE tata_limits (
        limit_sid TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        account_sid TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        buckets TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        UNIQUE (owner, name)
    );
    CREATE TABLE tata_limit_uses (
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX tata_limit_uses_key ON tata_limit_uses (owner, name, value, at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
WRITER_CHECKPOINT_PAGES = 40_000  # ~160 MB of WAL: the writer checkpoints only if the thread falls behind
WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024  # the WAL file is cut back to this when it starts over
_INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL
RECLAIM_PAGES = 10_000  # pages (~40 MB) handed back per prune at most, so no prune holds the writer long
# Start-up check: `integrity_check` (every page, index and constraint) on files up to this size, the
# faster `quick_check` (pages and records, no index-against-table comparison) above it.
FULL_CHECK_MAX_BYTES = 64 * 1024 * 1024

MESSAGE_COLUMNS = (
    "id",
    "account",
    "phone",
    "sender",
    "text",
    "kind",
    "operation",
    "created_at",
    "scheduled_at",
    "session_id",
    "otp",
    "request_id",
    "callback_value1",
    "callback_value2",
    "provider",
    "subject",
    "dlr_url",
    "dlr_method",
    "dlr_level",
)
_MESSAGE_ROW = operator.itemgetter(*MESSAGE_COLUMNS)  # a message dict (see `new_message`) as a row tuple
_TEXT = MESSAGE_COLUMNS.index("text")
_INSERT_MESSAGE = (
    f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)}) VALUES ({', '.join('?' for _ in MESSAGE_COLUMNS)})"  # noqa: S608 - fixed column names
)
_INSERT_SESSION = (
    "INSERT INTO otp_sessions (session_id, account, phone, channel, otp_hash, created_at, expires_at, attempts, "
    "state, sandbox) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SESSION_COLUMNS = "session_id, account, phone, channel, otp_hash, created_at, expires_at, attempts, state, sandbox"


def new_message(**fields: Any) -> dict[str, Any]:
    """An outbox message with every column (None where not given)."""
    message: dict[str, Any] = dict.fromkeys(MESSAGE_COLUMNS)
    message["provider"] = "twofactor"
    message.update(fields)
    return message


def message_rows(shared: dict[str, Any], varying: Sequence[str], values: Iterable[Sequence[Any]]) -> list[list[Any]]:
    """Rows for `Store.add_messages` of messages that have the `shared` fields in common and differ in
    the `varying` columns (each item of `values` gives them in that order). A bulk request stores up
    to a thousand messages: copying one template row costs a tenth of building a dict per message."""
    template = _MESSAGE_ROW(new_message(**shared))
    positions = [MESSAGE_COLUMNS.index(column) for column in varying]
    rows: list[list[Any]] = []
    for value in values:
        row = list(template)
        for position, item in zip(positions, value, strict=True):
            row[position] = item
        rows.append(row)
    return rows


# Session states. A session is live until it is verified or locked; expiry is a matter of time.
LIVE = "live"
VERIFIED = "verified"
LOCKED = "locked"


class SchemaError(RuntimeError):
    """The database was written by a newer emulator than this one."""


class DamagedDatabaseError(RuntimeError):
    """The database file failed SQLite's own consistency check at start."""


class StorageBusyError(sqlite3.OperationalError):
    """Another connection (usually another process) held the write lock longer than the busy timeout."""


class WriterBusyError(RuntimeError):
    """`Store.batch(wait=False)`: the write lock was not free at once (another thread is writing, or
    another connection holds SQLite's lock); nothing was done."""


DEFAULT_BUSY_TIMEOUT_SECONDS = 2.0


def _is_busy(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED") or "locked" in str(exc)


BUSY_POLL_SECONDS = 0.0005


def _begin(cur: sqlite3.Cursor, wait: float | None = None) -> None:
    """BEGIN IMMEDIATE: takes the write lock now, waiting for it at most the connection's busy timeout
    (`wait` None) or `wait` seconds, trying again every `BUSY_POLL_SECONDS`.

    The batches poll here, with the connection's busy timeout at 0: SQLite's own busy handler sleeps
    1, 2, 5, 10, 15, 20, 25 ms... between tries, so a lock held 5 ms by another connection (another
    worker process's commit or checkpoint) cost a waiting write 8-18 ms."""
    deadline = None if wait is None else time.monotonic() + wait
    while True:
        try:
            cur.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            if deadline is None or time.monotonic() >= deadline:
                raise StorageBusyError("the database is locked by another connection") from exc
        time.sleep(BUSY_POLL_SECONDS)


@dataclass(frozen=True)
class OtpSession:
    """A stored OTP session. The OTP itself is kept only as an HMAC under a per-database pepper."""

    session_id: str
    account: str
    phone: str
    channel: str
    otp_hash: str
    created_at: float
    expires_at: float
    attempts: int
    state: str
    sandbox: bool


def _charge(cur: sqlite3.Cursor, account: str, cost: int, credit_limit: int) -> None:
    # The limit is part of the UPDATE: enforcing the balance costs no extra statement.
    cur.execute(
        "UPDATE accounts SET credits_used = credits_used + ? WHERE api_key = ? AND credits_used + ? <= ?",
        (cost, account, cost, credit_limit),
    )
    if cur.rowcount == 0:
        raise OutOfCreditsError


def _session(row: Sequence[Any]) -> OtpSession:
    return OtpSession(
        session_id=row[0],
        account=row[1],
        phone=row[2],
        channel=row[3],
        otp_hash=row[4],
        created_at=row[5],
        expires_at=row[6],
        attempts=row[7],
        state=row[8],
        sandbox=bool(row[9]),
    )


class Checkpointer:
    """Runs PASSIVE WAL checkpoints on a thread and connection of its own: every `IDLE_SECONDS`, and
    every `BUSY_SECONDS` while writes are heavy.

    A checkpoint copies WAL pages into the database file and fsyncs it: the one slow, disk-bound step
    of WAL mode. Done here, it never holds up a request (SQLite releases the GIL while it works, and a
    PASSIVE checkpoint never blocks the writer).

    Once a second when writes are light: a page written many times in that second (an index page,
    the credits row) is copied and fsynced once (the thread's CPU fell from 6 to under 1 µs per OTP
    request against a 0.1 s interval). When a checkpoint finds more than `BUSY_FRAMES` frames in the
    WAL, the next one runs after `BUSY_SECONDS`: the copying keeps up in small steps.

    A PASSIVE checkpoint never lets the WAL start over while writes keep coming (each copy ends with
    newer frames behind it), so the WAL would grow for ever. The writer's automatic checkpoint used to
    end that every 4,000 pages, inside a COMMIT: under the bench's OTP load (about 20,000 WAL pages a
    second) five times a second, 20 ms each, while that batch's requests waited: the whole p99. Now,
    past `RESTART_FRAMES` pages, this thread sets `restart_wanted`, and the next batch runs a RESTART
    checkpoint on the writer thread before it begins (`Store.batch`): this thread's PASSIVE copies have
    left it little to copy, and between two batches no write holds the lock it needs (run from this
    thread, it lost that race to back-to-back bulk batches). Quick work meanwhile goes to the writer
    thread too, so the event loop never runs it.
    """

    IDLE_SECONDS = 1.0  # between checkpoints while writes are light
    BUSY_SECONDS = 0.05  # between checkpoints while they are heavy
    BUSY_FRAMES = 1000  # WAL frames (pages) found by a checkpoint that make the next one come sooner
    RESTART_FRAMES = 8_000  # WAL frames (~32 MB) after which the WAL is made to start over

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.restart_wanted = False  # the WAL is long: start it over before the next write
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        interval = self.IDLE_SECONDS
        while not self._stopped.wait(interval):
            try:
                # (busy, frames in the WAL, frames copied): the WAL's size tells how heavy writes are.
                _, frames, _ = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error:
                continue  # busy or closing: the next round or the writer's own checkpoint does it
            if frames >= self.RESTART_FRAMES:
                self.restart_wanted = True  # the next batch on the writer thread does it (Store.batch)
            interval = self.BUSY_SECONDS if frames > self.BUSY_FRAMES else self.IDLE_SECONDS

    def stop(self) -> None:
        """Stop the thread and close its connection."""
        self._stopped.set()
        self._thread.join()
        self._conn.close()


class Store:
    """All state of the emulator, in one SQLite database (a file, or `:memory:` for tests)."""

    def __init__(
        self, path: str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT_SECONDS, pepper: bytes | None = None
    ) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        # check_same_thread=False + a lock: the writer thread writes; start-up and tests may write from theirs.
        self._conn = self._connect()
        self._busy_ms = int(busy_timeout * 1000)
        self._lock = threading.RLock()
        self._batch_cursor: sqlite3.Cursor | None = None
        self._local = threading.local()  # per thread: its read connection, and whether it is inside a write
        self._readers: list[sqlite3.Connection] = []
        self._shared_reads = path == ":memory:" or path.startswith("file::memory:")
        # A provider family's own tables that a reset empties: table -> its phone column (None: only a
        # full reset touches it). Families register theirs when they are mounted.
        self.family_tables: dict[str, str | None] = {}
        # A family's tables that retention's `maxAgeSeconds` prunes: table -> the column holding the time
        # after which a row is no longer needed (an OTP's expiry, a limit use's time).
        self.family_expiry: dict[str, str] = {}
        with self._lock, self._writing():
            self._check_integrity()
            self._use_incremental_vacuum()
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")  # durable against a process kill in WAL mode
            self._migrate()
            self.pepper = pepper if pepper is not None else self._pepper()
        self._checkpointer: Checkpointer | None = None
        if self.journal_mode == "wal":
            # The checkpoint thread does the checkpointing and makes the WAL start over. The writer's
            # own automatic checkpoint stays as the backstop for when the thread falls behind.
            self._conn.execute(f"PRAGMA wal_autocheckpoint={WRITER_CHECKPOINT_PAGES}")
            self._conn.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT_BYTES}")
            self._checkpointer = Checkpointer(path)

    def _check_integrity(self) -> None:
        """DamagedDatabaseError when SQLite finds the file damaged (a new or `:memory:` database is fine)."""
        if self._shared_reads:
            return
        try:
            size = os.path.getsize(self.path)
        except OSError:
            return  # a new file
        pragma = "integrity_check" if size <= FULL_CHECK_MAX_BYTES else "quick_check"
        try:
            problems = [str(row[0]) for row in self._conn.execute(f"PRAGMA {pragma}(5)").fetchall()]
        except sqlite3.DatabaseError as exc:  # too damaged to check at all (e.g. the header)
            problems = [str(exc)]
        if problems != ["ok"]:
            raise DamagedDatabaseError(f"PRAGMA {pragma} failed: {problems[0][:200]}")

    def _use_incremental_vacuum(self) -> None:
        """auto_vacuum=INCREMENTAL, so pruning and resets give pages back and the file shrinks.

        A new file gets it before its first table. An existing file without it is rewritten once by
        VACUUM (as long as a copy of the file takes); when another process holds the file, that waits
        for a later start: until then freed pages are reused, the file just does not shrink.
        """
        if self._shared_reads or self._conn.execute("PRAGMA auto_vacuum").fetchone()[0] == _INCREMENTAL:
            return
        has_tables = self._conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None
        self._conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
        if not has_tables:
            return
        try:
            self._conn.execute("VACUUM")
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            log.warning("the database is in use by another process: its conversion to incremental vacuum waits")

    def reclaim(self) -> None:
        """Give the pages freed by deletions back to the file system (within the current write)."""
        with self.transaction() as cur:
            free = int(cur.execute("PRAGMA freelist_count").fetchone()[0])
            # One page per execute: Python's sqlite3 stops a statement that returns no columns after its
            # first step, and incremental_vacuum frees one page per step (executescript would commit).
            for _ in range(min(free, RECLAIM_PAGES)):
                cur.execute("PRAGMA incremental_vacuum(1)")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, cached_statements=256)
        conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        return conn

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Marks the current thread as inside a write: its reads go through the write connection."""
        outer = getattr(self._local, "writing", False)
        self._local.writing = True
        try:
            yield
        finally:
            self._local.writing = outer

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        if self._shared_reads or getattr(self._local, "writing", False):
            with self._lock:
                yield self._conn
            return
        reader: sqlite3.Connection | None = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._connect()
            self._local.reader = reader
            with self._lock:
                self._readers.append(reader)
        yield reader

    def close(self) -> None:
        """Stop the checkpoint thread and close the connections (SQLite checkpoints the WAL on the last close)."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self._lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            self._conn.close()

    @property
    def journal_mode(self) -> str:
        """`wal` for a file database (`memory` for `:memory:`)."""
        return str(self._one("PRAGMA journal_mode")[0])

    def schema_version(self) -> int:
        """The schema version the database is at."""
        return int(self._one("PRAGMA user_version")[0])

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise SchemaError(
                f"the database is at schema version {version}, this emulator knows up to {SCHEMA_VERSION}"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            self._conn.executescript(f"BEGIN IMMEDIATE;{script}PRAGMA user_version={number};COMMIT;")

    def _pepper(self) -> bytes:
        value = self.get_meta("otp_pepper")
        if value is None:
            with self.transaction() as cur:
                cur.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('otp_pepper', ?)", (secrets.token_hex(32),)
                )
            value = self.get_meta("otp_pepper")
        assert value is not None
        return bytes.fromhex(value)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """One write transaction, committed on exit, rolled back on error.

        Inside `batch()` it joins the batch: the batcher's savepoint around each unit of work already
        rolls a failed unit back alone, and one savepoint fewer per write is cheaper.
        """
        with self._lock, self._writing():
            if self._batch_cursor is not None:
                yield self._batch_cursor
                return
            with self._write_cursor() as cur:
                self._set_busy_timeout(self.busy_timeout)  # outside batches (start-up, tests): SQLite waits
                _begin(cur)
                try:
                    yield cur
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                cur.execute("COMMIT")

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside `batch()`: everything done in the block is undone if the block raises."""
        with self._lock:
            cur = self._batch_cursor
            if cur is None:
                raise RuntimeError("a savepoint needs an open batch")
            cur.execute("SAVEPOINT work")
            try:
                yield
            except BaseException:
                cur.execute("ROLLBACK TO work")
                cur.execute("RELEASE work")
                raise
            cur.execute("RELEASE work")

    @contextmanager
    def batch(self, waited: float = 0.0, *, wait: bool = True) -> Iterator[None]:
        """One transaction around several units of work (see `batching.CommitBatcher`).

        `waited`: how long the oldest unit has already waited; the wait for the lock is shortened by
        it, so no write waits much longer than the busy timeout in all (not once per queued batch).
        `wait=False`: only if the write lock is free right now (no other thread writing, no other
        connection holding SQLite's lock), else WriterBusyError before anything is done; the event
        loop's thread writes this way and never waits.
        """
        if not self._lock.acquire(blocking=wait):
            raise WriterBusyError("another thread is writing")
        try:
            with self._writing(), self._write_cursor() as cur:
                self._set_busy_timeout(0.0)  # `_begin` polls, or (wait=False) does not wait
                if self._checkpointer is not None and self._checkpointer.restart_wanted:
                    if not wait:
                        raise WriterBusyError("the WAL starts over first")  # on the writer thread
                    self._restart_wal(cur)
                try:
                    _begin(cur, max(0.0, self.busy_timeout - waited) if wait else 0.0)
                except StorageBusyError as exc:
                    if wait:
                        raise
                    raise WriterBusyError("another connection holds the write lock") from exc
                self._batch_cursor = cur
                try:
                    yield
                except BaseException:
                    self._batch_cursor = None
                    cur.execute("ROLLBACK")
                    raise
                self._batch_cursor = None
                cur.execute("COMMIT")
        finally:
            self._lock.release()

    def _restart_wal(self, cur: sqlite3.Cursor) -> None:
        """Copy what is left of the WAL and let the next write start it over (`Checkpointer`); tried
        again before the next batch when readers or the checkpoint thread are in the way."""
        assert self._checkpointer is not None
        try:
            busy = cur.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            return
        if not busy:
            self._checkpointer.restart_wanted = False

    def _set_busy_timeout(self, seconds: float) -> None:
        milliseconds = int(seconds * 1000)
        if milliseconds != self._busy_ms:  # a PRAGMA only on a change: batches keep it at 0
            self._conn.execute(f"PRAGMA busy_timeout={milliseconds}")
            self._busy_ms = milliseconds

    @contextmanager
    def _write_cursor(self) -> Iterator[sqlite3.Cursor]:
        """A cursor of the write connection, closed on the way out.

        Closing matters: an exception's traceback keeps the cursor alive, and a cursor freed later on
        another thread (the event loop, after the reply) takes the write connection's mutex, which the
        writer thread holds while it waits for another process's lock: the loop would freeze.
        """
        cur = self._conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._reading() as conn:
            return conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._reading() as conn:
            return conn.execute(sql, params).fetchall()

    # ------------------------------------------------------------------ meta
    def get_meta(self, key: str) -> str | None:
        """A value of the meta table."""
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def meta_or_create(self, key: str, make: Callable[[], str]) -> str:
        """The meta value of `key`, stored from `make()` first when there is none (a provider family's
        default account: created once, the same at every start)."""
        value = self.get_meta(key)
        if value is None:
            with self.transaction() as cur:
                cur.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, make()))
            value = self.get_meta(key)
        assert value is not None
        return value

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the meta table."""
        with self.transaction() as cur:
            cur.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # ------------------------------------------------------------------ accounts
    def upsert_account(self, account: AccountConfig) -> None:
        """Store an account's configuration, keeping the credits it already used."""
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO accounts (api_key, config) VALUES (?, ?) "
                "ON CONFLICT(api_key) DO UPDATE SET config = excluded.config",
                (account.api_key, json.dumps(account.to_dict())),
            )

    def accounts(self) -> list[AccountConfig]:
        """Every stored account, oldest first."""
        rows = self._all("SELECT config FROM accounts ORDER BY rowid")
        return [parse_account(json.loads(row[0]), "stored account") for row in rows]

    def credits_used(self, api_key: str) -> int:
        """Credits the account has spent."""
        row = self._one("SELECT credits_used FROM accounts WHERE api_key = ?", (api_key,))
        return 0 if row is None else int(row[0])

    # ------------------------------------------------------------------ writes of a send
    def add_messages(self, account: str, rows: Sequence[Sequence[Any]], credit_limit: int) -> None:
        """Store outbox messages (rows in `MESSAGE_COLUMNS` order: `message_rows`) and charge one credit
        per SMS segment, in one transaction; OutOfCreditsError (and nothing stored) if that would spend
        more than `credit_limit`."""
        with self.transaction() as cur:
            _charge(cur, account, sum(segments(row[_TEXT]) for row in rows), credit_limit)
            cur.executemany(_INSERT_MESSAGE, rows)

    def add_otp(
        self, session: OtpSession, message: dict[str, Any] | None, *, expire_older_at: float | None, credit_limit: int
    ) -> None:
        """Store an OTP session and its outbox message (None in the sandbox, which sends nothing).

        `expire_older_at`: when set, the phone's older live sessions expire at that time (the
        "invalidate" resend policy).
        """
        with self.transaction() as cur:
            if expire_older_at is not None:
                cur.execute(
                    "UPDATE otp_sessions SET expires_at = MIN(expires_at, ?) "
                    "WHERE account = ? AND phone = ? AND channel = ? AND state = ?",
                    (expire_older_at, session.account, session.phone, session.channel, LIVE),
                )
            cur.execute(
                _INSERT_SESSION,
                (
                    session.session_id,
                    session.account,
                    session.phone,
                    session.channel,
                    session.otp_hash,
                    session.created_at,
                    session.expires_at,
                    session.attempts,
                    session.state,
                    int(session.sandbox),
                ),
            )
            if message is not None:
                _charge(cur, session.account, segments(message["text"]), credit_limit)
                cur.execute(_INSERT_MESSAGE, _MESSAGE_ROW(message))

    def add_provider_messages(
        self, provider: str, account: str, messages: Sequence[dict[str, Any]], *, cost: int, credit_limit: int | None
    ) -> None:
        """Store outbox messages of a provider other than 2Factor, whose accounts are not in `accounts`,
        charging `cost` credits against `credit_limit` (None: the provider has no credits), in one
        transaction; OutOfCreditsError (and nothing stored) past the limit."""
        with self.transaction() as cur:
            if credit_limit is not None:
                cur.execute(
                    "INSERT OR IGNORE INTO provider_credits (provider, account) VALUES (?, ?)", (provider, account)
                )
                cur.execute(
                    "UPDATE provider_credits SET credits_used = credits_used + ? "
                    "WHERE provider = ? AND account = ? AND credits_used + ? <= ?",
                    (cost, provider, account, cost, credit_limit),
                )
                if cur.rowcount == 0:
                    raise OutOfCreditsError
            cur.executemany(_INSERT_MESSAGE, [_MESSAGE_ROW(m) for m in messages])

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of a read-only query as dicts (for a provider family's own tables)."""
        return self._dicts(sql, params)

    # ------------------------------------------------------------------ OTP sessions
    def session(self, account: str, session_id: str, channel: str) -> OtpSession | None:
        """An OTP session of an account on a channel (`sms` or `voice`)."""
        row = self._one(
            f"SELECT {_SESSION_COLUMNS} FROM otp_sessions WHERE session_id = ? AND account = ? AND channel = ?",  # noqa: S608 - fixed columns
            (session_id, account, channel),
        )
        return None if row is None else _session(row)

    def latest_session(self, account: str, phone: str, channel: str) -> OtpSession | None:
        """The newest OTP session of an account for a phone."""
        row = self._one(
            f"SELECT {_SESSION_COLUMNS} FROM otp_sessions WHERE account = ? AND phone = ? AND channel = ? "  # noqa: S608 - fixed columns
            "ORDER BY seq DESC LIMIT 1",
            (account, phone, channel),
        )
        return None if row is None else _session(row)

    def record_attempt(self, session_id: str, attempts: int, state: str) -> None:
        """Record the outcome of a verify (committed before the verdict is sent)."""
        with self.transaction() as cur:
            cur.execute(
                "UPDATE otp_sessions SET attempts = ?, state = ? WHERE session_id = ?", (attempts, state, session_id)
            )

    # ------------------------------------------------------------------ outbox reads
    def messages(
        self, phone: str | None = None, limit: int = 100, after_seq: int = 0, provider: str | None = None
    ) -> list[dict[str, Any]]:
        """Outbox messages, newest first, optionally to one phone, of one provider and newer than `after_seq`."""
        where, params = "seq > ?", [after_seq]
        if phone is not None:
            where, params = "phone = ? AND seq > ?", [phone, after_seq]  # type: ignore[list-item]
        if provider is not None:
            where += " AND provider = ?"
            params.append(provider)  # type: ignore[arg-type]
        return self._dicts(f"SELECT * FROM messages WHERE {where} ORDER BY seq DESC LIMIT ?", (*params, limit))  # noqa: S608

    def oldest_after(self, phone: str, after_seq: int) -> dict[str, Any] | None:
        """The first message to `phone` newer than `after_seq` (what a long-poll waits for)."""
        rows = self._dicts(
            "SELECT * FROM messages WHERE phone = ? AND seq > ? ORDER BY seq LIMIT 1", (phone, after_seq)
        )
        return rows[0] if rows else None

    def latest_otp_message(self, phone: str) -> dict[str, Any] | None:
        """The newest message to `phone` that carried an OTP."""
        rows = self._dicts(
            "SELECT * FROM messages WHERE phone = ? AND otp IS NOT NULL ORDER BY seq DESC LIMIT 1", (phone,)
        )
        return rows[0] if rows else None

    def request_messages(self, account: str, request_or_message_id: str) -> list[dict[str, Any]]:
        """The messages of one request (ids `<request id>-<n>`) or the one message with that id."""
        # A range over the unique id index ('-' < '.' in ASCII) instead of one more index on every write.
        key = request_or_message_id
        return self._dicts(
            "SELECT * FROM messages WHERE account = ? AND (id = ? OR (id > ? AND id < ? AND request_id = ?)) "
            "ORDER BY seq",
            (account, key, key + "-", key + ".", key),
        )

    def last_seq(self) -> int:
        """The sequence number of the newest message ever stored (0 when none)."""
        row = self._one("SELECT seq FROM sqlite_sequence WHERE name = 'messages'")
        return 0 if row is None else int(row[0])

    def count_messages(self) -> int:
        """How many messages the outbox holds."""
        return int(self._one("SELECT COUNT(*) FROM messages")[0])

    def _dicts(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self._reading() as conn:
            cursor = conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # ------------------------------------------------------------------ reset
    def reset(self, phone: str | None = None) -> int:
        """Delete messages, OTP sessions, short links and the families' own state (`family_tables`), of
        one phone or all (all also rewinds the clock and gives the credits back). Accounts and settings
        stay. Returns how many messages were deleted."""
        with self.transaction() as cur:
            if phone is None:
                deleted = cur.execute("DELETE FROM messages").rowcount
                cur.execute("DELETE FROM otp_sessions")
                cur.execute("DELETE FROM short_links")
                cur.execute("DELETE FROM meta WHERE key = 'clock_offset'")
                cur.execute("UPDATE accounts SET credits_used = 0")
                cur.execute("UPDATE provider_credits SET credits_used = 0")
                for table in self.family_tables:
                    cur.execute(f"DELETE FROM {table}")  # noqa: S608 - table names registered in code
            else:
                deleted = cur.execute("DELETE FROM messages WHERE phone = ?", (phone,)).rowcount
                cur.execute("DELETE FROM otp_sessions WHERE phone = ?", (phone,))
                cur.execute("DELETE FROM short_links WHERE phone = ?", (phone,))
                for table, column in self.family_tables.items():
                    if column is not None:
                        cur.execute(f"DELETE FROM {table} WHERE {column} = ?", (phone,))  # noqa: S608
            self.reclaim()
        return int(deleted)
