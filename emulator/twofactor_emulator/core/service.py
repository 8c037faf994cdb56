"""The emulated service: accounts, the OTP lifecycle and SMS sends. No HTTP here.

Resend policy (configurable per account, `otp.resend_policy`): by default ("keep") a new OTP to a
phone leaves the phone's older sessions verifiable by their session id until each expires, is
used or is locked, while VERIFY3 checks only the newest one. With "invalidate", a new send expires
the phone's older sessions at once ("OTP Expired").
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from ..providers.twofactor import errors
from . import ids
from .batching import CommitBatcher
from .clock import Clock
from .config import OTP_PLACEHOLDER, AccountConfig, EmulatorConfig, new_account
from .delivery import DeliverySettings
from .delivery import message_status as delivery_status
from .store import LIVE, LOCKED, VERIFIED, OtpSession, Store, new_message

_DLT_VARIABLE = re.escape("{#var#}")  # DLT templates mark each variable part with {#var#}


@dataclass(frozen=True)
class Verdict:
    """The outcome of a verify. `status` is the HTTP status: 200 on a match and in the sandbox."""

    ok: bool
    details: str
    sandbox: bool = False

    @property
    def status(self) -> int:
        """HTTP status of the reply."""
        return 200 if self.ok or self.sandbox else 400


@dataclass(frozen=True)
class OtpSent:
    """A sent OTP: the reply's session id and the OTP (which only AUTOGEN2-style replies show)."""

    session_id: str
    otp: str


