"""`twofactor demo` (also `twofactor-emulator demo` and `./dev demo`): the README's first command.

Starts the emulator as a real server (a child process on a free 127.0.0.1 port, on the embedded SQLite
default unless --db says otherwise), then does what an app does, through a client of the provider
chosen with `--provider`:

- `twofactor` (default): send an OTP, read the SMS that "was sent" from the control API, verify a
  wrong code, the right one, and the right one again;
- `tata`: the same through the Tata Smart 2FA client, plus the documented one-OTP-per-minute refusal;
- `datatechlabs`: send an SMS asking for delivery receipts at both levels, and receive them on a local
  receiver, parsed by the datatechlabs client's parser.

Every step prints one line; the exit code is 0 only if every step answered as the provider's document
says it should. The demo prints which account it used, never its secrets in full.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from datatechlabs import DLR_ACK, Datatechlabs, parse_delivery_receipt
from sms_common.errors import ProviderError
from tata_smart2fa import Smart2fa
from tata_smart2fa import errors as tata_errors
from twofactor_emulator.cli import default_db_path
from twofactor_emulator.testing import EmulatorHandle, start_emulator

from .client import TwoFactor
from .errors import TwoFactorError

DEMO_PHONE = "+919999999999"
PROVIDERS = ("twofactor", "tata", "datatechlabs")
RECEIPT_WAIT_SECONDS = 15.0
Say = Callable[[str], None]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twofactor demo",
        description="Start the emulator and run a round trip through a provider's client (2Factor by default).",
    )
    parser.add_argument("--db", help=f"SQLite file, or :memory: (default {default_db_path()})")
    parser.add_argument("--phone", default=DEMO_PHONE, help=f"the number to send to (default {DEMO_PHONE})")
    parser.add_argument(
        "--provider", choices=PROVIDERS, default="twofactor", help="whose API and client to use (default twofactor)"
    )
    return parser


def _mask(key: str) -> str:
    """The demo prints which account it used without printing the key itself."""
    return f"{key[:4]}…{key[-4:]}" if len(key) > 12 else "…"


def _wrong(code: str) -> str:
    wrong = "0000" if not code.startswith("0000") else "1111"
    return wrong + "0" * (len(code) - len(wrong))


def round_trip(client: TwoFactor, emulator: EmulatorHandle, phone: str, say: Say) -> bool:
    """Send, read the SMS, verify wrong, verify right, verify again. True if all answered as documented."""
    sent = client.otp.send(phone)
    say(f"1. sent an OTP to {phone}: session {sent.session_id}")
    message = emulator.latest_message(phone)
    code = emulator.latest_otp(phone)
    say(f"2. the SMS in the emulator's outbox reads: {message['text'] if message else '?'!r}")
    wrong = _wrong(code)
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


def tata_round_trip(client: Smart2fa, emulator: EmulatorHandle, phone: str, say: Say) -> bool:
    """Send, read the SMS, a second send at once (453), verify wrong, right, and right again."""
    try:
        sent = client.send_otp(phone, body="Your Shop code is {code}")
    except tata_errors.TooManyOtps:
        # An earlier run sent to this number less than a minute ago (on this database's clock).
        emulator.advance_clock(60)
        say("0. an OTP went to this number less than a minute ago: the emulator's clock moved 60 s on")
        sent = client.send_otp(phone, body="Your Shop code is {code}")
    say(f"1. sent an OTP to {phone}: request {sent.request_id}")
    message = emulator.latest_message(phone)
    code = emulator.latest_otp(phone)
    say(f"2. the SMS in the emulator's outbox reads: {message['text'] if message else '?'!r}")
    try:
        client.send_otp(phone)
        say("3. a second OTP at once was sent (expected error 453)")
        limited = False
    except tata_errors.TooManyOtps as exc:
        say(f"3. a second OTP at once: refused ({type(exc).__name__}: {exc})")
        limited = True
    wrong = _wrong(code)
    mismatch = client.verify(sent, wrong)
    say(f"4. verify with a wrong code {wrong}: {mismatch.details}")
    matched = client.verify(sent, code)
    say(f"5. verify with the right code {code}: {matched.details}")
    try:
        client.verify(sent, code)
        say("6. verify the same code again: accepted (expected a refusal)")
        reused_refused = False
    except tata_errors.OtpAlreadyVerified as exc:
        say(f"6. verify the same code again: refused ({type(exc).__name__}: {exc})")
        reused_refused = True
    return limited and not mismatch.matched and matched.matched and reused_refused


class _Receiver:
    """A local HTTP receiver of delivery receipts: parses each with the client's parser, answers `ACK/Jasmin`."""

    def __init__(self) -> None:
        self.receipts: list[Any] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.receipts.append(parse_delivery_receipt(body, content_type=self.headers.get("Content-Type")))
                ack = DLR_ACK.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(ack)))
                self.end_headers()
                self.wfile.write(ack)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/dlr"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int) -> list[Any]:
        deadline = time.monotonic() + RECEIPT_WAIT_SECONDS
        while len(self.receipts) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.receipts)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def datatechlabs_round_trip(client: Datatechlabs, emulator: EmulatorHandle, phone: str, say: Say) -> bool:
    """An SMS with receipts at both levels to a local receiver, then a Unicode one."""
    receiver = _Receiver()
    try:
        sent = client.sms.send(phone, "Your Shop code is 482910", dlr_url=receiver.url, dlr_level=3, dlr_method="POST")
        say(f"1. sent an SMS to {phone}: message {sent.message_id}, {sent.segments} segment(s), {sent.encoding}")
        message = emulator.latest_message(phone)
        say(f"2. the SMS in the emulator's outbox reads: {message['text'] if message else '?'!r}")
        receipts = receiver.wait(2)
        for n, receipt in enumerate(receipts, start=3):
            kind = "the handset" if receipt.id_smsc else "the SMSC"
            say(f"{n}. {kind} receipt reached the local receiver: {receipt.message_status} (level {receipt.level})")
        statuses = [r.message_status for r in receipts]
        ours = all(r.message_id == sent.message_id for r in receipts)
        unicode = client.sms.send(phone, "आपका कोड 482910 है", coding="UTF-8")
        say(f"5. sent a Hindi SMS with coding UTF-8: {unicode.segments} segment(s), {unicode.encoding}")
    finally:
        receiver.close()
    return statuses == ["ESME_ROK", "DELIVRD"] and ours and unicode.encoding == "UCS-2"


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    db = options.db or str(default_db_path())
    try:
        # No --config: the database's own default accounts (their secrets read from the banner's pipe).
        emulator = start_emulator(db, read_credentials=True)
    except Exception as exc:
        print(f"twofactor demo: {exc}", file=sys.stderr)
        return 1
    try:
        ok = _run(options.provider, emulator, db, options.phone)
    except ProviderError as exc:
        print(f"twofactor demo: the round trip failed: {exc}", file=sys.stderr)
        return 1
    finally:
        emulator.stop()
    print("round trip OK" if ok else "round trip FAILED: an answer differed from the provider's document")
    return 0 if ok else 1


def _run(provider: str, emulator: EmulatorHandle, db: str, phone: str) -> bool:
    where = f"emulator: {emulator.base_url} (database {db}"
    if provider == "tata":
        sid, token = emulator.credentials["tata"]
        print(f"{where}, Tata account {sid}, token {_mask(token)})")
        with Smart2fa(sid, token, base_url=emulator.base_url, service="Shop", sender="SHOP") as tata:
            return tata_round_trip(tata, emulator, phone, print)
    if provider == "datatechlabs":
        user, password = emulator.credentials["datatechlabs"]
        print(f"{where}, datatechlabs user {user}, password {_mask(password)})")
        with Datatechlabs(user, password, base_url=emulator.base_url, sender="SHOP") as dtl:
            return datatechlabs_round_trip(dtl, emulator, phone, print)
    print(f"{where}, API key {_mask(emulator.api_key)})")
    with TwoFactor(emulator.api_key, base_url=emulator.base_url) as client:
        return round_trip(client, emulator, phone, print)


if __name__ == "__main__":
    raise SystemExit(main())
