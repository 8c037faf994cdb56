"""Every number the control API accepts has a range: a value outside it is a 400 with the range in the
message, never a 500 (an OverflowError from SQLite, a ValueError from int(), an infinite float)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

BIG = 2**63  # one past SQLite's largest integer
HUGE = 10**400  # past every float

# (method, path, JSON body or None, query or None)
OUT_OF_RANGE: list[tuple[str, str, dict[str, Any] | None, dict[str, str] | None]] = [
    ("PUT", "/_emulator/retention", {"maxMessages": BIG}, None),
    ("PUT", "/_emulator/retention", {"maxMessages": 2**64 + 1}, None),
    ("PUT", "/_emulator/retention", {"maxMessages": 0}, None),
    ("PUT", "/_emulator/retention", {"maxMessages": 1_000_000_001}, None),
    ("PUT", "/_emulator/retention", {"maxAgeSeconds": HUGE}, None),
    ("PUT", "/_emulator/retention", {"maxAgeSeconds": -1}, None),
    ("POST", "/_emulator/clock/advance", {"seconds": BIG}, None),
    ("POST", "/_emulator/clock/advance", {"seconds": HUGE}, None),
    ("POST", "/_emulator/clock/advance", {"seconds": -5}, None),
    ("PUT", "/_emulator/delivery", {"delaySeconds": BIG}, None),
    ("PUT", "/_emulator/webhooks", {"maxAttempts": BIG}, None),
    ("PUT", "/_emulator/webhooks", {"backoffSeconds": HUGE}, None),
    ("PUT", "/_emulator/faults", {"rules": [{"kind": "error", "count": BIG}]}, None),
    ("PUT", "/_emulator/faults", {"rules": [{"kind": "error", "count": 0}]}, None),
    ("PUT", "/_emulator/faults", {"rules": [{"kind": "error", "status": BIG}]}, None),
    ("PUT", "/_emulator/faults", {"rules": [{"kind": "latency", "latencyMs": BIG}]}, None),
    ("PUT", "/_emulator/faults", {"rules": [{"kind": "latency", "latencyMaxMs": HUGE}]}, None),
    ("PUT", "/_emulator/faults", {"rules": [{"kind": "error", "probability": BIG}]}, None),
    ("PUT", "/_emulator/faults", {"rateLimit": {"requestsPerSecond": BIG}}, None),
    ("PUT", "/_emulator/faults", {"seed": BIG}, None),
    ("PUT", "/_emulator/faults", {"seed": -1}, None),
    ("GET", "/_emulator/messages", None, {"limit": str(BIG)}),
    ("GET", "/_emulator/messages", None, {"limit": "9" * 5000}),
    ("GET", "/_emulator/messages/wait", None, {"phone": "+919999999999", "after": "9" * 5000}),
    ("GET", "/_emulator/messages/wait", None, {"phone": "+919999999999", "after": str(BIG)}),
    ("GET", "/_emulator/messages/wait", None, {"phone": "+919999999999", "timeout": "1e400"}),
]


@pytest.mark.parametrize(("method", "path", "body", "query"), OUT_OF_RANGE)
async def test_a_number_out_of_range_is_a_400(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None, query: dict[str, str] | None
) -> None:
    reply = await client.request(method, path, json=body, params=query)
    assert reply.status_code == 400, reply.text
    assert " from " in reply.json()["error"]  # the message names the range


async def test_the_largest_values_in_range_are_accepted(client: httpx.AsyncClient) -> None:
    accepted = [
        ("PUT", "/_emulator/retention", {"maxMessages": 1_000_000_000, "maxAgeSeconds": None}),
        ("PUT", "/_emulator/faults", {"rules": [{"kind": "error", "count": 1_000_000_000}], "seed": 2**63 - 1}),
        ("PUT", "/_emulator/faults", {}),
    ]
    for method, path, body in accepted:
        reply = await client.request(method, path, json=body)
        assert reply.status_code == 200, reply.text
