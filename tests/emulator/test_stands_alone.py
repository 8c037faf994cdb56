"""The emulator imports nothing from the `twofactor` client: checked in its source, and by starting
the app in a child interpreter where `twofactor` cannot be imported at all."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import twofactor_emulator

SOURCE = Path(twofactor_emulator.__file__).parent


def client_imports(path: Path) -> list[str]:
    """`twofactor` or `twofactor.x` modules a file imports (twofactor_models and the like are other packages)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found += [name for name in names if name == "twofactor" or name.startswith("twofactor.")]
    return found


def test_the_scan_sees_a_client_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import twofactor.envelope\nfrom twofactor import TwoFactor\nimport twofactor_models\n")
    assert client_imports(probe) == ["twofactor.envelope", "twofactor"]


@pytest.mark.parametrize("path", sorted(SOURCE.rglob("*.py")), ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_emulator_module_imports_the_client(path: Path) -> None:
    assert client_imports(path) == []


BLOCKED = """
import importlib.abc, sys

class NoClient(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "twofactor" or name.startswith("twofactor."):
            raise ImportError(f"the emulator imported the client: {name}")
        return None

sys.meta_path.insert(0, NoClient())
import pkgutil, twofactor_emulator
for module in pkgutil.walk_packages(twofactor_emulator.__path__, "twofactor_emulator."):
    if module.name != "twofactor_emulator.__main__":
        __import__(module.name)
from starlette.testclient import TestClient
from twofactor_emulator.testing import create_app
with TestClient(create_app()) as client:
    assert client.get("/_emulator/health").json()["status"] == "ok"
print("alone")
"""


def test_every_emulator_module_imports_and_serves_with_the_client_blocked() -> None:
    result = subprocess.run([sys.executable, "-c", BLOCKED], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "alone"
