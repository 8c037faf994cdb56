"""Account configuration: templates, sender ids, DLT texts, OTP settings, IP allowlist, bad files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from twofactor_emulator.core.config import ConfigError, load_config, parse_config
from twofactor_emulator.testing import create_app

KEY = "cfg-0000-0000-0001"
SECRET = "0123456789abcdef0123456789abcdef"
PHONE = "+919999999999"


def account(**extra: Any) -> dict[str, Any]:
    return {"accounts": [{"api_key": KEY, "secret_key": SECRET, **extra}]}


@pytest.fixture
def make_client() -> Any:
    clients: list[httpx.AsyncClient] = []

    def make(config: dict[str, Any], client_ip: str = "127.0.0.1") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=create_app(config=config), client=(client_ip, 40000))
        client = httpx.AsyncClient(transport=transport, base_url="http://emulator")
        clients.append(client)
        return client

    return make


@pytest.fixture(autouse=True)
async def _close(make_client: Any) -> AsyncIterator[None]:
    yield


async def otp_text(client: httpx.AsyncClient) -> str:
    text: str = (await client.get("/_emulator/messages/latest", params={"phone": PHONE})).json()["text"]
    return text


async def test_otp_templates_and_the_default(make_client: Any) -> None:
    client = make_client(
        account(
            otp_templates={"LOGIN": "{otp} is your login code", "RESET": "Reset code {otp}"},
            default_otp_template="RESET",
        )
    )
    await client.get(f"/API/V1/{KEY}/SMS/{PHONE}/AUTOGEN")
    assert (await otp_text(client)).startswith("Reset code ")
    await client.get(f"/API/V1/{KEY}/SMS/{PHONE}/AUTOGEN/LOGIN")
    assert (await otp_text(client)).endswith(" is your login code")
    unknown = await client.get(f"/API/V1/{KEY}/SMS/{PHONE}/AUTOGEN/OTHER")
    assert unknown.json() == {"Status": "Error", "Details": "Invalid Template Name - Template Not Found"}


async def test_sender_ids_and_dlt_texts(make_client: Any) -> None:
    client = make_client(account(sender_ids=["TFACTR"], sms_templates={"SHIP": "Order {#var#} has shipped."}))
    form = {"module": "TRANS_SMS", "apikey": KEY, "to": "9999999999", "from": "TFACTR", "msg": "Order 42 has shipped."}
    assert (await client.post("/API/R1/", data=form)).status_code == 200
    other_sender = await client.post("/API/R1/", data=form | {"from": "OTHER"})
    assert other_sender.json()["Details"] == "Invalid Sender Id - Not Approved For This Account"
    other_text = await client.post("/API/R1/", data=form | {"msg": "Buy now!"})
    assert other_text.json()["Details"] == "Message Text Does Not Match Any Approved Template"


async def test_invalidate_resend_policy_and_custom_limits(make_client: Any) -> None:
    client = make_client(account(otp={"resend_policy": "invalidate", "ttl_seconds": 60, "max_attempts": 2}))
    first = (await client.get(f"/API/V1/{KEY}/SMS/{PHONE}/1111")).json()["Details"]
    second = (await client.get(f"/API/V1/{KEY}/SMS/{PHONE}/2222")).json()["Details"]
    assert (await client.get(f"/API/V1/{KEY}/SMS/VERIFY/{first}/1111")).json()["Details"] == "OTP Expired"
    for _ in range(2):
        await client.get(f"/API/V1/{KEY}/SMS/VERIFY/{second}/9999")
    assert (await client.get(f"/API/V1/{KEY}/SMS/VERIFY/{second}/2222")).json()["Details"] == "OTP Attempts Exceeded"
    third = (await client.get(f"/API/V1/{KEY}/SMS/{PHONE}/3333")).json()["Details"]
    await client.post("/_emulator/clock/advance", json={"seconds": 61})
    assert (await client.get(f"/API/V1/{KEY}/SMS/VERIFY/{third}/3333")).json()["Details"] == "OTP Expired"


async def test_ip_allowlist(make_client: Any) -> None:
    allowed = make_client(account(ip_allowlist=["10.0.0.0/8"]), client_ip="10.1.2.3")
    assert (await allowed.get(f"/API/V1/{KEY}/BAL/SMS")).status_code == 200
    refused = make_client(account(ip_allowlist=["10.0.0.0/8"]), client_ip="127.0.0.1")
    reply = await refused.get(f"/API/V1/{KEY}/BAL/SMS")
    assert reply.json() == {"Status": "Error", "Details": "Request From An IP Address Not In The Allowlist"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"accounts": [{"api_key": KEY}]}, "secret_key is required"),
        (account(secret_key="short"), "must be exactly 32 printable ASCII characters"),
        (account(sandbox=["12345"]), "accounts[0].sandbox"),
        (account(otp={"ttl_seconds": 0}), "must be positive"),
        (account(otp={"resend_policy": "never"}), "resend_policy"),
        (account(otp_templates={"A": "no placeholder"}), "must contain the placeholder {otp}"),
        (account(colour="blue"), "unknown key(s) colour"),
        ({"accounts": [account()["accounts"][0], account()["accounts"][0]]}, "duplicate api_key"),
    ],
)
def test_bad_configs_name_the_key_and_hide_the_secret(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(config)
    assert message in str(caught.value)
    assert SECRET not in str(caught.value)


def test_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text(f'[[accounts]]\napi_key = "{KEY}"\nsecret_key = "{SECRET}"\nsandbox = ["9920123456"]\n')
    loaded = load_config(path)
    assert loaded.accounts[0].sandbox == ("+919920123456",)
    assert SECRET not in repr(loaded) and KEY not in repr(loaded)
    (tmp_path / "broken.toml").write_text("[[accounts]\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path / "broken.toml")
