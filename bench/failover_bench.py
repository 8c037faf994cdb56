"""OTP logins through the gateway while one provider flaps: success rate, failover latency, SMS per login.

    .venv/bin/python -m bench.failover_bench                   # 10,000 logins under each of three policies
    .venv/bin/python -m bench.failover_bench --providers 2factor,2factor-sms   # 2Factor's two routes only
    .venv/bin/python -m bench.failover_bench --logins 300      # a quick look
    .venv/bin/python -m bench.failover_bench --flap-scope all  # the flapping provider's verifies fail too

One emulator process (real socket, SQLite file) serves every provider (by default 2factor, tata and
datatechlabs, tried in that order; `--providers` names others, 2factor-sms is 2Factor's R1). A flapper
task switches the first provider's fault rules on and off through the control API (HTTP 503
without doing the work), down half of each period.
`--concurrency` logins run at once through one `AsyncOtpGateway`; each login sends, reads its code
from the emulator (as a user reads the SMS), verifies it, then replays the same verify, which must
not match (a "double verify" if it does).

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
    AsyncDatatechlabsSms,
    AsyncOtpGateway,
    AsyncOtpProvider,
    AsyncSmsProvider,
    AsyncTataOtp,
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
TATA_SID = "AC" + "be9c" * 8
TATA_TOKEN = "bench-tata-token-0123456789"  # noqa: S105 - a bench's throwaway credential
DTL_USER, DTL_PASSWORD = "bench", "bench-dtl-password-0123456789"
SENDER = "ACMEIN"
APP_SECRET = "bench-failover-app-secret-0123456789"  # noqa: S105 - a bench's throwaway secret

# Each provider the bench can use: its emulator config, its adapter, and its operations for
# `--flap-scope send` and `all`.
CONFIG: dict[str, dict[str, Any]] = {
    "2factor": {"accounts": [{"api_key": OTP_KEY, "secret_key": "bench-failover-secret-0123456789", "credits": 10**8}]},
    "2factor-sms": {
        "accounts": [{"api_key": SMS_KEY, "secret_key": "bench-failover-sms-secret-012345", "credits": 10**8}]
    },
    "tata": {"tata": {"accounts": [{"account_sid": TATA_SID, "auth_token": TATA_TOKEN}]}},
    "datatechlabs": {
        "datatechlabs": {"accounts": [{"username": DTL_USER, "password": DTL_PASSWORD, "credits": 10**8}]}
    },
}
OPERATIONS = {
    "2factor": {"send": ["sendOtpAutogen"], "all": ["sendOtpAutogen", "verifyOtp", "verifyOtpByPhone"]},
    "2factor-sms": {"send": ["sendSms"], "all": ["sendSms"]},
    "tata": {"send": ["tataSendOtp"], "all": ["tataSendOtp", "tataVerifyOtp"]},
    "datatechlabs": {"send": ["datatechlabsSendSms"], "all": ["datatechlabsSendSms"]},
}
PROVIDER_CODES = {"2factor", "tata"}  # these generate the code; the others carry the gateway's


def _adapter(name: str, base_url: str) -> AsyncOtpProvider | AsyncSmsProvider:
    if name == "2factor":
        return AsyncTwoFactorOtp(OTP_KEY, base_url=base_url)
    if name == "2factor-sms":
        return AsyncTwoFactorSms(SMS_KEY, sender=SENDER, base_url=base_url)
    if name == "tata":
        return AsyncTataOtp(TATA_SID, TATA_TOKEN, service="Login", sender="+919876500000", base_url=base_url)
    return AsyncDatatechlabsSms(DTL_USER, DTL_PASSWORD, sender=SENDER, base_url=base_url)


def emulator_config(names: Sequence[str]) -> dict[str, Any]:
    """The emulator config with an account for each named provider (2Factor's always: it is the base)."""
    config: dict[str, Any] = {"accounts": []}
    for name in ("2factor", *names):
        for key, value in CONFIG[name].items():
            if key == "accounts":
                config["accounts"] += [a for a in value if a not in config["accounts"]]
            else:
                config[key] = value
    return config


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
    if provider in PROVIDER_CODES:
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
    except httpx.HTTPError as error:  # the bench's own read of the outbox, not the gateway
        tally.failed[f"reading the code from the emulator (the bench's side): {type(error).__name__}"] += 1
        return
    try:
        result = await gateway.verify(ticket.token, code)
        replay = await gateway.verify(ticket.token, code)
    except OtpGatewayError as error:
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
    base_url: str,
    names: Sequence[str],
    logins: int,
    concurrency: int,
    period: float,
    scope: str,
    policy: FailoverPolicy,
) -> dict[str, Any]:
    """The logins against the emulator at `base_url`; the figures."""
    events: Counter[str] = Counter()
    lost_ms: list[float] = []  # time spent on a provider that then failed: what failing over costs

    def count(event: GatewayEvent) -> None:
        events[event.name if event.name != "breaker" else f"breaker->{event.state}"] += 1
        if event.name == "send_failed" and event.elapsed_ms is not None:
            lost_ms.append(event.elapsed_ms)

    providers = [_adapter(name, base_url) for name in names]
    tally = Tally()
    limits = httpx.Limits(max_connections=concurrency + 4)
    async with (
        AsyncOtpGateway(providers, secret=APP_SECRET, policy=policy, on_event=count) as gateway,
        httpx.AsyncClient(base_url=base_url, timeout=30.0, limits=limits) as control,
    ):
        stop = asyncio.Event()
        flapper = asyncio.create_task(_flap(control, OPERATIONS[names[0]][scope], period, stop))
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
    parser.add_argument(
        "--providers",
        default="2factor,tata,datatechlabs",
        help=f"comma-separated, in failover order; the first flaps (from {', '.join(CONFIG)})",
    )
    parser.add_argument("--concurrency", type=int, default=16, help="logins at once (default 16)")
    parser.add_argument("--period", type=float, default=1.0, help="seconds of one down+up cycle (default 1)")
    parser.add_argument("--flap-scope", choices=("send", "all"), default="send", help="which operations go down")
    parser.add_argument("--policies", default=",".join(POLICIES), help=f"comma-separated: {', '.join(POLICIES)}")
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    options = parser.parse_args(argv)
    policies = [name.strip() for name in options.policies.split(",") if name.strip()]
    if not policies or any(name not in POLICIES for name in policies):
        parser.error(f"--policies: choose from {', '.join(POLICIES)}")
    providers = [name.strip() for name in options.providers.split(",") if name.strip()]
    if len(providers) < 2 or len(set(providers)) != len(providers) or any(n not in CONFIG for n in providers):
        parser.error(f"--providers: two or more of {', '.join(CONFIG)}, each once")
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "## OTP logins with failover, one provider flapping",
        "",
        f"Providers {', '.join(providers)} in that order; {providers[0]} flaps (`{options.flap_scope}` operations "
        f"HTTP 503 half of every {options.period:g} s); {options.concurrency} logins at once; one emulator "
        f"process. {os.cpu_count()} cores, load average at start {load}.",
        "",
    ]
    with (
        tempfile.TemporaryDirectory(prefix="failover-bench-") as folder,
        running_emulator(db=Path(folder) / "emulator.sqlite3", config=emulator_config(providers)) as emulator,
    ):
        for name in policies:
            figures = asyncio.run(
                run(
                    emulator.base_url,
                    providers,
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
