"""The emulator as a real process on a real socket: the round trip, restarts, SIGKILL while a client
is sending, and the command line."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from twofactor_emulator.testing import random_config, running_emulator, start_emulator

PHONE = "+919999999999"
pytestmark = pytest.mark.slow


def test_round_trip_over_a_real_socket() -> None:
    with running_emulator() as emulator:
        assert emulator.base_url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=emulator.base_url) as http:
            sent = http.get(f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN").json()
            otp = emulator.latest_otp(PHONE)
            reply = http.get(f"/API/V1/{emulator.api_key}/SMS/VERIFY/{sent['Details']}/{otp}")
            assert (reply.status_code, reply.json()) == (200, {"Status": "Success", "Details": "OTP Matched"})
            # A raw %2B in the path, as openapi-python-client sends it.
            encoded = http.get(f"/API/V1/{emulator.api_key}/SMS/%2B919999999999/AUTOGEN2").json()
            assert encoded["OTP"] == emulator.latest_otp(PHONE)
        emulator.advance_clock(601)
        with httpx.Client(base_url=emulator.base_url) as http:
            expired = http.get(f"/API/V1/{emulator.api_key}/SMS/VERIFY/{encoded['Details']}/{encoded['OTP']}")
            assert expired.json()["Details"] == "OTP Expired"
        assert emulator.reset() == 2
        assert emulator.messages() == []


def test_wait_for_message_sees_a_send_from_another_thread() -> None:
    with running_emulator() as emulator:
        timer = threading.Timer(
            0.2, lambda: httpx.get(f"{emulator.base_url}/API/V1/{emulator.api_key}/SMS/{PHONE}/123456")
        )
        timer.start()
        message = emulator.wait_for_message(PHONE, timeout=10)
        timer.join()
        assert message["otp"] == "123456"
        with pytest.raises(TimeoutError):
            emulator.wait_for_message(PHONE, timeout=0.1)


def test_sigkill_while_sending_loses_no_acknowledged_message(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite3"
    config = random_config()
    config_file = tmp_path / "config.json"
    config_file.write_text(__import__("json").dumps(config))
    api_key = config["accounts"][0]["api_key"]
    emulator = start_emulator(db, config_file, api_key, config["accounts"][0]["secret_key"])
    acknowledged: list[str] = []
    enough = threading.Event()
    stop = threading.Event()

    def send_until_refused() -> None:
        with httpx.Client(base_url=emulator.base_url, timeout=5) as http:
            n = 0
            while not stop.is_set():
                n += 1
                form = {"module": "TRANS_SMS", "apikey": api_key, "to": "9999999999", "from": "CRASH", "msg": f"m{n}"}
                try:
                    reply = http.post("/API/R1/", data=form)
                except httpx.HTTPError:
                    return  # the server died: this send was never acknowledged
                if reply.status_code == 200:
                    acknowledged.append(reply.json()["Details"])
                if len(acknowledged) >= 30:
                    enough.set()

    sender = threading.Thread(target=send_until_refused)
    sender.start()
    try:
        assert enough.wait(30), "the client could not send"
        emulator.kill()  # SIGKILL while the client keeps sending
    finally:
        stop.set()
        sender.join(30)
        emulator.stop()
    assert len(acknowledged) >= 30
    restarted = start_emulator(db, config_file, api_key, config["accounts"][0]["secret_key"])
    try:
        stored = {m["requestId"] for m in restarted.messages(limit=1000)}
    finally:
        restarted.stop()
    missing = [r for r in acknowledged if r not in stored]
    assert missing == [], f"{len(missing)} acknowledged sends were lost"


def test_command_line_prints_the_url_and_key_and_keeps_the_default_account(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    command = [sys.executable, "-m", "twofactor_emulator", "--port", "0", "--db", str(db)]
    keys = []
    for _ in range(2):
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(3)]
            assert lines[0].startswith("2Factor emulator listening on http://127.0.0.1:")
            base_url = lines[0].rsplit(" ", 1)[1].strip()
            assert "journal wal" in lines[1]
            key = lines[2].split("API key:")[1].split()[0]
            reply = httpx.get(f"{base_url}/API/V1/{key}/SMS/{PHONE}/AUTOGEN", timeout=10)
            assert reply.json()["Status"] == "Success"
            keys.append(key)
        finally:
            process.terminate()
            process.wait(10)
            if process.stdout is not None:
                process.stdout.close()
    assert keys[0] == keys[1]


def test_a_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[[accounts]]\napi_key = "k-1234"\nsecret_key = "too short"\n')
    result = subprocess.run(
        [sys.executable, "-m", "twofactor_emulator", "--port", "0", "--db", ":memory:", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "secret_key: must be exactly 32 printable ASCII characters" in result.stderr
    assert "too short" not in result.stderr  # the secret itself never appears


def test_the_listening_socket_is_tcp_so_asyncio_sets_nodelay() -> None:
    # asyncio sets TCP_NODELAY only on connections accepted from an IPPROTO_TCP socket; with proto 0
    # every reply waited ~40 ms for Nagle's algorithm (found by the benchmark).
    from twofactor_emulator.cli import listening_socket

    sock = listening_socket("127.0.0.1", 0)
    try:
        assert sock.proto == __import__("socket").IPPROTO_TCP
    finally:
        sock.close()
