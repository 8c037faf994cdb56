"""Short-link codes that collide: a send draws another code instead of failing (a real SQLite file)."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from twofactor_emulator.providers.twofactor import shortlinks
from twofactor_emulator.testing import create_app

from ..conftest import API_KEY, CONFIG

LINK = re.compile(r"/TFACTR/([a-z0-9]+)")


@pytest.fixture
async def file_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(db=tmp_path / "links.sqlite3", config=CONFIG)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
        yield http


def repeating_codes() -> Iterator[str]:
    """A generator that hands out each code three times before the next: every link meets collisions."""
    for n in itertools.count():
        code = f"{n:010d}".translate(str.maketrans("0123456789", "abcdefghij"))
        yield from (code, code, code)


async def send_with_links(client: httpx.AsyncClient, urls: int) -> httpx.Response:
    text = " ".join(f"https://example.com/{n}" for n in range(urls))
    form = {"module": "TRANS_SMS", "apikey": API_KEY, "to": "9876543210,8765432109", "from": "TFACTR", "msg": text}
    return await client.post("/API/R1/", data={**form, "shortenurl": "1"})


async def test_colliding_codes_are_drawn_again_and_no_send_fails(
    file_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = repeating_codes()
    monkeypatch.setattr(shortlinks, "new_code", lambda: next(codes))
    for _ in range(3):
        reply = await send_with_links(file_client, urls=4)
        assert reply.status_code == 200, reply.text
    messages = (await file_client.get("/_emulator/messages")).json()["messages"]
    found = [code for m in messages for code in LINK.findall(m["text"])]
    assert len(found) == 3 * 2 * 4 and len(set(found)) == len(found)  # every link got a code of its own
    for code in found[:3]:
        opened = await file_client.get(f"/TFACTR/{code}", follow_redirects=False)
        assert opened.status_code == 302
