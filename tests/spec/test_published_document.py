"""The bundled copies in dist/ and the TypeScript proof that they serve other languages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, SPEC_PATH, node_tool, run_tool


def published(extension: str) -> Path:
    version = yaml.safe_load(SPEC_PATH.read_text())["info"]["version"]
    return ROOT / "dist" / f"twofactor-openapi-{version}.{extension}"


def test_dist_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bundle.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_json_and_yaml_copies_are_the_document() -> None:
    source = yaml.safe_load(SPEC_PATH.read_text())
    assert json.loads(published("json").read_text()) == source
    assert yaml.safe_load(published("yaml").read_text()) == source


@pytest.mark.node
def test_typescript_types_generated_from_the_bundle_compile(tmp_path: Path) -> None:
    types = tmp_path / "twofactor.d.ts"
    generated = run_tool([node_tool("openapi-typescript"), str(published("json")), "-o", str(types)])
    assert generated.returncode == 0, generated.stderr
    shutil.copy(ROOT / "tests" / "typescript" / "usage.ts", tmp_path / "usage.ts")
    (tmp_path / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "strict": True,
                    "noEmit": True,
                    "target": "ES2022",
                    "module": "ES2022",
                    "moduleResolution": "bundler",
                },
                "files": ["usage.ts"],
            }
        )
    )
    compiled = run_tool([node_tool("tsc"), "-p", str(tmp_path / "tsconfig.json")], cwd=tmp_path)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


@pytest.mark.node
def test_the_typescript_proof_can_fail(tmp_path: Path) -> None:
    """The compile check is not vacuous: a usage that breaks the document's types is refused."""
    types = tmp_path / "twofactor.d.ts"
    assert run_tool([node_tool("openapi-typescript"), str(published("json")), "-o", str(types)]).returncode == 0
    (tmp_path / "bad.ts").write_text(
        'import type { components } from "./twofactor";\n'
        'export const x: components["schemas"]["ErrorReply"] = { Status: "Success", Details: "x" };\n'
    )
    compiled = run_tool([node_tool("tsc"), "--noEmit", "--strict", "bad.ts"], cwd=tmp_path)
    assert compiled.returncode != 0
    assert "TS2322" in compiled.stdout  # not assignable
