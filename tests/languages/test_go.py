"""Go: the clients openapi-generator's `go` generates from the published documents build and pass
`go vet` with only the standard library (no module proxy: GOPROXY=off), and for 2Factor `go test`
checks the envelope against the document's vectors and does a full round trip against a real emulator."""

from __future__ import annotations

import os

import pytest

from .conftest import GENERATED, ROOT, passed_names, run, tool

pytestmark = pytest.mark.slow

MODULE = ROOT / "tests" / "languages" / "go"
# Nothing may come from the network; a toolchain newer than the generated go.mod's `go` line must
# not try to download another one either.
GO_ENV = {"GOPROXY": "off", "GOFLAGS": "-mod=readonly", "GOTOOLCHAIN": "local", "GOWORK": "off"}


# Every Go row of scripts/generate.py: the Tata and datatechlabs clients have no round trip yet, so
# this is where they are proven to build; 2Factor's builds in the round trip as well.
GO_PACKAGES = sorted(p.name for p in (GENERATED / "go").iterdir() if (p / "go.mod").exists())


def test_every_generated_go_package_is_built() -> None:
    assert {"twofactor", "tata_smart2fa", "datatechlabs"} <= set(GO_PACKAGES)


@pytest.mark.parametrize("package", GO_PACKAGES)
def test_generated_go_client_builds_and_vets(package: str) -> None:
    env = dict(os.environ, **GO_ENV)
    run([tool("go"), "build", "./..."], env=env, cwd=GENERATED / "go" / package)
    run([tool("go"), "vet", "./..."], env=env, cwd=GENERATED / "go" / package)


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
