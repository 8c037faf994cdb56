"""The contract run catches planted bugs.

Each test builds a deliberately broken variant of the emulator from the test side (tests/contract/
broken.py wraps the emulator's ASGI app, or a proxy in front of a real-socket emulator; no emulator
code is edited), runs the same contract run on the operations concerned, and asserts that it FAILS
on the variant and passes on the real emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import broken, extensions, runner
from .conftest import DATATECHLABS_SPEC_PATH, EXTERNAL_URL, TATA_SPEC_PATH, emulator_config, emulator_module

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(EXTERNAL_URL), reason="planted bugs need the emulator itself, not a live deployment"),
]

ALL_PHASES = ("examples", "coverage", "fuzzing", "stateful")
STATELESS = ("examples", "coverage", "fuzzing")  # for operations without links among them
# Two to four operations instead of 25: 30 stateful scenarios follow their links many times over.
SCENARIOS = 30


def fresh_app() -> Any:
    return emulator_module().create_app(db=":memory:", config=emulator_config())


def contract_run(app: Any, operations: list[str], phases: tuple[str, ...] = ALL_PHASES) -> runner.RunResult:
    schema = runner.load_schema(app=app, operations=operations, phases=phases, stateful_scenarios=SCENARIOS)
    result = runner.run(schema)
    assert not result.errors, result.summary()
    return result


def test_reply_field_of_the_wrong_type() -> None:
    operations = ["getOtpSmsBalance"]
    assert not contract_run(fresh_app(), operations, STATELESS).findings
    found = contract_run(broken.wrong_type_balance(fresh_app()), operations, STATELESS)
    assert found.by_check("response_schema_conformance"), found.summary()


def test_server_error_on_a_long_template_name() -> None:
    operations = ["sendOtpAutogenWithTemplate"]
    assert not contract_run(fresh_app(), operations, STATELESS).findings
    found = contract_run(broken.server_error_on_long_template(fresh_app()), operations, STATELESS)
    assert found.by_check("not_a_server_error"), found.summary()
    assert found.by_check("twofactor_valid_request_not_server_error"), found.summary()


@pytest.fixture
def every_otp_expired() -> Iterator[None]:
    extensions.EVERY_OTP_EXPIRED = True
    try:
        yield
    finally:
        extensions.EVERY_OTP_EXPIRED = False


def test_verify_after_expiry_succeeds(every_otp_expired: None) -> None:
    """After every successful send the emulator's clock moves 11 minutes on (OTP lifetime: 10)."""
    operations = ["sendOtpAutogen2", "sendOtpAutogen", "verifyOtp", "verifyOtpByPhone"]
    expired = broken.AdvanceClockAfterSends(fresh_app(), seconds=11 * 60)
    assert not contract_run(expired, operations).findings
    found = contract_run(broken.expired_otp_matches(broken.AdvanceClockAfterSends(fresh_app(), 11 * 60)), operations)
    assert found.by_check("twofactor_expired_otp_never_matches"), found.summary()


def test_stateful_only_bug_needs_a_real_session_id() -> None:
    operations = ["sendOtpAutogen2", "verifyOtp"]
    assert not contract_run(fresh_app(), operations).findings
    # Without links, no phase can guess a live session id and its OTP: the bug stays hidden ...
    stateless = contract_run(broken.crash_on_real_match(fresh_app()), operations, STATELESS)
    assert not stateless.findings, stateless.summary()
    # ... and the stateful phase, following AUTOGEN2's link with the returned OTP, finds it.
    found = contract_run(broken.crash_on_real_match(fresh_app()), operations, ("stateful",))
    crashes = found.by_check("not_a_server_error")
    assert crashes and all(finding.phase == "stateful" for finding in crashes), found.summary()


# Each custom check of tests/contract/extensions.py can fail: a variant that breaks the rule it
# asserts, the operations that reach it, the phases needed, the check that must report it.
CUSTOM_CHECK_BUGS = [
    pytest.param(broken.unknown_key_accepted, ["getOtpSmsBalance"], STATELESS, "twofactor_foreign_key_refused"),
    pytest.param(broken.sandbox_accepts_anything, ["sendSandboxOtp"], STATELESS, "twofactor_negative_data_rejection"),
    pytest.param(broken.enc_reply_not_sealed, ["sendEncrypted"], STATELESS, "twofactor_sealed_reply_opens"),
    pytest.param(
        broken.right_otp_mismatches, ["sendOtpAutogen2", "verifyOtp"], ("stateful",), "twofactor_linked_verify_matches"
    ),
]


@pytest.mark.parametrize(("variant", "operations", "phases", "check"), CUSTOM_CHECK_BUGS)
def test_custom_check_catches_its_bug(variant: Any, operations: list[str], phases: tuple[str, ...], check: str) -> None:
    found = contract_run(variant(fresh_app()), operations, phases)
    assert found.by_check(check), found.summary()


# The Tata and datatechlabs documents' runs fail on their planted bugs too (the same checks, the
# document's own schemas and Basic auth from schemathesis.toml's `[[project]]` blocks).
PROVIDER_BUGS = [
    pytest.param(
        broken.tata_request_id_as_number,
        TATA_SPEC_PATH,
        ["tataSendOtp"],
        STATELESS,
        "response_schema_conformance",
        id="tata-type",
    ),
    pytest.param(
        broken.tata_ignores_basic_auth, TATA_SPEC_PATH, ["tataListLimits"], STATELESS, "ignored_auth", id="tata-auth"
    ),
    # Only the send's links reach an OTP that was already canceled (a second cancel of it: 409).
    pytest.param(
        broken.tata_locked_otp_reported_as_success,
        TATA_SPEC_PATH,
        ["tataSendOtp", "tataCancelOtp"],
        ("stateful",),
        "response_schema_conformance",
        id="tata-state",
    ),
    pytest.param(
        broken.datatechlabs_accepts_anything,
        DATATECHLABS_SPEC_PATH,
        ["datatechlabsSendSms"],
        STATELESS,
        "negative_data_rejection",
        id="datatechlabs-negative",
    ),
    pytest.param(
        broken.datatechlabs_error_without_status,
        DATATECHLABS_SPEC_PATH,
        ["datatechlabsSendSms"],
        STATELESS,
        "response_schema_conformance",
        id="datatechlabs-error-shape",
    ),
]


@pytest.mark.parametrize(("variant", "document", "operations", "phases", "check"), PROVIDER_BUGS)
def test_provider_document_run_catches_its_bug(
    variant: Any, document: Path, operations: list[str], phases: tuple[str, ...], check: str
) -> None:
    def run(app: Any) -> runner.RunResult:
        schema = runner.load_schema(
            app=app, path=document, operations=operations, phases=phases, stateful_scenarios=SCENARIOS
        )
        result = runner.run(schema)
        assert not result.errors, result.summary()
        return result

    assert not run(fresh_app()).findings
    found = run(variant(fresh_app()))
    assert found.by_check(check), found.summary()
