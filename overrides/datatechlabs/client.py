# Generated from overrides/datatechlabs/aio.py by scripts/unasync_clients.py; do not edit.
# Change the async source and run scripts/generate.py (`--check` fails on drift).
"""The synchronous twin of `datatechlabs.aio`: the same classes and functions, without async (docs there)."""

from __future__ import annotations

import httpx
from sms_common.client import BaseClient
from sms_common.retries import RetryPolicy
from sms_common.settings import DEFAULT_TIMEOUT

from . import calls
from .calls import Coding, DlrMethod
from .results import SmsSent
from .settings import Settings

__all__ = ["Datatechlabs"]


class Datatechlabs(BaseClient[Settings]):
    """A datatechlabs SMS client.

    `username` and `password` default to `$DATATECHLABS_USERNAME` and `$DATATECHLABS_PASSWORD`;
    `base_url` to `$DATATECHLABS_BASE_URL` (required: datatechlabs publishes none); `sender` (the
    `from` of every SMS) to `$DATATECHLABS_SENDER`. Explicit arguments win over the environment.
    `timeout`, `retry` and `transport` as for every provider client. Use it as a context manager,
    or close it, to release its connections.
    """

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        base_url: str | None = None,
        sender: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        settings = Settings(username, password, base_url=base_url, sender=sender, timeout=timeout, retry=retry)
        super().__init__(settings, transport=transport, auth=settings.auth())
        self.sms = Sms(self)


class Sms:
    """Sending SMS."""

    def __init__(self, client: Datatechlabs) -> None:
        self._client = client
        self._settings = client._settings

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    def send(
        self,
        to: str,
        text: str,
        *,
        sender: str | None = None,
        dlr_url: str | None = None,
        dlr_level: int | None = None,
        dlr_method: DlrMethod | None = None,
        coding: Coding | None = None,
    ) -> SmsSent:
        """Send `text` to `to` (international digits, `+` optional) from `sender` (or the client's).

        With `dlr_url`, delivery receipts are posted there: `dlr_level` 1 (SMSC), 2 (handset) or 3
        (both; the default), with `dlr_method` "GET" (the server's default) or "POST". `coding`
        "GSM7" or "UTF-8"; without it the server picks GSM-7 when the text fits, else UCS-2. Never
        repeated once the request may have reached the server.
        """
        return self._client.run(
            calls.send_sms(
                to=to,
                text=text,
                sender=sender if sender is not None else self._settings.sender,
                dlr_url=dlr_url,
                dlr_level=dlr_level,
                dlr_method=dlr_method,
                coding=coding,
            )
        )
