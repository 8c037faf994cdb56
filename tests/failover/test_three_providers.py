"""The three providers one emulator process serves, failing over into each other: 2Factor (its
own code), Tata Smart 2FA (its own code) and datatechlabs (SMS only: the gateway's code), sync and
async, with faults and the clock set through the control API."""

from __future__ import annotations

import pytest
from otp_gateway import AllProvidersFailed, BreakerState, FailoverPolicy, VerifyOutcome

from .conftest import DTL_SEND, OTP_SEND, PHONE, SHORT_DEADLINE, TATA_SEND, Emulator, GatewayFactory

THREE = ("2factor", "tata", "datatechlabs")
DOWN = {"kind": "error", "status": 503}


def test_first_down_tata_sends_and_its_code_verifies(emulator: Emulator, gateways: GatewayFactory) -> None:
    emulator.faults({**DOWN, "operation": OTP_SEND})
    gateway = gateways(*THREE)
    ticket = gateway.send(PHONE)
    assert ticket.provider == "tata" and ticket.live.ref is not None
    [message] = emulator.messages(PHONE)
    code = emulator.code_in(message)
    assert gateway.verify(ticket, code).matched
    assert gateway.verify(ticket, code).outcome is VerifyOutcome.USED
    assert emulator.fired() == [1]


def test_two_down_datatechlabs_sends_and_the_gateway_checks_its_code(
    emulator: Emulator, gateways: GatewayFactory
) -> None:
    emulator.faults({**DOWN, "operation": OTP_SEND}, {**DOWN, "operation": TATA_SEND})
    gateway = gateways(*THREE)
    ticket = gateway.send(PHONE)
    assert ticket.provider == "datatechlabs" and ticket.live.local
    assert [(f.provider, f.kind) for f in ticket.failures] == [("2factor", "unavailable"), ("tata", "unavailable")]
    [message] = emulator.messages(PHONE)
    assert gateway.verify(ticket, emulator.code_in(message)).matched
    assert gateway.verify(ticket, emulator.code_in(message)).outcome is VerifyOutcome.USED
    assert emulator.fired() == [1, 1]


def test_all_three_down_is_one_error_naming_each(emulator: Emulator, gateways: GatewayFactory) -> None:
    emulator.faults(*({**DOWN, "operation": op} for op in (OTP_SEND, TATA_SEND, DTL_SEND)))
    with pytest.raises(AllProvidersFailed) as caught:
        gateways(*THREE).send(PHONE)
    assert [(f.provider, f.kind, f.status_code) for f in caught.value.failures] == [
        ("2factor", "unavailable", 503),
        ("tata", "unavailable", 503),
        ("datatechlabs", "unavailable", 503),
    ]
    assert emulator.messages(PHONE) == [] and emulator.fired() == [1, 1, 1]


def test_tata_rate_limited_goes_to_the_next(emulator: Emulator, gateways: GatewayFactory) -> None:
    emulator.faults({"kind": "error", "status": 429, "details": "Rate limit exceeded", "operation": TATA_SEND})
    gateway = gateways("tata", "datatechlabs")
    ticket = gateway.send(PHONE)
    assert ticket.provider == "datatechlabs"
    assert [(f.provider, f.kind) for f in ticket.failures] == [("tata", "rate_limited")]
    assert emulator.fired() == [1] and len(emulator.messages(PHONE)) == 1


def test_tatas_one_otp_a_minute_fails_over_without_counting_against_tata(
    emulator: Emulator, gateways: GatewayFactory
) -> None:
    gateway = gateways("tata", "datatechlabs", policy=FailoverPolicy(failure_threshold=1))
    assert gateway.send(PHONE).provider == "tata"
    second = gateway.send(PHONE)  # Tata's documented 453: one OTP per number per minute
    assert second.provider == "datatechlabs"
    assert [(f.provider, f.kind, f.status_code) for f in second.failures] == [("tata", "rate_limited", 404)]
    assert gateway.breaker_states()["tata"] is BreakerState.CLOSED
    emulator.advance(61)
    assert gateway.send(PHONE).provider == "tata"


def test_tata_reply_lost_after_the_send_stays_and_verifies_by_number(
    emulator: Emulator, gateways: GatewayFactory
) -> None:
    emulator.faults({"kind": "dropAfter", "operation": TATA_SEND, "count": 1})
    gateway = gateways("tata", "datatechlabs")
    ticket = gateway.send(PHONE)
    assert (ticket.provider, ticket.ambiguous, ticket.live.ref) == ("tata", True, None)
    [message] = emulator.messages(PHONE)  # sent once: no retry, no failover
    assert gateway.verify(ticket, emulator.code_in(message)).matched


def test_tata_slow_past_the_deadline_then_the_user_asks_for_a_resend(
    emulator: Emulator, gateways: GatewayFactory
) -> None:
    """No answer within the deadline: no second SMS by itself; the resend goes to datatechlabs first.
    (A number of its own: Tata may still act on the slow request after this test ends.)"""
    phone = "+919812345679"
    emulator.faults({"kind": "latency", "latencyMs": 2000, "operation": TATA_SEND})
    gateway = gateways(gateways.provider("tata", timeout=SHORT_DEADLINE), "datatechlabs")
    ticket = gateway.send(phone)
    assert (ticket.provider, ticket.ambiguous) == ("tata", True)
    resent = gateway.resend(ticket)
    assert resent.provider == "datatechlabs"
    [sms] = [m for m in emulator.messages(phone) if m["provider"] == "datatechlabs"]
    assert gateway.verify(resent, emulator.code_in(sms)).matched
    assert len([m for m in emulator.messages(phone) if m["provider"] == "tata"]) <= 1  # never twice
    assert emulator.fired() == [1]  # Tata was asked once


def test_tata_breaker_half_opens_on_the_emulator_clock(emulator: Emulator, gateways: GatewayFactory) -> None:
    emulator.faults({**DOWN, "operation": TATA_SEND})
    gateway = gateways("tata", "datatechlabs", policy=FailoverPolicy(failure_threshold=1, reset_after=20))
    assert gateway.send(PHONE).provider == "datatechlabs"
    assert gateway.breaker_states()["tata"] is BreakerState.OPEN
    emulator.faults()
    emulator.advance(21)
    assert gateway.breaker_states()["tata"] is BreakerState.HALF_OPEN
    assert gateway.send("+919812345671").provider == "tata"
    assert gateway.breaker_states()["tata"] is BreakerState.CLOSED


def test_doctor_over_the_three(emulator: Emulator, gateways: GatewayFactory) -> None:
    found = {health.provider: health for health in gateways(*THREE).doctor()}
    assert found["2factor"].ok and found["tata"].ok
    assert found["datatechlabs"].ok is None  # no call of its API sends nothing
    assert emulator.messages(PHONE) == []
