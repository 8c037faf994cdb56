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

from .call import Call
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
from .retries import Kind, RetryPolicy
from .settings import DEFAULT_TIMEOUT, ClientSettings, from_env

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
    "from_env",
]
