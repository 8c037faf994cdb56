"""Event-loop stall while large bodies are parsed: the latency of a probe request
(`GET /_emulator/health`, one keep-alive connection, back to back) while other connections post
bulk bodies of just under the 5 MiB limit to the emulator, a real process on loopback.

    .venv/bin/python bench/stall.py              # the table of bench/README.md's "Stall" section
    .venv/bin/python bench/stall.py --rounds 5

Two bodies: `values` holds as many JSON values as fit (about 2.6 million `1`s: the costliest to
parse, refused as too many values) and `texts` is a well-formed 5,000-message body of long texts
(refused for having over 1,000 messages, after parsing). With 1 and with 6 such requests at once.
A stall shows as the probe's max and p99; the baseline row has no body in flight.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time

import httpx
from twofactor_emulator.testing import running_emulator

LIMIT = 5 * 1024 * 1024


def values_body() -> bytes:
    head, tail = b'{"apikey":"nobody","messages":[', b"]}"
    count = (LIMIT - 1024 - len(head) - len(tail)) // 2
    return head + b",".join([b"1"] * count) + tail


def texts_body(api_key: str) -> bytes:
    message = {"smsFrom": "TFACTR", "smsTo": "9999999999", "smsText": "x" * 1000}
    return json.dumps({"apikey": api_key, "messages": [message] * 5000}).encode()[:LIMIT]


def _post(base_url: str, body: bytes | None) -> None:
    with httpx.Client(base_url=base_url, timeout=120) as http:
        http.post("/API/R1/Bulk/", content=body or b"", headers={"Content-Type": "application/json"})


def measure(base_url: str, body: bytes | None, concurrent: int, rounds: int) -> list[float]:
    """Probe latencies in seconds while `concurrent` posts of `body` run, `rounds` times over."""
    latencies: list[float] = []
    with httpx.Client(base_url=base_url, timeout=120) as probe:
        probe.get("/_emulator/health")
        for _ in range(rounds):
            threads = [threading.Thread(target=_post, args=(base_url, body)) for _ in range(concurrent)]
            for thread in threads:
                thread.start()
            baseline_end = time.monotonic() + 2.0
            while any(t.is_alive() for t in threads) if threads else time.monotonic() < baseline_end:
                started = time.perf_counter()
                probe.get("/_emulator/health")
                latencies.append(time.perf_counter() - started)
            for thread in threads:
                thread.join()
    return latencies


def row(name: str, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    ms = [1000 * x for x in (statistics.median(ordered), p99, ordered[-1])]
    return f"| {name} | {len(ordered)} | {ms[0]:.1f} | {ms[1]:.1f} | {ms[2]:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with running_emulator() as emulator:
        bodies = {"values": values_body(), "texts": texts_body(emulator.api_key)}
        print("| bodies in flight | probes | p50 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|")
        print(row("none (baseline)", measure(emulator.base_url, None, 0, 1)))
        for name, body in bodies.items():
            for concurrent in (1, 6):
                print(row(f"{concurrent} × {name}", measure(emulator.base_url, body, concurrent, options.rounds)))


if __name__ == "__main__":
    main()
