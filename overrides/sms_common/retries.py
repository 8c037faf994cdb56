"""The retry policy: when a failed or refused request is tried again, and how long to wait.

The rule that matters: a request that may have reached the server is never sent again unless it is
an idempotent read. An SMS send that timed out while waiting for the reply may already have sent
the SMS; an OTP verify may already have burnt one of the session's attempts. Repeating either would
do it twice.

* connect errors (the request never left this machine) and HTTP 429 (refused before any
  processing): retried for every kind of call;
* read/write timeouts, dropped connections and HTTP 5xx (the server may have acted): retried only
  for idempotent reads (balances, delivery status);
* backoff: `backoff_base * 2**n` seconds with full jitter, at most `backoff_max`; a Retry-After
  header is honoured up to `retry_after_cap` seconds, and a longer one is not waited for (the
  caller gets the provider's rate-limit error with `retry_after` set).

The loop that applies these decisions is `aio.send_with_retries` (and its generated sync twin).
"""

from __future__ import annotations

import asyncio
import enum
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import httpx

from .errors import TransportError
from .provider import Provider

__all__ = ["AsyncAttempt", "Attempt", "Kind", "RetryPolicy", "next_delay", "retry_after_seconds"]

Attempt = Callable[[], httpx.Response]
AsyncAttempt = Callable[[], Awaitable[httpx.Response]]

# httpx.RequestError covers every failure of an exchange: the network (TransportError), a reply
# body that cannot be decoded, too many redirects. Only these mean the request never left this
# machine, so they alone are always safe to try again.
_NOT_SENT: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Kind(enum.Enum):
    """How safe a call is to repeat."""

    SEND = "send"  # sends an SMS or places a call: repeating could send it twice
    VERIFY = "verify"  # each try burns one of the session's attempts
    READ = "read"  # idempotent: balance, delivery status


def _uniform() -> float:
    return random.random()  # noqa: S311 - jitter, not cryptography


@dataclass(frozen=True)
class RetryPolicy:
    """How many retries and how long to wait. `sleep`, `async_sleep` and `jitter` can be replaced in tests."""

    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_cap: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    async_sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    jitter: Callable[[], float] = field(default=_uniform, repr=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")

    def backoff(self, retry_number: int) -> float:
        """Full-jitter exponential backoff before the n-th retry (0-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0**retry_number)
        return ceiling * self.jitter()


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """The Retry-After header in seconds (the delta-seconds form only), or None."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(0.0, seconds) if seconds == seconds else None  # NaN is no answer


def _delay_after_reply(policy: RetryPolicy, kind: Kind, reply: httpx.Response, retry_number: int) -> float | None:
    """Seconds to wait before retrying after `reply`, or None to hand the reply to the caller."""
    if retry_number >= policy.max_retries:
        return None
    if reply.status_code == 429:
        after = retry_after_seconds(reply.headers)
        if after is None:
            return policy.backoff(retry_number)
        return after if after <= policy.retry_after_cap else None
    if reply.status_code >= 500 and kind is Kind.READ:
        return policy.backoff(retry_number)
    return None


def _delay_after_failure(
    policy: RetryPolicy, kind: Kind, failure: httpx.RequestError, retry_number: int
) -> float | None:
    """Seconds to wait before retrying after a network failure, or None to give up."""
    if retry_number >= policy.max_retries:
        return None
    if isinstance(failure, _NOT_SENT) or kind is Kind.READ:
        return policy.backoff(retry_number)
    return None


_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _server_of(failure: httpx.RequestError) -> httpx.URL | None:
    """The URL of the failed request, or None for an error raised outside a request."""
    try:
        return failure.request.url
    except RuntimeError:
        return None


def _transport_error(
    provider: Provider, failure: httpx.RequestError, operation: str, secrets: Iterable[str]
) -> TransportError:
    """The provider's error for an httpx failure, its text redacted, naming the server and the likely fix."""
    if isinstance(failure, _NOT_SENT):
        sent = "the request never reached the server"
    else:
        sent = "the request may have reached the server, so it was not repeated"
    text = provider.redact(str(failure), secrets) or "no details"
    url = _server_of(failure)
    # scheme://host:port only: a path can carry a key (2Factor's V1 routes).
    where = f" to {url.scheme}://{url.netloc.decode('ascii', 'replace')}" if url is not None else ""
    hint = ""
    if isinstance(failure, httpx.ConnectError) and url is not None and url.host in _LOOPBACK_HOSTS:
        hint = "; is the emulator running? Start it with `twofactor-emulator`"
    cls = provider.timeout_error if isinstance(failure, httpx.TimeoutException) else provider.transport_error
    return cls(f"{type(failure).__name__}{where} ({text}); {sent}{hint}", operation=operation)


def next_delay(
    provider: Provider,
    policy: RetryPolicy,
    kind: Kind,
    operation: str,
    outcome: httpx.Response | httpx.RequestError,
    retry_number: int,
    secrets: Iterable[str],
) -> float | None:
    """After one attempt: None to hand the reply back, else seconds to wait before the next try.

    Giving up after a network failure raises the provider's `TransportError`. The loops call this
    outside their `except` block, so the error carries no chained httpx exception (whose text may
    hold a key).
    """
    if isinstance(outcome, httpx.Response):
        delay = _delay_after_reply(policy, kind, outcome, retry_number)
        if delay is not None:
            provider.logger.info(
                "%s: HTTP %d, retry %d in %.2fs", operation, outcome.status_code, retry_number + 1, delay
            )
        return delay
    delay = _delay_after_failure(policy, kind, outcome, retry_number)
    if delay is None:
        raise _transport_error(provider, outcome, operation, secrets)
    provider.logger.info("%s: %s, retry %d in %.2fs", operation, type(outcome).__name__, retry_number + 1, delay)
    return delay
