"""A sampled profile of the emulator under load, summarised as the shares of its CPU time.

    python -m bench.flame --load otp [--messages 100] [--seconds 8] [--connections 16] [--out DIR]

Starts the emulator (its console script, a fresh SQLite file), drives it with wrk (the bench's Lua
scripts), samples it with py-spy meanwhile (a separate process reading the emulator's stacks: the
emulator runs unmodified, at nearly full speed) and prints:

* the share of CPU samples by layer (uvicorn's HTTP parser, Starlette, pydantic, SQLite, the
  emulator's own code...), counted where the sample's innermost frame is;
* the frames with the most samples of their own (self time), and the emulator's own functions with
  the most samples in and under them (inclusive time).

The raw collapsed stacks (`DIR/<load>.folded`, the format flamegraph.pl and speedscope read) stay
for a full flame graph. py-spy and wrk must be installed (pip install py-spy; apt-get install wrk).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench import servers, wrk

# Layers by the file of a frame, first match wins. py-spy writes frames as `function (path/file.py)`.
# SQLite's C code has no Python frame of its own: a sample inside `execute` or COMMIT ends in the
# store's Python method that called it, so the store layer is mostly SQLite's own time.
LAYERS: tuple[tuple[str, str], ...] = (
    ("emulator store + SQLite's C calls (store, group commit)", r"twofactor_emulator/(core/)?(store|batching)"),
    ("emulator: other own code", r"twofactor_emulator/"),
    ("generated pydantic models", r"twofactor_models/"),
    ("pydantic", r"pydantic"),
    ("starlette (routing, request, response)", r"starlette/"),
    ("uvicorn HTTP protocol (h11 / httptools)", r"uvicorn/protocols|h11/|httptools"),
    ("uvicorn other", r"uvicorn/"),
    # With uvloop the loop's C code (epoll, socket reads and writes) shows as `Runner.run`.
    ("asyncio / event loop", r"asyncio/|uvloop"),
    ("json", r"json/"),
)
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*)\)$")


def layer(frame: str) -> str:
    for name, pattern in LAYERS:
        if re.search(pattern, frame):
            return name
    return "other (stdlib, hmac, uuid, secrets...)"


def short(frame: str) -> str:
    """`function (package/module.py)` with the site-packages prefix cut."""
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    for marker in ("site-packages/", "lib/python3.11/", "emulator/", "generated/", "overrides/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match['function']} ({path})"


def summarise(folded: str, top: int = 12) -> str:
    """The markdown summary of py-spy's collapsed stacks (`frame;frame;frame count` per line)."""
    total = 0
    by_layer: Counter[str] = Counter()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in folded.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        # py-spy's first frame is the thread name ("process 1:..." or the thread's); skip non-frames.
        frames = [f for f in frames if _FRAME.match(f)]
        if not frames:
            continue
        total += count
        innermost = frames[-1]
        if any("Checkpointer._run" in frame for frame in frames):
            # Its own thread and connection; py-spy counts its timed 0.1 s waits as active too.
            by_layer["WAL checkpoint thread (waits included)"] += count
            continue
        by_layer[layer(innermost)] += count
        own[short(innermost)] += count
        for frame in set(frames):
            if "twofactor_emulator/" in frame and "/cli.py" not in frame:
                inclusive[short(frame)] += count
    if not total:
        return "no samples (did the load reach the emulator?)\n"
    lines = [f"{total:,} samples", "", "| layer (innermost frame) | share |", "|---|---|"]
    lines += [f"| {name} | {count / total:.0%} |" for name, count in by_layer.most_common()]
    lines += ["", "| top frames by own samples (event loop thread) | share |", "|---|---|"]
    lines += [f"| `{frame}` | {count / total:.1%} |" for frame, count in own.most_common(top)]
    lines += ["", "| emulator functions, samples in and under them | share |", "|---|---|"]
    lines += [f"| `{frame}` | {count / total:.0%} |" for frame, count in inclusive.most_common(top)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.flame", description=__doc__.splitlines()[0])
    parser.add_argument("--load", choices=("otp", "r1", "bulk"), default="otp")
    parser.add_argument("--messages", type=int, default=100, help="messages per bulk request (default 100)")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second (default 250)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "twofactor-flame")
    options = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists() or wrk.available() is None:
        print("needs py-spy (pip install py-spy) and wrk (apt-get install -y wrk)", file=sys.stderr)
        return 2
    options.out.mkdir(parents=True, exist_ok=True)
    name = options.load if options.load != "bulk" else f"bulk{options.messages}"
    folded = options.out / f"{name}.folded"
    with tempfile.TemporaryDirectory(prefix="twofactor-flame-") as tmp, servers.emulator(Path(tmp), 1) as server:
        # Warm up first (caches, the WAL file's first growth), then sample only the steady state.
        argv_wrk = wrk.command(server.url, options.load, server.api_key, options.connections, 2, threads=2)
        if options.load == "bulk":
            argv_wrk[-1] = str(options.messages)
        subprocess.run(argv_wrk, cwd=wrk.LUA_DIR, capture_output=True, check=True)
        record = subprocess.Popen(
            [spy, "record", "--pid", str(server.process.pid), "--rate", str(options.rate), "--format", "raw",
             "--nolineno", "--duration", str(options.seconds), "--output", str(folded), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        argv_wrk = wrk.command(server.url, options.load, server.api_key, options.connections, options.seconds + 1, 2)
        if options.load == "bulk":
            argv_wrk[-1] = str(options.messages)
        load = subprocess.run(argv_wrk, cwd=wrk.LUA_DIR, capture_output=True, text=True, check=False)
        _, err = record.communicate(timeout=options.seconds + 60)
        if record.returncode != 0:
            print(f"py-spy failed: {err.decode(errors='replace')[-500:]}", file=sys.stderr)
            return 1
    summary = wrk._SUMMARY.search(load.stdout)
    print(f"### {name}, {options.connections} connections, {options.seconds} s\n")
    if summary:
        requests, duration_us, errors = (int(x) for x in summary.groups()[:3])
        print(f"{requests / (duration_us / 1e6):,.0f} req/s under the profiler, {errors} errors\n")
    print(summarise(folded.read_text()))
    print(f"collapsed stacks: {folded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
