"""The Tata Smart 2FA client's settings: credentials, defaults and where to send, from arguments or
the environment (an explicit argument always wins over its variable).

The SID and token live here and only here, in private attributes; `repr()` shows the base URL and
timeouts only, and every text that leaves the client is redacted with both.
"""

from __future__ import annotations

import logging

import httpx
from sms_common.provider import Provider
from sms_common.retries import RetryPolicy
from sms_common.settings import DEFAULT_TIMEOUT, BasicCredentials, ClientSettings, from_env

from .errors import InvalidCredentials, InvalidInput, Timeout, TransportError

__all__ = [
    "BASE_URL_ENV",
    "EMAIL_FROM_ENV",
    "FROM_ENV",
    "LOG_ENV",
    "PRODUCTION_URL",
    "PROVIDER",
    "SERVICE_ENV",
    "SID_ENV",
    "TOKEN_ENV",
    "Settings",
]

PRODUCTION_URL = "https://comms.tatacommunications.com"  # servers[0] of openapi/tata-smart2fa.yaml
SID_ENV = "TATA_SMART2FA_SID"
TOKEN_ENV = "TATA_SMART2FA_TOKEN"  # noqa: S105 - the variable's name, not a token
BASE_URL_ENV = "TATA_SMART2FA_BASE_URL"
SERVICE_ENV = "TATA_SMART2FA_SERVICE"
FROM_ENV = "TATA_SMART2FA_FROM"
EMAIL_FROM_ENV = "TATA_SMART2FA_EMAIL_FROM"
LOG_ENV = "TATA_SMART2FA_LOG"

PROVIDER = Provider(
    name="Tata Smart 2FA",
    logger=logging.getLogger("tata_smart2fa"),
    log_env_var=LOG_ENV,
    transport_error=TransportError,
    timeout_error=Timeout,
    input_error=InvalidInput,
)


class Settings(ClientSettings):
    """Checked settings. `service`, `sender` and `email_from` are defaults for every send."""

    def __init__(
        self,
        sid: str | None = None,
        token: str | None = None,
        *,
        base_url: str | None = None,
        service: str | None = None,
        sender: str | None = None,
        email_from: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        PROVIDER.setup_logging()
        self._credentials = BasicCredentials(
            sid,
            token,
            user_env=SID_ENV,
            password_env=TOKEN_ENV,
            labels=("account SID", "auth token"),
            usage="Smart2fa(sid, token)",
            error=InvalidCredentials,
        )
        super().__init__(
            PROVIDER,
            base_url=base_url if base_url is not None else from_env(BASE_URL_ENV, PRODUCTION_URL) or PRODUCTION_URL,
            timeout=timeout,
            retry=retry,
            secrets=self._credentials.secrets,
        )
        self.service = service if service is not None else from_env(SERVICE_ENV)
        self.sender = sender if sender is not None else from_env(FROM_ENV)
        self.email_from = email_from if email_from is not None else from_env(EMAIL_FROM_ENV)

    def auth(self) -> httpx.BasicAuth:
        """The Basic credentials (SID as user, token as password) for the HTTP client."""
        return self._credentials.auth()
