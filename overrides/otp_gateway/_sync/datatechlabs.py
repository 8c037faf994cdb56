# Generated from overrides/otp_gateway/_async/datatechlabs.py by scripts/unasync_clients.py; do not edit.
# Change the async source and run scripts/generate.py (`--check` fails on drift).
"""The synchronous twin of `otp_gateway._async.datatechlabs`:
the same classes and functions, without async (docs there)."""

from __future__ import annotations

import httpx
from datatechlabs import Datatechlabs
from datatechlabs import errors as dtl

from ..classify import datatechlabs_send_failure
from ..outcomes import Health
from ..tracking import NO_RETRIES, SEND_TIMEOUT, TrackingTransport, tracking

__all__ = ["DatatechlabsSms"]


class DatatechlabsSms:
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
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = name
        self._client = Datatechlabs(
            username,
            password,
            base_url=base_url,
            sender=sender,
            timeout=timeout,
            retry=NO_RETRIES,
            transport=TrackingTransport(transport),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, client={self._client!r})"

    def send_sms(self, phone: str, text: str) -> str:
        """One SMS; its message id."""
        with tracking() as exchange:
            try:
                sent = self._client.sms.send(phone, text)
            except dtl.DatatechlabsError as error:
                raise datatechlabs_send_failure(error, exchange) from None
        return sent.message_id

    def check_credentials(self) -> Health:
        """datatechlabs has no call that sends nothing: the first send checks the credentials."""
        return Health(self.name, None, "no harmless call exists (the API only sends); the first send checks it")

    def close(self) -> None:
        """Close the client."""
        self._client.close()
