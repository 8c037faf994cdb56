"""`AsyncDatatechlabs`, the asyncio client of the datatechlabs SMS API.

    async with AsyncDatatechlabs(username, password, base_url=..., sender="DTLABS") as dtl:
        sent = await dtl.sms.send("+919999999999", "Your code is 482910", dlr_url="https://example.com/dlr")

This module is the source: `client.py` (`Datatechlabs`, the synchronous client with the same
groups and methods) is generated from it by scripts/unasync_clients.py, so the two cannot drift. A
send is never repeated once the request may have reached the server (`sms_common.retries`).
Receipts posted to `dlr_url` are read with `parse_delivery_receipt` (webhooks.py).
"""

from __future__ import annotations

import httpx
from sms_common.aio import AsyncBaseClient
from sms_common.retries import RetryPolicy
from sms_common.settings import DEFAULT_TIMEOUT

from . import calls
from .calls import Coding, DlrMethod
from .results import SmsSent
from .settings import Settings

__all__ = ["AsyncDatatechlabs"]


class AsyncDatatechlabs(AsyncBaseClient[Settings]):
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
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        settings = Settings(username, password, base_url=base_url, sender=sender, timeout=timeout, retry=retry)
        super().__init__(settings, transport=transport, auth=settings.auth())
        self.sms = AsyncSms(self)


class AsyncSms:
    """Sending SMS."""

    def __init__(self, client: AsyncDatatechlabs) -> None:
        self._client = client
        self._settings = client._settings

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    async def send(
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
        return await self._client.run(
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
