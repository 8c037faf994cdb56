"""Random numbers of every kind in every numeric field of the control API (huge and negative integers,
2^63, NaN and infinities as JSON allows them, booleans, nulls, strings): never a 500, always either a
success or the control API's `{"error": ...}` 400."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twofactor_emulator.testing import create_app

from ..conftest import CONFIG

APP = create_app(config=CONFIG)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63, 2**63 - 1, 2**64, -(2**63) - 1, 10**30, 0, 1, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=5),
)


def requests(value: Any) -> list[tuple[str, str, Any, dict[str, str] | None]]:
    """Every numeric field of the control API, one request each, set to `value`."""
    rule = {"kind": "error", "operation": "sendOtpAutogen"}
    raw = value if isinstance(value, str) else json.dumps(value)
    return [
        ("PUT", "/_emulator/retention", {"maxMessages": value}, None),
        ("PUT", "/_emulator/retention", {"maxAgeSeconds": value}, None),
        ("POST", "/_emulator/clock/advance", {"seconds": value}, None),
        ("PUT", "/_emulator/delivery", {"delaySeconds": value}, None),
        ("PUT", "/_emulator/webhooks", {"maxAttempts": value}, None),
        ("PUT", "/_emulator/webhooks", {"backoffSeconds": value}, None),
        ("PUT", "/_emulator/webhooks", {"timeoutSeconds": value}, None),
        *(("PUT", "/_emulator/faults", {"rules": [{**rule, name: value}]}, None) for name in _RULE_NUMBERS),
        ("PUT", "/_emulator/faults", {"rateLimit": {"requestsPerSecond": value}}, None),
        ("PUT", "/_emulator/faults", {"seed": value}, None),
        ("GET", "/_emulator/messages", None, {"limit": raw}),
        ("GET", "/_emulator/messages/wait", None, {"phone": "+919999999999", "timeout": "0", "after": raw}),
    ]


_RULE_NUMBERS = ("count", "status", "latencyMs", "latencyMaxMs", "probability")


async def send_all(value: Any) -> list[tuple[str, httpx.Response]]:
    replies = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://emulator") as client:
        for method, path, body, query in requests(value):
            content = None if body is None else json.dumps(body).encode()  # NaN and Infinity as Python writes them
            headers = {"Content-Type": "application/json"}
            replies.append((path, await client.request(method, path, content=content, params=query, headers=headers)))
        await client.put("/_emulator/faults", json={})  # leave no rule or limit behind
        await client.put("/_emulator/retention", json={"maxMessages": None, "maxAgeSeconds": None})
    return replies


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=numbers)
def test_random_numbers_in_control_fields_never_get_a_500(value: Any) -> None:
    for path, reply in asyncio.run(send_all(value)):
        assert reply.status_code in (200, 204, 400), (path, value, reply.status_code, reply.text)
        if reply.status_code == 400:
            assert isinstance(reply.json()["error"], str)
