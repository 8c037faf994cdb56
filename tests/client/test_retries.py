"""The retry policy of `sms_common.retries`, driven through the client with scripted transports.

Sleeps are recorded instead of slept, and jitter is fixed, so the waits are checked as numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from twofactor import AsyncTwoFactor, RateLimited, RetryPolicy, Timeout, TransportError, TwoFactor, TwoFactorError

OK_OTP = {"Status": "Success", "Details": "session-1"}
OK_BALANCE = {"Status": "Success", "Details": "250"}
LIMITED = {"Status": "Error", "Details": "Rate Limit Exceeded - 200 Requests Per Second"}
Step = Callable[[httpx.Request], httpx.Response]


def _raise(exc: type[httpx.TransportError]) -> Step:
    def step(request: httpx.Request) -> httpx.Response:
        raise exc("scripted failure", request=request)

    return step


def _reply(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Step:
    return lambda request: httpx.Response(status, json=body, headers=headers)


class Script:
    """A transport that plays one step per request and counts them."""

    def __init__(self, *steps: Step) -> None:
        self.steps: Iterator[Step] = iter(steps)
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return next(self.steps)(request)


def _client(script: Script, sleeps: list[float], max_retries: int = 2) -> TwoFactor:
    policy = RetryPolicy(max_retries=max_retries, sleep=sleeps.append, jitter=lambda: 1.0)
    return TwoFactor("key-1234", base_url="http://2factor.test", retry=policy, transport=httpx.MockTransport(script))


def test_a_connect_error_is_retried_even_for_a_send() -> None:
    script, sleeps = Script(_raise(httpx.ConnectError), _reply(200, OK_OTP)), []
    with _client(script, sleeps) as client:
        assert client.otp.send("9999999999").session_id == "session-1"
    assert (script.calls, sleeps) == (2, [0.5])


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError])
def test_a_send_that_may_have_arrived_is_not_retried(failure: type[httpx.TransportError]) -> None:
    script, sleeps = Script(_raise(failure), _reply(200, OK_OTP)), []
    with _client(script, sleeps) as client, pytest.raises(TransportError, match="may have reached") as caught:
        client.otp.send("9999999999")
    assert script.calls == 1 and sleeps == []
    assert isinstance(caught.value, Timeout) == issubclass(failure, httpx.TimeoutException)
    assert caught.value.operation == "sendOtpAutogen"


def test_a_verify_is_not_retried_blindly() -> None:
    script, sleeps = Script(_raise(httpx.ReadTimeout), _reply(200, {"Status": "Success", "Details": "OTP Matched"})), []
    with _client(script, sleeps) as client, pytest.raises(Timeout):
        client.otp.verify("session-1", "123456")
    assert script.calls == 1


def test_a_5xx_on_a_send_is_not_retried() -> None:
    script, sleeps = Script(_reply(503, {"Status": "Error", "Details": "Service Unavailable"}), _reply(200, OK_OTP)), []
    with _client(script, sleeps) as client, pytest.raises(TwoFactorError) as caught:
        client.sms.send("9999999999", "HEADER", "hi")
    assert (script.calls, caught.value.status_code) == (1, 503)


def test_a_safe_read_is_retried_on_timeouts_and_5xx_with_exponential_backoff() -> None:
    script = Script(_raise(httpx.ReadTimeout), _reply(500, {}), _reply(502, {}), _reply(200, OK_BALANCE))
    sleeps: list[float] = []
    with _client(script, sleeps, max_retries=3) as client:
        assert client.balance() == 250
    assert sleeps == [0.5, 1.0, 2.0]


def test_retries_stop_at_max_retries() -> None:
    script, sleeps = Script(*[_reply(500, {})] * 5), []
    with _client(script, sleeps, max_retries=2) as client, pytest.raises(TwoFactorError) as caught:
        client.balance()
    assert (script.calls, caught.value.status_code) == (3, 500)


def test_429_is_retried_for_sends_honouring_retry_after() -> None:
    script, sleeps = Script(_reply(429, LIMITED, {"Retry-After": "3"}), _reply(200, OK_OTP)), []
    with _client(script, sleeps) as client:
        client.otp.send("9999999999")
    assert sleeps == [3.0]


def test_a_retry_after_over_the_cap_is_not_waited_for() -> None:
    script, sleeps = Script(_reply(429, LIMITED, {"Retry-After": "3600"}), _reply(200, OK_OTP)), []
    with _client(script, sleeps) as client, pytest.raises(RateLimited) as caught:
        client.otp.send("9999999999")
    assert (script.calls, sleeps, caught.value.retry_after) == (1, [], 3600.0)


def test_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=8.0, jitter=lambda: 1.0)
    assert [policy.backoff(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    half = RetryPolicy(jitter=lambda: 0.5)
    assert half.backoff(2) == 1.0


def test_negative_retries_are_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)


async def test_the_async_client_follows_the_same_policy() -> None:
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    script = Script(_raise(httpx.ConnectError), _raise(httpx.ReadTimeout), _reply(200, OK_OTP))
    policy = RetryPolicy(max_retries=3, async_sleep=record, jitter=lambda: 1.0)
    async with AsyncTwoFactor(
        "key-1234", base_url="http://2factor.test", retry=policy, transport=httpx.MockTransport(script)
    ) as client:
        with pytest.raises(Timeout):
            await client.otp.send("9999999999")
    assert (script.calls, sleeps) == (2, [0.5])  # the connect error was retried, the read timeout not
