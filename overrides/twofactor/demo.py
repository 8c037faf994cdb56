"""`twofactor demo` (also `twofactor-emulator demo` and `./dev demo`): the README's first command.

Starts the emulator as a real server (a child process on a free 127.0.0.1 port, on the embedded SQLite
default unless --db says otherwise), then does what an app does, through the `twofactor` client:
send an OTP, read the SMS that "was sent" from the control API, verify a wrong code, verify the right
one, and verify it again. Every step prints one line; the exit code is 0 only if every step answered as
the 2Factor docs say it should.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from twofactor_emulator.cli import default_db_path
from twofactor_emulator.testing import EmulatorHandle, start_emulator

from .client import TwoFactor
from .errors import TwoFactorError

DEMO_PHONE = "+919999999999"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twofactor demo",
        description="Start the emulator and run a send-and-verify round trip through the twofactor client.",
    )
    parser.add_argument("--db", help=f"SQLite file, or :memory: (default {default_db_path()})")
    parser.add_argument("--phone", default=DEMO_PHONE, help=f"the number to send the OTP to (default {DEMO_PHONE})")
    return parser


def _mask(key: str) -> str:
    """The demo prints which account it used without printing the key itself."""
    return f"{key[:4]}…{key[-4:]}" if len(key) > 12 else "…"


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
        emulator = start_emulator(db)  # no --config: the database's own default account
    except Exception as exc:
        print(f"twofactor demo: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"emulator: {emulator.base_url} (database {db}, API key {_mask(emulator.api_key)})")
        with TwoFactor(emulator.api_key, base_url=emulator.base_url) as client:
            ok = round_trip(client, emulator, options.phone, print)
    except TwoFactorError as exc:
        print(f"twofactor demo: the round trip failed: {exc}", file=sys.stderr)
        return 1
    finally:
        emulator.stop()
    print("round trip OK" if ok else "round trip FAILED: an answer differed from the 2Factor docs")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
