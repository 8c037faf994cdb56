"""The clock stays within the dates the emulator can write: advancing past year 9999 is refused (400),
every route keeps answering, and a stored offset out of range is repaired at start (a real SQLite file)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from twofactor_emulator.core.store import Store
from twofactor_emulator.testing import create_app

from ..conftest import CONFIG, PHONE, v1

TEN_YEARS = 315_360_000


def client_on(db: Path) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(db=db, config=CONFIG), client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://emulator")


async def every_route_answers(http: httpx.AsyncClient) -> None:
    for path in ("/_emulator/health", "/_emulator/clock", "/_emulator/messages"):
        assert (await http.get(path)).status_code == 200, path
    assert (await http.get("/_emulator/otp", params={"phone": PHONE})).status_code == 200


async def test_advancing_past_year_9999_is_refused_and_nothing_breaks(tmp_path: Path) -> None:
    async with client_on(tmp_path / "clock.sqlite3") as http:
        assert (await http.get(v1(f"SMS/{PHONE}/AUTOGEN"))).status_code == 200
        refused = None
        for _ in range(1000):  # 10 years a step: about 800 steps reach year 9999
            reply = await http.post("/_emulator/clock/advance", json={"seconds": TEN_YEARS})
            if reply.status_code != 200:
                refused = reply
                break
        assert refused is not None and refused.status_code == 400
        assert "cannot pass 9999-01-01" in refused.json()["error"]
        clock = (await http.get("/_emulator/clock")).json()
        assert int(clock["now"][:4]) >= 9988  # within one step of the end
        await every_route_answers(http)
        # A send at the end of time still works, and its OTP can be read and verified.
        sent = (await http.get(v1(f"SMS/{PHONE}/AUTOGEN"))).json()
        otp = (await http.get("/_emulator/otp", params={"phone": PHONE})).json()["otp"]
        verified = await http.get(v1(f"SMS/VERIFY/{sent['Details']}/{otp}"))
        assert verified.json()["Details"] == "OTP Matched"


@pytest.mark.parametrize("stored", ["1e300", "inf", "nan", "-5", "not a number", repr(10.0**12)])
async def test_a_stored_offset_out_of_range_is_repaired_at_start(tmp_path: Path, stored: str) -> None:
    db = tmp_path / "repair.sqlite3"
    store = Store(str(db))
    store.set_meta("clock_offset", stored)
    store.close()
    async with client_on(db) as http:
        assert (await http.get(v1(f"SMS/{PHONE}/AUTOGEN"))).status_code == 200
        await every_route_answers(http)
        offset = (await http.get("/_emulator/clock")).json()["offsetSeconds"]
    repaired = Store(str(db))
    assert repaired.get_meta("clock_offset") == repr(offset)  # written back: the next start agrees
    repaired.close()
