"""Fixtures of the contract tests: the emulator under test, the account keys, the run profile.

What the suite runs against, in order of precedence:

* `TWOFACTOR_CONTRACT_URL` (plus `TWOFACTOR_CONTRACT_API_KEY`, `TWOFACTOR_CONTRACT_SECRET_KEY` and
  `TWOFACTOR_CONTRACT_SANDBOX_PHONE`; for the Tata and datatechlabs documents
  `TWOFACTOR_CONTRACT_TATA_SID`, `_TATA_TOKEN`, `_DATATECHLABS_USER` and `_DATATECHLABS_PASSWORD`): a
  live deployment or another implementation of the documents.
  Only the tests that need no emulator run (the CLI run of twofactor.yaml, the examples replay).
* otherwise the module named by `TWOFACTOR_CONTRACT_EMULATOR_MODULE` (default
  `twofactor_emulator.testing`), which must provide `running_emulator(db=..., config=None)` and, for
  the in-process runs, `create_app(...)`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .extensions import CONTRACT_API_KEY, CONTRACT_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "twofactor.yaml"
ADMIN_SPEC_PATH = ROOT / "openapi" / "emulator-admin.yaml"
TATA_SPEC_PATH = ROOT / "openapi" / "tata-smart2fa.yaml"
DATATECHLABS_SPEC_PATH = ROOT / "openapi" / "datatechlabs-sms.yaml"
ARTIFACTS = ROOT / "artifacts" / "contract"
ST = ROOT / ".venv" / "bin" / "st"

# ------------------------------------------------------------------------------------ profiles
# The default profile is schemathesis.toml as it is (12 examples per operation and phase, 100
# stateful scenarios of up to 16 steps): the whole contract suite then takes about 2 minutes on 2
# cores (measured figure in docs/contract-tests.md). The deep profile, for a nightly job or a
# release (TWOFACTOR_CONTRACT_PROFILE=deep), raises them.
PROFILE_NAME = os.environ.get("TWOFACTOR_CONTRACT_PROFILE", "default")
PROFILES: dict[str, dict[str, int]] = {
    "default": {},
    # max_examples: per operation and phase; stateful_scenarios / stateful_steps: the stateful phase
    "deep": {"max_examples": 300, "stateful_scenarios": 600, "stateful_steps": 24},
}
if PROFILE_NAME not in PROFILES:
    raise pytest.UsageError(f"TWOFACTOR_CONTRACT_PROFILE must be one of {sorted(PROFILES)}, got {PROFILE_NAME!r}")
PROFILE = PROFILES[PROFILE_NAME]

EXTERNAL_URL = os.environ.get("TWOFACTOR_CONTRACT_URL")
EMULATOR_MODULE = os.environ.get("TWOFACTOR_CONTRACT_EMULATOR_MODULE", "twofactor_emulator.testing")

# The contract account: the keys schemathesis.toml's dictionaries inject.
CONTRACT_ACCOUNT = {"api_key": CONTRACT_API_KEY, "secret_key": CONTRACT_SECRET_KEY}


def emulator_module() -> ModuleType:
    """The emulator's testing module, or skip: the emulator is written in parallel with these tests."""
    try:
        return importlib.import_module(EMULATOR_MODULE)
    except ImportError as exc:
        pytest.skip(f"the emulator is not available yet ({EMULATOR_MODULE}: {exc})")


@dataclass
class Target:
    """Where the contract run sends its requests, and the account it uses."""

    base_url: str
    api_key: str
    secret_key: str
    handle: Any = None  # the running_emulator handle, when the target is the emulator


# Enough credits that no phase runs the account dry: the stateful phase runs last, and a send refused
# for credits would never reach its links to VERIFY (the default account has 250).
CONTRACT_CREDITS = 10_000_000


# The Basic credentials of the Tata and datatechlabs contract accounts, as schemathesis.toml's
# `[[project]]` blocks write them; another deployment's come from the environment (conftest docstring).
TOML_TATA = ("ACc0ffee0000000000000000000000c0de", "contract-tata-token-0123456789")
TOML_DATATECHLABS = ("contract", "contract-dtl-password-0123")
TATA_CREDENTIALS = (
    os.environ.get("TWOFACTOR_CONTRACT_TATA_SID", TOML_TATA[0]),
    os.environ.get("TWOFACTOR_CONTRACT_TATA_TOKEN", TOML_TATA[1]),
)
DATATECHLABS_CREDENTIALS = (
    os.environ.get("TWOFACTOR_CONTRACT_DATATECHLABS_USER", TOML_DATATECHLABS[0]),
    os.environ.get("TWOFACTOR_CONTRACT_DATATECHLABS_PASSWORD", TOML_DATATECHLABS[1]),
)


def emulator_config() -> dict[str, Any]:
    """The emulator configuration the contract run needs: the contract accounts of each provider."""
    # The shape of twofactor_emulator.core.config.parse_config: one account, one sandbox number.
    return {
        "accounts": [dict(CONTRACT_ACCOUNT, sandbox=["+919920123456"], credits=CONTRACT_CREDITS)],
        "tata": {"accounts": [{"account_sid": TOML_TATA[0], "auth_token": TOML_TATA[1]}]},
        "datatechlabs": {
            # Fuzzed sends ask for receipts at generated URLs: one short attempt each.
            "dlr_max_attempts": 1,
            "dlr_timeout_seconds": 0.5,
            "accounts": [
                {"username": TOML_DATATECHLABS[0], "password": TOML_DATATECHLABS[1], "credits": CONTRACT_CREDITS}
            ],
        },
    }


@contextmanager
def serve_target() -> Iterator[Target]:
    """The server under test: the deployment at TWOFACTOR_CONTRACT_URL, or a new emulator process."""
    if EXTERNAL_URL:
        yield Target(EXTERNAL_URL.rstrip("/"), CONTRACT_API_KEY, CONTRACT_SECRET_KEY)
        return
    module = emulator_module()
    with module.running_emulator(db=":memory:", config=emulator_config()) as handle:
        if handle.api_key != CONTRACT_API_KEY or handle.secret_key != CONTRACT_SECRET_KEY:
            pytest.fail(
                "the emulator did not take the contract account's keys from its config; "
                f"schemathesis.toml injects {CONTRACT_API_KEY!r}"
            )
        yield Target(handle.base_url, handle.api_key, handle.secret_key, handle)


@pytest.fixture(scope="session")
def target() -> Iterator[Target]:
    """One server for the tests that leave it as they found it (they only send 2Factor requests)."""
    with serve_target() as served:
        yield served


@pytest.fixture
def fresh_target() -> Iterator[Target]:
    """A server of its own: a contract run changes state (the control API's fuzzing installs faults,
    moves the clock, resets), which must not leak into another run."""
    with serve_target() as served:
        yield served


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
