"""Go: the client openapi-generator's `go` generates from the published document builds with only
the standard library (no module proxy: GOPROXY=off), and `go test` checks the envelope against the
document's vectors and does a full round trip against a real emulator."""

from __future__ import annotations

import pytest

from .conftest import ROOT, passed_names, run, tool

pytestmark = pytest.mark.slow

MODULE = ROOT / "tests" / "languages" / "go"
# Nothing may come from the network; a toolchain newer than the generated go.mod's `go` line must
# not try to download another one either.
GO_ENV = {"GOPROXY": "off", "GOFLAGS": "-mod=readonly", "GOTOOLCHAIN": "local", "GOWORK": "off"}


def go_test(env: dict[str, str]) -> str:
    return run([tool("go"), "test", "-count=1", "-v", "./..."], env=dict(env, **GO_ENV), cwd=MODULE)


def test_go_round_trip(emulator_env: dict[str, str]) -> None:
    output = go_test(emulator_env)
    passed = passed_names(output, r"^\s*--- PASS: (\S+)")
    assert {
        "TestEnvelopeVectors/gcm-send-sms",
        "TestEnvelopeVectors/cbc-send-sms",
        "TestEnvelopeVectors/gcm-tag-bit-flipped",
        "TestEnvelopeVectors/cbc-padding-bytes-differ",
        "TestAutogenThenVerifyWrongAndRight",
        "TestAutogen2ThenVerify3",
        "TestCustomOtp",
        "TestR1Form",
        "TestBulk",
        "TestEncrypted/GCM",
        "TestEncrypted/CBC",
    } <= passed, output
    assert "--- FAIL" not in output


def test_a_failing_go_round_trip_fails(emulator_env: dict[str, str]) -> None:
    """`go test`'s exit code reaches pytest: with a wrong secret key the encrypted sends fail."""
    with pytest.raises(pytest.fail.Exception, match=r"--- FAIL: TestEncrypted/GCM"):
        go_test(dict(emulator_env, TWOFACTOR_SECRET_KEY="w" * 32))
