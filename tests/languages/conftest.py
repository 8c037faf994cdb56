"""Shared by the other-language tests: a real emulator process whose address and keys reach the
native test runner through environment variables, and helpers to run those runners."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from twofactor_emulator.testing import running_emulator

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
SOURCE = ROOT / "openapi" / "twofactor.yaml"
# The round trips read the known-answer vectors from the published bundle, the file users download.
BUNDLE = ROOT / "dist" / f"twofactor-openapi-{yaml.safe_load(SOURCE.read_text())['info']['version']}.json"


def operation_ids(bundle: Path = BUNDLE) -> list[str]:
    document = json.loads(bundle.read_text())
    methods = ("get", "put", "post", "delete", "patch")
    return [op["operationId"] for item in document["paths"].values() for m, op in item.items() if m in methods]


@pytest.fixture
def emulator_env() -> Iterator[dict[str, str]]:
    """A fresh emulator process (one account per provider, random keys) and the environment for a native runner."""
    with running_emulator() as emulator:
        yield dict(
            os.environ,
            TWOFACTOR_BASE_URL=emulator.base_url,
            TWOFACTOR_API_KEY=emulator.api_key,
            TWOFACTOR_SECRET_KEY=emulator.secret_key,
            TWOFACTOR_DOCUMENT=str(BUNDLE),
            TATA_ACCOUNT_SID=emulator.credentials["tata"][0],
            TATA_AUTH_TOKEN=emulator.credentials["tata"][1],
        )


def tool(name: str, installer: str = "./dev setup") -> str:
    """A toolchain command; missing means the machine was not set up, which is a failure, not a skip."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run {installer}")
    return found


def run(cmd: list[str | Path], env: dict[str, str] | None = None, cwd: Path = ROOT, timeout: float = 600) -> str:
    """Run a native build or test runner; fail the test with its (redacted) output if it exits non-zero."""
    result = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = redact(result.stdout + result.stderr, env)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(str(c) for c in cmd[:3])} exited {result.returncode}:\n{output[-6000:]}")
    return output


def redact(text: str, env: dict[str, str] | None) -> str:
    """The runners may echo a URL with the API key in it: keep the keys out of test output."""
    for name in ("TWOFACTOR_API_KEY", "TWOFACTOR_SECRET_KEY", "TATA_AUTH_TOKEN"):
        secret = (env or {}).get(name)
        if secret:
            text = text.replace(secret, f"<{name}>")
    return text


def passed_names(output: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, output, flags=re.MULTILINE))
