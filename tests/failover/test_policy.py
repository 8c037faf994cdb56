"""The policy's decisions on their own, with providers that are plain objects (no network): weighted
order, which failures fail over and which count against the breaker, the breaker's states, resends."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from otp_gateway import (
    BreakerState,
    CircuitBreaker,
    Delivery,
    FailoverPolicy,
    FailureKind,
    Health,
    InvalidInput,
    OtpGateway,
    SendFailed,
    VerifyOutcome,
)

SECRET = "policy-tests-secret-0123456789"


class ScriptedSms:
    """An SMS provider whose sends fail with the kinds it is given, then succeed."""

    def __init__(self, name: str, *failures: FailureKind, counts: bool = True) -> None:
        self.name = name
        self.failures = list(failures)
        self.counts = counts
        self.sent: list[str] = []

    def send_sms(self, phone: str, text: str) -> str:
        if self.failures:
            kind = self.failures.pop(0)
            if kind is FailureKind.AMBIGUOUS:
                self.sent.append(text)  # it went out; the answer was lost
            raise SendFailed(kind, "scripted", counts=self.counts)
        self.sent.append(text)
        return f"{self.name}-{len(self.sent)}"

    def check_credentials(self) -> Health:
        return Health(self.name, None, "no harmless call")

    def close(self) -> None:
        return None


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_weights_put_each_provider_first_in_proportion() -> None:
    providers = [ScriptedSms("a"), ScriptedSms("b"), ScriptedSms("never-first")]
    policy = FailoverPolicy(selection="weight", weights={"a": 3, "b": 1, "never-first": 0})
    gateway = OtpGateway(providers, secret=SECRET, policy=policy, rng=random.Random(7))
    firsts = Counter(gateway.send("+919812345670").provider for _ in range(2000))
    assert set(firsts) == {"a", "b"}
    assert 0.70 < firsts["a"] / 2000 < 0.80  # 3/4, with room for chance (seeded, so repeatable)


@pytest.mark.parametrize(
    ("kind", "next_tried"),
    [
        (FailureKind.UNAVAILABLE, True),
        (FailureKind.RATE_LIMITED, True),
        (FailureKind.NO_CREDITS, True),
        (FailureKind.CREDENTIALS, True),
        (FailureKind.REFUSED, True),
        (FailureKind.AMBIGUOUS, False),
    ],
)
def test_which_failures_fail_over(kind: FailureKind, next_tried: bool) -> None:
    first, second = ScriptedSms("first", kind), ScriptedSms("second")
    ticket = OtpGateway([first, second], secret=SECRET).send("+919812345670")
    assert (ticket.provider == "second") is next_tried
    assert bool(second.sent) is next_tried
    assert ticket.ambiguous is (kind is FailureKind.AMBIGUOUS)


def test_invalid_request_is_raised_without_failover() -> None:
    first, second = ScriptedSms("first", FailureKind.INVALID_REQUEST), ScriptedSms("second")
    with pytest.raises(InvalidInput):
        OtpGateway([first, second], secret=SECRET).send("+919812345670")
    assert second.sent == []


def test_a_per_number_throttle_does_not_open_the_breaker() -> None:
    throttled = ScriptedSms("throttled", *[FailureKind.RATE_LIMITED] * 5, counts=False)
    gateway = OtpGateway([throttled, ScriptedSms("other")], secret=SECRET, policy=FailoverPolicy(failure_threshold=1))
    for _ in range(5):
        assert gateway.send("+919812345670").provider == "other"
    assert gateway.breaker_states()["throttled"] is BreakerState.CLOSED


def test_an_ambiguous_local_send_stays_verifiable_and_a_clear_failure_leaves_no_code() -> None:
    from otp_gateway import MemoryCodeStore

    lost = ScriptedSms("lost", FailureKind.AMBIGUOUS)
    gateway = OtpGateway([lost], secret=SECRET)
    ticket = gateway.send("+919812345670")
    assert ticket.ambiguous and ticket.live.local and ticket.live.ref is not None
    assert gateway.verify(ticket, lost.sent[0].split()[-1]).matched  # stored before the SMS left

    store = MemoryCodeStore()
    down, up = ScriptedSms("down", FailureKind.UNAVAILABLE), ScriptedSms("up")
    ticket = OtpGateway([down, up], secret=SECRET, store=store).send("+919812345670")
    assert ticket.provider == "up" and len(store) == 1  # the failed provider's code was dropped


def test_resends_are_bounded() -> None:
    gateway = OtpGateway([ScriptedSms("a"), ScriptedSms("b")], secret=SECRET, policy=FailoverPolicy(max_resends=2))
    ticket = gateway.send("+919812345670")
    providers = [ticket.provider]
    for _ in range(2):
        ticket = gateway.resend(ticket)
        providers.append(ticket.provider)
    assert providers == ["a", "b", "a"]  # each resend prefers a provider that has not sent yet
    with pytest.raises(InvalidInput, match="resends"):
        gateway.resend(ticket)


def test_a_ticket_from_an_unconfigured_provider_is_refused_clearly() -> None:
    from otp_gateway import VerifyUnavailable

    sender = OtpGateway([ScriptedSms("gone")], secret=SECRET)
    ticket = sender.send("+919812345670")
    with pytest.raises(VerifyUnavailable, match="gone"):
        OtpGateway([ScriptedSms("other")], secret=SECRET).verify(ticket.token, "123456")


def test_breaker_states_on_a_fake_clock() -> None:
    clock = Clock()
    moves: list[tuple[str, str]] = []
    breaker = CircuitBreaker(
        "p", clock=clock, failure_threshold=2, reset_after=10, on_change=lambda _n, a, b: moves.append((a, b))
    )
    breaker.record_failure()
    assert breaker.allow() and breaker.state is BreakerState.CLOSED
    breaker.record_success()  # a success resets the count: failures must be in a row
    breaker.record_failure()
    breaker.record_failure()
    assert not breaker.allow() and breaker.state is BreakerState.OPEN
    clock.now += 10
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one at a time
    clock.now += 10
    assert breaker.allow()  # a probe that never reported frees its place after reset_after
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert moves == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]


def test_policy_refuses_nonsense() -> None:
    for bad in (
        {"code_length": 3},
        {"code_length": 11},
        {"sms_text": "no placeholder"},
        {"weights": {"a": -1}},
        {"max_resends": 8},
        {"code_ttl": 0},
        {"selection": "random"},
    ):
        with pytest.raises((InvalidInput, ValueError)):
            FailoverPolicy(**bad)  # type: ignore[arg-type]


def test_delivery_history_is_bounded() -> None:
    gateway = OtpGateway([ScriptedSms("a")], secret=SECRET, policy=FailoverPolicy(max_resends=7))
    ticket = gateway.send("+919812345670")
    for _ in range(7):
        ticket = gateway.resend(ticket)
    assert len(ticket.deliveries) == 8 and isinstance(ticket.live, Delivery)


class AsyncStore:
    """A store with async methods, as an app's Redis or database store would be."""

    def __init__(self) -> None:
        from otp_gateway import MemoryCodeStore

        self.inner = MemoryCodeStore()
        self.calls: list[str] = []

    async def save(self, key: str, code: object) -> None:
        self.calls.append("save")
        self.inner.save(key, code)  # type: ignore[arg-type]

    async def check(self, key: str, digest: str, now: float) -> object:
        self.calls.append("check")
        return self.inner.check(key, digest, now)

    async def discard(self, key: str) -> None:
        self.calls.append("discard")
        self.inner.discard(key)

    async def purge(self, now: float) -> int:
        return self.inner.purge(now)


