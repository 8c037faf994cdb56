"""The V1 status body is built without json.dumps on the hot path: it must be the same JSON either way."""

from __future__ import annotations

import json

import pytest
from twofactor_emulator.providers.twofactor.replies import status_body


@pytest.mark.parametrize(
    ("details", "extra"),
    [
        ("160gaseavbemjvlgw7o-7303503698702e11", {"OTP": "012345"}),
        ("Invalid Phone Number - Length Mismatch(Expected: 10)", {}),
        ("Invalid API / SessionId Combination - No Entry Exists", {}),
        ('quote " and backslash \\', {}),
        ("unicode ✓ and a\nnewline", {"OTP": "1234"}),
        ("", {}),
    ],
)
def test_status_body_is_exact_json(details: str, extra: dict[str, str]) -> None:
    reply = status_body("Error", details, 400, **extra)
    assert json.loads(reply.body) == {"Status": "Error", "Details": details, **extra}
    assert reply.status_code == 400
    assert reply.headers["content-type"] == "application/json"
