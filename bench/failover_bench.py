"""OTP logins through the gateway while one provider flaps: success rate, failover latency, SMS per login.

    .venv/bin/python -m bench.failover_bench                   # 10,000 logins under each of three policies
    .venv/bin/python -m bench.failover_bench --logins 300      # a quick look
    .venv/bin/python -m bench.failover_bench --flap-scope all  # the flapping provider's verifies fail too

One emulator process (real socket, SQLite file) serves every provider. A flapper task switches the
first provider's fault rules on and off through the control API (HTTP 503 without doing the work),
down half of each period. `--concurrency` logins run at once through one `AsyncOtpGateway`; each
login sends, reads its code from the emulator (as a user reads the SMS), verifies it, then replays
the same verify, which must not match (a "double verify" if it does).

Reported: the share of logins that verified; send latency of logins served by the first provider at
once ("direct"), of those that failed over after an error, and of those whose first provider was
skipped by its open breaker (p50/p99; the extra latency of failover is failover minus direct); the
time spent on a provider that then failed (what failing over costs, measured directly); SMS per
login (the outbox's messages to the login's number, read after the login); double verifies; the
load average.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from otp_gateway import (
    AllProvidersFailed,
    AsyncOtpGateway,
    AsyncOtpProvider,
    AsyncSmsProvider,
    AsyncTwoFactorOtp,
    AsyncTwoFactorSms,
    FailoverPolicy,
    GatewayEvent,
    OtpGatewayError,
)
from twofactor_emulator.testing import running_emulator

from bench.stats import percentile

OTP_KEY = "bench0000-0000-4000-8000-0000000f1a95"
SMS_KEY = "bench0000-0000-4000-8000-00000005m5f1"
SENDER = "ACMEIN"
CONFIG: dict[str, Any] = {
    "accounts": [
        {"api_key": OTP_KEY, "secret_key": "bench-failover-secret-0123456789", "credits": 10**8},
        {"api_key": SMS_KEY, "secret_key": "bench-failover-sms-secret-012345", "credits": 10**8},
    ]
}
APP_SECRET = "bench-failover-app-secret-0123456789"  # noqa: S105 - a bench's throwaway secret

# The operations of each stand-in provider, for `--flap-scope send` and `all`.
OPERATIONS = {
    "2factor": {"send": ["sendOtpAutogen"], "all": ["sendOtpAutogen", "verifyOtp", "verifyOtpByPhone"]},
    "2factor-sms": {"send": ["sendSms"], "all": ["sendSms"]},
}


# The policies compared: the gateway's defaults; a breaker that probes every second; no breaker at
# all, so every send tries the flapping provider first (the worst case for failover latency).
POLICIES = {
    "default": FailoverPolicy(),
    "fast-probe": FailoverPolicy(reset_after=1.0),
    "no-breaker": FailoverPolicy(failure_threshold=10**9),
}


@dataclass
class Tally:
    """What the logins came to."""

    ok: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    double_verifies: int = 0
    messages: int = 0  # SMS in the outbox for the logins' numbers (one number per login)
    send_ms: dict[str, list[float]] = field(default_factory=lambda: {"direct": [], "failover": [], "skipped": []})
    served_by: Counter[str] = field(default_factory=Counter)


def _phone(index: int) -> str:
    return f"+9197{index:08d}"


async def _code(control: httpx.AsyncClient, provider: str, phone: str) -> str:
    """The code as the user reads it: the OTP a provider generated, or the last word of our SMS."""
    if provider == "2factor":
        reply = await control.get("/_emulator/otp", params={"phone": phone})
        reply.raise_for_status()
        return str(reply.json()["otp"])
    reply = await control.get("/_emulator/messages/latest", params={"phone": phone})
    reply.raise_for_status()
    return str(reply.json()["text"].split()[-1])


async def _login(gateway: AsyncOtpGateway, control: httpx.AsyncClient, index: int, tally: Tally) -> None:
    phone = _phone(index)
    started = time.perf_counter()
    try:
        ticket = await gateway.send(phone)
    except AllProvidersFailed as error:
        tally.failed["all providers failed: " + "; ".join(f.kind for f in error.failures)] += 1
        return
    elapsed = (time.perf_counter() - started) * 1000
    kinds = {failure.kind for failure in ticket.failures}
    path = "direct" if not kinds else "skipped" if kinds == {"circuit_open"} else "failover"
    tally.send_ms[path].append(elapsed)
    tally.served_by[ticket.provider] += 1
    try:
        code = await _code(control, ticket.provider, phone)
        result = await gateway.verify(ticket.token, code)
        replay = await gateway.verify(ticket.token, code)
    except (OtpGatewayError, httpx.HTTPError) as error:
        tally.failed[f"verify: {type(error).__name__}"] += 1
    else:
        tally.double_verifies += replay.matched
        if result.matched:
            tally.ok += 1
        else:
            tally.failed[f"verify: {result.outcome.value}"] += 1
    reply = await control.get("/_emulator/messages", params={"phone": phone})
    reply.raise_for_status()
    tally.messages += len(reply.json()["messages"])


async def _flap(control: httpx.AsyncClient, operations: Sequence[str], period: float, stop: asyncio.Event) -> float:
    """Down for the first half of each period, up for the second; returns the share of time down."""
    rules = {"rules": [{"kind": "error", "status": 503, "operation": op} for op in operations]}
    down_for = 0.0
    began = time.perf_counter()
    while not stop.is_set():
        (await control.put("/_emulator/faults", json=rules)).raise_for_status()
        went_down = time.perf_counter()  # the rules are in force once the control API has answered
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), period / 2)
        (await control.put("/_emulator/faults", json={"rules": []})).raise_for_status()
        down_for += time.perf_counter() - went_down
        if stop.is_set():
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), period / 2)
    total = time.perf_counter() - began
    return down_for / total if total else 0.0


async def run(
    base_url: str, logins: int, concurrency: int, period: float, scope: str, policy: FailoverPolicy
) -> dict[str, Any]:
    """The logins against the emulator at `base_url`; the figures."""
    events: Counter[str] = Counter()
    lost_ms: list[float] = []  # time spent on a provider that then failed: what failing over costs

    def count(event: GatewayEvent) -> None:
        events[event.name if event.name != "breaker" else f"breaker->{event.state}"] += 1
        if event.name == "send_failed" and event.elapsed_ms is not None:
            lost_ms.append(event.elapsed_ms)

    flapping = AsyncTwoFactorOtp(OTP_KEY, base_url=base_url)
    providers: list[AsyncOtpProvider | AsyncSmsProvider] = [
        flapping,
        AsyncTwoFactorSms(SMS_KEY, sender=SENDER, base_url=base_url),
    ]
    tally = Tally()
    limits = httpx.Limits(max_connections=concurrency + 4)
    async with (
        AsyncOtpGateway(providers, secret=APP_SECRET, policy=policy, on_event=count) as gateway,
        httpx.AsyncClient(base_url=base_url, timeout=30.0, limits=limits) as control,
    ):
        stop = asyncio.Event()
        flapper = asyncio.create_task(_flap(control, OPERATIONS[flapping.name][scope], period, stop))
        queue = iter(range(logins))
        started = time.perf_counter()

        async def worker() -> None:
            for index in queue:
                await _login(gateway, control, index, tally)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
        stop.set()
        down_share = await flapper
    return {
        "tally": tally,
        "seconds": seconds,
        "down_share": down_share,
        "events": events,
        "lost_ms": lost_ms,
    }


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p50, p99 = percentile(ordered, 0.5), percentile(ordered, 0.99)
    if p50 is None or p99 is None:
        return "n/a (none)"
    return f"{p50:.1f} / {p99:.1f} ms (n={len(values)})"


def report(figures: dict[str, Any], logins: int, label: str) -> str:
    """The markdown lines of one run."""
    tally: Tally = figures["tally"]
    direct, failover = sorted(tally.send_ms["direct"]), sorted(tally.send_ms["failover"])
    extra = "n/a"
    if direct and failover:
        d50, d99 = percentile(direct, 0.5), percentile(direct, 0.99)
        f50, f99 = percentile(failover, 0.5), percentile(failover, 0.99)
        assert d50 is not None and d99 is not None and f50 is not None and f99 is not None
        extra = f"{f50 - d50:+.1f} / {f99 - d99:+.1f} ms"
    rows = [
        ("logins", f"{logins} in {figures['seconds']:.1f} s ({logins / figures['seconds']:.0f}/s)"),
        ("success", f"{tally.ok / logins:.3%} ({tally.ok} verified)"),
        ("failures", ", ".join(f"{reason}: {n}" for reason, n in tally.failed.most_common()) or "none"),
        ("SMS per login", f"{tally.messages / logins:.3f} ({tally.messages} in the outbox)"),
        ("double verifies", str(tally.double_verifies)),
        ("served by", ", ".join(f"{name}: {n}" for name, n in tally.served_by.most_common())),
        ("send p50 / p99, direct", _ms(tally.send_ms["direct"])),
        ("send p50 / p99, failed over", _ms(tally.send_ms["failover"])),
        ("send p50 / p99, breaker skip", _ms(tally.send_ms["skipped"])),
        ("extra latency of failover p50 / p99", extra),
        ("time on the failed provider p50 / p99", _ms(figures["lost_ms"])),
        ("flapping provider down", f"{figures['down_share']:.0%} of the run"),
        ("events", ", ".join(f"{name}: {n}" for name, n in sorted(figures["events"].items()))),
    ]
    return "\n".join([f"### {label}", "", "| measure | value |", "| --- | --- |", *(f"| {k} | {v} |" for k, v in rows)])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.failover_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=10_000, help="logins per policy (default 10000)")
    parser.add_argument("--concurrency", type=int, default=16, help="logins at once (default 16)")
    parser.add_argument("--period", type=float, default=1.0, help="seconds of one down+up cycle (default 1)")
    parser.add_argument("--flap-scope", choices=("send", "all"), default="send", help="which operations go down")
    parser.add_argument("--policies", default=",".join(POLICIES), help=f"comma-separated: {', '.join(POLICIES)}")
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    options = parser.parse_args(argv)
    names = [name.strip() for name in options.policies.split(",") if name.strip()]
    unknown = [name for name in names if name not in POLICIES]
    if unknown or not names:
        parser.error(f"--policies: choose from {', '.join(POLICIES)}")
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "## OTP logins with failover, one provider flapping",
        "",
        f"Providers 2factor (flapping: `{options.flap_scope}` operations HTTP 503 half of every "
        f"{options.period:g} s) then 2factor-sms; {options.concurrency} logins at once; one emulator process. "
        f"{os.cpu_count()} cores, load average at start {load}.",
        "",
    ]
    with (
        tempfile.TemporaryDirectory(prefix="failover-bench-") as folder,
        running_emulator(db=Path(folder) / "emulator.sqlite3", config=CONFIG) as emulator,
    ):
        for name in names:
            figures = asyncio.run(
                run(
                    emulator.base_url,
                    options.logins,
                    options.concurrency,
                    options.period,
                    options.flap_scope,
                    POLICIES[name],
                )
            )
            lines += [report(figures, options.logins, f"policy: {name}"), ""]
            emulator.reset()
    lines.append(f"Load average at the end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    text = "\n".join(lines)
    print(text)
    if options.out:
        options.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
