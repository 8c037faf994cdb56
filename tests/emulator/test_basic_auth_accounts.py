"""The account lists of the Basic-auth families' config tables and their default accounts come from one
place (core/basic_auth.py): the same errors for both families, and a default account made once and
kept in the database file."""

from __future__ import annotations

from pathlib import Path

import pytest
from twofactor_emulator.core.basic_auth import read_accounts
from twofactor_emulator.core.config import ConfigError
from twofactor_emulator.core.service import Service
from twofactor_emulator.core.store import Store
from twofactor_emulator.providers.datatechlabs import accounts as dtl
from twofactor_emulator.providers.tata import accounts as tata

SID = "AC" + "0" * 32
TATA = {"account_sid": SID, "auth_token": "token-0123456789"}
DTL = {"username": "shop", "password": "password-0123"}


@pytest.mark.parametrize(
    ("read", "item", "message"),
    [
        (tata.read_config, TATA, "tata.accounts: the same account_sid is listed twice"),
        (dtl.read_config, DTL, "datatechlabs.accounts: the same username is listed twice"),
    ],
)
def test_both_families_refuse_an_account_listed_twice(read: object, item: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read({"accounts": [item, dict(item)]}, message.split(".")[0])  # type: ignore[operator]
    with pytest.raises(ConfigError, match="accounts: expected a list of tables"):
        read({"accounts": item}, "x")  # type: ignore[operator]


def test_read_accounts_reads_each_item_with_its_place() -> None:
    seen: list[str] = []

    def parse(raw: object, where: str) -> str:
        seen.append(where)
        return str(raw)

    assert read_accounts({"accounts": ["a", "b"]}, "fam", "upper", parse) == ("a", "b")
    assert seen == ["fam.accounts[0]", "fam.accounts[1]"]


def test_the_default_accounts_are_made_once_and_kept(tmp_path: Path) -> None:
    path = str(tmp_path / "defaults.sqlite3")
    first = Service(Store(path), None)
    made = (tata.configured_accounts(first)[0], dtl.configured_accounts(first)[0])
    first.store.close()
    again = Service(Store(path), None)
    assert (tata.configured_accounts(again)[0], dtl.configured_accounts(again)[0]) == made
    assert made[0].auth_token != made[1].password
