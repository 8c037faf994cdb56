"""Failover against injected outages on the real emulator: each scenario of the contract, run once
with the sync gateway and once with the async one, counting the SMS the outbox really holds."""

from __future__ import annotations

import pytest
from otp_gateway import AllProvidersFailed, BreakerState, FailoverPolicy, OnAmbiguous, VerifyOutcome

from .conftest import OTP_SEND, PHONE, SHORT_DEADLINE, SMS_SEND, Emulator, GatewayFactory

DOWN = {"kind": "error", "status": 503}
SLOW = {"kind": "latency", "latencyMs": 2000}


def test_healthy_first_provider_sends_and_its_code_verifies_once(emulator: Emulator, gateways: GatewayFactory) -> None:
    gateway = gateways("2factor", "2factor-sms")
    ticket = gateway.send(PHONE)
    assert (ticket.provider, ticket.ambiguous, ticket.failures) == ("2factor", False, ())
    [message] = emulator.messages(PHONE)
    code = emulator.code_in(message)
    assert gateway.verify(ticket.token, code).outcome is VerifyOutcome.MATCHED
    assert gateway.verify(ticket.token, code).outcome is VerifyOutcome.USED


def test_first_provider_down_the_second_sends_and_the_code_verifies(
    emulator: Emulator, gateways: GatewayFactory
) -> None:
    emulator.faults({**DOWN, "operation": OTP_SEND})
    gateway = gateways("2factor", "2factor-sms")
    ticket = gateway.send(PHONE)
    assert ticket.provider == "2factor-sms"
    assert [(f.provider, f.kind, f.status_code) for f in ticket.failures] == [("2factor", "unavailable", 503)]
    [message] = emulator.messages(PHONE)  # the failed provider sent nothing, the second sent once
    assert gateway.verify(ticket.token, "000000" if emulator.code_in(message) != "000000" else "111111").outcome is (
        VerifyOutcome.MISMATCH
    )
    assert gateway.verify(ticket.token, emulator.code_in(message)).matched
    assert emulator.fired() == [1]  # one request to the failed provider: no retry inside it
    assert [e.provider for e in gateways.named("send_attempt")] == ["2factor", "2factor-sms"]


def test_refused_connections_fail_over_without_ambiguity(emulator: Emulator, gateways: GatewayFactory) -> None:
    gateway = gateways("2factor-dead", "2factor")
    ticket = gateway.send(PHONE)
    assert ticket.provider == "2factor" and not ticket.ambiguous
    assert [(f.provider, f.kind) for f in ticket.failures] == [("2factor-dead", "unavailable")]
    assert gateway.verify(ticket, emulator.handle.latest_otp(PHONE)).matched


def test_rate_limited_provider_goes_to_the_next(emulator: Emulator, gateways: GatewayFactory) -> None:
    emulator.faults(
        {
            "kind": "error",
            "status": 429,
            "details": "Rate Limit Exceeded - 200 Requests Per Second",
            "operation": OTP_SEND,
        }
    )
    gateway = gateways("2factor", "2factor-sms")
    ticket = gateway.send(PHONE)
    assert ticket.provider == "2factor-sms"
    assert [(f.provider, f.kind, f.status_code) for f in ticket.failures] == [("2factor", "rate_limited", 429)]
    assert emulator.fired() == [1]  # a 429 is not retried after a backoff: the next provider is faster
    [message] = emulator.messages(PHONE)
    assert gateway.verify(ticket, emulator.code_in(message)).matched


def test_insufficient_credits_go_to_the_next(emulator: Emulator, gateways: GatewayFactory) -> None:
    gateway = gateways("2factor-broke", "2factor")
    ticket = gateway.send(PHONE)
    assert ticket.provider == "2factor"
    assert [(f.provider, f.kind) for f in ticket.failures] == [("2factor-broke", "no_credits")]
    assert len(emulator.messages(PHONE)) == 1


