"""The `twofactor-emulator` command: its commands, flags and environment variables, its usage errors
(exit 2, in words, no traceback), its banner, and `twofactor-emulator otp PHONE`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from twofactor_emulator import __version__
from twofactor_emulator.testing import EmulatorHandle

from .conftest import API_KEY, PHONE, v1

SCRIPT = shutil.which("twofactor-emulator", path=str(Path(sys.executable).parent))


def environment(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWOFACTOR_EMULATOR_")}
    return {**env, **variables}


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    assert SCRIPT, "the twofactor-emulator console script is not installed (./dev setup)"
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, timeout=timeout, check=False, env=env or environment()
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """A `twofactor-emulator` process started by a test, with the banner it printed."""

    def __init__(self, process: subprocess.Popen[str], banner: list[str]) -> None:
        self.process = process
        self.banner = banner
        found = re.search(r"http://127\.0\.0\.1:\d+", banner[0])
        assert found, banner
        self.base_url = found.group(0)


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """Start the command with arguments and environment; read its banner; stop it after the test."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Served:
        assert SCRIPT
        process = subprocess.Popen(
            [SCRIPT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or environment()
        )
        started.append(process)
        assert process.stdout is not None
        banner = [process.stdout.readline()]
        while not banner[-1].startswith("  control API:"):
            line = process.stdout.readline()
            assert line, "".join(banner) + (process.stderr.read() if process.stderr else "")
            banner.append(line)
        return Served(process, [line.rstrip("\n") for line in banner])

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_help_lists_the_commands() -> None:
    done = run("--help")
    assert done.returncode == 0
    for command in ("serve", "otp", "demo"):
        assert re.search(rf"^\s+{command}\s", done.stdout, re.M), done.stdout


def test_version() -> None:
    done = run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"twofactor-emulator {__version__}"


@pytest.mark.parametrize(
    "args",
    [
        ("--port", "99999"),
        ("--port", "-1"),
        ("--port", "eighty"),
        ("serve", "--port", "65536"),
        ("--no-such-flag",),
        ("otp",),
    ],
)
def test_usage_errors_exit_2_in_words(args: tuple[str, ...]) -> None:
    done = run(*args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "OverflowError" not in done.stderr
    assert "error:" in done.stderr


def test_a_bad_port_in_the_environment_names_the_variable(tmp_path: Path) -> None:
    done = run("--db", ":memory:", env=environment(TWOFACTOR_EMULATOR_PORT="99999"))
    assert done.returncode == 2 and "$TWOFACTOR_EMULATOR_PORT" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--db", ":memory:", "--config", "/no/such/accounts.toml"), "cannot read config file"),
        (("--db", "/proc/no/such/folder/e.sqlite3"), "cannot open the database"),
        (("--db", ":memory:", "--host", "no-such-host.invalid"), "cannot listen on"),
    ],
)
def test_bad_inputs_exit_2_without_a_traceback(args: tuple[str, ...], words: str) -> None:
    done = run(*args)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr


def test_the_environment_configures_serve_and_the_banner_names_the_inbox(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    port = free_port()
    config = tmp_path / "accounts.toml"
    config.write_text(f'[[accounts]]\napi_key = "{API_KEY}"\nsecret_key = "{"s" * 32}"\nsandbox = false\n')
    db = tmp_path / "from-env.sqlite3"
    env = environment(
        TWOFACTOR_EMULATOR_HOST="127.0.0.1",
        TWOFACTOR_EMULATOR_PORT=str(port),
        TWOFACTOR_EMULATOR_DB=str(db),
        TWOFACTOR_EMULATOR_CONFIG=str(config),
    )
    served = serve(env=env)
    assert served.base_url == f"http://127.0.0.1:{port}"
    text = "\n".join(served.banner)
    assert str(db) in text and API_KEY in text
    assert f"  inbox: http://127.0.0.1:{port}/_emulator/inbox" in served.banner
    assert db.exists()


def test_flags_win_over_the_environment(serve: Callable[..., Served], tmp_path: Path) -> None:
    env = environment(TWOFACTOR_EMULATOR_PORT=str(free_port()), TWOFACTOR_EMULATOR_DB=str(tmp_path / "env.sqlite3"))
    port = free_port()
    served = serve("--port", str(port), "--db", str(tmp_path / "flag.sqlite3"), env=env)
    assert served.base_url == f"http://127.0.0.1:{port}"
    assert "flag.sqlite3" in "\n".join(served.banner) and not (tmp_path / "env.sqlite3").exists()


def test_otp_prints_the_latest_otp_of_a_running_emulator(emulator: EmulatorHandle) -> None:
    httpx.get(f"{emulator.base_url}/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN").raise_for_status()
    expected = emulator.latest_otp(PHONE)
    by_flag = run("otp", PHONE, "--url", emulator.base_url)
    assert by_flag.returncode == 0 and by_flag.stdout == f"{expected}\n", by_flag.stderr
    by_env = run("otp", "9999999999", env=environment(TWOFACTOR_EMULATOR_URL=emulator.base_url))
    assert by_env.returncode == 0 and by_env.stdout.strip() == expected


def test_otp_for_a_number_that_got_none_exits_1(emulator: EmulatorHandle) -> None:
    done = run("otp", "+918888888888", "--url", emulator.base_url)
    assert done.returncode == 1 and done.stdout == "" and "+918888888888" in done.stderr


def test_otp_without_a_running_emulator_says_what_to_do() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = run("otp", PHONE, "--url", url)
    assert done.returncode == 3
    assert url in done.stderr and "is it running?" in done.stderr and "Traceback" not in done.stderr


def test_otp_uses_the_emulator_host_and_port_variables(emulator: EmulatorHandle) -> None:
    httpx.get(f"{emulator.base_url}{v1(f'SMS/{PHONE}/AUTOGEN', emulator.api_key)}").raise_for_status()
    port = emulator.base_url.rsplit(":", 1)[1]
    done = run("otp", PHONE, env=environment(TWOFACTOR_EMULATOR_HOST="127.0.0.1", TWOFACTOR_EMULATOR_PORT=port))
    assert done.returncode == 0 and done.stdout.strip() == emulator.latest_otp(PHONE)


def test_stopping_ends_an_open_event_stream_and_a_long_poll_at_once(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    """SIGTERM with the inbox's event stream open and a long-poll waiting: uvicorn waits for every
    request in flight, and both end as the shutdown begins: the stream without another tick, the
    long-poll with 204 (no message came)."""
    served = serve("--port", "0", "--db", str(tmp_path / "stop.sqlite3"))
    waited: list[int] = []

    def long_poll() -> None:
        reply = httpx.get(
            f"{served.base_url}/_emulator/messages/wait", params={"phone": PHONE, "timeout": 60}, timeout=90
        )
        waited.append(reply.status_code)

    poller = threading.Thread(target=long_poll)
    with httpx.stream("GET", f"{served.base_url}/_emulator/events", timeout=90) as stream:
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        poller.start()
        time.sleep(0.3)  # the long-poll is waiting (a slower start only makes this test weaker, not wrong)
        served.process.send_signal(signal.SIGTERM)
        rest = list(lines)
    poller.join(timeout=90)
    served.process.wait(timeout=60)  # it ended (uvicorn re-raises the SIGTERM once shut down)
    assert not any(line.startswith("event: tick") for line in rest), rest
    assert waited == [204]
