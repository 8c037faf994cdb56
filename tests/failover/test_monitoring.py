"""Monitoring without secrets: events and log records name providers, kinds and states, and never
hold an API key, the app secret, a code, a ticket token or a whole phone number."""

from __future__ import annotations

import logging

import pytest
from otp_gateway import FailoverPolicy

from .conftest import API_KEY, APP_SECRET, BROKE_API_KEY, OTP_SEND, PHONE, SMS_API_KEY, Emulator, GatewayFactory


def test_events_and_logs_carry_no_secret(
    emulator: Emulator, gateways: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emulator.faults({"kind": "error", "status": 503, "operation": OTP_SEND})
    gateway = gateways("2factor-broke", "2factor", "2factor-sms", policy=FailoverPolicy(failure_threshold=1))
    ticket = gateway.send(PHONE)
    code = emulator.code_in(emulator.messages(PHONE)[0])
    assert gateway.verify(ticket, code).matched
    ours = [str(event) for event in gateways.events] + [repr(gateway), repr(ticket), str(ticket.failures)]
    ours += [record.getMessage() for record in caplog.records if record.name == "otp_gateway"]
    everything = "\n".join(ours + [record.getMessage() for record in caplog.records])  # httpx's own too
    for secret in (API_KEY, SMS_API_KEY, BROKE_API_KEY, APP_SECRET, ticket.token):
        assert secret not in everything
    for private in (PHONE, PHONE[1:], code):  # the providers' URLs hold the number; the gateway's records do not
        assert private not in "\n".join(ours)
    names = [event.name for event in gateways.events]
    assert names.count("send_failed") == 2 and names.count("breaker") == 2 and "sent" in names
    sent = gateways.named("sent")[0]
    assert sent.provider == "2factor-sms" and sent.phone == "+91********70" and sent.elapsed_ms is not None


def test_a_failing_event_callback_does_not_break_a_login(emulator: Emulator, gateways: GatewayFactory) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("monitoring is down")

    gateway = gateways("2factor", on_event=[broken])
    ticket = gateway.send(PHONE)
    assert gateway.verify(ticket, emulator.handle.latest_otp(PHONE)).matched


def test_doctor_checks_credentials_with_a_read(emulator: Emulator, gateways: GatewayFactory) -> None:
    gateway = gateways("2factor", "2factor-sms", "2factor-dead")
    found = {health.provider: health for health in gateway.doctor()}
    assert found["2factor"].ok and "credits left" in found["2factor"].details
    assert found["2factor-sms"].ok
    assert found["2factor-dead"].ok is False and "ConnectError" in found["2factor-dead"].details
    assert emulator.messages(PHONE) == []
