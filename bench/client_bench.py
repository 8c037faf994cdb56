"""The `twofactor` client's overhead per call against a hand-written raw httpx call, both against
the same emulator served in this process (uvicorn in a thread, real loopback socket), sync and async.

The two callers alternate in short blocks, so noise from the machine's other users falls on both.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import httpx

from bench.servers import BENCH_CREDITS
from bench.table import Row, skipped
from bench.workloads import OTP_CODE, random_phone

SECTION = "client"
GOAL = 1.15
BLOCK = 50  # calls per block; blocks alternate between the two callers


def client_available() -> str | None:
    try:
        import twofactor

        twofactor.TwoFactor  # noqa: B018 - the client layer may not have landed yet
        twofactor.AsyncTwoFactor  # noqa: B018
    except (ImportError, AttributeError) as exc:
        return f"the twofactor client is not importable ({exc})"
    return None


@contextmanager
def in_process_emulator() -> Iterator[tuple[str, str]]:
    """(base_url, api_key) of the emulator app served by uvicorn in a thread of this process."""
    import uvicorn
    from twofactor_emulator.testing import create_app, random_config

    config = random_config()
    config["accounts"][0]["credits"] = BENCH_CREDITS
    api_key = config["accounts"][0]["api_key"]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto: see to-emulator note
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(":memory:", config), log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the in-process emulator did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", api_key
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _per_call_ms(blocks: list[float]) -> float:
    """Median block time over the calls in a block (each round is a send and a verify)."""
    return statistics.median(blocks) / (BLOCK * 2) * 1000


def _check(response: httpx.Response) -> str:
    """The reply's Details, or an error: a benchmark of failing calls would be worthless."""
    reply = response.json()
    if response.status_code != 200 or reply.get("Status") != "Success":
        raise RuntimeError(f"raw call failed: HTTP {response.status_code}")
    return str(reply["Details"])


def _sync(base_url: str, api_key: str, seconds: float) -> tuple[float, float]:
    import twofactor

    def raw_round(http: httpx.Client) -> None:
        session = _check(http.get(f"/API/V1/{api_key}/SMS/{random_phone()}/{OTP_CODE}"))
        if _check(http.get(f"/API/V1/{api_key}/SMS/VERIFY/{session}/{OTP_CODE}")) != "OTP Matched":
            raise RuntimeError("raw verify did not match")

    def client_round(client: twofactor.TwoFactor) -> None:
        sent = client.otp.send(random_phone(), otp=OTP_CODE)
        if not client.otp.verify(sent.session_id, OTP_CODE).matched:
            raise RuntimeError("client verify did not match")

    with httpx.Client(base_url=base_url) as http, twofactor.TwoFactor(api_key, base_url=base_url) as client:
        rounds: dict[str, Callable[[], None]] = {"raw": lambda: raw_round(http), "client": lambda: client_round(client)}
        timings: dict[str, list[float]] = {"raw": [], "client": []}
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or not timings["client"]:
            for name, call in rounds.items():
                started = time.perf_counter()
                for _ in range(BLOCK):
                    call()
                timings[name].append(time.perf_counter() - started)
    return _per_call_ms(timings["raw"]), _per_call_ms(timings["client"])


async def _async(base_url: str, api_key: str, seconds: float) -> tuple[float, float]:
    import twofactor

    async def raw_round(http: httpx.AsyncClient) -> None:
        session = _check(await http.get(f"/API/V1/{api_key}/SMS/{random_phone()}/{OTP_CODE}"))
        if _check(await http.get(f"/API/V1/{api_key}/SMS/VERIFY/{session}/{OTP_CODE}")) != "OTP Matched":
            raise RuntimeError("raw verify did not match")

    async def client_round(client: twofactor.AsyncTwoFactor) -> None:
        sent = await client.otp.send(random_phone(), otp=OTP_CODE)
        if not (await client.otp.verify(sent.session_id, OTP_CODE)).matched:
            raise RuntimeError("client verify did not match")

    async with (
        httpx.AsyncClient(base_url=base_url) as http,
        twofactor.AsyncTwoFactor(api_key, base_url=base_url) as client,
    ):
        rounds: dict[str, Callable[[], Awaitable[None]]] = {
            "raw": lambda: raw_round(http),
            "client": lambda: client_round(client),
        }
        timings: dict[str, list[float]] = {"raw": [], "client": []}
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or not timings["client"]:
            for name, call in rounds.items():
                started = time.perf_counter()
                for _ in range(BLOCK):
                    await call()
                timings[name].append(time.perf_counter() - started)
    return _per_call_ms(timings["raw"]), _per_call_ms(timings["client"])


def _rows(mode: str, raw_ms: float, client_ms: float) -> list[Row]:
    ratio = client_ms / raw_ms
    return [
        Row(
            SECTION,
            f"raw httpx, {mode}",
            "OTP send+verify",
            1,
            p50_ms=raw_ms,
            note="per call: median of blocks of 50 send+verify rounds",
        ),
        Row(
            SECTION,
            f"twofactor client, {mode}",
            "OTP send+verify",
            1,
            p50_ms=client_ms,
            ratio=ratio,
            ratio_vs="raw",
            goal=f"≤ {GOAL:.2f}× raw",
            met=ratio <= GOAL,
            note="same in-process emulator, same route",
        ),
    ]


def run(smoke: bool) -> list[Row]:
    reason = client_available()
    if reason:
        return [skipped(SECTION, "twofactor client vs raw httpx", reason)]
    seconds = 0.2 if smoke else 4.0
    with in_process_emulator() as (base_url, api_key):
        rows = _rows("sync", *_sync(base_url, api_key, seconds))
        rows += _rows("async", *asyncio.run(_async(base_url, api_key, seconds)))
    return rows