class NewMessageSignal:
    """Wakes long-polls when a message lands. Used only from the thread of the event loop(s).

    One event per event loop: an in-process test client may drive the app from a new loop per
    request, and an asyncio.Event belongs to the loop that first waited on it.
    """

    def __init__(self) -> None:
        self._events: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}

    def notify(self) -> None:
        """A message was committed: wake every waiter."""
        events, self._events = self._events, {}
        for event in events.values():
            event.set()

    async def wait(self, timeout: float) -> None:
        """Wait until the next notify or `timeout` seconds; no error on timeout."""
        event = self._events.setdefault(asyncio.get_running_loop(), asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


class Service:
    """State and rules of the emulated 2Factor account(s)."""

    def __init__(self, store: Store, config: EmulatorConfig | None) -> None:
        self.store = store
        self.clock = Clock(float(store.get_meta("clock_offset") or 0.0))
        self.signal = NewMessageSignal()
        self.batcher = CommitBatcher(store)  # handlers run state changes through it (group commit)
        self.delivery = DeliverySettings.load(store)  # delivery.py: SENT -> final status, on this clock
        if config is not None and config.accounts:
            for account in config.accounts:
                store.upsert_account(account)
            configured = {a.api_key for a in config.accounts}
            self.accounts = [a for a in store.accounts() if a.api_key in configured]
        else:
            # No config: one default account, created once and kept in the database.
            stored = {a.api_key: a for a in store.accounts()}
            default_key = store.get_meta("default_account")
            if default_key is None or default_key not in stored:
                account = new_account()
                store.upsert_account(account)
                store.set_meta("default_account", account.api_key)
                stored[account.api_key] = account
                default_key = account.api_key
            self.accounts = [stored[default_key]]
        self._by_key = {a.api_key: a for a in self.accounts}

    # ------------------------------------------------------------------ clock and state
    def now(self) -> float:
        """The emulator's clock, epoch seconds."""
        return self.clock.now()

    def advance_clock(self, seconds: float) -> float:
        """Move the clock forward (persisted); returns the new offset."""
        self.clock.offset += seconds
        self.store.set_meta("clock_offset", repr(self.clock.offset))
        return self.clock.offset

    def reset(self, phone: str | None) -> int:
        """Clear messages and sessions (see `Store.reset`); returns how many messages went."""
        deleted = self.store.reset(phone)
        if phone is None:
            self.clock.offset = 0.0
        return deleted

    # ------------------------------------------------------------------ accounts
    def account(self, api_key: str, client_ip: str | None) -> AccountConfig:
        """The account of an API key, or the 2Factor error."""
        account = self._by_key.get(api_key)
        if account is None:
            raise errors.TwoFactorError(errors.INVALID_API_KEY)
        if account.ip_allowlist and not _ip_allowed(client_ip, account.ip_allowlist):
            raise errors.TwoFactorError(errors.IP_NOT_ALLOWED, sandbox=account.sandbox is True)
        return account

    def find_account(self, api_key: str) -> AccountConfig | None:
        """The account of an API key, or None."""
        return self._by_key.get(api_key)

    def account_by_secret(self, secret_key: str) -> AccountConfig | None:
        """The account whose secret key this is, compared in constant time (it is a credential)."""
        found = None
        for account in self.accounts:
            if hmac.compare_digest(account.secret_key.encode(), secret_key.encode()):
                found = account
        return found

    def balance(self, account: AccountConfig) -> int:
        """Credits left: every message outside the sandbox costs one."""
        return account.credits - self.store.credits_used(account.api_key)

    # ------------------------------------------------------------------ OTP
    def _otp_hash(self, session_id: str, otp: str) -> str:
        # HMAC under the database's random pepper, bound to the session: the OTP is never stored in a session.
        return hmac.new(self.store.pepper, f"{session_id}:{otp}".encode(), hashlib.sha256).hexdigest()

    def send_otp(
        self,
        account: AccountConfig,
        phone: str,
        *,
        operation: str,
        channel: str = "sms",
        otp: str | None = None,
        digits: int = 6,
        template: str | None = None,
    ) -> OtpSent:
        """Render, store and 'send' an OTP; returns after the commit.

        In the sandbox (account and phone) nothing is sent: the session is stored only so that a
        later VERIFY of it answers "OTP Mismatch" as the docs' sandbox does.
        """
        sandbox = account.is_sandbox(phone)
        text = None if sandbox else account.otp_template(template)
        if text is None and not sandbox:
            raise errors.TwoFactorError(errors.INVALID_TEMPLATE)
        value = otp if otp is not None else ids.otp_digits(digits)
        session_id = ids.session_id()
        now = self.now()
        session = OtpSession(
            session_id=session_id,
            account=account.api_key,
            phone=phone,
            channel=channel,
            otp_hash=self._otp_hash(session_id, value),
            created_at=now,
            expires_at=now + account.otp.ttl_seconds,
            attempts=0,
            state=LIVE,
            sandbox=sandbox,
        )
        message = None
        if text is not None:
            message = new_message(
                id=session_id,
                account=account.api_key,
                phone=phone,
                text=text.replace(OTP_PLACEHOLDER, value),
                kind="voice" if channel == "voice" else "otp",
                operation=operation,
                created_at=now,
                session_id=session_id,
                otp=value,
            )
        expire_older = now if account.otp.resend_policy == "invalidate" and not sandbox else None
        self.store.add_otp(session, message, expire_older_at=expire_older, credit_limit=account.credits)
        if message is not None:
            self.signal.notify()
        return OtpSent(session_id=session_id, otp=value)

    def verify(self, account: AccountConfig, session_id: str, code: str, *, channel: str = "sms") -> Verdict:
        """VERIFY (and VERIFY2 outside the sandbox, and the voice VERIFY) by session id."""
        if session_id == ids.DUMMY_SESSION and account.any_sandbox and channel == "sms":
            # The docs' sandbox (an SMS feature): only Dummy-12345/12345 matches.
            matched = hmac.compare_digest(code.encode(), ids.DUMMY_OTP.encode())
            return Verdict(matched, errors.OTP_MATCHED if matched else errors.OTP_MISMATCH, sandbox=True)
        session = self.store.session(account.api_key, session_id, channel)
        if session is None:
            if account.sandbox is True:
                return Verdict(False, errors.OTP_MISMATCH, sandbox=True)
            return Verdict(False, errors.NO_ENTRY)
        if session.sandbox:
            return Verdict(False, errors.OTP_MISMATCH, sandbox=True)
        return self._check(account, session, code, for_phone=False)

    def verify_by_phone(self, account: AccountConfig, phone: str, code: str) -> Verdict:
        """VERIFY3: the code against the newest OTP sent to the phone (see the document)."""
        if account.is_sandbox(phone):
            return Verdict(False, errors.OTP_MISMATCH, sandbox=True)
        session = self.store.latest_session(account.api_key, phone, "sms")
        if session is None:
            return Verdict(False, errors.NO_ENTRY_PHONE)
        return self._check(account, session, code, for_phone=True)

    def _check(self, account: AccountConfig, session: OtpSession, code: str, *, for_phone: bool) -> Verdict:
        # Order matters: a used or locked OTP stays refused whatever the clock says.
        if session.state == VERIFIED:
            return Verdict(False, errors.NO_ENTRY_PHONE if for_phone else errors.ALREADY_VERIFIED)
        if session.state == LOCKED or session.attempts >= account.otp.max_attempts:  # also after a lowered limit
            return Verdict(False, errors.NO_ENTRY_PHONE if for_phone else errors.ATTEMPTS_EXCEEDED)
        if self.now() >= session.expires_at:
            return Verdict(False, errors.OTP_EXPIRED)
        if hmac.compare_digest(self._otp_hash(session.session_id, code), session.otp_hash):
            if account.otp.single_use:
                self.store.record_attempt(session.session_id, session.attempts, VERIFIED)
            return Verdict(True, errors.OTP_MATCHED)
        attempts = session.attempts + 1
        self.store.record_attempt(
            session.session_id, attempts, LOCKED if attempts >= account.otp.max_attempts else LIVE
        )
        return Verdict(False, errors.OTP_MISMATCH)

    # ------------------------------------------------------------------ SMS
    def check_sender(self, account: AccountConfig, sender: str) -> None:
        """An account that lists sender ids accepts only those."""
        if account.sender_ids and sender not in account.sender_ids:
            raise errors.TwoFactorError(errors.INVALID_SENDER)

    def check_text(self, account: AccountConfig, text: str) -> None:
        """An account that lists SMS templates accepts only texts matching one; {#var#} is a variable."""
        if not account.sms_templates:
            return
        for template in account.sms_templates.values():
            pattern = re.escape(template).replace(_DLT_VARIABLE, ".{0,100}?")
            if re.fullmatch(pattern, text, re.DOTALL):
                return
        raise errors.TwoFactorError(errors.TEXT_NOT_APPROVED)

    def send_sms(
        self,
        account: AccountConfig,
        phones: list[str | None],
        *,
        sender: list[str] | str,
        texts: list[str] | str,
        operation: str,
        kind: str,
        scheduled_at: float | None = None,
        callbacks: list[tuple[str | None, str | None]] | None = None,
    ) -> tuple[str, list[str | None]]:
        """Store one outbox message per recipient, in one transaction; returns after the commit.

        `sender` and `texts` are one value for all recipients or one per recipient (bulk).

        Message ids are `<request id>-<n>`, n counting from 1 over `phones`; a None phone (a bulk
        message rejected for its number) keeps its n but stores nothing and gets no id.
        """
        request_id = ids.request_id()
        now = self.now()
        messages: list[dict[str, Any]] = []
        message_ids: list[str | None] = []
        for n, phone in enumerate(phones, start=1):
            if phone is None:
                message_ids.append(None)
                continue
            cb1, cb2 = callbacks[n - 1] if callbacks else (None, None)
            message_id = f"{request_id}-{n}"
            message_ids.append(message_id)
            messages.append(
                new_message(
                    id=message_id,
                    account=account.api_key,
                    phone=phone,
                    sender=sender if isinstance(sender, str) else sender[n - 1],
                    text=texts if isinstance(texts, str) else texts[n - 1],
                    kind=kind,
                    operation=operation,
                    created_at=now,
                    scheduled_at=scheduled_at,
                    request_id=request_id,
                    callback_value1=cb1,
                    callback_value2=cb2,
                )
            )
        if messages:
            self.store.add_messages(account.api_key, messages, credit_limit=account.credits)
            self.signal.notify()
        return request_id, message_ids

    def message_status(self, message: dict[str, Any]) -> str:
        """SCHEDULED, SENT, then DELIVERED or a magic number's status (see delivery.py)."""
        return delivery_status(message, self.now(), self.delivery)


def _ip_allowed(client_ip: str | None, allowlist: tuple[str, ...]) -> bool:
    if client_ip is None:
        return False
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    for entry in allowlist:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False
