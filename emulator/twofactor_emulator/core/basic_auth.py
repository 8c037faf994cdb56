"""HTTP Basic authentication, for provider families whose API uses it (Tata Smart 2FA, datatechlabs).

Also the account lists of those families' config tables (`read_accounts`) and their default account,
created once and kept in the database (`stored_default`).

The header is read strictly: the `Basic` scheme (any case), canonical base64 of UTF-8 `user:password`.
Anything else is "no credentials", which a family answers as a wrong pair: a 401 that never says
which part was wrong. Passwords are compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from starlette.types import Receive, Scope

from .config import ConfigError
from .service import Service

Account = TypeVar("Account")

MAX_HEADER_LENGTH = 1024


def basic_credentials(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """The (user, password) of an `Authorization: Basic ...` header, or None."""
    header = headers.get("authorization")
    if header is None or len(header) > MAX_HEADER_LENGTH:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    user, colon, password = decoded.partition(":")
    if not colon or not user:
        return None
    return user, password


def password_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of a password or token."""
    return hmac.compare_digest(given.encode(), expected.encode())


def www_authenticate(realm: str) -> dict[str, str]:
    """The header of a 401 that asks for Basic credentials."""
    return {"WWW-Authenticate": f'Basic realm="{realm}"'}


def masked(secret: str) -> str:
    """A secret as a banner shows it: its first and last 4 characters only."""
    return f"{secret[:4]}…{secret[-4:]}" if len(secret) > 12 else "…"


def authenticated(
    headers: Mapping[str, str], accounts: Mapping[str, Account], secret: Callable[[Account], str]
) -> Account | None:
    """The account whose user name and password (`secret(account)`) the request's Basic header
    carries, or None. A password is compared even for an unknown user, so the time taken does not
    tell user names apart."""
    pair = basic_credentials(headers)
    if pair is None:
        return None
    account = accounts.get(pair[0])
    expected = secret(account) if account is not None else "x" * len(pair[1])
    return account if password_matches(pair[1], expected) and account is not None else None


def account_key_of(
    prefix: str, users: Mapping[str, object]
) -> Callable[[Scope, Receive], Awaitable[tuple[str | None, Receive]]]:
    """A family's `account_key` for the rate limit: `<prefix>:<user>` of a Basic header naming one of
    `users` (the password is the handler's to check), None otherwise."""

    async def find(scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        pair = basic_credentials(headers)
        if pair is None or pair[0] not in users:
            return None, receive
        return f"{prefix}:{pair[0]}", receive

    return find


def read_accounts(
    raw: Mapping[str, Any], where: str, key: str, parse: Callable[[Any, str], Account]
) -> tuple[Account, ...]:
    """The `accounts` list of a family's config table, each item read by `parse(item, where)`; no two
    accounts may share their `key` attribute (the Basic user name)."""
    items = raw.get("accounts", [])
    if not isinstance(items, list):
        raise ConfigError(f"{where}.accounts: expected a list of tables")
    accounts = tuple(parse(item, f"{where}.accounts[{i}]") for i, item in enumerate(items))
    names = [getattr(a, key) for a in accounts]
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}.accounts: the same {key} is listed twice")
    return accounts


def stored_default(
    service: Service, meta_key: str, make: Callable[[], dict[str, str]], parse: Callable[[Any, str], Account]
) -> Account:
    """A family's default account: made with random credentials at the first start, kept in the
    database's meta table under `meta_key` (the same at every start), read back by `parse`."""
    stored = service.store.meta_or_create(meta_key, lambda: json.dumps(make()))
    return parse(json.loads(stored), f"stored {meta_key}")
