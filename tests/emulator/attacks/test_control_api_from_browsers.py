"""Another web page, another host name, or another machine cannot drive the control API: cross-site
requests (Origin, Sec-Fetch-Site) are 403, a state-changing request that is not JSON is 415, a Host
that does not name the emulator is 421 (DNS rebinding), and with a control token nothing under
`/_emulator/` answers without it. (A page on another origin could wipe the outbox with a text/plain
POST, and `--host 0.0.0.0` served everyone with no warning.)"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from twofactor_emulator.testing import running_emulator

from .conftest import run_command

PHONE = "+919999999999"
EVIL = "http://attacker.example"
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - what the emulator must refuse to serve without a token


def _send_otp(http: httpx.Client, api_key: str) -> None:
    assert http.get(f"/API/V1/{api_key}/SMS/{PHONE}/AUTOGEN").status_code == 200


def _stored(http: httpx.Client, **headers: str) -> int:
    return len(http.get("/_emulator/messages", headers=headers).json()["messages"])


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL, "Content-Type": "text/plain"},  # a form or fetch "simple request" from another page
        {"Origin": EVIL, "Content-Type": "application/json"},
        {"Origin": "null", "Content-Type": "application/json"},  # a sandboxed iframe or a file: page
        {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"},
        {"Sec-Fetch-Site": "same-site", "Content-Type": "application/json"},  # another port of localhost
    ],
    ids=["origin-text-plain", "origin-json", "origin-null", "fetch-cross-site", "fetch-same-site"],
)
def test_a_cross_site_request_is_refused_and_changes_nothing(serve: Any, headers: dict[str, str]) -> None:
    with serve() as emulator, httpx.Client(base_url=emulator.base_url) as http:
        _send_otp(http, emulator.api_key)
        for method, path, body in [
            ("POST", "/_emulator/reset", "{}"),
            ("POST", "/_emulator/clock/advance", '{"seconds": 86400}'),
            ("PUT", "/_emulator/webhooks", '{"url": "http://attacker.example/x"}'),
            ("GET", f"/_emulator/otp?phone={PHONE}", None),
        ]:
            reply = http.request(method, path, content=body, headers=headers)
            assert reply.status_code == 403, (path, reply.text)
            assert reply.json() == {"error": "cross-site requests to the control API are refused"}
        assert _stored(http) == 1
        assert http.get("/_emulator/clock").json()["offsetSeconds"] == 0
        assert http.get("/_emulator/webhooks").json()["url"] is None


def test_the_emulators_own_pages_and_plain_clients_pass(serve: Any) -> None:
    with serve() as emulator, httpx.Client(base_url=emulator.base_url) as http:
        own = {"Origin": emulator.base_url, "Sec-Fetch-Site": "same-origin"}
        assert http.post("/_emulator/reset", json={}, headers=own).status_code == 200  # the inbox's reset button
        assert http.get("/_emulator/inbox", headers={"Sec-Fetch-Site": "none"}).status_code == 200  # typed URL
        assert http.post("/_emulator/reset", json={}).status_code == 200  # curl, httpx: no browser headers


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_state_changing_control_request_must_be_json(serve: Any, content_type: str | None) -> None:
    with serve() as emulator, httpx.Client(base_url=emulator.base_url) as http:
        _send_otp(http, emulator.api_key)
        headers = {} if content_type is None else {"Content-Type": content_type}
        for method, path in [("POST", "/_emulator/reset"), ("PUT", "/_emulator/delivery")]:
            reply = http.request(method, path, content=b"{}", headers=headers)
            assert reply.status_code == 415, reply.text
            assert "application/json" in reply.json()["error"]
        assert _stored(http) == 1
        json_ok = http.post(
            "/_emulator/reset", content=b"{}", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        assert json_ok.status_code == 200


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8787", "127.0.0.1.nip.io", "[::2]:80"])
def test_a_foreign_host_name_is_refused_on_the_control_api_and_the_inbox(serve: Any, host: str) -> None:
    with serve() as emulator, httpx.Client(base_url=emulator.base_url) as http:
        for path in ["/_emulator/messages", "/_emulator/inbox", "/_emulator/events"]:
            reply = http.get(path, headers={"Host": host})
            assert reply.status_code == 421, (path, reply.text)
            assert "Host" in reply.json()["error"]
        # The 2Factor routes answer under any name: they need an API key, and apps under test reach the
        # emulator by container names and tunnels (README's security section).
        assert http.get(f"/API/V1/{emulator.api_key}/BAL/SMS", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:1234", "127.0.0.1", "[::1]:8787", "emulator.test:9"])
def test_loopback_names_and_the_public_url_are_allowed(serve: Any, host: str) -> None:
    with serve(public_url="http://emulator.test:9") as emulator, httpx.Client(base_url=emulator.base_url) as http:
        assert http.get("/_emulator/health", headers={"Host": host}).status_code == 200


def test_with_a_token_the_control_api_and_the_inbox_need_it(serve: Any) -> None:
    token = secrets.token_urlsafe(24)
    with serve(control_token=token) as emulator, httpx.Client(base_url=emulator.base_url) as http:
        for path in ["/_emulator/health", "/_emulator/messages", "/_emulator/inbox", "/_emulator/events"]:
            for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {token}"}]:
                reply = http.get(path, headers=headers)
                assert reply.status_code == 401, (path, headers)
                assert reply.headers["www-authenticate"].startswith("Bearer")
                assert token not in reply.text
        assert http.post("/_emulator/reset", json={}).status_code == 401
        bearer = {"Authorization": f"Bearer {token}"}
        assert http.get("/_emulator/health", headers=bearer).status_code == 200
        assert http.post("/_emulator/reset", json={}, headers=bearer).status_code == 200
        # The 2Factor routes need their API key, not the control token.
        assert http.get(f"/API/V1/{emulator.api_key}/BAL/SMS").status_code == 200


def test_a_browser_passes_the_token_once_and_keeps_a_strict_cookie(serve: Any) -> None:
    token = secrets.token_urlsafe(24)
    with serve(control_token=token) as emulator, httpx.Client(base_url=emulator.base_url) as http:
        assert http.get("/_emulator/inbox", params={"token": "wrong"}).status_code == 401
        login = http.get("/_emulator/inbox", params={"token": token})
        assert login.status_code == 303 and login.headers["location"] == "/_emulator/inbox"  # the token leaves the URL
        cookie = login.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/_emulator" in cookie
        assert token not in cookie  # an HMAC of the token, not the token
        assert http.get("/_emulator/inbox").status_code == 200  # httpx keeps the cookie, as a browser does
        assert http.get("/_emulator/messages").status_code == 200
        with http.stream("GET", "/_emulator/events") as events:
            assert events.status_code == 200
        # The cookie does not open the control API to other pages: the Origin check still applies.
        assert http.post("/_emulator/reset", json={}, headers={"Origin": EVIL}).status_code == 403


def test_the_test_helpers_send_the_token(tmp_path: Path) -> None:
    token = secrets.token_urlsafe(24)
    with running_emulator(control_token=token) as emulator:
        assert httpx.get(f"{emulator.base_url}/_emulator/health").status_code == 401
        assert emulator.health()["status"] == "ok"
        httpx.get(f"{emulator.base_url}/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN").raise_for_status()
        assert len(emulator.latest_otp(PHONE)) == 6
        assert token not in repr(emulator)


def test_a_non_loopback_address_needs_a_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TWOFACTOR_EMULATOR_CONTROL_TOKEN"}
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "twofactor_emulator",
            "serve",
            "--host",
            EVERY_INTERFACE,
            "--port",
            "0",
            "--db",
            ":memory:",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert refused.returncode == 2
    assert refused.stdout == ""
    [line] = refused.stderr.splitlines()
    assert "0.0.0.0 is not a loopback address" in line and "TWOFACTOR_EMULATOR_CONTROL_TOKEN" in line


def test_with_a_token_a_non_loopback_address_warns_and_the_token_stays_out_of_every_output(tmp_path: Path) -> None:
    token = secrets.token_urlsafe(24)
    with run_command(
        tmp_path,
        "--host",
        EVERY_INTERFACE,
        env={"TWOFACTOR_EMULATOR_CONTROL_TOKEN": token},
    ) as command:
        port = command.base_url.rsplit(":", 1)[1]
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/_emulator/health").status_code == 401
        assert httpx.get(f"{base}/_emulator/inbox", params={"token": "wrong" + token}).status_code == 401
        assert httpx.get(f"{base}/_emulator/health", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert httpx.get(f"{base}/_emulator/inbox", params={"token": token}).status_code == 303
        command.process.terminate()
        stdout = command.process.stdout.read() if command.process.stdout else ""
        command.process.wait(timeout=10)
        stderr = command.stderr()
    assert "warning: listening on 0.0.0.0" in stderr
    assert token not in stdout + stderr
    assert "control token: required" in stdout  # the banner's last line (the fixture read the others)
