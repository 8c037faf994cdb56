"""Control API findings of the contract run (tests/contract, fuzzing openapi/emulator-admin.yaml):
a PUT without its required body is refused, and a 405 names every method the path serves."""

from __future__ import annotations

import httpx
import pytest
from twofactor_emulator.testing import create_app, random_config

PUT_PATHS = ("/_emulator/delivery", "/_emulator/webhooks", "/_emulator/faults", "/_emulator/retention")


@pytest.fixture
async def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(config=random_config()))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        yield client


@pytest.mark.parametrize("path", PUT_PATHS)
async def test_put_without_body_is_refused(client: httpx.AsyncClient, path: str) -> None:
    reply = await client.put(path, headers={"Content-Type": "application/json"})
    assert reply.status_code == 400
    assert reply.json() == {"error": "the body must be a JSON object"}


@pytest.mark.parametrize("path", [path for path in PUT_PATHS if path != "/_emulator/delivery"])
async def test_put_with_an_empty_object_is_accepted(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.put(path, json={})).status_code == 200


async def test_delivery_needs_its_delay(client: httpx.AsyncClient) -> None:
    reply = await client.put("/_emulator/delivery", json={})
    assert reply.status_code == 400
    assert reply.json() == {"error": "delaySeconds is required"}
    assert (await client.put("/_emulator/delivery", json={"delaySeconds": 2})).json()["delaySeconds"] == 2


@pytest.mark.parametrize("path", PUT_PATHS)
async def test_method_not_allowed_names_get_and_put(client: httpx.AsyncClient, path: str) -> None:
    reply = await client.delete(path)
    assert reply.status_code == 405
    assert set(reply.headers["allow"].split(", ")) == {"GET", "HEAD", "PUT"}


async def test_encrypted_route_still_allows_only_post(client: httpx.AsyncClient) -> None:
    reply = await client.put("/API/R1")
    assert reply.status_code == 405
    assert reply.headers["allow"] == "POST"
