"""A/B of the emulator's HTTP stack: the emulator's own command served through different uvicorn
settings, each next to the bare handler (bench/ceiling.py) on the same stack, all started first and
driven by wrk in rotating order, so every comparison is made in the same minutes.

    python -m bench.stack_ab [--loads otp,r1] [--connections 16] [--seconds 4] [--rounds 3]
                             [--server-module FILE [--module-loop asyncio|uvloop]]

Stacks: httptools on uvloop (the emulator as shipped) and httptools on asyncio's loop (where uvloop is
not installed: Windows). `--server-module FILE` adds the emulator served by the `uvicorn_config` of
another `server.py` (on asyncio's loop unless `--module-loop uvloop`), e.g. an older commit's
(`git show REV:emulator/twofactor_emulator/server.py > FILE`), and the bare handler on h11 and asyncio
(the stack that row is compared with).
Prints one markdown table: rate, server CPU per request and p99 per target; each emulator's ratio to
the first by rate (median of per-round ratios) and by CPU, and to the bare handler on its stack by CPU.

`python -m bench.stack_ab serve --loop LOOP [--server-module FILE] -- ARGS` is how each emulator
target is started: the emulator's command (ARGS as for `twofactor-emulator`) with those settings.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import servers, wrk
from bench.stats import LoadResult, combine


@dataclass(frozen=True)
class Target:
    role: str
    stack: str  # the bare handler's role on the same stack, or "" for the bare handlers themselves
    start: Callable[[Path], Any]


def serve(argv: Sequence[str]) -> int:
    """The emulator's command with uvicorn's loop (and optionally another server.py's settings) replaced."""
    parser = argparse.ArgumentParser(prog="python -m bench.stack_ab serve")
    parser.add_argument("--loop", required=True, choices=("auto", "asyncio", "uvloop"))
    parser.add_argument("--server-module", type=Path)
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    from twofactor_emulator import cli, server

    config = server.uvicorn_config
    if options.server_module:
        spec = importlib.util.spec_from_file_location("stack_ab_server", options.server_module)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        config = module.uvicorn_config
    server.uvicorn_config = lambda app, **kw: config(app, **{**kw, "loop": options.loop})  # type: ignore[assignment]
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    return cli.main(args)


@contextmanager
def _emulator(folder: Path, name: str, loop: str, server_module: Path | None) -> Iterator[servers.Server]:
    config, api_key = servers.write_config(folder)
    db = folder / f"emulator-{uuid.uuid4().hex[:8]}.sqlite3"
    argv = [sys.executable, "-m", "bench.stack_ab", "serve", "--loop", loop]
    argv += ["--server-module", str(server_module)] if server_module else []
    argv += ["--", "--host", "127.0.0.1", "--port", "{PORT}", "--db", str(db), "--config", str(config)]
    with servers._process(name, argv, api_key, folder) as started:
        yield started


@contextmanager
def _bare(folder: Path, name: str, http: str, loop: str) -> Iterator[servers.Server]:
    argv = [sys.executable, "-m", "uvicorn", "bench.ceiling:app", "--host", "127.0.0.1", "--port", "{PORT}"]
    argv += ["--log-level", "warning", "--no-access-log", "--http", http, "--loop", loop]
    with servers._process(name, argv, str(uuid.uuid4()), folder) as started:
        yield started


def targets(server_module: Path | None, module_loop: str = "asyncio") -> list[Target]:
    found = [
        Target("emulator httptools+uvloop", "bare httptools+uvloop", lambda f: _emulator(f, "e1", "uvloop", None)),
        Target("emulator httptools+asyncio", "bare httptools+asyncio", lambda f: _emulator(f, "e2", "asyncio", None)),
        Target("bare httptools+uvloop", "", lambda f: _bare(f, "b1", "httptools", "uvloop")),
        Target("bare httptools+asyncio", "", lambda f: _bare(f, "b2", "httptools", "asyncio")),
    ]
    if server_module:
        name = f"emulator {server_module.name}+{module_loop}"
        found.insert(0, Target(name, "bare h11+asyncio", lambda f: _emulator(f, "e0", module_loop, server_module)))
        found.append(Target("bare h11+asyncio", "", lambda f: _bare(f, "b0", "h11", "asyncio")))
    return found


def _load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def run(options: argparse.Namespace) -> str:
    chosen = targets(options.server_module, options.module_loop)
    lines = [f"load average at the start: {_load_average()}", ""]
    with tempfile.TemporaryDirectory(prefix="stack-ab-") as tmp, ExitStack() as stack:
        started = {t.role: stack.enter_context(t.start(Path(tmp))) for t in chosen}
        for load in options.loads:
            for server in started.values():  # warm-up, uncounted
                server.drive(load, options.connections, 2)
            rounds: list[dict[str, LoadResult]] = []
            roles = list(started)
            for number in range(options.rounds):
                shift = number % len(roles)
                rounds.append(
                    {
                        role: started[role].drive(load, options.connections, options.seconds)
                        for role in roles[shift:] + roles[:shift]
                    }
                )
            lines += _table(load, options.connections, chosen, rounds)
    lines.append(f"load average at the end: {_load_average()}")
    return "\n".join(lines)


def _table(load: str, connections: int, chosen: list[Target], rounds: list[dict[str, LoadResult]]) -> list[str]:
    first = chosen[0].role
    cpu = {t.role: combine([r[t.role] for r in rounds]).cpu_us_per_request or 0.0 for t in chosen}
    out = [
        f"{load}, {connections} connections, {len(rounds)} rounds:",
        "",
        f"| target | req/s | CPU µs per request | p99 ms | vs {first}, rate / CPU | vs bare on its stack, CPU |",
        "|---|---|---|---|---|---|",
    ]
    for target in chosen:
        total = combine([r[target.role] for r in rounds])
        versus = ""
        if target.stack and target.role != first:
            rate = statistics.median(r[target.role].rate / r[first].rate for r in rounds)
            versus = f"{rate:.2f}× / {cpu[first] / cpu[target.role]:.2f}×"
        bare = f"{cpu[target.stack] / cpu[target.role]:.2f}×" if target.stack else ""
        errors = f" ({total.errors} errors)" if total.errors else ""
        out.append(
            f"| {target.role} | {total.rate:,.0f}{errors} | {cpu[target.role]:.0f} | {total.p99_ms or 0:.1f} "
            f"| {versus} | {bare} |"
        )
    return [*out, ""]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        return serve(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench.stack_ab")
    parser.add_argument("--loads", type=lambda s: tuple(s.split(",")), default=("otp", "r1"))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server-module", type=Path, help="another server.py's uvicorn_config")
    parser.add_argument("--module-loop", choices=("asyncio", "uvloop"), default="asyncio")
    options = parser.parse_args(argv)
    if wrk.available() is None:
        print(wrk.INSTALL_HINT, file=sys.stderr)
        return 2
    print(run(options))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
