"""Emulator throughput and latency against Prism, the bare Starlette ceiling and the limit, same run.

All servers start first and stay up; then, for each load and connection count, every target is
driven back to back, so a burst of noise from the other users of the machine hits neighbours in
time, not one target for a whole section.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass, replace
from pathlib import Path

from bench import loadgen, servers, wrk
from bench.stats import LoadResult, combine
from bench.table import Row, skipped

SECTION = "load"
# The goals, per load (bench/README.md "Goals"): the rate against Prism; the server CPU per request
# against the bare handler on the same stack; p99 at 16 connections. A load without a goal is reported.
PRISM_GOALS = {"otp": 5.0, "r1": 5.0, "bulk": 2.0}
CEILING_CPU_GOALS = {"otp": 0.80, "r1": 0.80}
P99_GOAL_MS = 10.0
P99_GOAL_LOADS = ("otp", "r1")
P99_GOAL_CONNS = 16


@dataclass(frozen=True)
class Plan:
    loads: tuple[str, ...]
    connections: tuple[int, ...]
    seconds: float
    workers: int  # > 1 adds the emulator and the ceiling with that many uvicorn workers
    tool: str  # "wrk" or "python"
    prism: bool
    prism_skip_reason: str = ""
    emulator: bool = True
    limit: bool = False  # bench/limit.py: the constant reply on the fastest stack installed
    limit_skip_reason: str = ""
    rounds: int = 1  # each target runs this many times per cell, in rotating order
    warmup_seconds: float = 0.0  # per target and load before anything counts (Prism's V8 JIT warms up)


def drive(server: servers.Server, load: str, connections: int, plan: Plan) -> LoadResult:
    if plan.tool == "wrk":
        return wrk.run(server.url, load, server.api_key, connections, plan.seconds, threads=2)
    return loadgen.run(server.host, server.port, load, server.api_key, connections, plan.seconds)


def _targets(plan: Plan, folder: Path) -> Iterator[tuple[str, Callable[[], object]]]:
    """(role, context manager factory) of every server of the plan; roles name the comparisons."""
    if plan.limit:
        yield "limit", lambda: servers.limit(folder)
    yield "ceiling×1", lambda: servers.ceiling(folder, 1)
    if plan.emulator:
        yield "emulator×1", lambda: servers.emulator(folder, 1)
    if plan.prism:
        yield "prism", lambda: servers.prism(folder)
    if plan.workers > 1:
        yield f"ceiling×{plan.workers}", lambda: servers.ceiling(folder, plan.workers)
        if plan.emulator:
            yield f"emulator×{plan.workers}", lambda: servers.emulator(folder, plan.workers)


def _row(server: servers.Server, load: str, conns: int, result: LoadResult, rounds: int) -> Row:
    note = f"{result.tool}, {rounds} round(s), {result.requests:,} requests in {result.seconds:.1f} s"
    if result.errors:
        note += f", {result.errors:,} errors (not counted in the rate)"
    if load == "bulk":
        note += ", 100 messages per request"
    if result.cpu_us_per_request is not None:
        note += f", server CPU {result.cpu_us_per_request:,.0f} µs/request"
    return Row(SECTION, server.name, load, conns, result.rate, "req/s", result.p50_ms, result.p99_ms, note=note)


def run(plan: Plan, folder: Path) -> list[Row]:
    rows: list[Row] = []
    with ExitStack() as stack:
        started: dict[str, servers.Server] = {}
        for role, factory in _targets(plan, folder):
            try:
                started[role] = stack.enter_context(factory())  # type: ignore[arg-type]
            except (RuntimeError, OSError) as exc:
                rows.append(skipped(SECTION, role, f"did not start: {exc}"))
        if not plan.prism:
            rows.append(skipped(SECTION, "Prism 5.16", plan.prism_skip_reason))
        if not plan.limit:
            rows.append(skipped(SECTION, "limit", plan.limit_skip_reason))
        if plan.warmup_seconds > 0:
            _warm_up(plan, started)
        for load in plan.loads:
            for conns in plan.connections:
                rows.extend(_cell(plan, started, load, conns))
    return rows


def _warm_up(plan: Plan, started: dict[str, servers.Server]) -> None:
    """Drive every target with every load once, uncounted: Prism on node gets several times faster
    once V8 has compiled its hot paths, and a cold baseline would flatter the emulator."""
    warm = replace(plan, seconds=plan.warmup_seconds)
    for load in plan.loads:
        for server in started.values():
            with suppress(RuntimeError, OSError):  # the counted runs report a broken target
                drive(server, load, max(plan.connections), warm)


def _cell(plan: Plan, started: dict[str, servers.Server], load: str, conns: int) -> list[Row]:
    """Every target at one load and connection count, `plan.rounds` times in rotating order."""
    rows: list[Row] = []
    rounds: list[dict[str, LoadResult]] = []
    roles = list(started)
    for number in range(plan.rounds):
        results: dict[str, LoadResult] = {}
        shift = number % len(roles) if roles else 0
        for role in roles[shift:] + roles[:shift]:  # no target always runs first, or always after Prism
            server = started[role]
            try:
                cpu_before = server.cpu_seconds()
                result = drive(server, load, conns, plan)
                cpu_after = server.cpu_seconds()
                if cpu_before is not None and cpu_after is not None:
                    result = replace(result, server_cpu_s=cpu_after - cpu_before)
                results[role] = result
            except (RuntimeError, OSError) as exc:
                rows.append(skipped(SECTION, started[role].name, f"run failed: {exc}", load, conns))
        rounds.append(results)
    for role, server in started.items():
        runs = [r[role] for r in rounds if role in r]
        if runs:
            rows.append(_row(server, load, conns, combine(runs), len(runs)))
    return rows + _ratios(rounds, started, load, conns, plan.workers)


def _median_ratio(rounds: list[dict[str, LoadResult]], top: str, bottom: str) -> float | None:
    """The median over rounds of top/bottom, each ratio from two runs next to each other in time."""
    ratios = [r[top].rate / r[bottom].rate for r in rounds if top in r and bottom in r and r[bottom].rate > 0]
    return statistics.median(ratios) if ratios else None


def _cpu(rounds: list[dict[str, LoadResult]], role: str) -> float | None:
    runs = [r[role] for r in rounds if role in r]
    return combine(runs).cpu_us_per_request if runs else None


def _cpu_ratio(rounds: list[dict[str, LoadResult]], top: str, bottom: str) -> float | None:
    """bottom's server CPU per request over top's (higher is better, as for rates): what the rate
    ratio would be if each server had a core to itself."""
    top_cpu, bottom_cpu = _cpu(rounds, top), _cpu(rounds, bottom)
    return bottom_cpu / top_cpu if top_cpu and bottom_cpu else None


def _cpu_note(rounds: list[dict[str, LoadResult]], top: str, bottom: str) -> str:
    ratio = _cpu_ratio(rounds, top, bottom)
    if ratio is None:
        return ""
    return f"; by server CPU per request: {ratio:.2f}× ({_cpu(rounds, top):,.0f} vs {_cpu(rounds, bottom):,.0f} µs)"


def _ratios(
    rounds: list[dict[str, LoadResult]], started: dict[str, servers.Server], load: str, conns: int, workers: int
) -> list[Row]:
    """The goals: emulator vs the ceiling of the same worker count (by CPU per request) and p99 at 16,
    emulator vs Prism (by rate); emulator ×1 vs the limit, reported."""
    rows = []
    for n in sorted({1, workers}):
        emulator_role = f"emulator×{n}"
        if emulator_role not in started:
            continue
        name = started[emulator_role].name
        p99s = [r[emulator_role].p99_ms for r in rounds if emulator_role in r]
        p99 = statistics.median(p for p in p99s if p is not None) if any(p is not None for p in p99s) else None
        ceiling_role = f"ceiling×{n}"
        ratio = _median_ratio(rounds, emulator_role, ceiling_role)
        if ratio is not None:
            goals, met = [], True
            cpu_goal, cpu_ratio = CEILING_CPU_GOALS.get(load), _cpu_ratio(rounds, emulator_role, ceiling_role)
            if cpu_goal is not None:
                goals.append(f"≥ {cpu_goal:.2f}× bare by CPU")
                met = cpu_ratio is not None and cpu_ratio >= cpu_goal
            if load in P99_GOAL_LOADS and conns == P99_GOAL_CONNS and p99 is not None:
                goals.append(f"p99 < {P99_GOAL_MS:.0f} ms")
                met = met and p99 < P99_GOAL_MS
            rows.append(
                Row(
                    SECTION,
                    f"{name} vs bare ×{n}",
                    load,
                    conns,
                    p99_ms=p99,
                    ratio=ratio,
                    ratio_vs="bare",
                    goal="; ".join(goals) or "reported",
                    met=met if goals else None,
                    note="median of per-round ratios" + _cpu_note(rounds, emulator_role, ceiling_role),
                )
            )
        ratio = _median_ratio(rounds, emulator_role, "prism")
        if ratio is not None:
            prism_goal = PRISM_GOALS.get(load)
            rows.append(
                Row(
                    SECTION,
                    f"{name} vs Prism",
                    load,
                    conns,
                    ratio=ratio,
                    ratio_vs="Prism",
                    goal=f"≥ {prism_goal:.0f}× Prism" if prism_goal else "reported",
                    met=ratio >= prism_goal if prism_goal else None,
                    note="median of per-round ratios" + _cpu_note(rounds, emulator_role, "prism"),
                )
            )
        ratio = _median_ratio(rounds, emulator_role, "limit") if n == 1 else None  # the limit runs one process
        if ratio is not None:
            rows.append(
                Row(
                    SECTION,
                    f"{name} vs limit",
                    load,
                    conns,
                    ratio=ratio,
                    ratio_vs="limit",
                    goal="reported",
                    note="median of per-round ratios" + _cpu_note(rounds, emulator_role, "limit"),
                )
            )
    return rows
