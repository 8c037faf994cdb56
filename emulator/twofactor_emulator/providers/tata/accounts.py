"""Tata Smart 2FA accounts: an account SID and auth token (HTTP Basic), optional sub-account SIDs a
send may name in `accountSid`, and the attempt cap of its OTPs.

Configured in the TOML file's `[tata]` table:

    [[tata.accounts]]
    account_sid = "AC0123456789abcdef0123456789abcdef"
    auth_token = "a-long-random-token"
    sub_accounts = ["ACfedcba9876543210fedcba9876543210"]   # optional
    max_attempts = 5                                        # optional, the document's cap

Without a `[tata]` table, one account with a random SID and token is created once and kept in the
database (like 2Factor's default account), so `twofactor-emulator` with no config serves Tata too.
"""

from __future__ import annotations

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

SECTION = "tata"
_SID = re.compile(r"AC[0-9a-f]{32}", re.ASCII)
_TOKEN = re.compile(r"[\x21-\x7E]{8,128}", re.ASCII)  # printable, no spaces: it travels in a Basic header
_META_KEY = "tata_default_account"
DEFAULT_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class TataAccount:
    """One Smart 2FA account. The token never reaches a repr."""

    account_sid: str
    auth_token: str = field(repr=False)
    sub_accounts: tuple[str, ...] = ()
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def owns(self, account_sid: str) -> bool:
        """Whether a send may name `account_sid` (its own SID or a sub-account's)."""
        return account_sid == self.account_sid or account_sid in self.sub_accounts


@dataclass(frozen=True)
class TataSettings:
    """The `[tata]` table as read."""

    accounts: tuple[TataAccount, ...]


def _account(raw: Any, where: str) -> TataAccount:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table")
    extra = set(raw) - {"account_sid", "auth_token", "sub_accounts", "max_attempts"}
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
    sid = raw.get("account_sid")
    if not isinstance(sid, str) or not _SID.fullmatch(sid):
        raise ConfigError(f"{where}.account_sid: must be AC and 32 lower-case hex digits")
    token = raw.get("auth_token")
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise ConfigError(f"{where}.auth_token: must be 8 to 128 printable ASCII characters without spaces")
    subs = raw.get("sub_accounts", [])
    if not isinstance(subs, list) or not all(isinstance(s, str) and _SID.fullmatch(s) for s in subs):
        raise ConfigError(f"{where}.sub_accounts: must be a list of account SIDs (AC and 32 hex digits)")
    attempts = raw.get("max_attempts", DEFAULT_MAX_ATTEMPTS)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 100:
        raise ConfigError(f"{where}.max_attempts: must be an integer from 1 to 100")
    return TataAccount(sid, token, tuple(subs), attempts)


def read_config(raw: Any, where: str) -> TataSettings:
    """The `[tata]` table: `accounts`, a list of account tables (SIDs unique)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table")
    extra = set(raw) - {"accounts"}
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
    return TataSettings(read_accounts(raw, where, "account_sid", _account))


def configured_accounts(service: Service) -> Sequence[TataAccount]:
    """The accounts of the `[tata]` table, or the default account (created once, kept in the database)."""
    settings = service.config.sections.get(SECTION)
    if isinstance(settings, TataSettings) and settings.accounts:
        return settings.accounts
    return (stored_default(service, _META_KEY, _random_account, _account),)


def _random_account() -> dict[str, str]:
    return {"account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16)}


class Accounts:
    """Finds the account of a request's Basic credentials."""

    def __init__(self, accounts: Sequence[TataAccount]) -> None:
        self.by_sid = {a.account_sid: a for a in accounts}

    def authenticate(self, request: Request) -> TataAccount:
        """The caller's account, or error 401."""
        account = authenticated(request.headers, self.by_sid, lambda a: a.auth_token)
        if account is None:
            raise errors.unauthorized()
        return account
