"""Shared helpers for the tests of the OpenAPI documents and the generation pipeline."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "twofactor.yaml"
ADMIN_SPEC_PATH = ROOT / "openapi" / "emulator-admin.yaml"
NODE_BIN = ROOT / "node_modules" / ".bin"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


def operations(document: dict[str, Any], section: str = "paths") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path or webhook name, method, operation) for every operation of a document section."""
    for path, item in document.get(section, {}).items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow internal `$ref`s until a non-reference node."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def node_tool(name: str) -> str:
    """Path of an npm tool installed by ./dev setup; the quality gates need it, so fail, don't skip."""
    tool = NODE_BIN / name
    if not tool.exists():
        pytest.fail(f"{tool} is missing: run ./dev setup (npm ci) first")
    return str(tool)


def run_tool(cmd: list[str], cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, REDOCLY_TELEMETRY="off", REDOCLY_SUPPRESS_UPDATE_NOTICE="true", NO_COLOR="1")
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def have_node() -> bool:
    return shutil.which("node") is not None
