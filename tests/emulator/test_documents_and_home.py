"""The emulator serves the OpenAPI documents it implements (`/_emulator/openapi`), sends a browser
from `/` to the inbox, and takes a control path with a trailing slash."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml

from .conftest import v1

DIST = Path(__file__).resolve().parents[2] / "dist"
INDEX = json.loads((DIST / "index.json").read_text())["documents"]


async def test_the_index_lists_every_bundled_document(client: httpx.AsyncClient) -> None:
    reply = await client.get("/_emulator/openapi")
    assert reply.status_code == 200
    listed = {entry["name"]: entry for entry in reply.json()["documents"]}
    assert set(listed) == set(INDEX) and {"twofactor", "emulator-admin"} <= set(listed)
    for name, entry in listed.items():
        assert entry["version"] == INDEX[name]["version"] and entry["title"] == INDEX[name]["title"]
        assert entry["yaml"] == f"/_emulator/openapi/{name}.yaml"


@pytest.mark.parametrize("name", sorted(INDEX))
async def test_each_document_is_served_as_the_bundle(client: httpx.AsyncClient, name: str) -> None:
    as_yaml = await client.get(f"/_emulator/openapi/{name}.yaml")
    as_json = await client.get(f"/_emulator/openapi/{name}.json")
    assert as_yaml.status_code == as_json.status_code == 200
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_yaml.content == (DIST / INDEX[name]["yaml"]).read_bytes()
    assert as_json.json() == yaml.safe_load(as_yaml.text) == json.loads((DIST / INDEX[name]["json"]).read_text())


@pytest.mark.parametrize(
    "file", ["nope.yaml", "twofactor.xml", "twofactor", "index.json", "..%2Findex.json", "twofactor.yaml.json"]
)
async def test_anything_else_is_a_404_in_the_control_shape(client: httpx.AsyncClient, file: str) -> None:
    reply = await client.get(f"/_emulator/openapi/{file}")
    assert reply.status_code == 404 and "error" in reply.json()


async def test_the_root_redirects_to_the_inbox(client: httpx.AsyncClient) -> None:
    reply = await client.get("/")
    assert reply.status_code == 307 and reply.headers["location"] == "/_emulator/inbox"
    page = await client.get("/", follow_redirects=True)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/_emulator/inbox/", "/_emulator/inbox"),
        ("/_emulator/openapi/", "/_emulator/openapi"),
        ("/_emulator/messages/?phone=9999999999", "/_emulator/messages?phone=9999999999"),
    ],
)
async def test_a_control_path_with_a_trailing_slash_redirects(
    client: httpx.AsyncClient, path: str, target: str
) -> None:
    reply = await client.get(path)
    assert reply.status_code == 308 and reply.headers["location"] == target
    assert (await client.get(path, follow_redirects=True)).status_code == 200


async def test_a_provider_path_with_a_trailing_slash_is_not_redirected(client: httpx.AsyncClient) -> None:
    """A redirect is no provider's reply: 2Factor's paths keep their own 404."""
    reply = await client.get(v1("BAL/SMS/"))
    assert reply.status_code != 308 and "location" not in reply.headers
    unknown = await client.get("/_emulator/no-such-thing/")
    assert unknown.status_code == 404
