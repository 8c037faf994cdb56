"""The state every provider family shares: accounts, the outbox and its writes, credits, the clock,
delivery settings, the new-message signal and group commit. No HTTP and no provider's texts here:
a family turns these answers into its own replies (2Factor's OTP lifecycle is
providers/twofactor/otp.py)."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import os
import re
from collections.abc import Mapping
from typing import Any

from . import ids
from .batching import CommitBatcher
from .clock import Clock, iso_utc, stored_offset
from .config import AccountConfig, EmulatorConfig, StorageSettings, new_account
from .delivery import DeliverySettings
from .delivery import message_status as delivery_status
from .store import Store, message_rows

log = logging.getLogger("twofactor_emulator")
# The columns in which the messages of one send differ (Service.send_sms builds them in this order).
_SEND_SMS_VARYING = ("id", "phone", "sender", "text", "callback_value1", "callback_value2")
_DLT_VARIABLE = re.escape("{#var#}")  # DLT templates mark each variable part with {#var#}


class NewMessageSignal:
    """Wakes long-polls when a message lands. Used only from the thread of the event loop(s).

    One event per event loop: an in-process test client may drive the app from a new loop per
    request, and an asyncio.Event belongs to the loop that first waited on it.
    """

    def __init__(self) -> None:
        self._events: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}
        self.closed = False  # the server is shutting down: waiters end now

    def notify(self) -> None:
        """A message was committed: wake every waiter."""
        events, self._events = self._events, {}
        for event in events.values():
            event.set()

    def close(self) -> None:
        """The server is shutting down: wake every waiter, and let no wait start from now on (an open
        event stream or long-poll would otherwise hold the shutdown until its timeout)."""
        self.closed = True
        self.notify()

    async def wait(self, timeout: float) -> None:
        """Wait until the next notify or `timeout` seconds (at once when closed); no error on timeout."""
        if self.closed:
            return
        event = self._events.setdefault(asyncio.get_running_loop(), asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


class Service:
    """State and rules of the emulated accounts, shared by every provider family."""

    def __init__(self, store: Store, config: EmulatorConfig | None) -> None:
        self.store = store
        self.config = config if config is not None else EmulatorConfig()
        offset, repaired = stored_offset(store.get_meta("clock_offset"))
        self.clock = Clock(offset)
        if repaired:  # out of range (clock.py): keep the repaired value, so the next start agrees
            log.warning("the stored clock offset was out of range; the clock is now %s", iso_utc(self.now()))
            store.set_meta("clock_offset", repr(offset))
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
        """Move the clock forward (persisted, then in effect); returns the new offset. A unit of work."""
        offset = self.clock.advanced(seconds)  # ClockRangeError past the representable dates
        self.store.set_meta("clock_offset", repr(offset))
        self.clock.offset = offset
        return offset

    def reset(self, phone: str | None) -> int:
        """Clear messages and sessions (see `Store.reset`); returns how many messages went. A unit of work."""
        deleted = self.store.reset(phone)
        if phone is None:
            self.clock.offset = 0.0
        return deleted

    # ------------------------------------------------------------------ accounts
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

    # ------------------------------------------------------------------ SMS
    @staticmethod
    def sender_allowed(account: AccountConfig, sender: str) -> bool:
        """An account that lists sender ids accepts only those."""
        return not account.sender_ids or sender in account.sender_ids

    @staticmethod
    def text_approved(account: AccountConfig, text: str) -> bool:
        """An account that lists SMS templates accepts only texts matching one; {#var#} is a variable."""
        if not account.sms_templates:
            return True
        for template in account.sms_templates.values():
            pattern = re.escape(template).replace(_DLT_VARIABLE, ".{0,100}?")
            if re.fullmatch(pattern, text, re.DOTALL):
                return True
        return False

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
        now: float | None = None,
    ) -> tuple[str, list[str | None]]:
        """Store one outbox message per recipient, in one transaction; returns after the commit.

        `sender` and `texts` are one value for all recipients or one per recipient (bulk).

        Message ids are `<request id>-<n>`, n counting from 1 over `phones`; a None phone (a bulk
        message rejected for its number) keeps its n but stores nothing and gets no id.
        """
        request_id = ids.request_id()
        now = self.now() if now is None else now  # given: the time of what the caller stored with it
        message_ids: list[str | None] = []
        varying: list[tuple[Any, ...]] = []  # per stored message, its _SEND_SMS_VARYING columns
        for n, phone in enumerate(phones, start=1):
            if phone is None:
                message_ids.append(None)
                continue
            cb1, cb2 = callbacks[n - 1] if callbacks else (None, None)
            message_id = f"{request_id}-{n}"
            message_ids.append(message_id)
            varying.append(
                (
                    message_id,
                    phone,
                    sender if isinstance(sender, str) else sender[n - 1],
                    texts if isinstance(texts, str) else texts[n - 1],
                    cb1,
                    cb2,
                )
            )
        shared = {
            "account": account.api_key,
            "kind": kind,
            "operation": operation,
            "created_at": now,
            "scheduled_at": scheduled_at,
            "request_id": request_id,
        }
        messages = message_rows(shared, _SEND_SMS_VARYING, varying)
        if messages:
            self.store.add_messages(account.api_key, messages, credit_limit=account.credits)
            self.batcher.after_commit(self.signal.notify)
        return request_id, message_ids

    def message_status(self, message: dict[str, Any]) -> str:
        """SCHEDULED, SENT, then DELIVERED or a magic number's status (see delivery.py)."""
        return delivery_status(message, self.now(), self.delivery)


def open_service(db: str, config: EmulatorConfig | None, environ: Mapping[str, str] = os.environ) -> Service:
    """The service over database `db` (a path or `:memory:`), with the config's `[storage]` settings
    and the pepper from TWOFACTOR_EMULATOR_PEPPER when the config gives none."""
    storage = (config.storage if config is not None else StorageSettings()).with_environment(environ)
    return Service(Store(db, busy_timeout=storage.busy_timeout_seconds, pepper=storage.otp_pepper), config)


def ip_allowed(client_ip: str | None, allowlist: tuple[str, ...]) -> bool:
    """Whether the client's address is in the account's allowlist (addresses or networks)."""
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