class AsyncScriptedSms(ScriptedSms):
    async def send_sms(self, phone: str, text: str) -> str:  # type: ignore[override]
        return ScriptedSms.send_sms(self, phone, text)

    async def check_credentials(self) -> Health:  # type: ignore[override]
        return ScriptedSms.check_credentials(self)

    async def aclose(self) -> None:
        return None


def test_an_async_store_serves_the_async_gateway_and_is_refused_by_the_sync_one() -> None:
    import asyncio

    from otp_gateway import AsyncOtpGateway

    store = AsyncStore()
    provider = AsyncScriptedSms("a")

    async def login() -> bool:
        async with AsyncOtpGateway([provider], secret=SECRET, store=store) as gateway:
            ticket = await gateway.send("+919812345670")
            return (await gateway.verify(ticket, provider.sent[0].split()[-1])).matched

    assert asyncio.run(login())
    assert store.calls == ["save", "check"]
    with pytest.raises(InvalidInput, match="sync store"):
        OtpGateway([ScriptedSms("a")], secret=SECRET, store=store)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "+91 9812345670",
        "+९१९८१२३४५६७०",
        "98123456７0",
        "+91981234567",
        "+9198123456701",
        "phone",
        "+",
        None,
        919812345670,
    ],
)
def test_hostile_phone_numbers_are_refused_before_any_provider(phone: object) -> None:
    provider = ScriptedSms("a")
    with pytest.raises(InvalidInput):
        OtpGateway([provider], secret=SECRET).send(phone)  # type: ignore[arg-type]
    assert provider.sent == []


@pytest.mark.parametrize("code", ["", "12345a", "١٢٣٤٥٦", "1" * 11, "1" * 100_000, None, 123456, " 123456"])
def test_hostile_codes_are_a_mismatch_that_asks_no_one_and_spends_no_attempt(code: object) -> None:
    provider = ScriptedSms("a")
    gateway = OtpGateway([provider], secret=SECRET, policy=FailoverPolicy(max_attempts=1))
    ticket = gateway.send("+919812345670")
    assert gateway.verify(ticket, code).outcome is VerifyOutcome.MISMATCH  # type: ignore[arg-type]
    assert gateway.verify(ticket, provider.sent[0].split()[-1]).matched  # the one attempt was not spent


@pytest.mark.parametrize("token", [None, 42, "", "otp1", "x" * 100_000, "otp1.e30.AAAA"])
def test_hostile_tokens_are_invalid_tickets(token: object) -> None:
    from otp_gateway import InvalidTicket

    with pytest.raises(InvalidTicket):
        OtpGateway([ScriptedSms("a")], secret=SECRET).verify(token, "123456")  # type: ignore[arg-type]
