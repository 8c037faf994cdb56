"""What the sync and the async client share: the keys, where to send, timeouts, retries, logging.

The keys live here and only here. `repr()` of the settings and of both clients shows the base URL and
the timeouts, never a key; every text that leaves the client goes through `PROVIDER.redact` with
the keys.
"""

from __future__ import annotations

import logging

import httpx
from sms_common.provider import Provider
from sms_common.retries import RetryPolicy
from sms_common.settings import DEFAULT_TIMEOUT, ClientSettings

from . import envelope
from .errors import InvalidApiKey, InvalidInput, Timeout, TransportError
from .redact import redact_url

__all__ = ["LOG_ENV", "PRODUCTION_URL", "PROVIDER", "Settings"]

PRODUCTION_URL = "https://2factor.in"  # servers[0] of openapi/twofactor.yaml
LOG_ENV = "TWOFACTOR_LOG"

PROVIDER = Provider(
    name="2Factor",
    logger=logging.getLogger("twofactor"),
    log_env_var=LOG_ENV,
    url_rule=redact_url,
    transport_error=TransportError,
    timeout_error=Timeout,
    input_error=InvalidInput,
)


class Settings(ClientSettings):
    """Checked client settings. Keys are kept in private attributes and out of repr()."""

    def __init__(
        self,
        api_key: str,
        *,
        secret_key: str | None = None,
        base_url: str = PRODUCTION_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        PROVIDER.setup_logging()
        if not isinstance(api_key, str) or not api_key.strip():
            raise InvalidApiKey("an API key is needed (the TWOFACTOR_API_KEY of the CLI)")
        # ApiKeyValue: 4-64 letters, digits or '-'. Checked here so that a key with a '/' can
        # never change which route a V1 path reaches. The key itself is not in the message.
        if not (4 <= len(api_key) <= 64 and all(c.isascii() and (c.isalnum() or c == "-") for c in api_key)):
            raise InvalidApiKey(f"the API key must be 4 to 64 letters, digits or '-' ({len(api_key)} characters given)")
        if secret_key is not None:
            try:
                envelope.check_key(secret_key)
            except envelope.EnvelopeError as exc:
                raise InvalidInput(str(exc)) from None
        super().__init__(PROVIDER, base_url=base_url, timeout=timeout, retry=retry, secrets=(api_key, secret_key))
        self._api_key = api_key
        self._secret_key = secret_key

    @property
    def api_key(self) -> str:
        """The API key (for building requests; never printed)."""
        return self._api_key

    def secret_key(self) -> str:
        """The secret key of the encrypted route, or InvalidInput when the client was made without one."""
        if self._secret_key is None:
            raise InvalidInput(
                "the encrypted route needs the account's 32-character secret key: "
                "TwoFactor(api_key, secret_key=...) or TWOFACTOR_SECRET_KEY for the CLI"
            )
        return self._secret_key
