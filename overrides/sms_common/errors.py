"""The error root of every provider client, and the failures every provider shares.

Each provider's client roots its errors in a subclass of `ProviderError` (2Factor's `TwoFactorError`)
and makes its own network, input and reply errors subclasses of both its root and the shared class
here, so a caller can catch `sms_common.TransportError` across providers or `TwoFactorError` for one.

Every error carries `provider` (whose API), `status_code` (HTTP status, or None when no reply
arrived), `details` (the provider's own text, or our explanation) and `operation` (the operationId
of the provider's document, or None for a check made before any request). No message ever holds a
secret: texts that come from the network are redacted before an error is made of them.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "InvalidCredentials",
    "InvalidInput",
    "MalformedReply",
    "ProviderError",
    "RateLimited",
    "Timeout",
    "TransportError",
]


class ProviderError(Exception):
    """Root of every error a provider client raises on purpose."""

    provider: ClassVar[str] = "SMS provider"  # each provider's root class names its provider

    def __init__(self, details: str, *, status_code: int | None = None, operation: str | None = None) -> None:
        self.details = details
        self.status_code = status_code
        self.operation = operation
        super().__init__(details)

    def __str__(self) -> str:
        context = [self.operation or "", f"HTTP {self.status_code}" if self.status_code is not None else ""]
        shown = ", ".join(part for part in context if part)
        return f"{self.details} [{shown}]" if shown else self.details

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(provider={self.provider!r}, details={self.details!r}, "
            f"status_code={self.status_code!r}, operation={self.operation!r})"
        )


class InvalidCredentials(ProviderError):
    """The provider refused the credentials (API key, secret key, user and password)."""


class InvalidInput(ProviderError, ValueError):
    """An argument was refused before any request was made."""


class MalformedReply(ProviderError):
    """The server answered something that is not the reply its document describes."""


class RateLimited(ProviderError):
    """Too many requests. `retry_after` is the server's Retry-After in seconds, when it sent one."""

    def __init__(
        self,
        details: str,
        *,
        status_code: int | None = None,
        operation: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(details, status_code=status_code, operation=operation)
        self.retry_after = retry_after


class TransportError(ProviderError):
    """The request failed on the network (connect, read, dropped connection). No usable reply."""


class Timeout(TransportError):
    """The request timed out (connect, write, read or waiting for a pooled connection)."""
