"""The control API: its routes match openapi/emulator-admin.yaml and its replies match its schemas."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator
from starlette.routing import Route
from twofactor_emulator.testing import create_app

from .conftest import CONFIG, OTHER_PHONE, PHONE, v1

ADMIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi" / "emulator-admin.yaml").read_text())


def conforms(body: Any, schema: str) -> None:
    """Validate against a component schema of the admin document (refs resolve inside it)."""
    Draft202012Validator({**ADMIN, "$ref": f"#/components/schemas/{schema}"}).validate(body)


def test_control_routes_match_the_admin_document() -> None:
    documented = {
        (op["operationId"], method.upper(), path)
        for path, item in ADMIN["paths"].items()
        for method, op in item.items()
    }
    app = create_app(config=CONFIG)
    served = {
        (route.name, method, route.path)
        for route in app.routes
        if isinstance(route, Route) and (route.path.startswith("/_emulator/") or route.path == "/")
        for method in (route.methods or set()) - {"HEAD"}
    }
    assert served == documented


async def test_health(client: httpx.AsyncClient) -> None:
    reply = await client.get("/_emulator/health")
    assert reply.status_code == 200
    conforms(reply.json(), "Health")
    assert reply.json()["schemaVersion"] >= 1


async def test_messages_newest_first_and_by_phone(client: httpx.AsyncClient) -> None:
    for phone, value in ((PHONE, "1111"), (OTHER_PHONE, "2222"), (PHONE, "3333")):
        await client.get(v1(f"SMS/{phone}/{value}"))
    everything = (await client.get("/_emulator/messages")).json()
    conforms(everything, "MessageList")
    assert [m["otp"] for m in everything["messages"]] == ["3333", "2222", "1111"]
    seqs = [m["seq"] for m in everything["messages"]]
    assert seqs == sorted(seqs, reverse=True)
    mine = (await client.get("/_emulator/messages", params={"phone": "9999999999"})).json()["messages"]
    assert [m["otp"] for m in mine] == ["3333", "1111"]
    assert all({"to", "text", "status", "timestamp"} <= set(m) for m in mine)
    limited = (await client.get("/_emulator/messages", params={"limit": 1})).json()["messages"]
    assert [m["otp"] for m in limited] == ["3333"]


async def test_latest_message_and_otp(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_emulator/messages/latest", params={"phone": PHONE})).status_code == 404
    missing = await client.get("/_emulator/otp", params={"phone": PHONE})
    assert missing.status_code == 404
    conforms(missing.json(), "Error")
    sent = (await client.get(v1(f"SMS/{PHONE}/AUTOGEN"))).json()
    await client.post(
        "/API/R1/",
        data={
            "module": "TRANS_SMS",
            "apikey": CONFIG["accounts"][0]["api_key"],
            "to": PHONE,
            "from": "HEADER",
            "msg": "later text",
        },
    )
    latest = (await client.get("/_emulator/messages/latest", params={"phone": PHONE})).json()
    conforms(latest, "Message")
    assert latest["text"] == "later text"
    otp = (await client.get("/_emulator/otp", params={"phone": PHONE})).json()
    conforms(otp, "LatestOtp")
    assert otp["sessionId"] == sent["Details"] and otp["message"]["text"].endswith(otp["otp"])


async def test_wait_answers_when_a_message_lands(client: httpx.AsyncClient) -> None:
    waiting = asyncio.create_task(client.get("/_emulator/messages/wait", params={"phone": PHONE, "timeout": 5}))
    await asyncio.sleep(0.05)  # let the long-poll start waiting
    assert not waiting.done()
    await client.get(v1(f"SMS/{OTHER_PHONE}/1234"))  # another phone does not wake it with an answer
    await client.get(v1(f"SMS/{PHONE}/5678"))
    reply = await asyncio.wait_for(waiting, 10)
    assert reply.status_code == 200
    conforms(reply.json(), "Message")
    assert reply.json()["otp"] == "5678"


async def test_wait_times_out_with_204(client: httpx.AsyncClient) -> None:
    reply = await client.get("/_emulator/messages/wait", params={"phone": PHONE, "timeout": 0.05})
    assert reply.status_code == 204


async def test_wait_after_a_seq_returns_an_older_message_at_once(client: httpx.AsyncClient) -> None:
    await client.get(v1(f"SMS/{PHONE}/4321"))
    reply = await client.get("/_emulator/messages/wait", params={"phone": PHONE, "timeout": 0, "after": 0})
    assert reply.json()["otp"] == "4321"


async def test_reset_one_phone_or_everything(client: httpx.AsyncClient) -> None:
    await client.get(v1(f"SMS/{PHONE}/1111"))
    await client.get(v1(f"SMS/{OTHER_PHONE}/2222"))
    await client.post("/_emulator/clock/advance", json={"seconds": 30})
    one = (await client.post("/_emulator/reset", json={"phone": PHONE})).json()
    conforms(one, "ResetResult")
    assert one == {"deleted": 1, "phone": PHONE}
    assert [m["to"] for m in (await client.get("/_emulator/messages")).json()["messages"]] == [OTHER_PHONE]
    assert (await client.get("/_emulator/clock")).json()["offsetSeconds"] == 30
    everything = (await client.post("/_emulator/reset", json={})).json()
    assert everything == {"deleted": 1, "phone": None}
    assert (await client.get("/_emulator/messages")).json()["messages"] == []
    assert (await client.get("/_emulator/clock")).json()["offsetSeconds"] == 0
    assert (await client.get(v1("BAL/SMS"))).json()["Details"] == "250"


async def test_reset_phone_forgets_its_sessions(client: httpx.AsyncClient) -> None:
    sent = (await client.get(v1(f"SMS/{PHONE}/AUTOGEN2"))).json()
    await client.post("/_emulator/reset", json={"phone": PHONE})
    reply = await client.get(v1(f"SMS/VERIFY/{sent['Details']}/{sent['OTP']}"))
    assert reply.json()["Details"] == "Invalid API / SessionId Combination - No Entry Exists"


@pytest.mark.parametrize("seconds", [0, 1.5, 600])
async def test_clock_advance_accumulates(client: httpx.AsyncClient, seconds: float) -> None:
    first = (await client.post("/_emulator/clock/advance", json={"seconds": seconds})).json()
    conforms(first, "Clock")
    second = (await client.post("/_emulator/clock/advance", json={"seconds": seconds})).json()
    assert second["offsetSeconds"] == 2 * seconds
    conforms((await client.get("/_emulator/clock")).json(), "Clock")


async def test_reset_with_a_null_phone_is_refused_and_deletes_nothing(client: httpx.AsyncClient) -> None:
    await client.get(v1(f"SMS/{PHONE}/1111"))
    for body in ({"phone": None}, {"phone": 919999999999}):
        reply = await client.post("/_emulator/reset", json=body)
        assert reply.status_code == 400
        conforms(reply.json(), "Error")
    assert len((await client.get("/_emulator/messages")).json()["messages"]) == 1


async def test_a_phone_of_the_query_shape_that_no_send_accepts_finds_nothing(client: httpx.AsyncClient) -> None:
    reply = await client.get("/_emulator/messages", params={"phone": "+9112345678901"})
    assert (reply.status_code, reply.json()) == (200, {"messages": []})
    assert (await client.get("/_emulator/otp", params={"phone": "12345678901"})).status_code == 404


def test_long_polls_from_different_event_loops() -> None:
    # An in-process client may run each request on a new event loop; a long-poll must work on each,
    # even after one on an earlier loop timed out (an asyncio.Event belongs to one loop).
    app = create_app(config=CONFIG)

    async def wait(send_meanwhile: bool) -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator") as client:
            timeout = 5 if send_meanwhile else 0.01
            waiting = asyncio.create_task(
                client.get("/_emulator/messages/wait", params={"phone": PHONE, "timeout": timeout})
            )
            await asyncio.sleep(0.05)
            if send_meanwhile:
                await client.get(v1(f"SMS/{PHONE}/1234"))
            return (await asyncio.wait_for(waiting, 10)).status_code

    assert asyncio.run(wait(send_meanwhile=False)) == 204
    assert asyncio.run(wait(send_meanwhile=True)) == 200
