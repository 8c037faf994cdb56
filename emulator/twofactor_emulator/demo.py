"""`twofactor-emulator demo`: the README's first command.

Starts the emulator as a real server (a child process on a free 127.0.0.1 port, on the embedded SQLite
default unless --db says otherwise), then does what an app does, through the `twofactor` client:
send an OTP, read the SMS that "was sent" from the control API, verify a wrong code, verify the right
one, and verify it again. Every step prints one line; the exit code is 0 only if every step answered as
the 2Factor docs say it should.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from twofactor import TwoFactor, TwoFactorError

from .cli import default_db_path
from .testing import EmulatorHandle

DEMO_PHONE = "+919999999999"
STARTUP_SECONDS = 30.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twofactor-emulator demo",
        description="Start the emulator and run a send-and-verify round trip through the twofactor client.",
    )
    parser.add_argument("--db", help=f"SQLite file, or :memory: (default {default_db_path()})")
    parser.add_argument("--phone", default=DEMO_PHONE, help=f"the number to send the OTP to (default {DEMO_PHONE})")
    return parser


def _mask(key: str) -> str:
    """The demo prints which account it used without printing the key itself."""
    return f"{key[:4]}…{key[-4:]}" if len(key) > 12 else "…"


def start(db: str) -> EmulatorHandle:
    """`twofactor-emulator serve --port 0` with no --config: the database's own default account."""
    if db != ":memory:":
        Path(db).parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "twofactor_emulator", "serve", "--port", "0", "--db", db],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    base_url = api_key = ""
    # The banner: "... listening on URL", then "  API key: KEY" per account, then the control API line.
    for line in process.stdout:
        if "listening on " in line:
            base_url = line.rsplit(" ", 1)[1].strip()
        elif line.strip().startswith("API key:") and not api_key:
            api_key = line.split("API key:", 1)[1].split()[0]
        elif "control API" in line:
            break
    if not base_url or not api_key:
        process.kill()
        process.wait()
        raise RuntimeError(f"the emulator did not start (exit code {process.poll()})")
    handle = EmulatorHandle(process, base_url, api_key, secret_key="")
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            handle.health()
            return handle
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                handle.stop()
                raise
            time.sleep(0.05)


def round_trip(client: TwoFactor, emulator: EmulatorHandle, phone: str, say: Callable[[str], None]) -> bool:
    """Send, read the SMS, verify wrong, verify right, verify again. True if all answered as documented."""
    sent = client.otp.send(phone)
    say(f"1. sent an OTP to {phone}: session {sent.session_id}")
    message = emulator.latest_message(phone)
    code = emulator.latest_otp(phone)
    say(f"2. the SMS in the emulator's outbox reads: {message['text'] if message else '?'!r}")
    wrong = "0000" if code != "0000" else "1111"
    wrong = wrong + "0" * (len(code) - len(wrong))
    mismatch = client.otp.verify(sent.session_id, wrong)
    say(f"3. verify with a wrong code {wrong}: {mismatch.details}")
    matched = client.otp.verify(sent.session_id, code)
    say(f"4. verify with the right code {code}: {matched.details}")
    try:
        again = client.otp.verify(sent.session_id, code)
        say(f"5. verify the same code again: {again.details} (expected a refusal)")
        reused_refused = False
    except TwoFactorError as exc:  # an OTP is single-use: the client raises the refusal as an error
        say(f"5. verify the same code again: refused ({type(exc).__name__}: {exc})")
        reused_refused = True
    return (not mismatch.matched) and matched.matched and reused_refused


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    db = options.db or str(default_db_path())
    try:
        emulator = start(db)
    except Exception as exc:
        print(f"twofactor-emulator demo: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"emulator: {emulator.base_url} (database {db}, API key {_mask(emulator.api_key)})")
        with TwoFactor(emulator.api_key, base_url=emulator.base_url) as client:
            ok = round_trip(client, emulator, options.phone, print)
    except TwoFactorError as exc:
        print(f"twofactor-emulator demo: the round trip failed: {exc}", file=sys.stderr)
        return 1
    finally:
        emulator.stop()
    print("round trip OK" if ok else "round trip FAILED: an answer differed from the 2Factor docs")
    return 0 if ok else 1
