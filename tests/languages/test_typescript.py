"""TypeScript: both generated targets of every published document compile with `tsc --strict`, then
node's test runner checks 2Factor's envelope against the document's vectors and does a full round
trip through each 2Factor client, and a Tata Smart 2FA send and verify through its typescript-fetch client."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import GENERATED, ROOT, passed_names, run

pytestmark = [pytest.mark.node, pytest.mark.slow]

TESTS = ROOT / "tests" / "languages" / "typescript"
ROUND_TRIP = [
    "AUTOGEN, then VERIFY with a wrong code and with the right one",
    "AUTOGEN2 returns the OTP, and VERIFY3 checks it by phone number",
    "a custom OTP value is the one the SMS carries",
    "R1 form POST sends the SMS",
    "bulk JSON: accepted and rejected messages",
    "encrypted send (GCM) with node:crypto, the sealed reply opened",
    "encrypted send (CBC) with node:crypto, the sealed reply opened",
]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tsc --strict over the round trips, generated/typescript-fetch and generated/openapi-typescript."""
    out = tmp_path_factory.mktemp("typescript")
    run([ROOT / "node_modules" / ".bin" / "tsc", "-p", TESTS / "tsconfig.json", "--outDir", out])
    return out / "tests" / "languages" / "typescript"


def typescript_targets() -> set[str]:
    """Every TypeScript output of scripts/generate.py: a .d.ts file, or a typescript-fetch folder's index.ts."""
    d_ts = {p.relative_to(ROOT).as_posix() for p in (GENERATED / "openapi-typescript").glob("*.d.ts")}
    fetch = {p.relative_to(ROOT).as_posix() for p in (GENERATED / "typescript-fetch").glob("*/index.ts")}
    return d_ts | fetch


def test_tsconfig_compiles_every_typescript_target() -> None:
    """tsc only checks the files it is given (and what they import): each generated target must be one."""
    files = json.loads((TESTS / "tsconfig.json").read_text())["files"]
    listed = {(TESTS / f).resolve().relative_to(ROOT).as_posix() for f in files}
    # 2Factor's typescript-fetch client is compiled through the round trip that imports it.
    assert typescript_targets() - {"generated/typescript-fetch/twofactor/index.ts"} <= listed
    assert len(typescript_targets()) == 6


def test_every_typescript_target_compiles(build: Path) -> None:
    """The build fixture fails on any error (`--noEmitOnError`); a client it compiled has emitted JavaScript.
    (The .d.ts files emit nothing: their being in tsconfig's files is what checks them.)"""
    out = build.parents[2]
    clients = [t for t in typescript_targets() if not t.endswith(".d.ts")]
    assert [t for t in clients if not (out / t.removesuffix(".ts")).with_suffix(".js").exists()] == []


def node_test(build: Path, name: str, env: dict[str, str]) -> str:
    # The compiled files live outside the repository; NODE_PATH finds openapi-fetch for them.
    env = dict(env, NODE_PATH=str(ROOT / "node_modules"))
    output = run(["node", "--test", "--test-reporter=tap", build / f"{name}.test.js"], env=env)
    assert "\n# fail 0" in output, output
    return output


def test_envelope_matches_the_documents_vectors(build: Path, emulator_env: dict[str, str]) -> None:
    output = node_test(build, "envelope", emulator_env)
    passed = passed_names(output, r"^\s*ok \d+ - (.+)$")
    assert {"seals and opens gcm-send-sms", "seals and opens cbc-send-sms", "refuses gcm-tag-bit-flipped"} <= passed
    assert "\n# pass 17" in output  # 7 valid vectors, 8 invalid ones, and 2 more checks


def test_typescript_fetch_round_trip(build: Path, emulator_env: dict[str, str]) -> None:
    output = node_test(build, "typescript-fetch", emulator_env)
    passed = passed_names(output, r"^\s*ok \d+ - (.+)$")
    assert set(ROUND_TRIP) <= passed, output
    assert "encrypted send sealed with another key is refused" in passed


def test_openapi_fetch_round_trip(build: Path, emulator_env: dict[str, str]) -> None:
    output = node_test(build, "openapi-fetch", emulator_env)
    assert set(ROUND_TRIP) <= passed_names(output, r"^\s*ok \d+ - (.+)$"), output


def test_tata_smart2fa_round_trip(build: Path, emulator_env: dict[str, str]) -> None:
    output = node_test(build, "tata-smart2fa", emulator_env)
    assert {
        "send by SMS, then verify with a wrong code and with the right one",
        "a wrong account token is refused with HTTP 401",
    } <= passed_names(output, r"^\s*ok \d+ - (.+)$"), output


def test_a_failing_round_trip_fails(build: Path, emulator_env: dict[str, str]) -> None:
    """The runner's exit code reaches pytest: with a wrong secret key the encrypted sends fail."""
    env = dict(emulator_env, TWOFACTOR_SECRET_KEY="w" * 32, NODE_PATH=str(ROOT / "node_modules"))
    command = ["node", "--test", "--test-reporter=tap", str(build / "typescript-fetch.test.js")]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode != 0
    assert re.search(r"^not ok \d+ - encrypted send \(GCM\)", result.stdout, flags=re.MULTILINE)
    assert re.search(r"^ok \d+ - AUTOGEN, then VERIFY", result.stdout, flags=re.MULTILINE)
