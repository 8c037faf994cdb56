"""One version: the file VERSION is the only place it is written; every package and CLI reports it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSION = (ROOT / "VERSION").read_text().strip()


def test_the_version_file_holds_one_release_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION), VERSION


def test_the_changelog_has_an_entry_for_this_release() -> None:
    assert f"\n## {VERSION} - " in (ROOT / "CHANGELOG.md").read_text()


def test_the_license_is_mit() -> None:
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_no_other_file_writes_a_version() -> None:
    """pyproject.toml files read VERSION; none may carry a version of its own."""
    for pyproject in [ROOT / "pyproject.toml", *ROOT.glob("*/pyproject.toml")]:
        data = tomllib.loads(pyproject.read_text())
        assert "version" not in data["project"], f"{pyproject} writes a version; read VERSION"
        assert "version" in data["project"]["dynamic"], pyproject
        assert data["tool"]["setuptools"]["dynamic"]["version"] == {"file": "VERSION"}, pyproject
        assert (pyproject.parent / "VERSION").resolve() == ROOT / "VERSION", f"{pyproject.parent}/VERSION"


def test_every_hand_written_package_reports_it() -> None:
    """Each top-level package of overrides/ and emulator/ has `__version__` (found by listing, so a
    new package is covered the day it is added)."""
    packages = sorted(
        path.parent.name for folder in ("overrides", "emulator") for path in (ROOT / folder).glob("*/__init__.py")
    )
    assert "twofactor" in packages and "twofactor_emulator" in packages
    code = "import importlib, sys\nfor name in sys.argv[1:]: print(name, importlib.import_module(name).__version__)"
    done = subprocess.run(
        [sys.executable, "-c", code, *packages], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    reported = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert reported == dict.fromkeys(packages, VERSION)


def test_both_distributions_name_the_documents_repository() -> None:
    """Project URLs point where the OpenAPI documents' contact points (one address for the project)."""
    contact = re.search(r"contact:\n(?:\s+\w+: .*\n)*?\s+url: (\S+)", (ROOT / "openapi" / "twofactor.yaml").read_text())
    assert contact
    for pyproject in (ROOT / "pyproject.toml", ROOT / "emulator" / "pyproject.toml"):
        urls = tomllib.loads(pyproject.read_text())["project"]["urls"]
        assert urls["Source"] == contact.group(1) and urls["Changelog"].endswith("/CHANGELOG.md"), pyproject
