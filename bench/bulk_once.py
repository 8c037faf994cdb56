"""One 1000-message bulk request, end to end through the emulator: the round trip on loopback
(an upper bound of the server's time) and the server's own `processingTime` from the reply."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import httpx

from bench import servers
from bench.table import Row
from bench.workloads import bulk_body

SECTION = "bulk"
MESSAGES = 1000
GOAL_MS = 10.0  # the server's time for 1000 messages


def run(folder: Path, repeats: int) -> list[Row]:
    with servers.emulator(folder, 1) as server, httpx.Client(base_url=server.url, timeout=30.0) as client:
        client.post("/API/R1/Bulk/", content=bulk_body(server.api_key, 10))  # connection and code paths warm
        round_trips, server_times = [], []
        for _ in range(repeats):
            body = bulk_body(server.api_key, MESSAGES)
            started = time.perf_counter()
            response = client.post("/API/R1/Bulk/", content=body, headers={"Content-Type": "application/json"})
            round_trips.append((time.perf_counter() - started) * 1000)
            reply = json.loads(response.content)
            if response.status_code != 200 or reply.get("messageCount") != MESSAGES:
                raise RuntimeError(f"the bulk request was not fully accepted: HTTP {response.status_code}")
            server_times.append(float(reply.get("processingTime", "nan")))
    median_trip, median_server = statistics.median(round_trips), statistics.median(server_times)
    note = f"median of {repeats} (best round trip {min(round_trips):.1f} ms); emulator ×1 on a SQLite file"
    return [
        Row(
            SECTION,
            "round trip, 1000 messages",
            "bulk",
            1,
            p50_ms=median_trip,
            goal="reported",  # an upper bound: it includes the client's JSON and the transfer
            note=note,
        ),
        Row(
            SECTION,
            "server processingTime",
            "bulk",
            1,
            p50_ms=median_server,
            goal=f"≤ {GOAL_MS:.0f} ms",
            met=median_server <= GOAL_MS,
            note="the reply's processingTime field, ms, as the emulator measures it",
        ),
    ]
