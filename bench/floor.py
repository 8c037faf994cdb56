"""Where a request's CPU goes once HTTP is taken away: the floors under the load section's ratios.

    python -m bench.floor [--requests 4800]

Three measurements, each in this process, with CPU time (`time.thread_time`, `time.process_time`),
which a shared machine disturbs less than wall time:

1. **The app without HTTP.** The emulator's ASGI app (`testing.create_app` on a new SQLite file, its
   writer thread and group commit as served) and the bench's bare Starlette handler
   (bench/ceiling.py) are called directly with ASGI messages, 16 concurrent OTP conversations (send,
   then verify), as wrk's 16 connections would. Printed: CPU per request of the whole process and of
   the event loop's thread (the rest is the writer thread: SQLite).
2. **One OTP send's SQLite work**, statement by statement on the write connection, 8 sends per
   transaction (a group commit under load), and the COMMIT of those 8.
3. **One outbox row** (a bulk message) by table size: `executemany` of 1000 rows and its COMMIT,
   the random phone numbers of the load section.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import servers
from bench.workloads import OTP_CODE, random_phone

App = Callable[
    [dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[[dict[str, Any]], Awaitable[None]]],
    Awaitable[None],
]
CONVERSATIONS = 16


async def _call(app: App, method: str, path: str) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    return int(messages[0]["status"]), b"".join(m.get("body", b"") for m in messages[1:])


async def _conversations(app: App, api_key: str, rounds: int) -> None:
    async def one() -> None:
        for _ in range(rounds):
            status, body = await _call(app, "GET", f"/API/V1/{api_key}/SMS/{random_phone()}/{OTP_CODE}")
            session = json.loads(body)["Details"]
            status, body = await _call(app, "GET", f"/API/V1/{api_key}/SMS/VERIFY/{session}/{OTP_CODE}")
            if status != 200 or b"Success" not in body:
                raise RuntimeError(f"the OTP conversation failed: {status} {body[:200]!r}")

    await asyncio.gather(*(one() for _ in range(CONVERSATIONS)))


async def _app_cost(app: App, api_key: str, requests: int, lifespan: bool) -> tuple[float, float]:
    """(process CPU, loop-thread CPU) per request, in µs, after a warm-up."""
    shutdown = asyncio.Event()
    task: asyncio.Task[None] | None = None
    if lifespan:
        started = asyncio.Event()

        async def receive() -> dict[str, Any]:
            if not started.is_set():
                started.set()
                return {"type": "lifespan.startup"}
            await shutdown.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message: dict[str, Any]) -> None:
            return None

        task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send))  # type: ignore[arg-type]
        await started.wait()
        await asyncio.sleep(0.2)
    rounds = max(1, requests // (2 * CONVERSATIONS))
    await _conversations(app, api_key, max(1, rounds // 4))  # warm-up
    process, thread = time.process_time(), time.thread_time()
    await _conversations(app, api_key, rounds)
    done = rounds * 2 * CONVERSATIONS
    result = ((time.process_time() - process) / done * 1e6, (time.thread_time() - thread) / done * 1e6)
    if task is not None:
        shutdown.set()
        await task
    return result


def app_without_http(folder: Path, requests: int) -> list[str]:
    from twofactor_emulator.testing import create_app

    from bench.ceiling import app as bare

    config, api_key = servers.write_config(folder)
    emulator = create_app(db=str(folder / "floor.sqlite3"), config=str(config))
    lines = [
        "| app, called without HTTP (16 OTP conversations) | CPU µs per request, whole process "
        "| of which the event loop's thread |",
        "|---|---|---|",
    ]
    for name, app, lifespan in (("emulator", emulator, True), ("bare Starlette handler", bare, False)):
        process, thread = asyncio.run(_app_cost(app, api_key, requests, lifespan))  # type: ignore[arg-type]
        lines.append(f"| {name} | {process:.0f} | {thread:.0f} |")
    return lines


def _store(folder: Path, name: str) -> tuple[Any, str]:
    from twofactor_emulator.core.config import parse_account
    from twofactor_emulator.core.service import open_service

    service = open_service(str(folder / name), None)
    api_key = str(uuid.uuid4())
    account = parse_account({"api_key": api_key, "secret_key": "s" * 32, "sandbox": False, "credits": 10**15}, "bench")
    service.store.upsert_account(account)
    return service.store, api_key


def otp_send_statements(folder: Path) -> list[str]:
    from twofactor_emulator.core import store as stored

    store, api_key = _store(folder, "statements.sqlite3")
    cur = store._conn.cursor()  # the write connection, as the writer thread uses it

    def session() -> tuple[Any, ...]:
        now = time.time()
        return (uuid.uuid4().hex, api_key, random_phone(), "sms", "h" * 64, now, now + 600, 0, "live", 0)

    def message() -> list[Any]:
        shared = {"account": api_key, "kind": "otp", "operation": "bench", "created_at": time.time()}
        varying = (uuid.uuid4().hex, random_phone(), "Your OTP is 123456")
        return stored.message_rows(shared, ("id", "phone", "text"), [varying])[0]

    statements: dict[str, Callable[[], object]] = {
        "SAVEPOINT and RELEASE (one per unit of work)": lambda: (
            cur.execute("SAVEPOINT work"),
            cur.execute("RELEASE work"),
        ),
        "INSERT the session (unique id, per-phone index)": lambda: cur.execute(stored._INSERT_SESSION, session()),
        "UPDATE the account's credits": lambda: stored._charge(cur, api_key, 1, 10**15),
        "INSERT the outbox message (unique id, per-phone index)": lambda: cur.execute(
            stored._INSERT_MESSAGE, message()
        ),
    }
    lines = ["| one OTP send's SQLite work (8 sends per transaction) | CPU µs per send |", "|---|---|"]
    for name, run in statements.items():
        costs = []
        for _ in range(200):
            cur.execute("BEGIN IMMEDIATE")
            started = time.thread_time()
            for _ in range(8):
                run()
            costs.append((time.thread_time() - started) / 8 * 1e6)
            cur.execute("COMMIT")
        lines.append(f"| {name} | {statistics.median(costs):.1f} |")
    commits = []
    for _ in range(200):
        cur.execute("BEGIN IMMEDIATE")
        for _ in range(8):
            for run in list(statements.values())[1:]:
                run()
        started = time.thread_time()
        cur.execute("COMMIT")
        commits.append((time.thread_time() - started) / 8 * 1e6)
    lines.append(f"| the COMMIT (WAL pages of 8 sends), per send | {statistics.median(commits):.1f} |")
    store.close()
    return lines


def outbox_rows(folder: Path) -> list[str]:
    from twofactor_emulator.core.store import message_rows

    store, api_key = _store(folder, "rows.sqlite3")
    lines = ["| outbox rows already stored | CPU µs per message (1000 per transaction, COMMIT included) |", "|---|---|"]
    stored = 0
    for target in (10_000, 50_000, 100_000, 200_000):
        costs = []
        while stored < target:
            request = str(uuid.uuid4())
            varying = [(f"{request}-{n}", random_phone(), "HEADER", "Hello from the bench") for n in range(1000)]
            rows = message_rows(
                {
                    "account": api_key,
                    "kind": "bulk",
                    "operation": "bench",
                    "created_at": time.time(),
                    "request_id": request,
                },
                ("id", "phone", "sender", "text"),
                varying,
            )
            started = time.thread_time()
            with store.batch():
                store.add_messages(api_key, rows, credit_limit=10**15)
            costs.append((time.thread_time() - started) / 1000 * 1e6)
            stored += 1000
        lines.append(f"| {target:,} | {statistics.median(costs[-5:]):.1f} |")
    store.close()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4800, help="requests in the app measurement")
    args = parser.parse_args(argv)
    random.seed(1)
    print(f"load average at start: {os.getloadavg()[0]:.2f}\n")
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        folder = Path(tmp)
        for part in (app_without_http(folder, args.requests), otp_send_statements(folder), outbox_rows(folder)):
            print("\n".join(part) + "\n")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
