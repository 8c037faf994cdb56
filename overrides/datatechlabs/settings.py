"""The datatechlabs client's settings: credentials, the base URL and a default sender, from arguments
or the environment (an explicit argument always wins over its variable).

datatechlabs publishes no base URL, so there is no default: `base_url=` or `$DATATECHLABS_BASE_URL`
is required. The user name and password live here only, in private attributes; `repr()` shows the
base URL and timeouts, and every text that leaves the client is redacted with both.
"""

from __future__ import annotations

import logging

import httpx
from sms_common.provider import Provider
from sms_common.retries import RetryPolicy
from sms_common.settings import DEFAULT_TIMEOUT, BasicCredentials, ClientSettings, from_env

from .errors import InvalidCredentials, InvalidInput, Timeout, TransportError

__all__ = ["BASE_URL_ENV", "LOG_ENV", "PASSWORD_ENV", "PROVIDER", "SENDER_ENV", "USERNAME_ENV", "Settings"]

USERNAME_ENV = "DATATECHLABS_USERNAME"
PASSWORD_ENV = "DATATECHLABS_PASSWORD"  # noqa: S105 - the variable's name, not a password
BASE_URL_ENV = "DATATECHLABS_BASE_URL"
SENDER_ENV = "DATATECHLABS_SENDER"
LOG_ENV = "DATATECHLABS_LOG"

PROVIDER = Provider(
    name="datatechlabs",
    logger=logging.getLogger("datatechlabs"),
    log_env_var=LOG_ENV,
    transport_error=TransportError,
    timeout_error=Timeout,
    input_error=InvalidInput,
)


class Settings(ClientSettings):
    """Checked settings. `sender` is the default `from` of every SMS."""

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        base_url: str | None = None,
        sender: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        PROVIDER.setup_logging()
        self._credentials = BasicCredentials(
            username,
            password,
            user_env=USERNAME_ENV,
            password_env=PASSWORD_ENV,
            labels=("user name", "password"),
            usage="Datatechlabs(username, password)",
            error=InvalidCredentials,
        )
        url = base_url if base_url is not None else from_env(BASE_URL_ENV)
        if not url:
            raise InvalidInput(
                f"datatechlabs publishes no base URL: pass base_url= or set ${BASE_URL_ENV} "
                "(the emulator's address for local work)"
            )
        super().__init__(PROVIDER, base_url=url, timeout=timeout, retry=retry, secrets=self._credentials.secrets)
        self.sender = sender if sender is not None else from_env(SENDER_ENV)

    def auth(self) -> httpx.BasicAuth:
        """The Basic credentials for the HTTP client."""
        return self._credentials.auth()
