"""Settings every provider client shares: where to send, timeouts, the retry policy, its secrets.

A provider's own settings class adds its credentials. Secrets are kept in private attributes and
out of repr(); `secrets` lists them for `redact`. `from_env` reads the environment the same way for
every provider's CLI and tests (unset and blank are the same).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import httpx

from .errors import InvalidCredentials, InvalidInput
from .provider import Provider
from .retries import RetryPolicy

__all__ = ["DEFAULT_TIMEOUT", "BasicCredentials", "ClientSettings", "as_timeout", "check_base_url", "from_env"]

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def from_env(name: str, default: str | None = None) -> str | None:
    """The environment variable `name` without surrounding blanks; `default` when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or default


def check_base_url(base_url: str, error: type[InvalidInput] = InvalidInput) -> str:
    """An absolute http(s) URL without a trailing '/', or `error`."""
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        # Only the scheme is echoed: the rest may hold credentials (user:password@host, ?token=).
        shown = base_url.partition(":")[0][:10] + ":..." if isinstance(base_url, str) else type(base_url).__name__
        raise error(f"base_url must start with http:// or https://, got {shown!r}")
    return base_url.rstrip("/")


def as_timeout(timeout: float | httpx.Timeout, error: type[InvalidInput] = InvalidInput) -> httpx.Timeout:
    """Seconds (or an `httpx.Timeout`) as an `httpx.Timeout`; zero or less is `error`."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise error(f"timeout must be a number of seconds above 0, got {timeout!r}")
    return httpx.Timeout(timeout)


class BasicCredentials:
    """A user and password for HTTP Basic, from the arguments or else the environment, checked.

    `usage` says how to give them (e.g. "Smart2fa(sid, token)"); `labels` name the two in messages
    (e.g. ("account SID", "auth token")). A missing or unusable pair is `error`; no message shows a
    value. The pair is kept private: not in repr(), only in `auth()` and in `secrets` (for redaction).
    """

    def __init__(
        self,
        user: str | None,
        password: str | None,
        *,
        user_env: str,
        password_env: str,
        labels: tuple[str, str],
        usage: str,
        error: type[InvalidInput] | type[InvalidCredentials],
    ) -> None:
        user = user if user is not None else from_env(user_env)
        password = password if password is not None else from_env(password_env)
        for value, label, env in ((user, labels[0], user_env), (password, labels[1], password_env)):
            if not isinstance(value, str) or not value.strip():
                raise error(f"the {label} is needed: {usage} or ${env}")
        assert isinstance(user, str) and isinstance(password, str)
        if ":" in user or any(not c.isprintable() for c in user + password):
            # Basic auth joins them with ':' in one header line.
            raise error(f"the {labels[0]} may not contain ':', and neither may hold control characters")
        self._user = user
        self._password = password

    @property
    def secrets(self) -> tuple[str, str]:
        return self._user, self._password

    def auth(self) -> httpx.BasicAuth:
        """The credentials for an httpx client."""
        return httpx.BasicAuth(self._user, self._password)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(***)"


class ClientSettings:
    """Checked settings of one client of `provider`: base URL, timeout, retry policy, the secrets to redact."""

    def __init__(
        self,
        provider: Provider,
        *,
        base_url: str,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        secrets: Iterable[str | None] = (),
    ) -> None:
        self.provider = provider
        self.base_url = check_base_url(base_url, provider.input_error)
        self.timeout = as_timeout(timeout, provider.input_error)
        self.retry = retry if retry is not None else RetryPolicy()
        self._secrets = tuple(secret for secret in secrets if secret)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Everything `redact` must remove from texts that leave the client."""
        return self._secrets

    def __repr__(self) -> str:
        shown = self.provider.url_rule(self.base_url)  # a base URL may carry user:password@ or ?token=
        return f"{type(self).__name__}(base_url={shown!r}, timeout={self.timeout!r}, retry={self.retry!r})"
