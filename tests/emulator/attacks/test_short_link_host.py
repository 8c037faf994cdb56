"""Short links name the emulator by its configured public URL, or by the address it listens on,
never by the request's `Host` header, which any client sets. (A send with `Host: attacker.example`
handed its recipients links to the attacker's host.)"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from .conftest import run_command

LINK = re.compile(r"(https?://[^/\s]+)/TFACTR/[a-z0-9]{6}")


def _send_with_link(http: httpx.Client, api_key: str, host: str) -> str:
    form = {
        "module": "TRANS_SMS",
        "apikey": api_key,
        "to": "9999999999",
        "from": "TFACTR",
        "msg": "Track it at https://shop.example/o/1",
        "shortenurl": "1",
    }
    assert http.post("/API/R1/", data=form, headers={"Host": host}).status_code == 200
    [message] = http.get("/_emulator/messages").json()["messages"]
    found = LINK.search(message["text"])
    assert found, message["text"]
    http.post("/_emulator/reset", json={})
    return found.group(1)


def test_links_use_the_listening_address_not_the_host_header(serve: Any) -> None:
    with serve() as emulator, httpx.Client(base_url=emulator.base_url) as http:
        assert _send_with_link(http, emulator.api_key, "attacker.example") == emulator.base_url


def test_links_use_the_public_url_when_one_is_configured(serve: Any) -> None:
    with (
        serve(public_url="https://sms.dev.example:8443/") as emulator,
        httpx.Client(base_url=emulator.base_url) as http,
    ):
        assert _send_with_link(http, emulator.api_key, "attacker.example") == "https://sms.dev.example:8443"


def test_the_command_reads_the_public_url_from_its_option_or_the_environment(tmp_path: Path) -> None:
    public = {"TWOFACTOR_EMULATOR_PUBLIC_URL": "http://sms.dev.example:9"}
    with run_command(tmp_path, env=public) as command, httpx.Client(base_url=command.base_url) as http:
        assert _send_with_link(http, command.api_key, "attacker.example") == "http://sms.dev.example:9"
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "twofactor_emulator",
            "serve",
            "--port",
            "0",
            "--db",
            ":memory:",
            "--public-url",
            "ftp://x",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "--public-url must be an http(s) base URL" in refused.stderr
