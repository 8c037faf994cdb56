"""`sms_common`: the shared base of every provider client (2Factor's `twofactor`, and the next ones).

A provider client is a package beside this one that describes itself once as a `Provider` (name,
logger, URL redaction rule, its error classes) and builds on:

* `errors`: the root `ProviderError` and the failures every provider has (`TransportError`,
  `Timeout`, `InvalidInput`, `InvalidCredentials`, `RateLimited`, `MalformedReply`);
* `retries`: `RetryPolicy` and the decisions by call `Kind` (a send is never repeated once it may
  have reached the server, a verify is never repeated);
* `call`: `Call`, one request described once for the sync and the async client;
* `settings`: `ClientSettings` (base URL, timeout, retry policy, secrets), `from_env`;
* `redact` and `transport`: secrets out of texts and logs, logging httpx transports;
* `json_body`: reading a reply body as a JSON object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_attributes
from .errors import (
    InvalidCredentials,
    InvalidInput,
    MalformedReply,
    ProviderError,
    RateLimited,
    Timeout,
    TransportError,
)
from .provider import Provider

if TYPE_CHECKING:
    from .call import Call
    from .retries import Kind, RetryPolicy
    from .settings import DEFAULT_TIMEOUT, ClientSettings, from_env

# Names whose modules import httpx or asyncio: imported on first use, so that importing a client
# package for its errors (or its version) stays cheap.
_LAZY = {
    "Call": ".call",
    "Kind": ".retries",
    "RetryPolicy": ".retries",
    "DEFAULT_TIMEOUT": ".settings",
    "ClientSettings": ".settings",
    "from_env": ".settings",
}

__all__ = [
    "DEFAULT_TIMEOUT",
    "Call",
    "ClientSettings",
    "InvalidCredentials",
    "InvalidInput",
    "Kind",
    "MalformedReply",
    "Provider",
    "ProviderError",
    "RateLimited",
    "RetryPolicy",
    "Timeout",
    "TransportError",
    "__version__",
    "from_env",
]


__getattr__ = lazy_attributes(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