def test_all_down_is_one_error_naming_each_provider_and_its_reason(
    emulator: Emulator, gateways: GatewayFactory
) -> None:
    emulator.faults({**DOWN, "operation": OTP_SEND})
    gateway = gateways("2factor", "2factor-broke", "2factor-dead")
    with pytest.raises(AllProvidersFailed) as caught:
        gateway.send(PHONE)
    failures = caught.value.failures
    assert [(f.provider, f.kind) for f in failures] == [
        ("2factor", "unavailable"),
        ("2factor-broke", "no_credits"),
        ("2factor-dead", "unavailable"),
    ]
    text = str(caught.value)
    assert "2factor: unavailable, HTTP 503" in text and "2factor-broke: no_credits" in text
    assert "ConnectError" in text  # the dead provider's reason: its connection was refused
    assert emulator.messages(PHONE) == []
    assert [e.name for e in gateways.events][-1] == "all_failed"


def test_malformed_number_is_refused_before_any_provider(emulator: Emulator, gateways: GatewayFactory) -> None:
    from otp_gateway import InvalidInput

    gateway = gateways("2factor", "2factor-sms")
    with pytest.raises(InvalidInput):
        gateway.send("+91 98123 45670")
    assert gateways.events == []


def test_slow_provider_past_the_deadline_stays_ambiguous_by_default(
    emulator: Emulator, gateways: GatewayFactory
) -> None:
    """The default policy: no second SMS. The slow provider's SMS does go out, late; its code verifies
    (2Factor by phone number, since no session id came back)."""
    emulator.faults({**SLOW, "operation": OTP_SEND})
    gateway = gateways(gateways.provider("2factor", timeout=SHORT_DEADLINE), "2factor-sms")
    ticket = gateway.send(PHONE)
    assert (ticket.provider, ticket.ambiguous) == ("2factor", True)
    assert [(f.provider, f.kind) for f in ticket.failures] == [("2factor", "ambiguous")]
    assert ticket.live.ref is None
    late = emulator.handle.wait_for_message(PHONE, timeout=10.0, after=0)
    assert [m["seq"] for m in emulator.messages(PHONE)] == [late["seq"]]  # one SMS: no failover, no retry
    assert gateway.verify(ticket, emulator.code_in(late)).matched
    assert [e.provider for e in gateways.named("send_ambiguous")] == ["2factor"]


def test_slow_provider_with_fail_over_policy_only_the_second_code_counts(
    emulator: Emulator, gateways: GatewayFactory
) -> None:
    """Two providers each sent a code for one ticket: the later one is live and the only one
    accepted; the slow provider's code is a mismatch, and is never tried at the slow provider."""
    emulator.faults({**SLOW, "operation": OTP_SEND})
    policy = FailoverPolicy(on_ambiguous=OnAmbiguous.FAIL_OVER)
    gateway = gateways(gateways.provider("2factor", timeout=SHORT_DEADLINE), "2factor-sms", policy=policy)
    ticket = gateway.send(PHONE)
    assert ticket.provider == "2factor-sms" and not ticket.ambiguous
    assert [(d.provider, d.ambiguous) for d in ticket.deliveries] == [("2factor", True), ("2factor-sms", False)]
    second = emulator.messages(PHONE)[0]
    first = emulator.handle.wait_for_message(PHONE, timeout=10.0, after=second["seq"])  # the slow one, late
    assert len(emulator.messages(PHONE)) == 2
    first_code, second_code = emulator.code_in(first), emulator.code_in(second)
    if first_code != second_code:  # one chance in a million that they are equal
        assert gateway.verify(ticket, first_code).outcome is VerifyOutcome.MISMATCH
    assert gateway.verify(ticket, second_code).matched
    assert gateway.verify(ticket, second_code).outcome is VerifyOutcome.USED
    verifies = [e.provider for e in gateways.named("verified")]
    assert set(verifies) == {"2factor-sms"}  # the slow provider was never asked


