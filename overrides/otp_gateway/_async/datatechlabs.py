"""datatechlabs adapter: `AsyncDatatechlabsSms`, an SMS carrier for the gateway's own codes.

datatechlabs has no OTP API: the gateway generates the code, keeps its keyed hash and checks it.
Its `AsyncDatatechlabs` client is built with no retries and the gateway's short deadline, on a
`TrackingTransport`.
"""

from __future__ import annotations

import httpx
from datatechlabs import AsyncDatatechlabs
from datatechlabs import errors as dtl

from ..classify import datatechlabs_send_failure
from ..outcomes import Health
from ..tracking import NO_RETRIES, SEND_TIMEOUT, AsyncTrackingTransport, tracking

__all__ = ["AsyncDatatechlabsSms"]


class AsyncDatatechlabsSms:
    """datatechlabs SMS. `username`, `password`, `sender` and `base_url` default to the client's
    `DATATECHLABS_*` variables."""

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        name: str = "datatechlabs",
        base_url: str | None = None,
        sender: str | None = None,
        timeout: float | httpx.Timeout = SEND_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self._client = AsyncDatatechlabs(
            username,
            password,
            base_url=base_url,
            sender=sender,
            timeout=timeout,
            retry=NO_RETRIES,
            transport=AsyncTrackingTransport(transport),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, client={self._client!r})"

    async def send_sms(self, phone: str, text: str) -> str:
        """One SMS; its message id."""
        with tracking() as exchange:
            try:
                sent = await self._client.sms.send(phone, text)
            except dtl.DatatechlabsError as error:
                raise datatechlabs_send_failure(error, exchange) from None
        return sent.message_id

    async def check_credentials(self) -> Health:
        """datatechlabs has no call that sends nothing: the first send checks the credentials."""
        return Health(self.name, None, "no harmless call exists (the API only sends); the first send checks it")

    async def aclose(self) -> None:
        """Close the client."""
        await self._client.aclose()
