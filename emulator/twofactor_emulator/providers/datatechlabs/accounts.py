"""datatechlabs accounts (a user name and password for HTTP Basic, and credits) and the receipt
settings, from the TOML file's `[datatechlabs]` table:

    [datatechlabs]
    dlr_max_attempts = 4         # attempts per receipt in all (the document: 1 + 3 retries)
    dlr_retry_seconds = 30       # emulator seconds before the first retry (the document: every 30 s)
    dlr_backoff_factor = 1       # each later retry waits this many times longer (1: a fixed interval)
    dlr_timeout_seconds = 30     # real seconds the emulator waits for a receiver's answer

    [[datatechlabs.accounts]]
    username = "shop"
    password = "a-long-random-password"
    credits = 250                # one per SMS segment

Without accounts there, one account with a random user name and password is created once and kept
in the database, like 2Factor's default account.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from ...core.basic_auth import authenticated, read_accounts, stored_default
from ...core.config import ConfigError
from ...core.service import Service
from . import errors

SECTION = "datatechlabs"
_USER = re.compile(r"[A-Za-z0-9_.@-]{1,64}", re.ASCII)
_PASSWORD = re.compile(r"[\x21-\x7E]{8,128}", re.ASCII)
_META_KEY = "datatechlabs_default_account"
DEFAULT_CREDITS = 250


@dataclass(frozen=True)
class DtlAccount:
    """One datatechlabs account. The password never reaches a repr."""

    username: str
    password: str = field(repr=False)
    credits: int = DEFAULT_CREDITS


@dataclass(frozen=True)
class ReceiptSettings:
    """How receipts are retried (the document's Jasmin defaults)."""

    max_attempts: int = 4
    retry_seconds: float = 30.0
    backoff_factor: float = 1.0
    timeout_seconds: float = 30.0

    def wait_after(self, attempt: int) -> float:
        """Emulator seconds between failed attempt `attempt` (from 1) and the next one."""
        return self.retry_seconds * self.backoff_factor ** (attempt - 1)


@dataclass(frozen=True)
class DtlSettings:
    """The `[datatechlabs]` table as read."""

    accounts: tuple[DtlAccount, ...] = ()
    receipts: ReceiptSettings = ReceiptSettings()


def _number(raw: dict[str, Any], key: str, default: float, low: float, high: float, where: str) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where}.{key}: expected a number")
    if not low <= value <= high:
        raise ConfigError(f"{where}.{key}: must be from {low:g} to {high:g}")
    return float(value)


def _account(raw: Any, where: str) -> DtlAccount:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table")
    extra = set(raw) - {"username", "password", "credits"}
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
    user = raw.get("username")
    if not isinstance(user, str) or not _USER.fullmatch(user):
        raise ConfigError(f"{where}.username: must be 1 to 64 letters, digits or _ . @ -")
    password = raw.get("password")
    if not isinstance(password, str) or not _PASSWORD.fullmatch(password):
        raise ConfigError(f"{where}.password: must be 8 to 128 printable ASCII characters without spaces")
    credits = raw.get("credits", DEFAULT_CREDITS)
    if isinstance(credits, bool) or not isinstance(credits, int) or not 0 <= credits <= 10**9:
        raise ConfigError(f"{where}.credits: must be an integer from 0 to 1000000000")
    return DtlAccount(user, password, credits)


def read_config(raw: Any, where: str) -> DtlSettings:
    """The `[datatechlabs]` table."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table")
    keys = {"accounts", "dlr_max_attempts", "dlr_retry_seconds", "dlr_backoff_factor", "dlr_timeout_seconds"}
    extra = set(raw) - keys
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
    accounts = read_accounts(raw, where, "username", _account)
    attempts = _number(raw, "dlr_max_attempts", 4, 1, 20, where)
    if not attempts.is_integer():
        raise ConfigError(f"{where}.dlr_max_attempts: expected an integer")
    receipts = ReceiptSettings(
        max_attempts=int(attempts),
        retry_seconds=_number(raw, "dlr_retry_seconds", 30, 0, 86400, where),
        backoff_factor=_number(raw, "dlr_backoff_factor", 1, 1, 10, where),
        timeout_seconds=_number(raw, "dlr_timeout_seconds", 30, 0.05, 120, where),
    )
    return DtlSettings(accounts, receipts)


def settings_of(service: Service) -> DtlSettings:
    """The `[datatechlabs]` table, or its defaults."""
    settings = service.config.sections.get(SECTION)
    return settings if isinstance(settings, DtlSettings) else DtlSettings()


def configured_accounts(service: Service) -> Sequence[DtlAccount]:
    """The configured accounts, or the default account (created once, kept in the database)."""
    settings = settings_of(service)
    if settings.accounts:
        return settings.accounts
    return (stored_default(service, _META_KEY, _random_account, _account),)


def _random_account() -> dict[str, str]:
    return {"username": "user-" + secrets.token_hex(4), "password": secrets.token_hex(16)}


class Accounts:
    """Finds the account of a request's Basic credentials."""

    def __init__(self, accounts: Sequence[DtlAccount]) -> None:
        self.by_user = {a.username: a for a in accounts}

    def authenticate(self, request: Request) -> DtlAccount:
        """The caller's account, or 401."""
        account = authenticated(request.headers, self.by_user, lambda a: a.password)
        if account is None:
            raise errors.DatatechlabsError(errors.AUTHENTICATION_FAILED, 401)
        return account