def test_reply_dropped_after_the_work_is_ambiguous_and_not_resent(emulator: Emulator, gateways: GatewayFactory) -> None:
    """The emulator sends the OTP, then resets the connection: the SMS exists once, and its code verifies."""
    emulator.faults({"kind": "dropAfter", "operation": OTP_SEND, "count": 1})
    gateway = gateways("2factor", "2factor-sms")
    ticket = gateway.send(PHONE)
    assert (ticket.provider, ticket.ambiguous) == ("2factor", True)
    [message] = emulator.messages(PHONE)
    assert gateway.verify(ticket, emulator.code_in(message)).matched
    # Verified by phone number (VERIFY3), whose answer for a used OTP is "No Entry Exists".
    assert gateway.verify(ticket, emulator.code_in(message)).outcome is VerifyOutcome.UNKNOWN


def test_breaker_opens_then_half_opens_when_the_clock_moves(emulator: Emulator, gateways: GatewayFactory) -> None:
    emulator.faults({**DOWN, "operation": OTP_SEND})
    policy = FailoverPolicy(failure_threshold=2, reset_after=30.0)
    gateway = gateways("2factor", "2factor-sms", policy=policy)
    for _ in range(2):
        assert gateway.send(PHONE).provider == "2factor-sms"
    assert gateway.breaker_states()["2factor"] is BreakerState.OPEN
    third = gateway.send(PHONE)
    assert third.provider == "2factor-sms"
    assert [(f.provider, f.kind) for f in third.failures] == [("2factor", "circuit_open")]
    assert emulator.fired() == [2]  # the open breaker kept the third request off the wire
    # Time passes on the emulator's clock (the gateway's in these tests); the provider heals.
    emulator.advance(29)
    assert gateway.breaker_states()["2factor"] is BreakerState.OPEN
    emulator.advance(2)
    assert gateway.breaker_states()["2factor"] is BreakerState.HALF_OPEN
    emulator.faults()
    probe = gateway.send(PHONE)
    assert probe.provider == "2factor"
    assert gateway.breaker_states()["2factor"] is BreakerState.CLOSED
    moves = [(e.previous_state, e.state) for e in gateways.named("breaker")]
    assert moves == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
    assert gateway.verify(probe, emulator.handle.latest_otp(PHONE)).matched


def test_failed_probe_opens_the_breaker_again(emulator: Emulator, gateways: GatewayFactory) -> None:
    emulator.faults({**DOWN, "operation": OTP_SEND})
    gateway = gateways("2factor", "2factor-sms", policy=FailoverPolicy(failure_threshold=1, reset_after=10.0))
    gateway.send(PHONE)
    emulator.advance(11)
    assert gateway.send(PHONE).provider == "2factor-sms"  # the probe failed
    assert gateway.breaker_states()["2factor"] is BreakerState.OPEN
    assert emulator.fired() == [2]
    moves = [(e.previous_state, e.state) for e in gateways.named("breaker")]
    assert moves == [("closed", "open"), ("open", "half_open"), ("half_open", "open")]


def test_second_provider_down_too_uses_the_first(emulator: Emulator, gateways: GatewayFactory) -> None:
    emulator.faults({**DOWN, "operation": SMS_SEND})
    gateway = gateways("2factor-sms", "2factor")
    ticket = gateway.send(PHONE)
    assert ticket.provider == "2factor"
    assert gateway.verify(ticket, emulator.handle.latest_otp(PHONE)).matched


def test_resend_goes_to_another_provider_and_only_the_new_code_counts(
    emulator: Emulator, gateways: GatewayFactory
) -> None:
    gateway = gateways("2factor-sms", "2factor")
    first = gateway.send(PHONE)
    old_code = emulator.code_in(emulator.messages(PHONE)[0])
    second = gateway.resend(first.token)
    assert (first.provider, second.provider, second.id) == ("2factor-sms", "2factor", first.id)
    new_code = emulator.handle.latest_otp(PHONE)
    assert len(emulator.messages(PHONE)) == 2
    if old_code != new_code:
        assert gateway.verify(second, old_code).outcome is VerifyOutcome.MISMATCH
    # The old token's local code was discarded when the new one went out: replaying it finds nothing.
    assert gateway.verify(first, old_code).outcome is VerifyOutcome.UNKNOWN
    assert gateway.verify(second, new_code).matched


