"""What importing costs is measured in bench/startup.py; what importing LOADS is checked here:
`import twofactor` and the pytest plugin must not pull in the heavy parts before they are used."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile


def modules_after(statement: str) -> set[str]:
    """The modules loaded by `statement` in a fresh interpreter, beyond those of a bare start."""
    report = "print(json.dumps(sorted(set(sys.modules) - before)))"
    code = "\n".join(["import sys", "before = set(sys.modules)", statement, "import json", report])
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True, cwd=tempfile.gettempdir()
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_import_twofactor_loads_neither_the_generated_client_nor_cryptography() -> None:
    loaded = roots(modules_after("import twofactor"))
    assert "twofactor" in loaded
    assert not loaded & {"twofactor_client", "cryptography", "attrs", "attr", "httpx", "asyncio"}, sorted(loaded)


def test_the_client_loads_on_first_use_and_the_cipher_only_for_the_envelope() -> None:
    loaded = roots(modules_after("from twofactor import TwoFactor\nTwoFactor('abcd1234').close()"))
    assert {"twofactor_client", "httpx"} <= loaded
    assert "cryptography" not in loaded, "a client without the encrypted route needs no cipher"
    sealed = roots(modules_after("from twofactor import envelope\nenvelope.seal(b'x', 'k' * 32)"))
    assert "cryptography" in sealed


def test_registering_the_pytest_plugin_loads_no_emulator() -> None:
    before = modules_after("import pytest")
    loaded = modules_after("import pytest\nimport twofactor_emulator.pytest_plugin") - before
    heavy = {"uvicorn", "starlette", "httpx", "pydantic", "sqlite3", "twofactor_models", "twofactor"}
    assert not roots(loaded) & heavy, sorted(loaded)
    # Only the plugin and the names of the environment variables it documents.
    light = {"twofactor_emulator.pytest_plugin", "twofactor_emulator.environment"}
    assert not {name for name in loaded if name.startswith("twofactor_emulator.")} - light
