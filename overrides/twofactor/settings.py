"""What the sync and the async client share: the keys, where to send, timeouts, retries, logging.

The keys live here and only here. `repr()` of the settings and of both clients shows the base URL and
the timeouts, never a key; every text that leaves the client goes through `PROVIDER.redact` with
the keys.

An argument left out is read from the environment, as openai-python does (explicit arguments win):
`TWOFACTOR_API_KEY`, `TWOFACTOR_SECRET_KEY`, `TWOFACTOR_BASE_URL`. The debug log names the base URL
in force and where it came from, so "am I on production?" is one look away.
"""

from __future__ import annotations

import logging

import httpx
from sms_common.provider import Provider
from sms_common.retries import RetryPolicy
from sms_common.settings import DEFAULT_TIMEOUT, ClientSettings, check_base_url, from_env

from . import envelope
from .errors import InvalidApiKey, InvalidInput, Timeout, TransportError
from .redact import redact_url

__all__ = ["API_KEY_ENV", "BASE_URL_ENV", "LOG_ENV", "PRODUCTION_URL", "PROVIDER", "SECRET_KEY_ENV", "Settings"]

PRODUCTION_URL = "https://2factor.in"  # servers[0] of openapi/twofactor.yaml
LOG_ENV = "TWOFACTOR_LOG"
API_KEY_ENV = "TWOFACTOR_API_KEY"
SECRET_KEY_ENV = "TWOFACTOR_SECRET_KEY"  # noqa: S105 - the variable's name, not a key
BASE_URL_ENV = "TWOFACTOR_BASE_URL"

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
        api_key: str | None = None,
        *,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        PROVIDER.setup_logging()
        if api_key is None:
            api_key = from_env(API_KEY_ENV)
            if api_key is None:
                raise InvalidApiKey(f"no API key: pass api_key=... or set {API_KEY_ENV}")
        if not isinstance(api_key, str) or not api_key.strip():
            raise InvalidApiKey(f"the API key is empty: pass the account's key, or leave it out to read {API_KEY_ENV}")
        secret_key_source = "secret_key"  # noqa: S105 - names where the key came from
        if secret_key is None:
            secret_key, secret_key_source = from_env(SECRET_KEY_ENV), f"${SECRET_KEY_ENV}"
        base_url_source = "the base_url argument"
        if base_url is None:
            env_url = from_env(BASE_URL_ENV)
            base_url, base_url_source = (env_url, f"${BASE_URL_ENV}") if env_url else (PRODUCTION_URL, "the default")
        # ApiKeyValue: 4-64 letters, digits or '-'. Checked here so that a key with a '/' can
        # never change which route a V1 path reaches. The key itself is not in the message.
        if not (4 <= len(api_key) <= 64 and all(c.isascii() and (c.isalnum() or c == "-") for c in api_key)):
            raise InvalidApiKey(f"the API key must be 4 to 64 letters, digits or '-' ({len(api_key)} characters given)")
        if secret_key is not None:
            try:
                envelope.check_key(secret_key)
            except envelope.EnvelopeError as exc:
                raise InvalidInput(f"{secret_key_source}: {exc}") from None
        try:
            check_base_url(base_url, InvalidInput)
        except InvalidInput as exc:
            raise InvalidInput(f"{exc.details} (from {base_url_source})") from None
        super().__init__(PROVIDER, base_url=base_url, timeout=timeout, retry=retry, secrets=(api_key, secret_key))
        self.base_url_source = base_url_source
        PROVIDER.logger.debug("client for %s (base URL from %s)", self.base_url, base_url_source)
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
                f"pass secret_key=... or set {SECRET_KEY_ENV}"
            )
        return self._secret_key
