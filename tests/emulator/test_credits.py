"""Credits: one per SMS segment (GSM-7 160/153, Unicode 70/67), 250 to start, a 2Factor-shaped
error when they run out, and the balance through the balance routes and the control API."""

from __future__ import annotations

import random
import secrets
import uuid
from typing import Any

import pytest
from twofactor_emulator.core.credits import _GSM_BASIC, _GSM_EXTENSION, OUT_OF_CREDITS, is_gsm7, segments
from twofactor_emulator.testing import EmulatorHandle, running_emulator

PHONE = "+919876543210"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters take two septets: 160
        ("€" * 80 + "a", 2),
        ("[" * 77, 1),
        ("अ" * 70, 1),  # Devanagari: Unicode
        ("अ" * 71, 2),
        ("अ" * 134, 2),
        ("अ" * 135, 3),
        ("a" * 159 + "अ", 3),  # one non-GSM character makes the whole text Unicode: 160 / 67
        ("😀" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, 2),
        ("Ñandú ¿qué? äöü ÆØÅ", 1),  # GSM-7's own accented letters stay GSM-7
    ],
)
def test_segments(text: str, expected: int) -> None:
    assert segments(text) == expected


def test_the_counting_matches_the_alphabet_tables_character_by_character() -> None:
    # The counting scans with regular expressions; the tables are the definition. Every character of
    # both tables (regex metacharacters among them: \\ [ ] ^ - ...), near misses, and random mixes.
    others = "`\t\x00\x7fअ😀ÀÁâçÿ\u00a0\u2028"
    alphabet = "".join(sorted(_GSM_BASIC | _GSM_EXTENSION)) + others
    rng = random.Random(20261201)
    texts = [*alphabet, *(ch * 200 for ch in alphabet)]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 400))) for _ in range(300)]
    texts += [
        "".join(rng.choice(sorted(_GSM_BASIC | _GSM_EXTENSION)) for _ in range(rng.randrange(1, 400)))
        for _ in range(300)
    ]
    for text in texts:
        gsm = all(ch in _GSM_BASIC or ch in _GSM_EXTENSION for ch in text)
        assert is_gsm7(text) == gsm, repr(text)
        if gsm:
            length, single, part = sum(2 if ch in _GSM_EXTENSION else 1 for ch in text), 160, 153
        else:
            length, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
        assert segments(text) == (1 if length <= single else -(-length // part)), repr(text)


def account(credits: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"api_key": str(uuid.uuid4()), "secret_key": secrets.token_hex(16), "sandbox": False}
    if credits is not None:
        entry["credits"] = credits
    return {"accounts": [entry]}


def balance(emulator: EmulatorHandle) -> int:
    reply = emulator.client.get(f"/API/V1/{emulator.api_key}/BAL/SMS").json()
    return int(reply["Details"])


def r1(emulator: EmulatorHandle, text: str) -> Any:
    form = {"module": "TRANS_SMS", "apikey": emulator.api_key, "to": PHONE, "from": "HEADER", "msg": text}
    return emulator.client.post("/API/R1/", data=form)


@pytest.mark.slow
def test_a_new_account_has_250_credits_and_pays_per_segment() -> None:
    with running_emulator(config=account(None)) as emulator:
        assert balance(emulator) == 250
        assert r1(emulator, "a" * 161).status_code == 200  # 2 segments
        assert r1(emulator, "नमस्ते " * 12).status_code == 200  # 84 UTF-16 units: 2 segments
        emulator.client.get(f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN")  # "Your OTP is ...": 1
        assert balance(emulator) == 245
        [credits] = emulator.client.get("/_emulator/credits").json()["accounts"]
        assert credits == {"apiKeyEnd": emulator.api_key[-4:], "credits": 250, "used": 5, "balance": 245}
        emulator.reset()
        assert balance(emulator) == 250


@pytest.mark.slow
def test_running_out_gives_a_2factor_error_in_each_shape_and_stores_nothing() -> None:
    with running_emulator(config=account(3)) as emulator:
        assert r1(emulator, "a" * 300).status_code == 200  # 2 of 3 credits
        refused = r1(emulator, "a" * 300)
        assert (refused.status_code, refused.json()) == (400, {"Status": "Error", "Details": OUT_OF_CREDITS})
        otp = emulator.client.get(f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN")  # the last credit
        assert otp.status_code == 200
        again = emulator.client.get(f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN")
        assert again.json() == {"Status": "Error", "Details": OUT_OF_CREDITS}
        bulk = emulator.client.post(
            "/API/R1/Bulk/",
            json={
                "module": "TRANS_SMS",
                "apikey": emulator.api_key,
                "messages": [{"smsFrom": "TFACTR", "smsTo": PHONE, "smsText": "hi"}],
            },
        )
        assert bulk.status_code == 400
        assert bulk.json()["success"] is False and bulk.json()["error"] == OUT_OF_CREDITS
        assert len(emulator.messages()) == 2 and balance(emulator) == 0