def test_verify_after_the_ticket_expires_asks_no_provider(emulator: Emulator, gateways: GatewayFactory) -> None:
    gateway = gateways("2factor", policy=FailoverPolicy(code_ttl=60))
    ticket = gateway.send(PHONE)
    emulator.advance(61)
    assert gateway.verify(ticket, emulator.handle.latest_otp(PHONE)).outcome is VerifyOutcome.EXPIRED
    assert [e.elapsed_ms for e in gateways.named("verified")] == [None]  # decided locally


def test_local_code_expires_and_locks_on_the_gateway_clock(emulator: Emulator, gateways: GatewayFactory) -> None:
    gateway = gateways("2factor-sms", policy=FailoverPolicy(max_attempts=2))
    ticket = gateway.send(PHONE)
    code = emulator.code_in(emulator.messages(PHONE)[0])
    wrong = "000000" if code != "000000" else "111111"
    assert [gateway.verify(ticket, wrong).outcome for _ in range(2)] == [VerifyOutcome.MISMATCH] * 2
    assert gateway.verify(ticket, code).outcome is VerifyOutcome.LOCKED
    other = gateway.send(PHONE)
    emulator.advance(301)
    assert gateway.verify(other, emulator.code_in(emulator.messages(PHONE)[0])).outcome is VerifyOutcome.EXPIRED


def test_a_misconfigured_provider_is_skipped(emulator: Emulator, gateways: GatewayFactory) -> None:
    """A template name 2Factor refuses is the provider's configuration, not the user's input: fail over."""
    gateway = gateways(gateways.provider("2factor", template="no/such;template"), "2factor-sms")
    ticket = gateway.send(PHONE)
    assert ticket.provider == "2factor-sms"
    assert [(f.provider, f.kind) for f in ticket.failures] == [("2factor", "refused")]
    assert len(emulator.messages(PHONE)) == 1


def test_connection_dropped_before_the_work_then_the_user_asks_for_a_resend(
    emulator: Emulator, gateways: GatewayFactory
) -> None:
    """The request may have arrived (the connection was reset), but nothing was sent: no retry, no
    second SMS by itself; the app's resend goes to the other provider, and its code logs in."""
    emulator.faults({"kind": "drop", "operation": OTP_SEND})
    gateway = gateways("2factor", "2factor-sms")
    ticket = gateway.send(PHONE)
    assert (ticket.provider, ticket.ambiguous) == ("2factor", True)
    assert emulator.messages(PHONE) == [] and emulator.fired() == [1]
    resent = gateway.resend(ticket)
    assert resent.provider == "2factor-sms" and not resent.ambiguous
    [message] = emulator.messages(PHONE)
    assert gateway.verify(resent, emulator.code_in(message)).matched
    assert emulator.fired() == [1]  # the dropped provider was not asked again


def test_verify_while_the_issuer_is_down_is_not_tried_elsewhere(emulator: Emulator, gateways: GatewayFactory) -> None:
    from otp_gateway import VerifyUnavailable

    gateway = gateways("2factor", "2factor-sms")
    ticket = gateway.send(PHONE)
    code = emulator.handle.latest_otp(PHONE)
    emulator.faults({**DOWN, "operation": "verifyOtp"})
    with pytest.raises(VerifyUnavailable) as caught:
        gateway.verify(ticket, code)
    assert caught.value.may_have_arrived and caught.value.status_code == 503
    # The same ticket, on a gateway whose 2factor is unreachable: refused before anything was sent.
    unreachable = gateways(gateways.provider("2factor-dead", name="2factor"), "2factor-sms")
    with pytest.raises(VerifyUnavailable) as refused:
        unreachable.verify(ticket.token, code)
    assert refused.value.may_have_arrived is False
    assert [e.provider for e in gateways.named("verify_failed")] == ["2factor", "2factor"]
    emulator.faults()
    assert gateway.verify(ticket, code).matched  # the provider healed: the code still works, once
    assert gateway.verify(ticket, code).outcome is VerifyOutcome.USED
