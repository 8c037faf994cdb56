"""The pytest plugin, as a downstream project gets it: a separate tiny project in a temporary folder,
with no conftest and no import of the plugin, run by pytest in its own rootdir. The fixture can only
come from the installed distribution's `pytest11` entry point."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# The downstream "web app": an OTP login flow against a 2Factor base URL.
LOGIN_APP = """
import httpx


class LoginApp:
    def __init__(self, base_url, api_key):
        self.http = httpx.Client(base_url=base_url)
        self.api_key = api_key

    def start_login(self, phone):
        reply = self.http.get(f"/API/V1/{self.api_key}/SMS/{phone}/AUTOGEN").json()
        return reply["Details"]  # the session id

    def finish_login(self, session_id, code):
        reply = self.http.get(f"/API/V1/{self.api_key}/SMS/VERIFY/{session_id}/{code}").json()
        return reply["Details"] == "OTP Matched"
"""

TESTS = """
import threading

from loginapp import LoginApp

PHONE = "+919812345678"


def test_otp_login(twofactor_emulator):
    app = LoginApp(twofactor_emulator.base_url, twofactor_emulator.api_key)
    session = app.start_login(PHONE)
    assert not app.finish_login(session, "000000" if twofactor_emulator.latest_otp(PHONE) != "000000" else "111111")
    assert app.finish_login(session, twofactor_emulator.latest_otp(PHONE))


def test_reset_between_tests_and_wait_for_message(twofactor_emulator):
    assert twofactor_emulator.messages() == []  # the first test's messages are gone
    app = LoginApp(twofactor_emulator.base_url, twofactor_emulator.api_key)
    threading.Timer(0.2, app.start_login, [PHONE]).start()
    message = twofactor_emulator.wait_for_message(PHONE, timeout=20)
    assert message["otp"] in message["text"]


def test_expiry_on_the_emulator_clock(twofactor_emulator):
    app = LoginApp(twofactor_emulator.base_url, twofactor_emulator.api_key)
    session = app.start_login(PHONE)
    twofactor_emulator.advance_clock(601)
    assert not app.finish_login(session, twofactor_emulator.latest_otp(PHONE))


def test_latest_otp_whatever_the_provider(twofactor_emulator):
    import httpx

    sid, token = twofactor_emulator.credentials["tata"]
    body = {"service": "Shop", "from": "SHOP", "to": PHONE, "body": "Code {code}", "length": 8}
    sent = httpx.post(twofactor_emulator.base_url + "/2fa/send", json=body, auth=(sid, token)).json()
    code = twofactor_emulator.latest_otp(PHONE)
    assert len(code) == 8
    verify = {"service": "Shop", "number": PHONE, "code": code, "requestID": sent["requestID"]}
    assert httpx.post(twofactor_emulator.base_url + "/2fa/verify", json=verify, auth=(sid, token)).status_code == 200
"""


def run_project(folder: Path) -> subprocess.CompletedProcess[str]:
    """pytest on the project in `folder`, as its own rootdir, with the installed plugin only."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(folder)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(folder), str(folder)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_the_fixture_works_in_a_separate_project(tmp_path: Path, mode: str) -> None:
    (tmp_path / "loginapp.py").write_text(LOGIN_APP)
    (tmp_path / "test_login.py").write_text(TESTS)
    (tmp_path / "pytest.ini").write_text(f"[pytest]\ntwofactor_emulator_mode = {mode}\n")
    result = run_project(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_an_unknown_mode_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x(twofactor_emulator):\n    pass\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\ntwofactor_emulator_mode = docker\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "twofactor_emulator_mode must be one of thread, process" in result.stdout


# With a control token: the control API refuses a request without it; the fixture sends it.
TOKEN_TESTS = """
import httpx

def test_token(twofactor_emulator):
    assert httpx.get(twofactor_emulator.base_url + "/_emulator/health").status_code == 401
    assert httpx.get(twofactor_emulator.base_url + "/_emulator/health",
                     headers=twofactor_emulator.control_headers).status_code == 200
    httpx.get(f"{twofactor_emulator.base_url}/API/V1/{twofactor_emulator.api_key}/SMS/+919999999999/AUTOGEN")
    assert len(twofactor_emulator.latest_otp("+919999999999")) == 6
"""


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_the_fixture_sends_a_control_token(tmp_path: Path, mode: str) -> None:
    (tmp_path / "test_token.py").write_text(TOKEN_TESTS)
    token = secrets.token_urlsafe(24)
    ini = f"[pytest]\ntwofactor_emulator_mode = {mode}\ntwofactor_emulator_control_token = {token}\n"
    (tmp_path / "pytest.ini").write_text(ini)
    result = run_project(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert token not in result.stdout + result.stderr
